"""The quick-start demo: ``make demo``, ``govtier demo`` and ``examples/quickstart.py`` run it.

1. The civil-service calendar at work: for a dossier received now, and at a few fixed moments around
   Tết and 30/4, the appointment for 1-, 3-, 7- and 20-working-day procedures, with the days skipped
   and why.
2. A place: an old (pre-2025) address mapped to the new commune.
3. Who handles a real procedure at a real commune, with the rules that decided it.
4. One dossier's whole journey: receipt slip, each step, and the outcome.

It speaks Vietnamese by default (the locale decides, as for the ``govtier`` command; Vietnamese
when it names no language govtier has) and says, in one English line, how to switch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from govtier import VIETNAM_TZ, Duration, UnitRegistry, WorkingCalendar
from govtier.calendar import ReasonKind
from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader, Outcome, event_label
from govtier.i18n import (
    format_datetime,
    language,
    language_from_environment,
    resolve_language,
    tr,
    tr_data,
)
from govtier.jurisdiction import RuleSet
from govtier.storage import SQLiteStore

LIMITS = (1, 3, 7, 20)
DEFAULT_STORE = "govtier-demo.db"


def show(calendar: WorkingCalendar, received: dt.datetime, label: str, out: TextIO) -> None:
    """The appointments for 1-, 3-, 7- and 20-working-day limits from one receipt moment."""
    when = format_datetime(received)
    print("\n=== " + tr("{label}: received {moment}", label=label, moment=when) + " ===", file=out)
    deadlines = [calendar.deadline(received, Duration.working_days(n)) for n in LIMITS]
    for deadline in deadlines:
        due = format_datetime(deadline.due_at)
        print(f"  {deadline.duration!s:>18} -> " + tr("appointment {moment}", moment=due), file=out)
    for note in deadlines[0].notes[:-1]:
        print("  " + tr("note: {note}", note=note), file=out)
    holidays = [
        i for i in deadlines[-1].skipped_days() if i.reasons[-1].kind is not ReasonKind.WEEKEND
    ]
    if holidays:
        print("  " + tr("Days skipped besides weekends, and why:"), file=out)
        for info in holidays:
            print(f"    - {info}", file=out)


def place(out: TextIO) -> None:
    """An old address mapped to the new commune, and a search."""
    print("\n=== " + tr("A place: an old address and the unit it is now") + " ===", file=out)
    units = UnitRegistry.bundled()
    result = units.resolve_legacy_address("Phường Phúc Xá, Quận Ba Đình, Hà Nội")
    print(f"  {tr_data(result.reason)}", file=out)
    hit = units.search("P. Ba Đình")[0]
    found = f"{hit.unit.name} ({hit.unit.code}), {tr_data(hit.why)}"
    print("  " + tr("search {text} -> {found}", text="'P. Ba Đình'", found=found), file=out)


def journey(calendar: WorkingCalendar, out: TextIO, store: SQLiteStore) -> None:
    """Resolve a real procedure at a real commune and walk one dossier through its life.

    Every step is saved to ``store``; a later run finds the dossiers of earlier runs.
    """
    at = dt.datetime
    earlier = store.find()
    print("\n=== " + tr("The store {path}", path=store.path) + " ===", file=out)
    if earlier:
        print(
            "  " + tr("It already holds {n} dossier(s) from earlier runs:", n=len(earlier)),
            file=out,
        )
        for summary in earlier[-3:]:
            timely = summary.timeliness.label() if summary.timeliness else tr("not decided")
            print(f"  - {summary.code}: {summary.status.label()}, {timely}", file=out)
    else:
        print(
            "  " + tr("It is empty: this is the first run. Run the demo again to see it remember."),
            file=out,
        )
    heading = tr("Who handles it: first land-use-right certificate, Phường Ba Đình, 09/03/2026")
    print(f"\n=== {heading} ===", file=out)
    assignment = RuleSet.bundled().resolve(
        "land.first-certificate", "00004", on=dt.date(2026, 3, 9)
    )
    print("  " + assignment.explain().replace("\n", "\n  "), file=out)

    print("\n=== " + tr("One dossier's journey") + " ===", file=out)
    day = dt.date(2026, 3, 9)
    code = DossierCode(
        agency="G01.20.01", received_on=day, sequence=store.next_sequence("G01.20.01", day)
    )
    header = DossierHeader.from_assignment(
        assignment, code=code, applicant=Applicant(name="Trần Thị B")
    )
    dossier = Dossier.receive(
        header,
        at=at(2026, 3, 9, 9, 30, tzinfo=VIETNAM_TZ),
        actor="clerk.lan",
        calendar=calendar,
        components=["Đơn đăng ký đất đai (Mẫu 04/ĐK)", "Giấy tờ về quyền sử dụng đất"],
    )
    store.save(dossier, expected_version=0)
    print("  " + dossier.receipt_slip().render().replace("\n", "\n  "), file=out)
    steps: list[Callable[[Dossier], Dossier]] = [
        lambda d: d.transfer(
            at=at(2026, 3, 9, 14, tzinfo=VIETNAM_TZ), actor="clerk.lan", calendar=calendar
        ),
        lambda d: d.request_payment(
            at=at(2026, 3, 27, 10, tzinfo=VIETNAM_TZ), actor="land.office", amount=12_500_000
        ),
        lambda d: d.pay(
            at=at(2026, 4, 2, 10, tzinfo=VIETNAM_TZ), actor="applicant", calendar=calendar
        ),
        lambda d: d.transfer(
            at=at(2026, 4, 9, 9, tzinfo=VIETNAM_TZ), actor="land.office", calendar=calendar
        ),
        lambda d: d.apologise(
            at=at(2026, 4, 13, 10, tzinfo=VIETNAM_TZ),
            actor="ubnd.ba-dinh",
            reason=tr("verification of the land's origin took longer"),
            new_appointment=at(2026, 4, 15, 17, tzinfo=VIETNAM_TZ),
        ),
        lambda d: d.decide(
            at=at(2026, 4, 15, 11, tzinfo=VIETNAM_TZ),
            actor="chairman.ba-dinh",
            outcome=Outcome.GRANTED,
            document="GCN AB 123456",
        ),
        lambda d: d.return_result(at=at(2026, 4, 16, 8, 30, tzinfo=VIETNAM_TZ), actor="clerk.lan"),
    ]
    for step in steps:
        saved = dossier.version
        dossier = step(dossier)
        store.save(dossier, expected_version=saved)
        event = dossier.events[-1]
        due = (
            tr("appointment {moment}", moment=dossier.appointment.strftime("%d/%m %H:%M"))
            if dossier.appointment
            else tr("clock stopped")
        )
        status = dossier.status
        assert status is not None  # noqa: S101  (a dossier with events has a status)
        print(
            f"  {event.at:%d/%m %H:%M} {event_label(event.kind):<36} -> {status.label():<36}"
            f" ({status.portal_code}) {due}",
            file=out,
        )
    late = dossier.late_step()
    outcome = dossier.outcome.label() if dossier.outcome else tr("none")
    timeliness = dossier.timeliness.label() if dossier.timeliness else tr("n/a")
    print(
        "  " + tr("Outcome: {outcome}, {timeliness}", outcome=outcome, timeliness=timeliness),
        file=out,
    )
    if late is not None:
        print(
            "  "
            + tr(
                "Late step: {step} ({agency}), due {date}",
                step=tr_data(late.name),
                agency=tr_data(late.agency),
                date=late.due_at.strftime("%d/%m") if late.due_at else "-",
            ),
            file=out,
        )


def run(
    out: TextIO,
    *,
    now: dt.datetime,
    store_path: str | Path = DEFAULT_STORE,
    lang: str | None = None,
) -> None:
    """Print the whole demo to ``out``.

    Args:
        out: where to print.
        now: the moment shown as "received now".
        store_path: the SQLite file the demo keeps its dossiers in (created if missing).
        lang: ``"vi"`` or ``"en"`` (default: see :mod:`govtier.i18n`).
    """
    with language(resolve_language(lang)) as code:
        _run(out, now=now, store_path=store_path, code=code)


def _run(out: TextIO, *, now: dt.datetime, store_path: str | Path, code: str) -> None:
    # the one English line, in both languages: how to switch
    other = "en" if code == "vi" else "vi"
    print(
        f"[govtier speaks {'Vietnamese' if code == 'vi' else 'English'}; for "
        f"{'English' if other == 'en' else 'Vietnamese'}: govtier demo --lang {other}, "
        f"python examples/quickstart.py --lang {other}, or LANGUAGE={other}]",
        file=out,
    )
    calendar = WorkingCalendar.vietnam()
    show(calendar, now.replace(second=0, microsecond=0), tr("Now"), out)
    show(
        calendar,
        dt.datetime(2026, 2, 12, 16, 30, tzinfo=VIETNAM_TZ),
        tr("Just before Tết 2026"),
        out,
    )
    show(
        calendar,
        dt.datetime(2026, 4, 28, 9, 15, tzinfo=VIETNAM_TZ),
        tr("Before 30/4-1/5 2026"),
        out,
    )
    show(
        calendar,
        dt.datetime(2025, 12, 31, 17, 45, tzinfo=VIETNAM_TZ),
        tr("New Year 2026 swap, after hours"),
        out,
    )
    print(
        "\n" + tr("The full explanation for a 3-working-day limit received before 30/4:"), file=out
    )
    before_holiday = dt.datetime(2026, 4, 28, 9, 15, tzinfo=VIETNAM_TZ)
    print(calendar.deadline(before_holiday, Duration.working_days(3)).explanation, file=out)
    received = dt.datetime(2026, 2, 13, 15, 20, tzinfo=VIETNAM_TZ)
    print(
        "\n"
        + tr(
            "Certified copy (same day, 15:00 cutoff), received {moment}:",
            moment=format_datetime(received),
        ),
        file=out,
    )
    late = calendar.deadline(received, Duration.same_day())
    due = format_datetime(late.due_at)
    print("  " + tr("due {moment}: {note}", moment=due, note=late.notes[-1]), file=out)
    place(out)
    store = SQLiteStore(store_path)
    try:
        journey(calendar, out, store)
        stored = store.load(store.find()[-1].code)
        print(
            "  "
            + tr(
                "Reloaded {code} from {path}: {n} events, {status}",
                code=stored.code,
                path=store.path,
                n=stored.version,
                status=stored.status.label() if stored.status else "-",
            ),
            file=out,
        )
    finally:
        store.close()


def main(argv: list[str] | None = None) -> None:
    """Run the demo on standard output, with the current moment as "now".

    ``--lang vi|en`` chooses the language; by default the locale's (LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG), else Vietnamese.
    """
    parser = argparse.ArgumentParser(description="the govtier quick-start demo")
    parser.add_argument("--lang", metavar="vi|en", help="vi (Vietnamese) or en (English)")
    args = parser.parse_args(argv)
    lang = args.lang or language_from_environment(os.environ)
    run(sys.stdout, now=dt.datetime.now(VIETNAM_TZ), store_path=DEFAULT_STORE, lang=lang)

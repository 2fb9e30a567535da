"""The ``govtier`` command line: answers for clerks and developers without writing code.

``govtier COMMAND ...`` or ``python -m govtier COMMAND ...``; ``govtier --help`` lists the commands.
Output is a readable table by default and JSON with ``--json``; texts are in Vietnamese, or in
English with ``--lang en`` (the default follows the locale: LANGUAGE, LC_ALL, LC_MESSAGES, LANG,
falling back to Vietnamese). Error messages stay in English. Bad input (an unknown unit or
procedure, a malformed date, a store that cannot be opened) prints one line on standard error and
exits with status 2; nothing is written.

Dates and moments: a date is ``YYYY-MM-DD``; a moment (``deadline``'s receipt, ``report
--as-of``) needs a time too, ``YYYY-MM-DDTHH:MM`` (Asia/Ho_Chi_Minh unless it has an offset): a
date alone is refused rather than silently read as midnight. Tables fit the terminal's width
(``COLUMNS`` overrides it); ``--json`` always has every field.

Built on the standard library's ``argparse`` (a well-kept parser that already gives exit status
2 and one-line usage errors), so the command line adds no dependency to the library.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from govtier._data import move_file, write_text_file
from govtier._guard import check_path
from govtier.calendar import OFFICIAL_SCHEDULE_THROUGH, VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Catalogue, Channel
from govtier.deadlines import Duration
from govtier.errors import GovtierError, InvalidInputError
from govtier.i18n import (
    format_date,
    language,
    language_from_environment,
    resolve_language,
    tr,
    tr_data,
)
from govtier.jurisdiction import RuleSet
from govtier.units import LegacyUnit, Unit, UnitRegistry

if TYPE_CHECKING:
    from govtier.storage.ports import DossierStore

__all__ = ["main"]

_T = TypeVar("_T")

EXIT_BAD_INPUT = 2

Handler = Callable[[argparse.Namespace, TextIO], int]


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line on stderr and exit status 2."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_BAD_INPUT, f"govtier: error: {message} (see '{self.prog} --help')\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"expected a date as YYYY-MM-DD, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _moment(text: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        pass
    else:  # a date alone: midnight or the end of the day? Ask rather than guess.
        msg = (
            f"expected a date and a time, got the date {text!r} alone: write {day}T08:00 "
            f"(a time of day), {day}T00:00 (its start) or {day}T23:59 (its end)"
        )
        raise argparse.ArgumentTypeError(msg)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        msg = (
            "expected a date-time as YYYY-MM-DDTHH:MM (Asia/Ho_Chi_Minh if no offset), "
            f"got {text!r}"
        )
        raise argparse.ArgumentTypeError(msg) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=VIETNAM_TZ)


def _day(value: dt.date) -> str:
    """A date as every command prints it: ``Thứ Hai 05/01/2026`` or ``Mon 05/01/2026``."""
    return format_date(value, weekday=True)


def _width() -> int:
    """The terminal's width in columns (``COLUMNS`` if set; 80 when not a terminal)."""
    return shutil.get_terminal_size((80, 24)).columns


def _table(rows: Sequence[Sequence[object]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _emit(out: TextIO, args: argparse.Namespace, data: Any, text: str) -> int:
    if args.json:
        json.dump(data, out, ensure_ascii=False, indent=2, default=str)
        out.write("\n")
    else:
        out.write(text + "\n")
    return 0


def _unit_dict(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind.value,
        "level": unit.level.value,
        "province_code": unit.province_code,
    }


def _legacy_dict(unit: LegacyUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "district_code": unit.district_code,
        "district_name": unit.district_name,
        "province_code": unit.province_code,
        "province_name": unit.province_name,
    }


# -- units ---------------------------------------------------------------------------------------


def _units_search(args: argparse.Namespace, out: TextIO) -> int:
    hits = UnitRegistry.bundled().search(args.text, province=args.province, limit=args.limit)
    data = [{**_unit_dict(h.unit), "score": h.score, "why": tr_data(h.why)} for h in hits]
    rows = [
        (h.unit.code, h.unit.name, h.unit.province_code or "", h.score, tr_data(h.why))
        for h in hits
    ]
    headers = (tr("code"), tr("name"), tr("province"), tr("score"), tr("why"))
    text = _table(rows, headers) if hits else tr("no match")
    return _emit(out, args, data, text)


def _units_show(args: argparse.Namespace, out: TextIO) -> int:
    registry = UnitRegistry.bundled()
    unit = registry.get(args.code)
    data = _unit_dict(unit)
    kind = unit.kind.vietnamese if resolve_language() == "vi" else unit.kind.value
    lines = [f"{unit.name} ({unit.code})", tr("  kind: {kind}", kind=kind)]
    if unit.province_code is not None:
        province = registry.province_of(unit.code)
        data["province_name"] = province.name
        lines.append(tr("  province: {name} ({code})", name=province.name, code=province.code))
    else:
        lines.append(tr("  communes: {n}", n=len(registry.communes(unit.code))))
    lines.append(tr("  in force from {date}", date=format_date(unit.valid_from)))
    return _emit(out, args, data, "\n".join(lines))


def _units_successors(args: argparse.Namespace, out: TextIO) -> int:
    registry = UnitRegistry.bundled()
    old = registry.legacy(args.code)
    successions = registry.successors(args.code)
    data = {
        "old": _legacy_dict(old),
        "successors": [{**_unit_dict(s.new), "how": s.how.value} for s in successions],
    }
    head = tr(
        "{name}, {district}, {province} ({code}, before 2025-07-01)",
        name=old.name,
        district=old.district_name,
        province=old.province_name,
        code=old.code,
    )
    rows = [(s.new.code, s.new.name, tr(s.how.value)) for s in successions]
    headers = (tr("code"), tr("new unit"), tr("how"))
    text = head + "\n" + (_table(rows, headers) if rows else tr("  no successor"))
    return _emit(out, args, data, text)


# -- calendar and deadlines ----------------------------------------------------------------------


def _calendar(args: argparse.Namespace) -> WorkingCalendar:
    calendar = WorkingCalendar.vietnam(include_culture_day=not args.no_culture_day)
    if args.notices:
        calendar = calendar.with_notices(args.notices)
    return calendar


def _calendar_why(args: argparse.Namespace, out: TextIO) -> int:
    info = _calendar(args).why(args.date)
    data = {
        "date": info.date.isoformat(),
        "is_working_day": info.is_working_day,
        "reasons": [
            {
                "kind": r.kind.value,
                "name": r.name,
                "source": None if r.source is None else str(r.source),
                "confidence": r.confidence.value,
            }
            for r in info.reasons
        ],
    }
    text = str(info)
    if args.date.year > OFFICIAL_SCHEDULE_THROUGH:
        data["note"] = tr(
            "no official {year} schedule of days off and swaps exists yet (govtier's "
            "notices run through {through}): this follows the Labour Code's "
            "fixed holidays and may change when the Government publishes it",
            year=args.date.year,
            through=OFFICIAL_SCHEDULE_THROUGH,
        )
        text += "\n" + tr("Note: {note}.", note=data["note"])
    return _emit(out, args, data, text)


def _calendar_add(args: argparse.Namespace, out: TextIO) -> int:
    day = _calendar(args).add_working_days(args.date, args.n)
    text = tr(
        "{n} working day(s) after {start}: {day}", n=args.n, start=_day(args.date), day=_day(day)
    )
    return _emit(out, args, {"date": day.isoformat()}, text)


def _calendar_between(args: argparse.Namespace, out: TextIO) -> int:
    count = _calendar(args).working_days_between(args.start, args.end)
    text = tr(
        "working days after {start} up to {end}: {count}",
        start=_day(args.start),
        end=_day(args.end),
        count=count,
    )
    return _emit(out, args, {"working_days": count}, text)


def _deadline(args: argparse.Namespace, out: TextIO) -> int:
    deadline = _calendar(args).deadline(args.received, Duration.parse(args.limit))
    data = {
        "received_at": deadline.received_at.isoformat(),
        "counting_from": deadline.counting_from.isoformat(),
        "due_at": deadline.due_at.isoformat(),
        "duration": deadline.duration.text("en"),
        "explanation": deadline.explanation.splitlines(),
    }
    return _emit(out, args, data, deadline.explanation)


# -- catalogue and rules -------------------------------------------------------------------------


def _authority(args: argparse.Namespace, out: TextIO) -> int:
    assignment = RuleSet.bundled().resolve(
        args.procedure, args.unit, on=args.on, channel=Channel(args.channel)
    )
    data = {
        "procedure": assignment.procedure.id,
        "version": assignment.procedure.version,
        "unit": assignment.subject_code,
        "on": assignment.on.isoformat(),
        "competent": {
            "agency": assignment.competent.agency,
            "role": assignment.competent.role.value,
            "level": assignment.competent.level.value,
            "unit_code": assignment.competent.unit_code,
        },
        "intake": assignment.intake.value,
        "receivers": assignment.receivers,
        "returns_at": assignment.returns_at,
        "time_limit": assignment.time_limit.text("en"),
        "steps": [
            {"name": s.name, "agency": s.authority.agency, "share": s.share.text("en")}
            for s in assignment.steps
        ],
        "rules": list(assignment.rule_ids),
        "notes": list(assignment.notes),
    }
    return _emit(out, args, data, assignment.explain())


def _catalogue_validate(args: argparse.Namespace, out: TextIO) -> int:
    from govtier.catalogue import check_marks

    if args.files:
        catalogue = Catalogue.load(
            args.files, base=Catalogue.bundled() if args.with_bundled else None
        )
    else:
        catalogue = Catalogue.bundled()
    marks = args.marks or not args.files
    problems = [str(p) for p in check_marks(catalogue)] if marks else []
    procedures = sorted({p.id for p in catalogue.procedures})
    data: dict[str, Any] = {"procedures": procedures, "versions": len(catalogue.procedures)}
    text = tr(
        "ok: {versions} versions of {procedures} procedures",
        versions=len(catalogue.procedures),
        procedures=len(procedures),
    )
    if marks:
        data["groups"] = sorted({g.id for g in catalogue.groups})
        data["mark_problems"] = problems
        text = tr(
            "{status}: {versions} versions of {procedures} procedures, {groups} groups; "
            "every fact marked, every [C] sourced: {answer}",
            status=tr("ok") if not problems else tr("marks incomplete"),
            versions=len(catalogue.procedures),
            procedures=len(procedures),
            groups=len(catalogue.groups),
            answer=tr("yes") if not problems else tr("no"),
        )
        text += "".join("\n" + tr("mark: {problem}", problem=p) for p in problems)
    status = _emit(out, args, data, text)
    return 1 if problems else status


def _check_rules(args: argparse.Namespace, out: TextIO) -> int:
    import io

    from govtier.scenarios import main_check_rules

    err = io.StringIO()
    status = main_check_rules(args.files, out=out, err=err)
    problems = [line for line in err.getvalue().splitlines() if line.strip()]
    for line in problems:  # a file that does not load is bad input, like any other command's
        sys.stderr.write(f"govtier: {line}\n" if line.startswith("error:") else f"{line}\n")
    if any(line.startswith("error:") for line in problems):
        return EXIT_BAD_INPUT
    return status  # 0, or 1 when a scenario failed


# -- stores: report and export ------------------------------------------------------------------


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _open_store(spec: str, schema: str | None = None, *, read_only: bool = True) -> DossierStore:
    """A store from a SQLite file or a PostgreSQL URL (and schema); a missing file is an error.

    Read commands never create or migrate anything: the store is opened read-only.
    """
    if spec.startswith(("postgresql://", "postgres://")):
        from govtier.storage.postgres import PostgresStore

        return PostgresStore(spec, schema=schema, read_only=read_only)
    if schema is not None:
        msg = "--schema is for a postgresql:// store; a SQLite file has no schemas"
        raise InvalidInputError(msg, field="schema", value=schema)
    if spec != ":memory:" and not _is_file(check_path(spec, "--store")):
        msg = f"no SQLite store at {spec!r} (give an existing file or a postgresql:// URL)"
        raise InvalidInputError(msg, field="store", value=spec)
    from govtier.storage.sqlite import SQLiteStore

    return SQLiteStore(spec, read_only=read_only and spec != ":memory:")


def _progress(items: Iterable[_T], *, enabled: bool, label: str) -> Iterator[_T]:
    """Yield ``items``, drawing progress on stderr when ``enabled``.

    With a known length (a sequence) the bar fills up; for a stream it shows a moving marker and
    the count so far, without reading the stream ahead.
    """
    total = len(items) if isinstance(items, Sized) else None
    step = max(1, (total or 100_000) // 100)
    index = 0
    for index, item in enumerate(items, 1):
        if enabled and (index == 1 or index % step == 0 or index == total):
            if total is not None:
                done = index * 30 // max(total, 1)
                bar, count = "#" * done + "." * (30 - done), f"{index:,}/{total:,}"
            else:
                place = (index // step) % 30
                bar, count = "." * place + "#" + "." * (29 - place), f"{index:,}"
            sys.stderr.write(f"\r{label} [{bar}] {count}")
            sys.stderr.flush()
        yield item
    if enabled:
        sys.stderr.write("\r" + tr("{label} done: {n}", label=label, n=format(index, ",")) + "\n")
        sys.stderr.flush()


# the report's columns, most wanted first: the last ones are dropped when the terminal is narrow
_REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("on_time_percent", "on-time %"),
    ("received", "received"),
    ("resolved", "resolved"),
    ("late", "late"),
    ("overdue", "overdue"),
    ("open", "open"),
    ("on_time", "on time"),
    ("early", "early"),
    ("within_time", "within"),
    ("due_today", "due today"),
    ("paused", "paused"),
    ("withdrawn", "withdrawn"),
    ("stopped", "stopped"),
    ("refused", "refused"),
)
_UNIT_KEYS = ("province", "commune", "receiving_unit")


def _unit_label(code: str, registry: UnitRegistry, cache: dict[str, str]) -> str:
    """``Phường Ba Đình (00004)`` for a unit code; the code alone when it is not a unit."""
    if code not in cache:
        try:
            cache[code] = f"{registry.get(code).name} ({code})"
        except GovtierError:
            cache[code] = code
    return cache[code]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _report_table(result: Any, width: int) -> str:
    """The report as a table no wider than ``width``: units by name, least-wanted columns last."""
    from govtier.reporting import column_label

    vi = resolve_language() == "vi"
    keys: tuple[str, ...] = result.group_by
    rows = result.to_rows(total=True) if keys else result.to_rows(total=True)[-1:]
    total = tr("TOTAL")
    registry = UnitRegistry.bundled() if any(k in _UNIT_KEYS for k in keys) else None
    cache: dict[str, str] = {}

    def key_cell(name: str, value: object) -> str:
        text = str(value)
        if text == "*":
            return total if name == keys[0] else ""
        if registry is not None and name in _UNIT_KEYS:
            return _unit_label(text, registry, cache)
        return text

    def number(name: str, value: object) -> str:
        if name == "on_time_percent":
            return "-" if value is None else f"{value:.1f}"
        return str(value)

    key_cells = [[key_cell(k, row[k]) for k in keys] for row in rows] if keys else [[total]]
    key_heads = [column_label(k) for k in keys] or [""]
    key_widths = [max(len(h), *(len(c[i]) for c in key_cells)) for i, h in enumerate(key_heads)]
    columns: list[tuple[str, str, int]] = []
    for name, english in _REPORT_COLUMNS:
        head = column_label("on-time %" if name == "on_time_percent" else name) if vi else english
        cells = [number(name, row[name]) for row in rows]
        columns.append((name, head, max(len(head), *(len(c) for c in cells))))
    # names first (up to 32 characters), then the columns that fit, in order of importance;
    # names are clipped (to 16 at least) only when not even the first column fits beside them
    key_widths = [min(w, 32) for w in key_widths]
    gaps = 2 * (len(key_widths) - 1)
    shown: list[tuple[str, str, int]] = []
    for column in columns:
        if sum(key_widths) + gaps + sum(c[2] + 2 for c in shown) + column[2] + 2 > width and shown:
            break
        shown.append(column)
    spare = width - sum(c[2] + 2 for c in shown) - gaps
    while sum(key_widths) > spare and max(key_widths) > 16:
        key_widths[key_widths.index(max(key_widths))] -= 1
    hidden = [head for name, head, _ in columns if (name, head, _) not in shown]
    order = [c for c in columns if c in shown]  # importance order is also the display order

    def line(key_row: Sequence[str], cells: Sequence[str]) -> str:
        parts = [_clip(c, w).ljust(w) for c, w in zip(key_row, key_widths, strict=True)]
        parts += [c.rjust(w) for c, (_, _, w) in zip(cells, order, strict=True)]
        return "  ".join(parts).rstrip()

    title = tr(
        "Dossiers as of {moment} (on-time rate over {basis})",
        moment=result.as_of.strftime("%d/%m/%Y %H:%M"),
        basis=result.basis.label(),
    )
    lines = [
        title,
        line(key_heads, [head for _, head, _ in order]),
        "  ".join("-" * w for w in [*key_widths, *(w for _, _, w in order)]),
    ]
    for key_row, row in zip(key_cells, rows, strict=True):
        lines.append(line(key_row, [number(name, row[name]) for name, _, _ in order]))
    if hidden:
        note = tr(
            "(not shown, to fit {width} columns: {hidden}; see --json)",
            width=width,
            hidden=", ".join(hidden),
        )
        lines.append(textwrap.fill(note, width=max(width, 40)))
    return "\n".join(lines)


def _report(args: argparse.Namespace, out: TextIO) -> int:
    from govtier.charts import write_ontime_chart
    from govtier.reporting import ApologyCount, OnTimeBasis, report

    store = _open_store(args.store, args.schema)
    try:
        # summaries are streamed: memory stays bounded however many dossiers the store holds
        show = args.progress or sys.stderr.isatty()
        group_by = tuple(g for g in args.group_by.split(",") if g) if args.group_by else ()
        result = report(
            _progress(store.stream_summaries(), enabled=show, label=tr("report")),
            as_of=args.as_of,
            group_by=group_by,
            basis=OnTimeBasis(args.basis),
            apologies=ApologyCount(args.apologies),
        )
        if args.chart:  # the chart is always by commune and month: a second pass
            by_commune = report(
                store.stream_summaries(),
                as_of=args.as_of,
                group_by=("commune", "month"),
                apologies=ApologyCount(args.apologies),
            )
            registry, cache = UnitRegistry.bundled(), dict[str, str]()
            write_ontime_chart(
                by_commune,
                args.chart,
                label_of=lambda code: _unit_label(code, registry, cache),
                top=args.chart_top,
            )
    finally:
        store.close()
    return _emit(out, args, result.to_rows(), _report_table(result, _width()))


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from govtier.interop import DateFormat, PortalFormat, progress_records, sync_record

    fmt = PortalFormat(date_format=DateFormat(args.date_format))
    store = _open_store(args.store, args.schema)
    try:
        codes = args.code or [s.code for s in store.find()]
        show = args.progress or (sys.stderr.isatty() and len(codes) > 1_000)
        records = []
        for code in _progress(codes, enabled=show, label=tr("export")):
            dossier = store.load(code)
            record: dict[str, Any] = {"sync": sync_record(dossier, fmt)}
            if args.with_progress:
                record["progress"] = progress_records(dossier, fmt)
            records.append(record)
    finally:
        store.close()
    text = json.dumps(records, ensure_ascii=False, indent=2)
    if args.output:
        write_text_file(args.output, text + "\n", field="--output")
        return _emit(
            out,
            args,
            {"written": args.output, "dossiers": len(records)},
            tr("wrote {n} portal record(s) to {path}", n=len(records), path=args.output),
        )
    out.write(text + "\n")
    return 0


def _handover(args: argparse.Namespace, out: TextIO) -> int:
    """``govtier handover plan|apply``: carry open dossiers across a reorganisation."""
    import shutil
    import tempfile

    from govtier.handover import (
        HandoverPlan,
        Reorganisation,
        apply_plan,
        handover_report,
        write_plan,
    )

    show = args.progress or sys.stderr.isatty()
    store = _open_store(args.store, read_only=args.action != "apply")
    try:
        if args.action == "apply":
            plan = HandoverPlan.open(args.plan)
            result = apply_plan(
                store,
                plan,
                progress=lambda items: _progress(items, enabled=show, label=tr("apply")),
            )
            report = handover_report(plan)
            rows = [
                (tr("plan"), result.plan_id),
                (tr("handed over now"), f"{result.written:,}"),
                (tr("already handed over"), f"{result.already:,}"),
                (tr("left to decide"), f"{result.to_decide:,}"),
                (tr("late at the cutover"), f"{len(report.late):,}"),
            ]
            data = {
                "plan_id": result.plan_id,
                "written": result.written,
                "already": result.already,
                "to_decide": result.to_decide,
                "report": report.to_dict(),
            }
            text = _table(rows, [tr("handover"), tr("dossiers")]) + "\n\n" + report.to_text()
            return _emit(out, args, data, text)
        reorganisation = (
            Reorganisation.load(args.reorganisation)
            if args.reorganisation
            else Reorganisation.reform_2025()
        )
        decisions = {}
        for item in args.decide or ():
            code, sep, unit = item.partition("=")
            if not sep or not code or not unit:
                msg = f"--decide takes CODE=UNIT (a dossier code and a unit code), got {item!r}"
                raise InvalidInputError(msg, field="decide", value=item)
            decisions[code] = unit
        handle, name = tempfile.mkstemp(suffix=".json", prefix="govtier-plan-")
        os.close(handle)
        tmp = Path(name)
        try:
            with tmp.open("w", encoding="utf-8") as sink:
                write_plan(
                    store,
                    reorganisation,
                    sink,
                    decisions=decisions,
                    progress=lambda items: _progress(items, enabled=show, label=tr("plan")),
                )
        except BaseException:
            tmp.unlink()
            raise
        plan = HandoverPlan.open(tmp)
        report = handover_report(plan)
        if args.output:
            move_file(tmp, args.output, field="--output")
            return _emit(out, args, report.to_dict(), report.to_text())
        try:
            if args.json:
                with tmp.open(encoding="utf-8") as source:
                    shutil.copyfileobj(source, out)
                return 0
            out.write(report.to_text() + "\n")
            return 0
        finally:
            tmp.unlink()
    finally:
        store.close()


def _add_handover(commands: Any) -> None:
    handover = commands.add_parser(
        "handover", help=tr("carry open dossiers across a reorganisation")
    ).add_subparsers(dest="action", required=True, parser_class=_Parser)
    p = handover.add_parser("plan", help=tr("plan the handover of a store's open dossiers"))
    p.add_argument("--store", required=True, help=tr("a SQLite file or a postgresql:// URL"))
    p.add_argument(
        "--reorganisation", help=tr("a reorganisation file (default: the 2025-07-01 reform)")
    )
    p.add_argument(
        "--decide", action="append", help=tr("CODE=UNIT: a person's choice for a split place")
    )
    p.add_argument("--output", help=tr("write the plan to this file (stdout gets the summary)"))
    p.add_argument("--progress", action="store_true", help=tr("draw a progress bar on stderr"))
    _common(p)
    p.set_defaults(handler=_handover)
    p = handover.add_parser("apply", help=tr("apply a handover plan to the store it was made from"))
    p.add_argument("--store", required=True, help=tr("a SQLite file or a postgresql:// URL"))
    p.add_argument(
        "--plan",
        required=True,
        help=tr("the plan file written by {command}", command="'handover plan'"),
    )
    p.add_argument("--progress", action="store_true", help=tr("draw a progress bar on stderr"))
    _common(p)
    p.set_defaults(handler=_handover)


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    del args
    from govtier.demo import run

    run(out, now=dt.datetime.now(VIETNAM_TZ))  # the command line is an edge: it may read the clock
    return 0


# -- the parser ----------------------------------------------------------------------------------


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=tr("print JSON instead of a table"))
    _lang_option(parser)


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        metavar="vi|en",
        help=tr(
            "the language of the output: vi (Vietnamese) or en (English); by default the "
            "locale's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), else Vietnamese"
        ),
    )


def _calendar_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--notices", help=tr("a TOML/JSON notices file to apply on top"))
    parser.add_argument(
        "--no-culture-day",
        action="store_true",
        help=tr("do not treat 24/11 (Vietnam Culture Day, legal status pending) as a day off"),
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    from govtier import __version__

    parser = _Parser(
        prog="govtier",
        description=tr(
            "The govtier command line: answers for clerks and developers without writing code."
        ),
    )
    parser.add_argument("--version", action="version", version=f"govtier {__version__}")
    # (read before parsing, by main(); also accepted after the command)
    parser.add_argument("--lang", dest="top_lang", metavar="vi|en", help=tr("vi or en"))
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    units = commands.add_parser("units", help=tr("administrative units")).add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = units.add_parser("search", help=tr("find units by name (accents optional)"))
    p.add_argument("text")
    p.add_argument("--province", help=tr("a province code or name"))
    p.add_argument("--limit", type=int, default=10)
    _common(p)
    p.set_defaults(handler=_units_search)
    p = units.add_parser("show", help=tr("one unit by its code"))
    p.add_argument("code")
    _common(p)
    p.set_defaults(handler=_units_show)
    p = units.add_parser("successors", help=tr("the new unit(s) an old commune became"))
    p.add_argument("code", help=tr("a pre-2025 commune code"))
    _common(p)
    p.set_defaults(handler=_units_successors)

    calendar = commands.add_parser("calendar", help=tr("the working calendar")).add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = calendar.add_parser("why", help=tr("why a day is or is not a working day"))
    p.add_argument("date", type=_date)
    _calendar_options(p)
    _common(p)
    p.set_defaults(handler=_calendar_why)
    p = calendar.add_parser("add", help=tr("the n-th working day after a date"))
    p.add_argument("date", type=_date)
    p.add_argument("n", type=int)
    _calendar_options(p)
    _common(p)
    p.set_defaults(handler=_calendar_add)
    p = calendar.add_parser("between", help=tr("working days x with start < x <= end"))
    p.add_argument("start", type=_date)
    p.add_argument("end", type=_date)
    _calendar_options(p)
    _common(p)
    p.set_defaults(handler=_calendar_between)

    p = commands.add_parser("deadline", help=tr("the due moment of a time limit"))
    p.add_argument(
        "received", type=_moment, help=tr("receipt moment with its time, e.g. 2026-02-12T10:00")
    )
    p.add_argument(
        "limit", help=tr("e.g. '3 working days', '15 days', 'same day', '8 working hours'")
    )
    _calendar_options(p)
    _common(p)
    p.set_defaults(handler=_deadline)

    p = commands.add_parser("authority", help=tr("who receives, decides and returns, and why"))
    p.add_argument("procedure", help=tr("a procedure id or national code"))
    p.add_argument("unit", help=tr("a commune or province code (an old code is followed)"))
    p.add_argument("--on", type=_date, required=True, help=tr("the date (YYYY-MM-DD)"))
    p.add_argument("--channel", choices=[c.value for c in Channel], default="in_person")
    _common(p)
    p.set_defaults(handler=_authority)

    catalogue = commands.add_parser("catalogue", help=tr("procedure catalogues")).add_subparsers(
        dest="action", required=True, parser_class=_Parser
    )
    p = catalogue.add_parser(
        "validate", help=tr("load and validate catalogue files (none: the bundled catalogue)")
    )
    p.add_argument("files", nargs="*")
    p.add_argument(
        "--with-bundled", action="store_true", help=tr("add the files to the bundled one")
    )
    p.add_argument(
        "--marks",
        action="store_true",
        help=tr(
            "also require one mark per fact and a source for every [C] (always on with no files)"
        ),
    )
    _common(p)
    p.set_defaults(handler=_catalogue_validate)

    p = commands.add_parser("check-rules", help=tr("validate rules and run scenario files"))
    p.add_argument("files", nargs="+")
    _lang_option(p)
    p.set_defaults(handler=_check_rules, json=False)

    p = commands.add_parser("report", help=tr("on-time figures over a store (SQLite file or URL)"))
    p.add_argument("--store", required=True, help=tr("a SQLite file or a postgresql:// URL"))
    p.add_argument(
        "--schema", help=tr("the PostgreSQL schema of govtier's tables (default: search path)")
    )
    p.add_argument(
        "--as-of",
        type=_moment,
        required=True,
        help=tr("the moment described, with its time, e.g. 2026-04-10T17:00"),
    )
    p.add_argument(
        "--group-by",
        default="",
        help=tr("comma-separated keys: {keys}", keys="province, commune, procedure, month, ..."),
    )
    p.add_argument("--basis", choices=["resolved", "received", "to handle"], default="resolved")
    p.add_argument(
        "--apologies",
        choices=["new appointment", "late"],
        default="new appointment",
        help=tr("how a dossier given an apology with a new date counts (default: by the new date)"),
    )
    p.add_argument(
        "--chart",
        help=tr(
            "also write the communes' on-time rates, ranked, by month, as SVG (and Vega-Lite "
            "JSON beside it: rates.svg -> rates.vl.json)"
        ),
    )
    p.add_argument(
        "--chart-top",
        type=int,
        default=25,
        help=tr("how many of the lowest-ranked communes the chart shows (default 25)"),
    )
    p.add_argument("--progress", action="store_true", help=tr("draw a progress bar on stderr"))
    _common(p)
    p.set_defaults(handler=_report)

    p = commands.add_parser(
        "export", help=tr("National Public Service Portal records from a store")
    )
    p.add_argument("--store", required=True, help=tr("a SQLite file or a postgresql:// URL"))
    p.add_argument(
        "--schema", help=tr("the PostgreSQL schema of govtier's tables (default: search path)")
    )
    p.add_argument("--code", action="append", help=tr("only this dossier (repeatable)"))
    p.add_argument(
        "--date-format", choices=["yyyyMMddHHmmss", "yyyy-MM-dd HH:mm:ss"], default="yyyyMMddHHmmss"
    )
    p.add_argument(
        "--with-progress", action="store_true", help=tr("add the status-progress bodies")
    )
    p.add_argument("--output", help=tr("write the JSON to this file instead of standard output"))
    p.add_argument("--progress", action="store_true", help=tr("draw a progress bar on stderr"))
    _common(p)
    p.set_defaults(handler=_export)

    _add_handover(commands)

    p = commands.add_parser("demo", help=tr("the quick-start demo"))
    _lang_option(p)
    p.set_defaults(handler=_demo, json=False)
    return parser


def _lang_in(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in ``argv`` (the last one), if given."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
    return found


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        out: where to print (default: standard output).
    """
    given = list(sys.argv[1:] if argv is None else argv)
    try:  # the language is known before the parser is built, so that --help speaks it too
        chosen = resolve_language(_lang_in(given) or language_from_environment(os.environ))
    except GovtierError as exc:
        sys.stderr.write(f"govtier: error: {exc}\n")
        return EXIT_BAD_INPUT
    with language(chosen):
        parser = build_parser()
        try:
            args = parser.parse_args(given)
        except SystemExit as stop:  # a usage error, --help or --version: a status, not an error
            return stop.code if isinstance(stop.code, int) else EXIT_BAD_INPUT
    handler: Handler = args.handler
    try:
        with language(chosen):
            return handler(args, out or sys.stdout)
    except BrokenPipeError:  # e.g. `govtier export ... | head`: the reader has gone
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (silence the final flush)
        return 0
    except (GovtierError, InvalidInputError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        sys.stderr.write(f"govtier: error: {message}\n")
        return EXIT_BAD_INPUT

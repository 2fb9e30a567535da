"""The reorganisation handover: plan, apply, resume, report (issue 17).

A generated store of pre-reform Hà Nội dossiers (some open across 2025-07-01, some closed before
it, some in communes split by the reform, a few opened after it) is planned and applied on SQLite
and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from tests.pg_fixtures import PostgresSchemas, pg_schemas, postgres_url

from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.cli import main
from govtier.dossier import (
    Applicant,
    Decided,
    Dossier,
    DossierHeader,
    Event,
    HandedOver,
    Outcome,
    Received,
    Returned,
    SupplementRequested,
    Transferred,
)
from govtier.errors import DataFileError, GovtierError, InvalidInputError
from govtier.handover import (
    HandoverPlan,
    Reorganisation,
    apply_plan,
    handover_report,
    write_plan,
)
from govtier.interop import progress_records
from govtier.jurisdiction import RuleSet
from govtier.storage import Append, DossierStore, PostgresStore, SQLiteStore
from govtier.units import UnitRegistry

__all__ = ["pg_schemas", "postgres_url", "pre_reform_dossiers"]

CUTOVER = dt.datetime(2025, 7, 1, tzinfo=VIETNAM_TZ)
_PROCEDURES = (
    "business-household.registration",
    "construction.permit-house",
    "land.first-certificate",
    "civil-status.birth",
    "certification.copy",
    "judicial-record.certificate",
)


def pre_reform_dossiers(
    count: int, *, seed: int = 0, old_province: str = "01", after: int = 0
) -> Iterator[list[Event]]:
    """Histories of dossiers received in May-June 2025 in an old province, plus ``after`` new ones.

    About a third are closed before the cutover, the rest open across it (received, in progress
    or waiting for a supplement); communes are drawn from the old province, so some are split.
    """
    rng = random.Random(seed)  # noqa: S311  (test data)
    units = UnitRegistry.bundled()
    rules = RuleSet.bundled()
    calendar = WorkingCalendar.vietnam()
    communes = sorted(c.code for c in units.legacy_communes() if c.province_code == old_province)
    days = list(calendar.working_days(dt.date(2025, 5, 5), dt.date(2025, 6, 27)))
    sequences: Counter[tuple[str, dt.date]] = Counter()

    def header_for(unit: str, on: dt.date, pid: str) -> DossierHeader:
        assignment = rules.resolve(pid, unit, on)
        sequences[(unit, on)] += 1
        code = f"H01.{unit}-{on:%y%m%d}-{sequences[(unit, on)]:04d}"
        return DossierHeader.from_assignment(
            assignment, code=code, applicant=Applicant(name="Test"), receiving_unit=unit
        )

    for _ in range(count):
        unit, pid, day = rng.choice(communes), rng.choice(_PROCEDURES), rng.choice(days)
        at = dt.datetime.combine(day, dt.time(8 + rng.randrange(8), rng.randrange(60)), VIETNAM_TZ)
        header = header_for(unit, day, pid)
        due = calendar.deadline(at, header.time_limit, header.policy).due_at
        events: list[Event] = [
            Received(at=at, actor="clerk", appointment=due, components=("form",), header=header)
        ]
        roll = rng.random()
        if roll < 0.35:
            decided = at + dt.timedelta(hours=2)
            events += [
                Decided(at=decided, actor="chair", outcome=Outcome.GRANTED, document="QĐ-1"),
                Returned(at=decided + dt.timedelta(hours=1), actor="clerk"),
            ]
        elif roll < 0.6:
            events.append(
                Transferred(
                    at=at + dt.timedelta(hours=1), actor="clerk", step=0, to=header.competent
                )
            )
        elif roll < 0.7:
            events.append(
                SupplementRequested(
                    at=at + dt.timedelta(hours=1),
                    actor="clerk",
                    components=("map",),
                    reason="missing map",
                )
            )
        yield events
    new_units = sorted(u.code for u in units.communes() if units.province_of(u.code).code == "01")
    for _ in range(after):
        unit, day = rng.choice(new_units), dt.date(2025, 7, 2)
        at = dt.datetime.combine(day, dt.time(9), VIETNAM_TZ)
        header = header_for(unit, day, "civil-status.birth")
        due = calendar.deadline(at, header.time_limit, header.policy).due_at
        yield [Received(at=at, actor="clerk", appointment=due, header=header)]


def fill(store: DossierStore, count: int, *, seed: int = 0, after: int = 0) -> dict[str, Dossier]:
    """Import the generated dossiers; return them by code."""
    batch, dossiers = [], {}
    for events in pre_reform_dossiers(count, seed=seed, after=after):
        dossier = Dossier.from_events(events)
        dossiers[dossier.code] = dossier
        batch.append(Append(code=dossier.code, events=events, expected_version=0))
    store.append_many(batch)
    return dossiers


def make_plan(store: DossierStore, reorganisation: Reorganisation | None = None) -> HandoverPlan:
    out = io.StringIO()
    write_plan(store, reorganisation or Reorganisation.reform_2025(), out)
    return HandoverPlan.from_text(out.getvalue())


_SPECS: dict[int, str] = {}


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DossierStore]:
    """A fresh store; ``_SPECS[id(store)]`` says how another process opens the same one."""
    if request.param == "sqlite":
        opened: DossierStore = SQLiteStore(tmp_path / "store.db")
        spec = str(tmp_path / "store.db")
    else:
        schemas: PostgresSchemas = request.getfixturevalue("pg_schemas")
        schema = schemas.new()
        opened = PostgresStore(schemas.url, schema=schema)
        spec = f"{schemas.url}#{schema}"
    _SPECS[id(opened)] = spec
    yield opened
    opened.close()


def handovers(dossier: Dossier) -> list[HandedOver]:
    return [e for e in dossier.events if isinstance(e, HandedOver)]


def test_plan_and_apply_hand_each_open_dossier_over_once(store: DossierStore) -> None:
    before = fill(store, 300, seed=5, after=10)
    plan = make_plan(store)
    entries = list(plan.entries())
    planned = {e["code"]: e for e in entries if e["action"] == "handover"}
    decide = {e["code"]: e for e in entries if e["action"] == "decide"}
    closed = {c for c, d in before.items() if d.status is not None and d.status.is_terminal}
    opened_after = {c for c, d in before.items() if d.events[0].at >= CUTOVER}
    open_before = set(before) - closed - opened_after
    # every open dossier is planned or listed for a person; none closed or opened after
    assert set(planned) | set(decide) == open_before
    assert not (set(planned) | set(decide)) & (closed | opened_after)
    assert plan.summary.closed == len(closed)
    assert plan.summary.after_cutover == len(opened_after)
    # split communes are listed with their candidates, never guessed
    units = UnitRegistry.bundled()
    assert decide, "the sample should hit split communes"
    for code, entry in decide.items():
        assert entry["problem"] == "split"
        successors = {s.new.code for s in units.successors(before[code].header.subject_unit)}
        assert {c["code"] for c in entry["candidates"]} == successors
        assert len(successors) > 1
    result = apply_plan(store, plan, batch_size=37)
    assert (result.written, result.already) == (len(planned), 0)
    for code, dossier in before.items():
        after = store.load(code)
        if code in planned:
            (event,) = handovers(after)
            assert after.version == dossier.version + 1
            assert event.plan_id == plan.id
            assert event.from_agency == dossier.header.competent
            assert after.header.competent == event.to_agency == planned[code]["to_agency"]
            assert after.appointment == dossier.appointment  # the clock is kept
            assert after.status is dossier.status
            assert after.clock.started_at == dossier.clock.started_at
        else:
            assert after.events == dossier.events  # closed, split or after: untouched
    again = apply_plan(store, plan)
    assert (again.written, again.already) == (0, len(planned))
    assert all(store.load(c).version == before[c].version + 1 for c in planned)
    # planning again after the handover finds nothing more to do
    replan = make_plan(store).summary
    assert (replan.handovers, replan.already) == (0, len(planned))
    assert replan.to_decide == len(decide)


def test_district_dossiers_go_to_the_commune(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 200, seed=2)
    plan = make_plan(store)
    report = handover_report(plan)
    district = [(a, b) for a, b, _ in report.flows if "Quận" in a or "Huyện" in a]
    assert district
    assert all("Quận" not in b and "Huyện" not in b for _, b in district)
    entry = next(e for e in plan.entries() if e["action"] == "handover")
    assert entry["rules"]
    assert "reorganisation 2025-two-tier" in entry["event"]["data"]["reason"]
    text = report.to_text()
    assert plan.id in text
    assert "to decide" in text
    assert json.loads(json.dumps(report.to_dict()))["summary"]["id"] == plan.id
    store.close()


def test_late_dossiers_are_reported(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    before = fill(store, 200, seed=3)
    plan = make_plan(store)
    report = handover_report(plan)
    planned = {e["code"] for e in plan.entries() if e["action"] == "handover"}
    expected = {c for c in planned if before[c].clock_state(CUTOVER).value == "overdue"}
    assert expected
    assert set(report.late) == expected
    store.close()


def test_progress_records_show_the_handover(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 40, seed=4)
    plan = make_plan(store)
    apply_plan(store, plan)
    code = next(e["code"] for e in plan.entries() if e["action"] == "handover")
    records = list(progress_records(store.load(code)))
    last = records[-1]
    assert last["NoiDungXuLy"].startswith("Bàn giao hồ sơ từ ")
    store.close()


def test_a_plan_from_another_store_writes_nothing(tmp_path: Path) -> None:
    one, two = SQLiteStore(tmp_path / "1.db"), SQLiteStore(tmp_path / "2.db")
    fill(one, 60, seed=1)
    fill(two, 60, seed=9)
    plan = make_plan(one)
    with pytest.raises(InvalidInputError, match="not made from this store"):
        apply_plan(two, plan)
    assert not any(handovers(d) for d in two.stream())
    one.close()
    two.close()


def test_a_plan_applied_after_the_dossiers_changed_writes_nothing(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 80, seed=6)
    plan = make_plan(store)
    code = next(
        e["code"]
        for e in plan.entries()
        if e["action"] == "handover" and e["status"] in ("RECEIVED", "IN_PROGRESS")
    )
    changed = store.load(code)
    at = changed.events[-1].at + dt.timedelta(minutes=1)
    store.save(
        changed.apply(Transferred(at=at, actor="clerk", step=len(changed.clock.steps), to="X")),
        expected_version=changed.version,
    )
    with pytest.raises(InvalidInputError, match="changed since plan"):
        apply_plan(store, plan)
    assert not any(handovers(d) for d in store.stream())
    store.close()


def test_an_edited_plan_is_refused(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 30, seed=7)
    out = io.StringIO()
    write_plan(store, Reorganisation.reform_2025(), out)
    text = out.getvalue().replace("Ủy ban nhân dân", "Ủy ban nhan dan", 1)
    with pytest.raises(DataFileError, match="does not match its identifier"):
        HandoverPlan.from_text(text)
    with pytest.raises(DataFileError, match="not a valid govtier handover plan"):
        HandoverPlan.from_text('{"a": 1}')
    store.close()


def test_a_cutover_before_the_receipt_is_an_error(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 20, seed=8)
    early = Reorganisation.from_data(
        {
            "id": "too-early",
            "cutover": "2025-03-01T00:00:00+07:00",
            "legal_basis": [{"document": "Resolution 1656/NQ-UBTVQH15"}],
            "notes": [["Nhập toàn bộ", "whole"]],
            "successions": [["00001", "00097", 0], ["00004", "00004", 0]],
        }
    )
    codes = {d.header.subject_unit for d in store.stream()}
    if "00001" not in codes:
        store.append(*_one_at("00001", dt.date(2025, 5, 6)), expected_version=0)
    with pytest.raises(InvalidInputError, match="before the dossier's own receipt"):
        write_plan(store, early, io.StringIO())
    store.close()


def _one_at(unit: str, day: dt.date) -> tuple[str, list[Event]]:
    rules = RuleSet.bundled()
    header = DossierHeader.from_assignment(
        rules.resolve("civil-status.birth", unit, day),
        code=f"H01.{unit}-{day:%y%m%d}-0900",
        applicant=Applicant(name="Test"),
    )
    at = dt.datetime.combine(day, dt.time(9), VIETNAM_TZ)
    return header.code, [Received(at=at, actor="c", appointment=at, header=header)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"successions": [["99999", "00004", 0]]}, "unknown old unit code '99999'"),
        ({"successions": [["00004", "77777", 0]]}, "unknown new unit code '77777'"),
        ({"successions": [["00004", "00008", 5]]}, "note index 5"),
        ({"cutover": "2027-01-01T00:00:00"}, "give the offset"),
        ({"legal_basis": []}, "legal basis"),
    ],
)
def test_bad_reorganisation_files(change: dict[str, object], message: str) -> None:
    data: dict[str, object] = {
        "id": "merge-2027",
        "cutover": "2027-01-01T00:00:00+07:00",
        "legal_basis": [{"document": "Resolution X/2026/NQ-UBTVQH15", "issued": "2026-10-01"}],
        "notes": [["Nhập toàn bộ", "whole"]],
        "successions": [["00004", "00008", 0]],
    }
    data.update(change)
    with pytest.raises(DataFileError, match=message):
        Reorganisation.from_data(data)


def test_a_future_merger_file(tmp_path: Path) -> None:
    """Two wards merge into one in 2027: its open dossiers go to the ward that remains."""
    file = tmp_path / "merger.json"
    file.write_text(
        json.dumps(
            {
                "id": "hanoi-2027-merger",
                "cutover": "2027-01-01T00:00:00+07:00",
                "legal_basis": [{"document": "Resolution X/2026/NQ-UBTVQH15 (example)"}],
                "confidence": "[U]",
                "notes": [["Nhập toàn bộ", "whole"], ["Giữ nguyên", "unchanged"]],
                "successions": [["00004", "00008", 0], ["00008", "00008", 1]],
            }
        ),
        encoding="utf-8",
    )
    merger = Reorganisation.load(file)
    assert merger.abolished == frozenset({"00004"})
    store = SQLiteStore(tmp_path / "s.db")
    code, events = _one_at("00004", dt.date(2026, 12, 15))
    events = [
        Received(
            at=events[0].at,
            actor="c",
            appointment=events[0].at + dt.timedelta(days=30),
            header=events[0].header,
        )
    ]
    store.append(code, events, expected_version=0)
    kept, kept_events = _one_at("00008", dt.date(2026, 12, 15))
    store.append(kept, kept_events[:1], expected_version=0)
    plan = make_plan(store, merger)
    (entry,) = [e for e in plan.entries() if e["action"] == "handover"]
    assert entry["code"] == code
    assert entry["to_agency"] == "Ủy ban nhân dân Phường Ngọc Hà"
    assert plan.summary.unchanged == 1
    apply_plan(store, plan)
    assert store.load(code).header.subject_unit == "00008"
    store.close()


_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from govtier.handover import HandoverPlan, apply_plan
    from govtier.storage import PostgresStore, SQLiteStore

    spec, plan_path, kill_after = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if spec.startswith("postgresql"):
        url, schema = spec.split("#")
        store = PostgresStore(url, schema=schema)
    else:
        store = SQLiteStore(spec)

    def progress(items):
        for n, item in enumerate(items, 1):
            if n == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
            yield item

    apply_plan(store, HandoverPlan.open(plan_path), batch_size=7, progress=progress)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_during_apply_then_rerun_hands_over_exactly_once(
    store: DossierStore, tmp_path: Path
) -> None:
    fill(store, 150, seed=11)
    plan_path = tmp_path / "plan.json"
    with plan_path.open("w", encoding="utf-8") as out:
        write_plan(store, Reorganisation.reform_2025(), out)
    plan = HandoverPlan.open(plan_path)
    planned = [e["code"] for e in plan.entries() if e["action"] == "handover"]
    spec = _SPECS[id(store)]
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            _KILLER,
            spec,
            str(plan_path),
            str(plan.summary.handovers // 2 + plan.summary.to_decide // 2),
        ],
        check=False,
        capture_output=True,
        env={**os.environ},
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()
    partly = sum(1 for c in planned if handovers(store.load(c)))
    assert 0 < partly < len(planned)
    result = apply_plan(store, plan)
    assert result.already == partly
    assert result.written == len(planned) - partly
    for code in planned:
        assert len(handovers(store.load(code))) == 1


def test_decisions_hand_over_a_split_commune(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    fill(store, 120, seed=12)
    plan = make_plan(store)
    entry = next(e for e in plan.entries() if e["action"] == "decide")
    choice = entry["candidates"][1]["code"]
    out = io.StringIO()
    write_plan(store, Reorganisation.reform_2025(), out, decisions={entry["code"]: choice})
    decided = HandoverPlan.from_text(out.getvalue())
    mine = next(e for e in decided.entries() if e["code"] == entry["code"])
    assert mine["action"] == "handover"
    assert mine["event"]["data"]["subject_unit"] == choice
    with pytest.raises(InvalidInputError, match="not one of the successors"):
        write_plan(
            store, Reorganisation.reform_2025(), io.StringIO(), decisions={entry["code"]: "00004"}
        ) if "00004" not in {c["code"] for c in entry["candidates"]} else pytest.skip("candidate")
    store.close()


def test_errors_are_govtier_errors() -> None:
    assert issubclass(DataFileError, GovtierError)
    with pytest.raises(InvalidInputError, match="cutover"):
        Reorganisation(
            id="x",
            cutover=dt.datetime(2027, 1, 1),
            successions={},
            rules=RuleSet.bundled(),
        )


def test_cli_plan_and_apply(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    store = SQLiteStore(db)
    fill(store, 60, seed=13)
    store.close()
    plan_file = tmp_path / "plan.json"
    assert main(["handover", "plan", "--store", str(db), "--json"]) == 0
    printed = capsys.readouterr().out
    plan = HandoverPlan.from_text(printed)  # the --json output is the plan itself
    assert plan.summary.scanned == 60
    assert main(["handover", "plan", "--store", str(db), "--output", str(plan_file)]) == 0
    assert "Handover plan HO-" in capsys.readouterr().out
    assert HandoverPlan.open(plan_file).id == plan.id
    assert main(["handover", "apply", "--store", str(db), "--plan", str(plan_file), "--json"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["written"] == plan.summary.handovers > 0
    assert main(["handover", "apply", "--store", str(db), "--plan", str(plan_file)]) == 0
    table = capsys.readouterr().out
    assert "already handed over" in table
    assert f"{plan.summary.handovers:,}" in table


def test_cli_bad_input_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leftovers = set(Path(tempfile.gettempdir()).glob("govtier-plan-*"))
    db = tmp_path / "s.db"
    SQLiteStore(db).close()
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "cutover": "2027-01-01T00:00:00+07:00"}', encoding="utf-8")
    assert main(["handover", "plan", "--store", str(db), "--reorganisation", str(bad)]) == 2
    assert "legal_basis" in capsys.readouterr().err
    assert main(["handover", "plan", "--store", str(db), "--decide", "nope"]) == 2
    assert "CODE=UNIT" in capsys.readouterr().err
    assert main(["handover", "apply", "--store", str(db), "--plan", str(bad)]) == 2
    assert "not a valid govtier handover plan" in capsys.readouterr().err
    assert set(Path(tempfile.gettempdir()).glob("govtier-plan-*")) <= leftovers


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"procedure_id": "retired.procedure"}, "no successor rule"),
        ({"subject_unit": "999", "receiving_unit": "999"}, "ambiguous place"),
    ],
)
def test_no_rule_or_no_place_goes_to_a_person(
    tmp_path: Path, change: dict[str, str], problem: str
) -> None:
    code, events = _one_at("00001", dt.date(2025, 6, 20))
    first = events[0]
    assert isinstance(first, Received)
    assert first.header is not None
    header = attrs.evolve(first.header, **change)
    store = SQLiteStore(tmp_path / "s.db")
    store.append(code, [attrs.evolve(first, header=header)], expected_version=0)
    (entry,) = list(make_plan(store).entries())
    assert (entry["action"], entry["problem"], entry["candidates"]) == ("decide", problem, [])
    assert entry["reason"]
    store.close()


def test_a_rule_may_restart_the_clock_at_the_cutover(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "s.db")
    before = fill(store, 60, seed=14)
    reform = attrs.evolve(Reorganisation.reform_2025(), restart_clock=True)
    plan = make_plan(store, reform)
    apply_plan(store, plan)
    calendar = WorkingCalendar.vietnam()
    running = [e for e in plan.entries() if e["action"] == "handover" and e["status"] == "RECEIVED"]
    assert running
    for entry in running:
        after = store.load(entry["code"])
        assert after.header is not None
        new = RuleSet.bundled().resolve(
            after.header.procedure_id, after.header.subject_unit, CUTOVER.date()
        )  # the time limit under the rules in force after the cutover
        due = calendar.deadline(CUTOVER, new.time_limit, new.policy).due_at
        assert after.appointment == due != before[entry["code"]].appointment
        assert after.clock.history[-1].cause == "handed_over"
    store.close()

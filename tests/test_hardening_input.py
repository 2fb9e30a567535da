"""Bad input from outside meets a ``GovtierError`` naming the field, never a bare Python error.

Each test is a case found by fuzzing the landed code from outside (issue 14): time limits,
rule periods, scenario expectations, event fields, extreme moments, command-line output paths,
special files given to every loader, and a damaged install.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest

from govtier import (
    VIETNAM_TZ,
    Catalogue,
    DataFileError,
    Duration,
    GovtierError,
    InvalidInputError,
    RuleSet,
    UnitRegistry,
    WorkingCalendar,
)
from govtier.calendar import load_notices
from govtier.cli import main as cli_main
from govtier.dossier import Dossier, DossierHeader, Outcome, Transferred, Withdrawn
from govtier.errors import OutOfRangeError
from govtier.handover import HandoverPlan, Reorganisation
from govtier.scenarios import load_scenarios, main_check_rules, run_file
from govtier.serialization import document_types, from_json
from govtier.storage import MemoryStore, SQLiteStore
from govtier.storage.ports import DossierQuery
from govtier.testing.contract import sample_header

CAL = WorkingCalendar.vietnam()
AT = dt.datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)
UTC = dt.UTC
LATEST = dt.datetime(9999, 12, 31, 23, 59, tzinfo=UTC)  # after 9999 in Vietnam
EARLIEST = dt.datetime(1, 1, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=23, minutes=59)))
DATA = Path(str(resources.files("govtier").joinpath("data")))
CATALOGUE = tomllib.loads((DATA / "catalogue.toml").read_text(encoding="utf-8"))
RULES = tomllib.loads((DATA / "rules.toml").read_text(encoding="utf-8"))


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(_json(data), ensure_ascii=False), encoding="utf-8")
    return path


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the command line; the status and standard error, which must be one line on failure."""
    status = cli_main(argv, out=io.StringIO())
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if status == 2:
        assert err.startswith("govtier: error:"), err
        assert err.count("\n") == 1, err
    if argv[0] == "check-rules" and status == 1:  # a malformed file: "error: ..." lines
        assert all(line.startswith("error: ") for line in err.splitlines()), err
    return status, err


# -- time limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("same day (cutoff 25:00)", "cutoff", "00:00 to 23:59"),
        ("same day (cutoff 09:60)", "cutoff", "00:00 to 23:59"),
        ("same day (cutoff ٠٩:٠٠)", "duration", "digits 0-9"),  # Arabic-Indic digits
        ("٣ working days", "duration", "digits 0-9"),
        ("３ days", "duration", "digits 0-9"),  # full-width
        ("1" * 5000 + " days", "duration amount", "at most 9"),
        ("1234567890 days", "duration amount", "at most 9"),
    ],
)
def test_duration_text_is_checked(text: str, field: str, words: str) -> None:
    """A cutoff past 23:59, digits other than 0-9 and absurd amounts name the field."""
    with pytest.raises(InvalidInputError, match=words) as caught:
        Duration.parse(text)
    assert caught.value.field == field
    assert len(str(caught.value)) < 300


def test_duration_amount_is_bounded() -> None:
    """A constructed amount of 10**9 days or more is refused, not an OverflowError later."""
    with pytest.raises(InvalidInputError, match="at most") as caught:
        Duration.calendar_days(10**9)
    assert caught.value.field == "amount"
    with pytest.raises(OutOfRangeError):  # in range for the type, past 9999 for the calendar
        CAL.deadline(AT, Duration.calendar_days(10**9 - 1))
    with pytest.raises(OutOfRangeError):
        CAL.deadline(AT, Duration.working_hours(10**9 - 1))


def test_catalogue_time_limit_is_checked(tmp_path: Path) -> None:
    """A catalogue time limit with a 5,000-digit amount names the file, entry and field."""
    proc = dict(CATALOGUE["procedure"][0], time_limit="9" * 5000 + " working days")
    path = _write(tmp_path / "big.catalogue.json", {**CATALOGUE, "procedure": [proc]})
    with pytest.raises(DataFileError, match="time_limit") as caught:
        Catalogue.load(path)
    assert "big.catalogue.json" in str(caught.value)
    assert "9999999999" not in str(caught.value)


def test_scenario_time_limit_is_checked(tmp_path: Path) -> None:
    """A scenario's expected time limit in other digits is a DataFileError naming the field."""
    data = {
        "scenario": [
            {
                "name": "x",
                "procedure": "civil-status.birth",
                "unit": "00004",
                "date": "2026-03-09",
                "expect": {"time_limit": "same day (cutoff ٠٩:٠٠)"},
            }
        ]
    }
    path = _write(tmp_path / "x.scenarios.json", data)
    with pytest.raises(DataFileError, match=r"expect\.time_limit"):
        load_scenarios(path)


@pytest.mark.parametrize(
    "limit", ["same day (cutoff 25:00)", "same day (cutoff ٠٩:٠٠)", "7" * 5000 + " days"]
)
def test_cli_deadline_time_limit(limit: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`govtier deadline` with a bad limit prints one line and exits with status 2."""
    status, _ = _cli(["deadline", "2026-03-09T09:00", limit], capsys)
    assert status == 2


# -- rules and scenarios -------------------------------------------------------------------------


def _competence_rule(rule_id: str, provinces: list[str], **dates: str) -> dict[str, Any]:
    return {
        "id": rule_id,
        "fields": ["certification"],
        "provinces": provinces,
        "competent": {"level": "commune", "role": "commune_peoples_committee"},
        "confidence": "P",
        "legal_basis": [{"document": "Decree 23/2015/NĐ-CP"}],
        **dates,
    }


def test_validate_with_an_open_and_a_closed_rule_of_one_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two competence rules from one day, one open-ended: validate reports, does not crash."""
    rules = [
        _competence_rule("open", ["01"], valid_from="2025-07-01"),
        _competence_rule("closed", ["79"], valid_from="2025-07-01", valid_to="2026-06-30"),
    ]
    path = _write(tmp_path / "same-start.rules.json", {"rule": rules})
    ruleset = RuleSet.load(path)
    report = ruleset.validate(Catalogue.bundled())
    assert all(c.procedure for c in report.uncovered)
    status, _ = _cli(["check-rules", str(path)], capsys)
    assert status in (0, 1)


def test_validate_up_to_the_last_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """valid_to = 9999-12-31 in a catalogue and in rules: no OverflowError in validate()."""
    rules = [_competence_rule("forever", [], valid_from="2025-07-01", valid_to="9999-12-31")]
    rules[0].pop("provinces")
    path = _write(tmp_path / "forever.rules.json", {"rule": rules})
    report = RuleSet.load(path).validate(Catalogue.bundled())
    gaps = [c for c in report.uncovered if c.procedure.startswith("certification.")]
    assert gaps  # before 2025-07-01 nothing covers them; from then on the rule does, to the end
    assert all(c.end is not None and c.end < dt.date(2025, 7, 1) for c in gaps)
    procedures = [dict(p) for p in CATALOGUE["procedure"]]
    assert "valid_to" not in procedures[1]
    procedures[1]["valid_to"] = dt.date(9999, 12, 31)
    cat_path = _write(tmp_path / "forever.catalogue.json", {**CATALOGUE, "procedure": procedures})
    catalogue = Catalogue.load(cat_path)
    RuleSet.bundled().validate(catalogue)
    status, _ = _cli(["catalogue", "validate", str(cat_path)], capsys)
    assert status in (0, 1)
    status, _ = _cli(["check-rules", str(path)], capsys)
    assert status in (0, 1)


@pytest.mark.parametrize("key", ["rules", "steps", "level", "time_limit", "procedure_version"])
def test_null_expectation_is_a_data_file_error(tmp_path: Path, key: str) -> None:
    """`"expect": {"rules": null}` (JSON can say null) names the field."""
    data = {
        "scenario": [
            {
                "name": "null",
                "procedure": "civil-status.birth",
                "unit": "00004",
                "date": "2026-03-09",
                "expect": {key: None},
            }
        ]
    }
    path = _write(tmp_path / "null.scenarios.json", data)
    with pytest.raises(DataFileError, match=f"expect.{key}") as caught:
        run_file(path)
    assert "null" in str(caught.value)
    err = io.StringIO()
    assert main_check_rules([str(path)], out=io.StringIO(), err=err) == 1
    assert err.getvalue().startswith("error: ")


# -- event fields --------------------------------------------------------------------------------


def _received() -> Dossier:
    return Dossier.receive(sample_header("G01-260309-0001"), at=AT, actor="clerk", calendar=CAL)


LATER = AT + dt.timedelta(hours=1)

EMPTY_FIELDS: list[tuple[str, Callable[[], object], str]] = [
    ("withdraw actor", lambda: _received().withdraw(at=LATER, actor=""), "actor"),
    ("withdraw reason", lambda: _received().withdraw(at=LATER, actor="a", reason=""), "reason"),
    ("stop reason", lambda: _received().stop(at=LATER, actor="a", reason=""), "reason"),
    (
        "apology reason",
        lambda: _received().apologise(at=LATER, actor="a", reason="", new_appointment=LATER),
        "reason",
    ),
    (
        "supplement reason",
        lambda: _received().request_supplement(at=LATER, actor="a", components=["x"], reason=""),
        "reason",
    ),
    (
        "decision document",
        lambda: _received().decide(at=LATER, actor="a", outcome=Outcome.GRANTED, document=""),
        "document",
    ),
    (
        "refusal reason",
        lambda: Dossier.refuse(sample_header("G01-260309-0002"), at=AT, actor="a", reason=""),
        "reason",
    ),
    ("header code", lambda: attrs.evolve(sample_header("G01-260309-0003"), code=""), "code"),
    (
        "header code type",
        lambda: attrs.evolve(sample_header("G01-260309-0003"), code=7),
        "code",
    ),
    (
        "payment amount",
        lambda: _received().request_payment(at=LATER, actor="a", amount=-1),
        "amount",
    ),
    (
        "payment amount, huge",
        lambda: _received().request_payment(at=LATER, actor="a", amount=2**63),
        "amount",
    ),
    ("transfer step", lambda: Transferred(at=AT, actor="a", step=-1, to="x"), "step"),
    ("transfer to", lambda: Transferred(at=AT, actor="a", step=0, to=""), "to"),
    ("event actor type", lambda: Withdrawn(at=AT, actor=None), "actor"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(
    ("case", "action", "field"), EMPTY_FIELDS, ids=[c[0] for c in EMPTY_FIELDS]
)
def test_empty_or_negative_event_fields(
    case: str, action: Callable[[], object], field: str
) -> None:
    """Each refused field raises an InvalidInputError whose field and message name it."""
    del case
    with pytest.raises(InvalidInputError) as caught:
        action()
    assert caught.value.field == field
    assert field in str(caught.value)


def test_header_code_is_still_checked_at_construction() -> None:
    """DossierHeader(code="") is refused whichever way it is built."""
    fields = attrs.asdict(sample_header("G01-260309-0004"), recurse=False)
    with pytest.raises(InvalidInputError, match="code"):
        DossierHeader(**{**fields, "code": ""})


# -- extreme moments -----------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [LATEST, EARLIEST], ids=["9999-12-31", "0001-01-01+23:59"])
def test_extreme_moments_in_a_deadline(moment: dt.datetime) -> None:
    """A moment outside years 1-9999 in UTC or in Vietnam is an OutOfRangeError naming it."""
    with pytest.raises(OutOfRangeError) as caught:
        CAL.deadline(moment, Duration.working_days(3))
    assert caught.value.field == "received_at"


def _commands(moment: dt.datetime) -> list[tuple[str, Callable[[], object]]]:
    header = sample_header("G01-260309-0005")
    received = _received()
    submitted = Dossier.submit(header, at=AT, actor="a")
    asked = received.request_supplement(at=LATER, actor="a", components=["x"], reason="r")
    billed = received.request_payment(at=LATER, actor="a", amount=1)
    decided = received.decide(at=LATER, actor="a", outcome=Outcome.GRANTED, document="d")
    return [
        ("submit", lambda: Dossier.submit(header, at=moment, actor="a")),
        ("receive", lambda: Dossier.receive(header, at=moment, actor="a", calendar=CAL)),
        ("refuse", lambda: Dossier.refuse(header, at=moment, actor="a", reason="r")),
        ("accept", lambda: submitted.accept(at=moment, actor="a", calendar=CAL)),
        (
            "request_supplement",
            lambda: received.request_supplement(at=moment, actor="a", components=["x"], reason="r"),
        ),
        ("supplement", lambda: asked.supplement(at=moment, actor="a", calendar=CAL)),
        ("transfer", lambda: received.transfer(at=moment, actor="a", calendar=CAL)),
        ("request_payment", lambda: received.request_payment(at=moment, actor="a")),
        ("pay", lambda: billed.pay(at=moment, actor="a", calendar=CAL)),
        (
            "apologise",
            lambda: received.apologise(at=LATER, actor="a", reason="r", new_appointment=moment),
        ),
        ("stop", lambda: received.stop(at=moment, actor="a", reason="r")),
        (
            "decide",
            lambda: received.decide(at=moment, actor="a", outcome=Outcome.GRANTED, document="d"),
        ),
        ("return_result", lambda: decided.return_result(at=moment, actor="a")),
        ("withdraw", lambda: received.withdraw(at=moment, actor="a")),
        ("clock_state", lambda: received.clock_state(moment)),
        ("late_step", lambda: received.late_step(moment)),
    ]


@pytest.mark.parametrize("moment", [LATEST, EARLIEST], ids=["9999-12-31", "0001-01-01+23:59"])
def test_every_dossier_command_with_an_extreme_moment(moment: dt.datetime) -> None:
    """Every command given such a moment raises a GovtierError naming the moment's field."""
    for name, command in _commands(moment):
        with pytest.raises(GovtierError) as caught:
            command()
        assert isinstance(caught.value, InvalidInputError), (name, caught.value)
        fields = ("at", "appointment", "new_appointment", "as_of", "received_at", "start", "end")
        assert caught.value.field in fields, name


@pytest.mark.parametrize(
    "field", ["received_from", "received_before", "overdue_as_of"], ids=lambda f: f
)
@pytest.mark.parametrize(
    "moment", [LATEST, EARLIEST, dt.date(1, 1, 1)], ids=["9999", "0001+23:59", "date-1-1-1"]
)
def test_dossier_query_with_an_extreme_moment(field: str, moment: dt.datetime | dt.date) -> None:
    """DossierQuery refuses a moment a store cannot hold, naming the criterion."""
    with pytest.raises(OutOfRangeError) as caught:
        DossierQuery(**{field: moment})
    assert caught.value.field == field
    assert field in str(caught.value)


def test_stores_take_the_widest_queries(tmp_path: Path) -> None:
    """The earliest and latest moments a query accepts work on every store; limit is bounded."""
    earliest = dt.datetime(1, 1, 1, 7, 0, tzinfo=UTC)
    latest = dt.datetime(9999, 12, 31, 16, 0, tzinfo=UTC)
    for store in (MemoryStore(), SQLiteStore(tmp_path / "q.db")):
        store.save(_received(), expected_version=0)
        query = DossierQuery(received_from=earliest, received_before=latest, limit=2**63 - 1)
        assert [s.code for s in store.find(query)] == ["G01-260309-0001"]
        assert store.find(DossierQuery(overdue_as_of=latest))
        store.close()
    with pytest.raises(InvalidInputError, match="limit") as caught:
        DossierQuery(limit=2**63)
    assert caught.value.field == "limit"


def test_cli_deadline_at_the_first_moment(capsys: pytest.CaptureFixture[str]) -> None:
    """`govtier deadline 0001-01-01T00:00+23:59 "15 days"`: one line, status 2."""
    status, err = _cli(["deadline", "0001-01-01T00:00+23:59", "15 days"], capsys)
    assert status == 2
    assert "received_at" in err


# -- command-line output paths -------------------------------------------------------------------


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A SQLite store with one dossier."""
    path = tmp_path / "store.db"
    store = SQLiteStore(path)
    store.save(_received(), expected_version=0)
    store.close()
    return path


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("missing/out.json", "folder does not exist"),
        (".", "it is a directory"),
        ("/dev/full", "cannot be written"),
        ("bad\x00name.json", "NUL"),
    ],
)
@pytest.mark.parametrize("command", ["export", "handover plan"])
def test_export_output_paths(
    target: str, words: str, command: str, store_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--output` into a missing folder, a directory, a full device: one line, status 2."""
    if target == "/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    output = target if target.startswith("/") else str(store_file.parent / target)
    argv = [*command.split(), "--store", str(store_file), "--output", output]
    status, err = _cli(argv, capsys)
    assert status == 2
    assert words in err
    assert "--output" in err


def test_report_chart_into_a_directory(
    store_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report --chart DIR` names the chart path and exits with status 2."""
    argv = ["report", "--store", str(store_file), "--as-of", "2026-04-01T00:00"]
    status, err = _cli([*argv, "--chart", str(store_file.parent)], capsys)
    assert status == 2
    assert "chart" in err
    assert "it is a directory" in err


@pytest.mark.parametrize("name", ["s" * 300, "x\x00.db", "s" * 5000])
@pytest.mark.parametrize("command", ["report", "export"])
def test_store_names_the_os_cannot_take(
    name: str, command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 300-character or NUL --store name: one line, status 2 (no OSError traceback)."""
    argv = [command, "--store", str(tmp_path / name)]
    if command == "report":
        argv += ["--as-of", "2026-04-01T00:00"]
    status, err = _cli(argv, capsys)
    assert status == 2
    assert "--store" in err or "no SQLite store" in err


def test_sqlite_store_path_with_nul() -> None:
    """SQLiteStore("x\\0.db") names the path instead of `embedded null byte`."""
    with pytest.raises(InvalidInputError, match="NUL") as caught:
        SQLiteStore("x\x00.db")
    assert caught.value.field == "path"


# -- special files in every loader ---------------------------------------------------------------


LOADERS: dict[str, Callable[[Path], object]] = {
    "handover plan": lambda path: HandoverPlan.open(path).summary,
    "reorganisation": Reorganisation.load,
    "catalogue": Catalogue.load,
    "rules": RuleSet.load,
    "notices": load_notices,
    "scenarios": load_scenarios,
    "run_file": run_file,
}


def _special(kind: str, tmp_path: Path) -> Path:
    path = tmp_path / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind in ("zero", "urandom", "null"):
        os.symlink(f"/dev/{kind}", path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "dangling":
        os.symlink(tmp_path / "nowhere.toml", path)
    elif kind == "nul":
        return tmp_path / "bad\x00name.toml"
    elif kind == "long":
        return tmp_path / ("x" * 300 + ".toml")
    return path


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize(
    "kind", ["fifo", "zero", "urandom", "null", "directory", "dangling", "nul", "long"]
)
def test_special_files_in_every_loader(loader: str, kind: str, tmp_path: Path) -> None:
    """NUL, FIFO, /dev/zero, /dev/urandom, directories: a DataFileError, read nothing, no hang."""
    path = _special(kind, tmp_path)
    with pytest.raises(DataFileError) as caught:
        LOADERS[loader](path)
    message = str(caught.value)
    assert len(message) < 500
    if kind in ("fifo", "zero", "urandom", "null", "directory"):
        assert "not a regular file" in message


@pytest.mark.parametrize("kind", ["fifo", "zero", "directory", "nul"])
def test_special_files_on_the_command_line(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command with a file argument: one line, status 2."""
    path = str(_special(kind, tmp_path))
    for argv in (
        ["catalogue", "validate", path],
        ["check-rules", path],
        ["calendar", "why", "2026-03-11", "--notices", path],
        ["deadline", "2026-03-09T09:00", "3 working days", "--notices", path],
        ["handover", "plan", "--store", ":memory:", "--reorganisation", path],
        ["handover", "apply", "--store", ":memory:", "--plan", path],
    ):
        status, _ = _cli(argv, capsys)
        assert status == 2, argv


def test_scenario_setup_paths_are_checked(tmp_path: Path) -> None:
    """A [setup] path with a NUL, or naming a FIFO, is a DataFileError."""
    os.mkfifo(tmp_path / "pipe.rules.toml")
    for name in ("bad\x00.catalogue.toml", "pipe.rules.toml"):
        key = "catalogue" if "catalogue" in name else "rules"
        data = {
            "setup": {key: [name]},
            "scenario": [
                {
                    "name": "x",
                    "procedure": "civil-status.birth",
                    "unit": "00004",
                    "date": "2026-03-09",
                    "expect": {"level": "commune"},
                }
            ],
        }
        path = _write(tmp_path / "setup.scenarios.json", data)
        with pytest.raises(DataFileError):
            run_file(path)
        err = io.StringIO()
        assert main_check_rules([str(path)], out=io.StringIO(), err=err) == 1
        assert err.getvalue().startswith("error: ")


def test_a_file_growing_past_the_bound_is_refused(tmp_path: Path) -> None:
    """The bound holds on the bytes read, not only on the size stat() reported."""
    from govtier._data import read_bounded

    path = tmp_path / "big.toml"
    path.write_bytes(b"a" * 101)
    assert read_bounded(path, 100) is None
    assert read_bounded(path, 101) == b"a" * 101


# -- from_json -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 7, 1.5, [], {}, object()], ids=repr)
@pytest.mark.parametrize(
    "cls", [None, *sorted(document_types().values(), key=lambda c: c.__name__)]
)
def test_from_json_of_not_text(value: object, cls: type | None) -> None:
    """from_json(None) and other non-text values: a GovtierError, not a TypeError."""
    with pytest.raises(GovtierError) as caught:
        from_json(value, cls)  # type: ignore[arg-type]
    assert "JSON text" in str(caught.value) or "document type" in str(caught.value)


# -- a damaged install ---------------------------------------------------------------------------


def _run_in_copy(tmp_path: Path, damage: Callable[[Path], None], code: str) -> str:
    """Run ``code`` with govtier imported from a copy of the package damaged by ``damage``."""
    package = Path(str(resources.files("govtier")))
    copy = tmp_path / "govtier"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    damage(copy / "data")
    prelude = (
        "import govtier\n"
        f"assert govtier.__file__.startswith({str(copy)!r}), govtier.__file__\n"
        "from govtier import DataFileError\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout
    return result.stdout


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def damage(data: Path) -> None:
        path = data / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return damage


CALENDAR_WHY = (
    "from govtier import WorkingCalendar\n"
    "import datetime as dt\n"
    "try:\n"
    "    print(WorkingCalendar.vietnam().why(dt.date(2026, 3, 11)))\n"
    "except DataFileError as exc:\n"
    "    print('ERROR', exc)\n"
)


def test_an_injected_notice_is_not_used(tmp_path: Path) -> None:
    """An edited notices.toml (an injected day off) is a damaged install, never used."""
    notices = (DATA / "notices.toml").read_text(encoding="utf-8")
    injected = (
        '\n[[notices]]\nid = "injected"\ntitle = "injected day off"\ndocument = "none"\n'
        'confidence = "C"\ndays_off = [2026-03-11]\n'
    )
    assert "[[notices]]" in notices

    def damage(data: Path) -> None:
        (data / "notices.toml").write_text(notices + injected, encoding="utf-8")

    out = _run_in_copy(tmp_path, damage, CALENDAR_WHY)
    assert out.startswith("ERROR govtier/data/notices.toml: damaged install"), out
    assert "injected" not in out


@pytest.mark.parametrize("how", ["flipped", "deleted"])
def test_a_damaged_notices_file(tmp_path: Path, how: str) -> None:
    """A flipped byte or a deleted notices.toml: a DataFileError saying the install is damaged."""

    def damage(data: Path) -> None:
        path = data / "notices.toml"
        if how == "deleted":
            path.unlink()
        else:
            raw = bytearray(path.read_bytes())
            raw[len(raw) // 2] ^= 0x01
            path.write_bytes(bytes(raw))

    out = _run_in_copy(tmp_path, damage, CALENDAR_WHY)
    assert out.startswith("ERROR govtier/data/notices.toml:"), out
    assert "reinstall govtier" in out


def test_the_bundled_scenario_file_is_verified(tmp_path: Path) -> None:
    """An edited bundled scenario file is refused by run_file and by check-rules."""
    code = (
        "import io\n"
        "from govtier.scenarios import bundled_scenario_files, run_file, main_check_rules\n"
        "path = next(p for p in bundled_scenario_files() if p.name == 'bundled.scenarios.toml')\n"
        "try:\n"
        "    run_file(path)\n"
        "except DataFileError as exc:\n"
        "    print('ERROR', exc)\n"
        "err = io.StringIO()\n"
        "print('STATUS', main_check_rules([str(path)], out=io.StringIO(), err=err))\n"
        "print(err.getvalue())\n"
    )
    damage = _edit("scenarios/bundled.scenarios.toml", 'level = "commune"', 'level = "district"')
    out = _run_in_copy(tmp_path, damage, code)
    assert "ERROR govtier/data/scenarios/bundled.scenarios.toml: damaged install" in out, out
    assert "STATUS 1" in out


CATALOGUE_BUNDLED = (
    "from govtier import Catalogue\n"
    "from govtier._data import _manifest\n"
    "for attempt in (1, 2):\n"
    "    try:\n"
    "        Catalogue.bundled()\n"
    "        print('LOADED')\n"
    "    except DataFileError as exc:\n"
    "        print('ERROR', exc)\n"
    "    print('KEPT', len(_manifest))\n"
)


@pytest.mark.parametrize(
    "how", ["deleted", "malformed line", "empty", "bad digest", "binary", "directory"]
)
def test_a_damaged_manifest(tmp_path: Path, how: str) -> None:
    """SHA256SUMS deleted or malformed: the install is damaged; no partial manifest is kept."""

    def damage(data: Path) -> None:
        path = data / "SHA256SUMS"
        lines = path.read_text(encoding="utf-8").splitlines()
        if how == "deleted":
            path.unlink()
        elif how == "malformed line":
            path.write_text("\n".join([*lines[:2], "not a line", *lines[2:]]), encoding="utf-8")
        elif how == "empty":
            path.write_text("", encoding="utf-8")
        elif how == "bad digest":
            path.write_text("\n".join(["xyz  catalogue.toml", *lines]), encoding="utf-8")
        elif how == "binary":
            path.write_bytes(b"\xff\xfe" * 10)
        else:
            path.unlink()
            path.mkdir()

    out = _run_in_copy(tmp_path, damage, CATALOGUE_BUNDLED)
    assert out.count("ERROR govtier/data/SHA256SUMS: damaged install") == 2, out
    assert "reinstall govtier" in out
    assert "KEPT 0" in out
    assert "LOADED" not in out


def test_a_damaged_units_file_is_a_damaged_install(tmp_path: Path) -> None:
    """A units.json that is no longer JSON says "damaged install", not "not valid JSON"."""

    def damage(data: Path) -> None:
        path = data / "units.json"
        path.write_bytes(path.read_bytes()[:-200])

    code = (
        "from govtier import UnitRegistry\n"
        "try:\n"
        "    UnitRegistry.bundled()\n"
        "except DataFileError as exc:\n"
        "    print('ERROR', exc)\n"
    )
    out = _run_in_copy(tmp_path, damage, code)
    assert out.startswith("ERROR govtier/data/units.json: damaged install"), out
    assert "not valid JSON" not in out


@pytest.mark.parametrize("kind", ["fifo", "zero", "urandom", "directory", "dangling"])
def test_special_units_files(kind: str, tmp_path: Path) -> None:
    """UnitRegistry.from_directory over a units.json that is no regular file: a DataFileError."""
    special = _special(kind, tmp_path)
    if special.is_symlink():
        os.symlink(os.readlink(special), tmp_path / "units.json")
    else:
        special.rename(tmp_path / "units.json")
    with pytest.raises(DataFileError, match=r"units\.json"):
        UnitRegistry.from_directory(tmp_path)


@pytest.mark.parametrize("where", ["procedure", "defaults"])
def test_a_fact_that_is_not_text(where: str, tmp_path: Path) -> None:
    """Found by `make fuzz`: a `facts[].fact` that is a list was a TypeError (unhashable)."""
    procedures = [dict(p) for p in CATALOGUE["procedure"]]
    data: dict[str, Any] = {**CATALOGUE, "procedure": procedures}
    bad = [{"fact": ["time_limit"], "confidence": "C"}]
    if where == "procedure":
        procedures[0]["facts"] = bad
    else:
        data["defaults"] = {"facts": bad}
    path = _write(tmp_path / "facts.catalogue.json", data)
    with pytest.raises(DataFileError, match=r"facts\[\d+\]\.fact"):
        Catalogue.load(path)

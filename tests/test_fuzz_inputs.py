"""Fuzzing the rest of the boundary: every document type, every event field, every loader's path,
extreme moments and every command-line command that takes a file.

The property is the one of ``test_fuzz.py``: a valid result or a ``GovtierError`` — never a bare
Python exception, a hang or a traceback — and a message that never quotes a planted personal
value. ``make fuzz`` runs 3,000 inputs per test (``HYPOTHESIS_PROFILE=fuzz``).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.test_json import CALENDAR, STRATEGIES, TYPE_NAMES

from govtier import (
    VIETNAM_TZ,
    Catalogue,
    DataFileError,
    Duration,
    GovtierError,
    RuleSet,
    WorkingCalendar,
)
from govtier.calendar import load_notices
from govtier.cli import main as cli_main
from govtier.dossier import EVENT_TYPES, Dossier, Event, HandedOver
from govtier.handover import HandoverPlan, Reorganisation
from govtier.scenarios import load_scenarios, run_file
from govtier.serialization import document_types, from_json, to_json
from govtier.storage import MemoryStore, SQLiteStore
from govtier.storage.ports import DossierQuery
from govtier.testing.contract import sample_header

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SECRET = "Nguyễn Thị Bímật"  # noqa: S105  (not a password) planted in keys and values: no message may quote it
CAL = WorkingCalendar.vietnam()
AT = dt.datetime(2026, 3, 9, 9, 0, tzinfo=VIETNAM_TZ)

offsets = st.sampled_from(
    [dt.UTC, VIETNAM_TZ]
    + [dt.timezone(dt.timedelta(minutes=m)) for m in (-1439, -300, 0, 420, 1439)]
)
any_moments = st.datetimes(timezones=offsets)  # years 1-9999, at any offset up to ±23:59
texts = st.text(max_size=12) | st.sampled_from(["", " ", "\x00", SECRET, "٣", "x" * 5000])
integers = st.integers(-(2**70), 2**70) | st.sampled_from([-1, 0, 2**63 - 1, 2**63, 10**5000])
moments = (
    any_moments
    | st.datetimes()
    | st.sampled_from(
        [dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), dt.datetime.min, dt.datetime.max]
    )
)
BY_TYPE: dict[str, st.SearchStrategy[Any]] = {  # values of the declared type, odd ones included
    "str": texts,
    "str | None": st.none() | texts,
    "int": integers,
    "int | None": st.none() | integers,
    "dt.datetime": moments,
    "dt.datetime | None": st.none() | moments,
    "tuple[str, ...]": st.lists(texts, max_size=3).map(tuple),
}
odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([-1, 0, 2**63 - 1, 2**63, 10**5000]),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "\x00", SECRET, "٣", "9999-12-31T23:59:59+00:00"]),
    st.dates(),
    st.datetimes(),  # naive
    any_moments,
    st.lists(st.text(max_size=4), max_size=3),
    st.tuples(st.text(max_size=4)),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.just(SECRET),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _clean(exc: BaseException) -> None:
    """A GovtierError whose message, repr and logged chain never quote the planted value."""
    assert isinstance(exc, GovtierError), repr(exc)
    assert SECRET not in str(exc), str(exc)
    cause = exc.__cause__
    assert cause is None or SECRET not in str(cause), repr(cause)


# -- every document type -----------------------------------------------------------------------


def _containers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _containers(item, (*path, key))
    elif isinstance(value, list):
        yield path
        for index, item in enumerate(value):
            yield from _containers(item, (*path, index))


def _mutate(value: Any, draw: st.DrawFn) -> Any:
    """One to three nested values replaced, dropped or added (keys may be the secret)."""
    value = copy.deepcopy(value)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_containers(value))))
        node = value
        for step in path:
            node = node[step]
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace" and keys:
            node[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "drop" and keys:
            node.pop(draw(st.sampled_from(keys)))
        elif isinstance(node, dict):
            node[draw(st.sampled_from([SECRET, "extra", ""]) | st.text(max_size=8))] = draw(
                json_values
            )
        else:
            node.append(draw(json_values))
    return value


@FUZZ
@given(data=st.data(), name=st.sampled_from(TYPE_NAMES), typed=st.booleans())
def test_from_json_of_every_type(data: st.DataObject, name: str, typed: bool) -> None:
    """A mutated document of any type: the value (of that type), or a clean GovtierError."""
    cls = document_types()[name]
    document = json.loads(to_json(data.draw(STRATEGIES[name])))
    text = json.dumps(data.draw(st.composite(lambda draw: _mutate(document, draw))()))
    try:
        value = from_json(text, cls if typed else None, calendar=CALENDAR)
    except Exception as exc:
        _clean(exc)
    else:
        assert not typed or isinstance(value, cls)


@FUZZ
@given(value=json_values | st.binary(max_size=40), name=st.sampled_from(TYPE_NAMES))
@example(value=None, name="Dossier")
def test_from_json_of_anything(value: Any, name: str) -> None:
    """from_json of any JSON value, bytes or non-text: never a bare TypeError."""
    text = value if isinstance(value, bytes) or value is None else json.dumps(value)
    for cls in (None, document_types()[name]):
        try:
            from_json(text, cls, calendar=CALENDAR)
        except Exception as exc:
            _clean(exc)


# -- every event field -------------------------------------------------------------------------


def _sample_events() -> dict[type[Event], Event]:
    header = sample_header("G01-260309-0001")
    received = Dossier.receive(header, at=AT, actor="clerk", calendar=CAL)
    later = AT + dt.timedelta(hours=1)
    paths = [
        Dossier.submit(header, at=AT, actor="a"),
        Dossier.refuse(header, at=AT, actor="a", reason="r"),
        received.request_supplement(at=later, actor="a", components=["x"], reason="r").supplement(
            at=later, actor="a", calendar=CAL
        ),
        received.transfer(at=later, actor="a", calendar=CAL),
        received.request_payment(at=later, actor="a", amount=5).pay(
            at=later, actor="a", calendar=CAL
        ),
        received.apologise(
            at=later, actor="a", reason="r", new_appointment=AT + dt.timedelta(days=30)
        ),
        received.stop(at=later, actor="a", reason="r"),
        received.decide(
            at=later, actor="a", outcome=next(iter(_outcomes())), document="d"
        ).return_result(at=later, actor="a"),
        received.withdraw(at=later, actor="a"),
    ]
    handed = HandedOver(
        at=later,
        actor="system",
        from_agency="Phòng Tư pháp Quận Ba Đình",
        to_agency="Ủy ban nhân dân Phường Ba Đình",
        receiving_unit="00004",
        subject_unit="00004",
        returns_at="the commune's one-stop unit",
        legal_basis="Decree 120/2025/NĐ-CP",
        plan_id="HO-0123456789abcdef0123",
    )
    paths.append(received.apply(handed))
    found: dict[type[Event], Event] = {}
    for dossier in paths:
        for index, event in enumerate(dossier.events):
            if type(event) not in found:
                found[type(event)] = event
                HISTORIES[type(event)] = list(dossier.events[:index])
    return found


HISTORIES: dict[type[Event], list[Event]] = {}


def _outcomes() -> Iterator[Any]:
    from govtier.dossier import Outcome

    yield from Outcome


SAMPLE_EVENTS = _sample_events()
EVENT_FIELDS = sorted(
    (cls.__name__, field.name, str(field.type))
    for cls in EVENT_TYPES
    for field in attrs.fields(cls)
    if str(field.type) in BY_TYPE  # the header has its own test; the outcome is an enum
)
HEADER = sample_header("G01-260309-0002")
HEADER_FIELDS = sorted(
    (field.name, str(field.type))
    for field in attrs.fields(type(HEADER))
    if str(field.type) in BY_TYPE
)


def test_every_event_type_has_a_sample() -> None:
    """The fuzzing below reaches every event type (and so every event field)."""
    assert set(SAMPLE_EVENTS) == set(EVENT_TYPES)


@st.composite
def event_field_values(draw: st.DrawFn) -> tuple[str, str, Any]:
    """An event type, one of its fields, and a value of the field's declared type."""
    cls_name, name, annotation = draw(st.sampled_from(EVENT_FIELDS))
    return cls_name, name, draw(BY_TYPE[annotation])


@FUZZ
@given(which=event_field_values())
@example(which=("Withdrawn", "actor", ""))
@example(which=("Withdrawn", "reason", ""))
@example(which=("Decided", "document", ""))
@example(which=("PaymentRequested", "amount", -1))
@example(which=("Transferred", "step", 2**63))
@example(which=("Received", "appointment", dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)))
def test_every_event_field(which: tuple[str, str, Any]) -> None:
    """Any value in any event field: a valid event, or an InvalidInputError naming the field."""
    cls_name, name, value = which
    cls = next(c for c in EVENT_TYPES if c.__name__ == cls_name)
    sample = SAMPLE_EVENTS[cls]
    try:
        event = attrs.evolve(sample, **{name: value})
    except Exception as exc:
        _clean(exc)
        assert getattr(exc, "field", None) == name, repr(exc)  # noqa: PT017
        return
    history = [e for e in _history_of(cls) if type(e) is not cls] + [event]
    with contextlib.suppress(GovtierError):
        Dossier.from_events(history)  # folding a valid event never raises anything else


def _history_of(cls: type[Event]) -> list[Event]:
    """The events before the sample of ``cls`` in its dossier."""
    return HISTORIES[cls]


@st.composite
def header_field_values(draw: st.DrawFn) -> tuple[str, Any]:
    """A header field and a value of its declared type."""
    name, annotation = draw(st.sampled_from(HEADER_FIELDS))
    return name, draw(BY_TYPE[annotation])


@FUZZ
@given(which=header_field_values(), moment=moments)
@example(which=("code", ""), moment=AT)
def test_every_header_field_and_moment(which: tuple[str, Any], moment: dt.datetime) -> None:
    """Any value in a header field, received at any moment: a dossier or a GovtierError."""
    name, value = which
    try:
        header = attrs.evolve(HEADER, **{name: value})
        dossier = Dossier.receive(header, at=moment, actor="clerk", calendar=CAL)
    except Exception as exc:
        _clean(exc)
    else:
        assert dossier.code == value if name == "code" else dossier.code == HEADER.code


# -- extreme moments ---------------------------------------------------------------------------


@FUZZ
@given(
    moment=any_moments,
    unit=st.sampled_from(["working_days", "working_hours", "calendar_days"]),
    amount=st.integers(0, 10**9 - 1) | st.sampled_from([0, 1, 10**9 - 1]),
)
@example(moment=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC), unit="working_days", amount=3)
@example(moment=AT, unit="calendar_days", amount=10**9 - 1)
def test_deadlines_at_any_moment(moment: dt.datetime, unit: str, amount: int) -> None:
    """A deadline from any moment with any amount: a due moment, or an OutOfRangeError."""
    duration = getattr(Duration, unit)(amount)
    try:
        deadline = CAL.deadline(moment, duration)
    except Exception as exc:
        _clean(exc)
    else:
        assert deadline.due_at >= deadline.counting_from


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Any]]:
    """A memory store and a SQLite store, each holding one dossier."""
    dossier = Dossier.receive(sample_header("G01-260309-0003"), at=AT, actor="a", calendar=CAL)
    opened = [MemoryStore(), SQLiteStore(tmp_path_factory.mktemp("q") / "q.db")]
    for store in opened:
        store.save(dossier, expected_version=0)
    yield opened
    for store in opened:
        store.close()


@FUZZ
@given(
    field=st.sampled_from(["received_from", "received_before", "overdue_as_of", "limit", "after"]),
    value=odd_values | st.dates(),
)
@example(field="received_from", value=dt.date(1, 1, 1))
@example(field="limit", value=2**63)
def test_dossier_queries(stores: list[Any], field: str, value: Any) -> None:
    """Any value for a query criterion: the same results on every store, or a GovtierError."""
    try:
        query = DossierQuery(**{field: value})
    except Exception as exc:
        _clean(exc)
        return
    found = []
    for store in stores:
        try:
            found.append([s.code for s in store.find(query)])
        except Exception as exc:
            _clean(exc)
            found.append(None)
    assert found[0] == found[1], found


# -- every loader, any path --------------------------------------------------------------------

LOADERS: dict[str, Callable[[Any], object]] = {
    "handover plan": lambda path: HandoverPlan.open(path).summary,
    "reorganisation": Reorganisation.load,
    "catalogue": Catalogue.load,
    "rules": RuleSet.load,
    "notices": load_notices,
    "scenarios": load_scenarios,
    "run_file": run_file,
}


@FUZZ
@given(
    loader=st.sampled_from(sorted(LOADERS)),
    name=st.text(max_size=20),
    suffix=st.sampled_from([".toml", ".json", "", ".db"]),
)
@example(loader="catalogue", name="x\x00", suffix=".toml")
@example(loader="rules", name="/dev/zero#", suffix="")
def test_loader_paths(tmp_path: Path, loader: str, name: str, suffix: str) -> None:
    """Any path text: a DataFileError naming it (most do not exist), never an OSError."""
    try:
        LOADERS[loader](tmp_path / (name + suffix))
    except Exception as exc:
        assert isinstance(exc, DataFileError), repr(exc)  # noqa: PT017


def _bundled(name: str) -> dict[str, Any]:
    text = resources.files("govtier").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


CONTENTS = {
    "catalogue": _json_safe(_bundled("catalogue.toml")),
    "rules": _json_safe(_bundled("rules.toml")),
    "scenarios": _json_safe(_bundled("scenarios/bundled.scenarios.toml")),
    "notices": _json_safe(_bundled("notices.toml")),
}


def _file(tmp_path: Path, kind: str, content: Any, draw: st.DrawFn) -> str:
    """A file argument of some kind: a mutated data file, bytes, a directory, a FIFO, a device."""
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "arg.json"  # a fresh folder per example
    if kind == "mutated":
        path.write_text(json.dumps(_mutate(content, draw)), encoding="utf-8")
    elif kind == "bytes":
        path = path.with_suffix(draw(st.sampled_from([".toml", ".json", ".db", ".svg"])))
        path.write_bytes(draw(st.binary(max_size=200)))
    elif kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.symlink(draw(st.sampled_from(["/dev/zero", "/dev/urandom", "/dev/null"])), path)
    elif kind == "nul":
        return str(path) + "\x00"
    elif kind == "long":
        return str(tmp_path / ("n" * 300))
    elif kind == "missing":
        return str(tmp_path / "missing" / "x.json")
    return str(path)


FILE_KINDS = ["mutated", "bytes", "directory", "fifo", "device", "nul", "long", "missing"]


@st.composite
def command_lines(draw: st.DrawFn, tmp_path: Path) -> list[str]:
    """A command that takes a file, with a file argument of any kind."""
    command = draw(
        st.sampled_from(
            ["catalogue", "check-rules", "why", "deadline", "report", "export", "plan", "apply"]
        )
    )
    kind = draw(st.sampled_from(FILE_KINDS))
    content = CONTENTS[draw(st.sampled_from(sorted(CONTENTS)))]
    arg = _file(tmp_path, kind, content, draw)
    if command == "catalogue":
        return ["catalogue", "validate", arg]
    if command == "check-rules":
        return ["check-rules", arg]
    if command == "why":
        return ["calendar", "why", "2026-03-11", "--notices", arg]
    if command == "deadline":
        return ["deadline", "2026-03-09T09:00", "3 working days", "--notices", arg]
    store = draw(st.sampled_from([arg, str(tmp_path / "store.db")]))
    if command == "plan":
        option = draw(st.sampled_from(["--reorganisation", "--output"]))
        return ["handover", "plan", "--store", store, *([] if store == arg else [option, arg])]
    if command == "apply":
        return ["handover", "apply", "--store", str(tmp_path / "store.db"), "--plan", arg]
    if command == "report":
        chart = [] if store == arg else ["--chart", arg]
        return ["report", "--store", store, "--as-of", "2026-04-01T00:00", *chart]
    output = [] if store == arg else ["--output", arg]
    return ["export", "--store", store, *output]


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A folder with a SQLite store of one dossier."""
    store = SQLiteStore(tmp_path / "store.db")
    store.save(
        Dossier.receive(sample_header("G01-260309-0004"), at=AT, actor="a", calendar=CAL),
        expected_version=0,
    )
    store.close()
    return tmp_path


@FUZZ
@given(data=st.data())
def test_cli_commands_with_file_arguments(store_dir: Path, data: st.DataObject) -> None:
    """Every command with a file argument, any kind of file: status 0, 1 or 2, no traceback."""
    argv = data.draw(command_lines(store_dir))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli_main(argv, out=out)
        except SystemExit as exc:  # argparse usage errors
            status = int(exc.code or 0)
    text = err.getvalue()
    assert status in (0, 1, 2), (argv, status, text)
    assert "Traceback" not in text, text
    if status == 2:
        assert text.startswith(("govtier: error:", "usage:", "error:")), (argv, text)
        assert len(text.splitlines()) <= 3, text
    if argv[0] == "check-rules" and status == 1:
        assert text == "" or all(line.startswith("error: ") for line in text.splitlines()), text
    if argv[0] in ("report", "export"):  # stores hold citizens' data; data files quote their keys
        assert SECRET not in text + out.getvalue()

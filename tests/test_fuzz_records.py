"""Fuzzing the record entry points: stored events, their JSON, portal bodies, corrupted store rows.

The property is the one of ``test_fuzz.py``: a valid result, or a ``GovtierError`` whose message
names the input (the record, the dossier and event, the portal body) — nothing else escapes. A
corrupted row in a store is reported as :class:`CorruptRecordError` or
:class:`SchemaVersionError` naming the dossier and the event, and nothing stored is changed.
``make test`` runs the bounded budget; ``HYPOTHESIS_PROFILE=fuzz`` runs 3,000 inputs per test.
Inputs that once crashed are kept as explicit examples.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import pickle
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govtier import (
    Catalogue,
    CorruptRecordError,
    DataFileError,
    InvalidInputError,
    RuleSet,
    SchemaVersionError,
    StorageError,
)
from govtier.calendar import MAX_NOTICE_FILE_BYTES, load_notices
from govtier.catalogue import MAX_CATALOGUE_FILE_BYTES
from govtier.dossier import Dossier, Event
from govtier.interop import (
    PortalFormat,
    PortalRecord,
    ProgressRecord,
    parse_progress_record,
    parse_sync_record,
    progress_records,
    sync_record,
)
from govtier.scenarios import load_scenarios
from govtier.serialization import (
    event_from_record,
    event_to_record,
    from_json,
    record_from_json,
    record_to_json,
)
from govtier.storage import SQLiteStore
from govtier.testing.contract import PERSONAL_NAME, random_dossier

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

DEEP = "[" * 3_000  # nested deeper than the recursion limit: once a RecursionError

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _sample_dossiers() -> list[Dossier]:
    """Dossiers with varied histories (every event kind appears among them)."""
    return [random_dossier(random.Random(n), f"F{n}-260302-0001") for n in range(40)]  # noqa: S311


DOSSIERS = _sample_dossiers()
EVENTS = [e for d in DOSSIERS for e in d.events]
RECORDS = [event_to_record(e) for e in EVENTS]
SYNC = [sync_record(d, PortalFormat(include={"ChuHoSo", "DanhSachGiayToKetQua"})) for d in DOSSIERS]
PROGRESS = [p for d in DOSSIERS for p in progress_records(d)]


def _containers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The paths of every dict and list inside ``value`` (``()`` is the value itself)."""
    if isinstance(value, dict):
        yield path
        for key, item in value.items():
            yield from _containers(item, (*path, key))
    elif isinstance(value, list):
        yield path
        for index, item in enumerate(value):
            yield from _containers(item, (*path, index))


@st.composite
def mutated(draw: st.DrawFn, originals: list[Any]) -> Any:
    """One of ``originals`` with one to three nested values replaced, dropped or added."""
    value = copy.deepcopy(draw(st.sampled_from(originals)))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_containers(value))
        path = draw(st.sampled_from(paths))
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
            node[draw(st.text(max_size=10))] = draw(json_values)
        else:
            node.append(draw(json_values))
    return value


def _storage_error_names(exc: BaseException, where: str) -> None:
    assert isinstance(exc, CorruptRecordError | SchemaVersionError), repr(exc)
    assert str(exc).startswith(where), str(exc)
    assert PERSONAL_NAME not in str(exc), str(exc)


# -- stored event records ----------------------------------------------------------------------


@FUZZ
@given(record=mutated(RECORDS) | json_values)
@example(record={"schema": 1, "kind": "received", "data": {"at": "0001-01-01T00:00:00+07:00"}})
@example(record={"schema": True, "kind": "returned", "data": {}})
@example(record={"schema": 10**100, "kind": "returned", "data": {}})
@example(record={"schema": 1, "kind": ["returned"], "data": {}})
def test_event_records(record: Any) -> None:
    """A mutated or arbitrary record reads back as an event or raises naming the record."""
    try:
        event = event_from_record(record, where="dossier X, event 3")
    except Exception as exc:
        _storage_error_names(exc, "dossier X, event 3: ")
    else:
        assert isinstance(event, Event)
        assert event_from_record(event_to_record(event)) == event


@FUZZ
@given(text=st.text(max_size=200) | st.binary(max_size=200).map(bytes))
@example(text=DEEP)  # found: json.loads raised RecursionError, not CorruptRecordError
@example(text=b"\xff\xfe\x00")
@example(text='{"a": ' * 3000 + "1" + "}" * 3000)
def test_record_json_text(text: str | bytes) -> None:
    """Any text or bytes as a stored record: a dict, or CorruptRecordError naming the record."""
    try:
        value = record_from_json(text, where="dossier X, event 3")
    except Exception as exc:
        _storage_error_names(exc, "dossier X, event 3: ")
    else:
        assert isinstance(value, dict)


def _documents() -> list[dict[str, Any]]:
    """JSON documents of events and dossiers, built from their records."""
    events = [{**r, "type": type(e).__name__} for r, e in zip(RECORDS, EVENTS, strict=True)]
    dossiers = []
    for dossier in DOSSIERS[:8]:
        records = [event_to_record(e) for e in dossier.events]
        data = {
            "header": records[0]["data"]["header"],
            "events": [{"kind": r["kind"], "data": r["data"]} for r in records],
        }
        dossiers.append({"schema": 1, "type": "Dossier", "data": data})
    return events[:60] + dossiers


DOCUMENTS = _documents()


@FUZZ
@given(text=st.text(max_size=200) | mutated(DOCUMENTS).map(json.dumps), typed=st.booleans())
@example(text=DEEP, typed=False)  # found: json.loads raised RecursionError
@example(text='{"schema": 1, "type": "Deadline", "data": {}}', typed=False)
def test_json_documents(text: str, typed: bool) -> None:
    """``from_json`` of any text: the value, or a GovtierError saying what was wrong."""
    try:
        value = from_json(text, Dossier if typed else None)
    except Exception as exc:
        allowed = (CorruptRecordError, SchemaVersionError, InvalidInputError)
        assert isinstance(exc, allowed), repr(exc)  # noqa: PT017
        assert PERSONAL_NAME not in str(exc), str(exc)  # noqa: PT017
    else:
        assert not typed or isinstance(value, Dossier)


# -- portal bodies -----------------------------------------------------------------------------


def _names_the_body(exc: BaseException, service: str) -> None:
    assert isinstance(exc, DataFileError), repr(exc)
    assert str(exc).startswith(f"<{service} record>"), str(exc)


@FUZZ
@given(body=mutated(SYNC) | json_values)
@example(body=dict(SYNC[0], MaTTHC=10**5000))  # found: str() of a 5,000-digit int raised
@example(body=dict(SYNC[0], TrangThaiHoSo="٣"))
@example(body=dict(SYNC[0], DanhSachHoSoBoSung=[{}]))
def test_sync_records(body: Any) -> None:
    """A mutated or arbitrary DongBoHoSoMC body parses, or raises naming the body and field."""
    fmt = PortalFormat(include={"ChuHoSo", "DanhSachGiayToKetQua"})
    try:
        parsed = parse_sync_record(body, fmt)
    except Exception as exc:
        _names_the_body(exc, "DongBoHoSoMC")
    else:
        assert isinstance(parsed, PortalRecord)


@FUZZ
@given(body=mutated(PROGRESS) | json_values)
@example(body=dict(PROGRESS[0], NguoiXuLy=-(10**5000)))
@example(body=dict(PROGRESS[0], ThoiDiemXuLy="2026-03-09\x00"))
def test_progress_records(body: Any) -> None:
    """A mutated or arbitrary CapNhatTienDoHoSoMC body parses, or raises naming the body."""
    try:
        parsed = parse_progress_record(body)
    except Exception as exc:
        _names_the_body(exc, "CapNhatTienDoHoSoMC")
    else:
        assert isinstance(parsed, ProgressRecord)


# -- a corrupted row in a SQLite store ---------------------------------------------------------

STORED = [d for d in DOSSIERS if d.version >= 3][:2]


@pytest.fixture(scope="module")
def filled_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding two dossiers of three events or more (copied for each example)."""
    path = tmp_path_factory.mktemp("fuzz") / "template.db"
    store = SQLiteStore(path, province_of=lambda unit: None)
    for dossier in STORED:
        store.save(dossier, expected_version=0)
    store.close()
    return path


def _contents(path: Path) -> list[list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as raw:
        tables = ["dossiers", "events", "idempotency_keys", "sequences", "schema_version"]
        found = [raw.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables[:4]]  # noqa: S608
        found.append(raw.execute("SELECT * FROM schema_version").fetchall())
    raw.close()
    return found


bad_cells = st.one_of(
    st.binary(max_size=120).map(bytes),
    st.text(max_size=120),
    json_values.map(json.dumps),
    mutated(RECORDS).map(record_to_json),
    st.sampled_from(RECORDS).map(record_to_json),  # a valid record in the wrong place
    st.integers(-(2**63), 2**63 - 1),  # what an SQLite INTEGER holds
    st.floats(allow_nan=False),  # SQLite stores NaN as NULL, which the column refuses
)


@FUZZ
@given(
    which=st.integers(0, 1),
    seq=st.integers(1, 20),
    cell=bad_cells,
    column=st.sampled_from(["data", "data", "kind", "at"]),
)
@example(
    which=0, seq=1, cell=record_to_json(RECORDS[-1]), column="data"
)  # found: InvalidTransitionError
@example(
    which=0, seq=2, cell=record_to_json(RECORDS[0]), column="data"
)  # found: a second first event
@example(which=1, seq=1, cell=DEEP, column="data")  # found: RecursionError
@example(which=0, seq=1, cell=b"\x00\x01", column="data")
@example(which=0, seq=1, cell=record_to_json({**RECORDS[0], "schema": 2}), column="data")
def test_a_corrupted_sqlite_row(
    filled_store: Path,
    tmp_path_factory: pytest.TempPathFactory,
    which: int,
    seq: int,
    cell: Any,
    column: str,
) -> None:
    """A load over a corrupted events row raises naming the dossier and event; nothing changes."""
    dossier, other = STORED[which], STORED[1 - which]
    seq = min(seq, dossier.version)
    path = tmp_path_factory.mktemp("corrupt") / "corrupt.db"
    path.write_bytes(filled_store.read_bytes())
    with sqlite3.connect(path) as raw:
        raw.execute(
            f"UPDATE events SET {column} = ? WHERE seq = ? AND dossier = "  # noqa: S608
            "(SELECT id FROM dossiers WHERE code = ?)",
            (cell, seq, dossier.code),
        )
    raw.close()
    before = _contents(path)
    store = SQLiteStore(path, province_of=lambda unit: None)
    try:
        loaded = store.load(dossier.code)
    except Exception as exc:
        _storage_error_names(exc, f"dossier {dossier.code}")
        # the event changed, or a later one the changed event makes invalid where it stands
        shape = rf"dossier {dossier.code}(, event|: event) \d+"
        assert re.match(shape, str(exc)), str(exc)  # noqa: PT017
        late = attrs.evolve(dossier.events[-1], at=dossier.events[-1].at + dt.timedelta(days=1))
        with pytest.raises(StorageError):  # nothing is written over a corrupt history
            store.append(dossier.code, [late], expected_version=dossier.version)
    else:
        assert loaded.code == dossier.code
        assert loaded.version == dossier.version
    assert store.load(other.code) == other  # the other dossier reads as it was
    store.close()
    assert _contents(path) == before
    path.unlink()


# -- data files are data -----------------------------------------------------------------------

LOADERS: dict[str, Callable[[Path], object]] = {
    "notices": load_notices,
    "catalogue": Catalogue.load,
    "rules": RuleSet.load,
    "scenarios": load_scenarios,
}
LIMITS = {
    "notices": MAX_NOTICE_FILE_BYTES,
    "catalogue": MAX_CATALOGUE_FILE_BYTES,
    "rules": MAX_CATALOGUE_FILE_BYTES,
    "scenarios": MAX_CATALOGUE_FILE_BYTES,
}


class _Boom:
    """Unpickling this runs code: what a data loader must never do."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (Path("PWNED"),))


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rules.py", b"import os\nos.system('touch PWNED')\n"),
        ("rules.pkl", pickle.dumps(_Boom())),
        ("rules.pickle", pickle.dumps(_Boom())),
        ("rules.yaml", b"!!python/object/apply:os.system ['touch PWNED']\n"),
        ("rules.toml.py", b"procedure = []\n"),
        ("rules", b"procedure = []\n"),
    ],
)
def test_loaders_refuse_code_and_other_formats(
    loader: str, name: str, content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .py, pickle, YAML or suffix-less file is refused by its suffix, and nothing runs."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataFileError, match=r"expected a \.toml or \.json file") as caught:
        LOADERS[loader](path)
    assert name in str(caught.value)
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_loaders_bound_the_file_size(loader: str, suffix: str, tmp_path: Path) -> None:
    """A file one byte over its loader's limit is refused before it is parsed."""
    path = tmp_path / f"big{suffix}"
    with path.open("wb") as file:
        file.truncate(LIMITS[loader] + 1)  # sparse: no disk used
    with pytest.raises(DataFileError, match=f"limited to {LIMITS[loader]}") as caught:
        LOADERS[loader](path)
    assert path.name in str(caught.value)


@pytest.mark.parametrize("loader", sorted(LOADERS))
@pytest.mark.parametrize(
    ("suffix", "text"),
    [
        (".json", DEEP),
        (".json", '{"a":' * 3_000 + "1" + "}" * 3_000),
        (".toml", "a = " + "[" * 3_000),
        (".toml", "a = " + "{b = " * 3_000),
    ],
)
def test_deeply_nested_files_are_a_data_file_error(
    loader: str, suffix: str, text: str, tmp_path: Path
) -> None:
    """Nesting deeper than the parser's recursion: a DataFileError naming the file (found)."""
    path = tmp_path / f"deep{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        LOADERS[loader](path)
    assert path.name in str(caught.value)


def test_bundled_data_formats_only() -> None:
    """The package's data directory holds only TOML, JSON and text files, no code."""
    from govtier.units import DATA_DIR

    suffixes = {p.suffix for p in Path(str(DATA_DIR)).rglob("*") if p.is_file()}
    assert suffixes <= {".toml", ".json", ".md", ""}, suffixes

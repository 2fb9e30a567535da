"""Schema version 1 -> 2: a store written by the previous release migrates and loses nothing.

``tests/data/v1_store.sqlite`` and ``tests/data/v1_postgres.sql`` were written by govtier's
version-1 code (``scripts/make_v1_store.py``, run before version 2 existed; rerun on the
0.1.0 release, 770b573, it writes the same rows, checked 2026-12-01);
``v1_expected.jsonl`` holds every dossier they store, as JSON documents written by that code.
Each test migrates a copy (in place, into a new file, or on PostgreSQL) and checks every dossier
loads equal to what it was — history, clock, applicant — and that the idempotency keys and the
sequence numbers carried over. A migration killed with SIGKILL leaves a store that opens as
version 1 or as version 2, never in between.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas

from govtier.dossier import Dossier
from govtier.errors import CorruptRecordError, SchemaVersionError, StorageError
from govtier.serialization import from_document
from govtier.storage import PostgresStore, SQLiteStore
from govtier.storage.ports import (
    DossierStore,
    bundled_province_of,
    summarize,
    timeline_from_text,
    timeline_to_text,
)
from govtier.storage.sqlite import PAGE_SIZE, migrate_file
from govtier.testing.generator import journeys
from govtier.testing.strategies import dossiers

DATA = Path(__file__).parent / "data"
V1_FILE = DATA / "v1_store.sqlite"
V1_DUMP = DATA / "v1_postgres.sql"
V1_SCHEMA = "govtier_v1_fixture"


def _expected() -> list[Dossier]:
    lines = DATA.joinpath("v1_expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [from_document(json.loads(line)["dossier"], Dossier) for line in lines]


EXPECTED = _expected()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _v1_keys_and_sequences(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
        keys = raw.execute("SELECT key, code, version FROM idempotency_keys ORDER BY key")
        key_rows = keys.fetchall()
        sequences = raw.execute("SELECT agency, day, value FROM sequences ORDER BY 1, 2")
        sequence_rows = sequences.fetchall()
    raw.close()
    return key_rows, sequence_rows


def _summaries_match(store: DossierStore, dossiers: list[Dossier]) -> dict[str, Any]:
    """Each stored summary is the one its dossier gives; the summaries by code."""
    summaries = {s.code: s for s in store.find()}
    for dossier in dossiers:
        header = dossier.header
        assert header is not None
        province = bundled_province_of(header.subject_unit)
        assert summaries[dossier.code] == summarize(dossier, province=province)
    return summaries


def _loses_nothing(store: DossierStore, keys: list[tuple[Any, ...]]) -> None:
    """Every dossier, summary, idempotency key and sequence of the version-1 store is kept."""
    assert len(EXPECTED) == 80
    assert [s.code for s in store.find()] == sorted(d.code for d in EXPECTED)
    for dossier in EXPECTED:
        loaded = store.load(dossier.code)
        assert loaded == dossier
        assert loaded.clock == dossier.clock
        assert loaded.header == dossier.header  # the applicant's data, the procedure's terms
    _summaries_match(store, EXPECTED)
    assert {d.code: d for d in store.stream()} == {d.code: d for d in EXPECTED}
    by_code = {d.code: d for d in EXPECTED}
    assert keys  # the fixture has keyed appends
    for key, code, version in keys:  # a retried request is answered from the stored key
        events = by_code[code].events
        cut = max(1, len(events) // 2)  # how scripts/make_v1_store.py split each history
        first = key.endswith("-a")
        new, expected = (events[:cut], 0) if first else (events[cut:], cut)
        assert store.append(code, new, expected_version=expected, idempotency_key=key) == version
    assert len(store.find()) == len(EXPECTED)  # nothing was appended twice


def test_the_v1_file_is_a_version_1_store() -> None:
    """The fixture really is what version 1 wrote: its schema_version and its tables."""
    with sqlite3.connect(f"file:{V1_FILE}?mode=ro", uri=True) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
        columns = [r[1] for r in raw.execute("PRAGMA table_info(events)")]
    raw.close()
    assert columns == ["code", "seq", "kind", "at", "record"]


def test_sqlite_v1_migrates_in_place_and_loses_nothing(tmp_path: Path) -> None:
    """Opened for writing, a version-1 file becomes version 2; every dossier loads equal."""
    path = tmp_path / "v1.db"
    shutil.copy(V1_FILE, path)
    keys, sequences = _v1_keys_and_sequences(path)
    store = SQLiteStore(path)
    assert store.schema_version == 2
    _loses_nothing(store, keys)
    for agency, day, value in sequences:
        assert store.next_sequence(agency, dt.date.fromisoformat(day)) == value + 1
    store.close()
    again = SQLiteStore(path, read_only=True)
    assert again.load(EXPECTED[0].code) == EXPECTED[0]
    again.close()


def _file_layout(path: Path) -> tuple[int, int, str]:
    """(page size, free pages, journal mode) of a SQLite file."""
    with contextlib.closing(sqlite3.connect(path)) as raw:
        return (
            raw.execute("PRAGMA page_size").fetchone()[0],
            raw.execute("PRAGMA freelist_count").fetchone()[0],
            raw.execute("PRAGMA journal_mode").fetchone()[0],
        )


def test_an_in_place_migration_gives_the_old_pages_back(tmp_path: Path) -> None:
    """Migrated in place, the file shrinks to the compact rows, at 8 KiB pages, still in WAL."""
    path = tmp_path / "v1.db"
    shutil.copy(V1_FILE, path)
    before = path.stat().st_size
    assert _file_layout(path)[0] == 4096  # version 1 wrote SQLite's default pages
    keys, _ = _v1_keys_and_sequences(path)
    migrate_file(V1_FILE, tmp_path / "copy.db")  # a new file holds the compact rows only
    SQLiteStore(path).close()
    assert _file_layout(path) == (PAGE_SIZE, 0, "wal")
    assert path.stat().st_size <= (tmp_path / "copy.db").stat().st_size < before
    store = SQLiteStore(path)
    _loses_nothing(store, keys)
    store.close()


def test_an_in_place_migration_beside_another_connection_still_loses_nothing(
    tmp_path: Path,
) -> None:
    """Another process reading the file mid-migration: migrated all the same, maybe uncompacted."""
    path = tmp_path / "v1.db"
    shutil.copy(V1_FILE, path)
    keys, _ = _v1_keys_and_sequences(path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as reader:
        reader.execute("PRAGMA journal_mode = WAL")
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM dossiers").fetchone() == (len(EXPECTED),)
        store = SQLiteStore(path, timeout=0.5)  # the reader's snapshot holds the old pages
        assert store.schema_version == 2
        reader.execute("COMMIT")
        _loses_nothing(store, keys)
        store.close()
    assert _file_layout(path)[2] == "wal"


def test_sqlite_v1_migrates_into_a_new_file_leaving_the_old_one(tmp_path: Path) -> None:
    """``migrate_file`` writes a version-2 copy; the version-1 file is not changed."""
    source, target = tmp_path / "v1.db", tmp_path / "v2.db"
    shutil.copy(V1_FILE, source)
    before = _digest(source)
    keys, _ = _v1_keys_and_sequences(source)
    assert migrate_file(source, target) == 1
    assert _digest(source) == before
    assert not Path(str(target) + ".partial").exists()
    store = SQLiteStore(target)
    assert store.schema_version == 2
    _loses_nothing(store, keys)
    store.close()
    with pytest.raises(StorageError, match="exists"):
        migrate_file(source, target)


def _column_bytes(path: Path, sql_text: str) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
        (size,) = raw.execute(sql_text).fetchone()
    raw.close()
    return int(size)


def test_the_compact_records_are_a_fraction_of_version_1(tmp_path: Path) -> None:
    """Version-2 event rows hold under a third of version 1's record bytes; terms are shared."""
    target = tmp_path / "v2.db"
    migrate_file(V1_FILE, target)
    v1 = _column_bytes(V1_FILE, "SELECT sum(length(record)) FROM events")
    v2 = _column_bytes(target, "SELECT sum(length(data)) FROM events")
    assert v2 < v1 / 3
    terms = _column_bytes(target, "SELECT count(*) FROM terms")
    assert terms < len(EXPECTED)  # stored once per distinct procedure terms, not per dossier


def test_a_v1_file_opened_read_only_is_refused_untouched(tmp_path: Path) -> None:
    """Reading never migrates: a version-1 file opened read-only is refused, byte for byte kept."""
    path = tmp_path / "v1.db"
    shutil.copy(V1_FILE, path)
    before = _digest(path)
    with pytest.raises(SchemaVersionError, match=r"schema version 1.*read-only"):
        SQLiteStore(path, read_only=True)
    assert _digest(path) == before


MIGRATOR = r"""
import sys
from govtier.storage import SQLiteStore
SQLiteStore(sys.argv[1], province_of=lambda unit: None).close()
print("done", flush=True)
"""


def _write_locked(path: Path) -> bool:
    """Whether another connection holds the file's write lock (a migration is running)."""
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


@pytest.mark.parametrize("round_", range(3))
def test_sqlite_migration_killed_midway_leaves_v1_or_v2(tmp_path: Path, round_: int) -> None:
    """SIGKILL once the migration holds the write lock: the file opens as 1 or 2, and is whole."""
    path = tmp_path / f"v1-{round_}.db"
    shutil.copy(V1_FILE, path)
    keys, _ = _v1_keys_and_sequences(path)
    worker = subprocess.Popen(
        [sys.executable, "-c", MIGRATOR, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while worker.poll() is None and not _write_locked(path):
        pass  # poll until the migration's transaction holds the lock (or the worker is done)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=60)
    with sqlite3.connect(path) as raw:  # a plain open: SQLite rolls back the killed writer
        (version,) = raw.execute("SELECT version FROM schema_version").fetchone()
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    raw.close()
    assert version in (1, 2)
    if version == 1:
        assert "terms" not in tables
        assert not any(t.startswith("new_") for t in tables)
    store = SQLiteStore(path)
    assert store.schema_version == 2
    _loses_nothing(store, keys)
    store.close()


# -- PostgreSQL ----------------------------------------------------------------------------------


def _restore_v1(url: str, schema: str) -> None:
    """Load the version-1 dump into ``schema`` (the dump's own schema name replaced)."""
    dump = V1_DUMP.read_text(encoding="utf-8").replace(V1_SCHEMA, schema)
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", url],
        input=dump,
        check=True,
        capture_output=True,
        text=True,
    )


def _pg_keys(url: str, schema: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            sql.SQL("SELECT key, code, version FROM {}.idempotency_keys ORDER BY key").format(
                sql.Identifier(schema)
            )
        ).fetchall()


@pytest.mark.postgres
def test_postgres_v1_migrates_and_loses_nothing(pg_schemas: PostgresSchemas) -> None:
    """The version-1 dump restored, then opened: version 2, every dossier equal."""
    schema = pg_schemas.new()
    _restore_v1(pg_schemas.url, schema)
    keys = _pg_keys(pg_schemas.url, schema)
    with pytest.raises(SchemaVersionError, match="schema version 1"):
        PostgresStore(pg_schemas.url, schema=schema, read_only=True)
    store = PostgresStore(pg_schemas.url, schema=schema)
    assert store.schema_version == 2
    _loses_nothing(store, keys)
    store.close()


@pytest.mark.postgres
def test_a_migrated_postgres_schema_is_named_as_a_new_one(pg_schemas: PostgresSchemas) -> None:
    """Every table, column, constraint, index and sequence of a migrated schema has the name and
    type it has in a schema made new: no ``new_`` left over from the rewrite."""
    migrated, fresh = pg_schemas.new(), pg_schemas.new()
    _restore_v1(pg_schemas.url, migrated)
    PostgresStore(pg_schemas.url, schema=migrated).close()
    PostgresStore(pg_schemas.url, schema=fresh).close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as conn:

        def names(schema: str) -> dict[str, list[tuple[str, ...]]]:
            queries = {
                "relations": "SELECT relname, relkind::text FROM pg_class "
                "WHERE relnamespace = %s::regnamespace",
                "columns": "SELECT table_name, column_name, data_type, ordinal_position::text "
                "FROM information_schema.columns WHERE table_schema = %s",
                "constraints": "SELECT t.relname, c.conname, c.contype::text "
                "FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid "
                "WHERE t.relnamespace = %s::regnamespace",
                "indexes": "SELECT tablename, indexname, "
                "replace(indexdef, schemaname || '.', '') FROM pg_indexes WHERE schemaname = %s",
            }
            return {
                what: sorted(tuple(r) for r in conn.execute(query.encode(), (schema,)))
                for what, query in queries.items()
            }

        assert names(migrated) == names(fresh)


@pytest.mark.postgres
def test_a_postgres_migration_leaves_no_dead_rows(pg_schemas: PostgresSchemas) -> None:
    """The migrated tables are as small as PostgreSQL's own full rewrite of them would make them."""
    schema = pg_schemas.new()
    _restore_v1(pg_schemas.url, schema)
    PostgresStore(pg_schemas.url, schema=schema).close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as conn:

        def size(table: str) -> int:  # the table's and its indexes' pages (no free space map)
            name = sql.Literal(f'"{schema}"."{table}"')
            query = sql.SQL(
                "SELECT sum(pg_relation_size(r, 'main')) FROM (SELECT {0}::regclass AS r "
                "UNION ALL SELECT indexrelid FROM pg_index WHERE indrelid = {0}::regclass) AS t"
            ).format(name)
            row = conn.execute(query).fetchone()
            assert row is not None
            return int(row[0])

        migrated = {table: size(table) for table in ("dossiers", "events")}
        for table in migrated:
            conn.execute(sql.SQL("VACUUM FULL {}").format(sql.Identifier(schema, table)))
        assert migrated == {table: size(table) for table in migrated}


@pytest.mark.postgres
def test_a_postgres_v1_dossier_row_without_events_is_carried_over(
    pg_schemas: PostgresSchemas,
) -> None:
    """Nothing of a damaged version-1 schema is dropped: a dossier row whose events are gone."""
    schema = pg_schemas.new()
    _restore_v1(pg_schemas.url, schema)
    lost = EXPECTED[3].code
    with psycopg.connect(pg_schemas.url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DELETE FROM {} WHERE code = %s").format(sql.Identifier(schema, "events")),
            (lost,),
        )
    store = PostgresStore(pg_schemas.url, schema=schema)
    assert [s.code for s in store.find()] == sorted(d.code for d in EXPECTED)
    for dossier in EXPECTED:
        if dossier.code != lost:
            assert store.load(dossier.code) == dossier
    store.close()


PG_MIGRATOR = r"""
import sys
from govtier.storage import PostgresStore
PostgresStore(sys.argv[1], schema=sys.argv[2], province_of=lambda unit: None).close()
"""


@pytest.mark.postgres
def test_postgres_migration_killed_midway_leaves_v1_or_v2(pg_schemas: PostgresSchemas) -> None:
    """SIGKILL once the migrator holds the migration lock: the schema is 1 or 2, and whole."""
    schema = pg_schemas.new()
    _restore_v1(pg_schemas.url, schema)
    keys = _pg_keys(pg_schemas.url, schema)
    with psycopg.connect(pg_schemas.url, autocommit=True) as admin:
        worker = subprocess.Popen(
            [sys.executable, "-c", PG_MIGRATOR, pg_schemas.url, schema],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        locked = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        while worker.poll() is None and admin.execute(locked).fetchone() == (0,):
            pass  # poll until the migration's transaction holds its lock (or it is done)
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=60)
    store = PostgresStore(pg_schemas.url, schema=schema)  # waits for the dead backend's lock
    assert store.schema_version == 2
    _loses_nothing(store, keys)
    store.close()


# -- the first development form of version 2 ------------------------------------------------

V2_DEV_FILE = DATA / "v2_dev_store.sqlite"


def _v2_dev_expected() -> list[Dossier]:
    lines = DATA.joinpath("v2_dev_expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [from_document(json.loads(line)["dossier"], Dossier) for line in lines]


def test_rows_of_the_first_version_2_form_still_read(tmp_path: Path) -> None:
    """A store written by the first development form of schema 2 (events as JSON objects with
    field names, the intake check inline, the timeline as JSON) reads every dossier and summary
    as it was, and takes new events in the compact form next to the old rows."""
    path = tmp_path / "dev.sqlite"
    shutil.copyfile(V2_DEV_FILE, path)
    with sqlite3.connect(path) as raw:
        (first,) = raw.execute("SELECT data FROM events ORDER BY dossier, seq LIMIT 1").fetchone()
        (timeline,) = raw.execute("SELECT timeline FROM dossiers LIMIT 1").fetchone()
    raw.close()
    assert first.startswith("{")  # the named form: the fixture is what it says
    assert timeline.startswith("{")
    expected = _v2_dev_expected()
    assert len(expected) == 60
    assert any(d.header is not None and d.header.intake is not None for d in expected)
    store = SQLiteStore(path)
    for dossier in expected:
        assert store.load(dossier.code) == dossier
    summaries = _summaries_match(store, expected)
    fresh = [j.to_append() for j in journeys(5, seed=19)]
    fresh = [a for a in fresh if a.code not in summaries]
    store.append_many(fresh)
    store.close()
    store = SQLiteStore(path)
    for dossier in expected:
        assert store.load(dossier.code) == dossier
    for append in fresh:
        assert store.load(append.code) == Dossier.from_events(append.events)
    with sqlite3.connect(path) as raw:
        forms = {row[0][0] for row in raw.execute("SELECT data FROM events")}
    raw.close()
    assert forms == {"{", "["}  # old and compact rows side by side
    store.close()


def test_the_stored_field_orders_cover_every_field() -> None:
    """Each event kind's stored order names every field but ``at`` once, and the header's and
    applicant's orders every field not stored elsewhere: a new field cannot go unstored."""
    import attrs

    from govtier.dossier import EVENT_TYPES, Applicant, DossierHeader
    from govtier.storage._compact import (
        APPLICANT_FIELDS,
        FIELDS,
        HEADER_FIELDS,
        KINDS,
        TERMS_FIELDS,
    )

    assert set(FIELDS) == set(KINDS) == {cls.kind for cls in EVENT_TYPES}
    for cls in EVENT_TYPES:
        names = [f.name for f in attrs.fields(cls) if f.init and f.name != "at"]
        assert sorted(FIELDS[cls.kind]) == sorted(names), cls.kind
    header = {f.name for f in attrs.fields(DossierHeader) if f.init}
    assert header == (set(HEADER_FIELDS) - {"terms"}) | set(TERMS_FIELDS)
    assert len(HEADER_FIELDS) == len(set(HEADER_FIELDS))
    assert sorted(APPLICANT_FIELDS) == sorted(f.name for f in attrs.fields(Applicant) if f.init)


@settings(max_examples=80, deadline=None)
@given(dossiers(), st.lists(st.integers(0, 2**40), max_size=3))
def test_the_stored_timeline_reads_back_as_it_was(dossier: Dossier, shifts: list[int]) -> None:
    """The compact timeline text gives back every phase and the first apology, to the
    microsecond, also for moments off the whole minute and appointments before their phase."""
    summary = summarize(dossier, province="01")
    if shifts:  # moments off the minute, late appointments
        phases = []
        for i, phase in enumerate(summary.phases):
            extra = dt.timedelta(microseconds=shifts[i % len(shifts)] % 1_000_000)
            due = phase.appointment
            phases.append(
                attrs.evolve(
                    phase,
                    at=phase.at + extra * (i + 1),
                    appointment=None if due is None else due - extra,
                )
            )
        summary = attrs.evolve(summary, phases=phases)
    text = timeline_to_text(summary)
    assert timeline_from_text(summary.code, text) == (summary.phases, summary.apologised_at)
    assert len(text) <= 40 * len(summary.phases)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_damaged_stored_timeline_is_a_corrupt_record(text: str) -> None:
    """Any text either reads as a timeline or raises CorruptRecordError naming the dossier."""
    error = ""
    try:
        timeline_from_text("G01-260302-0001", text)
    except CorruptRecordError as exc:
        error = str(exc)
    assert not error or error.startswith("dossier G01-260302-0001: the stored timeline")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.integers(-62_000_000_000_000_000, 253_000_000_000_000_000),  # the years 1-9999
        st.integers(189_000_000_000_000, 4_200_000_000_000_000),  # 1976-2103: the short way
    )
)
def test_a_stored_moment_reads_back_as_the_moment_it_was(value: int) -> None:
    """Integer microseconds read back (on the steady span's short way and off it) as the
    moment in Vietnam that the time zone gives, and write back as the same integer."""
    from govtier import VIETNAM_TZ
    from govtier.storage._compact import from_micros, micros

    seconds, rest = divmod(value, 1_000_000)
    try:
        expected = dt.datetime.fromtimestamp(seconds, VIETNAM_TZ).replace(microsecond=rest)
    except (OverflowError, OSError, ValueError):
        return
    moment = from_micros(value)
    assert moment == expected
    assert moment.utcoffset() == expected.utcoffset()
    assert moment.tzinfo is VIETNAM_TZ
    assert micros(moment) == value

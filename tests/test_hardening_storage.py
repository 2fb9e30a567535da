"""Store integrity under faults: a full disk, read-only files, a dropped connection, racing opens.

Each test checks the same three things: nothing committed is lost (earlier appends still load),
nothing half-written is visible (no part of the failed batch, from this handle or a new one), and
the error is a ``StorageError`` with the driver's error as ``__cause__``.

How each fault is made:

* **Full disk, SQLite**: ``PRAGMA max_page_count`` caps the database at its current size, so the
  next append gets ``SQLITE_FULL`` exactly as on a full file system.
* **Full disk, PostgreSQL**: a tablespace cannot be filled here, so a trigger on ``events`` raises
  SQLSTATE 53100 (``disk_full``) — the error a full tablespace gives — after the batch's dossier
  rows were written in the same transaction.
* **Read-only, SQLite**: the file (or its directory) is made read-only with ``chmod``; as root,
  which ``chmod`` does not stop, with ``chattr +i`` instead.
* **Read-only, PostgreSQL**: ``default_transaction_read_only`` on the store's connection, what a
  hot standby or a database set read-only answers (SQLSTATE 25006).
* **Dropped connection, PostgreSQL**: a statement trigger on ``events`` runs
  ``pg_terminate_backend(pg_backend_pid())``: the server drops the store's own connection inside
  the append's transaction, once the dossier rows and the events were written.
* **Racing migrations, SQLite**: six processes open the same new file at the same instant.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas

from govtier import SchemaVersionError, StorageError, UnknownDossierError
from govtier.cli import main as cli_main
from govtier.dossier import Dossier
from govtier.storage import PostgresStore, SQLiteStore
from govtier.storage import sqlite as sqlite_module
from govtier.storage.ports import Append, DossierStore
from govtier.testing.contract import random_dossier

pytestmark = pytest.mark.slow


def _dossier(n: int, prefix: str = "H") -> Dossier:
    return random_dossier(random.Random(n), f"{prefix}0-260302-{n:04d}")  # noqa: S311


KEPT = [_dossier(n, "K") for n in (1, 2, 3)]
BATCH = [_dossier(n, "B") for n in range(1, 61)]


def _appends(dossiers: list[Dossier]) -> list[Append]:
    return [Append(code=d.code, events=d.events, expected_version=0) for d in dossiers]


def _nothing_lost_nothing_half_written(store: DossierStore) -> None:
    """The kept dossiers load whole; no dossier of the failed batch is visible."""
    assert [store.load(d.code) for d in KEPT] == KEPT
    assert sorted(s.code for s in store.find()) == sorted(d.code for d in KEPT)
    for dossier in (BATCH[0], BATCH[-1]):
        with pytest.raises(UnknownDossierError):
            store.load(dossier.code)


def _the_batch_now_goes_in(store: DossierStore) -> None:
    """Once the fault is gone the same batch is written whole: no lock or debris was left."""
    assert store.append_many(_appends(BATCH)) == [d.version for d in BATCH]
    assert store.load(BATCH[-1].code) == BATCH[-1]


def _kept_store(path: Path) -> SQLiteStore:
    store = SQLiteStore(path, province_of=lambda unit: None)
    store.append_many(_appends(KEPT))
    return store


# -- SQLite: a full disk -----------------------------------------------------------------------


def test_sqlite_full_disk_during_an_append(tmp_path: Path) -> None:
    """SQLITE_FULL mid-batch: StorageError with the cause; the batch is absent, the rest kept."""
    path = tmp_path / "full.db"
    store = _kept_store(path)
    (pages,) = store._db.execute("PRAGMA page_count").fetchone()
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StorageError, match="full") as caught:
        store.append_many(_appends(BATCH))
    cause = caught.value.__cause__
    assert isinstance(cause, sqlite3.OperationalError)
    assert cause.sqlite_errorcode == sqlite3.SQLITE_FULL
    _nothing_lost_nothing_half_written(store)
    other = SQLiteStore(path, province_of=lambda unit: None)  # a new handle sees the same
    _nothing_lost_nothing_half_written(other)
    other.close()
    store._db.execute("PRAGMA max_page_count = 1073741823")
    _the_batch_now_goes_in(store)
    store.close()


# -- SQLite: read-only file or directory --------------------------------------------------------


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` read-only for this process: chmod, or ``chattr +i`` as root."""
    mode = path.stat().st_mode
    root = os.geteuid() == 0
    if root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: a file cannot be made read-only for root")
    path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    if root:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        yield
    finally:
        if root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(mode)


def test_sqlite_read_only_file(tmp_path: Path) -> None:
    """A read-only database file: it opens and reads; an append is a StorageError, no write."""
    path = tmp_path / "ro.db"
    _kept_store(path).close()
    before = path.read_bytes()
    with _read_only(path):
        store = SQLiteStore(path, province_of=lambda unit: None)
        with pytest.raises(StorageError, match="readonly") as caught:
            store.append_many(_appends(BATCH))
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        with pytest.raises(StorageError) as caught:
            store.next_sequence("G01", BATCH[0].events[0].at.date())
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        _nothing_lost_nothing_half_written(store)
        store.close()
    assert path.read_bytes() == before
    store = SQLiteStore(path, province_of=lambda unit: None)
    _nothing_lost_nothing_half_written(store)
    _the_batch_now_goes_in(store)
    store.close()


def test_sqlite_read_only_directory(tmp_path: Path) -> None:
    """A read-only directory (no room for the WAL): opening is a StorageError; data intact."""
    directory = tmp_path / "ro"
    directory.mkdir()
    path = directory / "dossiers.db"
    _kept_store(path).close()
    with _read_only(directory):
        with pytest.raises(StorageError) as caught:
            SQLiteStore(path, province_of=lambda unit: None)
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        assert sorted(p.name for p in directory.iterdir()) == ["dossiers.db"]
    store = SQLiteStore(path, province_of=lambda unit: None)
    _nothing_lost_nothing_half_written(store)
    _the_batch_now_goes_in(store)
    store.close()


def test_sqlite_handle_opened_before_the_directory_turned_read_only(tmp_path: Path) -> None:
    """A handle already open keeps its WAL: its appends still commit and are durable."""
    directory = tmp_path / "ro-later"
    directory.mkdir()
    path = directory / "dossiers.db"
    store = _kept_store(path)
    with _read_only(directory):
        _the_batch_now_goes_in(store)
    store.close()
    again = SQLiteStore(path, province_of=lambda unit: None)
    assert again.load(BATCH[0].code) == BATCH[0]
    assert len(again.find()) == len(KEPT) + len(BATCH)
    again.close()


# -- SQLite: two processes migrating one new file ----------------------------------------------

MIGRATOR = r"""
import json, sys, time
from govtier.storage import SQLiteStore
from govtier.storage import sqlite as module

# A third migration that fails if run twice (CREATE TABLE) and counts its runs.
module.MIGRATIONS = [
    *module.MIGRATIONS,
    (module.MIGRATIONS[-1][0] + 1,
     "CREATE TABLE migration_runs (n INTEGER); INSERT INTO migration_runs (n) VALUES (1)"),
]
path = sys.argv[1]
print("ready", flush=True)
sys.stdin.readline()  # the go signal, sent to every worker at once
began = time.perf_counter()
store = SQLiteStore(path, province_of=lambda unit: None, timeout=30)
seq = store.next_sequence("G01", __import__("datetime").date(2026, 3, 2))
print(json.dumps({"version": store.schema_version, "seq": seq,
                  "seconds": time.perf_counter() - began}))
store.close()
"""


@pytest.mark.parametrize("round_", range(2))
def test_processes_migrating_one_new_file_at_once(tmp_path: Path, round_: int) -> None:
    """Six processes open a new file at one instant: all succeed, it is migrated exactly once."""
    path = tmp_path / f"race-{round_}.db"
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATOR, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    for worker in workers:  # every worker has imported govtier and waits
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    results: list[dict[str, Any]] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out))
    newer = sqlite_module.MIGRATIONS[-1][0] + 1
    assert {r["version"] for r in results} == {newer}
    assert sorted(r["seq"] for r in results) == list(range(1, 7))
    with sqlite3.connect(path) as raw:
        versions = raw.execute("SELECT version FROM schema_version").fetchall()
        runs = raw.execute("SELECT count(*) FROM migration_runs").fetchone()
        tables = raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'events'").fetchone()
    raw.close()
    assert versions == [(newer,)]
    assert runs == (1,)
    assert tables == (1,)


# -- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
def pg_store(pg_schemas: PostgresSchemas) -> Iterator[tuple[PostgresStore, str, str]]:
    """A PostgreSQL store holding the kept dossiers, with its URL and schema."""
    schema = pg_schemas.new()
    store = PostgresStore(pg_schemas.url, schema=schema, province_of=lambda unit: None)
    store.append_many(_appends(KEPT))
    yield store, pg_schemas.url, schema
    store.close()


def _fresh(url: str, schema: str) -> PostgresStore:
    return PostgresStore(url, schema=schema, province_of=lambda unit: None)


@pytest.mark.postgres
def test_postgres_disk_full_mid_transaction(pg_store: tuple[PostgresStore, str, str]) -> None:
    """SQLSTATE 53100 after the dossier rows: StorageError with the cause; nothing half-written."""
    store, url, schema = pg_store
    ident = sql.Identifier(schema)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            sql.SQL(
                "CREATE FUNCTION {}.disk_full_sim() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; "
                "END$$"
            ).format(ident)
        )
        admin.execute(
            sql.SQL(
                "CREATE TRIGGER disk_full_sim BEFORE INSERT ON {}.events FOR EACH STATEMENT "
                "EXECUTE FUNCTION {}.disk_full_sim()"
            ).format(ident, ident)
        )
        with pytest.raises(StorageError, match="SQLSTATE 53100") as caught:
            store.append_many(_appends(BATCH))
        assert isinstance(caught.value.__cause__, psycopg.errors.DiskFull)
        _nothing_lost_nothing_half_written(store)
        count = admin.execute(sql.SQL("SELECT count(*) FROM {}.dossiers").format(ident))
        assert count.fetchone() == (len(KEPT),)  # the dossier rows of the batch rolled back
        admin.execute(sql.SQL("DROP TRIGGER disk_full_sim ON {}.events").format(ident))
    _the_batch_now_goes_in(store)


@pytest.mark.postgres
def test_postgres_read_only(pg_store: tuple[PostgresStore, str, str]) -> None:
    """A read-only server (SQLSTATE 25006): appends fail with the cause; reads still work."""
    store, url, schema = pg_store
    store._conn.execute("SET default_transaction_read_only = on")
    with pytest.raises(StorageError, match="SQLSTATE 25006") as caught:
        store.append_many(_appends(BATCH))
    assert isinstance(caught.value.__cause__, psycopg.errors.ReadOnlySqlTransaction)
    with pytest.raises(StorageError) as caught:
        store.next_sequence("G01", BATCH[0].events[0].at.date())
    assert isinstance(caught.value.__cause__, psycopg.errors.ReadOnlySqlTransaction)
    _nothing_lost_nothing_half_written(store)
    store._conn.execute("SET default_transaction_read_only = off")
    other = _fresh(url, schema)
    _nothing_lost_nothing_half_written(other)
    other.close()
    _the_batch_now_goes_in(store)


@pytest.mark.postgres
def test_postgres_connection_dropped_mid_transaction(
    pg_store: tuple[PostgresStore, str, str],
) -> None:
    """The backend is killed inside the append's transaction: StorageError, nothing committed."""
    store, url, schema = pg_store

    ident = sql.Identifier(schema)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            sql.SQL(
                "CREATE FUNCTION {}.drop_me() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$"
            ).format(ident)
        )
        admin.execute(
            sql.SQL(
                "CREATE TRIGGER drop_me AFTER INSERT ON {}.events "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}.drop_me()"
            ).format(ident, ident)
        )
    with pytest.raises(StorageError) as caught:
        store.append_many(_appends(BATCH))
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP TRIGGER drop_me ON {}.events").format(ident))
    _nothing_lost_nothing_half_written(store)  # the store reconnects
    other = _fresh(url, schema)
    _nothing_lost_nothing_half_written(other)
    other.close()
    _the_batch_now_goes_in(store)


# -- paths, names and read-only opens ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("/dev/null", "/dev/null is not a regular file"),
        ("/", "/ is a directory"),
    ],
)
def test_an_unusable_sqlite_path_says_what_is_wrong(path: str, pattern: str) -> None:
    """Not a file: a StorageError that says so, before SQLite is asked.

    A NUL in the path is bad input, not a store fault: ``InvalidInputError`` naming ``path``
    (tests/test_hardening_input.py::test_sqlite_store_path_with_nul).
    """
    with pytest.raises(StorageError, match=pattern):
        SQLiteStore(path)


def test_a_read_only_sqlite_store_creates_and_writes_nothing(tmp_path: Path) -> None:
    """``read_only=True``: a missing file is not created; writes are refused; reads work."""
    missing = tmp_path / "missing.db"
    with pytest.raises(StorageError, match="no SQLite store"):
        SQLiteStore(missing, read_only=True)
    assert not missing.exists()
    path = tmp_path / "store.db"
    writer = SQLiteStore(path)
    writer.append_many(_appends(KEPT))
    writer.close()
    before = path.read_bytes()
    reader = SQLiteStore(path, read_only=True)
    assert [s.code for s in reader.find()] == sorted(a.code for a in KEPT)
    with pytest.raises(StorageError, match="read-only"):
        reader.append_many(_appends(BATCH))
    with pytest.raises(StorageError, match="read-only"):
        reader.next_sequence("G01", BATCH[0].events[0].at.date())
    reader.close()
    assert path.read_bytes() == before


@pytest.mark.postgres
def test_postgres_schema_names_over_63_bytes_are_refused(pg_schemas: PostgresSchemas) -> None:
    """PostgreSQL truncates names to 63 bytes: two long names would share tables. Refused."""
    base = pg_schemas.new()
    fits = base + "x" * (63 - len(base))
    assert len(fits.encode()) == 63
    pg_schemas.names.append(fits)
    PostgresStore(pg_schemas.url, schema=fits).close()
    for name in (fits + "y", base + "ư" * ((64 - len(base)) // 2 + 1)):
        assert len(name.encode()) > 63
        with pytest.raises(StorageError, match="63"):
            PostgresStore(pg_schemas.url, schema=name)


@pytest.mark.postgres
def test_a_read_only_postgres_store_creates_nothing(pg_schemas: PostgresSchemas) -> None:
    """``read_only=True`` on a schema with no store: refused; no schema or table is created."""
    schema = pg_schemas.new()
    with pytest.raises(SchemaVersionError, match="no govtier store"):
        PostgresStore(pg_schemas.url, schema=schema, read_only=True)
    with psycopg.connect(pg_schemas.url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (schema,)
        ).fetchone()
    assert found == (0,)
    writer = PostgresStore(pg_schemas.url, schema=schema)
    writer.append_many(_appends(KEPT))
    writer.close()
    reader = PostgresStore(pg_schemas.url, schema=schema, read_only=True)
    assert [s.code for s in reader.find()] == sorted(a.code for a in KEPT)
    assert reader.load(KEPT[0].code).code == KEPT[0].code
    with pytest.raises(StorageError, match="read-only"):
        reader.append_many(_appends(BATCH))
    reader.close()


def _cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli_main(argv, out=out)
    return status, out.getvalue(), err.getvalue()


def test_read_commands_change_no_sqlite_byte(tmp_path: Path) -> None:
    """`govtier report` and `export` open the store read-only: the file is left as it was."""
    path = tmp_path / "store.db"
    writer = SQLiteStore(path)
    writer.append_many(_appends(KEPT))
    writer.close()
    before = path.read_bytes()
    as_of = "2026-12-01T09:00:00+07:00"
    status, out, err = _cli(["report", "--store", str(path), "--as-of", as_of, "--json"])
    assert status == 0, err
    assert json.loads(out)
    status, out, err = _cli(["export", "--store", str(path)])
    assert status == 0, err
    assert path.read_bytes() == before
    status, _, err = _cli(["report", "--store", str(path), "--schema", "x", "--as-of", as_of])
    assert status == 2
    assert "--schema is for a postgresql://" in err


@pytest.mark.postgres
def test_read_commands_create_no_postgres_table(pg_schemas: PostgresSchemas) -> None:
    """`govtier report --schema S` on an empty schema fails and creates nothing; on a store it
    reads that schema."""
    as_of = "2026-12-01T09:00:00+07:00"
    empty = pg_schemas.new()
    status, _, err = _cli(
        ["report", "--store", pg_schemas.url, "--schema", empty, "--as-of", as_of]
    )
    assert status == 2
    assert "no govtier store" in err
    with psycopg.connect(pg_schemas.url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = %s", (empty,)
        ).fetchone()
    assert found == (0,)
    schema = pg_schemas.new()
    writer = PostgresStore(pg_schemas.url, schema=schema)
    writer.append_many(_appends(KEPT))
    writer.close()
    status, out, err = _cli(
        ["report", "--store", pg_schemas.url, "--schema", schema, "--as-of", as_of, "--json"]
    )
    assert status == 0, err
    assert json.loads(out)

"""Faults: killed writers, concurrent writers, foreign schema versions, corrupt records, outages.

Writers run in subprocesses (``python -c WORKER``) against a SQLite file or a PostgreSQL schema.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from tests import postgres_server
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas
from tests.stored_rows import applicant_as_dict, header_of

from govtier import (
    VIETNAM_TZ,
    CorruptRecordError,
    SchemaVersionError,
    StorageError,
    UnknownDossierError,
    WorkingCalendar,
)
from govtier.dossier import Dossier, Status, Transferred
from govtier.storage import PostgresStore, SQLiteStore
from govtier.storage import sqlite as sqlite_module
from govtier.storage._compact import APPLICANT_FIELDS, HEADER_FIELDS
from govtier.storage.ports import Append, DossierStore
from govtier.testing.contract import PERSONAL_NAME, random_dossier, sample_header

pytestmark = pytest.mark.slow

WORKER = r"""
import json, random, sys, threading
from govtier.errors import ConcurrencyError
from govtier.dossier import Transferred
from govtier.storage import PostgresStore, SQLiteStore
from govtier.storage.ports import Append
from govtier.testing.contract import random_dossier

spec = json.loads(sys.argv[1])
if spec["kind"] == "sqlite":
    store = SQLiteStore(spec["target"], province_of=lambda unit: None)
else:
    store = PostgresStore(spec["target"], schema=spec["schema"], province_of=lambda unit: None)

def code(n):
    return f"K{spec.get('worker', 0)}-260302-{n:04d}"

def dossier(n):
    return random_dossier(random.Random(n), code(n))

mode = spec["mode"]
if mode == "hang":       # stop inside the transaction: the write lock held, the reads done
    def hang(unit):      # the store asks for provinces inside the batch's transaction
        pid = store._conn.info.backend_pid if spec["kind"] == "postgres" else 0
        print("IN-TRANSACTION", pid, flush=True)
        threading.Event().wait()  # until killed
    store.close()
    if spec["kind"] == "sqlite":
        store = SQLiteStore(spec["target"], province_of=hang)
    else:
        store = PostgresStore(spec["target"], schema=spec["schema"], province_of=hang)
    store.append_many(Append(code=code(n), events=dossier(n).events, expected_version=0)
                      for n in spec["numbers"])
elif mode == "loop":     # batches of 10 dossiers until killed
    n = 1
    while True:
        batch = [Append(code=code(m), events=dossier(m).events, expected_version=0)
                 for m in range(n, n + 10)]
        store.append_many(batch)
        print(n + 9, flush=True)
        n += 10
elif mode == "contend":  # transfers onto shared and own dossiers, retrying stale versions
    import datetime as dt
    rng = random.Random(spec["worker"])
    done, conflicts, sequences = {}, 0, []
    for i in range(spec["appends"]):
        target = rng.choice(spec["shared"]) if rng.random() < 0.6 else spec["own"]
        while True:
            current = store.load(target)
            event = Transferred(at=current.events[-1].at + dt.timedelta(minutes=1),
                                actor=f"w{spec['worker']}", step=len(current.clock.steps),
                                to="agency")
            try:
                store.append(target, [event], expected_version=current.version)
            except ConcurrencyError:
                conflicts += 1
                continue
            done[target] = done.get(target, 0) + 1
            break
        if i % 3 == 0:
            sequences.append(store.next_sequence("G01", dt.date(2026, 3, 9)))
    print(json.dumps({"done": done, "conflicts": conflicts, "sequences": sequences}), flush=True)
"""


def _spawn(spec: dict[str, Any]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(worker: subprocess.Popen[str]) -> int:
    """SIGKILL the worker, reap it, close its pipes; its return code."""
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=30)
    return worker.returncode


def _wait_until_backend_gone(url: str, pid: int, timeout: float = 60.0) -> None:
    """Wait (polling, up to ``timeout`` s) until PostgreSQL no longer lists backend ``pid``."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as admin:
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            if time.monotonic() > deadline:
                pytest.fail(f"backend {pid} still alive {timeout} s after its client was killed")
            time.sleep(0.01)  # a poll interval, not an assumption about timing


def _code(n: int, worker: int = 0) -> str:
    return f"K{worker}-260302-{n:04d}"


def _dossier(n: int, worker: int = 0) -> Any:
    return random_dossier(random.Random(n), _code(n, worker))  # noqa: S311


Backend = tuple[dict[str, Any], Callable[[], DossierStore]]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """A worker spec and an opener for the same SQLite file or PostgreSQL schema."""
    if request.param == "sqlite":
        path = str(tmp_path / "faults.db")
        spec: dict[str, Any] = {"kind": "sqlite", "target": path}
        opener: Callable[[], DossierStore] = lambda: SQLiteStore(path)  # noqa: E731
        opener().close()  # create the schema before the workers race to
        yield spec, opener
        return
    schemas: PostgresSchemas = request.getfixturevalue("pg_schemas")
    schema = schemas.new()
    spec = {"kind": "postgres", "target": schemas.url, "schema": schema}
    PostgresStore(schemas.url, schema=schema).close()
    yield spec, lambda: PostgresStore(schemas.url, schema=schema)


def test_a_writer_killed_inside_its_transaction_leaves_nothing(backend: Backend) -> None:
    """SIGKILL inside a 30-dossier batch's transaction, before COMMIT: none of it is stored.

    The worker's province resolver, which the store calls inside the transaction once the
    batch is checked, blocks: the worker holds the write lock (SQLite) or the row locks
    (PostgreSQL) when it is killed.
    """
    spec, opener = backend
    store = opener()
    kept = [_dossier(n) for n in (1, 2)]
    store.append_many(Append(code=d.code, events=d.events, expected_version=0) for d in kept)
    worker = _spawn(spec | {"mode": "hang", "numbers": list(range(3, 33))})
    assert worker.stdout is not None
    line = worker.stdout.readline()
    if not line.startswith("IN-TRANSACTION"):
        _kill(worker)
        pytest.fail(f"the worker did not reach its transaction: {line!r}")
    assert _kill(worker) == -signal.SIGKILL
    if spec["kind"] == "postgres":  # wait until PostgreSQL has ended (rolled back) its session
        _wait_until_backend_gone(spec["target"], int(line.split()[1]))
    assert [s.code for s in store.find()] == [d.code for d in kept]
    assert [store.load(d.code) for d in kept] == kept
    with pytest.raises(UnknownDossierError):
        store.load(_code(3))
    # The store still takes writes (no lock left behind).
    again = _dossier(3)
    assert store.append(again.code, again.events, expected_version=0) == again.version
    store.close()


def test_a_writer_killed_at_a_random_moment_leaves_whole_batches(backend: Backend) -> None:
    """Killed while appending batch after batch: every stored batch is whole, every dossier too."""
    spec, opener = backend
    worker = _spawn(spec | {"mode": "loop"})
    assert worker.stdout is not None
    reported = 0
    while reported < 30:  # let it commit a few batches, then kill it mid-stream
        line = worker.stdout.readline()
        if not line:
            _kill(worker)
            pytest.fail("the worker died before committing three batches")
        reported = int(line)
    # kill it a seeded number of batches later: after a report line, inside the next append
    for _ in range(random.Random(13).randint(0, 2)):  # noqa: S311
        line = worker.stdout.readline()
        if line:
            reported = int(line)
    assert _kill(worker) == -signal.SIGKILL
    store = opener()  # a killed writer's open transaction is never visible: no wait needed
    stored = store.find()
    count = len(stored)
    assert count >= reported
    assert count % 10 == 0  # whole batches only
    assert [s.code for s in stored] == [_code(n) for n in range(1, count + 1)]
    for summary in stored:
        expected = _dossier(int(summary.code[-4:]))
        assert summary.version == expected.version
        assert store.load(summary.code) == expected
    store.close()


def test_concurrent_writers_lose_and_duplicate_nothing(backend: Backend) -> None:
    """Four processes, 240 appends on shared and own dossiers: nothing lost, nothing doubled."""
    spec, opener = backend
    store = opener()
    cal = WorkingCalendar.vietnam()
    at = dt.datetime(2026, 3, 2, 8, tzinfo=VIETNAM_TZ)
    codes = [f"C{n}-260302-0001" for n in range(6)]
    for code in codes:
        received = Dossier.receive(sample_header(code), at=at, actor="clerk", calendar=cal)
        store.save(received, expected_version=0)
    shared, own = codes[:2], codes[2:]
    workers = [
        _spawn(spec | {"mode": "contend", "worker": w, "appends": 60, "shared": shared, "own": o})
        for w, o in enumerate(own)
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    appended = {code: sum(r["done"].get(code, 0) for r in results) for code in codes}
    assert sum(appended.values()) == 240
    for code in codes:
        dossier = store.load(code)
        assert dossier.version == 1 + appended[code]
        steps = [e.step for e in dossier.events if isinstance(e, Transferred)]
        assert steps == list(range(appended[code]))  # contiguous: no gap, no duplicate
    assert all(r["done"].get(o, 0) > 0 for r, o in zip(results, own, strict=True))
    sequences = sorted(n for r in results for n in r["sequences"])
    assert sequences == list(range(1, len(sequences) + 1))
    store.close()


# -- schema versions and corrupt records -------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _filled_sqlite(path: Path) -> Any:
    store = SQLiteStore(path)
    dossier = _dossier(1)
    store.save(dossier, expected_version=0)
    store.close()
    return dossier


def test_sqlite_of_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    """A file whose schema_version is newer raises SchemaVersionError naming it; no byte changes."""
    path = tmp_path / "newer.db"
    _filled_sqlite(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    raw.close()
    before = _digest(path)
    with pytest.raises(SchemaVersionError, match=r"newer.db has schema version 99.*up to 2"):
        SQLiteStore(path)
    assert _digest(path) == before


def test_a_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    """A database with other tables and no schema_version is not govtier's: refused, kept."""
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE customers (name TEXT)")
        raw.execute("INSERT INTO customers VALUES ('x')")
    raw.close()
    before = _digest(path)
    with pytest.raises(SchemaVersionError, match=r"not a govtier database.*customers"):
        SQLiteStore(path)
    assert _digest(path) == before


def test_sqlite_migrates_forward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A version-1 file is migrated to a newer schema when opened; its data is kept."""
    path = tmp_path / "old.db"
    dossier = _filled_sqlite(path)
    newer = sqlite_module.MIGRATIONS[-1][0] + 1
    extra = (newer, "CREATE INDEX dossiers_channel ON dossiers (channel)")
    monkeypatch.setattr(sqlite_module, "MIGRATIONS", [*sqlite_module.MIGRATIONS, extra])
    store = SQLiteStore(path)
    assert store.schema_version == newer
    assert store.load(dossier.code) == dossier
    store.close()
    with sqlite3.connect(path) as raw:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    raw.close()
    assert "dossiers_channel" in names
    monkeypatch.undo()
    with pytest.raises(SchemaVersionError, match=f"schema version {newer}"):
        SQLiteStore(path)


def _corrupt_cases() -> list[tuple[str, str, type[Exception], str]]:
    return [
        ("kind", "99", CorruptRecordError, "unknown stored event kind number 99"),
        ("terms", "999", CorruptRecordError, "the stored terms number 999 are missing"),
        ("phone", "", CorruptRecordError, r"\$\.header\.applicant\.phone"),
        ("phone-in-place", "", CorruptRecordError, r"\$\.header\.applicant\.phone"),
        ("extra-value", "", CorruptRecordError, r"more values than fields @ \$\.header\.applicant"),
    ]


def _tamper(kind: int, data: list[Any], what: str, value: str) -> tuple[int, list[Any]]:
    if what == "kind":
        return int(value), data
    if what == "terms":
        header_of(kind, data)[HEADER_FIELDS.index("terms")] = int(value)
        return kind, data
    if what == "phone":  # the named form, still read
        applicant_as_dict(kind, data)["phone"] = [PERSONAL_NAME]
        return kind, data
    applicant = header_of(kind, data)[HEADER_FIELDS.index("applicant")]
    applicant.extend([None] * (len(APPLICANT_FIELDS) - len(applicant)))
    if what == "phone-in-place":  # the compact form: a value of the wrong type
        applicant[APPLICANT_FIELDS.index("phone")] = [PERSONAL_NAME]
    else:  # a value past the applicant's fields
        applicant.append(PERSONAL_NAME)
    return kind, data


@pytest.mark.parametrize(("what", "value", "error", "pattern"), _corrupt_cases())
def test_a_corrupt_sqlite_record_is_named_and_never_overwritten(
    tmp_path: Path, what: str, value: str, error: type[Exception], pattern: str
) -> None:
    """Loading names the dossier, the event and the problem; appending onto it writes nothing."""
    path = tmp_path / "corrupt.db"
    dossier = _filled_sqlite(path)
    with sqlite3.connect(path) as raw:
        kind, text = raw.execute("SELECT kind, data FROM events WHERE seq = 1").fetchone()
        kind, data = _tamper(kind, json.loads(text), what, value)
        raw.execute("UPDATE events SET kind = ?, data = ? WHERE seq = 1", (kind, json.dumps(data)))
    raw.close()
    before = _digest(path)
    store = SQLiteStore(path)
    with pytest.raises(error, match=pattern) as caught:
        store.load(dossier.code)
    assert f"dossier {dossier.code}, event 1" in str(caught.value)
    assert PERSONAL_NAME not in str(caught.value)
    later = dossier.events[-1].at + dt.timedelta(days=1)
    with pytest.raises(error):
        store.append(dossier.code, [_withdrawn(later)], expected_version=dossier.version)
    assert store.find()[0].version == dossier.version
    store.close()
    assert _digest(path) == before


def _withdrawn(at: dt.datetime) -> Any:
    from govtier.dossier import Withdrawn

    return Withdrawn(at=at, actor="applicant")


def test_a_missing_event_is_reported(tmp_path: Path) -> None:
    """A gap in a dossier's event numbers is a CorruptRecordError naming the missing event."""
    path = tmp_path / "gap.db"
    store = SQLiteStore(path)
    dossier = _open_dossier(5)
    moved = dossier.transfer(
        at=dossier.events[-1].at + dt.timedelta(hours=1),
        actor="clerk",
        calendar=WorkingCalendar.vietnam(),
    )
    store.save(moved, expected_version=0)
    with sqlite3.connect(path) as raw:
        raw.execute("DELETE FROM events WHERE seq = 1")
    raw.close()
    with pytest.raises(CorruptRecordError, match=f"dossier {moved.code}: event 1 is missing"):
        store.load(moved.code)
    store.close()


def _open_dossier(n: int) -> Any:
    """A random dossier (from seed ``n`` on) that is received or in progress."""
    while True:
        dossier = _dossier(n)
        if dossier.status in (Status.RECEIVED, Status.IN_PROGRESS):
            return dossier
        n += 1


@pytest.mark.postgres
def test_postgres_of_a_newer_schema_or_corrupt_record(pg_schemas: PostgresSchemas) -> None:
    """PostgreSQL: a newer schema_version is refused untouched; a corrupt record is named."""
    ident = sql.Identifier(schema := pg_schemas.holding(dossier := _dossier(1)))
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        raw.execute(  # the first event's kind number, in its packed row
            sql.SQL(
                "UPDATE {}.events SET data = regexp_replace(data, '^\\[\\[\\d+,', '[[99,')"
            ).format(ident)
        )
        store = PostgresStore(pg_schemas.url, schema=schema)
        with pytest.raises(
            CorruptRecordError, match=f"dossier {dossier.code}, event 1: unknown stored event kind"
        ):
            store.load(dossier.code)
        with pytest.raises(CorruptRecordError):
            store.append(dossier.code, [_withdrawn(dossier.events[-1].at)], expected_version=1)
        store.close()
        raw.execute(sql.SQL("UPDATE {}.schema_version SET version = 99").format(ident))
        with pytest.raises(SchemaVersionError, match=r"schema version 99.*up to 2"):
            PostgresStore(pg_schemas.url, schema=schema)
        count = raw.execute(  # the events stored, however many rows they are packed in
            sql.SQL("SELECT sum(json_array_length(data::json))::int FROM {}.events").format(ident)
        ).fetchone()
        version = raw.execute(sql.SQL("SELECT version FROM {}.schema_version").format(ident))
        assert count == (dossier.version,)
        assert version.fetchone() == (99,)


# -- outages -----------------------------------------------------------------------------------


def test_an_unopenable_sqlite_file_is_a_storage_error(tmp_path: Path) -> None:
    """A path in a missing directory, or a file that is not a database: StorageError + cause."""
    with pytest.raises(StorageError) as caught:
        SQLiteStore(tmp_path / "missing" / "x.db")
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, just text" * 100)
    with pytest.raises(StorageError) as caught:
        SQLiteStore(junk)
    assert isinstance(caught.value.__cause__, sqlite3.Error)


def test_an_unreachable_postgres_is_a_storage_error() -> None:
    """A closed port: StorageError naming the server (no password), the driver error as cause."""
    port = postgres_server.free_port()
    url = f"postgresql://postgres:hunter2@127.0.0.1:{port}/test"
    with pytest.raises(StorageError, match=f"127.0.0.1:{port}") as caught:
        PostgresStore(url, connect_timeout=2)
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    assert "hunter2" not in str(caught.value)


@pytest.mark.postgres
def test_a_lost_postgres_connection_is_a_storage_error(pg_schemas: PostgresSchemas) -> None:
    """A killed connection gives StorageError with its cause; the next call reconnects."""
    store = PostgresStore(pg_schemas.url, schema=pg_schemas.new())
    pid = store._conn.info.backend_pid
    with psycopg.connect(pg_schemas.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(StorageError) as caught:
        store.find()
    assert isinstance(caught.value.__cause__, psycopg.Error)
    assert store.find() == []
    store.close()


# -- finding a server for the tests ------------------------------------------------------------


def test_ci_never_skips_postgres() -> None:
    """CI=true and no server at the URL: a loud error naming the URL, not a skip."""
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.free_port()}/test"
    env = {postgres_server.ENV_URL: url, "CI": "true"}
    with pytest.raises(postgres_server.PostgresUnavailableError, match="CI=true") as caught:
        postgres_server.resolve(env)
    assert url in str(caught.value)


def test_without_server_or_binaries_the_skip_says_how_to_enable() -> None:
    """No server and no initdb/pg_ctl: the skip reason names both and the variable to set."""
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.free_port()}/test"
    resolution = postgres_server.resolve({postgres_server.ENV_URL: url}, path=os.devnull)
    assert resolution.url is None
    reason = resolution.skip_reason or ""
    assert url in reason
    assert "initdb" in reason
    assert postgres_server.ENV_URL in reason


def test_without_server_a_throwaway_one_is_started_and_stopped() -> None:
    """No server at the URL, CI unset, binaries on PATH: a throwaway server runs, then stops."""
    if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
        pytest.skip("initdb/pg_ctl are not on PATH: the throwaway-server path cannot run here")
    url = f"postgresql://postgres@127.0.0.1:{postgres_server.free_port()}/test"
    resolution = postgres_server.resolve({postgres_server.ENV_URL: url})
    assert resolution.server is not None, resolution.skip_reason
    assert resolution.url is not None
    try:
        store = PostgresStore(resolution.url, schema="throwaway")
        assert store.next_sequence("G01", dt.date(2026, 3, 9)) == 1
        store.close()
    finally:
        directory = resolution.server.directory
        resolution.close()
    assert not directory.exists()
    assert postgres_server.probe(resolution.url, timeout=1) is not None


@pytest.mark.postgres
def test_postgres_gives_moments_in_vietnam_time(pg_schemas: PostgresSchemas) -> None:
    """Summaries and histories read from PostgreSQL carry Asia/Ho_Chi_Minh, as govtier gives
    every moment (the session's time zone is Vietnam's, so nothing is converted on reading)."""
    from govtier import VIETNAM_TZ

    store = PostgresStore(pg_schemas.url, schema=pg_schemas.new())
    dossier = _open_dossier(3)
    store.save(dossier, expected_version=0)
    (summary,) = store.find()
    assert summary.received_at is not None
    assert summary.received_at.tzinfo is VIETNAM_TZ
    assert summary.received_at == dossier.received_at
    assert all(e.at.tzinfo is VIETNAM_TZ for e in store.load(dossier.code).events)
    store.close()

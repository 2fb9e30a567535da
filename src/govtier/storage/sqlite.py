"""The embedded dossier store: one SQLite file (or ``:memory:``), standard library only.

The file is opened in WAL mode (readers never wait for the writer); every append is one
``BEGIN IMMEDIATE`` transaction, so writers from several processes queue on the file lock (up to
``timeout`` seconds) and a writer killed mid-way leaves nothing behind. The schema carries its
version in the ``schema_version`` table and is migrated forward when opened (in one transaction:
a migration killed mid-way leaves the file as it was); a file written by a newer govtier, or a
database that is not govtier's, is refused untouched (:class:`~govtier.errors.SchemaVersionError`).
``read_only=True`` opens an existing store for reading: nothing is created or migrated.
:func:`migrate_file` migrates a copy instead, into a new file.

Schema version 2 is compact (see ``docs/storage.md``): integer keys and times, an event's kind as a
number, no null or empty field in a record, and a header's procedure terms stored once.

>>> import datetime as dt
>>> store = SQLiteStore(":memory:")
>>> store.next_sequence("G01.20.01", dt.date(2026, 3, 9)), store.schema_version
(1, 2)
>>> store.close()
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

from govtier._guard import check_path, hide_cause
from govtier._records import event_from_record, record_from_json
from govtier.dossier import Dossier, Event
from govtier.errors import (
    CorruptRecordError,
    SchemaVersionError,
    StorageError,
    UnknownDossierError,
)
from govtier.storage._compact import (
    CHANNEL_OF,
    STATUS_OF,
    TIMELINESS_OF,
    Codec,
    from_micros,
    micros,
)
from govtier.storage._gc import collector_paused
from govtier.storage.ports import (
    Append,
    DossierQuery,
    DossierStore,
    DossierSummary,
    ProvinceResolver,
    bundled_province_of,
    check_batch_size,
    check_indexed_fields,
    check_sequence_args,
    fold_stored,
    plan_batch,
    stream_pages,
    summarize,
    timeline_from_text,
    timeline_to_text,
)

__all__ = ["MIGRATIONS", "PAGE_SIZE", "SCHEMA_VERSION", "SQLiteStore", "migrate_file"]

T = TypeVar("T")

SCHEMA_VERSION: Final = 2
"""The schema version this govtier writes."""

PAGE_SIZE: Final = 8192
"""The page size of a new file: a few dozen compact rows per page, no overflow pages."""

_CACHE_KIB: Final = 65536  # the page cache of a connection (64 MiB)

_V1: Final = """
CREATE TABLE dossiers (
    code TEXT PRIMARY KEY,
    version INTEGER NOT NULL CHECK (version > 0),
    status INTEGER NOT NULL,
    procedure_id TEXT NOT NULL,
    receiving_unit TEXT NOT NULL,
    subject_unit TEXT NOT NULL,
    province TEXT,
    channel TEXT NOT NULL,
    received_at TEXT,
    appointment TEXT,
    running_due TEXT,
    finished_at TEXT,
    timeliness TEXT
);
CREATE TABLE events (
    code TEXT NOT NULL REFERENCES dossiers (code),
    seq INTEGER NOT NULL CHECK (seq > 0),
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (code, seq)
) WITHOUT ROWID;
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE sequences (
    agency TEXT NOT NULL,
    day TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
) WITHOUT ROWID;
CREATE INDEX dossiers_status ON dossiers (status, code);
CREATE INDEX dossiers_receiving_unit ON dossiers (receiving_unit, code);
CREATE INDEX dossiers_subject_unit ON dossiers (subject_unit, code);
CREATE INDEX dossiers_province ON dossiers (province, code);
CREATE INDEX dossiers_procedure ON dossiers (procedure_id, code);
CREATE INDEX dossiers_received_at ON dossiers (received_at);
CREATE INDEX dossiers_running_due ON dossiers (running_due) WHERE running_due IS NOT NULL
"""

_V2_TABLES: Final = """
CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    digest BLOB NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE {p}dossiers (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL CHECK (version > 0),
    status INTEGER NOT NULL,
    procedure_id TEXT NOT NULL,
    receiving_unit TEXT NOT NULL,
    subject_unit TEXT NOT NULL,
    province TEXT,
    channel TEXT NOT NULL,
    received_at INTEGER,
    appointment INTEGER,
    running_due INTEGER,
    finished_at INTEGER,
    timeliness TEXT,
    timeline TEXT
);
CREATE TABLE {p}events (
    dossier INTEGER NOT NULL REFERENCES {p}dossiers (id),
    seq INTEGER NOT NULL CHECK (seq > 0),
    kind INTEGER NOT NULL,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (dossier, seq)
) WITHOUT ROWID;
CREATE TABLE {p}idempotency_keys (
    key TEXT PRIMARY KEY,
    dossier INTEGER NOT NULL,
    version INTEGER NOT NULL,
    fingerprint BLOB NOT NULL
) WITHOUT ROWID
"""

_V2_INDEXES: Final = """
CREATE INDEX dossiers_status ON dossiers (status, code);
CREATE INDEX dossiers_receiving_unit ON dossiers (receiving_unit, code);
CREATE INDEX dossiers_subject_unit ON dossiers (subject_unit, code);
CREATE INDEX dossiers_province ON dossiers (province, code);
CREATE INDEX dossiers_procedure ON dossiers (procedure_id, code);
CREATE INDEX dossiers_received_at ON dossiers (received_at);
CREATE INDEX dossiers_running_due ON dossiers (running_due) WHERE running_due IS NOT NULL
"""


def _statements(script: str) -> list[str]:
    """The statements of a script, separated by ';' (some may be blank)."""
    return script.split(";")


def _to_v2(db: sqlite3.Connection) -> None:
    """Migration 1 -> 2: every dossier, event, key and sequence, re-written compactly.

    Runs inside the opener's transaction: killed mid-way, the file is still version 1.
    """
    for statement in _statements(_V2_TABLES.format(p="new_")):
        if statement.strip():
            db.execute(statement)
    codec = _codec(db)
    _copy_v1(db, "", "new_", codec)
    for table in ("idempotency_keys", "events", "dossiers"):
        db.execute(f"DROP TABLE {table}")
    for table in ("dossiers", "events", "idempotency_keys"):
        db.execute(f"ALTER TABLE new_{table} RENAME TO {table}")
    for statement in _statements(_V2_INDEXES):
        if statement.strip():
            db.execute(statement)
    codec.commit()


def _fresh_v2(db: sqlite3.Connection) -> None:
    for statement in _statements(_V2_TABLES.format(p="") + ";" + _V2_INDEXES):
        if statement.strip():
            db.execute(statement)
    db.execute(
        "CREATE TABLE sequences (agency TEXT NOT NULL, day TEXT NOT NULL, value INTEGER NOT NULL,"
        " PRIMARY KEY (agency, day)) WITHOUT ROWID"
    )


MIGRATIONS: Final[list[tuple[int, str]]] = [(1, _V1), (2, "")]
"""The forward migrations, ``(version, statements separated by ';')``, oldest first; each runs
in the opener's transaction. Version 2 also rewrites every row in the compact form (in Python)."""

_REWRITES: Final[dict[int, Callable[[sqlite3.Connection], None]]] = {2: _to_v2}

_SUMMARY_COLUMNS: Final = (
    "code, status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, finished_at, timeliness, version, timeline"
)


def _us(value: dt.datetime | None) -> int | None:
    return None if value is None else micros(value)


def _from_us(value: int | None) -> dt.datetime | None:
    return None if value is None else from_micros(value)


def _check_path(path: str) -> None:
    if path == ":memory:" or path.startswith("file:"):
        return
    if os.path.exists(path) and not os.path.isfile(path):
        kind = "a directory" if os.path.isdir(path) else "not a regular file"
        msg = f"{path} is {kind}; a SQLite store is a regular file (a new one is created)"
        raise StorageError(msg)


class SQLiteStore(DossierStore):
    """Dossiers in a SQLite database file.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        province_of: gives the province code of a unit (default: the bundled unit registry).
        timeout: how long a writer waits for another process's write lock, in seconds.
        read_only: open an existing store for reading only: nothing is created or migrated,
            and every write raises :class:`~govtier.errors.StorageError`.

    Raises:
        StorageError: the file cannot be opened (the driver's error is the cause), is not a
            regular file, or (``read_only``) does not exist.
        SchemaVersionError: the database was written by a newer govtier, or is not govtier's,
            or (``read_only``) needs a migration first.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        province_of: ProvinceResolver | None = None,
        timeout: float = 30.0,
        read_only: bool = False,
    ) -> None:
        self.path = str(path) if path == ":memory:" else str(check_path(path, "path"))
        self.read_only = read_only
        self._province_of = province_of or bundled_province_of
        self._lock = threading.RLock()
        _check_path(self.path)
        if read_only and (self.path == ":memory:" or not Path(self.path).is_file()):
            msg = f"no SQLite store at {self.path} to open for reading"
            raise StorageError(msg)
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except (sqlite3.Error, ValueError) as exc:
            msg = f"cannot open the SQLite database {self.path}: {exc}"
            raise StorageError(msg) from exc
        try:
            stored = self._stored_version()  # refuse a foreign or newer file before touching it
            self._db.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            if read_only:
                self.schema_version = self._check_readable(stored)
                self._db.execute("PRAGMA query_only = ON")
            else:
                if stored is None:
                    self._db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                if self.path != ":memory:":
                    _enable_wal(self._db, timeout)
                self._db.execute("PRAGMA synchronous = NORMAL")
                self.schema_version = self._migrate()
                if stored is not None and stored < self.schema_version:
                    _reclaim(self._db, timeout)
                self._db.execute("PRAGMA foreign_keys = ON")
            self._codec = _codec(self._db)
        except sqlite3.Error as exc:
            self._db.close()
            raise _open_error(self.path, exc) from exc
        except BaseException:
            self._db.close()
            raise

    # -- schema -------------------------------------------------------------------------------

    def _stored_version(self) -> int | None:
        """The file's schema version (``None``: an empty database); refuses others' files."""
        return _stored_version(self._db, self.path)

    def _check_readable(self, stored: int | None) -> int:
        if stored != SCHEMA_VERSION:
            have = "no govtier tables" if stored is None else f"schema version {stored}"
            msg = (
                f"{self.path} has {have}; opened read-only it cannot be migrated to version "
                f"{SCHEMA_VERSION}. Open it once for writing (or use migrate_file) first"
            )
            raise SchemaVersionError(msg)
        return stored

    def _migrate(self) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._stored_version()
            if version is None:
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
                version = 0
            if version == 0:  # a new store: the latest layout at once
                _fresh_v2(db)
                version = SCHEMA_VERSION
                db.execute("UPDATE schema_version SET version = ?", (version,))
            for number, script in MIGRATIONS:
                if number > version:
                    rewrite = _REWRITES.get(number)
                    if rewrite is not None:
                        rewrite(db)
                    for statement in _statements(script):
                        if statement.strip():
                            db.execute(statement)
                    db.execute("UPDATE schema_version SET version = ?", (number,))
                    version = number
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return version

    # -- the port -----------------------------------------------------------------------------

    def append_many(self, batch: Iterable[Append]) -> list[int]:
        """Append several dossiers' events in one transaction (see :class:`DossierStore`)."""
        appends = list(batch)
        check_indexed_fields(appends)
        with collector_paused():
            return self._write(lambda: self._append_batch(appends))

    def _append_batch(self, appends: list[Append]) -> list[int]:
        db = self._db
        codes = list(dict.fromkeys(a.code for a in appends))
        ids: dict[str, int] = {}
        versions: dict[str, int] = {}
        for id_, code, version in db.execute(  # one query per batch, whatever its size
            "SELECT id, code, version FROM dossiers WHERE code IN (SELECT value FROM json_each(?))",
            (json.dumps(codes),),
        ):
            ids[code], versions[code] = id_, version
        histories: dict[str, list[Event]] = {}
        if ids:  # new dossiers (the bulk-import case) have nothing to reload
            histories = self._histories_of(ids)
        keys: dict[str, tuple[str, int, str]] = {}
        names = [a.idempotency_key for a in appends if a.idempotency_key is not None]
        if names:
            for key, code, version, fingerprint in db.execute(
                "SELECT k.key, d.code, k.version, k.fingerprint FROM idempotency_keys AS k "
                "JOIN dossiers AS d ON d.id = k.dossier "
                "WHERE k.key IN (SELECT value FROM json_each(?))",
                (json.dumps(names),),
            ):
                keys[key] = (code, version, bytes(fingerprint).hex())
        plan = plan_batch(
            appends,
            stored_versions=versions,
            histories=histories,
            keys=keys,
            province_of=self._province_of,
        )
        new = [c for c in plan.summaries if plan.previous[c] == 0]
        if new:
            (last,) = db.execute("SELECT coalesce(max(id), 0) FROM dossiers").fetchone()
            ids.update((code, last + n) for n, code in enumerate(new, start=1))
        rows = [(plan.previous[c] == 0, _summary_row(s, ids[c])) for c, s in plan.summaries.items()]
        db.executemany(_INSERT_DOSSIER, [row for is_new, row in rows if is_new])
        db.executemany(_UPDATE_DOSSIER, [row for is_new, row in rows if not is_new])
        row_of = self._codec.row
        db.executemany(
            "INSERT INTO events (dossier, seq, kind, at, data) VALUES (?, ?, ?, ?, ?)",
            [(ids[code], seq, *row_of(code, e)) for code, seq, e in plan.events],
        )
        db.executemany(
            "INSERT INTO idempotency_keys (key, dossier, version, fingerprint) VALUES (?, ?, ?, ?)",
            [(key, ids[code], v, bytes.fromhex(f)) for key, code, v, f in plan.keys],
        )
        return list(plan.versions)

    def _histories_of(self, ids: dict[str, int]) -> dict[str, list[Event]]:
        """The events of the dossiers ``ids`` names, in one query."""
        by_id = {id_: code for code, id_ in ids.items()}
        rows = self._db.execute(
            "SELECT dossier, seq, kind, at, data FROM events "
            "WHERE dossier IN (SELECT value FROM json_each(?)) ORDER BY dossier, seq",
            (json.dumps(list(by_id)),),
        ).fetchall()
        return self._group(by_id, rows)

    def _group(
        self, by_id: dict[int, str], rows: Sequence[tuple[int, int, int, int, str]]
    ) -> dict[str, list[Event]]:
        grouped: dict[str, list[Event]] = {}
        event = self._codec.event
        for id_, seq, kind, at, data in rows:
            code = by_id[id_]
            events = grouped.setdefault(code, [])
            if seq != len(events) + 1:
                msg = f"dossier {code}: event {len(events) + 1} is missing (found {seq})"
                raise CorruptRecordError(msg)
            events.append(event(code, kind, at, data, where=f"dossier {code}, event {seq}"))
        return grouped

    def load_events(self, code: str) -> list[Event]:
        """Every event of a dossier, oldest first (see :class:`DossierStore`)."""
        return self._read(lambda: self._read_events(code))

    def _read_events(self, code: str) -> list[Event]:
        found = self._db.execute("SELECT id FROM dossiers WHERE code = ?", (code,)).fetchone()
        events = self._histories_of({code: found[0]}).get(code) if found else None
        if not events:
            msg = f"no stored dossier has the code {code!r}"
            raise UnknownDossierError(msg)
        return events

    def find(self, query: DossierQuery | None = None) -> list[DossierSummary]:
        """The summaries ``query`` selects, by code (see :class:`DossierStore`)."""
        sql, params = _select(query or DossierQuery())
        with collector_paused():  # thousands of acyclic values (see govtier.storage._gc)
            rows = self._read(lambda: self._db.execute(sql, params).fetchall())
            return [_summary(row) for row in rows]

    def stream(
        self, query: DossierQuery | None = None, *, batch_size: int = 500
    ) -> Iterator[Dossier]:
        """Every selected dossier in full, by code, a batch at a time (see the port)."""
        check_batch_size(batch_size)
        return self._stream(query, batch_size)

    def _stream(self, query: DossierQuery | None, batch_size: int) -> Iterator[Dossier]:
        for page in stream_pages(self.find, query, batch_size):
            codes = [s.code for s in page]
            by_code = self._read(functools.partial(self._page_histories, codes))
            for code in codes:
                yield fold_stored(code, by_code.get(code, []))

    def _page_histories(self, codes: list[str]) -> dict[str, list[Event]]:
        ids = dict(
            self._db.execute(
                "SELECT code, id FROM dossiers WHERE code IN (SELECT value FROM json_each(?))",
                (json.dumps(codes),),
            ).fetchall()
        )
        return self._histories_of(ids)

    def next_sequence(self, agency: str, day: dt.date) -> int:
        """The next sequence number of ``agency`` on ``day``, atomically (see the port)."""
        check_sequence_args(agency, day)

        def bump() -> int:
            self._db.execute(
                "INSERT INTO sequences (agency, day, value) VALUES (?, ?, 1) "
                "ON CONFLICT (agency, day) DO UPDATE SET value = value + 1",
                (agency, day.isoformat()),
            )
            row = self._db.execute(
                "SELECT value FROM sequences WHERE agency = ? AND day = ?",
                (agency, day.isoformat()),
            ).fetchone()
            return int(row[0])

        return self._write(bump)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()

    # -- transactions -------------------------------------------------------------------------

    def _write(self, work: Callable[[], T]) -> T:
        with self._lock:
            if self.read_only:
                msg = f"{self.path} was opened read-only; nothing was written"
                raise StorageError(msg)
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _storage_error("begin a write", exc) from exc
            try:
                result = work()
                db.execute("COMMIT")
            except BaseException as exc:
                self._codec.rollback()
                with contextlib.suppress(sqlite3.Error):  # a lost connection committed nothing
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _storage_error("write", exc) from exc
                raise
            self._codec.commit()
            return result

    def _read(self, work: Callable[[], T]) -> T:
        with self._lock:
            try:
                return work()
            except sqlite3.Error as exc:
                raise _storage_error("read", exc) from exc


def _stored_version(db: sqlite3.Connection, path: str) -> int | None:
    latest = MIGRATIONS[-1][0]
    tables = {
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if not tables:
        return None
    if "schema_version" not in tables:
        names = ", ".join(sorted(tables))
        msg = (
            f"{path} is not a govtier database (no schema_version table; it has "
            f"tables {names}); refusing to touch it"
        )
        raise SchemaVersionError(msg)
    row = db.execute("SELECT version FROM schema_version").fetchone()
    version = row[0] if row else None
    if not isinstance(version, int):
        msg = f"{path}: the schema_version table holds no version"
        raise SchemaVersionError(msg)
    if version > latest:
        msg = (
            f"{path} has schema version {version}; this govtier knows versions up "
            f"to {latest}. Upgrade govtier to open it (nothing was changed)"
        )
        raise SchemaVersionError(msg)
    return version


def _codec(db: sqlite3.Connection) -> Codec:
    def add_terms(body: str, digest: bytes) -> int:
        found = db.execute("SELECT id FROM terms WHERE digest = ?", (digest,)).fetchone()
        if found:
            return int(found[0])
        cursor = db.execute("INSERT INTO terms (digest, body) VALUES (?, ?)", (digest, body))
        return int(cursor.lastrowid or 0)

    def read_terms(number: int) -> str | None:
        found = db.execute("SELECT body FROM terms WHERE id = ?", (number,)).fetchone()
        return None if found is None else str(found[0])

    return Codec(add_terms, read_terms)


def _copy_v1(db: sqlite3.Connection, source: str, target: str, codec: Codec) -> None:
    """Copy version-1 tables (``source`` prefix) into version-2 tables (``target`` prefix).

    Every record is read back from its compact row and compared with the version-1 event:
    a record that would change is an error and nothing is migrated.
    """
    ids: dict[str, int] = {}
    last = ""
    while True:
        dossiers = db.execute(
            f"SELECT code, version, status, procedure_id, receiving_unit, subject_unit, "  # noqa: S608
            f"province, channel, received_at, appointment, running_due, finished_at, "
            f"timeliness FROM {source}dossiers WHERE code > ? ORDER BY code LIMIT 1000",
            (last,),
        ).fetchall()
        if not dossiers:
            break
        last = dossiers[-1][0]
        for row in dossiers:
            ids[row[0]] = len(ids) + 1
        events = db.execute(
            f"SELECT code, seq, record FROM {source}events WHERE code >= ? AND code <= ? "  # noqa: S608
            "ORDER BY code, seq",
            (dossiers[0][0], last),
        ).fetchall()
        out = []
        history: dict[str, list[Event]] = {}
        for code, seq, text in events:
            where = f"dossier {code}, event {seq}"
            event = event_from_record(record_from_json(text, where=where), where=where)
            history.setdefault(code, []).append(event)
            kind, at, data = codec.row(code, event)
            if codec.event(code, kind, at, data, where=where) != event:  # pragma: no cover
                msg = f"{where}: the compact record would not read back equal; not migrated"
                raise CorruptRecordError(msg)
            out.append((ids[code], seq, kind, at, data))
        # Version 1 kept no timeline: each summary's is made from its events (the report as of
        # any moment reads it), so a migrated store reports exactly as its dossiers do. Each row
        # is written once, with it: an update afterwards would grow every row where it lies.
        timelines = {
            code: timeline_to_text(summarize(fold_stored(code, evs), province=None))
            for code, evs in history.items()
        }
        db.executemany(
            f"INSERT INTO {target}dossiers (id, code, version, status, procedure_id, "  # noqa: S608
            "receiving_unit, subject_unit, province, channel, received_at, appointment, "
            "running_due, finished_at, timeliness, timeline) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    ids[row[0]],
                    *row[:8],
                    *(_v1_micros(v) for v in row[8:12]),
                    row[12],
                    timelines.get(row[0]),
                )
                for row in dossiers
            ],
        )
        db.executemany(
            f"INSERT INTO {target}events (dossier, seq, kind, at, data) "  # noqa: S608
            "VALUES (?, ?, ?, ?, ?)",
            out,
        )
    keys = db.execute(
        f"SELECT key, code, version, fingerprint FROM {source}idempotency_keys"  # noqa: S608
    ).fetchall()
    db.executemany(
        f"INSERT INTO {target}idempotency_keys (key, dossier, version, fingerprint) "  # noqa: S608
        "VALUES (?, ?, ?, ?)",
        [(key, ids[code], version, bytes.fromhex(f)) for key, code, version, f in keys],
    )


def _v1_micros(value: str | None) -> int | None:
    return None if value is None else micros(dt.datetime.fromisoformat(value))


def migrate_file(
    source: str | os.PathLike[str], target: str | os.PathLike[str], *, timeout: float = 30.0
) -> int:
    """Write a migrated copy of the store ``source`` into the new file ``target``.

    ``source`` is only read. The copy is written to ``target`` + ``".partial"`` and renamed to
    ``target`` once complete, so ``target`` either does not exist or is a whole store at
    :data:`SCHEMA_VERSION`, even if the process is killed.

    Returns:
        The schema version ``source`` had.

    Raises:
        StorageError: ``target`` exists, or a file cannot be read or written.
        SchemaVersionError: ``source`` is not a govtier store, or is newer than this govtier.
    """
    source, target = os.fspath(source), os.fspath(target)
    _check_path(source)
    _check_path(target)
    if Path(target).exists():
        msg = f"{target} exists; migrate_file writes a new file"
        raise StorageError(msg)
    if not Path(source).is_file():
        msg = f"no SQLite store at {source}"
        raise StorageError(msg)
    partial = Path(target + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
            version = _stored_version(src, source)
        if version is None:
            msg = f"{source} holds no govtier store"
            raise SchemaVersionError(msg)
        SQLiteStore(partial, timeout=timeout).close()
        db = sqlite3.connect(partial, timeout=timeout, isolation_level=None)
        try:
            db.execute("ATTACH DATABASE ? AS old", (f"file:{source}?mode=ro",))
            db.execute("BEGIN IMMEDIATE")
            if version == 1:
                _copy_v1(db, "old.", "", _codec(db))
            else:
                for table in ("terms", "dossiers", "events", "idempotency_keys"):
                    db.execute(f"INSERT INTO {table} SELECT * FROM old.{table}")  # noqa: S608
            db.execute("INSERT INTO sequences SELECT * FROM old.sequences")
            db.execute("COMMIT")
            db.execute("DETACH DATABASE old")
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            db.close()
        partial.replace(target)
    except sqlite3.Error as exc:
        raise _open_error(target, exc) from exc
    return version


_INSERT_DOSSIER: Final = (
    "INSERT INTO dossiers (status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, running_due, finished_at, timeliness, version, timeline, code, id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_DOSSIER: Final = (
    "UPDATE dossiers SET status = ?, procedure_id = ?, receiving_unit = ?, subject_unit = ?, "
    "province = ?, channel = ?, received_at = ?, appointment = ?, running_due = ?, "
    "finished_at = ?, timeliness = ?, version = ?, timeline = ?, code = ? WHERE id = ?"
)


def _summary_row(summary: DossierSummary, id_: int) -> tuple[Any, ...]:
    return (
        summary.status.value,
        summary.procedure_id,
        summary.receiving_unit,
        summary.subject_unit,
        summary.province,
        summary.channel.value,
        _us(summary.received_at),
        _us(summary.appointment),
        _us(summary.running_due),
        _us(summary.finished_at),
        None if summary.timeliness is None else summary.timeliness.value,
        summary.version,
        timeline_to_text(summary),
        summary.code,
        id_,
    )


def _enable_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, waiting up to ``timeout`` seconds for other openers of a new file.

    Changing the journal mode answers "database is locked" at once, without the busy timeout,
    while another process migrates the file; the switch is retried until the timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)
        else:
            return


def _reclaim(db: sqlite3.Connection, timeout: float) -> None:
    """After a migration in place: give the pages the old rows held back, at 8 KiB pages.

    The rewrite leaves the old records' pages free inside the file (a version-1 file of 100,000
    dossiers grew from 609 to 687 MB; compacted it takes 91 MB). ``VACUUM`` rewrites the file in
    its own transaction, so a kill part-way leaves the migrated store as it was. While another
    connection holds the file the page size cannot change; if the file cannot be rewritten at all
    (locked, or no room on the disk) it stays migrated and uncompacted.
    """
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            alone = db.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        except sqlite3.OperationalError:  # another connection is open: stay in WAL
            alone = False
        if alone:  # only outside WAL does VACUUM change the page size
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("VACUUM")
    except sqlite3.OperationalError:
        pass  # (the store is migrated; only its free pages stay)
    finally:
        _enable_wal(db, timeout)


def _open_error(path: str, exc: sqlite3.Error) -> StorageError:
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
        msg = f"{path} is not a SQLite database (its header is of another kind of file)"
    else:
        msg = f"cannot open the SQLite database {path}: {exc}"
    return StorageError(msg)


def _storage_error(action: str, exc: sqlite3.Error) -> StorageError:
    # sqlite3 messages name tables and constraints, never stored values.
    return StorageError(f"SQLite could not {action}: {exc}")


def _select(query: DossierQuery) -> tuple[str, list[Any]]:
    """The SELECT for ``query``: fixed clauses, every value a parameter."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        statuses = sorted(s.value for s in query.status)
        clauses.append(f"status IN ({', '.join('?' * len(statuses))})")
        params.extend(statuses)
    if query.unit is not None:
        clauses.append("(receiving_unit = ? OR subject_unit = ?)")
        params.extend((query.unit, query.unit))
    if query.province is not None:
        clauses.append("province = ?")
        params.append(query.province)
    if query.procedure_id is not None:
        clauses.append("procedure_id = ?")
        params.append(query.procedure_id)
    if query.channel is not None:
        clauses.append("channel = ?")
        params.append(query.channel.value)
    if query.received_from is not None:
        clauses.append("received_at >= ?")
        params.append(_us(query.received_from))
    if query.received_before is not None:
        clauses.append("received_at < ?")
        params.append(_us(query.received_before))
    if query.overdue_as_of is not None:
        clauses.append("running_due < ?")
        params.append(_us(query.overdue_as_of))
    if query.after is not None:
        clauses.append("code > ?")
        params.append(query.after)
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM dossiers"  # noqa: S608 (constant fragments only)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY code"
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    return sql, params


def _summary(row: Sequence[Any]) -> DossierSummary:
    code = row[0]
    phases, apologised = timeline_from_text(code, row[12])
    try:
        return DossierSummary(
            code=code,
            status=STATUS_OF[row[1]],
            procedure_id=row[2],
            receiving_unit=row[3],
            subject_unit=row[4],
            province=row[5],
            channel=CHANNEL_OF[row[6]],
            received_at=_from_us(row[7]),
            appointment=_from_us(row[8]),
            finished_at=_from_us(row[9]),
            timeliness=None if row[10] is None else TIMELINESS_OF[row[10]],
            version=row[11],
            phases=phases,
            apologised_at=apologised,
        )
    except (ValueError, TypeError, KeyError) as exc:
        msg = f"dossier {code}: the stored summary cannot be read ({type(exc).__name__})"
        raise hide_cause(CorruptRecordError(msg), exc) from None  # the cause quotes the value

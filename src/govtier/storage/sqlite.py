"""The embedded dossier store: one SQLite file (or ``:memory:``), standard library only.

The file is opened in WAL mode (readers never wait for the writer); every append is one
``BEGIN IMMEDIATE`` transaction, so writers from several processes queue on the file lock (up to
``timeout`` seconds) and a writer killed mid-way leaves nothing behind. The schema carries its
version in the ``schema_version`` table and is migrated forward when opened; a file written by a
newer govtier, or a database that is not govtier's, is refused untouched
(:class:`~govtier.errors.SchemaVersionError`).

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
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeVar

from govtier.calendar import VIETNAM_TZ
from govtier.catalogue import Channel
from govtier.dossier import Dossier, Event, Status, Timeliness
from govtier.errors import (
    CorruptRecordError,
    SchemaVersionError,
    StorageError,
    UnknownDossierError,
)
from govtier.serialization import (
    event_from_record,
    event_to_record,
    record_from_json,
    record_to_json,
)
from govtier.storage.ports import (
    Append,
    DossierQuery,
    DossierStore,
    DossierSummary,
    ProvinceResolver,
    bundled_province_of,
    check_batch_size,
    check_sequence_args,
    fold_stored,
    plan_batch,
    stream_pages,
    summarize,
    timeline_from_text,
    timeline_to_text,
)

__all__ = ["MIGRATIONS", "SQLiteStore"]

T = TypeVar("T")

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

_V2: Final = """
ALTER TABLE dossiers ADD COLUMN timeline TEXT
"""
# version 2: each summary keeps its timeline (phases and first apology), so a report over the
# summaries as of any moment equals the report over the dossiers; the rows of a version-1 file
# are filled in from their events when it is opened (nothing is lost: events are untouched).

MIGRATIONS: Final[list[tuple[int, str]]] = [(1, _V1), (2, _V2)]
"""The forward migrations, ``(version, statements separated by ';')``, oldest first."""

_CHUNK: Final = 500  # host parameters per IN (...) list, well under SQLite's limit

_SUMMARY_COLUMNS: Final = (
    "code, status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, finished_at, timeliness, version, timeline"
)


def _ts(value: dt.datetime | None) -> str | None:
    """A moment as fixed-width UTC ISO text, so text order is time order."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _from_ts(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value).astimezone(VIETNAM_TZ)


class SQLiteStore(DossierStore):
    """Dossiers in a SQLite database file.

    Args:
        path: the database file (created if missing), or ``":memory:"``.
        province_of: gives the province code of a unit (default: the bundled unit registry).
        timeout: how long a writer waits for another process's write lock, in seconds.

    Raises:
        StorageError: the file cannot be opened (the driver's error is the cause).
        SchemaVersionError: the database was written by a newer govtier, or is not govtier's.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        province_of: ProvinceResolver | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.path = os.fspath(path)
        self._province_of = province_of or bundled_province_of
        self._lock = threading.RLock()
        self._before_commit: Callable[[], None] | None = None  # fault injection in tests
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            msg = f"cannot open the SQLite database {self.path}: {exc}"
            raise StorageError(msg) from exc
        try:
            self._stored_version()  # refuse a foreign or newer file before touching it
            if self.path != ":memory:":
                _enable_wal(self._db, timeout)
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self.schema_version = self._migrate()
        except sqlite3.Error as exc:
            self._db.close()
            msg = f"cannot open the SQLite database {self.path}: {exc}"
            raise StorageError(msg) from exc
        except BaseException:
            self._db.close()
            raise

    # -- schema -------------------------------------------------------------------------------

    def _stored_version(self) -> int | None:
        """The file's schema version (``None``: an empty database); refuses others' files."""
        latest = MIGRATIONS[-1][0]
        db = self._db
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
                f"{self.path} is not a govtier database (no schema_version table; it has "
                f"tables {names}); refusing to touch it"
            )
            raise SchemaVersionError(msg)
        row = db.execute("SELECT version FROM schema_version").fetchone()
        version = row[0] if row else None
        if not isinstance(version, int):
            msg = f"{self.path}: the schema_version table holds no version"
            raise SchemaVersionError(msg)
        if version > latest:
            msg = (
                f"{self.path} has schema version {version}; this govtier knows versions up "
                f"to {latest}. Upgrade govtier to open it (nothing was changed)"
            )
            raise SchemaVersionError(msg)
        return version

    def _migrate(self) -> int:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._stored_version()
            if version is None:
                db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
                version = 0
            for number, script in MIGRATIONS:
                if number > version:
                    for statement in script.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute("UPDATE schema_version SET version = ?", (number,))
                    version = number
            if version >= 2:
                self._fill_timelines()
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return version

    def _fill_timelines(self) -> None:
        """Fill the timeline of summaries written before version 2, from their events."""
        codes = [r[0] for r in self._db.execute("SELECT code FROM dossiers WHERE timeline IS NULL")]
        for code in codes:
            dossier = fold_stored(code, self._read_events(code))
            text = timeline_to_text(summarize(dossier, province=None))
            self._db.execute("UPDATE dossiers SET timeline = ? WHERE code = ?", (text, code))

    # -- the port -----------------------------------------------------------------------------

    def append_many(self, batch: Iterable[Append]) -> list[int]:
        """Append several dossiers' events in one transaction (see :class:`DossierStore`)."""
        appends = list(batch)
        return self._write(lambda: self._append_batch(appends))

    def _append_batch(self, appends: list[Append]) -> list[int]:
        db = self._db
        versions: dict[str, int] = {}
        codes = list(dict.fromkeys(a.code for a in appends))
        for first in range(0, len(codes), _CHUNK):  # one query per chunk, not one per dossier
            chunk = codes[first : first + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            versions.update(
                db.execute(
                    f"SELECT code, version FROM dossiers WHERE code IN ({marks})",  # noqa: S608
                    chunk,
                ).fetchall()
            )
        # new dossiers (version 0, the bulk-import case) have nothing to reload
        histories = {code: self._read_events(code) for code in versions}
        keys: dict[str, tuple[str, int, str]] = {}
        for key in {a.idempotency_key for a in appends} - {None}:
            found = db.execute(
                "SELECT code, version, fingerprint FROM idempotency_keys WHERE key = ?", (key,)
            ).fetchone()
            if found:
                keys[str(key)] = (found[0], found[1], found[2])
        plan = plan_batch(
            appends,
            stored_versions=versions,
            histories=histories,
            keys=keys,
            province_of=self._province_of,
        )
        rows = [(plan.previous[c] == 0, _summary_row(s)) for c, s in plan.summaries.items()]
        db.executemany(_INSERT_DOSSIER, [row for new, row in rows if new])
        db.executemany(_UPDATE_DOSSIER, [row for new, row in rows if not new])
        db.executemany(
            "INSERT INTO events (code, seq, kind, at, record) VALUES (?, ?, ?, ?, ?)",
            [
                (code, seq, e.kind, _ts(e.at), record_to_json(event_to_record(e)))
                for code, seq, e in plan.events
            ],
        )
        db.executemany(
            "INSERT INTO idempotency_keys (key, code, version, fingerprint) VALUES (?, ?, ?, ?)",
            plan.keys,
        )
        return plan.versions

    def load_events(self, code: str) -> list[Event]:
        """Every event of a dossier, oldest first (see :class:`DossierStore`)."""
        return self._read(lambda: self._read_events(code))

    def _read_events(self, code: str) -> list[Event]:
        rows = self._db.execute(
            "SELECT seq, record FROM events WHERE code = ? ORDER BY seq", (code,)
        ).fetchall()
        if not rows:
            msg = f"no stored dossier has the code {code!r}"
            raise UnknownDossierError(msg)
        return _events_of(code, rows)

    def find(self, query: DossierQuery | None = None) -> list[DossierSummary]:
        """The summaries ``query`` selects, by code (see :class:`DossierStore`)."""
        sql, params = _select(query or DossierQuery())
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
            by_code = self._read(functools.partial(self._histories, codes))
            for code in codes:
                yield fold_stored(code, _events_of(code, by_code.get(code, [])))

    def _histories(self, codes: list[str]) -> dict[str, list[tuple[int, str]]]:
        marks = ", ".join("?" * len(codes))
        rows = self._db.execute(
            f"SELECT code, seq, record FROM events WHERE code IN ({marks}) "  # noqa: S608
            "ORDER BY code, seq",
            codes,
        ).fetchall()
        by_code: dict[str, list[tuple[int, str]]] = {}
        for code, seq, record in rows:
            by_code.setdefault(code, []).append((seq, record))
        return by_code

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
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _storage_error("begin a write", exc) from exc
            try:
                result = work()
                if self._before_commit is not None:
                    self._before_commit()
                db.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):  # a lost connection committed nothing
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _storage_error("write", exc) from exc
                raise
            return result

    def _read(self, work: Callable[[], T]) -> T:
        with self._lock:
            try:
                return work()
            except sqlite3.Error as exc:
                raise _storage_error("read", exc) from exc

    def _province(self, dossier: Dossier) -> str | None:
        return None if dossier.header is None else self._province_of(dossier.header.subject_unit)


_INSERT_DOSSIER: Final = (
    "INSERT INTO dossiers (status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, running_due, finished_at, timeliness, version, timeline, code) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPDATE_DOSSIER: Final = (
    "UPDATE dossiers SET status = ?, procedure_id = ?, receiving_unit = ?, subject_unit = ?, "
    "province = ?, channel = ?, received_at = ?, appointment = ?, running_due = ?, "
    "finished_at = ?, timeliness = ?, version = ?, timeline = ? WHERE code = ?"
)


def _summary_row(summary: DossierSummary) -> tuple[Any, ...]:
    return (
        summary.status.value,
        summary.procedure_id,
        summary.receiving_unit,
        summary.subject_unit,
        summary.province,
        summary.channel.value,
        _ts(summary.received_at),
        _ts(summary.appointment),
        _ts(summary.running_due),
        _ts(summary.finished_at),
        None if summary.timeliness is None else summary.timeliness.value,
        summary.version,
        timeline_to_text(summary),
        summary.code,
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


def _storage_error(action: str, exc: sqlite3.Error) -> StorageError:
    # sqlite3 messages name tables and constraints, never stored values.
    return StorageError(f"SQLite could not {action}: {exc}")


def _events_of(code: str, rows: Sequence[tuple[int, Any]]) -> list[Event]:
    events: list[Event] = []
    for expected, (seq, text) in enumerate(rows, start=1):
        where = f"dossier {code}, event {seq}"
        if seq != expected:
            msg = f"dossier {code}: event {expected} is missing (found {seq})"
            raise CorruptRecordError(msg)
        events.append(event_from_record(record_from_json(text, where=where), where=where))
    return events


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
        params.append(_ts(query.received_from))
    if query.received_before is not None:
        clauses.append("received_at < ?")
        params.append(_ts(query.received_before))
    if query.overdue_as_of is not None:
        clauses.append("running_due < ?")
        params.append(_ts(query.overdue_as_of))
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
            status=Status(row[1]),
            procedure_id=row[2],
            receiving_unit=row[3],
            subject_unit=row[4],
            province=row[5],
            channel=Channel(row[6]),
            received_at=_from_ts(row[7]),
            appointment=_from_ts(row[8]),
            finished_at=_from_ts(row[9]),
            timeliness=None if row[10] is None else Timeliness(row[10]),
            version=row[11],
            phases=phases,
            apologised_at=apologised,
        )
    except (ValueError, TypeError) as exc:
        msg = f"dossier {code}: the stored summary cannot be read ({type(exc).__name__})"
        raise CorruptRecordError(msg) from exc

"""The PostgreSQL dossier store (psycopg 3; install the ``postgres`` extra).

psycopg is imported when a store is opened, so govtier works without it. Every batch of appends
is one transaction: the dossiers' rows are locked (``SELECT ... FOR UPDATE``), the new events are
folded onto the stored ones and written with the refreshed summary columns. Two writers racing to
create the same dossier are told apart by the primary key: the loser sees a
:class:`~govtier.errors.ConcurrencyError` (or, with the same idempotency key, the winner's result).

Give ``schema`` to keep govtier's tables in their own PostgreSQL schema (created if missing); the
schema's version lives in its ``schema_version`` table and is migrated forward when opened.
Streaming uses a server-side cursor on a connection of its own.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

from govtier.calendar import VIETNAM_TZ
from govtier.catalogue import Channel
from govtier.dossier import Dossier, Event, Status, Timeliness
from govtier.errors import (
    CorruptRecordError,
    SchemaVersionError,
    StorageError,
    UnknownDossierError,
)
from govtier.serialization import event_from_record, event_to_record, record_to_json
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
    summarize,
    timeline_from_text,
    timeline_to_text,
)

if TYPE_CHECKING:
    import psycopg

__all__ = ["MIGRATIONS", "PostgresStore"]

T = TypeVar("T")

_V1: Final = """
CREATE TABLE dossiers (
    code TEXT COLLATE "C" PRIMARY KEY,
    version INTEGER NOT NULL CHECK (version > 0),
    status SMALLINT NOT NULL,
    procedure_id TEXT NOT NULL,
    receiving_unit TEXT NOT NULL,
    subject_unit TEXT NOT NULL,
    province TEXT,
    channel TEXT NOT NULL,
    received_at TIMESTAMPTZ,
    appointment TIMESTAMPTZ,
    running_due TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    timeliness TEXT
);
CREATE TABLE events (
    code TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    seq INTEGER NOT NULL CHECK (seq > 0),
    kind TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    record JSONB NOT NULL,
    PRIMARY KEY (code, seq)
);
CREATE TABLE idempotency_keys (
    key TEXT PRIMARY KEY,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    fingerprint TEXT NOT NULL
);
CREATE TABLE sequences (
    agency TEXT NOT NULL,
    day DATE NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
);
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
# version 2: each summary keeps its timeline (see the SQLite store); version-1 rows are filled
# in from their events when the schema is opened.

MIGRATIONS: Final[list[tuple[int, str]]] = [(1, _V1), (2, _V2)]
"""The forward migrations, ``(version, statements separated by ';')``, oldest first."""

_MIGRATION_LOCK: Final = 0x6F76_7469_6572  # pg_advisory_xact_lock key: one migrator at a time
_RETRIES: Final = 5

_SUMMARY_COLUMNS: Final = (
    "code, status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, finished_at, timeliness, version, timeline"
)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError as exc:
        msg = "PostgresStore needs psycopg 3: pip install 'govtier[postgres]'"
        raise StorageError(msg) from exc
    return psycopg


def _safe_target(conninfo: str) -> str:
    """The server a connection string names, without its password."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(conninfo)
    except Exception:
        return "the given server"
    host, port, db = parts.get("host", "localhost"), parts.get("port", 5432), parts.get("dbname")
    return f"{host}:{port}" + (f"/{db}" if db else "")


class PostgresStore(DossierStore):
    """Dossiers in a PostgreSQL database.

    Args:
        conninfo: a libpq connection string or URL, e.g. ``"postgresql://app@db/govtier"``.
        schema: the PostgreSQL schema for govtier's tables (created if missing); ``None`` uses
            the connection's search path.
        province_of: gives the province code of a unit (default: the bundled unit registry).
        connect_timeout: seconds to wait for the server.

    Raises:
        StorageError: the server cannot be reached or psycopg is missing (the cause says why).
        SchemaVersionError: the schema was written by a newer govtier, or is not govtier's.
    """

    def __init__(
        self,
        conninfo: str = "",
        *,
        schema: str | None = None,
        province_of: ProvinceResolver | None = None,
        connect_timeout: int = 10,
    ) -> None:
        self._pg = _psycopg()
        self._conninfo = conninfo
        self._schema = schema
        self._connect_timeout = connect_timeout
        self._province_of = province_of or bundled_province_of
        self._lock = threading.RLock()
        self._before_commit: Callable[[], None] | None = None  # fault injection in tests
        self._conn = self._connect()
        try:
            self.schema_version = self._run(self._migrate, "open the schema")
        except BaseException:
            self._conn.close()
            raise

    # -- connections --------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        pg = self._pg
        try:
            conn: psycopg.Connection[Any] = pg.connect(
                self._conninfo, autocommit=True, connect_timeout=self._connect_timeout
            )
        except pg.Error as exc:
            msg = f"cannot connect to PostgreSQL at {_safe_target(self._conninfo)}: {exc}"
            raise StorageError(msg) from exc
        try:
            if self._schema is not None:
                sql = pg.sql
                name = sql.Identifier(self._schema)
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(name))
                conn.execute(sql.SQL("SET search_path TO {}").format(name))
            conn.execute("SET TIME ZONE 'UTC'")
        except pg.Error as exc:
            conn.close()
            raise _storage_error("prepare the connection", exc) from exc
        return conn

    def _live(self) -> psycopg.Connection[Any]:
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _run(self, work: Callable[[psycopg.Connection[Any]], T], action: str) -> T:
        """Run ``work`` in one transaction, retrying races the database resolves by aborting."""
        pg = self._pg
        errors = pg.errors
        retry = (errors.UniqueViolation, errors.SerializationFailure, errors.DeadlockDetected)
        with self._lock:
            for attempt in range(_RETRIES):
                conn = self._live()
                try:
                    with conn.transaction():
                        result = work(conn)
                        if self._before_commit is not None:
                            self._before_commit()
                    return result
                except retry as exc:
                    if attempt == _RETRIES - 1:
                        raise _storage_error(action, exc) from exc
                except pg.Error as exc:
                    raise _storage_error(action, exc) from exc
            raise AssertionError  # pragma: no cover  (the loop returns or raises)

    def _read(self, query: bytes, params: Sequence[Any], action: str) -> list[tuple[Any, ...]]:
        """The rows of one read-only statement (autocommit: no transaction round trips)."""
        with self._lock:
            try:
                return self._live().execute(query, params).fetchall()
            except self._pg.Error as exc:
                raise _storage_error(action, exc) from exc

    # -- schema -------------------------------------------------------------------------------

    def _migrate(self, conn: psycopg.Connection[Any]) -> int:
        latest = MIGRATIONS[-1][0]
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        where = "schema " + (self._schema or "on the search path")
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }
        if "schema_version" in tables:
            row = conn.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else None
            if not isinstance(version, int):
                msg = f"PostgreSQL {where}: the schema_version table holds no version"
                raise SchemaVersionError(msg)
        elif tables:
            names = ", ".join(sorted(tables))
            msg = (
                f"PostgreSQL {where} is not govtier's (no schema_version table; it has tables "
                f"{names}); refusing to touch it"
            )
            raise SchemaVersionError(msg)
        else:
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            version = 0
        if version > latest:
            msg = (
                f"PostgreSQL {where} has schema version {version}; this govtier knows versions "
                f"up to {latest}. Upgrade govtier to open it (nothing was changed)"
            )
            raise SchemaVersionError(msg)
        for number, script in MIGRATIONS:
            if number > version:
                for statement in script.split(";"):
                    if statement.strip():
                        conn.execute(statement.encode())
                conn.execute("UPDATE schema_version SET version = %s", (number,))
                version = number
        if version >= 2:
            _fill_timelines(conn)
        return version

    # -- the port -----------------------------------------------------------------------------

    def append_many(self, batch: Iterable[Append]) -> list[int]:
        """Append several dossiers' events in one transaction (see :class:`DossierStore`)."""
        appends = list(batch)
        return self._run(lambda conn: self._append_batch(conn, appends), "append")

    def _append_batch(self, conn: psycopg.Connection[Any], appends: list[Append]) -> list[int]:
        codes = sorted({a.code for a in appends})  # lock in one order: no deadlocks between us
        versions = dict(
            conn.execute(
                "SELECT code, version FROM dossiers WHERE code = ANY(%s) ORDER BY code FOR UPDATE",
                (codes,),
            ).fetchall()
        )
        histories: dict[str, list[Event]] = {}
        if versions:
            rows = conn.execute(
                "SELECT code, seq, record FROM events WHERE code = ANY(%s) ORDER BY code, seq",
                (sorted(versions),),
            ).fetchall()
            histories = _histories(rows)
        names = sorted({a.idempotency_key for a in appends if a.idempotency_key is not None})
        keys: dict[str, tuple[str, int, str]] = {}
        if names:
            for key, code, version, fingerprint in conn.execute(
                "SELECT key, code, version, fingerprint FROM idempotency_keys WHERE key = ANY(%s)",
                (names,),
            ):
                keys[key] = (code, version, fingerprint)
        plan = plan_batch(
            appends,
            stored_versions=versions,
            histories=histories,
            keys=keys,
            province_of=self._province_of,
        )
        with conn.cursor() as cur:
            new = [_summary_row(s) for c, s in plan.summaries.items() if plan.previous[c] == 0]
            old = [_summary_row(s) for c, s in plan.summaries.items() if plan.previous[c] != 0]
            if new:
                cur.executemany(_INSERT_DOSSIER, new)
            if old:
                cur.executemany(_UPDATE_DOSSIER, old)
            if plan.events:
                cur.executemany(
                    "INSERT INTO events (code, seq, kind, at, record) "
                    "VALUES (%s, %s, %s, %s, %s::jsonb)",
                    [
                        (code, seq, e.kind, e.at, record_to_json(event_to_record(e)))
                        for code, seq, e in plan.events
                    ],
                )
            if plan.keys:
                cur.executemany(
                    "INSERT INTO idempotency_keys (key, code, version, fingerprint) "
                    "VALUES (%s, %s, %s, %s)",
                    plan.keys,
                )
        return plan.versions

    def load_events(self, code: str) -> list[Event]:
        """Every event of a dossier, oldest first (see :class:`DossierStore`)."""
        rows = self._read(
            b"SELECT code, seq, record FROM events WHERE code = %s ORDER BY seq",
            (code,),
            "read a dossier",
        )
        if not rows:
            msg = f"no stored dossier has the code {code!r}"
            raise UnknownDossierError(msg)
        return _histories(rows)[code]

    def find(self, query: DossierQuery | None = None) -> list[DossierSummary]:
        """The summaries ``query`` selects, by code (see :class:`DossierStore`)."""
        sql, params = _select(query or DossierQuery())
        rows = self._read(sql.encode(), params, "query")
        return [_summary(row) for row in rows]

    def stream(
        self, query: DossierQuery | None = None, *, batch_size: int = 500
    ) -> Iterator[Dossier]:
        """Every selected dossier in full, by code, through a server-side cursor (see the port).

        The stream reads on a connection of its own, in one transaction (a consistent snapshot);
        close the iterator (or read it to the end) to release it.
        """
        check_batch_size(batch_size)
        return self._stream(query or DossierQuery(), batch_size)

    def _stream(self, query: DossierQuery, batch_size: int) -> Iterator[Dossier]:
        pg = self._pg
        sql, params = _select(query)
        joined = (
            f"SELECT d.code, e.seq, e.record FROM ({sql}) AS d "  # noqa: S608 (constant SQL)
            "JOIN events AS e ON e.code = d.code ORDER BY d.code, e.seq"
        )
        conn = self._connect()
        try:
            with conn.transaction(), conn.cursor(name="govtier_stream") as cur:
                cur.itersize = batch_size * 8
                cur.execute(joined.encode(), params)
                code: str | None = None
                rows: list[tuple[str, int, Any]] = []
                for row in cur:
                    if row[0] != code and rows:
                        yield fold_stored(rows[0][0], _histories(rows)[rows[0][0]])
                        rows = []
                    code = row[0]
                    rows.append(row)
                if rows:
                    yield fold_stored(rows[0][0], _histories(rows)[rows[0][0]])
        except pg.Error as exc:
            raise _storage_error("stream dossiers", exc) from exc
        finally:
            conn.close()

    def stream_summaries(
        self, query: DossierQuery | None = None, *, batch_size: int = 1000
    ) -> Iterator[DossierSummary]:
        """The summaries ``query`` selects, by code, through a server-side cursor (see the port).

        Like :meth:`stream`, it reads on a connection of its own in one transaction; close the
        iterator (or read it to the end) to release it.
        """
        check_batch_size(batch_size)
        return self._stream_summaries(query or DossierQuery(), batch_size)

    def _stream_summaries(self, query: DossierQuery, batch_size: int) -> Iterator[DossierSummary]:
        pg = self._pg
        sql, params = _select(query)
        conn = self._connect()
        try:
            with conn.transaction(), conn.cursor(name="govtier_summaries") as cur:
                cur.itersize = batch_size
                cur.execute(sql.encode(), params)
                for row in cur:
                    yield _summary(row)
        except pg.Error as exc:
            raise _storage_error("stream summaries", exc) from exc
        finally:
            conn.close()

    def next_sequence(self, agency: str, day: dt.date) -> int:
        """The next sequence number of ``agency`` on ``day``, atomically (see the port)."""
        check_sequence_args(agency, day)

        def bump(conn: psycopg.Connection[Any]) -> int:
            row = conn.execute(
                "INSERT INTO sequences AS s (agency, day, value) VALUES (%s, %s, 1) "
                "ON CONFLICT (agency, day) DO UPDATE SET value = s.value + 1 RETURNING s.value",
                (agency, day),
            ).fetchone()
            assert row is not None  # noqa: S101  (RETURNING always gives the row)
            return int(row[0])

        return self._run(bump, "hand out a sequence number")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


_INSERT_DOSSIER: Final = (
    "INSERT INTO dossiers (status, procedure_id, receiving_unit, subject_unit, province, channel, "
    "received_at, appointment, running_due, finished_at, timeliness, version, timeline, code) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
_UPDATE_DOSSIER: Final = (
    "UPDATE dossiers SET status = %s, procedure_id = %s, receiving_unit = %s, subject_unit = %s, "
    "province = %s, channel = %s, received_at = %s, appointment = %s, running_due = %s, "
    "finished_at = %s, timeliness = %s, version = %s, timeline = %s WHERE code = %s"
)


def _summary_row(summary: DossierSummary) -> tuple[Any, ...]:
    return (
        summary.status.value,
        summary.procedure_id,
        summary.receiving_unit,
        summary.subject_unit,
        summary.province,
        summary.channel.value,
        summary.received_at,
        summary.appointment,
        summary.running_due,
        summary.finished_at,
        None if summary.timeliness is None else summary.timeliness.value,
        summary.version,
        timeline_to_text(summary),
        summary.code,
    )


def _fill_timelines(conn: psycopg.Connection[Any]) -> None:
    """Fill the timeline of summaries written before version 2, from their events."""
    codes = [r[0] for r in conn.execute(b"SELECT code FROM dossiers WHERE timeline IS NULL")]
    for code in codes:
        rows = conn.execute(
            b"SELECT code, seq, record FROM events WHERE code = %s ORDER BY seq", (code,)
        ).fetchall()
        dossier = fold_stored(code, _histories(rows).get(code, []))
        text = timeline_to_text(summarize(dossier, province=None))
        conn.execute(b"UPDATE dossiers SET timeline = %s WHERE code = %s", (text, code))


def _storage_error(action: str, exc: Exception) -> StorageError:
    # The driver's message can quote row values (personal data); it stays in __cause__ only.
    state = getattr(exc, "sqlstate", None)
    detail = f"SQLSTATE {state}" if state else type(exc).__name__
    return StorageError(f"PostgreSQL could not {action} ({detail}); see the cause")


def _histories(rows: Sequence[Sequence[Any]]) -> dict[str, list[Event]]:
    """Events by code from ``(code, seq, record)`` rows ordered by code and seq."""
    grouped: dict[str, list[Event]] = {}
    for code, seq, record in rows:
        events = grouped.setdefault(code, [])
        where = f"dossier {code}, event {seq}"
        if seq != len(events) + 1:
            msg = f"dossier {code}: event {len(events) + 1} is missing (found {seq})"
            raise CorruptRecordError(msg)
        events.append(event_from_record(record, where=where))
    return grouped


def _select(query: DossierQuery) -> tuple[str, list[Any]]:
    """The SELECT for ``query``: fixed clauses, every value a parameter."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.status is not None:
        clauses.append("status = ANY(%s)")
        params.append(sorted(s.value for s in query.status))
    if query.unit is not None:
        clauses.append("(receiving_unit = %s OR subject_unit = %s)")
        params.extend((query.unit, query.unit))
    if query.province is not None:
        clauses.append("province = %s")
        params.append(query.province)
    if query.procedure_id is not None:
        clauses.append("procedure_id = %s")
        params.append(query.procedure_id)
    if query.channel is not None:
        clauses.append("channel = %s")
        params.append(query.channel.value)
    if query.received_from is not None:
        clauses.append("received_at >= %s")
        params.append(query.received_from)
    if query.received_before is not None:
        clauses.append("received_at < %s")
        params.append(query.received_before)
    if query.overdue_as_of is not None:
        clauses.append("running_due < %s")
        params.append(query.overdue_as_of)
    if query.after is not None:
        clauses.append("code > %s")
        params.append(query.after)
    sql = f"SELECT {_SUMMARY_COLUMNS} FROM dossiers"  # noqa: S608 (constant fragments only)
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY code"
    if query.limit is not None:
        sql += " LIMIT %s"
        params.append(query.limit)
    return sql, params


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(VIETNAM_TZ)


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
            received_at=_local(row[7]),
            appointment=_local(row[8]),
            finished_at=_local(row[9]),
            timeliness=None if row[10] is None else Timeliness(row[10]),
            version=row[11],
            phases=phases,
            apologised_at=apologised,
        )
    except (ValueError, TypeError) as exc:
        msg = f"dossier {code}: the stored summary cannot be read ({type(exc).__name__})"
        raise CorruptRecordError(msg) from exc

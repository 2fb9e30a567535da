"""A year of a province's dossiers, end to end: generate -> store -> report.

    python benchmarks/bench_scale.py [--dossiers N] [--only sqlite|postgres] [--batch B] [--rows]

For each store: journeys from ``govtier.testing.generator`` (resolve the competent authority,
receive, the events of the journey) are appended in batches of ``B`` with ``append_many`` into a
fresh store (a temporary SQLite file; a fresh PostgreSQL schema at GOVTIER_TEST_POSTGRES_URL,
default postgresql://postgres@127.0.0.1:5432/test, skipped when none answers). Then the report
over the stored year (``report(store.stream_summaries(), group_by=("commune", "month"))``) runs
in a fresh process, whose peak resident memory is measured (``VmHWM`` of the child: Linux keeps
``ru_maxrss`` across fork and exec, so a child of a large parent would report the parent's
peak), and its totals are checked against the outcomes the generator intended. The store is
dropped afterwards.

Side by side, in the same run, the *compact-row limit*: the same rows as govtier stores (integer
ids, ~100 bytes of payload an event, the same seven secondary indexes), inserted with
``executemany`` in one transaction per batch (SQLite: a row an event) or with COPY (PostgreSQL: a
dossier's events packed in one row, as ``PostgresStore`` packs the events an append brings),
without govtier.
The ratios govtier / limit are of CPU seconds (the store's part only: generating the journeys is
measured apart) and of bytes per dossier.

N defaults to GOVTIER_BENCH_DOSSIERS or 100,000; 1,100,000 is a year of Hà Nội.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from govtier import VIETNAM_TZ, StorageError
from govtier.dossier import Timeliness
from govtier.reporting import report
from govtier.storage import DossierStore, PostgresStore, SQLiteStore
from govtier.testing.generator import YEAR_START, journeys

URL = os.environ.get("GOVTIER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
AS_OF = dt.datetime.combine(YEAR_START + dt.timedelta(days=800), dt.time(12), tzinfo=VIETNAM_TZ)
DEFAULT = int(os.environ.get("GOVTIER_BENCH_DOSSIERS", "100000"))


def load(store: DossierStore, count: int, batch: int, seed: int) -> dict[str, Any]:
    """Generate and store ``count`` journeys; the intended outcomes are tallied on the way."""
    intended: collections.Counter[str] = collections.Counter()
    events = 0
    wall, cpu = time.perf_counter(), time.process_time()
    store_wall = store_cpu = 0.0
    pending = []
    per_batch: list[float] = []

    def write() -> None:
        nonlocal store_wall, store_cpu
        w, c = time.perf_counter(), time.process_time()
        store.append_many(pending)
        store_wall += time.perf_counter() - w
        spent = time.process_time() - c
        store_cpu += spent
        per_batch.append(spent)

    for journey in journeys(count, seed=seed):
        goal = journey.intended
        intended[goal.path] += 1
        if goal.timeliness is not None:
            intended[goal.timeliness.name.lower()] += 1
        events += len(journey.events)
        pending.append(journey.to_append())
        if len(pending) == batch:
            write()
            pending = []
    if pending:
        write()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seconds": wall,
        "cpu": cpu,
        "store_seconds": store_wall,
        "store_cpu": store_cpu,
        "batch_growth": growth(per_batch),
        "events": events,
        "intended": dict(intended),
    }


def growth(per_batch: list[float]) -> float:
    """The mean CPU of the last tenth of the batches over that of the first tenth."""
    tenth = max(1, len(per_batch) // 10)
    first, last = per_batch[:tenth], per_batch[-tenth:]
    return (sum(last) / len(last)) / max(sum(first) / len(first), 1e-9)


_PAYLOAD = "x" * 100


def limit_sqlite(path: str, count: int, events: int, batch: int) -> dict[str, float]:
    """The compact-row limit on SQLite: the same rows, no govtier, executemany per batch."""
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA page_size = 8192")
    db.execute("PRAGMA cache_size = -65536")  # SQLiteStore's page size and page cache (64 MiB)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(
        "CREATE TABLE dossiers (id INTEGER PRIMARY KEY, code TEXT UNIQUE, status INTEGER, "
        "procedure_id TEXT, receiving_unit TEXT, subject_unit TEXT, province TEXT, "
        "received_at INTEGER, running_due INTEGER, payload TEXT)"
    )
    db.execute(
        "CREATE TABLE events (dossier INTEGER, seq INTEGER, at INTEGER, payload TEXT, "
        "PRIMARY KEY (dossier, seq)) WITHOUT ROWID"
    )
    for column in ("status", "receiving_unit", "subject_unit", "province", "procedure_id"):
        db.execute(f"CREATE INDEX d_{column} ON dossiers ({column}, code)")
    db.execute("CREATE INDEX d_received ON dossiers (received_at)")
    db.execute("CREATE INDEX d_due ON dossiers (running_due) WHERE running_due IS NOT NULL")
    per = events / count
    wall, cpu = time.perf_counter(), time.process_time()
    done_events = 0
    per_batch: list[float] = []
    for first in range(0, count, batch):
        ids = range(first + 1, min(first + batch, count) + 1)
        rows = [
            (
                i,
                f"H01.{i % 126:05d}-260302-{i:07d}",
                i % 9,
                f"proc.{i % 40}",
                f"{i % 126:05d}",
                f"{i % 126:05d}",
                "01",
                1_760_000_000_000_000 + i,
                None if i % 3 else i,
                _PAYLOAD,
            )
            for i in ids
        ]
        want = round(per * ids[-1]) - done_events
        erows = [(ids[n % len(ids)], n // len(ids) + 1, n, _PAYLOAD) for n in range(want)]
        done_events += want
        started = time.process_time()
        db.execute("BEGIN")
        db.executemany("INSERT INTO dossiers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", erows)
        db.execute("COMMIT")
        per_batch.append(time.process_time() - started)
    result = {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "growth": growth(per_batch),
    }
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    result["bytes"] = Path(path).stat().st_size
    return result


def limit_postgres(count: int, events: int, batch: int) -> dict[str, float] | None:
    """The compact-row limit on PostgreSQL: the same rows, no govtier, COPY per batch."""
    import psycopg
    from psycopg import sql

    schema = f"govtier_limit_{uuid.uuid4().hex[:8]}"
    try:
        conn = psycopg.connect(URL, autocommit=True, connect_timeout=3)
    except psycopg.Error:
        return None
    try:
        ident = sql.Identifier(schema)
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(ident))
        conn.execute(sql.SQL("SET search_path TO {}").format(ident))
        conn.execute(
            'CREATE TABLE dossiers (id BIGINT PRIMARY KEY, code TEXT COLLATE "C" UNIQUE, '
            "status SMALLINT, procedure_id TEXT, receiving_unit TEXT, subject_unit TEXT, "
            "province TEXT, received_at BIGINT, running_due BIGINT, payload TEXT)"
        )
        conn.execute(
            "CREATE TABLE events (dossier BIGINT, seq INTEGER, at BIGINT, payload TEXT, "
            "PRIMARY KEY (dossier, seq))"
        )
        for column in ("status", "receiving_unit", "province", "procedure_id"):
            conn.execute(f"CREATE INDEX d_{column} ON dossiers ({column}, code)".encode())
        conn.execute(  # as PostgresStore's: the unit query's other half needs no more
            "CREATE INDEX d_subject_unit ON dossiers (subject_unit, code) "
            "WHERE subject_unit <> receiving_unit"
        )
        conn.execute("CREATE INDEX d_received ON dossiers (received_at)")
        conn.execute("CREATE INDEX d_due ON dossiers (running_due) WHERE running_due IS NOT NULL")
        per = events / count
        wall, cpu = time.perf_counter(), time.process_time()
        done_events = 0
        per_batch: list[float] = []
        for first in range(0, count, batch):
            ids = range(first + 1, min(first + batch, count) + 1)
            want = round(per * ids[-1]) - done_events
            done_events += want
            started = time.process_time()
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("COPY dossiers FROM STDIN") as copy:
                    for i in ids:
                        copy.write_row(
                            (
                                i,
                                f"H01.{i % 126:05d}-260302-{i:07d}",
                                i % 9,
                                f"proc.{i % 40}",
                                f"{i % 126:05d}",
                                f"{i % 126:05d}",
                                "01",
                                1_760_000_000_000_000 + i,
                                None if i % 3 else i,
                                _PAYLOAD,
                            )
                        )
                with cur.copy("COPY events FROM STDIN") as copy:  # packed, as govtier's are
                    each, more = divmod(want, len(ids))
                    for j, i in enumerate(ids):
                        if events_of := each + (j < more):
                            copy.write_row((i, 1, i, _PAYLOAD * events_of))
            per_batch.append(time.process_time() - started)
        result = {
            "seconds": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
            "growth": growth(per_batch),
        }
        result["bytes"] = schema_bytes(conn, schema)
        return result
    finally:
        conn.close()
        drop_schema(schema)


def schema_bytes(conn: Any, schema: str) -> int:
    """Every table and index of a PostgreSQL schema, in bytes (after a checkpoint of stats)."""
    row = conn.execute(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'm')",
        (schema,),
    ).fetchone()
    return int(row[0])


def report_child(kind: str, target: str, schema: str | None) -> None:
    """Run in a fresh process: the report over the whole store; prints JSON with peak memory."""
    store: DossierStore = (
        SQLiteStore(target) if kind == "sqlite" else PostgresStore(target, schema=schema)
    )
    start = time.perf_counter()
    result = report(
        store.stream_summaries(batch_size=5000), as_of=AS_OF, group_by=("commune", "month")
    )
    seconds = time.perf_counter() - start
    store.close()
    peak = clean_peak_mib()
    total = result.total
    print(
        json.dumps(
            {
                "seconds": seconds,
                "peak_mib": peak,
                "groups": len(result.groups),
                "received": total.received,
                "early": total.early,
                "on_time": total.on_time,
                "late": total.late,
                "refused": total.refused,
                "withdrawn": total.withdrawn,
                "stopped": total.stopped,
                "resolved": total.resolved,
            }
        )
    )


def clean_peak_mib() -> float:
    """This process's own peak resident memory (VmHWM: reset by exec, unlike ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def run_report(kind: str, target: str, schema: str | None) -> dict[str, Any]:
    args = [sys.executable, __file__, "--report-child", kind, target, schema or ""]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def check(figures: dict[str, Any], intended: dict[str, int]) -> str:
    """Whether the report counts what the generator intended."""
    pairs = [
        ("early", intended.get(Timeliness.EARLY.name.lower(), 0)),
        ("on_time", intended.get(Timeliness.ON_TIME.name.lower(), 0)),
        ("late", intended.get(Timeliness.LATE.name.lower(), 0)),
        ("refused", intended.get("refused", 0)),
        ("withdrawn", intended.get("withdrawn", 0)),
        ("stopped", intended.get("stopped", 0)),
    ]
    wrong = [f"{k} {figures[k]} != {v}" for k, v in pairs if figures[k] != v]
    return "report == intended" if not wrong else "MISMATCH " + ", ".join(wrong)


def bench(kind: str, count: int, batch: int) -> dict[str, Any] | None:
    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sqlite":
            target = str(Path(tmp) / "year.db")
            store: DossierStore = SQLiteStore(target)
        else:
            target, schema = URL, f"govtier_scale_{uuid.uuid4().hex[:8]}"
            try:
                store = PostgresStore(URL, schema=schema, connect_timeout=3)
            except StorageError as exc:
                print(f"postgres skipped: {exc}", file=sys.stderr)
                return None
        try:
            loaded = load(store, count, batch, seed=2025)
            store.close()
            if kind == "sqlite":
                size = Path(target).stat().st_size
                limit = limit_sqlite(str(Path(tmp) / "limit.db"), count, loaded["events"], batch)
            else:
                import psycopg

                with psycopg.connect(URL, autocommit=True) as conn:
                    size = schema_bytes(conn, schema or "")
                limit = limit_postgres(count, loaded["events"], batch)
            figures = run_report(kind, target, schema)
        finally:
            if schema is not None:
                drop_schema(schema)
    rate = count / loaded["seconds"]
    return {
        "store": kind,
        "dossiers": count,
        "events": loaded["events"],
        "load_seconds": loaded["seconds"],
        "load_cpu": loaded["cpu"],
        "dossiers_per_s": rate,
        "events_per_s": loaded["events"] / loaded["seconds"],
        "size_mib": size / 2**20,
        "store_seconds": loaded["store_seconds"],
        "store_cpu": loaded["store_cpu"],
        "batch_growth": loaded["batch_growth"],
        "bytes_per_dossier": size / count,
        "bytes_per_event": size / loaded["events"],
        "limit": None
        if limit is None
        else {
            "seconds": limit["seconds"],
            "cpu": limit["cpu"],
            "bytes_per_dossier": limit["bytes"] / count,
            "cpu_ratio": loaded["store_cpu"] / limit["cpu"],
            "wall_ratio": loaded["store_seconds"] / limit["seconds"],
            "bytes_ratio": size / limit["bytes"],
            "growth": limit["growth"],
        },
        "report_seconds": figures["seconds"],
        "report_peak_mib": figures["peak_mib"],
        "report_groups": figures["groups"],
        "check": check(figures, loaded["intended"]),
    }


def drop_schema(schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--report-child":
        kind, target, schema = sys.argv[2], sys.argv[3], sys.argv[4] or None
        report_child(kind, target, schema)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=DEFAULT)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--rows", action="store_true", help="print JSON rows for run_all.py")
    args = parser.parse_args()
    results = []
    for kind in ("sqlite", "postgres"):
        if args.only in (None, kind):
            result = bench(kind, args.dossiers, args.batch)
            if result is not None:
                results.append(result)
                lim = result["limit"] or {}
                line = (
                    f"{kind:<9} {result['dossiers']:>9,} dossiers {result['events']:>10,} events"
                    f" in {result['load_seconds']:7.1f} s: {result['dossiers_per_s']:7,.0f}"
                    f" dossiers/s ({result['load_cpu']:.0f} s CPU, store"
                    f" {result['store_cpu']:.1f} s CPU, {result['bytes_per_dossier']:,.0f}"
                    f" B/dossier, {result['bytes_per_event']:,.0f} B/event; limit"
                    f" {lim.get('cpu', 0):.1f} s CPU {lim.get('bytes_per_dossier', 0):,.0f}"
                    f" B/dossier: x{lim.get('cpu_ratio', 0):.1f} CPU, x"
                    f"{lim.get('bytes_ratio', 0):.2f} bytes); report"
                    f" {result['report_seconds']:5.1f} s, peak {result['report_peak_mib']:.0f}"
                    f" MiB, {result['report_groups']:,} groups; {result['check']}"
                )
                print(line, file=sys.stderr if args.rows else sys.stdout, flush=True)
    if args.rows:
        print("ROWS " + json.dumps(results))


if __name__ == "__main__":
    main()

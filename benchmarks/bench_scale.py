"""A year of a province's dossiers, end to end: generate -> store -> report.

    python benchmarks/bench_scale.py [--dossiers N] [--only sqlite|postgres] [--batch B] [--rows]

For each store: journeys from ``govtier.testing.generator`` (resolve the competent authority,
receive, the events of the journey) are appended in batches of ``B`` with ``append_many`` into a
fresh store (a temporary SQLite file; a fresh PostgreSQL schema at GOVTIER_TEST_POSTGRES_URL,
default postgresql://postgres@127.0.0.1:5432/test, skipped when none answers). Then the report
over the stored year (``report(store.stream_summaries(), group_by=("commune", "month"))``) runs
in a fresh process, whose peak resident memory is measured, and its totals are checked against
the outcomes the generator intended. The store is dropped afterwards.

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
    pending = []
    for journey in journeys(count, seed=seed):
        goal = journey.intended
        intended[goal.path] += 1
        if goal.timeliness is not None:
            intended[goal.timeliness.name.lower()] += 1
        events += len(journey.events)
        pending.append(journey.to_append())
        if len(pending) == batch:
            store.append_many(pending)
            pending = []
    if pending:
        store.append_many(pending)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"seconds": wall, "cpu": cpu, "events": events, "intended": dict(intended)}


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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
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
            size = Path(target).stat().st_size if kind == "sqlite" else None
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
        "size_mib": None if size is None else size / 2**20,
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
                line = (
                    f"{kind:<9} {result['dossiers']:>9,} dossiers {result['events']:>10,} events"
                    f" in {result['load_seconds']:7.1f} s: {result['dossiers_per_s']:7,.0f}"
                    f" dossiers/s ({result['load_cpu']:.0f} s CPU); report"
                    f" {result['report_seconds']:5.1f} s, peak {result['report_peak_mib']:.0f}"
                    f" MiB, {result['report_groups']:,} groups; {result['check']}"
                )
                print(line, file=sys.stderr if args.rows else sys.stdout, flush=True)
    if args.rows:
        print("ROWS " + json.dumps(results))


if __name__ == "__main__":
    main()

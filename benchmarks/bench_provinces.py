"""Several worker processes writing different provinces into one PostgreSQL schema at once.

    python benchmarks/bench_provinces.py [--dossiers N] [--workers 1,2,4] [--rows]

For each worker count W, a fresh schema receives N dossiers in total: W processes each generate
and append N / W journeys of their own province (Hà Nội, TP Hồ Chí Minh, Đà Nẵng, Hải Phòng, ...),
in batches of 2,000, at the same time. Prints the combined dossiers per second and the speed-up
over one worker. Each worker is one connection, as ``PostgresStore`` expects. N defaults to
GOVTIER_BENCH_DOSSIERS / 5 or 20,000.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import uuid

URL = os.environ.get("GOVTIER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PROVINCES = ("01", "79", "48", "31", "92", "46", "22", "38")
DEFAULT = int(os.environ.get("GOVTIER_BENCH_DOSSIERS", "100000")) // 5


def worker(province: str, count: int, schema: str) -> None:
    from govtier.storage import PostgresStore
    from govtier.testing.generator import journeys

    store = PostgresStore(URL, schema=schema)
    start = time.perf_counter()
    batch = []
    for journey in journeys(count, seed=int(province), province=province):
        batch.append(journey.to_append())
        if len(batch) == 2000:
            store.append_many(batch)
            batch = []
    if batch:
        store.append_many(batch)
    store.close()
    print(json.dumps({"province": province, "seconds": time.perf_counter() - start}))


def run(workers: int, total: int) -> float | None:
    import psycopg
    from psycopg import sql

    from govtier import StorageError
    from govtier.storage import PostgresStore

    schema = f"govtier_provinces_{uuid.uuid4().hex[:8]}"
    try:
        PostgresStore(URL, schema=schema, connect_timeout=3).close()  # create the tables once
    except StorageError as exc:
        print(f"postgres skipped: {exc}", file=sys.stderr)
        return None
    try:
        start = time.perf_counter()
        procs = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", PROVINCES[i], str(total // workers), schema],
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(workers)
        ]
        for proc in procs:
            proc.communicate()
            if proc.returncode:
                raise RuntimeError("a worker failed")
        return total // workers * workers / (time.perf_counter() - start)
    finally:
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=max(DEFAULT, 2000))
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--rows", action="store_true")
    args = parser.parse_args()
    rates: dict[str, float] = {}
    for workers in (int(w) for w in args.workers.split(",")):
        rate = run(workers, args.dossiers)
        if rate is None:
            break
        rates[str(workers)] = rate
        base = rates.get("1", rate)
        print(
            f"{workers} worker(s), {workers} province(s): {rate:8,.0f} dossiers/s"
            f"  ({rate / base:.2f}x one worker)",
            file=sys.stderr if args.rows else sys.stdout,
            flush=True,
        )
    if args.rows:
        print("ROWS " + json.dumps({"dossiers": args.dossiers, "rates": rates}))


if __name__ == "__main__":
    main()

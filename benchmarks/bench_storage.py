"""Measure the dossier stores: bulk import, single appends, loads and the overdue query.

    python benchmarks/bench_storage.py [DOSSIERS] [--only sqlite|postgres]

DOSSIERS defaults to 100,000. SQLite runs in a temporary file; PostgreSQL in a fresh schema
(dropped afterwards) of the server at GOVTIER_TEST_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/test), skipped with a note when none answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from govtier import VIETNAM_TZ, Duration, StorageError
from govtier.catalogue import Channel
from govtier.dossier import (
    Applicant,
    Decided,
    DossierHeader,
    Event,
    Outcome,
    Received,
    Returned,
    Transferred,
)
from govtier.storage import (
    RUNNING_STATUSES,
    Append,
    DossierQuery,
    DossierStore,
    PostgresStore,
    SQLiteStore,
)

URL = os.environ.get("GOVTIER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=VIETNAM_TZ)
UNITS = ("00004", "00008", "00025", "26740", "27043", "20194")
PROCEDURES = ("civil-status.birth", "civil-status.marriage", "residence.permanent")
BATCH = 1000


def code_of(n: int) -> str:
    return f"G01.20.01-{n // 9999:06d}-{n % 9999 + 1:04d}"


def history(n: int, rng: random.Random) -> tuple[Event, ...]:
    """1 to 4 events: received, maybe transferred, maybe decided and returned."""
    unit = UNITS[n % len(UNITS)]
    header = DossierHeader(
        code=code_of(n),
        procedure_id=PROCEDURES[n % len(PROCEDURES)],
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký khai sinh",
        receiving_unit=unit,
        subject_unit=unit,
        competent="UBND",
        returns_at="counter",
        channel=Channel.ONLINE if n % 3 else Channel.IN_PERSON,
        applicant=Applicant(name=f"Người nộp {n}", id_number=f"{n:012d}"),
        time_limit=Duration.working_days(3),
    )
    at = START + dt.timedelta(minutes=3 * n)
    events: list[Event] = [
        Received(at=at, actor="clerk", appointment=at + dt.timedelta(days=5), header=header)
    ]
    roll = rng.random()
    if roll > 0.3:
        events.append(Transferred(at=at + dt.timedelta(hours=2), actor="clerk", step=0, to="x"))
    if roll > 0.6:
        done = at + dt.timedelta(days=rng.choice((2, 4, 8)))
        events.append(Decided(at=done, actor="chair", outcome=Outcome.GRANTED, document="QĐ"))
        events.append(Returned(at=done + dt.timedelta(hours=1), actor="clerk"))
    return tuple(events)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(name: str, opener: Callable[[], DossierStore], count: int) -> None:
    rng = random.Random(2026)
    store = opener()
    events_total = 0

    def batches() -> Iterator[list[Append]]:
        nonlocal events_total
        for first in range(0, count, BATCH):
            batch = []
            for n in range(first, min(first + BATCH, count)):
                events = history(n, rng)
                events_total += len(events)
                batch.append(Append(code=code_of(n), events=events, expected_version=0))
            yield batch

    write = 0.0
    for batch in batches():  # building the events is not timed
        write += timed(lambda batch=batch: store.append_many(batch))
    rates = f"{count / write:>10,.0f} dossiers/s {events_total / write:>10,.0f} events/s"
    print(f"{name:<10} bulk import  {rates}   ({count:,} dossiers in {write:.1f} s)")

    sample = [code_of(n) for n in rng.sample(range(count), min(2000, count))]
    open_codes = [s.code for s in store.find(DossierQuery(status=RUNNING_STATUSES))]
    open_codes = sorted(set(sample) & set(open_codes))

    def single_appends() -> None:
        for code in open_codes:
            dossier = store.load(code)
            at = dossier.events[-1].at + dt.timedelta(hours=1)
            step = len(dossier.clock.steps)
            event = Transferred(at=at, actor="b", step=step, to="y")
            store.append(code, [event], expected_version=dossier.version)

    seconds = timed(single_appends)
    rate = f"{len(open_codes) / seconds:>10,.0f} appends/s"
    print(f"{name:<10} load+append  {rate} (a load, then one transaction; {len(open_codes):,})")

    picks = [code_of(rng.randrange(count)) for _ in range(5000)]
    seconds = timed(lambda: [store.load(c) for c in picks])
    print(f"{name:<10} load         {len(picks) / seconds:>10,.0f} loads/s")

    as_of = START + dt.timedelta(minutes=3 * count // 2)
    query = DossierQuery(overdue_as_of=as_of)
    found: list[object] = []
    seconds = timed(lambda: found.extend(store.find(query)))
    print(
        f"{name:<10} overdue      {seconds * 1000:>10,.1f} ms  for {len(found):,} overdue summaries"
    )
    seconds = timed(lambda: store.find(DossierQuery(overdue_as_of=as_of, limit=100)))
    print(f"{name:<10} overdue p.1  {seconds * 1000:>10,.1f} ms  (first 100)")
    status = DossierQuery(unit=UNITS[0], received_from=as_of - dt.timedelta(days=7), limit=500)
    seconds = timed(lambda: store.find(status))
    print(f"{name:<10} unit+period  {seconds * 1000:>10,.1f} ms  (a unit's last week, 500 max)")
    streamed = 0
    start = time.perf_counter()
    for _ in store.stream(batch_size=1000):
        streamed += 1
    seconds = time.perf_counter() - start
    print(f"{name:<10} stream       {streamed / seconds:>10,.0f} dossiers/s ({streamed:,})")
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dossiers", nargs="?", type=int, default=100_000)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.db"
            run("sqlite", lambda: SQLiteStore(path), args.dossiers)
    if args.only in (None, "postgres"):
        schema = f"govtier_bench_{uuid.uuid4().hex[:8]}"
        try:
            PostgresStore(URL, schema=schema, connect_timeout=3).close()
        except StorageError as exc:
            print(f"postgres   skipped: {exc}")
            return
        try:
            run("postgres", lambda: PostgresStore(URL, schema=schema), args.dossiers)
        finally:
            import psycopg
            from psycopg import sql

            with psycopg.connect(URL, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()

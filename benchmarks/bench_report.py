"""Time and peak memory of reports over N generated dossiers (default 200,000), streamed.

    python benchmarks/bench_report.py [N]

A pool of up to 20,000 distinct dossiers is built first (before measuring); the N dossiers are
streamed from it one at a time, as a store streams them. Each report is timed in one pass, then
run again under tracemalloc: the peak is what the report itself allocates (counters keyed by
group, the row of the dossier in hand), not the pool.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.dossier import (
    Applicant,
    Decided,
    Dossier,
    DossierHeader,
    Outcome,
    Received,
    SupplementRequested,
    Withdrawn,
)
from govtier.reporting import backlog, overdue, report
from govtier.units import UnitRegistry

CAL = WorkingCalendar.vietnam()
AS_OF = dt.datetime(2026, 6, 30, 12, tzinfo=VIETNAM_TZ)
POOL = 20_000
PROCEDURES = ("civil-status.birth", "residence.permanent", "land.first-certificate", "cert.copy")


def dossiers(n: int, seed: int = 766) -> Iterator[Dossier]:
    rng = random.Random(seed)
    communes = [u.code for u in UnitRegistry.bundled().communes()][:400]
    days = list(CAL.working_days(dt.date(2026, 1, 5), dt.date(2026, 6, 30)))
    due_cache: dict[tuple[dt.date, int], dt.datetime] = {}
    applicant = Applicant(name="x")
    for i in range(n):
        commune = rng.choice(communes)
        limit = rng.choice((3, 5, 7, 15))
        day = rng.choice(days)
        received = dt.datetime.combine(day, dt.time(8 + rng.randrange(7)), tzinfo=VIETNAM_TZ)
        key = (day, limit)
        due = due_cache.get(key)
        if due is None:
            due = due_cache[key] = CAL.deadline(received, Duration.working_days(limit)).due_at
        due = max(due, received)
        header = DossierHeader(
            code=f"G{i:08d}",
            procedure_id=rng.choice(PROCEDURES),
            procedure_version=1,
            procedure_code=None,
            procedure_name="p",
            receiving_unit=commune,
            subject_unit=commune,
            competent="c",
            returns_at="r",
            channel=rng.choice((Channel.IN_PERSON, Channel.ONLINE, Channel.POST)),
            applicant=applicant,
            time_limit=Duration.working_days(limit),
        )
        events: list[Any] = [Received(at=received, actor="clerk", appointment=due, header=header)]
        roll = rng.random()
        later = received + dt.timedelta(hours=rng.randrange(1, 24 * 20))
        if roll < 0.7 and later <= AS_OF:
            events.append(Decided(at=later, actor="x", outcome=Outcome.GRANTED, document="d"))
        elif roll < 0.75:
            events.append(
                SupplementRequested(
                    at=received + dt.timedelta(hours=1), actor="c", components=["a"], reason="r"
                )
            )
        elif roll < 0.78:
            events.append(Withdrawn(at=received + dt.timedelta(hours=1), actor="applicant"))
        yield Dossier.from_events(events)


def stream(pool: list[Dossier], n: int) -> Iterator[Dossier]:
    """``n`` dossiers from the pool, one at a time (as a store streams them)."""
    return itertools.islice(itertools.cycle(pool), n)


def measure(label: str, n: int, pool: list[Dossier], work: Callable[[Any], object]) -> None:
    start = time.perf_counter()
    work(stream(pool, n))
    seconds = time.perf_counter() - start
    tracemalloc.start()  # a second pass: tracemalloc slows every allocation down
    work(stream(pool, n))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<46}{seconds:>8.2f} s {n / seconds:>10,.0f} /s   peak {peak / 2**20:>6.2f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dossiers", type=int, nargs="?", default=200_000)
    n = parser.parse_args().dossiers
    UnitRegistry.bundled().province_of("00004")  # load the registry outside the timings
    start = time.perf_counter()
    pool = list(dossiers(min(n, POOL)))
    made = time.perf_counter() - start
    print(
        f"{n:,} dossiers streamed from a pool of {len(pool):,} distinct ones "
        f"(built in {made:.2f} s, before measuring; not counted in the peak)"
    )
    measure("report(), no grouping", n, pool, lambda it: report(it, as_of=AS_OF))
    measure(
        "report(group_by=(province, month))",
        n,
        pool,
        lambda it: report(it, as_of=AS_OF, group_by=("province", "month")),
    )
    measure(
        "report(group_by=(commune, procedure, week))",
        n,
        pool,
        lambda it: report(it, as_of=AS_OF, group_by=("commune", "procedure", "week")),
    )
    measure(
        "backlog(calendar=working days, by province)",
        n,
        pool,
        lambda it: backlog(it, as_of=AS_OF, calendar=CAL, group_by="province"),
    )
    measure("overdue(limit=100)", n, pool, lambda it: overdue(it, as_of=AS_OF, limit=100))


if __name__ == "__main__":
    main()

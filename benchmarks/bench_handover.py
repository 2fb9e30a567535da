"""Measure a reorganisation handover: plan and apply over a store of pre-reform dossiers.

    python benchmarks/bench_handover.py [DOSSIERS] [--only sqlite|postgres]

DOSSIERS defaults to 100,000 dossiers received in May-June 2025 in old Hà Nội (about a third
closed before 2025-07-01, the rest open across it, some in split communes). The store is filled
in this process; each measured step (plan, apply, a second apply) runs in a fresh child process,
which reports its wall time and its peak resident memory (``ru_maxrss``), so the figures do not
include the filling. PostgreSQL is the server at ``GOVTIER_TEST_POSTGRES_URL`` (default
postgresql://postgres@127.0.0.1:5432/test), in a fresh schema dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from govtier import VIETNAM_TZ, StorageError, WorkingCalendar
from govtier.dossier import (
    Applicant,
    Decided,
    DossierHeader,
    Event,
    Outcome,
    Received,
    Returned,
    SupplementRequested,
    Transferred,
)
from govtier.jurisdiction import RuleSet
from govtier.storage import Append, DossierStore, PostgresStore, SQLiteStore
from govtier.units import UnitRegistry

URL = os.environ.get("GOVTIER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PROCEDURES = (
    "business-household.registration",
    "construction.permit-house",
    "land.first-certificate",
    "civil-status.birth",
    "certification.copy",
    "judicial-record.certificate",
)
BATCH = 1000


def histories(count: int, seed: int = 0) -> Iterator[tuple[Event, ...]]:
    """Pre-reform histories in old Hà Nội (province code 01), received in May-June 2025."""
    rng = random.Random(seed)
    units, rules, calendar = UnitRegistry.bundled(), RuleSet.bundled(), WorkingCalendar.vietnam()
    communes = sorted(c.code for c in units.legacy_communes() if c.province_code == "01")
    days = list(calendar.working_days(dt.date(2025, 5, 5), dt.date(2025, 6, 27)))
    sequences: Counter[tuple[str, dt.date]] = Counter()
    for _ in range(count):
        unit, pid, day = rng.choice(communes), rng.choice(PROCEDURES), rng.choice(days)
        sequences[(unit, day)] += 1
        header = DossierHeader.from_assignment(
            rules.resolve(pid, unit, day),
            code=f"H01.{unit}-{day:%y%m%d}-{sequences[(unit, day)]:04d}",
            applicant=Applicant(name="Test"),
            receiving_unit=unit,
        )
        at = dt.datetime.combine(day, dt.time(8 + rng.randrange(8), rng.randrange(60)), VIETNAM_TZ)
        due = calendar.deadline(at, header.time_limit, header.policy).due_at
        events: list[Event] = [Received(at=at, actor="clerk", appointment=due, header=header)]
        roll, later = rng.random(), at + dt.timedelta(hours=1)
        if roll < 0.35:
            events += [
                Decided(at=later, actor="chair", outcome=Outcome.GRANTED, document="QĐ-1"),
                Returned(at=later, actor="clerk"),
            ]
        elif roll < 0.6:
            events.append(Transferred(at=later, actor="clerk", step=0, to=header.competent))
        elif roll < 0.7:
            events.append(
                SupplementRequested(at=later, actor="clerk", components=("map",), reason="map")
            )
        yield tuple(events)


def open_store(spec: str) -> DossierStore:
    if spec.startswith("postgresql"):
        url, schema = spec.split("#")
        return PostgresStore(url, schema=schema)
    return SQLiteStore(spec)


def child(step: str, spec: str, plan_path: str) -> None:
    """One measured step in this (fresh) process: print seconds, peak memory and counts."""
    from govtier.handover import HandoverPlan, Reorganisation, apply_plan, write_plan

    store = open_store(spec)
    start = time.perf_counter()
    if step == "plan":
        reform = Reorganisation.reform_2025()
        with Path(plan_path).open("w", encoding="utf-8") as out:
            summary = write_plan(store, reform, out)
        counts = {
            "handovers": summary.handovers,
            "to_decide": summary.to_decide,
            "closed": summary.closed,
            "late": summary.late,
        }
    else:
        result = apply_plan(store, HandoverPlan.open(plan_path))
        counts = {"written": result.written, "already": result.already}
    seconds = time.perf_counter() - start
    store.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps({"seconds": seconds, "peak_mb": peak_mb, **counts}))


def run_child(step: str, spec: str, plan_path: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", step, spec, plan_path],
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    return result


def baseline() -> float:
    """The peak memory of a child that only imports govtier and loads the bundled data."""
    code = (
        "import resource; from govtier.handover import Reorganisation; "
        "Reorganisation.reform_2025(); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def bench(name: str, store: DossierStore, spec: str, count: int, tmp: Path) -> None:
    start = time.perf_counter()
    batch: list[Append] = []
    for events in histories(count):
        batch.append(Append(code=events[0].header.code, events=events, expected_version=0))  # type: ignore[attr-defined]
        if len(batch) == BATCH:
            store.append_many(batch)
            batch = []
    if batch:
        store.append_many(batch)
    store.close()
    print(f"{name}: filled {count:,} dossiers in {time.perf_counter() - start:.1f} s")
    plan = str(tmp / f"{name}-plan.json")
    for step in ("plan", "apply", "apply"):
        r = run_child(step, spec, plan)
        extra = ", ".join(
            f"{k} {int(v):,}" for k, v in r.items() if k not in ("seconds", "peak_mb")
        )
        print(f"{name}: {step:<5} {r['seconds']:7.1f} s  peak {r['peak_mb']:6.0f} MB  ({extra})")
    print(f"{name}: plan file {Path(plan).stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dossiers", nargs="?", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", nargs=3, metavar=("STEP", "STORE", "PLAN"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"baseline (import govtier, load the 2025 reform): peak {baseline():.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "sqlite"):
            path = Path(tmp) / "handover.db"
            bench("sqlite", SQLiteStore(path), str(path), args.dossiers, Path(tmp))
        if args.only in (None, "postgres"):
            schema = f"bench_handover_{uuid.uuid4().hex[:8]}"
            try:
                store = PostgresStore(URL, schema=schema)
            except StorageError as exc:
                print(f"postgres: skipped ({exc})")
                return
            try:
                bench("postgres", store, f"{URL}#{schema}", args.dossiers, Path(tmp))
            finally:
                import psycopg

                with psycopg.connect(URL, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()

"""How fast RuleSet.resolve answers, and how long the bundled catalogue and rules take to load.

Run: ``python benchmarks/bench_resolve.py [--seconds N]``. Prints resolutions per second on one
core (warm caches: the usual case for a server), the cold first-resolution cost, and load times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time

from govtier.catalogue import Catalogue, Channel
from govtier.jurisdiction import RuleSet
from govtier.units import UnitRegistry


def _timed(label: str, func: object) -> object:
    start = time.perf_counter()
    result = func()  # type: ignore[operator]
    print(f"{label:<44} {1000 * (time.perf_counter() - start):9.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--rows", action="store_true", help="print JSON rows for run_all.py")
    args = parser.parse_args()
    found: dict[str, float] = {}

    units = _timed("units: UnitRegistry.bundled()", UnitRegistry.bundled)
    catalogue = _timed("catalogue: Catalogue.bundled() (parse + validate)", Catalogue.bundled)
    rules = _timed("rules: RuleSet.bundled() (parse + validate + index)", RuleSet.bundled)
    if not isinstance(units, UnitRegistry) or not isinstance(catalogue, Catalogue):
        raise TypeError("unexpected bundled data")
    if not isinstance(rules, RuleSet):
        raise TypeError("unexpected bundled rules")

    rng = random.Random(2025)
    communes = [u.code for u in units.communes()]
    start = dt.date(2025, 7, 1)
    procs = catalogue.ids
    cases = []
    for _ in range(20_000):
        day = start + dt.timedelta(days=rng.randrange(365))
        pid = rng.choice(procs)
        proc = catalogue.get(pid, day)
        channel = rng.choice(sorted(proc.channels, key=lambda c: c.value))
        cases.append((pid, rng.choice(communes), day, channel))

    t0 = time.perf_counter()
    for pid, code, day, channel in cases:
        rules.resolve(pid, code, day, channel)
    cold = time.perf_counter() - t0
    print(f"{'first pass over 20,000 cases (cold caches)':<44} {1000 * cold:9.1f} ms")

    for label, by_id in (("procedure id", True), ("Procedure value", False)):
        prepared = [
            (pid if by_id else catalogue.get(pid, day), code, day, channel)
            for pid, code, day, channel in cases
        ]
        count = 0
        t0 = time.perf_counter()
        deadline = t0 + args.seconds
        resolve = rules.resolve
        while time.perf_counter() < deadline:
            for proc, code, day, channel in prepared:
                resolve(proc, code, day, channel)
            count += len(prepared)
        elapsed = time.perf_counter() - t0
        found[label] = count / elapsed
        print(f"resolve by {label:<32} {count / elapsed:12,.0f} /s")

    old = [c.code for c in units.legacy_communes()[:2000]]
    before = dt.date(2025, 3, 3)
    count = 0
    t0 = time.perf_counter()
    while time.perf_counter() < t0 + args.seconds / 2:
        for code in old:
            rules.resolve("business-household.registration", code, before, Channel.IN_PERSON)
        count += len(old)
    elapsed = time.perf_counter() - t0
    print(f"resolve before the reform (district level) {count / elapsed:12,.0f} /s")
    if args.rows:
        print("ROWS " + json.dumps({"resolve_per_s": found["procedure id"]}))


if __name__ == "__main__":
    main()

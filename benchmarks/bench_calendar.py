"""Time govtier's working-day arithmetic against `holidays` and a naive loop, in one run.

Prints microseconds per call and how many times faster govtier is. Run: `python
benchmarks/bench_calendar.py` (or `make bench`). Figures vary between machines; the ratios are what
to compare.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import holidays

from govtier import WorkingCalendar

CALLS = 20_000


def per_call(func: Callable[[Any, Any], object], cases: Sequence[tuple[Any, Any]]) -> float:
    """Best of three runs, in microseconds per call."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for day, n in cases:
            func(day, n)
        best = min(best, time.perf_counter() - start)
    return best / len(cases) * 1e6


def main() -> int:
    rng = random.Random(20260701)
    first, span = dt.date(2024, 1, 1), 365 * 4
    cases = [
        (first + dt.timedelta(days=rng.randrange(span)), rng.choice((1, 3, 5, 7, 10, 15, 20)))
        for _ in range(CALLS)
    ]
    # (start, end) pairs; holidays counts both ends inclusive, so it gets (start + 1 day, end)
    pairs = [(day, day + dt.timedelta(days=n * 2)) for day, n in cases]
    inclusive_pairs = [(a + dt.timedelta(days=1), b) for a, b in pairs]

    t0 = time.perf_counter()
    cal = WorkingCalendar.vietnam()
    cal.is_working_day(first)
    build = time.perf_counter() - t0

    vn = holidays.country_holidays("VN", years=range(2023, 2031))
    vn.get_nth_working_day(first, 1)  # warm its year cache

    # the naive loop sees the same notices as govtier (holidays.VN lacks e.g. 2/1/2026)
    notice_off = {d for notice in cal.notices for d in notice.days_off}
    notice_work = {d for notice in cal.notices for d in notice.working_days}

    def naive_add(day: dt.date, n: int) -> dt.date:
        while n:
            day += dt.timedelta(days=1)
            worked = day in notice_work or day in vn.weekend_workdays
            if worked or (day.weekday() < 5 and day not in vn and day not in notice_off):
                n -= 1
        return day

    rows = [
        ("add_working_days", per_call(cal.add_working_days, cases)),
        ("holidays get_nth_working_day", per_call(vn.get_nth_working_day, cases)),
        ("naive day-by-day loop", per_call(naive_add, cases)),
        ("working_days_between", per_call(cal.working_days_between, pairs)),
        ("holidays get_working_days_count", per_call(vn.get_working_days_count, inclusive_pairs)),
    ]
    # same answers, or the timing means nothing
    for day, n in cases[:5000]:
        if cal.add_working_days(day, n) != naive_add(day, n):
            print(f"disagreement at {day} + {n}: the timings below mean nothing")
            return 1

    if "--rows" in sys.argv:
        names = ("add_us", "holidays_nth_us", "naive_us", "between_us", "holidays_count_us")
        print("ROWS " + json.dumps(dict(zip(names, (micros for _, micros in rows), strict=True))))
        return 0
    print(f"calendar index built in {build * 1000:.1f} ms (first use, years 2000-2075)")
    print(f"{'operation':34} {'us/call':>10} {'calls/s':>12}")
    for name, micros in rows:
        print(f"{name:34} {micros:10.2f} {1e6 / micros:12,.0f}")
    add, nth, naive = rows[0][1], rows[1][1], rows[2][1]
    between, count = rows[3][1], rows[4][1]
    print(f"add_working_days vs holidays get_nth_working_day: {nth / add:,.0f}x faster")
    print(f"add_working_days vs naive loop: {naive / add:,.0f}x faster")
    print(
        f"working_days_between vs holidays get_working_days_count: {count / between:,.0f}x faster"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

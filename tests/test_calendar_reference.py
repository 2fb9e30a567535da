"""The calendar agrees, day by day from 2015 to 2035, with a naive reference.

The reference is built the obvious way, straight from ``holidays.VN`` and the bundled notices file,
so a bug in the index, the layering or the year boundaries shows up as a differing day.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import holidays
import pytest

from govtier import WorkingCalendar

FIRST, LAST = dt.date(2015, 1, 1), dt.date(2035, 12, 31)


def _reference() -> dict[dt.date, bool]:
    vn = holidays.country_holidays("VN", years=range(FIRST.year - 1, LAST.year + 2))
    data = tomllib.loads(
        resources.files("govtier").joinpath("data", "notices.toml").read_text(encoding="utf-8")
    )
    notice_off = {d for n in data["notices"] for d in n.get("days_off", [])}
    notice_work = {d for n in data["notices"] for d in n.get("working_days", [])}
    result: dict[dt.date, bool] = {}
    day = FIRST
    while day <= LAST:
        if day in notice_work:
            working = True
        elif day in notice_off:
            working = False
        elif day in vn.weekend_workdays:
            working = True
        elif day in vn:
            working = False
        else:
            working = day.weekday() < 5
        result[day] = working
        day += dt.timedelta(days=1)
    return result


@pytest.fixture(name="reference", scope="module")
def _reference_fixture() -> dict[dt.date, bool]:
    return _reference()


def test_every_day_agrees(reference: dict[dt.date, bool]) -> None:
    """is_working_day matches the reference on each of the 7,670 days."""
    cal = WorkingCalendar.vietnam()
    differing = [d for d, working in reference.items() if cal.is_working_day(d) is not working]
    assert differing == []


def test_next_working_day_agrees_with_a_loop(reference: dict[dt.date, bool]) -> None:
    """add_working_days(d, n) matches stepping day by day through the reference."""
    cal = WorkingCalendar.vietnam()
    days = sorted(reference)
    for start in days[::37][:-2]:
        for n in (1, 3, 7, 20):
            step, counted = start, 0
            while counted < n:
                step += dt.timedelta(days=1)
                counted += reference[step]
            assert cal.add_working_days(start, n) == step, (start, n)


def test_known_gap_in_holidays_is_filled(reference: dict[dt.date, bool]) -> None:
    """The reference itself sees Fri 2/1/2026 off only through the bundled notice."""
    vn = holidays.country_holidays("VN", years=2026)
    assert dt.date(2026, 1, 2) not in vn  # if `holidays` adds it, the notice stays harmless
    assert reference[dt.date(2026, 1, 2)] is False

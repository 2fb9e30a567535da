"""The calendar is govtier's statement, not an accident of the installed ``holidays`` (issue 13).

``tests/data/non_working_days.csv`` is every non-working day of ``WorkingCalendar.vietnam()``
from 2015 to 2035, with the kind of its last reason. An upgrade of ``holidays`` (or a notice
edit) that moves a date fails here, loudly, with the days that moved.

The lower bound of ``holidays`` in ``pyproject.toml`` was checked to give the same table: run
``GOVTIER_CHECK_HOLIDAYS=1 pytest tests/test_calendar_golden.py`` to install that release in a
temporary directory and compare (it needs the package index; skipped otherwise).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govtier.calendar import ReasonKind, WorkingCalendar, load_notices

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).with_name("data") / "non_working_days.csv"
FIRST, LAST = dt.date(2015, 1, 1), dt.date(2035, 12, 31)
CHECKED = ("0.72", "0.73", "0.74", "0.75", "0.80", "0.95", "0.109")
"""The ``holidays`` releases this table was checked against (all give it, 2000-2075 too)."""


def _golden() -> dict[dt.date, str]:
    with GOLDEN.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    table = {dt.date.fromisoformat(r["date"]): r["kind"] for r in rows}
    assert len(table) == len(rows), "a day is listed twice"
    for day, row in zip(table, rows, strict=True):
        assert row["weekday"] == f"{day:%a}", f"{day}: weekday column says {row['weekday']}"
    return table


def _table(calendar: WorkingCalendar) -> dict[dt.date, str]:
    return {i.date: i.reasons[-1].kind.name for i in calendar.non_working_days(FIRST, LAST)}


def test_the_calendar_gives_the_golden_table() -> None:
    got, want = _table(WorkingCalendar.vietnam()), _golden()
    moved = sorted(set(got.items()) ^ set(want.items()))
    assert not moved, f"days that moved against {GOLDEN.name}: {moved[:10]}"


def test_the_golden_table_holds_what_the_sources_say() -> None:
    """Spot checks computed by hand from the notices and the Labour Code."""
    table = _golden()
    expected = {
        dt.date(2026, 1, 1): "PUBLIC_HOLIDAY",  # New Year, Labour Code Art. 112(1)
        dt.date(2026, 1, 2): "SWAPPED_OFF",  # 12729/VPCP-KGVX: Fri 02/01 off...
        dt.date(2026, 2, 16): "PUBLIC_HOLIDAY",  # Tết 2026, 9441/TB-BNV
        dt.date(2026, 2, 20): "PUBLIC_HOLIDAY",
        dt.date(2026, 4, 27): "DAY_IN_LIEU",  # Hùng Kings on Sun 26/04 -> Mon (Art. 111(3))
        dt.date(2026, 8, 31): "SWAPPED_OFF",  # 9441/TB-BNV: Mon 31/08 off
        dt.date(2026, 11, 24): "PUBLIC_HOLIDAY",  # Culture Day from 2026 (notice, [P])
        dt.date(2029, 11, 26): "DAY_IN_LIEU",  # Culture Day on Sat 24/11/2029 -> Mon 26/11
        dt.date(2025, 5, 2): "SWAPPED_OFF",  # 8726/VPCP-KGVX: Fri 02/05 off
    }
    for day, kind in expected.items():
        assert table.get(day) == kind, day
    # ...and Saturdays worked in exchange are working days (absent from the table)
    for worked in (dt.date(2026, 1, 10), dt.date(2026, 8, 22), dt.date(2025, 4, 26)):
        assert worked.weekday() == 5
        assert worked not in table
    assert dt.date(2025, 11, 24) not in table  # Culture Day only from 2026


def test_year_specific_choices_are_govtiers_own_notices() -> None:
    """New Year 2026 and Culture Day are stated in data/notices.toml, with confidence marks."""
    notices = {n.id: n for n in load_notices(ROOT / "src" / "govtier" / "data" / "notices.toml")}
    new_year = notices["vpcp-12729-2025"]
    assert new_year.days_off == (dt.date(2026, 1, 2),)
    assert new_year.working_days == (dt.date(2026, 1, 10),)
    assert new_year.confidence.mark == "[C]"
    culture = notices["culture-day-2026"]
    assert culture.culture_day
    assert culture.confidence.mark == "[P]"
    assert min(culture.days_off) == dt.date(2026, 11, 24)
    # every year of the calendar's default range has its 24/11
    assert {d.year for d in culture.days_off if (d.month, d.day) == (11, 24)} == set(
        range(2026, 2076)
    )


def test_the_calendar_does_not_need_holidays_for_the_year_specific_choices() -> None:
    """Without the package, the notices alone still give New Year 2026 and Culture Day."""
    national = WorkingCalendar.vietnam()
    bare = WorkingCalendar(use_holidays_package=False, notices=national.notices)
    for day in (dt.date(2026, 1, 2), dt.date(2026, 11, 24), dt.date(2029, 11, 26)):
        assert not bare.is_working_day(day)
    assert bare.is_working_day(dt.date(2026, 1, 10))
    assert bare.why(dt.date(2029, 11, 26)).reasons[-1].kind is ReasonKind.DAY_IN_LIEU
    without = WorkingCalendar(
        use_holidays_package=False, notices=national.notices, include_culture_day=False
    )
    assert without.is_working_day(dt.date(2026, 11, 24))
    assert without.is_working_day(dt.date(2029, 11, 26))
    no_culture = WorkingCalendar.vietnam(include_culture_day=False)
    assert no_culture.is_working_day(dt.date(2029, 11, 26))


def _lower_bound() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'"holidays>=([0-9.]+)"', text)
    assert match, "pyproject.toml gives no lower bound for holidays"
    return match.group(1)


def test_the_lower_bound_is_a_checked_release() -> None:
    assert _lower_bound() in CHECKED


@pytest.mark.skipif(
    not os.environ.get("GOVTIER_CHECK_HOLIDAYS"), reason="set GOVTIER_CHECK_HOLIDAYS=1 (network)"
)
def test_the_lower_bound_gives_the_golden_table(tmp_path: Path) -> None:
    version = _lower_bound()
    target = tmp_path / "holidays"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "-q", "--no-deps"),
            "--target",
            str(target),
            f"holidays=={version}",
        ],
        check=True,
        timeout=300,
    )
    script = (
        "import datetime as dt, holidays; from govtier import WorkingCalendar\n"
        "c = WorkingCalendar.vietnam()\n"
        "print(holidays.__version__)\n"
        f"for i in c.non_working_days(dt.date({FIRST.year}, 1, 1), dt.date({LAST.year}, 12, 31)):\n"
        "    print(i.date.isoformat(), i.reasons[-1].kind.name)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, env=env
    ).stdout.splitlines()
    assert out[0] == version
    got = {dt.date.fromisoformat(d): k for d, k in (line.split() for line in out[1:])}
    assert got == _golden()

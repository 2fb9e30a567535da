"""Table tests with hand-computed expectations: calendar days and the due-moment convention.

Sources: Civil Code 2015 Art. 147 (a limit in days starts the day after the event) and Art. 148
(it ends at the end of its last day; a last day that is a weekly day off or a holiday rolls to the
next working day); the 2026 calendar: Tết 16/02-20/02 (9441/TB-BNV), 30/4 and 1/5 (Labour Code
2019 Art. 112(1)), Saturdays and Sundays off (Decision 188/1999/QĐ-TTg). Working sessions
08:00-12:00 and 13:00-17:00.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Catalogue
from govtier.cli import main
from govtier.deadlines import (
    DUE_CONVENTION,
    DeadlinePolicy,
    DueMoment,
    DurationUnit,
    due_moment_of,
)
from govtier.dossier import Dossier
from govtier.testing.contract import sample_header

CAL = WorkingCalendar.vietnam()


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0, ss: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=VIETNAM_TZ)


def day(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


# received, n calendar days, last day by Art. 147, due day after Art. 148, days listed as rolled
CALENDAR_DAYS = [
    pytest.param(at(2026, 2, 12), 15, day(2026, 2, 27), day(2026, 2, 27), [], id="issue: 12/02+15"),
    pytest.param(
        at(2026, 2, 6),
        10,
        day(2026, 2, 16),
        day(2026, 2, 23),
        [day(2026, 2, d) for d in range(16, 23)],  # Tết 16-20, then Sat 21 and Sun 22
        id="last day in Tết",
    ),
    pytest.param(at(2026, 3, 2), 10, day(2026, 3, 12), day(2026, 3, 12), [], id="plain"),
    pytest.param(
        at(2026, 3, 4),
        10,
        day(2026, 3, 14),
        day(2026, 3, 16),
        [day(2026, 3, 14), day(2026, 3, 15)],
        id="last day a Saturday",
    ),
    pytest.param(
        at(2026, 4, 20),
        10,
        day(2026, 4, 30),
        day(2026, 5, 4),
        [day(2026, 4, 30), day(2026, 5, 1), day(2026, 5, 2), day(2026, 5, 3)],
        id="last day 30/4",
    ),
]


@pytest.mark.parametrize(("received", "n", "last", "due_day", "rolled"), CALENDAR_DAYS)
def test_calendar_days_list_only_the_roll(
    received: dt.datetime, n: int, last: dt.date, due_day: dt.date, rolled: list[dt.date]
) -> None:
    deadline = CAL.deadline(received, Duration.calendar_days(n))
    assert deadline.due_at == dt.datetime.combine(due_day, dt.time(23, 59, 59), tzinfo=VIETNAM_TZ)
    assert [i.date for i in deadline.skipped_days()] == rolled
    codes = [r.code for r in deadline.reasons]
    assert codes[0] == "calendar_days"
    assert dict(deadline.reasons[0].params)["last"] == last
    assert ("calendar_roll" in codes) == bool(rolled)
    text = deadline.explanation
    assert "Days not counted" not in text  # every calendar day counts (Art. 147)
    assert ("rolled over" in text) == bool(rolled)
    for info in deadline.skipped_days():
        assert f"{info.date:%d/%m/%Y}" in text


def test_the_issue_case_explains_no_day_that_was_counted() -> None:
    """`govtier deadline 2026-02-12T10:00 "15 days"` listed nine counted days as not counted."""
    text = CAL.deadline(at(2026, 2, 12), Duration.calendar_days(15)).explanation
    assert text.splitlines() == [
        "Received Thu 12/02/2026 10:00; time limit 15 calendar days.",
        "15 calendar days from 12/02/2026: last day 27/02/2026.",
        "Due at the end of the last day (Civil Code 91/2015/QH13, Art. 148).",
        "Due Fri 27/02/2026 23:59.",
    ]


def test_working_days_still_list_the_days_not_counted() -> None:
    """3 working days from Tue 28/04/2026: 30/4, 1/5 and the weekend are not counted."""
    deadline = CAL.deadline(at(2026, 4, 28, 9, 30), Duration.working_days(3))
    assert deadline.due_at == at(2026, 5, 5, 17)
    assert [i.date for i in deadline.skipped_days()] == [
        day(2026, 4, 30),
        *[day(2026, 5, d) for d in (1, 2, 3)],
    ]
    assert "Days not counted:" in deadline.explanation


# received Mon 09/03/2026 10:00; the due moment of each kind under the convention
DUE_MOMENTS = [
    pytest.param(Duration.working_days(3), at(2026, 3, 12, 17), id="3 working days: close"),
    pytest.param(Duration.working_hours(8), at(2026, 3, 10, 10), id="8 working hours"),
    pytest.param(Duration.calendar_days(10), at(2026, 3, 19, 23, 59, 59), id="10 days: end of day"),
    pytest.param(Duration.same_day(), at(2026, 3, 9, 17), id="same day: close"),
    pytest.param(Duration.immediate(), at(2026, 3, 9, 10), id="immediate"),
]


@pytest.mark.parametrize(("limit", "due"), DUE_MOMENTS)
def test_one_due_moment_in_api_cli_and_stored_clock(
    limit: Duration, due: dt.datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    received = at(2026, 3, 9)
    assert CAL.deadline(received, limit).due_at == due
    assert CAL.deadline(received, limit, DeadlinePolicy()).due_at == due
    assert (
        main(["deadline", received.isoformat(timespec="minutes")[:16], str(limit), "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["due_at"] == due.isoformat()
    header = sample_header("G01-260309-0001", time_limit=limit)
    dossier = Dossier.receive(header, at=received, actor="clerk", calendar=CAL)
    assert dossier.appointment == due


def test_the_convention_by_kind_and_its_source() -> None:
    expected = {
        DurationUnit.CALENDAR_DAYS: DueMoment.END_OF_DAY,
        DurationUnit.WORKING_DAYS: DueMoment.CLOSE_OF_BUSINESS,
        DurationUnit.WORKING_HOURS: DueMoment.CLOSE_OF_BUSINESS,
        DurationUnit.SAME_DAY: DueMoment.CLOSE_OF_BUSINESS,
        DurationUnit.IMMEDIATE: DueMoment.CLOSE_OF_BUSINESS,
    }
    samples = {
        DurationUnit.CALENDAR_DAYS: Duration.calendar_days(1),
        DurationUnit.WORKING_DAYS: Duration.working_days(1),
        DurationUnit.WORKING_HOURS: Duration.working_hours(1),
        DurationUnit.SAME_DAY: Duration.same_day(),
        DurationUnit.IMMEDIATE: Duration.immediate(),
    }
    for unit, moment in expected.items():
        assert due_moment_of(samples[unit]) is moment
    assert DeadlinePolicy().due is DueMoment.BY_KIND
    assert DUE_CONVENTION.article == "Art. 148"
    # an explicit policy is still obeyed
    close = DeadlinePolicy(due=DueMoment.CLOSE_OF_BUSINESS)
    assert due_moment_of(Duration.calendar_days(1), close) is DueMoment.CLOSE_OF_BUSINESS


def test_the_judicial_record_falls_due_as_the_cli_says(capsys: pytest.CaptureFixture[str]) -> None:
    """The issue: 23:59:59 in a judicial-record dossier, 17:00 from `govtier deadline "10 days"`."""
    procedure = Catalogue.bundled().get("judicial-record.certificate", day(2026, 3, 9))
    assert procedure.time_limit == Duration.calendar_days(10)
    received = at(2026, 3, 9)
    in_dossier = CAL.deadline(received, procedure.time_limit, procedure.policy).due_at
    assert main(["deadline", "2026-03-09T10:00", "10 days", "--json"]) == 0
    from_cli = json.loads(capsys.readouterr().out)["due_at"]
    assert from_cli == in_dossier.isoformat() == at(2026, 3, 19, 23, 59, 59).isoformat()

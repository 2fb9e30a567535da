"""Statutory deadlines: each kind of time limit, each policy, around Tết, 30/4 and swaps."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govtier import VIETNAM_TZ, Duration, InvalidInputError, WorkingCalendar
from govtier.deadlines import Counting, DeadlinePolicy, DueMoment, DurationUnit, OutsideHours


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VIETNAM_TZ)


@pytest.fixture(name="cal", scope="module")
def _cal() -> WorkingCalendar:
    return WorkingCalendar.vietnam()


class TestWorkingDays:
    """Working-day limits, counted from the day after receipt."""

    @pytest.mark.parametrize(
        ("received", "n", "due"),
        [
            pytest.param(at(2026, 4, 28), 3, at(2026, 5, 5, 17), id="3 WD over 30/4-1/5"),
            pytest.param(at(2026, 2, 12), 1, at(2026, 2, 13, 17), id="1 WD before Tết"),
            pytest.param(at(2026, 2, 13), 1, at(2026, 2, 23, 17), id="1 WD across Tết"),
            pytest.param(at(2026, 2, 13), 7, at(2026, 3, 3, 17), id="7 WD across Tết"),
            pytest.param(at(2025, 12, 31), 7, at(2026, 1, 12, 17), id="7 WD across New Year swap"),
            pytest.param(at(2026, 8, 21), 1, at(2026, 8, 22, 17), id="Sat 22/8 worked"),
            pytest.param(at(2026, 8, 28), 1, at(2026, 9, 3, 17), id="1 WD across 2/9"),
            pytest.param(at(2026, 1, 5), 20, at(2026, 1, 30, 17), id="20 WD incl. Sat 10/1"),
        ],
    )
    def test_due(
        self, cal: WorkingCalendar, received: dt.datetime, n: int, due: dt.datetime
    ) -> None:
        """The due moment is the close of business of the n-th working day after receipt."""
        assert cal.deadline(received, Duration.working_days(n)).due_at == due

    def test_receipt_after_hours_counts_from_next_session(self, cal: WorkingCalendar) -> None:
        """A dossier filed online on Friday evening counts from Monday 08:00."""
        deadline = cal.deadline(at(2026, 3, 6, 20, 15), Duration.working_days(1))
        assert deadline.counting_from == at(2026, 3, 9, 8)
        assert deadline.due_at == at(2026, 3, 10, 17)
        assert "outside working hours" in deadline.explanation

    def test_receipt_at_lunch_counts_from_afternoon(self, cal: WorkingCalendar) -> None:
        """Receipt during the lunch break counts from 13:00 the same day."""
        deadline = cal.deadline(at(2026, 3, 9, 12, 30), Duration.working_days(1))
        assert deadline.counting_from == at(2026, 3, 9, 13)

    def test_as_received_policy_keeps_the_moment(self, cal: WorkingCalendar) -> None:
        """With OutsideHours.AS_RECEIVED a Saturday receipt counts from Saturday."""
        policy = DeadlinePolicy(outside_hours=OutsideHours.AS_RECEIVED)
        deadline = cal.deadline(at(2026, 3, 7, 10), Duration.working_days(1), policy)
        assert deadline.counting_from == at(2026, 3, 7, 10)
        assert deadline.due_at == at(2026, 3, 9, 17)

    def test_receipt_day_counts_policy(self, cal: WorkingCalendar) -> None:
        """With Counting.FROM_RECEIPT_DAY the day of receipt is day 1."""
        policy = DeadlinePolicy(counting=Counting.FROM_RECEIPT_DAY)
        deadline = cal.deadline(at(2026, 3, 9, 9), Duration.working_days(3), policy)
        assert deadline.due_at == at(2026, 3, 11, 17)

    def test_same_clock_time_policy(self, cal: WorkingCalendar) -> None:
        """With DueMoment.SAME_CLOCK_TIME the due moment keeps the receipt's clock time."""
        policy = DeadlinePolicy(due=DueMoment.SAME_CLOCK_TIME)
        deadline = cal.deadline(at(2026, 3, 9, 10, 20), Duration.working_days(2), policy)
        assert deadline.due_at == at(2026, 3, 11, 10, 20)

    def test_explanation_lists_skipped_days(self, cal: WorkingCalendar) -> None:
        """The explanation names each day not counted, and why."""
        text = cal.deadline(at(2026, 4, 28), Duration.working_days(3)).explanation
        assert "Liberation Day" in text
        assert "International Labor Day" in text
        assert "Art. 147" in text
        assert text.endswith("Due Tue 05/05/2026 17:00.")


class TestOtherKinds:
    """Working hours, calendar days, same day with cutoff, immediate."""

    def test_working_hours_span_lunch_and_nights(self, cal: WorkingCalendar) -> None:
        """8 working hours from Mon 10:00 end Tue 10:00; 4 hours from 10:00 end 15:00."""
        assert cal.deadline(at(2026, 3, 9, 10), Duration.working_hours(8)).due_at == at(
            2026, 3, 10, 10
        )
        assert cal.deadline(at(2026, 3, 9, 10), Duration.working_hours(4)).due_at == at(
            2026, 3, 9, 15
        )
        assert cal.deadline(at(2026, 2, 13, 16), Duration.working_hours(2)).due_at == at(
            2026, 2, 23, 9
        )

    def test_calendar_days_roll_past_tet(self, cal: WorkingCalendar) -> None:
        """10 days from 6/2/2026 end on Mon 16/2 (Tết) and roll to Mon 23/2 (Art. 148)."""
        deadline = cal.deadline(at(2026, 2, 6, 10), Duration.calendar_days(10))
        # the due day is unchanged; the moment is the convention's end of the last day (issue 13:
        # it used to be 17:00 here and 23:59:59 in a judicial-record dossier)
        assert deadline.due_at.date() == dt.date(2026, 2, 23)
        assert deadline.due_at == dt.datetime(2026, 2, 23, 23, 59, 59, tzinfo=VIETNAM_TZ)
        assert "Art. 148" in deadline.explanation
        close = DeadlinePolicy(due=DueMoment.CLOSE_OF_BUSINESS)
        limit = Duration.calendar_days(10)
        assert cal.deadline(at(2026, 2, 6, 10), limit, close).due_at == at(2026, 2, 23, 17)

    def test_calendar_days_end_of_day_policy(self, cal: WorkingCalendar) -> None:
        """Civil Code reading: the end of the last day."""
        policy = DeadlinePolicy(due=DueMoment.END_OF_DAY)
        deadline = cal.deadline(at(2026, 3, 2, 10), Duration.calendar_days(10), policy)
        assert deadline.due_at == dt.datetime(2026, 3, 12, 23, 59, 59, tzinfo=VIETNAM_TZ)

    @pytest.mark.parametrize(
        ("received", "due"),
        [
            pytest.param(at(2026, 3, 9, 14, 59), at(2026, 3, 9, 17), id="before 15:00"),
            pytest.param(at(2026, 3, 9, 15, 0), at(2026, 3, 9, 17), id="at 15:00"),
            pytest.param(at(2026, 3, 9, 15, 1), at(2026, 3, 10, 17), id="after 15:00"),
            pytest.param(at(2026, 2, 13, 15, 30), at(2026, 2, 23, 17), id="after 15:00 before Tết"),
            pytest.param(at(2026, 3, 7, 9), at(2026, 3, 9, 17), id="Saturday: next session"),
        ],
    )
    def test_same_day_cutoff(
        self, cal: WorkingCalendar, received: dt.datetime, due: dt.datetime
    ) -> None:
        """Decree 23/2015 Art. 7: same day, or the next working day after 15:00."""
        assert cal.deadline(received, Duration.same_day()).due_at == due

    def test_immediate(self, cal: WorkingCalendar) -> None:
        """Immediate results are due at the (effective) receipt moment."""
        assert cal.deadline(at(2026, 3, 9, 9, 5), Duration.immediate()).due_at == at(
            2026, 3, 9, 9, 5
        )

    def test_other_time_zones_are_converted(self, cal: WorkingCalendar) -> None:
        """An aware moment in UTC is read in Asia/Ho_Chi_Minh."""
        utc = dt.datetime(2026, 3, 9, 2, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Hà Nội
        deadline = cal.deadline(utc, Duration.working_days(1))
        assert deadline.received_at == at(2026, 3, 9, 9)
        assert deadline.due_at.tzinfo is VIETNAM_TZ


class TestDuration:
    """Duration values and their text form."""

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("3 working days", Duration.working_days(3)),
            ("1 working day", Duration.working_days(1)),
            ("7 ngày làm việc", Duration.working_days(7)),
            ("8 working hours", Duration.working_hours(8)),
            ("8 giờ làm việc", Duration.working_hours(8)),
            ("15 days", Duration.calendar_days(15)),
            ("10 ngày", Duration.calendar_days(10)),
            ("same day", Duration.same_day()),
            ("same day (cutoff 16:30)", Duration.same_day(dt.time(16, 30))),
            ("immediate", Duration.immediate()),
        ],
    )
    def test_parse(self, text: str, expected: Duration) -> None:
        """Text limits in English and Vietnamese parse to the right Duration."""
        assert Duration.parse(text) == expected

    @given(
        unit=st.sampled_from(
            [DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS, DurationUnit.CALENDAR_DAYS]
        ),
        n=st.integers(min_value=0, max_value=500),
    )
    def test_str_parse_round_trip(self, unit: DurationUnit, n: int) -> None:
        """str() of a duration parses back to the same duration."""
        duration = Duration(unit=unit, amount=n)
        assert Duration.parse(str(duration)) == duration

    @pytest.mark.parametrize("text", ["", "three days", "3 weeks", "-3 working days"])
    def test_parse_rejects(self, text: str) -> None:
        """Unreadable limits are errors naming the text."""
        with pytest.raises(InvalidInputError, match="looks like"):
            Duration.parse(text)

    def test_invalid_combinations(self) -> None:
        """Negative amounts, cutoffs on non-same-day limits and amounts on same-day are refused."""
        with pytest.raises(InvalidInputError, match="negative"):
            Duration.working_days(-1)
        with pytest.raises(InvalidInputError, match="cutoff"):
            Duration(unit=DurationUnit.WORKING_DAYS, amount=1, cutoff=dt.time(15))
        with pytest.raises(InvalidInputError, match="no amount"):
            Duration(unit=DurationUnit.IMMEDIATE, amount=2)
        with pytest.raises(InvalidInputError, match="integer"):
            Duration.working_days(2.5)  # type: ignore[arg-type]


class TestBadInput:
    """Naive datetimes and wrong types are errors, never silently wrong dates."""

    def test_naive_datetime(self, cal: WorkingCalendar) -> None:
        """A naive receipt moment is refused with a hint."""
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            cal.deadline(dt.datetime(2026, 3, 9, 9), Duration.working_days(1))

    def test_date_instead_of_datetime(self, cal: WorkingCalendar) -> None:
        """A date is not a receipt moment."""
        with pytest.raises(InvalidInputError, match="datetime"):
            cal.deadline(dt.date(2026, 3, 9), Duration.working_days(1))  # type: ignore[arg-type]

    def test_duration_type(self, cal: WorkingCalendar) -> None:
        """The duration must be a Duration."""
        with pytest.raises(InvalidInputError, match="Duration"):
            cal.deadline(at(2026, 3, 9), "3 working days")  # type: ignore[arg-type]


moments = st.datetimes(
    min_value=dt.datetime(2001, 1, 1),
    max_value=dt.datetime(2070, 12, 31),
    timezones=st.just(VIETNAM_TZ),
)
durations = st.one_of(
    st.builds(Duration.working_days, st.integers(0, 60)),
    st.builds(Duration.working_hours, st.integers(0, 200)),
    st.builds(Duration.calendar_days, st.integers(0, 90)),
    st.just(Duration.same_day()),
    st.just(Duration.immediate()),
)
policies = st.builds(
    DeadlinePolicy,
    counting=st.sampled_from(Counting),
    due=st.sampled_from(DueMoment),
    outside_hours=st.sampled_from(OutsideHours),
)


@given(received=moments, duration=durations, policy=policies)
def test_due_is_never_before_receipt_counting_start(
    received: dt.datetime, duration: Duration, policy: DeadlinePolicy
) -> None:
    """The due moment is never before counting starts, and falls on a working day."""
    cal = WorkingCalendar.vietnam()
    deadline = cal.deadline(received, duration, policy)
    assert deadline.due_at >= deadline.counting_from >= deadline.received_at
    if duration.unit is not DurationUnit.IMMEDIATE:
        assert cal.is_working_day(deadline.due_at.date())


@given(a=moments, b=moments, n=st.integers(1, 40))
def test_working_day_deadlines_are_monotonic(a: dt.datetime, b: dt.datetime, n: int) -> None:
    """A later receipt never gets an earlier due moment."""
    cal = WorkingCalendar.vietnam()
    first, second = sorted((a, b))
    duration = Duration.working_days(n)
    assert cal.deadline(first, duration).due_at <= cal.deadline(second, duration).due_at


@given(received=moments, n=st.integers(1, 60))
def test_working_days_due_is_n_working_days_after_counting_day(
    received: dt.datetime, n: int
) -> None:
    """Between the counting day and the due day lie exactly n working days."""
    cal = WorkingCalendar.vietnam()
    deadline = cal.deadline(received, Duration.working_days(n))
    assert cal.working_days_between(deadline.counting_from.date(), deadline.due_at.date()) == n


def test_zero_days_after_the_close_as_received() -> None:
    """Found by hypothesis: 0 working days, received just after 17:00 and taken as received."""
    cal = WorkingCalendar.vietnam()
    received = dt.datetime(2001, 1, 2, 17, 0, 0, 1, tzinfo=VIETNAM_TZ)
    policy = DeadlinePolicy(outside_hours=OutsideHours.AS_RECEIVED)
    deadline = cal.deadline(received, Duration.working_days(0), policy)
    assert deadline.due_at == received


@given(moments, durations, policies)
def test_due_at_is_the_deadline_without_its_words(
    moment: dt.datetime, duration: Duration, policy: DeadlinePolicy
) -> None:
    """``due_at`` (the moment alone) is the ``due_at`` of the full deadline, for every policy."""
    calendar = WorkingCalendar.vietnam()
    assert calendar.due_at(moment, duration, policy) == (
        calendar.deadline(moment, duration, policy).due_at
    )
    assert calendar.due_at(moment, duration) == calendar.deadline(moment, duration).due_at


def test_due_at_refuses_what_deadline_refuses() -> None:
    """A naive moment or a duration that is not a Duration: the same errors, naming the field."""
    calendar = WorkingCalendar.vietnam()
    with pytest.raises(InvalidInputError) as naive:
        calendar.due_at(dt.datetime(2026, 3, 2, 9), Duration.working_days(3))
    assert naive.value.field == "received_at"
    with pytest.raises(InvalidInputError) as wrong:
        calendar.due_at(dt.datetime(2026, 3, 2, 9, tzinfo=VIETNAM_TZ), "3 days")  # type: ignore[arg-type]
    assert wrong.value.field == "duration"

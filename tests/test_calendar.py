"""The civil-service working calendar: table tests from official notices, overrides, bad input."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govtier import (
    VIETNAM_TZ,
    DataFileError,
    GovtierError,
    InvalidInputError,
    OutOfRangeError,
    WorkingCalendar,
)
from govtier.calendar import Notice, ReasonKind, Session, WorkingHours, load_notices
from govtier.legal import LegalSource

D = dt.date


@pytest.fixture(name="cal", scope="module")
def _cal() -> WorkingCalendar:
    return WorkingCalendar.vietnam()


class TestOfficialSchedules:
    """Days fixed by the Labour Code, `holidays.VN` and the bundled notices."""

    @pytest.mark.parametrize(
        ("day", "working"),
        [
            pytest.param(D(2026, 1, 1), False, id="New Year 2026 (Labour Code Art. 112)"),
            pytest.param(D(2026, 1, 2), False, id="Fri 2/1/2026 off (12729/VPCP-KGVX)"),
            pytest.param(D(2026, 1, 10), True, id="Sat 10/1/2026 worked (12729/VPCP-KGVX)"),
            pytest.param(D(2026, 2, 13), True, id="Fri before Tết 2026 worked"),
            pytest.param(D(2026, 2, 16), False, id="Tết 2026 first day (9441/TB-BNV)"),
            pytest.param(D(2026, 2, 20), False, id="Tết 2026 last day (9441/TB-BNV)"),
            pytest.param(D(2026, 2, 23), True, id="first working day after Tết 2026"),
            pytest.param(D(2026, 4, 27), False, id="Giỗ Tổ 2026 in lieu (Art. 111(3))"),
            pytest.param(D(2026, 4, 29), True, id="Wed 29/4/2026 worked: no swap"),
            pytest.param(D(2026, 4, 30), False, id="30/4/2026"),
            pytest.param(D(2026, 5, 1), False, id="1/5/2026"),
            pytest.param(D(2026, 8, 22), True, id="Sat 22/8/2026 worked (9441/TB-BNV)"),
            pytest.param(D(2026, 8, 31), False, id="Mon 31/8/2026 off (9441/TB-BNV)"),
            pytest.param(D(2026, 9, 2), False, id="National Day 2026"),
            pytest.param(D(2025, 4, 26), True, id="Sat 26/4/2025 worked (8726/VPCP-KGVX)"),
            pytest.param(D(2025, 5, 2), False, id="Fri 2/5/2025 off (8726/VPCP-KGVX)"),
            pytest.param(D(2025, 1, 31), False, id="Tết 2025 (8726/VPCP-KGVX)"),
            pytest.param(D(2025, 2, 3), True, id="after Tết 2025"),
        ],
    )
    def test_day_status(self, cal: WorkingCalendar, day: dt.date, working: bool) -> None:
        """Each listed day has the status the official schedule gives it."""
        assert cal.is_working_day(day) is working

    def test_new_year_2026_swap_cites_the_letter(self, cal: WorkingCalendar) -> None:
        """The swapped days name the Government Office letter and its date."""
        off = cal.why(D(2026, 1, 2))
        worked = cal.why(D(2026, 1, 10))
        assert off.reasons[-1].kind is ReasonKind.SWAPPED_OFF
        assert worked.reasons[-1].kind is ReasonKind.SWAPPED_IN
        for info in (off, worked):
            source = info.reasons[-1].source
            assert source is not None
            assert source.document == "12729/VPCP-KGVX"
            assert source.issued == D(2025, 12, 25)

    def test_why_weekend_and_holiday(self, cal: WorkingCalendar) -> None:
        """`why` says weekend, and which holiday under which article."""
        assert cal.why(D(2026, 3, 7)).reasons[-1].kind is ReasonKind.WEEKEND
        tet = cal.why(D(2026, 2, 17))
        assert not tet.is_working_day
        assert "Lunar New Year" in str(tet)
        kinds = {r.kind for r in tet.reasons}
        assert ReasonKind.PUBLIC_HOLIDAY in kinds
        assert any(r.source and "112" in (r.source.article or "") for r in tet.reasons)

    def test_culture_day_follows_holidays_and_can_be_switched_off(self) -> None:
        """24/11 is off by default (as `holidays` has it), marked partial, and can be dropped."""
        default = WorkingCalendar.vietnam()
        assert not default.is_working_day(D(2026, 11, 24))
        assert default.why(D(2026, 11, 24)).reasons[-1].confidence.mark == "[P]"
        without = WorkingCalendar.vietnam(include_culture_day=False)
        assert without.is_working_day(D(2026, 11, 24))
        assert without.is_working_day(D(2025, 11, 24))  # a Monday before the resolution


class TestArithmetic:
    """add_working_days, working_days_between and friends."""

    def test_add_across_new_year_swap(self, cal: WorkingCalendar) -> None:
        """From 31/12/2025 the next working days skip 1/1 and 2/1 and include Sat 10/1."""
        days = [cal.add_working_days(D(2025, 12, 31), n) for n in range(1, 8)]
        assert days == [
            D(2026, 1, 5),
            D(2026, 1, 6),
            D(2026, 1, 7),
            D(2026, 1, 8),
            D(2026, 1, 9),
            D(2026, 1, 10),
            D(2026, 1, 12),
        ]

    def test_zero_and_negative(self, cal: WorkingCalendar) -> None:
        """n = 0 keeps a working day or moves to the next; n < 0 goes back."""
        assert cal.add_working_days(D(2026, 2, 13), 0) == D(2026, 2, 13)
        assert cal.add_working_days(D(2026, 2, 16), 0) == D(2026, 2, 23)
        assert cal.add_working_days(D(2026, 2, 23), -1) == D(2026, 2, 13)
        assert cal.add_working_days(D(2026, 2, 18), -1) == D(2026, 2, 13)
        assert cal.previous_working_day(D(2026, 1, 12)) == D(2026, 1, 10)
        assert cal.next_working_day(D(2026, 1, 9)) == D(2026, 1, 10)

    def test_between_counts_half_open_interval(self, cal: WorkingCalendar) -> None:
        """Between counts a < x <= b and is negative backwards."""
        assert cal.working_days_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
        assert cal.working_days_between(D(2026, 2, 23), D(2026, 2, 13)) == -1
        assert cal.working_days_between(D(2026, 1, 5), D(2026, 1, 5)) == 0
        assert cal.working_days_between(D(2025, 12, 31), D(2026, 1, 12)) == 7

    def test_iterate_working_days(self, cal: WorkingCalendar) -> None:
        """Iteration yields the working days of an inclusive range."""
        days = list(cal.working_days(D(2026, 1, 1), D(2026, 1, 11)))
        assert days == [D(2026, 1, d) for d in (5, 6, 7, 8, 9, 10)]
        assert list(cal.working_days(D(2026, 2, 14), D(2026, 2, 22))) == []

    def test_non_working_days_lists_reasons(self, cal: WorkingCalendar) -> None:
        """Non-working days of a range come with their reasons."""
        infos = list(cal.non_working_days(D(2026, 4, 25), D(2026, 5, 3)))
        assert [i.date for i in infos] == [
            D(2026, 4, 25),
            D(2026, 4, 26),
            D(2026, 4, 27),
            D(2026, 4, 30),
            D(2026, 5, 1),
            D(2026, 5, 2),
            D(2026, 5, 3),
        ]

    @given(
        start=st.dates(min_value=D(2001, 1, 1), max_value=D(2074, 1, 1)),
        n=st.integers(min_value=1, max_value=400),
    )
    def test_between_inverts_add(self, start: dt.date, n: int) -> None:
        """working_days_between(a, add_working_days(a, n)) == n for n >= 1."""
        cal = WorkingCalendar.vietnam()
        end = cal.add_working_days(start, n)
        assert cal.working_days_between(start, end) == n
        assert cal.is_working_day(end)
        assert end > start

    @given(
        start=st.dates(min_value=D(2003, 1, 1), max_value=D(2074, 1, 1)),
        n=st.integers(min_value=-400, max_value=-1),
    )
    def test_negative_add_is_working_and_inverts(self, start: dt.date, n: int) -> None:
        """Going back n working days lands on a working day, n working days before."""
        cal = WorkingCalendar.vietnam()
        end = cal.add_working_days(start, n)
        assert cal.is_working_day(end)
        assert end < start
        # the |n|-1 working days strictly between, plus `start` itself when it works
        assert cal.working_days_between(end, start) == -n - 1 + cal.is_working_day(start)

    @given(
        start=st.dates(min_value=D(2001, 1, 1), max_value=D(2070, 1, 1)),
        m=st.integers(min_value=1, max_value=300),
        n=st.integers(min_value=1, max_value=300),
    )
    def test_add_is_associative(self, start: dt.date, m: int, n: int) -> None:
        """add(add(d, m), n) == add(d, m + n) for m, n >= 1."""
        cal = WorkingCalendar.vietnam()
        assert cal.add_working_days(cal.add_working_days(start, m), n) == cal.add_working_days(
            start, m + n
        )

    @given(
        a=st.dates(min_value=D(2001, 1, 1), max_value=D(2074, 1, 1)),
        b=st.dates(min_value=D(2001, 1, 1), max_value=D(2074, 1, 1)),
    )
    def test_between_is_antisymmetric_and_matches_iteration(self, a: dt.date, b: dt.date) -> None:
        """between(a, b) == -between(b, a), and counts the iterated days."""
        cal = WorkingCalendar.vietnam()
        assert cal.working_days_between(a, b) == -cal.working_days_between(b, a)
        lo, hi = min(a, b), max(a, b)
        if (hi - lo).days < 200:
            counted = len(list(cal.working_days(lo + dt.timedelta(days=1), hi))) if hi > lo else 0
            assert abs(cal.working_days_between(a, b)) == counted

    @given(day=st.dates(min_value=D(2001, 1, 1), max_value=D(2074, 1, 1)))
    def test_zero_rolls_forward_to_a_working_day(self, day: dt.date) -> None:
        """add(d, 0) is d when d works, else the next working day."""
        cal = WorkingCalendar.vietnam()
        rolled = cal.add_working_days(day, 0)
        assert cal.is_working_day(rolled)
        assert rolled >= day
        assert (rolled == day) is cal.is_working_day(day)


class TestOverrides:
    """Province and agency calendars derived from the national one."""

    def test_storm_closure(self, cal: WorkingCalendar) -> None:
        """A closure is a day off with its reason and source; the original is unchanged."""
        decision = LegalSource(document="Công điện 01/CĐ-UBND", title="storm Yagi")
        local = cal.with_days_off([D(2026, 9, 7)], reason="storm closure", source=decision)
        assert cal.is_working_day(D(2026, 9, 7))
        assert not local.is_working_day(D(2026, 9, 7))
        info = local.why(D(2026, 9, 7))
        assert info.reasons[-1].kind is ReasonKind.CLOSURE
        assert info.reasons[-1].source == decision
        assert local.add_working_days(D(2026, 9, 4), 1) == D(2026, 9, 8)

    def test_extra_working_day(self, cal: WorkingCalendar) -> None:
        """An extra working day counts for time limits."""
        local = cal.with_working_days([D(2026, 3, 7)], reason="make-up Saturday")
        assert local.is_working_day(D(2026, 3, 7))
        assert local.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 7)

    def test_override_outside_range_is_an_error(self, cal: WorkingCalendar) -> None:
        """Overrides outside the calendar's years are refused, naming the day."""
        with pytest.raises(OutOfRangeError, match="2101-01-01"):
            cal.with_days_off([D(2101, 1, 1)], reason="x")

    def test_notices_from_toml_file(self, cal: WorkingCalendar, tmp_path: Path) -> None:
        """A user's notices file adds days off and working days with its source."""
        path = tmp_path / "province.toml"
        path.write_text(
            """
[[notices]]
id = "hn-2026-01"
title = "Hà Nội: SEA Games closure"
document = "123/TB-UBND"
issued = 2026-03-01
days_off = [2026-03-10]
working_days = [2026-03-14]
""",
            encoding="utf-8",
        )
        local = cal.with_notices(path)
        assert not local.is_working_day(D(2026, 3, 10))
        assert local.is_working_day(D(2026, 3, 14))
        assert local.why(D(2026, 3, 10)).reasons[-1].source == LegalSource(
            document="123/TB-UBND", issued=D(2026, 3, 1)
        )

    def test_notices_from_json_file(self, tmp_path: Path) -> None:
        """JSON notices use ISO dates."""
        path = tmp_path / "n.json"
        path.write_text(
            json.dumps(
                {
                    "notices": [
                        {
                            "id": "x",
                            "title": "t",
                            "document": "1/TB",
                            "confidence": "P",
                            "days_off": ["2027-02-03"],
                        }
                    ]
                }
            ),
            encoding="utf-8",
        )
        (notice,) = load_notices(path)
        assert notice.days_off == (D(2027, 2, 3),)
        assert notice.confidence.mark == "[P]"

    def test_working_hours_and_saturday_receiving(self, cal: WorkingCalendar) -> None:
        """Saturday-morning receiving does not make Saturday a working day."""
        hours = WorkingHours.from_mapping(
            dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), "07:30-11:30,13:00-17:00")
        ).with_receiving("sat", "07:30-11:30")
        ward = cal.with_working_hours(hours)
        saturday = dt.datetime(2026, 3, 7, 9, 0, tzinfo=VIETNAM_TZ)
        assert ward.is_receiving_time(saturday)
        assert not ward.is_working_day(saturday.date())
        assert not ward.is_receiving_time(dt.datetime(2026, 2, 17, 9, 0, tzinfo=VIETNAM_TZ))
        assert ward.sessions_on(D(2026, 3, 9))[0] == Session.parse("07:30-11:30")
        # a swapped-in Saturday works the default day
        assert ward.sessions_on(D(2026, 1, 10))


class TestBadInput:
    """Errors name the value and what was expected."""

    @pytest.mark.parametrize("n", [1.5, "3", None, True])
    def test_non_integer_counts(self, cal: WorkingCalendar, n: object) -> None:
        """Counts must be integers (not bools, floats or strings)."""
        with pytest.raises(InvalidInputError, match="integer"):
            cal.add_working_days(D(2026, 1, 5), n)  # type: ignore[arg-type]

    def test_datetime_where_a_date_is_expected(self, cal: WorkingCalendar) -> None:
        """A datetime is not silently truncated to a date."""
        with pytest.raises(InvalidInputError, match="datetime"):
            cal.is_working_day(dt.datetime(2026, 1, 5, tzinfo=VIETNAM_TZ))  # type: ignore[arg-type]

    @pytest.mark.parametrize("day", [D(1999, 12, 31), D(2076, 1, 1)])
    def test_out_of_range(self, cal: WorkingCalendar, day: dt.date) -> None:
        """Dates outside the calendar's years raise OutOfRangeError naming the date."""
        with pytest.raises(OutOfRangeError, match=day.isoformat()):
            cal.is_working_day(day)

    def test_answer_out_of_range(self, cal: WorkingCalendar) -> None:
        """An answer past the last year is an error, not a wrong date."""
        with pytest.raises(OutOfRangeError):
            cal.add_working_days(D(2075, 12, 20), 30)
        with pytest.raises(OutOfRangeError):
            cal.add_working_days(D(2000, 1, 5), -30)

    def test_bad_year_range(self) -> None:
        """A calendar needs first_year <= last_year within 1990..2099."""
        with pytest.raises(OutOfRangeError):
            WorkingCalendar(first_year=2030, last_year=2020)

    def test_notice_both_off_and_working(self) -> None:
        """A notice cannot make one day both off and worked."""
        with pytest.raises(InvalidInputError, match="2026-01-02"):
            Notice(
                id="x",
                title="t",
                source=LegalSource(document="d"),
                days_off=(D(2026, 1, 2),),
                working_days=(D(2026, 1, 2),),
            )

    @pytest.mark.parametrize(
        ("content", "fragment"),
        [
            ("not toml [", "not valid TOML"),
            ("x = 1", "top-level 'notices'"),
            ('[[notices]]\nid = "a"\ntitle = "t"\ndays_off = [2026-01-01]', "'document'"),
            (
                '[[notices]]\nid = "a"\ntitle = "t"\ndocument = "d"\ndays_off = ["01/02/2026"]',
                "YYYY-MM-DD",
            ),
            ('[[notices]]\nid = "a"\ntitle = "t"\ndocument = "d"', "at least one day"),
            (
                (
                    '[[notices]]\nid = "a"\ntitle = "t"\ndocument = "d"\nsurprise = 1\n'
                    "days_off = [2026-01-01]"
                ),
                "unknown field",
            ),
            (
                (
                    '[[notices]]\nid = "a"\ntitle = "t"\ndocument = "d"\nconfidence = "sure"\n'
                    "days_off = [2026-01-01]"
                ),
                "confidence",
            ),
        ],
    )
    def test_malformed_notice_files(self, tmp_path: Path, content: str, fragment: str) -> None:
        """Malformed files raise DataFileError naming the file and the problem."""
        path = tmp_path / "bad.toml"
        path.write_text(content, encoding="utf-8")
        with pytest.raises(DataFileError, match=fragment) as caught:
            load_notices(path)
        assert "bad.toml" in str(caught.value)
        assert isinstance(caught.value, GovtierError)

    def test_notice_file_other_suffix_and_missing(self, tmp_path: Path) -> None:
        """Only .toml and .json are read; a missing file is a DataFileError."""
        other = tmp_path / "n.yaml"
        other.write_text("notices: []", encoding="utf-8")
        with pytest.raises(DataFileError, match=r"\.toml or \.json"):
            load_notices(other)
        with pytest.raises(DataFileError, match="cannot read"):
            load_notices(tmp_path / "missing.toml")

    def test_oversized_notice_file(self, tmp_path: Path) -> None:
        """Files over the size bound are refused before parsing."""
        path = tmp_path / "big.toml"
        path.write_text("#" * 1_000_001, encoding="utf-8")
        with pytest.raises(DataFileError, match="limited"):
            load_notices(path)

    def test_bad_sessions(self) -> None:
        """Sessions must parse, be ordered and not overlap."""
        with pytest.raises(InvalidInputError, match="08:00-12:00"):
            Session.parse("8am-noon")
        with pytest.raises(InvalidInputError, match="start before"):
            Session.parse("12:00-08:00")
        with pytest.raises(InvalidInputError, match="overlap"):
            WorkingHours.from_mapping({"mon": "08:00-12:00,11:00-17:00"})
        with pytest.raises(InvalidInputError, match="weekday"):
            WorkingHours.from_mapping({"moonday": "08:00-12:00"})

"""The Vietnamese civil-service working calendar.

A working day is Monday to Friday (Decision 188/1999/QĐ-TTg), minus public holidays and days off
in lieu (Labour Code 2019 Arts. 111(3), 112), minus the weekdays that yearly government notices
swap out, plus the Saturdays those notices swap in, plus or minus a province's or an agency's own
closures and extra working days.

:class:`WorkingCalendar` answers working-day arithmetic in O(1) per call from an index built once,
on first use, and says *why* any day is or is not a working day.

>>> import datetime as dt
>>> from govtier import WorkingCalendar
>>> cal = WorkingCalendar.vietnam()
>>> cal.add_working_days(dt.date(2026, 1, 1), 1)   # Fri 2/1/2026 swapped out, Sat 10/1 worked
datetime.date(2026, 1, 5)
>>> cal.why(dt.date(2026, 1, 10)).reasons[-1].source.document
'12729/VPCP-KGVX'
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import itertools
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from govtier._checks import VIETNAM_TZ, check_aware, check_count
from govtier._guard import shown, shown_names
from govtier.errors import DataFileError, InvalidInputError, OutOfRangeError
from govtier.i18n import N_, cite, format_date, resolve_language, tr
from govtier.legal import Confidence, LegalSource

if TYPE_CHECKING:
    from govtier.deadlines import Deadline, DeadlinePolicy, Duration

__all__ = [
    "OFFICIAL_SCHEDULE_THROUGH",
    "VIETNAM_TZ",
    "DayInfo",
    "DayReason",
    "Notice",
    "ReasonKind",
    "Session",
    "WorkingCalendar",
    "WorkingHours",
    "load_notices",
]


OFFICIAL_SCHEDULE_THROUGH: Final = 2026
"""The last year whose official schedule of days off and swaps (the Government's yearly notice for
civil servants) had been published when this release's data was bundled. Later years follow the
Labour Code's fixed holidays only, and may change when their notice comes out."""


CIVIL_SERVICE_WEEK = LegalSource(
    document="Decision 188/1999/QĐ-TTg",
    issued=dt.date(1999, 9, 17),
    title="40-hour, 5-day week for civil servants; Saturday and Sunday off",
)

MAX_NOTICE_FILE_BYTES: Final = 1_000_000
_WEEKDAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ReasonKind(enum.Enum):
    """Why a day is, or is not, a working day."""

    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public holiday"
    DAY_IN_LIEU = "day off in lieu"
    SWAPPED_OFF = "swapped out"
    SWAPPED_IN = "swapped in"
    CLOSURE = "closure"
    EXTRA_WORKING_DAY = "extra working day"

    def label(self, lang: str | None = None) -> str:
        """The kind in words, in ``lang`` (default: see :mod:`govtier.i18n`).

        >>> ReasonKind.DAY_IN_LIEU.label("vi")
        'nghỉ bù'
        """
        return tr(_REASON_LABELS[self], lang)

    @property
    def makes_working(self) -> bool:
        """Whether a reason of this kind makes the day a working day."""
        return self in (ReasonKind.WEEKDAY, ReasonKind.SWAPPED_IN, ReasonKind.EXTRA_WORKING_DAY)


@attrs.frozen(kw_only=True)
class DayReason:
    """One reason behind a day's status, with its source.

    Attributes:
        kind: what kind of reason.
        name: a readable name (``"Lunar New Year"``, ``"storm closure"``).
        source: the legal source, if any.
        confidence: how sure the source is.
    """

    kind: ReasonKind
    name: str
    source: LegalSource | None = None
    confidence: Confidence = Confidence.CONFIRMED
    name_vi: str | None = None

    def text(self, lang: str | None = None) -> str:
        """The reason in words, in ``lang``: kind, name and source.

        The name is the Vietnamese one from ``holidays`` (``name_vi``) in Vietnamese, else the
        catalogue's text for ``name`` (bundled notice titles, the weekday rule), else ``name``
        as given.
        """
        code = resolve_language(lang)
        name = self.name_vi if code == "vi" and self.name_vi else tr(self.name, code)
        text = f"{self.kind.label(code)}: {name}"
        if self.source is not None:
            text += f" ({cite(self.source, code)})"
        if self.confidence is not Confidence.CONFIRMED:
            text += f" {self.confidence.mark}"
        return text

    def __str__(self) -> str:
        return self.text()


@attrs.frozen(kw_only=True)
class DayInfo:
    """A day's status on a calendar and every reason for it, the deciding one last.

    Attributes:
        date: the day.
        is_working_day: whether time limits count this day.
        reasons: the reasons, in the order the calendar applied them; the last one decides.
    """

    date: dt.date
    is_working_day: bool
    reasons: tuple[DayReason, ...]

    def text(self, lang: str | None = None) -> str:
        """The day's status and its deciding reason, in ``lang``.

        >>> cal = WorkingCalendar.vietnam()
        >>> print(cal.why(dt.date(2026, 2, 17)).text("en"))  # doctest: +NORMALIZE_WHITESPACE
        Tue 17/02/2026 is not a working day: public holiday: Lunar New Year
        (9441/TB-BNV (16/10/2025))
        >>> print(cal.why(dt.date(2026, 2, 17)).text("vi"))  # doctest: +NORMALIZE_WHITESPACE
        Thứ Ba 17/02/2026 không phải là ngày làm việc: ngày nghỉ lễ, Tết: Tết Nguyên đán
        (9441/TB-BNV (16/10/2025))
        """
        code = resolve_language(lang)
        day = format_date(self.date, code, weekday=True)
        if self.is_working_day:
            head = tr("{day} is a working day", code, day=day)
        else:
            head = tr("{day} is not a working day", code, day=day)
        return f"{head}: {self.reasons[-1].text(code)}"

    def __str__(self) -> str:
        return self.text()


@attrs.frozen(kw_only=True)
class Notice:
    """An official notice that changes the civil-service calendar for given days.

    Attributes:
        id: a short stable identifier, e.g. ``"vpcp-12729-2025"``.
        title: what the notice does, in words.
        source: the document (number, date, issuer).
        days_off: weekdays the notice makes days off.
        working_days: weekend days the notice makes working days.
        confidence: how well the notice is confirmed.
        note: anything a reader should know (what was checked, what is pending).
        culture_day: the notice declares Vietnam Culture Day (24/11) and its days in lieu; a
            calendar built with ``include_culture_day=False`` leaves it out.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    title: str
    source: LegalSource
    days_off: tuple[dt.date, ...] = ()
    working_days: tuple[dt.date, ...] = ()
    confidence: Confidence = Confidence.CONFIRMED
    note: str | None = None
    culture_day: bool = False

    def __attrs_post_init__(self) -> None:
        both = set(self.days_off) & set(self.working_days)
        if both:
            day = min(both)
            msg = f"notice {self.id!r} makes {day.isoformat()} both a day off and a working day"
            raise InvalidInputError(msg, field="days_off", value=day)


@attrs.frozen(kw_only=True)
class Session:
    """One working session of a day, e.g. 08:00–12:00.

    >>> Session.parse("07:30-11:30")
    Session(start=datetime.time(7, 30), end=datetime.time(11, 30))
    """

    start: dt.time
    end: dt.time

    def __attrs_post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            msg = "session times are wall-clock times in Asia/Ho_Chi_Minh; give naive times"
            raise InvalidInputError(msg, field="start", value=self.start)
        if not self.start < self.end:
            msg = f"a session must start before it ends; got {self.start:%H:%M}-{self.end:%H:%M}"
            raise InvalidInputError(msg, field="end", value=self.end)

    @classmethod
    def parse(cls, text: str) -> Session:
        """Read ``"HH:MM-HH:MM"``.

        Raises:
            InvalidInputError: the text has another shape.
        """
        try:
            start_text, end_text = text.replace("–", "-").split("-")
            start = dt.time.fromisoformat(start_text.strip())
            end = dt.time.fromisoformat(end_text.strip())
        except ValueError:
            msg = f"a session looks like '08:00-12:00'; got {text!r}"
            raise InvalidInputError(msg, field="session", value=text) from None
        return cls(start=start, end=end)

    @property
    def seconds(self) -> int:
        """The session's length in seconds."""
        return (self.end.hour * 3600 + self.end.minute * 60 + self.end.second) - (
            self.start.hour * 3600 + self.start.minute * 60 + self.start.second
        )

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


_STANDARD_DAY: Final = (
    Session(start=dt.time(8), end=dt.time(12)),
    Session(start=dt.time(13), end=dt.time(17)),
)


def _week_validator(_inst: object, _attr: object, value: tuple[tuple[Session, ...], ...]) -> None:
    if len(value) != 7:
        msg = f"working hours need 7 weekdays (Monday first); got {len(value)}"
        raise InvalidInputError(msg, field="sessions", value=value)
    for day in value:
        for earlier, later in itertools.pairwise(day):
            if not earlier.end <= later.start:
                msg = f"sessions must be in order and not overlap: {earlier} then {later}"
                raise InvalidInputError(msg, field="sessions", value=day)


@attrs.frozen(kw_only=True)
class WorkingHours:
    """Working and receiving sessions per weekday, Monday first.

    *Working* sessions are when time limits run. *Receiving* sessions are when the counter takes
    dossiers; some centres also receive on Saturday morning, which does not make Saturday a working
    day for time limits. A weekend day that a notice makes a working day uses ``swap_day``.

    >>> hours = WorkingHours.standard().with_receiving("sat", "07:30-11:30")
    >>> [str(s) for s in hours.receiving[5]]
    ['07:30-11:30']
    """

    working: tuple[tuple[Session, ...], ...] = attrs.field(validator=_week_validator)
    receiving: tuple[tuple[Session, ...], ...] = attrs.field(validator=_week_validator)
    swap_day: tuple[Session, ...] = _STANDARD_DAY

    @classmethod
    def standard(cls) -> WorkingHours:
        """Monday to Friday 08:00–12:00 and 13:00–17:00, for working and receiving."""
        week = (_STANDARD_DAY,) * 5 + ((), ())
        return cls(working=week, receiving=week)

    @classmethod
    def from_mapping(
        cls,
        working: Mapping[str, str],
        receiving: Mapping[str, str] | None = None,
    ) -> WorkingHours:
        """Build hours from ``{"mon": "07:30-11:30,13:00-17:00", ...}``; missing days are closed.

        Receiving sessions default to the working ones.

        Raises:
            InvalidInputError: an unknown weekday name or a malformed session.
        """
        work = _week_from_mapping(working)
        recv = work if receiving is None else _week_from_mapping(receiving)
        swap = next((day for day in work if day), _STANDARD_DAY)
        return cls(working=work, receiving=recv, swap_day=swap)

    def with_receiving(self, weekday: str, sessions: str) -> WorkingHours:
        """A copy that also receives dossiers in ``sessions`` on ``weekday`` (e.g. ``"sat"``)."""
        index = _weekday_index(weekday)
        days = list(self.receiving)
        days[index] = _parse_sessions(sessions)
        return attrs.evolve(self, receiving=tuple(days))


def _weekday_index(name: str) -> int:
    key = name.strip().lower()[:3]
    if key not in _WEEKDAY_NAMES:
        msg = f"weekday must be one of {', '.join(_WEEKDAY_NAMES)}; got {name!r}"
        raise InvalidInputError(msg, field="weekday", value=name)
    return _WEEKDAY_NAMES.index(key)


def _parse_sessions(text: str) -> tuple[Session, ...]:
    return tuple(Session.parse(part) for part in text.split(",") if part.strip())


def _week_from_mapping(mapping: Mapping[str, str]) -> tuple[tuple[Session, ...], ...]:
    days: list[tuple[Session, ...]] = [()] * 7
    for name, text in mapping.items():
        days[_weekday_index(name)] = _parse_sessions(text)
    return tuple(days)


# --------------------------------------------------------------------------------------------
# Notices files


def load_notices(path: str | Path) -> tuple[Notice, ...]:
    """Read notices from a TOML or JSON file (see the "Calendar" docs page for the format).

    Raises:
        DataFileError: the file is missing, too large, not TOML/JSON, or an entry is malformed;
            the message names the file, the entry and the field.
    """
    from govtier._data import read_data_file

    name = str(path)
    data = read_data_file(path, limit=MAX_NOTICE_FILE_BYTES)
    return notices_from_data(data, path=name)


_NOTICE_KEYS: Final = frozenset(
    {
        "id",
        "title",
        "document",
        "article",
        "issued",
        "issuer",
        "url",
        "confidence",
        "days_off",
        "working_days",
        "note",
        "culture_day",
    }
)


def notices_from_data(data: object, *, path: str = "<data>") -> tuple[Notice, ...]:
    """Build notices from already-parsed data: ``{"notices": [ {...}, ... ]}``.

    Raises:
        DataFileError: the data is malformed (the message names the entry and field).
    """
    if not isinstance(data, dict) or not isinstance(data.get("notices"), list):
        raise DataFileError("expected a top-level 'notices' list", path=path)
    notices: list[Notice] = []
    seen: set[str] = set()
    for index, entry in enumerate(data["notices"]):
        notice = _notice_from_entry(entry, path=path, index=index)
        if notice.id in seen:
            raise DataFileError(f"duplicate id {notice.id!r}", path=path, entry=index, field="id")
        seen.add(notice.id)
        notices.append(notice)
    return tuple(notices)


def _notice_from_entry(entry: object, *, path: str, index: int) -> Notice:
    if not isinstance(entry, dict):
        raise DataFileError("each notice must be a table/object", path=path, entry=index)
    unknown = sorted(set(entry) - _NOTICE_KEYS)
    if unknown:
        raise DataFileError(
            f"unknown field(s) {shown_names(unknown)}; allowed: {', '.join(sorted(_NOTICE_KEYS))}",
            path=path,
            entry=index,
            field=unknown[0],
        )
    label: str | int = entry.get("id", index) if isinstance(entry.get("id"), str) else index

    def text(key: str, *, required: bool) -> str | None:
        value = entry.get(key)
        if value is None:
            if required:
                raise DataFileError("is required", path=path, entry=label, field=key)
            return None
        if not isinstance(value, str) or not value.strip():
            raise DataFileError(
                f"must be a non-empty string, got {shown(value)}", path=path, entry=label, field=key
            )
        return value

    def days(key: str) -> tuple[dt.date, ...]:
        value = entry.get(key, [])
        if not isinstance(value, list):
            raise DataFileError(
                f"must be a list of dates, got {shown(value)}", path=path, entry=label, field=key
            )
        return tuple(_as_date(item, path=path, entry=label, field=key) for item in value)

    issued_raw = entry.get("issued")
    issued = None if issued_raw is None else _as_date(issued_raw, path, label, "issued")
    confidence_text = text("confidence", required=False) or "confirmed"
    try:
        confidence = Confidence.parse(confidence_text)
    except ValueError as exc:
        raise DataFileError(str(exc), path=path, entry=label, field="confidence") from None
    document = text("document", required=True)
    assert document is not None  # noqa: S101  (required=True)
    source = LegalSource(
        document=document,
        article=text("article", required=False),
        issued=issued,
        title=text("issuer", required=False),
        url=text("url", required=False),
    )
    culture = entry.get("culture_day", False)
    if not isinstance(culture, bool):
        raise DataFileError(
            f"must be true or false, got {culture!r}", path=path, entry=label, field="culture_day"
        )
    off, work = days("days_off"), days("working_days")
    if not off and not work:
        raise DataFileError(
            "a notice must name at least one day in days_off or working_days",
            path=path,
            entry=label,
            field="days_off",
        )
    try:
        return Notice(
            id=text("id", required=True) or "",
            title=text("title", required=True) or "",
            source=source,
            days_off=off,
            working_days=work,
            confidence=confidence,
            note=text("note", required=False),
            culture_day=culture,
        )
    except InvalidInputError as exc:
        raise DataFileError(str(exc), path=path, entry=label, field=exc.field) from None


def _as_date(value: object, path: str, entry: str | int, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise DataFileError(
            f"expected a date, got a date-time {value!r}", path=path, entry=entry, field=field
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise DataFileError(
        f"expected a date as YYYY-MM-DD, got {shown(value)}", path=path, entry=entry, field=field
    )


def _bundled_notices() -> tuple[Notice, ...]:
    from govtier._data import read_bundled  # verified against SHA256SUMS before it is used

    path = "govtier/data/notices.toml"
    try:
        data = tomllib.loads(read_bundled("notices.toml"))
    except tomllib.TOMLDecodeError:  # recorded so, yet not TOML: the manifest was edited too
        raise DataFileError(
            "damaged install: not valid TOML; reinstall govtier", path=path
        ) from None
    return notices_from_data(data, path=path)


# --------------------------------------------------------------------------------------------
# The calendar


@attrs.frozen(kw_only=True)
class _Override:
    date: dt.date
    working: bool
    reason: DayReason


class _Index:
    """Precomputed facts about every day of a calendar's range.

    ``cumulative[i]`` is the number of working days on or before day ``origin + i``;
    ``working`` lists the ordinals of working days in order. Both make every query O(1).
    """

    __slots__ = ("cumulative", "first", "last", "origin", "special", "working", "working_dates")

    def __init__(self, calendar: WorkingCalendar) -> None:
        first = dt.date(calendar.first_year, 1, 1)
        last = dt.date(calendar.last_year, 12, 31)
        self.first, self.last = first, last
        self.origin = first.toordinal()
        self.special: dict[dt.date, DayInfo] = calendar._special_days()
        special = self.special
        working: list[int] = []
        cumulative: list[int] = []
        count = 0
        for ordinal in range(self.origin, last.toordinal() + 1):
            day = dt.date.fromordinal(ordinal)
            info = special.get(day)
            is_working = info.is_working_day if info is not None else day.weekday() < 5
            if is_working:
                count += 1
                working.append(ordinal)
            cumulative.append(count)
        self.working = working
        self.working_dates = [dt.date.fromordinal(o) for o in working]  # returned as they are
        self.cumulative = cumulative


def _check_date(value: object, name: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        kind = "a datetime" if isinstance(value, dt.datetime) else type(value).__name__
        msg = f"{name} must be a datetime.date, got {kind} {value!r}"
        raise InvalidInputError(msg, field=name, value=value)
    return value


@attrs.frozen(kw_only=True)
class WorkingCalendar:
    """A civil-service working calendar: which days count for time limits, and when.

    Build the national calendar with :meth:`vietnam`; derive a province's or an agency's with
    :meth:`with_days_off`, :meth:`with_working_days`, :meth:`with_notices` or
    :meth:`with_working_hours`. Each returns a new calendar; the original is unchanged.

    Attributes:
        name: what this calendar is, e.g. ``"Vietnam civil service"``.
        first_year: the first year the calendar answers for.
        last_year: the last year the calendar answers for.
        use_holidays_package: whether holidays, days in lieu and swaps come from ``holidays.VN``.
        include_culture_day: whether 24 November (Vietnam Culture Day) is a day off, as the
            ``holidays`` package has it from 2026. Its legal status is pending (see the docs).
        notices: official notices applied on top of the ``holidays`` data, in order.
        hours: working and receiving sessions.
    """

    name: str = "Vietnam civil service"
    first_year: int = 2000
    last_year: int = 2075
    use_holidays_package: bool = True
    include_culture_day: bool = True
    notices: tuple[Notice, ...] = ()
    overrides: tuple[_Override, ...] = attrs.field(default=(), repr=False)
    hours: WorkingHours = attrs.field(factory=WorkingHours.standard, repr=False)
    _built: _Index | None = attrs.field(default=None, init=False, eq=False, repr=False, hash=False)
    _lock: threading.Lock = attrs.field(
        factory=threading.Lock, init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not (1990 <= self.first_year <= self.last_year <= 2099):
            msg = (
                "calendar years must satisfy 1990 <= first_year <= last_year <= 2099; "
                f"got {self.first_year}..{self.last_year}"
            )
            raise OutOfRangeError(msg, field="first_year", value=(self.first_year, self.last_year))

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def vietnam(
        cls,
        *,
        first_year: int = 2000,
        last_year: int = 2075,
        include_culture_day: bool = True,
    ) -> WorkingCalendar:
        """The national civil-service calendar.

        Holidays, days in lieu and swapped days come from ``holidays.VN``; the official notices
        it does not carry are bundled with govtier (``govtier/data/notices.toml``), each with its
        source. Nothing is read until the first question is asked.

        Args:
            first_year: the first year answered (default 2000).
            last_year: the last year answered (default 2075).
            include_culture_day: keep 24 November as a day off, as ``holidays`` does from 2026.
        """
        national = _national(first_year, last_year, include_culture_day=include_culture_day)
        return (
            national
            if cls is WorkingCalendar
            else cls(
                first_year=first_year,
                last_year=last_year,
                include_culture_day=include_culture_day,
                notices=national.notices,
            )
        )

    @classmethod
    def weekdays_only(cls, *, first_year: int = 2000, last_year: int = 2075) -> WorkingCalendar:
        """Monday to Friday with no holidays at all: a base for fully custom calendars.

        For an agency abroad, a test suite, or a calendar built wholly from one's own notices:

        >>> import datetime as dt
        >>> plain = WorkingCalendar.weekdays_only(first_year=2026, last_year=2026)
        >>> plain.is_working_day(dt.date(2026, 2, 17))  # Tết, but this calendar has no holidays
        True
        >>> plain.is_working_day(dt.date(2026, 2, 21))  # a Saturday
        False
        """
        return cls(
            name="Monday to Friday",
            first_year=first_year,
            last_year=last_year,
            use_holidays_package=False,
        )

    def with_days_off(
        self,
        days: Iterable[dt.date],
        *,
        reason: str,
        source: LegalSource | None = None,
        name: str | None = None,
    ) -> WorkingCalendar:
        """A copy with extra days off (a storm closure, a local event).

        Args:
            days: the days to close.
            reason: why, in words; shown by :meth:`why`.
            source: the decision that closes them, if any.
            name: a name for the new calendar.
        """
        day_reason = DayReason(kind=ReasonKind.CLOSURE, name=reason, source=source)
        added = tuple(
            _Override(
                date=self._in_range(_check_date(d, "day"), "day"), working=False, reason=day_reason
            )
            for d in days
        )
        return attrs.evolve(self, overrides=self.overrides + added, name=name or self.name)

    def with_working_days(
        self,
        days: Iterable[dt.date],
        *,
        reason: str,
        source: LegalSource | None = None,
        name: str | None = None,
    ) -> WorkingCalendar:
        """A copy in which the given days are working days (e.g. a make-up Saturday)."""
        day_reason = DayReason(kind=ReasonKind.EXTRA_WORKING_DAY, name=reason, source=source)
        added = tuple(
            _Override(
                date=self._in_range(_check_date(d, "day"), "day"), working=True, reason=day_reason
            )
            for d in days
        )
        return attrs.evolve(self, overrides=self.overrides + added, name=name or self.name)

    def with_notices(
        self, notices: Iterable[Notice] | str | Path, *, name: str | None = None
    ) -> WorkingCalendar:
        """A copy with more notices applied on top: a sequence of :class:`Notice` or a file path.

        Raises:
            DataFileError: the file is malformed.
        """
        added = load_notices(notices) if isinstance(notices, str | Path) else tuple(notices)
        return attrs.evolve(self, notices=self.notices + added, name=name or self.name)

    def with_working_hours(self, hours: WorkingHours) -> WorkingCalendar:
        """A copy with other working and receiving sessions (an agency's own hours)."""
        return attrs.evolve(self, hours=hours)

    # -- the index ---------------------------------------------------------------------------

    def _index(self) -> _Index:
        index = self._built
        if index is None:
            with self._lock:
                index = self._built
                if index is None:
                    index = _Index(self)
                    object.__setattr__(self, "_built", index)  # a cache, not state
        return index

    def _special_days(self) -> dict[dt.date, DayInfo]:
        """Every day whose status or reasons differ from a plain weekday or weekend."""
        reasons: dict[dt.date, list[DayReason]] = {}
        working: dict[dt.date, bool] = {}

        def put(day: dt.date, reason: DayReason, *, is_working: bool) -> None:
            if not (self.first_year - 1 <= day.year <= self.last_year + 1):
                return
            if day not in reasons:
                base = day.weekday() < 5
                reasons[day] = [_plain_reason(day)]
                working[day] = base
            reasons[day].append(reason)
            working[day] = is_working

        if self.use_holidays_package:
            from govtier._holidays_adapter import vietnam_facts

            for fact in vietnam_facts(self.first_year, self.last_year):
                culture = fact.kind.startswith("culture_day")
                if culture and not self.include_culture_day:
                    continue
                kind = _FACT_KINDS[fact.kind]
                confidence = Confidence.PARTIAL if culture else Confidence.CONFIRMED
                reason = DayReason(
                    kind=kind,
                    name=fact.name,
                    name_vi=fact.name_vi,
                    source=fact.source,
                    confidence=confidence,
                )
                put(fact.date, reason, is_working=kind.makes_working)
        for notice in self.notices:
            if notice.culture_day and not self.include_culture_day:
                continue
            for day in notice.days_off:
                kind = _notice_off_kind(day)
                if notice.culture_day:
                    is_day = (day.month, day.day) == (11, 24)
                    kind = ReasonKind.PUBLIC_HOLIDAY if is_day else ReasonKind.DAY_IN_LIEU
                name, name_vi = notice.title, None
                if working.get(day) is False:  # the notice confirms a known day off
                    known = reasons[day][-1]
                    kind, name, name_vi = known.kind, known.name, known.name_vi
                put(
                    day,
                    DayReason(
                        kind=kind,
                        name=name,
                        name_vi=name_vi,
                        source=notice.source,
                        confidence=notice.confidence,
                    ),
                    is_working=False,
                )
            for day in notice.working_days:
                put(
                    day,
                    DayReason(
                        kind=ReasonKind.SWAPPED_IN,
                        name=notice.title,
                        source=notice.source,
                        confidence=notice.confidence,
                    ),
                    is_working=True,
                )
        for override in self.overrides:
            put(override.date, override.reason, is_working=override.working)
        return {
            day: DayInfo(date=day, is_working_day=working[day], reasons=tuple(found))
            for day, found in reasons.items()
        }

    def _in_range(self, day: dt.date, name: str) -> dt.date:
        if not (self.first_year <= day.year <= self.last_year):
            msg = (
                f"{name} {day.isoformat()} is outside the calendar's range "
                f"{self.first_year}-01-01..{self.last_year}-12-31"
            )
            raise OutOfRangeError(msg, field=name, value=day)
        return day

    def _offset(self, index: _Index, day: object, name: str) -> int:
        checked = _check_date(day, name)
        offset = checked.toordinal() - index.origin
        if not 0 <= offset < len(index.cumulative):
            self._in_range(checked, name)
        return offset

    def _working_at(self, index: _Index, position: int, day: dt.date) -> dt.date:
        if not 0 <= position < len(index.working):
            msg = (
                f"the answer for {day.isoformat()} falls outside the calendar's range "
                f"{self.first_year}-01-01..{self.last_year}-12-31"
            )
            raise OutOfRangeError(msg, field="day", value=day)
        return index.working_dates[position]

    # -- questions ---------------------------------------------------------------------------

    @property
    def first_day(self) -> dt.date:
        """The first day the calendar answers for."""
        return dt.date(self.first_year, 1, 1)

    @property
    def last_day(self) -> dt.date:
        """The last day the calendar answers for."""
        return dt.date(self.last_year, 12, 31)

    def is_working_day(self, day: dt.date) -> bool:
        """Whether time limits count ``day``.

        Raises:
            InvalidInputError: ``day`` is not a date.
            OutOfRangeError: ``day`` is outside the calendar's years.
        """
        index = self._index()
        offset = self._offset(index, day, "day")
        before = index.cumulative[offset - 1] if offset else 0
        return index.cumulative[offset] != before

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (or before it, for ``n`` < 0).

        For ``n`` = 0: ``day`` itself if it is a working day, else the next working day.

        Raises:
            InvalidInputError: ``day`` is not a date or ``n`` is not an integer.
            OutOfRangeError: ``day`` or the answer is outside the calendar's years.
        """
        # The hot path of every deadline: exact types skip the general checks.
        index = self._built or self._index()
        count = n if type(n) is int else check_count(n)
        offset = (
            day.toordinal() if type(day) is dt.date else _check_date(day, "day").toordinal()
        ) - index.origin
        cumulative = index.cumulative
        if not 0 <= offset < len(cumulative):
            self._in_range(day, "day")
        if count > 0:
            position = cumulative[offset] + count - 1
        else:
            position = (cumulative[offset - 1] if offset else 0) + count
        if 0 <= position < len(index.working):
            return index.working_dates[position]
        return self._working_at(index, position, day)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days ``x`` with ``start < x <= end``.

        When ``end < start`` the answer is negative: minus the number with ``end < x <= start``.

        Raises:
            InvalidInputError: an argument is not a date.
            OutOfRangeError: a date is outside the calendar's years.
        """
        index = self._built or self._index()
        cumulative = index.cumulative
        if type(start) is dt.date and type(end) is dt.date:
            a = start.toordinal() - index.origin
            b = end.toordinal() - index.origin
            if 0 <= a < len(cumulative) and 0 <= b < len(cumulative):
                return cumulative[b] - cumulative[a]
        a = self._offset(index, start, "start")
        b = self._offset(index, end, "end")
        return cumulative[b] - cumulative[a]

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        return self.add_working_days(day, -1)

    def working_days(self, start: dt.date, end: dt.date) -> Iterator[dt.date]:
        """The working days ``x`` with ``start <= x <= end``, in order."""
        index = self._index()
        a = self._offset(index, start, "start")
        b = self._offset(index, end, "end")
        first = index.cumulative[a - 1] if a else 0
        yield from index.working_dates[first : index.cumulative[b]]

    def why(self, day: dt.date) -> DayInfo:
        """Why ``day`` is or is not a working day.

        The reasons name the weekend, the holiday, the notice and its source, or the local closure.
        """
        index = self._index()
        self._offset(index, day, "day")
        info = index.special.get(day)
        if info is not None:
            return info
        return DayInfo(date=day, is_working_day=day.weekday() < 5, reasons=(_plain_reason(day),))

    def non_working_days(self, start: dt.date, end: dt.date) -> Iterator[DayInfo]:
        """Every day ``x`` with ``start <= x <= end`` that is not a working day, with the reason."""
        index = self._index()
        a = self._offset(index, start, "start")
        b = self._offset(index, end, "end")
        for offset in range(a, b + 1):
            previous = index.cumulative[offset - 1] if offset else 0
            if index.cumulative[offset] == previous:
                yield self.why(dt.date.fromordinal(index.origin + offset))

    # -- hours -------------------------------------------------------------------------------

    def sessions_on(self, day: dt.date) -> tuple[Session, ...]:
        """The working sessions of ``day``; empty when it is not a working day."""
        if not self.is_working_day(day):
            return ()
        return self.hours.working[day.weekday()] or self.hours.swap_day

    def is_receiving_time(self, moment: dt.datetime) -> bool:
        """Whether the counter receives dossiers at ``moment`` (including e.g. Saturday mornings).

        A day off (holiday, closure) receives nothing, whatever the weekday's sessions say.
        """
        local = check_aware(moment, "moment")
        day = local.date()
        info = self.why(day)
        if not info.is_working_day and info.reasons[-1].kind not in (
            ReasonKind.WEEKEND,
            ReasonKind.WEEKDAY,
        ):
            return False
        sessions = self.hours.receiving[day.weekday()]
        if info.is_working_day and not sessions:
            sessions = self.hours.swap_day
        clock = local.time().replace(tzinfo=None)
        return any(s.start <= clock < s.end for s in sessions)

    def is_working_moment(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` falls in a working session of a working day, its end included.

        The close of business (e.g. 17:00) is a working moment; a Sunday, a holiday, the lunch
        break or the evening is not.

        Raises:
            InvalidInputError: ``moment`` is not an aware datetime.
        """
        local = check_aware(moment, "moment")
        clock = local.time().replace(tzinfo=None)
        return any(s.start <= clock <= s.end for s in self.sessions_on(local.date()))

    def counting_start(self, moment: dt.datetime) -> dt.datetime:
        """``moment`` if it falls in a working session, else the start of the next one.

        Raises:
            InvalidInputError: ``moment`` is not an aware datetime.
        """
        local = check_aware(moment, "moment")
        day = local.date()
        clock = local.time().replace(tzinfo=None)
        for session in self.sessions_on(day):
            if clock < session.start:
                return _at(day, session.start)
            if clock < session.end:
                return local
        following = self.next_working_day(day)
        return _at(following, self.sessions_on(following)[0].start)

    def close_of_business(self, day: dt.date) -> dt.datetime:
        """The end of the last working session of ``day`` (a working day)."""
        sessions = self.sessions_on(day)
        if not sessions:
            msg = f"{day.isoformat()} is not a working day; it has no close of business"
            raise InvalidInputError(msg, field="day", value=day)
        return _at(day, sessions[-1].end)

    def deadline(
        self,
        received_at: dt.datetime,
        duration: Duration,
        policy: DeadlinePolicy | None = None,
        *,
        lang: str | None = None,
    ) -> Deadline:
        """The statutory due moment for a dossier received at ``received_at``.

        See :func:`govtier.deadlines.compute_deadline` for the rules applied; the notes are in
        ``lang`` (default: see :mod:`govtier.i18n`). The arithmetic lives
        in the deadlines layer: the calendar hands itself to the duration (data flows one way,
        calendar → deadlines, and this module never imports the layer above it).

        Raises:
            InvalidInputError: ``duration`` is not a :class:`~govtier.deadlines.Duration`.
        """
        result: Deadline = _of_duration(duration, "deadline_from")(
            self, received_at, policy, lang=lang
        )
        return result

    def due_at(
        self,
        received_at: dt.datetime,
        duration: Duration,
        policy: DeadlinePolicy | None = None,
    ) -> dt.datetime:
        """The due moment alone: ``deadline(...).due_at``, without writing the notes in words.

        Raises:
            InvalidInputError: ``duration`` is not a :class:`~govtier.deadlines.Duration`.
        """
        result: dt.datetime = _of_duration(duration, "due_from")(self, received_at, policy)
        return result


@functools.lru_cache(maxsize=8)
def _national(first_year: int, last_year: int, *, include_culture_day: bool) -> WorkingCalendar:
    """One shared national calendar per argument set: it is immutable, so its index is shared."""
    return WorkingCalendar(
        first_year=first_year,
        last_year=last_year,
        include_culture_day=include_culture_day,
        notices=_bundled_notices(),
    )


_FACT_KINDS: Final = {
    "holiday": ReasonKind.PUBLIC_HOLIDAY,
    "in_lieu": ReasonKind.DAY_IN_LIEU,
    "swapped_off": ReasonKind.SWAPPED_OFF,
    "swapped_in": ReasonKind.SWAPPED_IN,
    "culture_day": ReasonKind.PUBLIC_HOLIDAY,
    "culture_day_in_lieu": ReasonKind.DAY_IN_LIEU,
}


def _notice_off_kind(day: dt.date) -> ReasonKind:
    """A notice's day off is a swap on a weekday and a closure on a weekend."""
    if day.weekday() >= 5:
        return ReasonKind.CLOSURE
    return ReasonKind.SWAPPED_OFF


_REASON_LABELS: Final = {
    ReasonKind.WEEKDAY: N_("weekday"),
    ReasonKind.WEEKEND: N_("weekend"),
    ReasonKind.PUBLIC_HOLIDAY: N_("public holiday"),
    ReasonKind.DAY_IN_LIEU: N_("day off in lieu"),
    ReasonKind.SWAPPED_OFF: N_("swapped out"),
    ReasonKind.SWAPPED_IN: N_("swapped in"),
    ReasonKind.CLOSURE: N_("closure"),
    ReasonKind.EXTRA_WORKING_DAY: N_("extra working day"),
}


def _plain_reason(day: dt.date) -> DayReason:
    if day.weekday() < 5:
        return DayReason(
            kind=ReasonKind.WEEKDAY, name=N_("Monday to Friday"), source=CIVIL_SERVICE_WEEK
        )
    return DayReason(
        kind=ReasonKind.WEEKEND,
        name=N_("Saturday") if day.weekday() == 5 else N_("Sunday"),
        source=CIVIL_SERVICE_WEEK,
    )


def _at(day: dt.date, clock: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, clock, tzinfo=VIETNAM_TZ)


def _of_duration(duration: object, method: str) -> Any:
    """The duration's ``method`` (the deadlines layer's arithmetic), or an error naming it."""
    found = getattr(duration, method, None)
    if found is None:
        msg = (
            "duration must be a govtier Duration (e.g. Duration.working_days(3) or "
            f"Duration.parse('3 working days')), got {type(duration).__name__}"
        )
        raise InvalidInputError(msg, field="duration", value=None)
    return found

"""Statutory time limits and how a due moment is computed from them.

Vietnamese procedures state their limits in five ways (see the "How time limits are counted" docs
page for the sources): working days, working hours, calendar days (Civil Code 2015 Arts. 147–148),
same day with a cutoff (Decree 23/2015/NĐ-CP Art. 7: after 15:00, the next working day), and
immediately. :class:`Duration` holds one; :class:`DeadlinePolicy` says when counting starts and what
the due moment is; :func:`compute_deadline` turns a receipt moment into a :class:`Deadline` with an
explanation a counter clerk can read out.

>>> import datetime as dt
>>> from govtier import Duration, WorkingCalendar, VIETNAM_TZ
>>> cal = WorkingCalendar.vietnam()
>>> received = dt.datetime(2026, 4, 28, 9, 30, tzinfo=VIETNAM_TZ)   # Tue before 30/4
>>> cal.deadline(received, Duration.working_days(3)).due_at.isoformat()
'2026-05-05T17:00:00+07:00'
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import TYPE_CHECKING, Final

import attrs

from govtier._checks import VIETNAM_TZ, check_aware, check_count
from govtier._guard import MAX_DIGITS, decimal_int, describe
from govtier.calendar import DayReason
from govtier.errors import InvalidInputError, OutOfRangeError
from govtier.i18n import cite, format_date, format_datetime, resolve_language, tr, trn
from govtier.legal import Confidence, LegalSource

if TYPE_CHECKING:
    from govtier.calendar import DayInfo, WorkingCalendar

__all__ = [
    "DUE_CONVENTION",
    "DUE_CONVENTION_CONFIDENCE",
    "ClockRules",
    "Counting",
    "Deadline",
    "DeadlineNote",
    "DeadlinePolicy",
    "DueMoment",
    "Duration",
    "DurationUnit",
    "OutsideHours",
    "WaitRule",
    "add_working_time",
    "compute_deadline",
    "compute_due",
    "due_moment_of",
    "working_time_between",
]

CIVIL_CODE_START = LegalSource(
    document="Civil Code 91/2015/QH13",
    article="Art. 147",
    title="a limit in days starts on the day after the event",
)
CIVIL_CODE_END = LegalSource(
    document="Civil Code 91/2015/QH13",
    article="Art. 148",
    title="a last day that is a weekly day off or a holiday rolls to the next working day",
)
DUE_CONVENTION: Final = LegalSource(
    document="Civil Code 91/2015/QH13",
    article="Art. 148",
    title=(
        "a limit in days ends at the end of its last day; govtier reads the end of a working day "
        "as the close of business (working days, hours, same day) and keeps the end of the day "
        "for calendar days"
    ),
)
DUE_CONVENTION_CONFIDENCE: Final = Confidence.PARTIAL
"""How sure the due-moment convention is (see :data:`DUE_CONVENTION`)."""
"""The source of the due-moment convention (:attr:`DueMoment.BY_KIND`).

Art. 148's "end of the last day" is confirmed [C]; that the end of a day is 24:00 was seen only
in part [P]; no text was found saying whether a limit in working days ends at the close of
business or at midnight [U], so the close of business — the moment appointment slips show — is
govtier's reading."""

CERTIFICATION_CUTOFF = LegalSource(
    document="Decree 23/2015/NĐ-CP",
    article="Art. 7",
    title="certification done the same day, or the next working day if received after 15:00",
)


class DurationUnit(enum.Enum):
    """The kinds of statutory time limit."""

    WORKING_DAYS = "working days"
    WORKING_HOURS = "working hours"
    CALENDAR_DAYS = "calendar days"
    SAME_DAY = "same day"
    IMMEDIATE = "immediate"


def _non_negative(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_count(value, attribute.name)
    if value < 0:
        msg = f"a time limit cannot be negative; got {attribute.name}={describe(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=value)
    if value > _MAX_AMOUNT:
        msg = f"a time limit is at most {_MAX_AMOUNT}; got {attribute.name}={describe(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=value)


_MAX_AMOUNT: Final = 10**MAX_DIGITS - 1


_DURATION_TEXT: Final = re.compile(
    r"^\s*(?:(?P<n>[0-9]+)\s*(?P<unit>working\s+days?|wd|working\s+hours?|wh|"
    r"calendar\s+days?|days?|d|ngày\s+làm\s+việc|giờ\s+làm\s+việc|ngày)"
    r"|(?P<same>same[\s-]+day|trong\s+ngày)(?:\s*\(?\s*(?:cutoff|nhận\s+trước)\s+(?P<cut>[0-9]+:[0-9]+)\s*\)?)?"
    r"|(?P<now>immediate(?:ly)?|(?:giải\s+quyết\s+)?ngay))\s*$",
    re.IGNORECASE,
)


def _cutoff(text: str) -> dt.time:
    hours, minutes = (decimal_int(part, "cutoff", max_digits=2) for part in text.split(":"))
    if hours > 23 or minutes > 59:
        msg = f"a cutoff is a time of day from 00:00 to 23:59, got {text}"
        raise InvalidInputError(msg, field="cutoff", value=text)
    return dt.time(hours, minutes)


@attrs.frozen(kw_only=True)
class Duration:
    """A statutory time limit.

    Use the constructors: :meth:`working_days`, :meth:`working_hours`, :meth:`calendar_days`,
    :meth:`same_day` and :meth:`immediate`, or :meth:`parse` for text.

    >>> str(Duration.working_days(3)), str(Duration.same_day())
    ('3 ngày làm việc', 'trong ngày (nhận trước 15:00)')
    >>> Duration.working_days(3).text("en"), Duration.same_day().text("en")
    ('3 working days', 'same day (cutoff 15:00)')
    >>> Duration.parse(str(Duration.same_day(dt.time(11)))) == Duration.same_day(dt.time(11))
    True
    >>> Duration.parse("7 ngày làm việc") == Duration.working_days(7)
    True
    """

    unit: DurationUnit
    amount: int = attrs.field(default=0, validator=_non_negative)
    cutoff: dt.time | None = None

    def __attrs_post_init__(self) -> None:
        if self.unit is DurationUnit.SAME_DAY and self.cutoff is None:
            msg = "a same-day limit needs a cutoff time (Decree 23/2015 Art. 7 uses 15:00)"
            raise InvalidInputError(msg, field="cutoff", value=None)
        if self.unit is not DurationUnit.SAME_DAY and self.cutoff is not None:
            msg = f"only a same-day limit has a cutoff; got {self.unit.value} with {self.cutoff}"
            raise InvalidInputError(msg, field="cutoff", value=self.cutoff)
        if self.unit in (DurationUnit.SAME_DAY, DurationUnit.IMMEDIATE) and self.amount != 0:
            msg = f"a {self.unit.value} limit has no amount; got {self.amount}"
            raise InvalidInputError(msg, field="amount", value=self.amount)

    @classmethod
    def working_days(cls, n: int) -> Duration:
        """``n`` working days."""
        return cls(unit=DurationUnit.WORKING_DAYS, amount=n)

    @classmethod
    def working_hours(cls, n: int) -> Duration:
        """``n`` working hours, counted through the working sessions."""
        return cls(unit=DurationUnit.WORKING_HOURS, amount=n)

    @classmethod
    def calendar_days(cls, n: int) -> Duration:
        """``n`` days under Civil Code Arts. 147–148."""
        return cls(unit=DurationUnit.CALENDAR_DAYS, amount=n)

    @classmethod
    def same_day(cls, cutoff: dt.time = dt.time(15)) -> Duration:
        """The same working day if received by ``cutoff``, else the next working day."""
        return cls(unit=DurationUnit.SAME_DAY, cutoff=cutoff)

    @classmethod
    def immediate(cls) -> Duration:
        """Done at once, at the counter."""
        return cls(unit=DurationUnit.IMMEDIATE)

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Read a time limit from text, in English or Vietnamese.

        Accepted: ``"3 working days"``, ``"8 working hours"``, ``"15 days"``, ``"same day"``,
        ``"same day (cutoff 15:00)"``, ``"immediate"``, ``"7 ngày làm việc"``,
        ``"8 giờ làm việc"``, ``"15 ngày"``, ``"trong ngày"``, ``"ngay"``.

        Raises:
            InvalidInputError: the text is none of these.
        """
        given: object = text
        short = isinstance(given, str) and len(given) <= 40  # a time limit, not personal data
        match = _DURATION_TEXT.match(given) if isinstance(given, str) else None
        if match is None:
            shown = repr(given) if short else describe(given)
            msg = (
                "a time limit looks like '3 working days', '8 working hours', '15 days', "
                f"'same day (cutoff 15:00)' or 'immediate' (digits 0-9); got {shown}"
            )
            raise InvalidInputError(msg, field="duration", value=text)
        if match["now"]:
            return cls.immediate()
        if match["same"]:
            return cls.same_day(_cutoff(match["cut"]) if match["cut"] else dt.time(15))
        unit_text = match["unit"].lower()
        amount = decimal_int(match["n"], "duration amount")
        if unit_text in ("wh",) or "hour" in unit_text or "giờ" in unit_text:
            return cls.working_hours(amount)
        if unit_text in ("wd",) or "working" in unit_text or "làm việc" in unit_text:
            return cls.working_days(amount)
        return cls.calendar_days(amount)

    def deadline_from(
        self,
        calendar: WorkingCalendar,
        received_at: dt.datetime,
        policy: DeadlinePolicy | None = None,
        *,
        lang: str | None = None,
    ) -> Deadline:
        """The due moment of this limit for a dossier received at ``received_at``.

        The same as :func:`compute_deadline` (and :meth:`WorkingCalendar.deadline`, which calls
        this, so the calendar never imports the deadlines layer above it); the notes are in
        ``lang`` (default: see :mod:`govtier.i18n`).
        """
        return compute_deadline(calendar, received_at, self, policy, lang=lang)

    def due_from(
        self,
        calendar: WorkingCalendar,
        received_at: dt.datetime,
        policy: DeadlinePolicy | None = None,
    ) -> dt.datetime:
        """The due moment alone: ``deadline_from(...).due_at``, without writing the notes.

        What :meth:`WorkingCalendar.due_at` calls; the rules are :func:`compute_deadline`'s.
        """
        return compute_due(calendar, received_at, self, policy)

    def text(self, lang: str | None = None) -> str:
        """The limit in words, in ``lang``; :meth:`parse` reads both languages back.

        >>> Duration.working_days(3).text("vi"), Duration.working_days(1).text("en")
        ('3 ngày làm việc', '1 working day')
        """
        code = resolve_language(lang)
        if self.unit is DurationUnit.SAME_DAY:
            assert self.cutoff is not None  # noqa: S101  (checked at construction)
            return tr("same day (cutoff {cutoff})", code, cutoff=self.cutoff.strftime("%H:%M"))
        if self.unit is DurationUnit.IMMEDIATE:
            return tr("immediate", code)
        if self.unit is DurationUnit.WORKING_DAYS:
            return trn("{n} working day", "{n} working days", self.amount, code)
        if self.unit is DurationUnit.WORKING_HOURS:
            return trn("{n} working hour", "{n} working hours", self.amount, code)
        return trn("{n} calendar day", "{n} calendar days", self.amount, code)

    def __str__(self) -> str:
        return self.text()


class Counting(enum.Enum):
    """When counting starts, for day-based limits."""

    FROM_NEXT_DAY = "from the next day"
    """The day of receipt is excluded (Civil Code 2015 Art. 147); the usual reading."""
    FROM_RECEIPT_DAY = "from the day of receipt"
    """The day of receipt counts as the first day."""


class DueMoment(enum.Enum):
    """What moment of the last day is due.

    The default, :attr:`BY_KIND`, is govtier's one convention (:data:`DUE_CONVENTION`): the
    same in the API, the CLI and a dossier's stored clock, whichever way it is reached.
    """

    BY_KIND = "by kind"
    """The convention for the kind of limit: the end of the last day for calendar days (Civil
    Code 2015 Art. 148), the close of business of the last day for every other kind."""
    CLOSE_OF_BUSINESS = "close of business"
    """The end of the last working session of the last day."""
    SAME_CLOCK_TIME = "same clock time"
    """The clock time of (effective) receipt, on the last day."""
    END_OF_DAY = "end of day"
    """One second before midnight of the last day.

    Civil Code 2015 Art. 148 reads "the end of the last day".
    """


class OutsideHours(enum.Enum):
    """What a receipt outside working sessions means."""

    NEXT_SESSION = "next working session"
    """Counting runs as if received at the start of the next working session."""
    AS_RECEIVED = "as received"
    """The receipt moment is used as it is."""


@attrs.frozen(kw_only=True)
class DeadlinePolicy:
    """How a time limit is applied to a receipt moment.

    The defaults are the usual reading: count from the day after receipt, due at the moment the
    convention gives for the kind of limit (:attr:`DueMoment.BY_KIND`: the close of business of
    the last day; the end of the last day for calendar days), and a receipt outside working hours
    counts from the next working session. Which of these Decree 118/2025 itself prescribes is
    unconfirmed; sector texts confirm the after-hours rule for the State Treasury and Customs
    (see the docs).

    Attributes:
        counting: when counting starts, for day-based limits.
        due: which moment of the last day is due.
        outside_hours: how a receipt outside working sessions is treated.
        source: the legal basis of this policy, if a procedure has one.
    """

    counting: Counting = Counting.FROM_NEXT_DAY
    due: DueMoment = DueMoment.BY_KIND
    outside_hours: OutsideHours = OutsideHours.NEXT_SESSION
    source: LegalSource | None = None


def _render(value: object, lang: str) -> object:
    if isinstance(value, dt.datetime):
        return _fmt(value, lang)
    if isinstance(value, dt.date):
        return format_date(value, lang)
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    if isinstance(value, LegalSource):
        return cite(value, lang)
    if isinstance(value, DayReason):
        return value.name_vi if lang == "vi" and value.name_vi else tr(value.name, lang)
    return value


@attrs.frozen(kw_only=True)
class DeadlineNote:
    """One rule applied in computing a deadline, as a code and its values.

    The words come from govtier's message catalogues, so one computed deadline reads in either
    language (:meth:`text`).

    Attributes:
        code: what was applied: ``outside_hours``, ``immediate``, ``working_hours``,
            ``after_cutoff``, ``by_cutoff``, ``receipt_day_counts``, ``working_days``,
            ``no_working_days``, ``calendar_days``, ``calendar_roll`` or ``end_of_day``.
        params: the values the note speaks of, by name (moments, days, numbers, sources).

    >>> note = DeadlineNote(code="by_cutoff", params=(("cutoff", dt.time(15)),))
    >>> note.text("en")
    'Received by the 15:00 cutoff: due the same day.'
    >>> note.text("vi")
    'Tiếp nhận trước 15:00: trả kết quả trong ngày.'
    """

    code: str
    params: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str | None = None) -> str:
        """The note in ``lang`` (default: see :mod:`govtier.i18n`)."""
        code = resolve_language(lang)
        raw = dict(self.params)
        v = {k: _render(x, code) for k, x in raw.items()}
        n = int(str(raw.get("n", 0)))
        match self.code:
            case "outside_hours":
                return tr(
                    "Received outside working hours: counting from the next working session, "
                    "{moment}.",
                    code,
                    moment=v["moment"],
                )
            case "immediate":
                return tr("Done immediately at the counter.", code)
            case "working_hours":
                return trn(
                    "{n} working hour counted through the working sessions.",
                    "{n} working hours counted through the working sessions.",
                    n,
                    code,
                )
            case "after_cutoff":
                return tr(
                    "Received after the {cutoff} cutoff: due the next working day ({source}).",
                    code,
                    cutoff=v["cutoff"],
                    source=v["source"],
                )
            case "by_cutoff":
                return tr(
                    "Received by the {cutoff} cutoff: due the same day.", code, cutoff=v["cutoff"]
                )
            case "receipt_day_counts":
                return tr("The day of receipt counts as the first working day.", code)
            case "working_days":
                return tr(
                    "Counting starts the working day after receipt ({source}); "
                    "the {ordinal} working day is due.",
                    code,
                    source=v["source"],
                    ordinal=_ordinal(n, code),
                )
            case "no_working_days":
                return tr("No working days to count: due the day of receipt.", code)
            case "calendar_days":
                return trn(
                    "{n} calendar day from {start}: last day {last}.",
                    "{n} calendar days from {start}: last day {last}.",
                    n,
                    code,
                    start=v["start"],
                    last=v["last"],
                )
            case "calendar_roll":
                return tr(
                    "{last} is not a working day ({reason}): the limit rolls to {day} ({source}).",
                    code,
                    last=v["last"],
                    reason=v["reason"],
                    day=v["day"],
                    source=v["source"],
                )
            case "end_of_day":
                return tr("Due at the end of the last day ({source}).", code, source=v["source"])
        msg = f"no deadline note {self.code!r}"
        raise InvalidInputError(msg, field="code", value=None)


def _note(code: str, **params: object) -> DeadlineNote:
    return DeadlineNote(code=code, params=tuple(params.items()))


@attrs.frozen(kw_only=True)
class Deadline:
    """A computed due moment, with what it was computed from.

    Attributes:
        received_at: the receipt moment given (in Asia/Ho_Chi_Minh).
        counting_from: the moment counting ran from (after the outside-hours rule).
        due_at: the due moment (aware, Asia/Ho_Chi_Minh).
        duration: the time limit.
        policy: the policy applied.
        notes: the rules applied, in words, in order (:attr:`reasons` as English text).
    """

    received_at: dt.datetime
    counting_from: dt.datetime
    due_at: dt.datetime
    duration: Duration
    policy: DeadlinePolicy
    notes: tuple[str, ...]
    calendar: WorkingCalendar = attrs.field(eq=False, repr=False)

    @property
    def due_date(self) -> dt.date:
        """The due day."""
        return self.due_at.date()

    @property
    def reasons(self) -> tuple[DeadlineNote, ...]:
        """The rules applied, in order, as codes with their values (what :attr:`notes` says)."""
        return _compute(self.calendar, self.received_at, self.duration, self.policy)[2]

    def skipped_days(self) -> tuple[DayInfo, ...]:
        """The days that moved the due day later, each with its reason.

        For working days, hours and same-day limits: the days off between receipt and the due
        day, which were not counted. For calendar days every day counts (Civil Code Art. 147),
        so only a last day that is not a working day, and any day off after it, moved the due
        day: the roll to the next working day (Art. 148).
        """
        unit = self.duration.unit
        end = self.due_at.date()
        if unit is DurationUnit.IMMEDIATE:
            return ()
        if unit is DurationUnit.CALENDAR_DAYS:
            last = _calendar_last_day(self.counting_from, self.duration, self.policy)
            if end <= last:
                return ()
            return tuple(self.calendar.non_working_days(last, end - dt.timedelta(days=1)))
        start = self.received_at.date()
        if end <= start:
            return ()
        return tuple(self.calendar.non_working_days(start + dt.timedelta(days=1), end))

    @property
    def explanation(self) -> str:
        """The computation in words, for a counter clerk to read out, in the default language."""
        return self.explain()

    def explain(self, lang: str | None = None) -> str:
        """The computation in words, in ``lang`` (see :mod:`govtier.i18n`).

        ``notes`` hold the language the deadline was computed in; the explanation is written
        afresh in the language asked for.
        """
        code = resolve_language(lang)
        notes = self.notes_in(code)
        lines = [
            tr(
                "Received {moment}; time limit {limit}.",
                code,
                moment=_fmt(self.received_at, code),
                limit=self.duration.text(code),
            ),
            *notes,
        ]
        skipped = self.skipped_days()
        if skipped:
            rolled = self.duration.unit is DurationUnit.CALENDAR_DAYS
            lines.append(
                tr(
                    "Days the limit rolled over ({source}):",
                    code,
                    source=cite(CIVIL_CODE_END, code),
                )
                if rolled
                else tr("Days not counted:", code)
            )
            lines.extend(f"  - {info.text(code)}" for info in skipped)
        lines.append(tr("Due {moment}.", code, moment=_fmt(self.due_at, code)))
        return "\n".join(lines)

    def notes_in(self, lang: str | None = None) -> tuple[str, ...]:
        """The notes in ``lang`` (:attr:`reasons` in words)."""
        return tuple(reason.text(lang) for reason in self.reasons)


def _fmt(moment: dt.datetime, lang: str | None = None) -> str:
    return format_datetime(moment, lang)


def _calendar_last_day(start: dt.datetime, duration: Duration, policy: DeadlinePolicy) -> dt.date:
    """The last day of a calendar-day limit counted from ``start``, before any roll."""
    n = duration.amount
    offset = n - 1 if policy.counting is Counting.FROM_RECEIPT_DAY and n > 0 else n
    try:
        return start.date() + dt.timedelta(days=offset)
    except OverflowError:
        msg = f"{n} calendar days from {start:%d/%m/%Y} run past the year 9999"
        raise OutOfRangeError(msg, field="duration", value=n) from None


def due_moment_of(duration: Duration, policy: DeadlinePolicy | None = None) -> DueMoment:
    """The moment of the last day that is due, for ``duration`` under ``policy``.

    The policy's choice, or with :attr:`DueMoment.BY_KIND` (the default) the convention
    (:data:`DUE_CONVENTION`): the end of the last day for calendar days, the close of business
    for every other kind.

    >>> due_moment_of(Duration.calendar_days(10)).name, due_moment_of(Duration.working_days(3)).name
    ('END_OF_DAY', 'CLOSE_OF_BUSINESS')
    """
    due = (policy or DeadlinePolicy()).due
    if due is not DueMoment.BY_KIND:
        return due
    if duration.unit is DurationUnit.CALENDAR_DAYS:
        return DueMoment.END_OF_DAY
    return DueMoment.CLOSE_OF_BUSINESS


def compute_deadline(
    calendar: WorkingCalendar,
    received_at: dt.datetime,
    duration: Duration,
    policy: DeadlinePolicy | None = None,
    *,
    lang: str | None = None,
) -> Deadline:
    """Compute the due moment of ``duration`` for a dossier received at ``received_at``.

    The notes are written in ``lang`` (default: see :mod:`govtier.i18n`).

    Rules, in order:

    1. ``received_at`` must be timezone-aware; it is converted to Asia/Ho_Chi_Minh.
    2. Outside working sessions (evening, weekend, holiday) and with the default policy, counting
       runs from the start of the next working session.
    3. Working days: the n-th working day after the (effective) receipt day (or the (n-1)-th from
       it when the receipt day counts). Working hours: n hours through the working sessions.
       Calendar days: receipt day + n (Civil Code Art. 147); a last day that is not a working day
       rolls to the next working day (Art. 148). Same day: that day if received by the cutoff,
       else the next working day. Immediate: the effective receipt moment.
    4. The due moment is the one :func:`due_moment_of` gives: by default the convention — the
       end of the last day for calendar days, the close of business of the last day otherwise —
       or the policy's close of business, same clock time or end of the day.

    Raises:
        InvalidInputError: ``received_at`` is naive or not a datetime, or ``duration`` is not a
            :class:`Duration`.
        OutOfRangeError: the dates fall outside the calendar's range.
    """
    policy = policy or DeadlinePolicy()
    received = _checked(received_at, duration)
    code = resolve_language(lang)
    start, due, reasons = _compute(calendar, received, duration, policy)
    return Deadline(
        received_at=received,
        counting_from=start,
        due_at=due,
        duration=duration,
        policy=policy,
        notes=tuple(r.text(code) for r in reasons),
        calendar=calendar,
    )


def compute_due(
    calendar: WorkingCalendar,
    received_at: dt.datetime,
    duration: Duration,
    policy: DeadlinePolicy | None = None,
) -> dt.datetime:
    """The due moment :func:`compute_deadline` gives, without writing its notes in words.

    For code that needs only the moment (a dossier's appointment, a step's sub-deadline): the
    notes' words are most of the cost of a deadline.

    Raises:
        InvalidInputError: as :func:`compute_deadline`.
        OutOfRangeError: as :func:`compute_deadline`.
    """
    received = _checked(received_at, duration)
    return _compute(calendar, received, duration, policy or DeadlinePolicy())[1]


def _checked(received_at: dt.datetime, duration: Duration) -> dt.datetime:
    """The receipt moment in Vietnam, once both arguments are what a deadline needs."""
    received = check_aware(received_at, "received_at")
    given: object = duration
    if not isinstance(given, Duration):
        msg = f"duration must be a govtier.Duration, got {type(duration).__name__} {duration!r}"
        raise InvalidInputError(msg, field="duration", value=duration)
    return received


def _compute(
    calendar: WorkingCalendar, received: dt.datetime, duration: Duration, policy: DeadlinePolicy
) -> tuple[dt.datetime, dt.datetime, tuple[DeadlineNote, ...]]:
    """The counting start, the due moment and the notes of :func:`compute_deadline`."""
    notes: list[DeadlineNote] = []
    start = received
    if policy.outside_hours is OutsideHours.NEXT_SESSION:
        start = calendar.counting_start(received)
        if start != received:
            notes.append(_note("outside_hours", moment=start))
    unit = duration.unit
    if unit is DurationUnit.IMMEDIATE:
        notes.append(_note("immediate"))
        due = start
    elif unit is DurationUnit.WORKING_HOURS:
        due = add_working_time(calendar, start, dt.timedelta(hours=duration.amount))
        notes.append(_note("working_hours", n=duration.amount))
    elif unit is DurationUnit.SAME_DAY:
        assert duration.cutoff is not None  # noqa: S101  (checked at construction)
        day = start.date()
        if not calendar.is_working_day(day):
            day = calendar.add_working_days(day, 0)
        if start.date() == day and start.time().replace(tzinfo=None) > duration.cutoff:
            day = calendar.next_working_day(day)
            notes.append(_note("after_cutoff", cutoff=duration.cutoff, source=CERTIFICATION_CUTOFF))
        else:
            notes.append(_note("by_cutoff", cutoff=duration.cutoff))
        due = _due_on(calendar, day, start, duration, policy)
    elif unit is DurationUnit.WORKING_DAYS:
        n = duration.amount
        first = policy.counting is Counting.FROM_RECEIPT_DAY and calendar.is_working_day(
            start.date()
        )
        if first and n > 0:
            day = calendar.add_working_days(start.date(), n - 1)
            notes.append(_note("receipt_day_counts"))
        else:
            day = calendar.add_working_days(start.date(), n)
            notes.append(
                _note("working_days", source=CIVIL_CODE_START, n=n)
                if n
                else _note("no_working_days")
            )
        due = _due_on(calendar, day, start, duration, policy)
    else:  # calendar days
        last = _calendar_last_day(start, duration, policy)
        calendar._in_range(last, "due day")
        notes.append(_note("calendar_days", n=duration.amount, start=start.date(), last=last))
        day = calendar.add_working_days(last, 0)
        if day != last:
            reason = calendar.why(last).reasons[-1]
            notes.append(
                _note("calendar_roll", last=last, reason=reason, day=day, source=CIVIL_CODE_END)
            )
        due = _due_on(calendar, day, start, duration, policy)
        if due_moment_of(duration, policy) is DueMoment.END_OF_DAY:
            notes.append(_note("end_of_day", source=CIVIL_CODE_END))
    if due < start:  # e.g. no working days to count, received after the close (as received)
        due = start
    return start, due, tuple(notes)


def _ordinal(n: int, lang: str) -> str:
    if lang == "vi":
        return tr("first", lang) if n == 1 else tr("{n}th", lang, n=n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _due_on(
    calendar: WorkingCalendar,
    day: dt.date,
    start: dt.datetime,
    duration: Duration,
    policy: DeadlinePolicy,
) -> dt.datetime:
    due = due_moment_of(duration, policy)
    if due is DueMoment.END_OF_DAY:
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=VIETNAM_TZ)
    close = calendar.close_of_business(day)
    if due is DueMoment.SAME_CLOCK_TIME:
        same = dt.datetime.combine(day, start.time().replace(tzinfo=None), tzinfo=VIETNAM_TZ)
        return min(same, close)
    return close


def add_working_time(
    calendar: WorkingCalendar, start: dt.datetime, amount: dt.timedelta
) -> dt.datetime:
    """The moment ``amount`` of working time after ``start``, counted through working sessions.

    Used to count working-hour limits and to move a due moment by paused working time.
    """
    remaining = amount
    moment = calendar.counting_start(check_aware(start, "start"))
    if remaining <= dt.timedelta(0):
        return moment
    day = moment.date()
    while True:
        for session in calendar.sessions_on(day):
            begin = max(moment, dt.datetime.combine(day, session.start, tzinfo=VIETNAM_TZ))
            end = dt.datetime.combine(day, session.end, tzinfo=VIETNAM_TZ)
            if begin >= end:
                continue
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day = calendar.next_working_day(day)
        moment = dt.datetime.combine(day, dt.time(0), tzinfo=VIETNAM_TZ)


def working_time_between(
    calendar: WorkingCalendar, start: dt.datetime, end: dt.datetime
) -> dt.timedelta:
    """The working time (inside working sessions of working days) from ``start`` to ``end``.

    Zero when ``end`` is not after ``start``. Used for paused time on the dossier clock.
    """
    start = check_aware(start, "start")
    end = check_aware(end, "end")
    total = dt.timedelta(0)
    if end <= start:
        return total
    day = start.date()
    last = end.date()
    if not calendar.is_working_day(day):
        day = calendar.add_working_days(day, 0)
    while day <= last:
        for session in calendar.sessions_on(day):
            begin = max(start, dt.datetime.combine(day, session.start, tzinfo=VIETNAM_TZ))
            finish = min(end, dt.datetime.combine(day, session.end, tzinfo=VIETNAM_TZ))
            if finish > begin:
                total += finish - begin
        day = calendar.next_working_day(day)
    return total


class WaitRule(enum.Enum):
    """What happens to the clock while a dossier waits on the applicant."""

    PAUSE = "pause"
    """Waiting time is not counted; the due moment moves later by the working time paused."""
    RESTART = "restart"
    """The full time limit runs again from the moment the dossier is complete."""


@attrs.frozen(kw_only=True)
class ClockRules:
    """A procedure's rules for the dossier clock, with how sure each default is.

    Decree 118/2025 was not found to settle these points nationally (see the "What is confirmed"
    docs page), so they are per-procedure settings. The defaults follow the confirmed sector rules:
    limits run "from receipt of a complete and valid dossier" (Decree 168/2025 Art. 99(3), Law on
    Residence 2020), so a supplement restarts the clock; time spent on financial obligations is
    paused; one apology with a new date (the Decree 107/2021 rule, unconfirmed for Decree 118); one
    written supplement request (partial: sector rules).

    Attributes:
        on_supplement: what a supplement request does to the clock.
        on_payment: what a payment request does to the clock.
        max_extensions: how many apologies with a new date (Form 04) are allowed.
        max_supplement_requests: how many supplement requests (Form 02) are allowed.
        confidence: how sure the settings are, overall.
        source: the procedure's own legal basis for these rules, if known.
    """

    on_supplement: WaitRule = WaitRule.RESTART
    on_payment: WaitRule = WaitRule.PAUSE
    max_extensions: int = attrs.field(default=1, validator=_non_negative)
    max_supplement_requests: int = attrs.field(default=1, validator=_non_negative)
    confidence: Confidence = Confidence.PARTIAL
    source: LegalSource | None = None

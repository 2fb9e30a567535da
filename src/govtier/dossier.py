"""The dossier (hồ sơ) lifecycle: validated state transitions with a statutory clock.

A :class:`Dossier` is the fold of its events. Which event may follow which status is the
:data:`TRANSITIONS` table, held as data and checked when it is defined (every status reachable, no
exit from a terminal status). The clock — the appointment given on the receipt slip and every change
to it — lives in the events themselves, so a stored dossier never changes its appointment when a
calendar is updated later.

The commands (:meth:`Dossier.receive`, :meth:`Dossier.request_supplement`, ...) build the event,
computing any new appointment on the calendar passed in, and apply it. :meth:`Dossier.apply` takes
any event, checks it and returns a new dossier; the original is unchanged. Nothing here reads the
clock: every moment comes from an event.

Statuses carry the National Public Service Portal's ``TrangThaiHoSo`` codes 1–10 (seen in several
portal codebases, no official specification found: partial confidence).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import linecache
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Final, TypeAlias, TypeVar

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier._guard import non_empty_text, non_negative_int, non_negative_or_none
from govtier.calendar import WorkingCalendar
from govtier.catalogue import Channel
from govtier.deadlines import (
    ClockRules,
    DeadlinePolicy,
    DueMoment,
    Duration,
    OutsideHours,
    WaitRule,
    add_working_time,
    working_time_between,
)
from govtier.errors import (
    GovtierError,
    InvalidInputError,
    InvalidTransitionError,
    MalformedCodeError,
)
from govtier.i18n import N_, format_date, resolve_language, tr, tr_data
from govtier.jurisdiction import Assignment, IntakeCheck, IntakeScope, OutsideIntakeScopeError
from govtier.units import UnitRegistry

__all__ = [
    "EVENT_LABELS",
    "MAX_HANDOFFS_BETWEEN",
    "RUNNING_STATUSES",
    "TRANSITIONS",
    "Apologised",
    "Applicant",
    "ApplicantKind",
    "AppointmentChange",
    "CircularTransfer",
    "Clock",
    "ClockState",
    "Custody",
    "Decided",
    "Dossier",
    "DossierCode",
    "DossierHeader",
    "Event",
    "HandedOver",
    "Outcome",
    "Paid",
    "PaymentRequested",
    "Phase",
    "ProvinceOf",
    "ReceiptSlip",
    "Received",
    "Refused",
    "Returned",
    "Standing",
    "Status",
    "StepPlan",
    "StepProgress",
    "Stopped",
    "Submitted",
    "SupplementRequested",
    "Supplemented",
    "Target",
    "Timeline",
    "Timeliness",
    "Transferred",
    "TransitionTable",
    "Wait",
    "Withdrawn",
    "bundled_province_of",
    "event_label",
    "timeliness_of",
]


class Status(enum.Enum):
    """A dossier's status, valued by the portal's ``TrangThaiHoSo`` code."""

    SUBMITTED = 1
    RECEIVED = 2
    REFUSED = 3
    IN_PROGRESS = 4
    AWAITING_SUPPLEMENT = 5
    AWAITING_PAYMENT = 6
    WITHDRAWN = 7
    STOPPED = 8
    RESULT_READY = 9
    RETURNED = 10

    @property
    def portal_code(self) -> int:
        """The National Public Service Portal's ``TrangThaiHoSo`` code."""
        return self.value

    @property
    def vietnamese(self) -> str:
        """The status as the portal names it."""
        return _STATUS_VI[self]

    def label(self, lang: str | None = None) -> str:
        """The status in words: the portal's name in Vietnamese, or the member's name."""
        return self.vietnamese if resolve_language(lang) == "vi" else self.name

    @property
    def is_terminal(self) -> bool:
        """Whether no event may follow."""
        return self in TERMINAL

    @property
    def is_paused(self) -> bool:
        """Whether the dossier waits on the applicant (supplement or payment)."""
        return self in (Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT)


_STATUS_VI: Final = {
    Status.SUBMITTED: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.AWAITING_SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.AWAITING_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.RESULT_READY: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
TERMINAL: Final = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})


class Outcome(enum.Enum):
    """What the competent authority decided."""

    GRANTED = "granted"
    DENIED = "denied"

    def label(self, lang: str | None = None) -> str:
        """The decision in words, in ``lang``."""
        return tr(_OUTCOME_LABELS[self], lang)


_OUTCOME_LABELS: Final = {Outcome.GRANTED: N_("granted"), Outcome.DENIED: N_("denied")}


class Timeliness(enum.Enum):
    """How a decided dossier met its appointment (compares the decision with the appointment)."""

    EARLY = "early"
    ON_TIME = "on time"
    LATE = "late"

    @property
    def vietnamese(self) -> str:
        """The portals' word (trước hạn, đúng hạn, trễ hạn)."""
        return {"early": "trước hạn", "on time": "đúng hạn", "late": "trễ hạn"}[self.value]

    def label(self, lang: str | None = None) -> str:
        """The portals' word in Vietnamese, the value in English."""
        return self.vietnamese if resolve_language(lang) == "vi" else self.value


class ClockState(enum.Enum):
    """Where an open dossier stands against its appointment at a given moment."""

    NOT_STARTED = "not started"
    WITHIN_TIME = "within time"
    DUE_TODAY = "due today"
    OVERDUE = "overdue"
    PAUSED = "paused"
    CLOSED = "closed"

    def label(self, lang: str | None = None) -> str:
        """The clock state in words, in ``lang``.

        >>> ClockState.DUE_TODAY.label("vi")
        'đến hạn hôm nay'
        """
        return tr(_CLOCK_LABELS[self], lang)


_CLOCK_LABELS: Final = {
    ClockState.NOT_STARTED: N_("not started"),
    ClockState.WITHIN_TIME: N_("within time"),
    ClockState.DUE_TODAY: N_("due today"),
    ClockState.OVERDUE: N_("overdue"),
    ClockState.PAUSED: N_("paused"),
    ClockState.CLOSED: N_("closed"),
}

EVENT_LABELS: Final = {
    "submitted": N_("submitted"),
    "received": N_("received"),
    "refused": N_("refused"),
    "supplement_requested": N_("supplement requested"),
    "supplemented": N_("supplemented"),
    "transferred": N_("transferred"),
    "payment_requested": N_("payment requested"),
    "paid": N_("paid"),
    "apologised": N_("apologised"),
    "stopped": N_("stopped"),
    "decided": N_("decided"),
    "returned": N_("result returned"),
    "withdrawn": N_("withdrawn"),
}
"""Each event kind in words (English message ids; see :func:`event_label`)."""


def event_label(kind: str, lang: str | None = None) -> str:
    """An event kind in words, in ``lang``; an unknown kind is returned as given.

    >>> event_label("payment_requested", "vi")
    'yêu cầu thực hiện nghĩa vụ tài chính'
    """
    label = EVENT_LABELS.get(kind)
    return tr(label, lang) if label else kind


class ApplicantKind(enum.Enum):
    """Who files: a citizen, a business, or a business household."""

    CITIZEN = "citizen"
    BUSINESS = "business"
    BUSINESS_HOUSEHOLD = "business_household"


@attrs.frozen(kw_only=True)
class Applicant:
    """The person or organisation filing. Personal fields never appear in ``repr``.

    >>> Applicant(name="Nguyễn Văn A", id_number="001090000001")
    Applicant(kind=<ApplicantKind.CITIZEN: 'citizen'>, <personal data hidden>)
    """

    kind: ApplicantKind = ApplicantKind.CITIZEN
    name: str = attrs.field(default="", repr=False)
    id_number: str | None = attrs.field(default=None, repr=False)
    phone: str | None = attrs.field(default=None, repr=False)
    email: str | None = attrs.field(default=None, repr=False)
    address: str | None = attrs.field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"Applicant(kind={self.kind!r}, <personal data hidden>)"


_AGENCY_CODE: Final = re.compile(r"^[A-Z0-9]{1,10}(?:\.[A-Z0-9]{1,10}){0,5}$")
_DOSSIER_CODE: Final = re.compile(r"^(?P<agency>[A-Z0-9.]+)-(?P<date>\d{6})-(?P<seq>\d{4})$")


@attrs.frozen(kw_only=True)
class DossierCode:
    """A dossier code in the format of Circular 01/2018/TT-VPCP Art. 19.

    ``agency code-YYMMDD-NNNN``: the receiving agency's identifier, the date of receipt, and the
    day's 4-digit sequence number (supplied by the caller or the store). Whether Circular
    03/2025/TT-VPCP changed the format is unconfirmed; it is believed unchanged.

    >>> code = DossierCode(agency="G01.20.01", received_on=dt.date(2026, 3, 9), sequence=17)
    >>> str(code)
    'G01.20.01-260309-0017'
    >>> DossierCode.parse("G01.20.01-260309-0017") == code
    True
    """

    agency: str
    received_on: dt.date
    sequence: int

    def __attrs_post_init__(self) -> None:
        agency: object = self.agency
        if not isinstance(agency, str) or not _AGENCY_CODE.match(agency):
            msg = (
                "an agency code is dot-separated upper-case letters and digits, "
                f"e.g. 'G01.20.01'; got {self.agency!r}"
            )
            raise MalformedCodeError(msg, field="agency", value=self.agency)
        sequence: object = self.sequence
        if isinstance(sequence, bool) or not isinstance(sequence, int):
            msg = f"the sequence number must be an integer, got {self.sequence!r}"
            raise MalformedCodeError(msg, field="sequence", value=self.sequence)
        if not 1 <= self.sequence <= 9999:
            msg = f"the day's sequence number is 1..9999 (4 digits); got {self.sequence}"
            raise MalformedCodeError(msg, field="sequence", value=self.sequence)

    @classmethod
    def parse(cls, text: str) -> DossierCode:
        """Read ``"G01.20.01-260309-0017"``.

        Raises:
            MalformedCodeError: the text has another shape.
        """
        given: object = text
        match = _DOSSIER_CODE.match(given) if isinstance(given, str) else None
        if match is None:
            msg = f"a dossier code looks like 'G01.20.01-260309-0017'; got {text!r}"
            raise MalformedCodeError(msg, field="code", value=text)
        try:
            day = dt.datetime.strptime(match["date"], "%y%m%d").date()  # noqa: DTZ007
        except ValueError:
            msg = f"the date part of {text!r} is not a valid YYMMDD date"
            raise MalformedCodeError(msg, field="code", value=text) from None
        return cls(agency=match["agency"], received_on=day, sequence=int(match["seq"]))

    def __str__(self) -> str:
        return f"{self.agency}-{self.received_on:%y%m%d}-{self.sequence:04d}"


@attrs.frozen(kw_only=True)
class StepPlan:
    """An inter-agency step as planned at receipt: who, and its share of the time limit."""

    name: str
    agency: str
    share: Duration


@attrs.frozen(kw_only=True)
class DossierHeader:
    """What a dossier is about, fixed when it is opened (carried by its first event).

    Build it from a resolved assignment with :meth:`from_assignment`.

    Attributes:
        code: the dossier code (``agency-YYMMDD-NNNN``).
        procedure_id: the catalogue's procedure id.
        procedure_version: the procedure version that applied.
        procedure_code: the national procedure code, if known.
        procedure_name: the procedure's name.
        receiving_unit: the code of the unit whose counter received it.
        subject_unit: the code of the unit the procedure concerns.
        competent: the competent authority, in words.
        returns_at: where the result is returned, in words.
        channel: how it was submitted.
        applicant: who filed (personal data, hidden from ``repr``).
        time_limit: the statutory time limit.
        policy: how the time limit is applied.
        clock: the procedure's clock rules (pauses, restarts, extension limit).
        steps: the inter-agency steps with their shares of the time limit.
        intake: whether the receiving unit may receive on this channel (``None`` for headers
            built without an assignment, or stored before the intake check existed: then nothing
            is checked).
    """

    code: str = attrs.field(validator=non_empty_text)
    procedure_id: str
    procedure_version: int
    procedure_code: str | None
    procedure_name: str
    receiving_unit: str
    subject_unit: str
    competent: str
    returns_at: str
    channel: Channel
    applicant: Applicant = attrs.field(repr=False)
    time_limit: Duration
    policy: DeadlinePolicy = attrs.field(factory=DeadlinePolicy)
    clock: ClockRules = attrs.field(factory=ClockRules)
    steps: tuple[StepPlan, ...] = ()
    intake: IntakeCheck | None = None

    @classmethod
    def from_assignment(
        cls,
        assignment: Assignment,
        *,
        code: str | DossierCode,
        applicant: Applicant,
        receiving_unit: str | None = None,
        units: UnitRegistry | None = None,
    ) -> DossierHeader:
        """The header for a dossier handled under ``assignment``.

        The header carries the answer of :meth:`~govtier.jurisdiction.Assignment.may_receive`
        for the receiving unit, so :meth:`Dossier.receive` and :meth:`Dossier.accept` refuse a
        receipt outside the intake scope.

        Args:
            assignment: the resolved competent-authority assignment.
            code: the dossier code.
            applicant: who filed.
            receiving_unit: the counter's unit code; defaults to the competent authority's unit
                where only it receives, else to the subject unit.
            units: the unit registry of the codes (default: the bundled one).

        Raises:
            UnknownUnitError: no unit has the code ``receiving_unit`` on the assignment's date.
        """
        procedure = assignment.procedure
        receiver = receiving_unit or (
            assignment.competent.unit_code
            if assignment.intake is IntakeScope.COMPETENT_AGENCY
            else assignment.subject_code
        )
        intake = assignment.may_receive(receiver, units=units)
        return cls(
            code=str(code),
            procedure_id=procedure.id,
            procedure_version=procedure.version,
            procedure_code=procedure.code,
            procedure_name=procedure.name,
            receiving_unit=receiver,
            subject_unit=assignment.subject_code,
            competent=assignment.competent.agency,
            returns_at=assignment.returns_at,
            channel=assignment.channel,
            applicant=applicant,
            time_limit=assignment.time_limit,
            policy=assignment.policy,
            clock=procedure.clock,
            steps=tuple(
                StepPlan(name=s.name, agency=s.authority.agency, share=s.share)
                for s in assignment.steps
            ),
            intake=intake,
        )


# --------------------------------------------------------------------------------------------
# Events

_T = TypeVar("_T")
_EVOLVERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _make_evolver(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """A copy-with-changes function for an attrs class, generated once (no loop, no getattr).

    The fold creates several values per event; the generic ``attrs.evolve`` (or a loop over the
    fields) was the fold's largest cost in the profile.
    """
    fields = [f for f in attrs.fields(cls) if f.init]
    args = ", ".join(f"{f.alias}=get({f.alias!r}, inst.{f.name})" for f in fields)
    source = f"def evolve(inst, changes):\n    get = changes.get\n    return cls({args})\n"
    # As attrs does for its generated methods: a file name of its own, registered in linecache,
    # so tracebacks, debuggers and profilers show the generated line instead of "<string>".
    filename = f"<govtier generated evolve {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"cls": cls}
    code = compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102  (field names of our own attrs classes only)
    evolver: Callable[[Any, dict[str, Any]], Any] = namespace["evolve"]
    return evolver


def _evolve(inst: _T, **changes: Any) -> _T:
    """``attrs.evolve`` for the fold's hot path (a generated function per class)."""
    cls = type(inst)
    evolver = _EVOLVERS.get(cls)
    if evolver is None:
        evolver = _EVOLVERS[cls] = _make_evolver(cls)
    result: _T = evolver(inst, changes)
    return result


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_aware(value, attribute.name)


def _aware_or_none(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_aware(value, attribute.name)


def _to_local(value: Any) -> Any:
    """Aware datetimes are kept in Asia/Ho_Chi_Minh; anything else is left for the validator."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        with contextlib.suppress(OverflowError):  # out of range: the validator says so
            return value.astimezone(VIETNAM_TZ)
    return value


def _to_local_or_none(value: Any) -> Any:
    return None if value is None else _to_local(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened to a dossier, at an aware moment, by an actor.

    Attributes:
        at: when (timezone-aware; stored in Asia/Ho_Chi_Minh).
        actor: who did it (a clerk's id, an agency, ``"applicant"``, ``"system"``).
    """

    kind: ClassVar[str] = "event"
    at: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    actor: str = attrs.field(validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Submitted(Event):
    """Filed online or by post, not yet accepted (portal status 1)."""

    kind: ClassVar[str] = "submitted"
    header: DossierHeader


@attrs.frozen(kw_only=True)
class Received(Event):
    """Accepted as complete: the receipt and appointment slip (Form 01) is issued.

    ``header`` is given when the dossier starts here (in person); after :class:`Submitted` it
    is ``None``. ``appointment`` is the due moment written on the slip.
    """

    kind: ClassVar[str] = "received"
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    components: tuple[str, ...] = attrs.field(default=(), converter=_names)
    header: DossierHeader | None = None
    intake_exception: str | None = None
    """Why the dossier was received although outside its intake scope (``None``: it was not)."""


@attrs.frozen(kw_only=True)
class Refused(Event):
    """Refused at intake (Form 03): outside the counter's scope or not eligible."""

    kind: ClassVar[str] = "refused"
    reason: str = attrs.field(validator=non_empty_text)
    legal_basis: str | None = None
    header: DossierHeader | None = None


@attrs.frozen(kw_only=True)
class SupplementRequested(Event):
    """A written request to supplement or complete the dossier (Form 02)."""

    kind: ClassVar[str] = "supplement_requested"
    components: tuple[str, ...] = attrs.field(converter=_names)
    reason: str = attrs.field(validator=non_empty_text)

    def __attrs_post_init__(self) -> None:
        if not self.components or not all(c.strip() for c in self.components):
            msg = "a supplement request must name the components to supplement"
            raise InvalidInputError(msg, field="components", value=self.components)


@attrs.frozen(kw_only=True)
class Supplemented(Event):
    """The applicant supplied what was asked; the clock restarts or resumes.

    ``appointment`` is the new due moment (``None`` when the clock had not started);
    ``step_due`` the open inter-agency step's new sub-deadline, if a step is open.
    """

    kind: ClassVar[str] = "supplemented"
    components: tuple[str, ...] = attrs.field(default=(), converter=_names)
    appointment: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class Transferred(Event):
    """Handed to the next agency or step (process-control slip, Form 06).

    ``step`` is the index of the step in the header's plan (0 for the first); ``step_due`` its
    sub-deadline.
    """

    kind: ClassVar[str] = "transferred"
    step: int = attrs.field(validator=non_negative_int)
    to: str = attrs.field(validator=non_empty_text)
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class PaymentRequested(Event):
    """The applicant must pay fees, charges or other financial obligations (portal status 6)."""

    kind: ClassVar[str] = "payment_requested"
    amount: int | None = attrs.field(default=None, validator=non_negative_or_none)
    reason: str = attrs.field(default="financial obligations", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Paid(Event):
    """The financial obligations are met; the clock resumes (or restarts) to ``appointment``.

    ``step_due`` is the open inter-agency step's new sub-deadline, if a step is open.
    """

    kind: ClassVar[str] = "paid"
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class Apologised(Event):
    """An apology with a new appointment (Form 04: reason and new date)."""

    kind: ClassVar[str] = "apologised"
    reason: str = attrs.field(validator=non_empty_text)
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)


@attrs.frozen(kw_only=True)
class Stopped(Event):
    """Processing stopped (Form 05, portal status 8)."""

    kind: ClassVar[str] = "stopped"
    reason: str = attrs.field(validator=non_empty_text)
    legal_basis: str | None = None


@attrs.frozen(kw_only=True)
class Decided(Event):
    """The competent authority decided: granted or denied, with the result document."""

    kind: ClassVar[str] = "decided"
    outcome: Outcome
    document: str = attrs.field(validator=non_empty_text)
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Returned(Event):
    """The result was returned to the applicant (in person, by post, electronically)."""

    kind: ClassVar[str] = "returned"
    method: str = attrs.field(default="in person", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Withdrawn(Event):
    """The applicant withdrew the dossier (portal status 7)."""

    kind: ClassVar[str] = "withdrawn"
    reason: str = attrs.field(default="applicant's request", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class HandedOver(Event):
    """Handed over to the authority competent after an administrative reorganisation.

    Written by :func:`govtier.handover.apply_plan`. The dossier's header takes the new receiving
    and subject units, competent authority, place of return and (when given) steps; the clock and
    the appointment are kept unless ``appointment`` gives a new one (a rule said otherwise).

    Attributes:
        from_agency: the authority that handed it over (abolished or no longer competent).
        to_agency: the authority now competent.
        receiving_unit: the unit code of the new receiving point.
        subject_unit: the unit code the procedure now concerns.
        returns_at: where the result is now returned, in words.
        legal_basis: the act that reorganised the units or the competence.
        plan_id: the identifier of the handover plan that wrote the event.
        reason: why it was handed over, in words.
        steps: the inter-agency steps under the new rules (``None``: unchanged).
        appointment: a new appointment a rule sets (``None``: the appointment is kept).
    """

    kind: ClassVar[str] = "handed_over"
    from_agency: str = attrs.field(validator=non_empty_text)
    to_agency: str = attrs.field(validator=non_empty_text)
    receiving_unit: str = attrs.field(validator=non_empty_text)
    subject_unit: str = attrs.field(validator=non_empty_text)
    returns_at: str
    legal_basis: str = attrs.field(validator=non_empty_text)
    plan_id: str = attrs.field(validator=non_empty_text)
    reason: str = ""
    steps: tuple[StepPlan, ...] | None = None
    appointment: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    Submitted,
    Received,
    Refused,
    SupplementRequested,
    Supplemented,
    Transferred,
    PaymentRequested,
    Paid,
    Apologised,
    Stopped,
    Decided,
    Returned,
    Withdrawn,
    HandedOver,
)


# --------------------------------------------------------------------------------------------
# The transition table


class Target(enum.Enum):
    """Special transition targets."""

    SAME = "same"
    """The status does not change (e.g. an apology)."""
    RESUME = "resume"
    """Back to the status before the dossier started waiting on the applicant."""


_Key = Status | None
_Goal = Status | Target


@attrs.frozen
class TransitionTable:
    """Which event kinds are allowed in which status, and the status they lead to.

    ``None`` stands for a dossier with no events yet. Checked when defined (:meth:`define`): every
    status is reachable, terminal statuses have no exit, every other status can reach a terminal
    one, and :attr:`Target.RESUME` is only used out of a waiting status.
    """

    rows: Mapping[str, Mapping[_Key, _Goal]]

    @classmethod
    def define(cls, rows: Mapping[str, Mapping[_Key, _Goal]]) -> TransitionTable:
        """Build and validate a table.

        Raises:
            InvalidInputError: the table is inconsistent; the message says how.
        """
        table = cls({kind: dict(moves) for kind, moves in rows.items()})
        table._validate()
        return table

    def _validate(self) -> None:
        known = {t.kind for t in EVENT_TYPES}
        unknown = sorted(set(self.rows) - known)
        if unknown:
            msg = f"transition table names unknown event kinds: {', '.join(unknown)}"
            raise InvalidInputError(msg, field="rows", value=unknown)
        for kind, moves in self.rows.items():
            for source, goal in moves.items():
                if source in TERMINAL:
                    msg = f"terminal status {source.name} has an exit: {kind} -> {goal}"
                    raise InvalidInputError(msg, field="rows", value=kind)
                if goal is Target.RESUME and not (source and source.is_paused):
                    msg = f"{kind}: RESUME is only allowed out of a waiting status, not {source}"
                    raise InvalidInputError(msg, field="rows", value=kind)
        graph = self._graph()
        reachable = _reach(graph, None)
        missing = [s.name for s in Status if s not in reachable]
        if missing:
            msg = f"unreachable statuses: {', '.join(missing)}"
            raise InvalidInputError(msg, field="rows", value=missing)
        for status in Status:
            if not status.is_terminal and not (_reach(graph, status) & TERMINAL):
                msg = f"status {status.name} can never reach a terminal status"
                raise InvalidInputError(msg, field="rows", value=status)

    def _resume_targets(self, waiting: Status) -> set[Status]:
        """The statuses a dossier can be in before it starts ``waiting``: where RESUME leads."""
        return {
            source
            for moves in self.rows.values()
            for source, goal in moves.items()
            if goal is waiting and source is not None
        }

    def _graph(self) -> dict[_Key, set[Status]]:
        graph: dict[_Key, set[Status]] = {}
        for moves in self.rows.values():
            for source, goal in moves.items():
                targets = graph.setdefault(source, set())
                if goal is Target.SAME:
                    if source is not None:
                        targets.add(source)
                elif goal is Target.RESUME:
                    assert source is not None  # noqa: S101  (checked above)
                    targets.update(self._resume_targets(source))
                else:
                    targets.add(goal)
        return graph

    def allowed(self, status: Status | None) -> tuple[str, ...]:
        """The event kinds allowed in ``status`` (``None``: a dossier with no events)."""
        return tuple(kind for kind, moves in self.rows.items() if status in moves)

    def target(self, status: Status | None, kind: str) -> _Goal | None:
        """Where ``kind`` leads from ``status``, or ``None`` when it is not allowed."""
        moves = self.rows.get(kind)
        return None if moves is None else moves.get(status)

    def to_mermaid(self) -> str:
        """The table as a Mermaid state diagram (``stateDiagram-v2``).

        Each edge is labelled with the event and, on a second line, the :class:`Dossier` command
        that records it (``received<br/>accept()`` from ``SUBMITTED``), for govtier's own events.
        """
        lines = ["stateDiagram-v2"]
        for kind, moves in self.rows.items():
            for source, goal in moves.items():
                command = _COMMANDS.get((source, kind), _COMMANDS.get((_ANY, kind), ""))
                label = f"{kind}<br/>{command}()" if command else kind  # two lines: narrower
                start = "[*]" if source is None else source.name
                if goal is Target.SAME:
                    end = start
                elif goal is Target.RESUME:
                    end = "RESUMED"
                else:
                    end = goal.name
                if end == "RESUMED" and source is not None:
                    for back in sorted(self._resume_targets(source), key=lambda s: s.value):
                        lines.append(f"    {start} --> {back.name}: {label}")
                    continue
                lines.append(f"    {start} --> {end}: {label}")
        lines.extend(f"    {s.name} --> [*]" for s in sorted(TERMINAL, key=lambda s: s.value))
        return "\n".join(lines)


_ANY: Final = "any"
_COMMANDS: Final[Mapping[tuple[Status | str | None, str], str]] = {
    (_ANY, "submitted"): "submit",
    (None, "received"): "receive",
    (Status.SUBMITTED, "received"): "accept",  # the online intake: submit(), then accept()
    (None, "refused"): "refuse",  # a submitted dossier is refused with apply(Refused(...))
    (_ANY, "supplement_requested"): "request_supplement",
    (_ANY, "supplemented"): "supplement",
    (_ANY, "transferred"): "transfer",
    (_ANY, "payment_requested"): "request_payment",
    (_ANY, "paid"): "pay",
    (_ANY, "apologised"): "apologise",
    (_ANY, "stopped"): "stop",
    (_ANY, "decided"): "decide",
    (_ANY, "returned"): "return_result",
    (_ANY, "withdrawn"): "withdraw",
}
"""The :class:`Dossier` command that records each event (by the status it starts from)."""


def _reach(graph: Mapping[_Key, set[Status]], start: _Key) -> set[Status]:
    seen: set[Status] = set()
    queue: deque[_Key] = deque([start])
    while queue:
        for nxt in graph.get(queue.popleft(), set()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


S = Status
_OPEN_RECEIVED: Final = (S.RECEIVED, S.IN_PROGRESS)
_WAITING: Final = (S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT)

TRANSITIONS: Final = TransitionTable.define(
    {
        "submitted": {None: S.SUBMITTED},
        "received": {None: S.RECEIVED, S.SUBMITTED: S.RECEIVED},
        "refused": {None: S.REFUSED, S.SUBMITTED: S.REFUSED},
        "supplement_requested": {
            S.SUBMITTED: S.AWAITING_SUPPLEMENT,
            **dict.fromkeys(_OPEN_RECEIVED, S.AWAITING_SUPPLEMENT),
        },
        "supplemented": {S.AWAITING_SUPPLEMENT: Target.RESUME},
        "transferred": dict.fromkeys(_OPEN_RECEIVED, S.IN_PROGRESS),
        "payment_requested": dict.fromkeys(_OPEN_RECEIVED, S.AWAITING_PAYMENT),
        "paid": {S.AWAITING_PAYMENT: Target.RESUME},
        "apologised": dict.fromkeys(_OPEN_RECEIVED, Target.SAME),
        "stopped": dict.fromkeys(_OPEN_RECEIVED + _WAITING, S.STOPPED),
        "decided": dict.fromkeys(_OPEN_RECEIVED, S.RESULT_READY),
        "returned": {S.RESULT_READY: S.RETURNED},
        "withdrawn": dict.fromkeys((S.SUBMITTED, *_OPEN_RECEIVED, *_WAITING), S.WITHDRAWN),
        "handed_over": dict.fromkeys(
            (S.SUBMITTED, *_OPEN_RECEIVED, *_WAITING, S.RESULT_READY), Target.SAME
        ),
    }
)
"""The lifecycle, as data. ``docs/dossiers.md`` shows it as a diagram."""

_GOALS: Final[dict[tuple[Status | None, str], _Goal]] = {
    (source, kind): goal
    for kind, moves in TRANSITIONS.rows.items()
    for source, goal in moves.items()
}
"""``TRANSITIONS`` flattened for the fold: ``(status, kind) -> goal`` in one dict lookup."""


# --------------------------------------------------------------------------------------------
# The clock


@attrs.frozen(kw_only=True)
class AppointmentChange:
    """One change of appointment, as the portal's sync format keeps it.

    Attributes:
        at: when it changed.
        cause: the event kind that changed it.
        before: the appointment before (``None`` at receipt).
        after: the appointment after (``None`` while the clock is stopped).
        reason: why, in words.
    """

    at: dt.datetime
    cause: str
    before: dt.datetime | None
    after: dt.datetime | None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Wait:
    """A wait on the applicant: from the request to the supplement or the payment.

    Attributes:
        cause: ``"supplement"`` or ``"payment"``.
        started_at: when the request was made.
        ended_at: when the applicant answered.
        rule: what the wait did to the clock (paused it, or restarted it afterwards).
    """

    cause: str
    started_at: dt.datetime
    ended_at: dt.datetime
    rule: WaitRule


@attrs.frozen(kw_only=True)
class StepProgress:
    """An inter-agency step as it happened: started, its sub-deadline, and when it ended."""

    index: int
    name: str
    agency: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None = None

    def text(self, lang: str | None = None) -> str:
        """The step in words, in ``lang``: what, who, and its sub-deadline."""
        code = resolve_language(lang)
        name = tr_data(self.name, code)
        agency = tr_data(self.agency, code)
        if self.due_at is None:
            return f"{name}: {agency}"
        due = _on(self.due_at, code)
        return tr("{name}: {agency}, due {due}", code, name=name, agency=agency, due=due)

    def late_at(self, moment: dt.datetime) -> bool:
        """Whether the step missed its sub-deadline as seen at ``moment``."""
        if self.due_at is None:
            return False
        end = self.completed_at or moment
        return end > self.due_at


@attrs.frozen(kw_only=True)
class Clock:
    """The statutory clock of a dossier.

    Attributes:
        started_at: the receipt moment (``None`` before receipt).
        appointment: the current due moment (``None`` before receipt and while stopped).
        history: every change of appointment, oldest first.
        paused_since: when the current wait on the applicant began.
        waits: every finished wait on the applicant (supplement or payment), oldest first.
        extensions: apologies with a new appointment so far.
        supplement_requests: supplement requests so far.
        steps: the inter-agency steps so far.
        finished_at: when processing finished (the decision), if it has.
    """

    started_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    history: tuple[AppointmentChange, ...] = ()
    paused_since: dt.datetime | None = None
    waits: tuple[Wait, ...] = ()
    extensions: int = 0
    supplement_requests: int = 0
    steps: tuple[StepProgress, ...] = ()
    finished_at: dt.datetime | None = None


# --------------------------------------------------------------------------------------------
# Custody: who had the dossier, and circular transfers

MAX_HANDOFFS_BETWEEN: Final = 2
"""How many times a dossier may pass between the same two agencies before it is circular."""


@attrs.frozen(kw_only=True)
class CircularTransfer:
    """A transfer that sent a dossier round in a circle, as the lifecycle noticed it.

    Attributes:
        at: when the transfer happened.
        event: the event kind (``"transferred"`` or ``"handed_over"``).
        from_agency: who passed it on (``None`` when no agency is known to have held it).
        to_agency: who received it.
        returned: ``to_agency`` had already held the dossier.
        handoffs: how many times it has now passed between these two agencies.
        why: the reason in words.
    """

    at: dt.datetime
    event: str
    from_agency: str | None
    to_agency: str
    returned: bool
    handoffs: int
    why: str


@attrs.frozen(kw_only=True)
class Custody:
    """The agencies a dossier was transferred or handed over to, and any circular transfers.

    A transfer is circular when it sends the dossier back to an agency that already held it,
    or when the dossier has passed between the same two agencies more than
    :data:`MAX_HANDOFFS_BETWEEN` times. A transfer within one agency (to itself) is neither.

    Attributes:
        holders: every agency that held the dossier, in the order it first got it.
        current: the agency holding it now (``None`` before any transfer).
        pairs: ``(agency, agency, handoffs)`` for each pair that passed it, names sorted.
        circular: every circular transfer noticed, oldest first.
    """

    holders: tuple[str, ...] = ()
    current: str | None = None
    pairs: tuple[tuple[str, str, int], ...] = ()
    circular: tuple[CircularTransfer, ...] = ()

    def moved(self, *, at: dt.datetime, event: str, source: str | None, to: str) -> Custody:
        """The custody after the dossier went from ``source`` (default: the holder) to ``to``."""
        source = source if source is not None else self.current
        holders = self.holders
        if source is not None and source not in holders:
            holders = (*holders, source)
        if source == to:
            return Custody(holders=holders, current=to, pairs=self.pairs, circular=self.circular)
        returned = to in holders
        pairs, handoffs = self.pairs, 0
        if source is not None:
            first, second = sorted((source, to))
            counts = {(a, b): n for a, b, n in pairs}
            handoffs = counts.get((first, second), 0) + 1
            counts[(first, second)] = handoffs
            pairs = tuple((a, b, n) for (a, b), n in counts.items())
        circular = self.circular
        repeated = handoffs > MAX_HANDOFFS_BETWEEN
        if returned or repeated:
            reasons = []
            if returned:
                reasons.append(f"sent back to {to}, which already had it")
            if repeated:
                reasons.append(f"passed between {source} and {to} {handoffs} times")
            notice = CircularTransfer(
                at=at,
                event=event,
                from_agency=source,
                to_agency=to,
                returned=returned,
                handoffs=handoffs,
                why="; ".join(reasons),
            )
            circular = (*circular, notice)
        if not returned:
            holders = (*holders, to)
        return Custody(holders=holders, current=to, pairs=pairs, circular=circular)


_NO_CUSTODY: Final = Custody()
"""The custody of a dossier never transferred (shared: custody values are immutable)."""


# --------------------------------------------------------------------------------------------
# The clock and timeliness rules: their one home, for the dossier, the store summaries and the
# reports alike (a report over a store's summaries equals the report over the same dossiers)

RUNNING_STATUSES: Final = frozenset({Status.RECEIVED, Status.IN_PROGRESS})
"""The statuses in which the statutory clock runs (a dossier can become overdue)."""

ProvinceOf: TypeAlias = Callable[[str], "str | None"]
"""Gives the province code of a unit code, or ``None`` when it is not known."""


@functools.lru_cache(maxsize=8192)
def bundled_province_of(unit: str) -> str | None:
    """The province code of ``unit`` in the bundled unit registry, or ``None`` if unknown.

    >>> bundled_province_of("00004")
    '01'
    >>> bundled_province_of("nowhere") is None
    True
    """
    from govtier.units import UnitRegistry  # loaded on first use only

    try:
        return UnitRegistry.bundled().province_of(unit).code
    except (GovtierError, TypeError):
        return None


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VIETNAM_TZ).date()


def timeliness_of(
    finished_at: dt.datetime | None, appointment: dt.datetime | None
) -> Timeliness | None:
    """How a decision at ``finished_at`` met ``appointment`` (``None`` if either is missing).

    Early when decided on an earlier day (in Vietnam) than the appointment's, on time when by
    the appointment, late after it — as the portals compare ``NgayKetThucXuLy`` with
    ``NgayHenTra``.

    >>> import datetime as dt
    >>> from govtier.calendar import VIETNAM_TZ
    >>> due = dt.datetime(2026, 3, 10, 17, tzinfo=VIETNAM_TZ)
    >>> timeliness_of(due, due).name, timeliness_of(due - dt.timedelta(days=1), due).name
    ('ON_TIME', 'EARLY')
    """
    if finished_at is None or appointment is None:
        return None
    if _local_day(finished_at) < _local_day(appointment):
        return Timeliness.EARLY
    return Timeliness.ON_TIME if finished_at <= appointment else Timeliness.LATE


@attrs.frozen(kw_only=True)
class Phase:
    """From ``at`` until the next phase, the dossier had ``status`` and ``appointment``.

    Attributes:
        at: the moment of the event that began the phase.
        status: the status during the phase.
        appointment: the appointment in force (``None`` before receipt and while stopped).
    """

    at: dt.datetime
    status: Status
    appointment: dt.datetime | None


@attrs.frozen(kw_only=True)
class Standing:
    """What a dossier was at a moment: the facts every clock and timeliness rule reads.

    Attributes:
        status: the status.
        filed_at: the first event (submission, receipt or refusal).
        received_at: when it was received (``None`` if it had not been).
        appointment: the appointment in force (``None`` before receipt and while stopped).
        finished_at: when it was decided (``None`` if it had not been).
        apologised_at: when the first apology with a new appointment (Form 04) was given
            (``None`` if none had been).
    """

    status: Status
    filed_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    apologised_at: dt.datetime | None = None

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, once decided (:func:`timeliness_of`)."""
        return timeliness_of(self.finished_at, self.appointment)

    @property
    def running_due(self) -> dt.datetime | None:
        """The appointment while the clock runs (received or in progress, not decided)."""
        if self.status in RUNNING_STATUSES and self.finished_at is None:
            return self.appointment
        return None

    def clock_state(self, as_of: dt.datetime) -> ClockState:
        """Not started, closed, paused, overdue, due today or within time, as of ``as_of``.

        Due today means the appointment falls on the day of ``as_of`` in Vietnam.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        moment = check_aware(as_of, "as_of")
        if self.received_at is None:
            return ClockState.NOT_STARTED
        if self.status.is_terminal or self.finished_at is not None:
            return ClockState.CLOSED
        due = self.appointment
        if self.status.is_paused or due is None:
            return ClockState.PAUSED
        if moment > due:
            return ClockState.OVERDUE
        if _local_day(moment) == _local_day(due):
            return ClockState.DUE_TODAY
        return ClockState.WITHIN_TIME


@attrs.frozen(kw_only=True)
class Timeline:
    """A dossier's phases, receipt and decision: its standing at any moment, without its events.

    :meth:`at` gives what folding the events up to a moment gives (the "as of" rule), so a light
    record that carries a timeline (a store's ``DossierSummary``) reports as the dossier does.

    Attributes:
        phases: the phases, oldest first (one per moment at which the status or the
            appointment changed).
        received_at: the receipt moment, if received.
        finished_at: the decision moment, if decided.
        apologised_at: the first apology's moment, if one was given.
    """

    phases: tuple[Phase, ...]
    received_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    apologised_at: dt.datetime | None = None

    @property
    def filed_at(self) -> dt.datetime | None:
        """The first event's moment (``None`` for an empty timeline)."""
        return self.phases[0].at if self.phases else None

    def at(self, as_of: dt.datetime | None = None) -> Standing | None:
        """The standing as of ``as_of`` (now when ``None``); ``None`` before the first event.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        phases = self.phases
        if not phases:
            return None
        received, finished, apologised = self.received_at, self.finished_at, self.apologised_at
        if as_of is None:
            phase = phases[-1]
        else:
            moment = check_aware(as_of, "as_of")
            index = len(phases) - 1
            while index >= 0 and phases[index].at > moment:
                index -= 1
            if index < 0:
                return None
            phase = phases[index]
            received = None if received is None or received > moment else received
            finished = None if finished is None or finished > moment else finished
            apologised = None if apologised is None or apologised > moment else apologised
        return Standing(
            status=phase.status,
            filed_at=phases[0].at,
            received_at=received,
            appointment=phase.appointment,
            finished_at=finished,
            apologised_at=apologised,
        )


def _next_phases(
    phases: tuple[Phase, ...], at: dt.datetime, status: Status, appointment: dt.datetime | None
) -> tuple[Phase, ...]:
    """``phases`` after an event at ``at`` that leaves ``status`` and ``appointment``."""
    if phases:
        last = phases[-1]
        if last.status is status and last.appointment == appointment:
            return phases
        if last.at == at:  # events at one moment: the moment's standing is after the last
            phases = phases[:-1]
            if phases and phases[-1].status is status and phases[-1].appointment == appointment:
                return phases
    return (*phases, Phase(at=at, status=status, appointment=appointment))


# --------------------------------------------------------------------------------------------
# The dossier


@attrs.frozen(kw_only=True)
class ReceiptSlip:
    """The content of the receipt and appointment slip (Circular 03/2025/TT-VPCP, Form 01)."""

    dossier_code: str
    procedure_name: str
    procedure_code: str | None
    applicant: Applicant = attrs.field(repr=False)
    received_at: dt.datetime
    receiving_unit: str
    components: tuple[str, ...]
    appointment: dt.datetime
    returns_at: str
    clerk: str

    def render(self, lang: str | None = None) -> str:
        """The slip as text with the values filled in, in ``lang`` (default: Vietnamese).

        The headings are Form 01's; the values (names, components) are shown as given.
        """
        code = resolve_language(lang)
        procedure = self.procedure_name + (
            f" ({self.procedure_code})" if self.procedure_code else ""
        )
        lines = [
            tr("RECEIPT AND APPOINTMENT SLIP", code),
            tr("Dossier code: {code}", code, code=self.dossier_code),
            tr("Procedure: {procedure}", code, procedure=procedure),
            tr("Applicant: {name}", code, name=self.applicant.name),
            tr("Received at: {moment}", code, moment=_on(self.received_at, code)),
            tr("Dossier components:", code),
            *(f"  {i}. {c}" for i, c in enumerate(self.components, 1)),
            tr("Appointment for the result: {moment}", code, moment=_on(self.appointment, code)),
            tr("Where the result is returned: {where}", code, where=tr_data(self.returns_at, code)),
            tr("Received by: {clerk}", code, clerk=self.clerk),
        ]
        return "\n".join(lines)


def _on(moment: dt.datetime, lang: str) -> str:
    """``08:30 ngày 09/03/2026`` or ``08:30 on 09/03/2026``."""
    return tr(
        "{time} on {date}", lang, time=moment.strftime("%H:%M"), date=format_date(moment.date())
    )


@attrs.frozen(kw_only=True)
class Dossier:
    """A dossier: the fold of its events.

    Build one with :meth:`submit`, :meth:`receive` or :meth:`refuse` (or :meth:`from_events`), then
    move it on with the commands or :meth:`apply`. Every command returns a new dossier.

    Attributes:
        header: what the dossier is about (``None`` only for an empty dossier).
        status: the current status (``None`` only for an empty dossier).
        events: the full history, oldest first.
        clock: the statutory clock.
        outcome: the decision, once decided.
        resume_to: the status to return to after a wait on the applicant.
        custody: the agencies it was transferred or handed over to, and circular transfers.
        calendar: the working calendar given at receipt (or to the last command that took one);
            the commands use it when no ``calendar=`` is given. It is not part of the history: a
            dossier read back from its events (a store) has none until a command is given one.
        phases: the status and appointment over time (see :attr:`timeline`), kept by the fold.
    """

    header: DossierHeader | None = None
    status: Status | None = None
    events: tuple[Event, ...] = attrs.field(default=(), repr=lambda e: f"<{len(e)} events>")
    clock: Clock = attrs.field(factory=Clock)
    outcome: Outcome | None = None
    resume_to: Status | None = None
    custody: Custody = attrs.field(default=_NO_CUSTODY)
    calendar: WorkingCalendar | None = attrs.field(default=None, eq=False, repr=False)
    phases: tuple[Phase, ...] = attrs.field(default=(), repr=False)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Dossier:
        """Fold a history into a dossier.

        Raises:
            InvalidTransitionError: an event is not allowed where it stands.
        """
        dossier = cls()
        for event in events:
            dossier = dossier.apply(event)
        return dossier

    @classmethod
    def submit(cls, header: DossierHeader, *, at: dt.datetime, actor: str) -> Dossier:
        """A dossier filed online or by post, waiting to be accepted (portal status 1)."""
        return cls().apply(Submitted(at=at, actor=actor, header=header))

    @classmethod
    def receive(
        cls,
        header: DossierHeader,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar,
        components: Iterable[str] = (),
        intake_exception: str | None = None,
    ) -> Dossier:
        """A complete dossier received at the counter: the appointment is set on ``calendar``.

        The dossier remembers ``calendar``: the later commands need no ``calendar=``.

        Args:
            header: what the dossier is about (with its intake check, see
                :meth:`DossierHeader.from_assignment`).
            at: the moment of receipt.
            actor: who received it.
            calendar: the working calendar the appointment is computed on.
            components: the documents received.
            intake_exception: why the dossier is received although the header's intake check
                refuses this receiving unit or channel; recorded in the event.

        Raises:
            OutsideIntakeScopeError: the receiving unit or channel is outside the intake scope
                and no exception is stated.
        """
        exception = _intake_exception(header, intake_exception)
        appointment = calendar.deadline(at, header.time_limit, header.policy).due_at
        event = Received(
            at=at,
            actor=actor,
            appointment=appointment,
            components=tuple(components),
            header=header,
            intake_exception=exception,
        )
        return cls(calendar=calendar).apply(event)

    @classmethod
    def refuse(
        cls,
        header: DossierHeader,
        *,
        at: dt.datetime,
        actor: str,
        reason: str,
        legal_basis: str | None = None,
    ) -> Dossier:
        """A dossier refused at intake (Form 03)."""
        event = Refused(at=at, actor=actor, reason=reason, legal_basis=legal_basis, header=header)
        return cls().apply(event)

    # -- commands ----------------------------------------------------------------------------

    def accept(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar,
        components: Iterable[str] = (),
        intake_exception: str | None = None,
    ) -> Dossier:
        """Accept a submitted dossier: issue the receipt and set the appointment on ``calendar``.

        The online (and postal) intake is :meth:`submit`, then ``accept`` when a clerk has checked
        the dossier: the event is ``received``, as at the counter, and the dossier remembers
        ``calendar``.

        Raises:
            OutsideIntakeScopeError: the header's intake check refuses the receiving unit or
                channel and no ``intake_exception`` (the reason, recorded in the event) is given.
        """
        header = self._header()
        exception = _intake_exception(header, intake_exception)
        appointment = calendar.deadline(at, header.time_limit, header.policy).due_at
        return self._with(calendar).apply(
            Received(
                at=at,
                actor=actor,
                appointment=appointment,
                components=tuple(components),
                intake_exception=exception,
            )
        )

    def request_supplement(
        self, *, at: dt.datetime, actor: str, components: Iterable[str], reason: str
    ) -> Dossier:
        """Ask the applicant, in writing, to supplement the named components (Form 02)."""
        return self.apply(
            SupplementRequested(at=at, actor=actor, components=tuple(components), reason=reason)
        )

    def supplement(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar | None = None,
        components: Iterable[str] = (),
    ) -> Dossier:
        """The applicant supplements; the clock restarts or resumes per the procedure's rules.

        ``calendar`` defaults to the dossier's own (see :attr:`calendar`).
        """
        rule = self._header().clock.on_supplement
        cal = self._calendar(calendar, "supplement")
        appointment, step_due = (
            self._resumed(at, cal, rule) if self.clock.started_at is not None else (None, None)
        )
        return self._with(cal).apply(
            Supplemented(
                at=at,
                actor=actor,
                components=tuple(components),
                appointment=appointment,
                step_due=step_due,
            )
        )

    def transfer(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar | None = None,
        to: str | None = None,
    ) -> Dossier:
        """Hand the dossier on to the next agency.

        With a planned step left (``header.steps``), the dossier goes to that step's agency with
        the step's sub-deadline; ``to``, if given, must name that agency. With no planned step
        left, it goes to ``to``; without ``to``, to the competent authority (``header.competent``),
        with no sub-deadline.

        Args:
            at: when it is handed on.
            actor: who hands it on.
            calendar: for the step's sub-deadline; defaults to the dossier's own.
            to: the receiving agency.

        Raises:
            InvalidInputError: ``to`` is not the planned step's agency.
            InvalidTransitionError: a transfer is not allowed in the current status.
        """
        header = self._header()
        index = len(self.clock.steps)
        if index < len(header.steps):
            plan = header.steps[index]
            if to is not None and to != plan.agency:
                msg = (
                    f"step {index} ({plan.name}) is planned at {plan.agency!r}; got to={to!r} "
                    "(leave out to= to follow the plan)"
                )
                raise InvalidInputError(msg, field="to", value=to)
            cal = self._calendar(calendar, "transfer")
            due = cal.deadline(at, plan.share, header.policy).due_at
            return self._with(cal).apply(
                Transferred(at=at, actor=actor, step=index, to=plan.agency, step_due=due)
            )
        target = header.competent if to is None else to
        return self._with(calendar).apply(
            Transferred(at=at, actor=actor, step=index, to=target, step_due=None)
        )

    def request_payment(
        self, *, at: dt.datetime, actor: str, amount: int | None = None, reason: str | None = None
    ) -> Dossier:
        """Ask the applicant to pay financial obligations; the clock waits."""
        return self.apply(
            PaymentRequested(
                at=at, actor=actor, amount=amount, reason=reason or "financial obligations"
            )
        )

    def pay(
        self, *, at: dt.datetime, actor: str, calendar: WorkingCalendar | None = None
    ) -> Dossier:
        """The applicant paid; the appointment moves by the paused working time (or restarts).

        ``calendar`` defaults to the dossier's own (see :attr:`calendar`).
        """
        cal = self._calendar(calendar, "pay")
        appointment, step_due = self._resumed(at, cal, self._header().clock.on_payment)
        return self._with(cal).apply(
            Paid(at=at, actor=actor, appointment=appointment, step_due=step_due)
        )

    def apologise(
        self,
        *,
        at: dt.datetime,
        actor: str,
        reason: str,
        new_appointment: dt.datetime | None = None,
        extension: Duration | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Dossier:
        """Apologise and set a new appointment (Form 04).

        Give the new appointment as a moment (``new_appointment``) or as a time limit added on
        ``calendar`` to the current appointment, or to the apology when the appointment has
        already passed (``extension``, e.g. ``Duration.working_days(3)``: the close of business
        of the third working day after). Either way it must be a working moment on ``calendar`` (a
        working session of a working day, its end included): the applicant comes to the counter
        then. Without ``calendar``, the dossier's own (given at receipt) or else the national
        calendar (``WorkingCalendar.vietnam()``) is used; like every command's, a ``calendar``
        given is remembered.

        Raises:
            InvalidInputError: neither or both of ``new_appointment`` and ``extension`` are
                given, or the new appointment is not a working moment.
            InvalidTransitionError: the apology is not allowed now (see :meth:`apply`).
        """
        if (new_appointment is None) == (extension is None):
            msg = "give the new appointment as new_appointment or as extension (one of them)"
            raise InvalidInputError(msg, field="new_appointment", value=new_appointment)
        cal = calendar or self.calendar or WorkingCalendar.vietnam()
        field = "new_appointment"
        if extension is not None:
            field = "extension"
            given: object = extension
            if not isinstance(given, Duration):
                msg = f"extension must be a govtier Duration, got {type(given).__name__}"
                raise InvalidInputError(msg, field=field, value=extension)
            current = self.clock.appointment
            if current is None:
                msg = "the clock is stopped: there is no appointment to extend"
                raise InvalidTransitionError(msg)
            policy = DeadlinePolicy(
                due=DueMoment.CLOSE_OF_BUSINESS, outside_hours=OutsideHours.AS_RECEIVED
            )
            base = max(current, check_aware(at, "at"))
            new_appointment = cal.deadline(base, extension, policy).due_at
        moment = check_aware(new_appointment, field)
        if not cal.is_working_moment(moment):
            local = moment.astimezone(VIETNAM_TZ)
            sessions = cal.sessions_on(local.date())
            hours = ", ".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in sessions) or "none"
            msg = (
                f"the new appointment {local:%a %d/%m/%Y %H:%M} is not a working moment "
                f"(working sessions that day: {hours}); give a moment the counter is open"
            )
            raise InvalidInputError(msg, field=field, value=moment)
        event = Apologised(at=at, actor=actor, reason=reason, appointment=moment)
        return self._with(calendar).apply(event)

    def stop(
        self, *, at: dt.datetime, actor: str, reason: str, legal_basis: str | None = None
    ) -> Dossier:
        """Stop processing (Form 05)."""
        return self.apply(Stopped(at=at, actor=actor, reason=reason, legal_basis=legal_basis))

    def decide(
        self,
        *,
        at: dt.datetime,
        actor: str,
        outcome: Outcome,
        document: str,
        reason: str | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Dossier:
        """Record the decision and the result document; the result is ready to return.

        ``calendar``, like every command's, is remembered (a decision computes no date).
        """
        return self._with(calendar).apply(
            Decided(at=at, actor=actor, outcome=outcome, document=document, reason=reason)
        )

    def return_result(self, *, at: dt.datetime, actor: str, method: str = "in person") -> Dossier:
        """Return the result to the applicant."""
        return self.apply(Returned(at=at, actor=actor, method=method))

    def withdraw(
        self, *, at: dt.datetime, actor: str, reason: str = "applicant's request"
    ) -> Dossier:
        """The applicant withdraws the dossier."""
        return self.apply(Withdrawn(at=at, actor=actor, reason=reason))

    # -- the fold ----------------------------------------------------------------------------

    def apply(self, event: Event) -> Dossier:
        """The dossier after ``event``; this dossier is unchanged.

        Raises:
            InvalidTransitionError: the event is not allowed in the current status, is earlier
                than the last event, or breaks a clock rule (e.g. an extension over the limit).
        """
        given: object = event
        if not isinstance(given, Event):
            msg = f"expected a govtier dossier event, got {type(given).__name__}"
            raise InvalidTransitionError(msg)
        kind = event.kind
        goal = _GOALS.get((self.status, kind))
        if goal is None:
            allowed = ", ".join(TRANSITIONS.allowed(self.status)) or "none (terminal)"
            where = "a new dossier" if self.status is None else f"status {self.status.name}"
            msg = f"event {event.kind!r} is not allowed in {where}; allowed: {allowed}"
            raise InvalidTransitionError(msg)
        if self.events and event.at < self.events[-1].at:
            msg = (
                f"event {event.kind!r} at {event.at.isoformat()} is earlier than the last event "
                f"({self.events[-1].kind} at {self.events[-1].at.isoformat()})"
            )
            raise InvalidTransitionError(msg)
        if goal is Target.SAME:
            status = self.status
        elif goal is Target.RESUME:
            status = self.resume_to
        else:
            status = goal
        changes = _FOLDS[kind](self, event)
        changes["events"] = (*self.events, event)
        changes["status"] = status
        clock = changes.get("clock", self.clock)
        if status is not None:  # (the table never leads to no status)
            changes["phases"] = _next_phases(self.phases, event.at, status, clock.appointment)
        cls = type(self)
        evolver = _EVOLVERS.get(cls)
        if evolver is None:
            evolver = _EVOLVERS[cls] = _make_evolver(cls)
        result: Dossier = evolver(self, changes)
        return result

    # -- questions ---------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """The dossier code."""
        return self._header().code

    @property
    def appointment(self) -> dt.datetime | None:
        """The current appointment (due moment); ``None`` before receipt or while stopped."""
        return self.clock.appointment

    @property
    def received_at(self) -> dt.datetime | None:
        """When the dossier was received (the clock's start)."""
        return self.clock.started_at

    @property
    def version(self) -> int:
        """The number of events: the version a store compares for optimistic concurrency."""
        return len(self.events)

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, once decided; ``None`` before a decision or if never decided.

        Compares the decision moment with the appointment in force then (:func:`timeliness_of`):
        early when decided on an earlier day, on time when by the appointment, late after it.
        """
        return timeliness_of(self.clock.finished_at, self.clock.appointment)

    @property
    def timeline(self) -> Timeline:
        """The status and appointment over time, the receipt and the decision."""
        clock = self.clock
        apologised = None
        if clock.extensions:
            apologised = next(c.at for c in clock.history if c.cause == Apologised.kind)
        return Timeline(
            phases=self.phases,
            received_at=clock.started_at,
            finished_at=clock.finished_at,
            apologised_at=apologised,
        )

    def standing(self, as_of: dt.datetime | None = None) -> Standing | None:
        """What the dossier was at ``as_of`` (now when ``None``); ``None`` before its first event.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        return self.timeline.at(as_of)

    def as_of(self, as_of: dt.datetime) -> Dossier | None:
        """The dossier as it stood at ``as_of``: its events up to that moment, refolded.

        ``None`` when it had no event yet at ``as_of``; this dossier when nothing came later.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        moment = check_aware(as_of, "as_of")
        events = self.events
        if not events or events[0].at > moment:
            return None
        if events[-1].at <= moment:
            return self
        return Dossier.from_events(e for e in events if e.at <= moment)

    def clock_state(self, as_of: dt.datetime) -> ClockState:
        """Within time, due today, overdue or paused at ``as_of`` (:meth:`Standing.clock_state`).

        The dossier is read as it is now; for its state as it stood at an earlier moment, ask
        :meth:`standing` at that moment.
        """
        moment = check_aware(as_of, "as_of")
        standing = self.standing()
        return ClockState.NOT_STARTED if standing is None else standing.clock_state(moment)

    def late_step(self, as_of: dt.datetime | None = None) -> StepProgress | None:
        """The first inter-agency step that missed its sub-deadline, if any.

        A step still open is judged as of ``as_of``; ``None`` means every step kept to its share.
        """
        given = None if as_of is None else check_aware(as_of, "as_of")
        moment = self.clock.finished_at or given
        for step in self.clock.steps:
            if step.due_at is None:
                continue
            end = step.completed_at or moment
            if end is not None and end > step.due_at:
                return step
        return None

    def receipt_slip(self) -> ReceiptSlip:
        """The receipt and appointment slip (Form 01) for a received dossier.

        Raises:
            InvalidTransitionError: the dossier was never received.
        """
        received = next((e for e in self.events if isinstance(e, Received)), None)
        if received is None:
            msg = f"dossier {self.code} has not been received; there is no receipt slip"
            raise InvalidTransitionError(msg)
        header = self._header()
        return ReceiptSlip(
            dossier_code=header.code,
            procedure_name=header.procedure_name,
            procedure_code=header.procedure_code,
            applicant=header.applicant,
            received_at=received.at,
            receiving_unit=header.receiving_unit,
            components=received.components,
            appointment=received.appointment,
            returns_at=header.returns_at,
            clerk=received.actor,
        )

    def allowed_events(self) -> tuple[str, ...]:
        """The event kinds allowed now."""
        return TRANSITIONS.allowed(self.status)

    # -- helpers -----------------------------------------------------------------------------

    def _with(self, calendar: WorkingCalendar | None) -> Dossier:
        """This dossier, remembering ``calendar`` (unchanged when ``calendar`` is ``None``)."""
        if calendar is None or calendar is self.calendar:
            return self
        return _evolve(self, calendar=calendar)

    def _calendar(self, calendar: WorkingCalendar | None, command: str) -> WorkingCalendar:
        if calendar is not None:
            return calendar
        if self.calendar is None:
            msg = (
                f"{command}() needs calendar=: this dossier was read back from its events and "
                "does not know the calendar it was received on"
            )
            raise InvalidInputError(msg, field="calendar", value=None)
        return self.calendar

    def _header(self) -> DossierHeader:
        if self.header is None:
            msg = "this dossier has no events yet"
            raise InvalidTransitionError(msg)
        return self.header

    def _resumed(
        self, at: dt.datetime, calendar: WorkingCalendar, rule: WaitRule
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """The appointment and the open step's sub-deadline when a wait ends at ``at``."""
        header = self._header()
        open_step = self.clock.steps[-1] if self.clock.steps else None
        if open_step is not None and open_step.completed_at is not None:
            open_step = None
        before = self._last_appointment()
        if rule is WaitRule.RESTART or self.clock.paused_since is None or before is None:
            appointment = calendar.deadline(at, header.time_limit, header.policy).due_at
            step_due = None
            if open_step is not None and open_step.index < len(header.steps):
                share = header.steps[open_step.index].share
                step_due = calendar.deadline(at, share, header.policy).due_at
            return appointment, step_due
        paused = working_time_between(calendar, self.clock.paused_since, at)
        appointment = add_working_time(calendar, before, paused) if paused else before
        step_due = None
        if open_step is not None and open_step.due_at is not None:
            step_due = (
                add_working_time(calendar, open_step.due_at, paused) if paused else open_step.due_at
            )
        return appointment, step_due

    def _last_appointment(self) -> dt.datetime | None:
        for change in reversed(self.clock.history):
            if change.after is not None:
                return change.after
        return None


# --------------------------------------------------------------------------------------------
# What each event does to the state (status is handled by the table)


_Changes = dict[str, Any]


def _intake_exception(header: DossierHeader, stated: str | None) -> str | None:
    """The exception to record, after checking the header's intake check; raises when refused."""
    if stated is not None and not str(stated).strip():
        msg = f"intake_exception must be a non-empty reason; got {stated!r}"
        raise InvalidInputError(msg, field="intake_exception", value=stated)
    check = header.intake
    if check is None or check.allowed:
        return stated
    if stated is None:
        msg = (
            f"{header.procedure_id} ({header.code}) may not be received by {check.receiving_unit} "
            f"({check.channel.value}): {check.reason}. Refuse it (Form 03) or state an exception "
            "with a reason (intake_exception=...)"
        )
        raise OutsideIntakeScopeError(msg, check=check)
    return stated


def _open(dossier: Dossier, header: DossierHeader | None, kind: str) -> _Changes:
    if dossier.header is None:
        if header is None:
            msg = f"the first event ({kind}) must carry the dossier header"
            raise InvalidTransitionError(msg)
        return {"header": header}
    if header is not None and header != dossier.header:
        msg = f"event {kind!r} carries a header for another dossier than {dossier.header.code}"
        raise InvalidTransitionError(msg)
    return {}


def _fold_submitted(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Submitted)  # noqa: S101
    return _open(dossier, event.header, event.kind)


def _fold_received(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Received)  # noqa: S101
    changes = _open(dossier, event.header, event.kind)
    if event.appointment < event.at:
        msg = (
            f"the appointment {event.appointment.isoformat()} is before the receipt "
            f"{event.at.isoformat()}"
        )
        raise InvalidTransitionError(msg)
    change = AppointmentChange(
        at=event.at, cause=event.kind, before=None, after=event.appointment, reason="receipt"
    )
    changes["clock"] = _evolve(
        dossier.clock, started_at=event.at, appointment=event.appointment, history=(change,)
    )
    return changes


def _fold_refused(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Refused)  # noqa: S101
    return _open(dossier, event.header, event.kind)


def _fold_supplement_requested(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, SupplementRequested)  # noqa: S101
    header = dossier._header()
    clock = dossier.clock
    if clock.supplement_requests >= header.clock.max_supplement_requests:
        msg = (
            f"procedure {header.procedure_id} allows {header.clock.max_supplement_requests} "
            f"supplement request(s); this would be number {clock.supplement_requests + 1}"
        )
        raise InvalidTransitionError(msg)
    new_clock = _evolve(
        clock, supplement_requests=clock.supplement_requests + 1, paused_since=event.at
    )
    if clock.started_at is not None:
        new_clock = _stop_clock(new_clock, event, reason=event.reason)
    return {"clock": new_clock, "resume_to": dossier.status}


def _stop_clock(clock: Clock, event: Event, *, reason: str) -> Clock:
    change = AppointmentChange(
        at=event.at, cause=event.kind, before=clock.appointment, after=None, reason=reason
    )
    return _evolve(clock, appointment=None, history=(*clock.history, change))


def _resume_clock(
    dossier: Dossier,
    event: Event,
    appointment: dt.datetime | None,
    reason: str,
    step_due: dt.datetime | None = None,
) -> _Changes:
    clock = dossier.clock
    header = dossier._header()
    rule = header.clock.on_supplement if event.kind == "supplemented" else header.clock.on_payment
    if clock.started_at is None:
        if appointment is not None:
            msg = "the clock has not started (no receipt yet); a resumed appointment makes no sense"
            raise InvalidTransitionError(msg)
        return {"clock": _evolve(clock, paused_since=None), "resume_to": None}
    if appointment is None:
        msg = f"event {event.kind!r} must give the new appointment (the clock restarts or resumes)"
        raise InvalidTransitionError(msg)
    if appointment < clock.started_at:
        # (a paused clock may resume to an appointment already past: the dossier was late)
        msg = (
            f"the new appointment {appointment.isoformat()} is before the receipt "
            f"{clock.started_at.isoformat()}"
        )
        raise InvalidTransitionError(msg)
    waits = clock.waits
    if clock.paused_since is not None:
        cause = "supplement" if event.kind == "supplemented" else "payment"
        wait = Wait(cause=cause, started_at=clock.paused_since, ended_at=event.at, rule=rule)
        waits = (*waits, wait)
    change = AppointmentChange(
        at=event.at, cause=event.kind, before=None, after=appointment, reason=reason
    )
    steps = clock.steps
    if step_due is not None:
        if not steps or steps[-1].completed_at is not None:
            msg = f"event {event.kind!r} moves a step's sub-deadline, but no step is open"
            raise InvalidTransitionError(msg)
        steps = (*steps[:-1], _evolve(steps[-1], due_at=step_due))
    new_clock = _evolve(
        clock,
        appointment=appointment,
        history=(*clock.history, change),
        paused_since=None,
        waits=waits,
        steps=steps,
    )
    return {"clock": new_clock, "resume_to": None}


def _fold_supplemented(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Supplemented)  # noqa: S101
    return _resume_clock(dossier, event, event.appointment, "supplemented", event.step_due)


def _fold_transferred(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Transferred)  # noqa: S101
    header = dossier._header()
    clock = dossier.clock
    if event.step != len(clock.steps):
        msg = f"the next step is number {len(clock.steps)}; the event names step {event.step}"
        raise InvalidTransitionError(msg)
    steps = list(clock.steps)
    if steps:
        steps[-1] = _evolve(steps[-1], completed_at=event.at)
    name = header.steps[event.step].name if event.step < len(header.steps) else "processing"
    steps.append(
        StepProgress(
            index=event.step, name=name, agency=event.to, started_at=event.at, due_at=event.step_due
        )
    )
    return {"clock": _evolve(clock, steps=tuple(steps))}


def _fold_payment_requested(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, PaymentRequested)  # noqa: S101
    clock = _stop_clock(dossier.clock, event, reason=event.reason)
    return {"clock": _evolve(clock, paused_since=event.at), "resume_to": dossier.status}


def _fold_paid(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Paid)  # noqa: S101
    return _resume_clock(dossier, event, event.appointment, "paid", event.step_due)


def _fold_apologised(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Apologised)  # noqa: S101
    header = dossier._header()
    clock = dossier.clock
    if clock.extensions >= header.clock.max_extensions:
        msg = (
            f"procedure {header.procedure_id} allows {header.clock.max_extensions} apology with "
            f"a new appointment; {clock.extensions} already given"
        )
        raise InvalidTransitionError(msg)
    if clock.appointment is not None and event.appointment <= clock.appointment:
        msg = (
            f"the new appointment {event.appointment.isoformat()} must be later than the current "
            f"one ({clock.appointment.isoformat()})"
        )
        raise InvalidTransitionError(msg)
    if event.appointment <= event.at:
        msg = f"the new appointment {event.appointment.isoformat()} must be after the apology"
        raise InvalidTransitionError(msg)
    change = AppointmentChange(
        at=event.at,
        cause=event.kind,
        before=clock.appointment,
        after=event.appointment,
        reason=event.reason,
    )
    new_clock = _evolve(
        clock,
        appointment=event.appointment,
        history=(*clock.history, change),
        extensions=clock.extensions + 1,
    )
    return {"clock": new_clock}


def _close_steps(clock: Clock, at: dt.datetime) -> tuple[StepProgress, ...]:
    if clock.steps and clock.steps[-1].completed_at is None:
        return (*clock.steps[:-1], _evolve(clock.steps[-1], completed_at=at))
    return clock.steps


def _fold_stopped(dossier: Dossier, event: Event) -> _Changes:
    clock = dossier.clock
    return {"clock": _evolve(clock, steps=_close_steps(clock, event.at), paused_since=None)}


def _fold_decided(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Decided)  # noqa: S101
    clock = dossier.clock
    new_clock = _evolve(clock, steps=_close_steps(clock, event.at), finished_at=event.at)
    return {"clock": new_clock, "outcome": event.outcome}


def _fold_nothing(_dossier: Dossier, _event: Event) -> _Changes:
    return {}


def _fold_withdrawn(dossier: Dossier, event: Event) -> _Changes:
    return _fold_stopped(dossier, event)


def _fold_transferred_in_custody(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, Transferred)  # noqa: S101
    changes = _fold_transferred(dossier, event)
    changes["custody"] = dossier.custody.moved(
        at=event.at, event=event.kind, source=None, to=event.to
    )
    return changes


def _fold_handed_over(dossier: Dossier, event: Event) -> _Changes:
    assert isinstance(event, HandedOver)  # noqa: S101
    header = dossier._header()
    new_header = _evolve(
        header,
        receiving_unit=event.receiving_unit,
        subject_unit=event.subject_unit,
        competent=event.to_agency,
        returns_at=event.returns_at,
        steps=header.steps if event.steps is None else event.steps,
    )
    changes: _Changes = {
        "header": new_header,
        "custody": dossier.custody.moved(
            at=event.at, event=event.kind, source=event.from_agency, to=event.to_agency
        ),
    }
    if event.appointment is not None:
        clock = dossier.clock
        if clock.started_at is None or clock.appointment is None:
            msg = "a handover can set a new appointment only while the clock runs"
            raise InvalidTransitionError(msg)
        change = AppointmentChange(
            at=event.at,
            cause=event.kind,
            before=clock.appointment,
            after=event.appointment,
            reason=event.reason or "handover",
        )
        changes["clock"] = _evolve(
            clock, appointment=event.appointment, history=(*clock.history, change)
        )
    return changes


_FOLDS: Final = {
    "submitted": _fold_submitted,
    "received": _fold_received,
    "refused": _fold_refused,
    "supplement_requested": _fold_supplement_requested,
    "supplemented": _fold_supplemented,
    "transferred": _fold_transferred_in_custody,
    "payment_requested": _fold_payment_requested,
    "paid": _fold_paid,
    "apologised": _fold_apologised,
    "stopped": _fold_stopped,
    "decided": _fold_decided,
    "returned": _fold_nothing,
    "withdrawn": _fold_withdrawn,
    "handed_over": _fold_handed_over,
}

"""The dossier's header: statuses, outcomes, the applicant, the code and what it is about.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Final

import attrs

from govtier._guard import non_empty_text
from govtier.catalogue import Channel
from govtier.deadlines import (
    ClockRules,
    DeadlinePolicy,
    Duration,
)
from govtier.errors import (
    MalformedCodeError,
)
from govtier.i18n import N_, resolve_language, tr
from govtier.jurisdiction import Assignment, IntakeCheck, IntakeScope
from govtier.units import UnitRegistry


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

"""Competence and intake rules as data, and :meth:`RuleSet.resolve` → :class:`Assignment`.

A :class:`Rule` says, for some procedures, places, channels and dates, one or more of: who is
competent (level, agency role), where a dossier may be received, where the result is returned, the
inter-agency (liên thông) steps and their shares of the time limit, and a time limit or policy that
replaces the catalogue's. Rules layer: for each of those aspects the most specific matching rule
decides (a commune's rule over a province's over a national one; a rule naming the procedure over
one naming its field over one for every procedure; a rule for one channel over one for all). Two
rules equally specific that overlap and disagree are a :class:`~govtier.errors.RuleConflictError`
when the rule set is built, never a coin toss at run time.

>>> import datetime as dt
>>> from govtier.jurisdiction import RuleSet
>>> rules = RuleSet.bundled()
>>> before = rules.resolve("business-household.registration", "00004", on=dt.date(2025, 6, 30))
>>> after = rules.resolve("business-household.registration", "00004", on=dt.date(2025, 7, 1))
>>> print(before.competent)
Phòng Tài chính - Kế hoạch Quận Ba Đình
>>> print(after.competent)
Ủy ban nhân dân Phường Ba Đình
>>> after.intake.value, str(after.time_limit)
('any_in_province', '3 ngày làm việc')
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import threading
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from govtier._data import read_bundled, read_data_file
from govtier._entries import EntryReader
from govtier._guard import shown_names
from govtier.catalogue import (
    Catalogue,
    Channel,
    Procedure,
    legal_source,
    policy_from,
)
from govtier.deadlines import DeadlinePolicy, Duration, DurationUnit
from govtier.errors import (
    DataFileError,
    GovtierError,
    InvalidInputError,
    NoCompetentAuthorityError,
    RuleConflictError,
    UnknownUnitError,
)
from govtier.i18n import N_, Message, cite, format_date, resolve_language, tr, tr_data
from govtier.legal import Confidence, LegalSource
from govtier.units import REFORM_DATE, LegacyUnit, Level, Unit, UnitRegistry

__all__ = [
    "AgencyRole",
    "AmbiguousUnitError",
    "Assignment",
    "Authority",
    "Competence",
    "Coverage",
    "Decision",
    "IntakeCheck",
    "IntakeScope",
    "MatchedRule",
    "OutsideIntakeScopeError",
    "Rule",
    "RuleSet",
    "Step",
    "StepSpec",
    "ValidationReport",
]


class IntakeScope(enum.Enum):
    """Where a dossier may be received."""

    SUBJECT_COMMUNE = "subject_commune"
    """Only at the one-stop unit of the subject's own commune (residence, land, head office)."""
    COMPETENT_AGENCY = "competent_agency"
    """Only at the competent agency's own counter (e.g. a district one-stop unit before 2025-07)."""
    ANY_IN_PROVINCE = "any_in_province"
    """At any provincial or commune Public Administration Service Center of the province
    (Decree 118/2025: regardless of administrative boundaries within the province)."""
    NATIONWIDE = "nationwide"
    """Anywhere in the country (online filings, nationwide non-boundary lists)."""
    ONLINE_ONLY = "online_only"
    """Only online (the National Public Service Portal, VNeID or the provincial system)."""

    @property
    def vietnamese(self) -> str:
        """The Vietnamese description, e.g. ``"không phụ thuộc địa giới hành chính trong tỉnh"``."""
        return _INTAKE_VI[self]


_INTAKE_VI: Final = {
    IntakeScope.SUBJECT_COMMUNE: "tại cấp xã nơi cư trú / nơi có đối tượng",
    IntakeScope.COMPETENT_AGENCY: "tại bộ phận một cửa của cơ quan có thẩm quyền",
    IntakeScope.ANY_IN_PROVINCE: "không phụ thuộc địa giới hành chính trong tỉnh",
    IntakeScope.NATIONWIDE: "không phụ thuộc địa giới hành chính trên toàn quốc",
    IntakeScope.ONLINE_ONLY: "chỉ trực tuyến",
}


class AgencyRole(enum.Enum):
    """The kind of agency that receives, decides or takes part in a procedure."""

    COMMUNE_PEOPLES_COMMITTEE = "commune_peoples_committee"
    COMMUNE_CHAIRMAN = "commune_chairman"
    COMMUNE_POLICE = "commune_police"
    COMMUNE_BUSINESS_REGISTRATION = "commune_business_registration"
    DISTRICT_PEOPLES_COMMITTEE = "district_peoples_committee"
    DISTRICT_JUSTICE_DIVISION = "district_justice_division"
    DISTRICT_BUSINESS_REGISTRATION = "district_business_registration"
    DISTRICT_POLICE = "district_police"
    PROVINCIAL_PEOPLES_COMMITTEE = "provincial_peoples_committee"
    PROVINCIAL_POLICE = "provincial_police"
    PROVINCIAL_DEPARTMENT = "provincial_department"
    LAND_REGISTRATION_OFFICE = "land_registration_office"

    @property
    def vietnamese(self) -> str:
        """The Vietnamese name of the kind of agency, e.g. ``"Ủy ban nhân dân cấp xã"``."""
        return _ROLES[self][0]

    @property
    def level(self) -> Level:
        """The level of government the role sits at."""
        return _ROLES[self][2]

    def agency_name(self, unit_name: str) -> str:
        """The usual name of this role's agency in a unit, e.g. ``"Công an Phường Ba Đình"``."""
        return _ROLES[self][1].format(unit=unit_name)


_ROLES: Final[dict[AgencyRole, tuple[str, str, Level]]] = {
    AgencyRole.COMMUNE_PEOPLES_COMMITTEE: (
        "Ủy ban nhân dân cấp xã",
        "Ủy ban nhân dân {unit}",
        Level.COMMUNE,
    ),
    AgencyRole.COMMUNE_CHAIRMAN: (
        "Chủ tịch Ủy ban nhân dân cấp xã",
        "Chủ tịch Ủy ban nhân dân {unit}",
        Level.COMMUNE,
    ),
    AgencyRole.COMMUNE_POLICE: ("Công an cấp xã", "Công an {unit}", Level.COMMUNE),
    AgencyRole.COMMUNE_BUSINESS_REGISTRATION: (
        "Cơ quan đăng ký kinh doanh cấp xã",
        "Ủy ban nhân dân {unit}",
        Level.COMMUNE,
    ),
    AgencyRole.DISTRICT_PEOPLES_COMMITTEE: (
        "Ủy ban nhân dân cấp huyện",
        "Ủy ban nhân dân {unit}",
        Level.DISTRICT,
    ),
    AgencyRole.DISTRICT_JUSTICE_DIVISION: (
        "Phòng Tư pháp cấp huyện",
        "Phòng Tư pháp {unit}",
        Level.DISTRICT,
    ),
    AgencyRole.DISTRICT_BUSINESS_REGISTRATION: (
        "Phòng Tài chính - Kế hoạch cấp huyện",
        "Phòng Tài chính - Kế hoạch {unit}",
        Level.DISTRICT,
    ),
    AgencyRole.DISTRICT_POLICE: ("Công an cấp huyện", "Công an {unit}", Level.DISTRICT),
    AgencyRole.PROVINCIAL_PEOPLES_COMMITTEE: (
        "Ủy ban nhân dân cấp tỉnh",
        "Ủy ban nhân dân {unit}",
        Level.PROVINCE,
    ),
    AgencyRole.PROVINCIAL_POLICE: ("Công an cấp tỉnh", "Công an {unit}", Level.PROVINCE),
    AgencyRole.PROVINCIAL_DEPARTMENT: (
        "Sở chuyên ngành cấp tỉnh",
        "Sở chuyên ngành, {unit}",
        Level.PROVINCE,
    ),
    AgencyRole.LAND_REGISTRATION_OFFICE: (
        "Văn phòng đăng ký đất đai",
        "Văn phòng đăng ký đất đai {unit}",
        Level.PROVINCE,
    ),
}


# --------------------------------------------------------------------------------------------
# Results


@attrs.frozen(kw_only=True)
class Authority:
    """An agency in a unit: who decides, or who takes a step.

    Attributes:
        level: the level of government.
        unit_code: the unit's code (a commune, a pre-reform district or a province).
        unit_name: the unit's name.
        role: the kind of agency.
        agency: the agency's name, e.g. ``"Ủy ban nhân dân Phường Ba Đình"``.
    """

    level: Level
    unit_code: str
    unit_name: str
    role: AgencyRole
    agency: str

    def __str__(self) -> str:
        return self.agency


@attrs.frozen(kw_only=True)
class Step:
    """One inter-agency (liên thông) step and its share of the time limit.

    Attributes:
        name: what is done.
        authority: who does it.
        share: the part of the time limit it may take.
    """

    name: str
    authority: Authority
    share: Duration

    @property
    def agency(self) -> str:
        """The agency's name (``authority.agency``), as a dossier's steps name it.

        ``assignment.steps[i].agency``, ``dossier.header.steps[i].agency`` and
        ``dossier.clock.steps[i].agency`` are the same string.
        """
        return self.authority.agency

    def text(self, lang: str | None = None) -> str:
        """The step in words, in ``lang``."""
        code = resolve_language(lang)
        agency = tr_data(self.authority.agency, code)
        return f"{tr_data(self.name, code)}: {agency} ({self.share.text(code)})"

    def __str__(self) -> str:
        return self.text()


@attrs.frozen(kw_only=True)
class MatchedRule:
    """A rule that matched a resolution, what it decided, and why it applies.

    Attributes:
        rule: the rule.
        decided: the aspects this rule decided (``"competent"``, ``"intake"``, ``"returns_at"``,
            ``"steps"``, ``"time_limit"``, ``"policy"``); empty when more specific rules decided
            everything it says.
    """

    rule: Rule
    decided: tuple[str, ...]

    @property
    def legal_basis(self) -> tuple[LegalSource, ...]:
        """The rule's legal basis."""
        return self.rule.legal_basis

    def text(self, lang: str | None = None) -> str:
        """The rule, what it decided and its legal basis, in ``lang``."""
        code = resolve_language(lang)
        what = (
            ", ".join(tr(_ASPECT_LABELS.get(a, a), code) for a in self.decided)
            if self.decided
            else tr("nothing (overridden)", code)
        )
        basis = "; ".join(cite(s, code) for s in self.rule.legal_basis)
        return tr(
            "{rule} {mark} decides {what}: {basis}",
            code,
            rule=self.rule.id,
            mark=self.rule.confidence.mark,
            what=what,
            basis=basis,
        )

    def __str__(self) -> str:
        return self.text()


_ASPECT_LABELS: Final = {
    "competent": N_("the competent authority"),
    "intake": N_("where it is received"),
    "returns_at": N_("where the result is returned"),
    "steps": N_("the inter-agency steps"),
    "time_limit": N_("the time limit"),
    "policy": N_("how the time limit is counted"),
}


@attrs.frozen(kw_only=True)
class Decision:
    """The date-independent part of an assignment, shared by every resolution that reaches it.

    :meth:`RuleSet.resolve` builds one per procedure version, place and channel and keeps it, so
    resolving the same question on another day costs one small :class:`Assignment`. Read its
    fields through the assignment (``assignment.competent`` is ``assignment.decision.competent``).
    """

    procedure: Procedure
    subject_code: str
    subject_name: str
    channel: Channel
    intake: IntakeScope
    receivers: str
    competent: Authority
    returns_at: str
    steps: tuple[Step, ...]
    time_limit: Duration
    policy: DeadlinePolicy
    explanation: tuple[MatchedRule, ...]
    notes: tuple[str, ...]


@attrs.frozen(kw_only=True)
class IntakeCheck:
    """Whether a receiving unit may receive a dossier on a channel, and why.

    Built by :meth:`Assignment.may_receive`; carried by the dossier header so that
    :meth:`~govtier.dossier.Dossier.receive` can refuse a receipt outside the scope.

    Attributes:
        allowed: whether the receipt is within the intake scope.
        scope: the intake scope of the assignment.
        receiving_unit: the code of the unit whose counter (or system) receives.
        channel: how the dossier is submitted.
        reason: the answer in words, naming the scope.
    """

    allowed: bool
    scope: IntakeScope
    receiving_unit: str
    channel: Channel
    reason: str = attrs.field(validator=attrs.validators.min_len(1))

    def text(self, lang: str | None = None) -> str:
        """The answer in words, in ``lang`` (``reason`` itself is kept in English)."""
        code = resolve_language(lang)
        verdict = tr("allowed", code) if self.allowed else tr("refused", code)
        return f"{verdict}: {tr_data(self.reason, code)}"

    def __str__(self) -> str:
        return self.text()


class OutsideIntakeScopeError(GovtierError, ValueError):
    """A dossier was received outside its intake scope without a stated exception.

    Attributes:
        check: the intake check that refused it.
    """

    def __init__(self, message: str, *, check: IntakeCheck) -> None:
        super().__init__(message)
        self.check = check


@attrs.frozen(kw_only=True, repr=False)
class Assignment:
    """Who receives, decides and returns a procedure for a unit on a date, and why.

    Built by :meth:`RuleSet.resolve`; every attribute below is read-only.

    Attributes:
        unit_code: the unit code given.
        on: the date.
        procedure: the procedure version that applies on ``on``.
        subject_code: the unit the rules were applied to (after following an old code to its
            successor; otherwise the same as ``unit_code``).
        subject_name: that unit's name.
        channel: how the dossier is submitted.
        intake: where it may be received.
        receivers: where, in words.
        competent: the authority that decides.
        returns_at: where the result is returned, in words.
        steps: the inter-agency steps, in order, with their shares of the time limit.
        time_limit: the time limit that applies.
        policy: how the time limit is applied.
        explanation: every rule that matched, most specific first, with what it decided.
        notes: anything else the caller should know (e.g. an old code followed to a new one).
    """

    unit_code: str
    on: dt.date
    decision: Decision

    @property
    def procedure(self) -> Procedure:
        """The procedure version that applies."""
        return self.decision.procedure

    @property
    def subject_code(self) -> str:
        """The code of the unit the rules were applied to."""
        return self.decision.subject_code

    @property
    def subject_name(self) -> str:
        """The name of the unit the rules were applied to."""
        return self.decision.subject_name

    @property
    def channel(self) -> Channel:
        """How the dossier is submitted."""
        return self.decision.channel

    @property
    def intake(self) -> IntakeScope:
        """Where the dossier may be received."""
        return self.decision.intake

    @property
    def receivers(self) -> str:
        """Where the dossier may be received, in words."""
        return self.decision.receivers

    @property
    def competent(self) -> Authority:
        """The authority that decides."""
        return self.decision.competent

    @property
    def returns_at(self) -> str:
        """Where the result is returned, in words."""
        return self.decision.returns_at

    @property
    def steps(self) -> tuple[Step, ...]:
        """The inter-agency steps with their shares of the time limit."""
        return self.decision.steps

    @property
    def time_limit(self) -> Duration:
        """The time limit that applies."""
        return self.decision.time_limit

    @property
    def policy(self) -> DeadlinePolicy:
        """How the time limit is applied."""
        return self.decision.policy

    @property
    def explanation(self) -> tuple[MatchedRule, ...]:
        """Every rule that matched, most specific first, with what it decided."""
        return self.decision.explanation

    @property
    def notes(self) -> tuple[str, ...]:
        """Anything else the caller should know, in the default language (see govtier.i18n)."""
        return tuple(tr_data(note) for note in self.decision.notes)

    @property
    def confidence(self) -> Confidence:
        """The weakest confidence among the rules that decided something."""
        marks = [m.rule.confidence for m in self.explanation if m.decided]
        for level in (Confidence.UNCONFIRMED, Confidence.PARTIAL):
            if level in marks:
                return level
        return Confidence.CONFIRMED

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The ids of every rule that matched, most specific first."""
        return tuple(m.rule.id for m in self.explanation)

    def __repr__(self) -> str:
        proc = self.procedure
        return (
            f"Assignment({proc.id} v{proc.version}, unit={self.unit_code!r}, "
            f"on={self.on.isoformat()}, channel={self.channel.value}, "
            f"competent={self.competent.agency!r}, intake={self.intake.value}, "
            f"time_limit={self.time_limit.text('en')!r})"
        )

    def may_receive(
        self,
        receiving_unit: str,
        channel: Channel | None = None,
        *,
        units: UnitRegistry | None = None,
    ) -> IntakeCheck:
        """Whether the counter (or system) of ``receiving_unit`` may receive this dossier.

        >>> import datetime as dt
        >>> from govtier.catalogue import Channel
        >>> rules = RuleSet.bundled()
        >>> a = rules.resolve("land.first-certificate", "20242", dt.date(2026, 3, 2))
        >>> print(a.may_receive("19975").reason)  # doctest: +NORMALIZE_WHITESPACE
        intake is any_in_province: Phường Hương Thủy (19975) is in Thành phố Huế,
        not in Thành phố Đà Nẵng (48), where Phường Hải Châu (20242) lies
        >>> a.may_receive("20242").allowed
        True

        Args:
            receiving_unit: the code of the receiving unit (a commune or a province), in force
                on the assignment's date.
            channel: the channel; by default the assignment's. A different channel is refused
                (resolve again for it: the scope depends on the channel).
            units: the unit registry the codes belong to (default: the bundled one).

        Raises:
            UnknownUnitError: no unit has the code ``receiving_unit`` on the assignment's date.
            MalformedCodeError: the code has the wrong shape.
        """
        chan = self.channel if channel is None else channel
        scope = self.intake
        scope_text = scope.value
        if chan is not self.channel:
            return IntakeCheck(
                allowed=False,
                scope=scope,
                receiving_unit=receiving_unit,
                channel=chan,
                reason=Message(
                    "the assignment was resolved for {resolved}, not {channel}; "
                    "resolve again for that channel (the intake scope depends on it)",
                    resolved=Message(self.channel.value),
                    channel=Message(chan.value),
                ),
            )

        def check(reason: Message, *, allowed: bool) -> IntakeCheck:
            return IntakeCheck(
                allowed=allowed,
                scope=scope,
                receiving_unit=receiving_unit,
                channel=chan,
                reason=Message(
                    "intake is {scope}: {reason}", scope=Message(scope_text), reason=reason
                ),
            )

        if scope is IntakeScope.ONLINE_ONLY:
            if chan is Channel.ONLINE:
                return check(Message("filed online, as required"), allowed=True)
            return check(
                Message(
                    "only online filings are received, not {channel}", channel=Message(chan.value)
                ),
                allowed=False,
            )
        if scope is IntakeScope.NATIONWIDE:
            return check(
                Message(
                    "any receiving point in the country may receive ({channel})",
                    channel=Message(chan.value),
                ),
                allowed=True,
            )
        if receiving_unit == self.subject_code and scope is not IntakeScope.COMPETENT_AGENCY:
            return check(
                Message(
                    "{unit} ({code}) is the subject's unit",
                    unit=self.subject_name,
                    code=self.subject_code,
                ),
                allowed=True,
            )
        competent = self.competent
        if receiving_unit == competent.unit_code:
            return check(
                Message("{code} is the competent authority's unit", code=receiving_unit),
                allowed=True,
            )
        if scope is IntakeScope.COMPETENT_AGENCY:
            if competent.level is Level.COMMUNE and receiving_unit == self.subject_code:
                return check(
                    Message("{code} is the competent commune", code=receiving_unit), allowed=True
                )
            return check(
                Message(
                    "only the one-stop unit of {agency} ({code}) receives; "
                    "{receiving} is another unit",
                    agency=competent.agency,
                    code=competent.unit_code,
                    receiving=receiving_unit,
                ),
                allowed=False,
            )
        if scope is IntakeScope.SUBJECT_COMMUNE:
            return check(
                Message(
                    "only {unit} ({code}) receives; {receiving} is another unit",
                    unit=self.subject_name,
                    code=self.subject_code,
                    receiving=receiving_unit,
                ),
                allowed=False,
            )
        registry = units if units is not None else UnitRegistry.bundled()
        mine_code, mine_name = _province_at(registry, self.subject_code, self.on)
        theirs_code, _ = _province_at(registry, receiving_unit, self.on)
        receiver = _unit_name_at(registry, receiving_unit, self.on)
        if mine_code == theirs_code:
            return check(
                Message(
                    "{unit} ({code}) is in {province}",
                    unit=receiver,
                    code=receiving_unit,
                    province=mine_name,
                ),
                allowed=True,
            )
        _, theirs_name = _province_at(registry, receiving_unit, self.on)
        return check(
            Message(
                "{unit} ({code}) is in {province}, not in {subject_province} "
                "({subject_province_code}), where {subject} ({subject_code}) lies",
                unit=receiver,
                code=receiving_unit,
                province=theirs_name,
                subject_province=mine_name,
                subject_province_code=mine_code,
                subject=self.subject_name,
                subject_code=self.subject_code,
            ),
            allowed=False,
        )

    def explain(self, lang: str | None = None) -> str:
        """The assignment in words, with every rule that matched and its legal basis.

        Args:
            lang: ``"vi"`` or ``"en"`` (default: see :mod:`govtier.i18n`). Names of units and
                agencies are proper names and stay as published.
        """
        code = resolve_language(lang)
        proc = self.procedure
        vi = code == "vi"
        competent = self.competent
        lines = [
            tr(
                "{procedure} ({id} v{version}) for {unit} ({unit_code}) on {date}, {channel}",
                code,
                procedure=proc.name if vi else (proc.name_en or proc.name),
                id=proc.id,
                version=proc.version,
                unit=self.subject_name,
                unit_code=self.subject_code,
                date=format_date(self.on, code),
                channel=self.channel.vietnamese if vi else self.channel.value.replace("_", " "),
            ),
            tr(
                "Competent: {agency} ({role}, {level} {unit_code})",
                code,
                agency=tr_data(competent.agency, code),
                role=competent.role.vietnamese if vi else _role_english(competent.role),
                level=competent.level.vietnamese if vi else competent.level.value,
                unit_code=competent.unit_code,
            ),
            tr(
                "Received: {scope}: {receivers}",
                code,
                scope=self.intake.vietnamese if vi else self.intake.value.replace("_", " "),
                receivers=tr_data(self.receivers, code),
            ),
            tr("Returned: {where}", code, where=tr_data(self.returns_at, code)),
            tr(
                "Time limit: {limit} {mark}",
                code,
                limit=self.time_limit.text(code),
                mark=proc.confidence_of("time_limit").mark,
            ),
        ]
        lines.extend(
            tr("  extension: {extension}", code, extension=ext.text(code))
            for ext in proc.extensions
        )
        if self.steps:
            lines.append(tr("Steps:", code))
            lines.extend(f"  {i}. {step.text(code)}" for i, step in enumerate(self.steps, 1))
        lines.append(tr("Rules:", code))
        lines.extend(f"  - {matched.text(code)}" for matched in self.explanation)
        lines.extend(tr("Note: {note}", code, note=tr_data(note, code)) for note in self.notes)
        return "\n".join(lines)


# i18n: intake scopes and channels as the intake check names them (the values themselves)
_INTAKE_WORDS: Final = (
    N_("subject_commune"),
    N_("competent_agency"),
    N_("any_in_province"),
    N_("nationwide"),
    N_("online_only"),
    N_("in_person"),
    N_("post"),
    N_("online"),
)


def _role_english(role: AgencyRole) -> str:
    return role.value.replace("_", " ").replace("peoples", "People's")


class AmbiguousUnitError(NoCompetentAuthorityError):
    """An old (pre-reform) code was used after 2025-07-01 and its commune was split.

    Attributes:
        code: the old code.
        candidates: the codes of the new communes that took part of it.
    """

    def __init__(self, message: str, *, code: str, candidates: tuple[str, ...]) -> None:
        super().__init__(message)
        self.code = code
        self.candidates = candidates


# --------------------------------------------------------------------------------------------
# Rules


def _frozen_strs(value: Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


def _channel_set(value: Iterable[Channel]) -> frozenset[Channel]:
    return frozenset(value)


def _source_tuple(value: Iterable[LegalSource]) -> tuple[LegalSource, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Competence:
    """Who decides: a level and a role, with an optional agency-name template.

    Attributes:
        level: the level of government, relative to the subject's unit (its commune, its
            pre-reform district, or its province).
        role: the kind of agency.
        agency: the agency's name with ``{unit}`` for the unit's name; the role's usual name
            when ``None``.
    """

    level: Level
    role: AgencyRole
    agency: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.role.level is not self.level:
            msg = (
                f"the role {self.role.value} sits at {self.role.level.value} level, "
                f"not {self.level.value}"
            )
            raise InvalidInputError(msg, field="role", value=self.role)

    def name_in(self, unit_name: str) -> str:
        """The agency's name in a unit."""
        if self.agency is None:
            return self.role.agency_name(unit_name)
        return self.agency.replace("{unit}", unit_name)


@attrs.frozen(kw_only=True)
class StepSpec:
    """An inter-agency step as a rule states it.

    Attributes:
        name: what is done.
        competence: who does it.
        share: its share of the time limit.
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    competence: Competence
    share: Duration


MAX_CACHED_DECISIONS: Final = 100_000
"""How many resolved (plan, unit) combinations a rule set keeps before starting afresh."""

ASPECTS: Final = ("competent", "intake", "returns_at", "steps", "time_limit", "policy")
"""What a rule may decide, in the order explanations list them."""


@attrs.frozen(kw_only=True)
class Rule:
    """A competence or intake rule.

    Empty ``procedures``, ``fields``, ``provinces``, ``units`` or ``channels`` mean "any".

    Attributes:
        id: a short stable identifier, unique in its rule set.
        procedures: the procedure ids it covers.
        fields: the fields (sectors) it covers, when ``procedures`` is empty.
        provinces: the provinces it applies in (codes in force on its dates: the new codes from
            2025-07-01, the old ones before).
        units: the communes it applies in (codes in force on its dates).
        channels: the channels it applies to.
        valid_from: the first day.
        valid_to: the last day, or ``None``.
        competent: who decides.
        intake: where dossiers may be received.
        receivers: where, in words.
        returns_at: where results are returned, in words.
        steps: the inter-agency steps (``None``: not said; ``()``: none).
        time_limit: a time limit replacing the catalogue's.
        policy: a deadline policy replacing the catalogue's.
        legal_basis: why (at least one source).
        confidence: how sure the rule is.
        note: anything a reader should know.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    procedures: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    fields: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    provinces: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    units: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    channels: frozenset[Channel] = attrs.field(default=frozenset(), converter=_channel_set)
    valid_from: dt.date
    valid_to: dt.date | None = None
    competent: Competence | None = None
    intake: IntakeScope | None = None
    receivers: str | None = None
    returns_at: str | None = None
    steps: tuple[StepSpec, ...] | None = None
    time_limit: Duration | None = None
    policy: DeadlinePolicy | None = None
    legal_basis: tuple[LegalSource, ...] = attrs.field(converter=_source_tuple)
    confidence: Confidence = Confidence.UNCONFIRMED
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = f"rule {self.id!r} ends ({self.valid_to}) before it starts ({self.valid_from})"
            raise InvalidInputError(msg, field="valid_to", value=self.valid_to)
        if not self.aspects:
            msg = f"rule {self.id!r} decides nothing; give at least one of {', '.join(ASPECTS)}"
            raise InvalidInputError(msg, field="competent", value=None)
        if not self.legal_basis:
            msg = f"rule {self.id!r} needs its legal basis (at least one source)"
            raise InvalidInputError(msg, field="legal_basis", value=())
        if self.procedures and self.fields:
            msg = f"rule {self.id!r} names both procedures and fields; give one"
            raise InvalidInputError(msg, field="fields", value=self.fields)
        if self.receivers is not None and self.intake is None:
            msg = f"rule {self.id!r} gives receivers without an intake scope"
            raise InvalidInputError(msg, field="receivers", value=self.receivers)
        levels = [self.competent.level] if self.competent else []
        levels += [s.competence.level for s in self.steps or ()]
        if Level.DISTRICT in levels and (self.valid_to is None or self.valid_to >= REFORM_DATE):
            msg = (
                f"rule {self.id!r} names the district level, abolished on {REFORM_DATE}; "
                f"end it by {REFORM_DATE - _DAY}"
            )
            raise InvalidInputError(msg, field="valid_to", value=self.valid_to)
        if (self.provinces or self.units) and self.valid_from < REFORM_DATE <= (
            self.valid_to or dt.date.max
        ):
            msg = (
                f"rule {self.id!r} names provinces or communes but spans the reform of "
                f"{REFORM_DATE}, when codes changed; split it at {REFORM_DATE}"
            )
            raise InvalidInputError(msg, field="valid_from", value=self.valid_from)

    @property
    def aspects(self) -> tuple[str, ...]:
        """The aspects this rule decides."""
        return tuple(a for a in ASPECTS if getattr(self, a) is not None)

    @property
    def specificity(self) -> tuple[int, int, int]:
        """How specific the rule is: (place, procedure, channel); higher wins."""
        place = 2 if self.units else 1 if self.provinces else 0
        proc = 2 if self.procedures else 1 if self.fields else 0
        return (place, proc, 1 if self.channels else 0)

    @property
    def pre_reform(self) -> bool:
        """Whether the rule lies wholly before the reform of 2025-07-01."""
        return self.valid_to is not None and self.valid_to < REFORM_DATE

    def value_of(self, aspect: str) -> object:
        """What the rule says about ``aspect`` (``intake`` includes ``receivers``)."""
        if aspect == "intake":
            return (self.intake, self.receivers)
        return getattr(self, aspect)

    def applies_on(self, on: dt.date) -> bool:
        """Whether the rule is in force on ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @property
    def period(self) -> str:
        """The validity period as text."""
        return f"{self.valid_from}..{self.valid_to or ''}"


_DAY: Final = dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Validation report


@attrs.frozen(kw_only=True)
class Coverage:
    """A period in which a procedure version has no competence rule.

    Attributes:
        procedure: the procedure id.
        version: its version.
        start: the first uncovered day.
        end: the last uncovered day, or ``None`` (open-ended).
    """

    procedure: str
    version: int
    start: dt.date
    end: dt.date | None

    def __str__(self) -> str:
        return (
            f"{self.procedure} v{self.version}: no competence rule for "
            f"{self.start}..{self.end or ''}"
        )


@attrs.frozen(kw_only=True)
class ValidationReport:
    """What :meth:`RuleSet.validate` found: gaps in coverage and other warnings.

    Attributes:
        uncovered: periods in which a catalogue procedure has no competence rule.
        warnings: other things worth a look (e.g. step shares longer than the time limit).
    """

    uncovered: tuple[Coverage, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether nothing was found."""
        return not self.uncovered and not self.warnings

    def __str__(self) -> str:
        if self.ok:
            return "every procedure version has a competence rule; no warnings"
        lines = [f"uncovered: {gap}" for gap in self.uncovered]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The rule set


@attrs.frozen(kw_only=True)
class _Subject:
    code: str
    name: str
    is_province: bool
    legacy: bool
    province_code: str
    province_name: str
    district_code: str | None
    district_name: str | None
    key: str  # the index key of the province: "01", or "old:01" before the reform
    notes: tuple[str, ...]


class _Plan:
    """What the matching rules decide, for one bucket, date epoch, channel (and commune)."""

    __slots__ = (
        "competent",
        "explanation",
        "intake",
        "policy",
        "receivers",
        "returns_at",
        "steps",
        "time_limit",
    )

    def __init__(self, candidates: Sequence[Rule]) -> None:
        decided: dict[str, Rule] = {}
        explanation = []
        for rule in candidates:
            mine = tuple(a for a in rule.aspects if a not in decided)
            for aspect in rule.aspects:
                if aspect in mine:
                    decided[aspect] = rule
                elif decided[aspect].specificity == rule.specificity:
                    mine += (aspect,)  # equally specific and agreeing (else a conflict)
            chosen = tuple(a for a in ASPECTS if a in mine)
            explanation.append(MatchedRule(rule=rule, decided=chosen))
        self.explanation = tuple(explanation)
        none: Rule | _NoRule = _NO_RULE
        self.competent = decided.get("competent", none).competent
        self.intake = decided.get("intake", none).intake
        self.receivers = decided.get("intake", none).receivers
        self.returns_at = decided.get("returns_at", none).returns_at
        self.steps = decided.get("steps", none).steps
        self.time_limit = decided.get("time_limit", none).time_limit
        self.policy = decided.get("policy", none).policy


class _Bucket:
    """The rules that may apply to one procedure in one province, most specific first."""

    __slots__ = ("breaks", "by_unit", "plans", "rules")

    def __init__(self, rules: Sequence[Rule], versions: Sequence[Procedure] = ()) -> None:
        self.rules = tuple(sorted(rules, key=_order))
        dated: list[Rule | Procedure] = [*self.rules, *versions]
        edges = {r.valid_from for r in dated}
        edges |= {r.valid_to + _DAY for r in dated if r.valid_to and r.valid_to < _MAX_DAY}
        self.breaks = sorted(edges)
        self.by_unit = any(r.units for r in self.rules)
        self.plans: dict[tuple[int, Channel, str | None], _Plan] = {}

    def plan(self, on: dt.date, channel: Channel, code: str) -> _Plan:
        epoch = bisect.bisect_right(self.breaks, on)
        key = (epoch, channel, code if self.by_unit else None)
        plan = self.plans.get(key)
        if plan is None:
            matched = [
                r
                for r in self.rules
                if r.valid_from <= on
                and (r.valid_to is None or on <= r.valid_to)
                and (not r.channels or channel in r.channels)
                and (not r.units or code in r.units)
            ]
            plan = _Plan(matched)
            self.plans[key] = plan
        return plan


_MAX_DAY: Final = dt.date.max


class _NoRule:
    """Stands in for "no rule decided this aspect"."""

    competent: Competence | None = None
    intake: IntakeScope | None = None
    receivers: str | None = None
    returns_at: str | None = None
    steps: tuple[StepSpec, ...] | None = None
    time_limit: Duration | None = None
    policy: DeadlinePolicy | None = None


_NO_RULE: Final = _NoRule()


class RuleSet:
    """Competence and intake rules, validated against a catalogue and a unit registry.

    Build one with :meth:`bundled`, :meth:`load` or the constructor. A rule set is immutable;
    :meth:`resolve` is an index lookup plus a short scan of the few rules for one procedure in
    one province.
    """

    def __init__(
        self,
        rules: Iterable[Rule],
        *,
        catalogue: Catalogue | None = None,
        units: UnitRegistry | None = None,
        path: str = "<data>",
    ) -> None:
        """Build and validate a rule set.

        Args:
            rules: the rules.
            catalogue: the procedures the rules name (default: the bundled catalogue).
            units: the units the rules name (default: the bundled registry).
            path: where the rules came from, for error messages.

        Raises:
            DataFileError: a rule names an unknown procedure, field, province or commune, or
                two rules share an id.
            RuleConflictError: two equally specific rules overlap and disagree.
        """
        self.catalogue = catalogue if catalogue is not None else Catalogue.bundled()
        self.units = units if units is not None else UnitRegistry.bundled()
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._path = path
        self._lock = threading.Lock()
        self._subjects: dict[tuple[str, bool], _Subject] = {}
        self._authorities: dict[tuple[int, str, bool], Authority] = {}
        self._decisions: dict[tuple[int, str], Decision] = {}
        self._merged: dict[tuple[str, str], _Bucket] = {}
        self._buckets: dict[tuple[str, str | None], list[Rule]] = {}
        self._procedures_of: dict[str, tuple[str, ...]] = {}
        self._check_and_index()

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def bundled(cls) -> RuleSet:
        """The rules shipped with govtier (``govtier/data/rules.toml``), read once and cached."""
        cached = _BUNDLED.get("rules")
        if cached is None:
            with _BUNDLED_LOCK:
                cached = _BUNDLED.get("rules")
                if cached is None:
                    data = tomllib.loads(read_bundled("rules.toml"))
                    path = "govtier/data/rules.toml"
                    cached = cls(rules_from_data(data, path=path), path=path)
                    _BUNDLED["rules"] = cached
        return cached

    @classmethod
    def load(
        cls,
        paths: str | Path | Iterable[str | Path],
        *,
        catalogue: Catalogue | None = None,
        units: UnitRegistry | None = None,
        base: RuleSet | None = None,
    ) -> RuleSet:
        """Read rules from one or more TOML or JSON files and validate them.

        Args:
            paths: a file or several.
            catalogue: the procedures the rules name (default: ``base``'s, else the bundled one).
            units: the unit registry (default: ``base``'s, else the bundled one).
            base: rules to build on (e.g. :meth:`bundled`): the files' rules are added to them,
                and overlaps with them are checked too.

        Raises:
            DataFileError: a file is missing, too large or malformed, or a rule names something
                unknown; the message names the file, the rule and the field. Nothing is loaded.
            RuleConflictError: two equally specific rules overlap and disagree.
        """
        files = [paths] if isinstance(paths, str | Path) else list(paths)
        if not files:
            raise DataFileError("no rule files given")
        rules: list[Rule] = list(base.rules) if base is not None else []
        for file in files:
            rules.extend(rules_from_data(read_data_file(file), path=str(file)))
        return cls(
            rules,
            catalogue=catalogue or (base.catalogue if base else None),
            units=units or (base.units if base else None),
            path=", ".join(str(f) for f in files),
        )

    def _error(self, rule: Rule, problem: str, field: str) -> DataFileError:
        return DataFileError(problem, path=self._path, entry=rule.id, field=field)

    def _check_and_index(self) -> None:
        seen: set[str] = set()
        fields = set(self.catalogue.fields())
        for rule in self.rules:
            if rule.id in seen:
                raise self._error(rule, "the id is used by another rule", "id")
            seen.add(rule.id)
            unknown = sorted(p for p in rule.procedures if p not in self.catalogue)
            if unknown:
                raise self._error(
                    rule,
                    f"unknown procedure(s) {shown_names(unknown)} (not in the catalogue)",
                    "procedures",
                )
            bad_fields = sorted(rule.fields - fields)
            if bad_fields:
                raise self._error(
                    rule,
                    f"unknown field(s) {shown_names(bad_fields)}; the catalogue has "
                    f"{', '.join(sorted(fields))}",
                    "fields",
                )
            self._check_places(rule)
            for pid in self._pids(rule):
                for key in self._keys(rule):
                    self._buckets.setdefault((pid, key), []).append(rule)
        for (pid, key), bucket in self._buckets.items():
            bucket.sort(key=_order)
            self._check_conflicts(pid, key, bucket)

    def _pids(self, rule: Rule) -> tuple[str, ...]:
        if rule.procedures:
            return tuple(sorted(rule.procedures))
        if rule.fields:
            return tuple(p for p in self.catalogue.ids if self._field(p) in rule.fields)
        return self.catalogue.ids

    def _field(self, pid: str) -> str:
        return self.catalogue.versions(pid)[0].field

    def _keys(self, rule: Rule) -> tuple[str | None, ...]:
        prefix = "old:" if rule.pre_reform else ""
        if rule.units:
            provinces = {self._unit_province(rule, code) for code in rule.units}
            return tuple(sorted(prefix + p for p in provinces))
        if rule.provinces:
            return tuple(sorted(prefix + p for p in rule.provinces))
        return (None,)

    def _unit_province(self, rule: Rule, code: str) -> str:
        try:
            if rule.pre_reform:
                return self.units.legacy(code).province_code
            unit = self.units.get(code)
        except GovtierError as exc:
            raise self._error(rule, str(exc), "units") from None
        if unit.province_code is None:
            raise self._error(rule, f"{code!r} is a province; list it under provinces", "units")
        return unit.province_code

    def _check_places(self, rule: Rule) -> None:
        for code in sorted(rule.provinces):
            try:
                if rule.pre_reform:
                    self.units.legacy_province_name(code)
                elif not self.units.get(code).is_province:
                    raise self._error(rule, f"{code!r} is not a province", "provinces")
            except DataFileError:
                raise
            except GovtierError as exc:
                raise self._error(rule, str(exc), "provinces") from None
        for code in sorted(rule.units):
            self._unit_province(rule, code)

    def _check_conflicts(self, pid: str, key: str | None, bucket: Sequence[Rule]) -> None:
        for i, first in enumerate(bucket):
            for second in bucket[i + 1 :]:
                if first.specificity != second.specificity or not _overlap(first, second):
                    continue
                for aspect in ASPECTS:
                    a, b = first.value_of(aspect), second.value_of(aspect)
                    if a in (None, (None, None)) or b in (None, (None, None)) or a == b:
                        continue
                    where = f" in province {key}" if key else ""
                    msg = (
                        f"{self._path}: rules {first.id!r} and {second.id!r} are equally specific, "
                        f"overlap for {pid}{where} ({_overlap_text(first, second)}) and "
                        f"disagree on {aspect}: {_value_text(a)} vs {_value_text(b)}. Narrow "
                        "one of them, or make one more specific."
                    )
                    raise RuleConflictError(msg)

    # -- questions ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.rules)

    def get(self, rule_id: str) -> Rule:
        """The rule with this id.

        Raises:
            LookupError: no rule has it (a :class:`KeyError`).
        """
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rules_for(self, procedure: str) -> tuple[Rule, ...]:
        """Every rule that names a procedure (directly, by field, or by covering all), any place.

        What a province's administrator reviews before changing a procedure's rules:

        >>> rules = RuleSet.bundled()
        >>> found = rules.rules_for("land.first-certificate")
        >>> len(found) > 1
        True
        >>> all("land.first-certificate" in r.procedures or not r.procedures for r in found)
        True
        """
        found = {
            r.id: r
            for (pid, _), bucket in self._buckets.items()
            if pid == procedure
            for r in bucket
        }
        return tuple(sorted(found.values(), key=_order))

    def resolve(
        self,
        procedure: Procedure | str,
        unit: str,
        on: dt.date,
        channel: Channel = Channel.IN_PERSON,
    ) -> Assignment:
        """Who receives, decides and returns ``procedure`` for ``unit`` on ``on``.

        Args:
            procedure: a procedure version, or an id or national code looked up in the catalogue
                on ``on``.
            unit: a commune code (in force on ``on``; before 2025-07-01 the pre-reform code), a
                province code, or, after 2025-07-01, a pre-reform commune code, followed to the
                commune that took it over.
            on: the date.
            channel: how the dossier is submitted.

        Raises:
            UnknownProcedureError: no procedure version applies on ``on``.
            UnknownUnitError: no unit has the code on ``on``.
            AmbiguousUnitError: an old code was split between several new communes.
            NoCompetentAuthorityError: no rule says who is competent for this procedure, unit and
                date (the message names all three).
            InvalidInputError: ``on`` is not a date, or the procedure is not offered through
                ``channel``.
        """
        if on.__class__ is not dt.date and (
            isinstance(on, dt.datetime) or not isinstance(on, dt.date)
        ):
            msg = f"on must be a datetime.date; got {on!r}"
            raise InvalidInputError(msg, field="on", value=on)
        if procedure.__class__ is Procedure or isinstance(procedure, Procedure):
            proc: Procedure = procedure
            if on < proc.valid_from or (proc.valid_to is not None and on > proc.valid_to):
                msg = f"{proc.id} v{proc.version} ({proc.period}) does not apply on {on}"
                raise InvalidInputError(msg, field="procedure", value=proc)
        else:
            proc = self.catalogue.get(procedure, on)
        if channel not in proc.channels:
            offered = ", ".join(sorted(c.value for c in proc.channels))
            msg = (
                f"{proc.id} v{proc.version} is not offered {channel.value.replace('_', ' ')} "
                f"(channels: {offered})"
            )
            raise InvalidInputError(msg, field="channel", value=channel)
        subject = self._subjects.get((unit, on < REFORM_DATE))
        if subject is None:
            subject = self._subject(unit, on)
        bucket = self._merged.get((proc.id, subject.key))
        if bucket is None:
            bucket = self._bucket(proc.id, subject.key)
        plan = bucket.plan(on, channel, subject.code)
        decision = self._decisions.get((id(plan), subject.code))
        if decision is None or decision.procedure is not proc or decision.notes != subject.notes:
            # (notes depend on the code given: an old code followed to this unit says so)
            decision = self._decide(plan, proc, subject, on, channel)
        return Assignment(unit_code=unit, on=on, decision=decision)

    def _decide(
        self, plan: _Plan, proc: Procedure, subject: _Subject, on: dt.date, channel: Channel
    ) -> Decision:
        if plan.competent is None:
            where = f"{subject.name} ({subject.code})"
            matched = ", ".join(m.rule.id for m in plan.explanation) or "none"
            msg = (
                f"no competence rule for {proc.id} ({proc.name}) at {where} on {on}"
                f" ({channel.value}); rules matched: {matched}"
            )
            raise NoCompetentAuthorityError(msg)
        competent = self._authority(plan.competent, subject, proc, on)
        intake = plan.intake
        if intake is None:
            intake = IntakeScope.COMPETENT_AGENCY
            receivers = f"the one-stop unit of {competent.agency} (no intake rule matched)"
        else:
            receivers = plan.receivers or intake.vietnamese
        steps = tuple(
            Step(
                name=spec.name,
                authority=self._authority(spec.competence, subject, proc, on),
                share=spec.share,
            )
            for spec in plan.steps or ()
        )
        decision = Decision(
            procedure=proc,
            subject_code=subject.code,
            subject_name=subject.name,
            channel=channel,
            intake=intake,
            receivers=receivers,
            competent=competent,
            returns_at=plan.returns_at or "where the dossier was received",
            steps=steps,
            time_limit=plan.time_limit or proc.time_limit,
            policy=plan.policy or proc.policy,
            explanation=plan.explanation,
            notes=subject.notes,
        )
        if len(self._decisions) >= MAX_CACHED_DECISIONS:
            self._decisions.clear()
        self._decisions[(id(plan), subject.code)] = decision
        return decision

    def _bucket(self, pid: str, key: str) -> _Bucket:
        with self._lock:
            bucket = self._merged.get((pid, key))
            if bucket is None:
                rules = [*self._buckets.get((pid, key), ()), *self._buckets.get((pid, None), ())]
                versions = self.catalogue.versions(pid) if pid in self.catalogue else ()
                bucket = _Bucket(rules, versions)
                self._merged[(pid, key)] = bucket
        return bucket

    def _subject(self, code: str, on: dt.date) -> _Subject:
        legacy = on < REFORM_DATE
        subject = self._subjects.get((code, legacy))
        if subject is None:
            subject = self._make_subject(code, on, legacy=legacy)
            self._subjects[(code, legacy)] = subject
        return subject

    def _make_subject(self, code: str, on: dt.date, *, legacy: bool) -> _Subject:
        units = self.units
        if not isinstance(code, str):  # callers without type checking
            msg = f"unit must be a unit code string like '00004' or '01'; got {code!r}"  # type: ignore[unreachable]
            raise InvalidInputError(msg, field="unit", value=code)
        if legacy:
            if len(code) == 2:
                name = units.legacy_province_name(code)
                return _Subject(
                    code=code,
                    name=name,
                    is_province=True,
                    legacy=True,
                    province_code=code,
                    province_name=name,
                    district_code=None,
                    district_name=None,
                    key=f"old:{code}",
                    notes=(),
                )
            old = units.unit_at(code, on)
            assert isinstance(old, LegacyUnit)  # noqa: S101  (unit_at before the reform)
            return _legacy_subject(old, notes=())
        if code in units:
            return _new_subject(units, units.get(code), notes=())
        try:
            successions = units.successors(code)
        except UnknownUnitError:
            units.get(code)  # raises the ordinary "no unit with code" error
            raise
        old_unit = units.legacy(code)
        new = sorted({s.new.code: s.new for s in successions}.values(), key=lambda u: u.code)
        if not new:
            msg = (
                f"{old_unit.name} ({code}), a pre-reform code, has no successor in the "
                f"conversion table; give a commune code in force on {on}"
            )
            raise NoCompetentAuthorityError(msg)
        if len(new) > 1:
            names = ", ".join(f"{u.name} ({u.code})" for u in new)
            msg = (
                f"{old_unit.name} ({code}), a pre-reform code, was split on {REFORM_DATE} between "
                f"{names}; give the code of the one that applies"
            )
            raise AmbiguousUnitError(msg, code=code, candidates=tuple(u.code for u in new))
        unit = new[0]
        note = Message(
            "{code} is a pre-reform code ({old_unit}); followed to {unit} ({unit_code}), "
            "which took it over on {date}",
            code=code,
            old_unit=str(old_unit),
            unit=unit.name,
            unit_code=unit.code,
            date=format_date(REFORM_DATE, "en"),
        )
        return _new_subject(units, unit, notes=(note,))

    def _authority(
        self, competence: Competence, subject: _Subject, proc: Procedure, on: dt.date
    ) -> Authority:
        key = (id(competence), subject.code, subject.legacy)
        found = self._authorities.get(key)
        if found is not None:
            return found
        level = competence.level
        if level is Level.COMMUNE:
            if subject.is_province:
                msg = (
                    f"{proc.id} is decided at commune level: give a commune code, not the "
                    f"province {subject.name} ({subject.code}) (on {on})"
                )
                raise NoCompetentAuthorityError(msg)
            code, name = subject.code, subject.name
        elif level is Level.DISTRICT:
            if subject.district_code is None or subject.district_name is None:
                msg = (
                    f"{proc.id} was decided at district level on {on}: give a pre-reform "
                    f"commune code, not {subject.name} ({subject.code})"
                )
                raise NoCompetentAuthorityError(msg)
            code, name = subject.district_code, subject.district_name
        else:
            code, name = subject.province_code, subject.province_name
        found = Authority(
            level=level,
            unit_code=code,
            unit_name=name,
            role=competence.role,
            agency=competence.name_in(name),
        )
        self._authorities[key] = found
        return found

    # -- validation --------------------------------------------------------------------------

    def validate(
        self, catalogue: Catalogue | None = None, *, until: dt.date | None = None
    ) -> ValidationReport:
        """Check the rules against a catalogue and report gaps (never raises for them).

        Every procedure version should have a competence rule (somewhere) on every day it
        applies; the days without one are reported, as are steps longer than the time limit.

        Args:
            catalogue: the catalogue to check (default: the rule set's own).
            until: ignore days after this one (e.g. the end of the planning horizon).
        """
        catalogue = catalogue or self.catalogue
        uncovered: list[Coverage] = []
        warnings: list[str] = []
        for proc in catalogue.procedures:
            end = proc.valid_to
            if until is not None and (end is None or end > until):
                end = until
            if end is not None and end < proc.valid_from:
                continue
            periods = sorted(
                (
                    (r.valid_from, r.valid_to)
                    for r in self.rules
                    if r.competent is not None and self._names(r, proc, catalogue)
                ),
                key=lambda period: (period[0], period[1] or dt.date.max),  # None: open-ended
            )
            uncovered.extend(_gaps(proc, proc.valid_from, end, periods))
        for rule in self.rules:
            warnings.extend(_step_warnings(rule, catalogue))
        return ValidationReport(uncovered=tuple(uncovered), warnings=tuple(warnings))

    @staticmethod
    def _names(rule: Rule, proc: Procedure, catalogue: Catalogue) -> bool:
        del catalogue
        if rule.procedures:
            return proc.id in rule.procedures
        if rule.fields:
            return proc.field in rule.fields
        return True


_BUNDLED_LOCK: Final = threading.Lock()
_BUNDLED: dict[str, RuleSet] = {}


def _order(rule: Rule) -> tuple[int, int, int, str]:
    place, proc, channel = rule.specificity
    return (-place, -proc, -channel, rule.id)


def _overlap(a: Rule, b: Rule) -> bool:
    if a.valid_from > (b.valid_to or dt.date.max) or b.valid_from > (a.valid_to or dt.date.max):
        return False
    if a.channels and b.channels and not (a.channels & b.channels):
        return False
    return not (a.units and b.units and not (a.units & b.units))


def _overlap_text(a: Rule, b: Rule) -> str:
    start = max(a.valid_from, b.valid_from)
    ends = [d for d in (a.valid_to, b.valid_to) if d is not None]
    text = f"{start}..{min(ends) if ends else ''}"
    if a.channels or b.channels:
        both = (a.channels or b.channels) & (b.channels or a.channels)
        text += ", " + ", ".join(sorted(c.value for c in both))
    return text


def _value_text(value: object) -> str:
    if isinstance(value, Competence):
        return f"{value.level.value}/{value.role.value}"
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], IntakeScope):
        return value[0].value
    if isinstance(value, tuple):
        return "(" + "; ".join(_value_text(v) for v in value) + ")"
    if isinstance(value, StepSpec):
        return f"{value.name} {value.share}"
    return str(value)


def _province_at(registry: UnitRegistry, code: str, on: dt.date) -> tuple[str, str]:
    """The province (code, name) a unit code belongs to on ``on`` (old codes before the reform)."""
    if on < REFORM_DATE:
        if len(code) == 2:
            return code, registry.legacy_province_name(code)
        old = registry.legacy(code)
        return old.province_code, old.province_name
    province = registry.province_of(code)
    return province.code, province.name


def _unit_name_at(registry: UnitRegistry, code: str, on: dt.date) -> str:
    if on < REFORM_DATE:
        if len(code) == 2:
            return registry.legacy_province_name(code)
        return registry.legacy(code).name
    return registry.get(code).name


def _legacy_subject(old: LegacyUnit, *, notes: tuple[str, ...]) -> _Subject:
    return _Subject(
        code=old.code,
        name=old.name,
        is_province=False,
        legacy=True,
        province_code=old.province_code,
        province_name=old.province_name,
        district_code=old.district_code,
        district_name=old.district_name,
        key=f"old:{old.province_code}",
        notes=notes,
    )


def _new_subject(units: UnitRegistry, unit: Unit, *, notes: tuple[str, ...]) -> _Subject:
    province = units.province_of(unit.code)
    return _Subject(
        code=unit.code,
        name=unit.name,
        is_province=unit.is_province,
        legacy=False,
        province_code=province.code,
        province_name=province.name,
        district_code=None,
        district_name=None,
        key=province.code,
        notes=notes,
    )


def _gaps(
    proc: Procedure,
    start: dt.date,
    end: dt.date | None,
    periods: Sequence[tuple[dt.date, dt.date | None]],
) -> list[Coverage]:
    gaps: list[Coverage] = []
    cursor: dt.date | None = start
    for first, last in periods:
        if cursor is None:
            break
        if end is not None and cursor > end:
            cursor = None
            break
        if first > cursor:
            gap_end = first - _DAY
            if end is not None and gap_end > end:
                gap_end = end
            gaps.append(
                Coverage(procedure=proc.id, version=proc.version, start=cursor, end=gap_end)
            )
        if last is None or last >= dt.date.max:  # open-ended, or to the last representable day
            cursor = None
        elif last + _DAY > cursor:
            cursor = last + _DAY
    if cursor is not None and (end is None or cursor <= end):
        gaps.append(Coverage(procedure=proc.id, version=proc.version, start=cursor, end=end))
    return gaps


def _step_warnings(rule: Rule, catalogue: Catalogue) -> list[str]:
    if not rule.steps:
        return []
    units = {s.share.unit for s in rule.steps}
    if len(units) != 1:
        return [f"rule {rule.id!r}: steps mix units of time; their sum cannot be checked"]
    unit = units.pop()
    if unit not in (
        DurationUnit.WORKING_DAYS,
        DurationUnit.WORKING_HOURS,
        DurationUnit.CALENDAR_DAYS,
    ):
        return []
    total = sum(s.share.amount for s in rule.steps)
    found = []
    for pid in sorted(rule.procedures) or catalogue.ids:
        for proc in catalogue.versions(pid):
            if rule.fields and proc.field not in rule.fields:
                continue
            if not (proc.valid_from <= (rule.valid_to or dt.date.max)) or not (
                rule.valid_from <= (proc.valid_to or dt.date.max)
            ):
                continue
            limit = rule.time_limit or proc.time_limit
            if limit.unit is unit and total > limit.amount:
                found.append(
                    f"rule {rule.id!r}: its steps take {total} {unit.value} in all, more than "
                    f"the {limit} of {proc.id} v{proc.version}"
                )
    return found


# --------------------------------------------------------------------------------------------
# Files


_RULE_KEYS: Final = frozenset(
    {
        "id",
        "procedures",
        "fields",
        "provinces",
        "units",
        "channels",
        "valid_from",
        "valid_to",
        "competent",
        "intake",
        "receivers",
        "returns_at",
        "steps",
        "time_limit",
        "policy",
        "legal_basis",
        "confidence",
        "note",
    }
)
_COMPETENCE_KEYS: Final = frozenset({"level", "role", "agency"})
_STEP_KEYS: Final = _COMPETENCE_KEYS | {"name", "share"}


def rules_from_data(data: object, *, path: str = "<data>") -> tuple[Rule, ...]:
    """Build rules from parsed data: ``{"rule": [ {...}, ... ]}``.

    Raises:
        DataFileError: the data is malformed; the message names the file, the rule and the field.
    """
    if not isinstance(data, dict) or not isinstance(data.get("rule"), list):
        raise DataFileError("expected a top-level 'rule' list ([[rule]] tables in TOML)", path=path)
    extra = sorted(set(data) - {"rule", "about"})
    if extra:
        raise DataFileError(
            f"unknown top-level key(s) {shown_names(extra)}; allowed: rule, about",
            path=path,
            field=extra[0],
        )
    rules = []
    seen: set[str] = set()
    for index, entry in enumerate(data["rule"]):
        rule = _rule(EntryReader(entry, path=path, index=index, allowed=_RULE_KEYS, kind="rule"))
        if rule.id in seen:
            raise DataFileError(
                "the id is used by another rule", path=path, entry=index, field="id"
            )
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _competence(reader: EntryReader, raw: object, field: str, allowed: frozenset[str]) -> Any:
    sub = reader.sub(raw, field, allowed, field)
    level = sub.enum("level", Level)
    role = sub.enum("role", AgencyRole)
    try:
        competence = Competence(level=level, role=role, agency=sub.text("agency"))
    except InvalidInputError as exc:
        raise sub.error(str(exc), exc.field) from None
    return sub, competence


def _rule(reader: EntryReader) -> Rule:
    competent = None
    if reader.has("competent"):
        _, competent = _competence(reader, reader.data["competent"], "competent", _COMPETENCE_KEYS)
    steps = None
    if "steps" in reader.data:
        built = []
        for i, raw in enumerate(reader.items("steps")):
            sub, competence = _competence(reader, raw, f"steps[{i}]", _STEP_KEYS)
            share = sub.duration("share", required=True)
            assert share is not None  # noqa: S101  (required=True)
            built.append(
                StepSpec(name=sub.required_text("name"), competence=competence, share=share)
            )
        steps = tuple(built)
    legal = reader.items("legal_basis")
    if not legal:
        raise reader.error("is required: at least one {document, article} source", "legal_basis")
    channels = reader.strings("channels")
    for key in ("procedures", "fields", "provinces", "units"):
        reader.strings(key)
    try:
        return Rule(
            id=reader.required_text("id"),
            procedures=reader.strings("procedures"),
            fields=reader.strings("fields"),
            provinces=reader.strings("provinces"),
            units=reader.strings("units"),
            channels=frozenset(reader.enum("channels", Channel, c) for c in channels),
            valid_from=reader.required_date("valid_from"),
            valid_to=reader.date("valid_to"),
            competent=competent,
            intake=reader.enum("intake", IntakeScope) if reader.has("intake") else None,
            receivers=reader.text("receivers"),
            returns_at=reader.text("returns_at"),
            steps=steps,
            time_limit=reader.duration("time_limit"),
            policy=policy_from(reader),
            legal_basis=tuple(
                legal_source(reader, raw, f"legal_basis[{i}]") for i, raw in enumerate(legal)
            ),
            confidence=reader.confidence(default=Confidence.UNCONFIRMED),
            note=reader.text("note"),
        )
    except InvalidInputError as exc:
        raise reader.error(str(exc), exc.field) from None


def describe_rule(rule: Rule) -> Mapping[str, str]:
    """A rule's main facts as strings (for tables in docs and reports)."""
    return {
        "id": rule.id,
        "covers": ", ".join(sorted(rule.procedures or rule.fields)) or "every procedure",
        "where": ", ".join(sorted(rule.units or rule.provinces)) or "everywhere",
        "period": rule.period,
        "decides": ", ".join(rule.aspects),
        "confidence": rule.confidence.mark,
        "basis": "; ".join(str(s) for s in rule.legal_basis),
    }

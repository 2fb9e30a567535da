"""The procedure catalogue: administrative procedures (TTHC) as immutable, effective-dated values.

A :class:`Procedure` is one *version* of a procedure: its time limit and conditional extensions,
fees, dossier components, results, channels and legal bases, valid from one date to another. Each
fact carries its source and how sure it is (:class:`FactNote`); an uncertain fact is marked as such,
never presented as certain. A :class:`Catalogue` holds every version of every procedure, answers
"which version applied on this date?", and refuses versions that leave a gap or overlap: publishing
a new version closes the previous one (:meth:`Catalogue.publish`).

>>> import datetime as dt
>>> from govtier.catalogue import Catalogue
>>> cat = Catalogue.bundled()
>>> old = cat.get("judicial-record.certificate", on=dt.date(2026, 6, 30))
>>> new = cat.get("judicial-record.certificate", on=dt.date(2026, 7, 1))
>>> str(old.time_limit), str(new.time_limit)
('10 ngày', '5 ngày làm việc')
>>> [p.id for p in cat.search("đăng ký khai sinh")][:2]
['civil-status.birth', 'civil-status.birth-paternity']
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import itertools
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from govtier._data import MAX_DATA_FILE_BYTES, read_bundled, read_data_file
from govtier._entries import EntryReader
from govtier._guard import shown, shown_names
from govtier._text import fold
from govtier.deadlines import (
    ClockRules,
    Counting,
    DeadlinePolicy,
    DueMoment,
    Duration,
    DurationUnit,
    OutsideHours,
    WaitRule,
)
from govtier.errors import DataFileError, InvalidInputError, UnknownProcedureError
from govtier.i18n import resolve_language, tr, tr_data
from govtier.legal import Confidence, LegalSource
from govtier.units import Level

__all__ = [
    "CLOCK_FACTS",
    "MAX_CATALOGUE_FILE_BYTES",
    "REQUIRED_FACTS",
    "Catalogue",
    "Change",
    "Channel",
    "Component",
    "ComponentKind",
    "Extension",
    "FactNote",
    "Fee",
    "GroupMember",
    "MarkProblem",
    "OnlineService",
    "Procedure",
    "ProcedureGroup",
    "check_marks",
    "load_catalogue",
]

MAX_CATALOGUE_FILE_BYTES: Final = MAX_DATA_FILE_BYTES
"""The largest catalogue or rules file govtier reads (bytes)."""

CLOCK_FACTS: Final = (
    "clock.counting_start",
    "clock.on_supplement",
    "clock.max_supplement_requests",
    "clock.max_extensions",
    "clock.on_payment",
    "clock.transfer_time",
)
"""The clock-rule settings, each marked as a fact of its own (``facts`` entries of these names):
when the limit starts counting, what a supplement does and how many may be asked, how many
apologies with a new date are allowed, what a payment request does, and whether the transfer
between the receiving point and the competent authority counts."""

REQUIRED_FACTS: Final = (
    "code",
    "time_limit",
    "competence",
    "fees",
    "components",
    "channels",
    *CLOCK_FACTS,
)
"""The facts every procedure version of the bundled catalogue marks (see :func:`check_marks`)."""


class Channel(enum.Enum):
    """How a dossier is submitted (Decree 118/2025: in person, by public post, online)."""

    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"

    @property
    def vietnamese(self) -> str:
        """The Vietnamese name, e.g. ``"trực tiếp"``."""
        return _CHANNEL_VI[self]


_CHANNEL_VI: Final = {
    Channel.IN_PERSON: "trực tiếp",
    Channel.POST: "qua dịch vụ bưu chính công ích",
    Channel.ONLINE: "trực tuyến",
}


class OnlineService(enum.Enum):
    """How much of a procedure can be done online."""

    FULL = "full"
    """Toàn trình: the whole procedure, result included, online."""
    PARTIAL = "partial"
    """Một phần: filed online, but some step (e.g. presenting originals, collecting) in person."""

    @property
    def vietnamese(self) -> str:
        """The Vietnamese name: ``"toàn trình"`` or ``"một phần"``."""
        return "toàn trình" if self is OnlineService.FULL else "một phần"


class ComponentKind(enum.Enum):
    """In which form a dossier component is supplied."""

    ORIGINAL = "original"
    """Bản chính: the original is handed in."""
    COPY = "copy"
    """Bản sao: a plain copy."""
    CERTIFIED_COPY = "certified_copy"
    """Bản sao có chứng thực, or a copy from the master register."""
    SHOWN = "shown"
    """Xuất trình: the original is shown and handed back."""

    @property
    def vietnamese(self) -> str:
        """The Vietnamese name, e.g. ``"bản chính"``."""
        return _COMPONENT_VI[self]


_COMPONENT_VI: Final = {
    ComponentKind.ORIGINAL: "bản chính",
    ComponentKind.COPY: "bản sao",
    ComponentKind.CERTIFIED_COPY: "bản sao có chứng thực",
    ComponentKind.SHOWN: "xuất trình bản chính",
}


def _opt_confidence(value: object) -> Confidence:
    return value if isinstance(value, Confidence) else Confidence.parse(str(value))


@attrs.frozen(kw_only=True)
class FactNote:
    """How sure one fact of a procedure is, and where it comes from.

    Attributes:
        fact: which fact: ``"time_limit"``, ``"competence"``, ``"fees"``, ``"components"``,
            ``"channels"``, ``"extensions"``, ``"policy"``, ``"valid_from"``, ...
        confidence: ``[C]``, ``[P]`` or ``[U]``.
        note: what was seen and what is open.
        source: the source of this fact, if it is not the procedure's main legal basis.
    """

    fact: str = attrs.field(validator=attrs.validators.min_len(1))
    confidence: Confidence = attrs.field(converter=_opt_confidence)
    note: str | None = None
    source: LegalSource | None = None

    def __str__(self) -> str:
        text = f"{self.fact} {self.confidence.mark}"
        if self.note:
            text += f": {self.note}"
        if self.source is not None:
            text += f" ({self.source})"
        return text


@attrs.frozen(kw_only=True)
class Extension:
    """A conditional addition to a procedure's time limit.

    >>> e = Extension(duration=Duration.working_days(2), condition="bulk or complex requests")
    >>> str(e)
    '+2 ngày làm việc nếu bulk or complex requests [U]'
    >>> e.text("en")
    '+2 working days if bulk or complex requests [U]'

    Attributes:
        duration: how much time is added.
        condition: when it applies, in words.
        by_agreement: the limit may be extended further by written agreement with the applicant.
        source: the legal basis of the extension.
        confidence: how sure the extension is.
    """

    duration: Duration
    condition: str = attrs.field(validator=attrs.validators.min_len(1))
    by_agreement: bool = False
    source: LegalSource | None = None
    confidence: Confidence = Confidence.UNCONFIRMED

    def text(self, lang: str | None = None) -> str:
        """The extension in words, in ``lang`` (default: see :mod:`govtier.i18n`)."""
        code = resolve_language(lang)
        text = tr(
            "+{limit} if {condition}",
            code,
            limit=self.duration.text(code),
            condition=tr_data(self.condition, code),
        )
        if self.by_agreement:
            text += tr(" (longer by written agreement)", code)
        return f"{text} {self.confidence.mark}"

    def __str__(self) -> str:
        return self.text()


def _non_negative_int(_inst: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{attribute.name} must be a non-negative integer; got {shown(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=value)


def _positive_int(_inst: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{attribute.name} must be a positive integer; got {shown(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=value)


@attrs.frozen(kw_only=True)
class Fee:
    """A fee or charge (phí, lệ phí) in whole đồng; ``amount=0`` records a free case.

    >>> str(Fee(name="lệ phí", amount=0, condition="registered on time"))
    'lệ phí: free if registered on time [U]'

    Attributes:
        name: what is charged.
        amount: the amount in đồng (VND), an integer; 0 when free.
        per: what the amount is per (``"page"``, ``"signature"``, ``"request"``), if not per
            dossier.
        condition: when this amount applies.
        source: the legal basis.
        confidence: how sure the amount is.
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    amount: int = attrs.field(validator=_non_negative_int)
    per: str | None = None
    condition: str | None = None
    source: LegalSource | None = None
    confidence: Confidence = Confidence.UNCONFIRMED

    @property
    def free(self) -> bool:
        """Whether this case costs nothing."""
        return self.amount == 0

    def __str__(self) -> str:
        price = "free" if self.free else f"{self.amount:,} đồng".replace(",", ".")
        if self.per and not self.free:
            price += f" per {self.per}"
        text = f"{self.name}: {price}"
        if self.condition:
            text += f" if {self.condition}"
        return f"{text} {self.confidence.mark}"


@attrs.frozen(kw_only=True)
class Component:
    """One document of a dossier (thành phần hồ sơ).

    Attributes:
        name: the document, in Vietnamese as published.
        kind: original, copy, certified copy, or shown.
        count: how many.
        required: whether every dossier needs it (otherwise see ``condition``).
        condition: when it is needed, for conditional components.
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    kind: ComponentKind = ComponentKind.ORIGINAL
    count: int = attrs.field(default=1, validator=_positive_int)
    required: bool = True
    condition: str | None = None


def _date_or_none(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
        msg = f"{attribute.name} must be a datetime.date or None; got {shown(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=value)


def _a_date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        msg = f"{attribute.name} is required"
        raise InvalidInputError(msg, field=attribute.name, value=value)
    _date_or_none(_inst, attribute, value)


def _levels(value: Iterable[Level]) -> frozenset[Level]:
    return frozenset(value)


def _channels(value: Iterable[Channel]) -> frozenset[Channel]:
    return frozenset(value)


def _extensions(value: Iterable[Extension]) -> tuple[Extension, ...]:
    return tuple(value)


def _fees(value: Iterable[Fee]) -> tuple[Fee, ...]:
    return tuple(value)


def _components(value: Iterable[Component]) -> tuple[Component, ...]:
    return tuple(value)


def _strs(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _sources(value: Iterable[LegalSource]) -> tuple[LegalSource, ...]:
    return tuple(value)


def _facts(value: Iterable[FactNote]) -> tuple[FactNote, ...]:
    return tuple(value)


def _procedure_tuple(value: Iterable[Procedure]) -> tuple[Procedure, ...]:
    return tuple(value)


def _group_tuple(value: Iterable[ProcedureGroup]) -> tuple[ProcedureGroup, ...]:
    return tuple(sorted(value, key=lambda g: (g.id, g.valid_from)))


@attrs.frozen(kw_only=True)
class Procedure:
    """One version of an administrative procedure.

    Attributes:
        id: govtier's stable identifier, ``"<field>.<name>"``, e.g. ``"civil-status.birth"``.
        code: the national procedure code (``MaTTHC``, e.g. ``"1.000948.H38"``), or ``None``
            when it is not known. Codes are never guessed.
        name: the Vietnamese name as published.
        name_en: an English name.
        field: the sector (lĩnh vực), e.g. ``"civil-status"``.
        levels: the levels of government competent for it in this version.
        time_limit: the statutory time limit (thời hạn giải quyết).
        extensions: conditional additions to the time limit.
        policy: how the time limit is applied to a receipt moment.
        clock: what supplement and payment requests do to the clock.
        fees: fees and free cases.
        components: the documents of a dossier.
        results: what the applicant receives.
        channels: how a dossier may be submitted.
        online: how much can be done online, when ``Channel.ONLINE`` is offered.
        legal_bases: the texts the procedure rests on.
        valid_from: the first day this version applies.
        valid_to: the last day this version applies, or ``None`` while it is current.
        version: 1 for the first version, then 2, 3, ...
        facts: how sure each fact is; see :meth:`confidence_of`.
        note: anything a reader should know.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    code: str | None = None
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    name_en: str = ""
    field: str = attrs.field(validator=attrs.validators.min_len(1))
    levels: frozenset[Level] = attrs.field(converter=_levels)
    time_limit: Duration
    extensions: tuple[Extension, ...] = attrs.field(default=(), converter=_extensions)
    policy: DeadlinePolicy = attrs.field(factory=DeadlinePolicy)
    clock: ClockRules = attrs.field(factory=ClockRules)
    fees: tuple[Fee, ...] = attrs.field(default=(), converter=_fees)
    components: tuple[Component, ...] = attrs.field(default=(), converter=_components)
    results: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    channels: frozenset[Channel] = attrs.field(
        default=frozenset({Channel.IN_PERSON}), converter=_channels
    )
    online: OnlineService | None = None
    legal_bases: tuple[LegalSource, ...] = attrs.field(default=(), converter=_sources)
    valid_from: dt.date = attrs.field(validator=_a_date)
    valid_to: dt.date | None = attrs.field(default=None, validator=_date_or_none)
    version: int = attrs.field(default=1, validator=_positive_int)
    facts: tuple[FactNote, ...] = attrs.field(default=(), converter=_facts)
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.levels:
            msg = f"procedure {self.id!r} must name at least one competent level"
            raise InvalidInputError(msg, field="levels", value=self.levels)
        if not self.channels:
            msg = f"procedure {self.id!r} must offer at least one channel"
            raise InvalidInputError(msg, field="channels", value=self.channels)
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = (
                f"procedure {self.id!r} version {self.version} ends ({self.valid_to}) before "
                f"it starts ({self.valid_from})"
            )
            raise InvalidInputError(msg, field="valid_to", value=self.valid_to)
        if self.online is not None and Channel.ONLINE not in self.channels:
            msg = f"procedure {self.id!r} says online={self.online.value} but has no online channel"
            raise InvalidInputError(msg, field="online", value=self.online)
        names = [f.fact for f in self.facts]
        if len(names) != len(set(names)):
            dup = next(n for n in names if names.count(n) > 1)
            msg = f"procedure {self.id!r} marks the fact {dup!r} twice"
            raise InvalidInputError(msg, field="facts", value=dup)

    def applies_on(self, on: dt.date) -> bool:
        """Whether this version applies on ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def confidence_of(self, fact: str) -> Confidence:
        """How sure ``fact`` is; a fact with no mark counts as unconfirmed.

        >>> import datetime as dt
        >>> p = Catalogue.bundled().get("business-household.registration", on=dt.date(2026, 1, 5))
        >>> p.confidence_of("time_limit").mark, p.confidence_of("no such fact").mark
        ('[C]', '[U]')
        """
        for note in self.facts:
            if note.fact == fact:
                return note.confidence
        return Confidence.UNCONFIRMED

    def fact(self, fact: str) -> FactNote | None:
        """The note on ``fact``, or ``None`` when it has none."""
        return next((note for note in self.facts if note.fact == fact), None)

    @property
    def period(self) -> str:
        """The validity period as text, e.g. ``"2025-07-01.."``."""
        end = self.valid_to.isoformat() if self.valid_to else ""
        return f"{self.valid_from.isoformat()}..{end}"

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.id} v{self.version}{code} {self.name} ({self.period})"


# --------------------------------------------------------------------------------------------
# Interconnected procedure groups (liên thông)


def _members(value: Iterable[GroupMember]) -> tuple[GroupMember, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class GroupMember:
    """One procedure of an interconnected group, and the step its agency takes.

    Attributes:
        name: the member procedure's name as published.
        procedure: the catalogue id of the member, or ``None`` when the catalogue does not hold
            it (e.g. the health-insurance card, handled by the social-insurance agency).
        code: the member's national procedure code, or ``None`` when not known.
        agency: who takes this step, in words (e.g. ``"Công an cấp xã"``).
        level: the level of government of that agency, when it has one.
        share: the step's sub-deadline within the group's time limit, when known.
        optional: whether the applicant may leave this member out of the group dossier.
        facts: how sure each fact of the member is (``code``, ``share``, ``agency``).
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    procedure: str | None = None
    code: str | None = None
    agency: str = attrs.field(validator=attrs.validators.min_len(1))
    level: Level | None = None
    share: Duration | None = None
    optional: bool = False
    facts: tuple[FactNote, ...] = attrs.field(default=(), converter=_facts)

    def confidence_of(self, fact: str) -> Confidence:
        """How sure ``fact`` of this member is; unmarked facts count as unconfirmed."""
        return next((n.confidence for n in self.facts if n.fact == fact), Confidence.UNCONFIRMED)

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        share = f" ({self.share})" if self.share is not None else ""
        return f"{self.name}{code}: {self.agency}{share}"


@attrs.frozen(kw_only=True)
class ProcedureGroup:
    """An interconnected procedure group (nhóm thủ tục hành chính liên thông).

    One dossier spans several agencies: each member procedure is one agency's step, with its own
    sub-deadline, and the group has a combined time limit.

    Attributes:
        id: govtier's stable identifier, e.g. ``"group.birth"``.
        code: the group's national procedure code, or ``None`` when not known or when sources
            disagree (both are then recorded in the ``code`` fact).
        name: the Vietnamese name as published.
        name_en: an English name.
        members: the member procedures in the order their steps run.
        time_limit: the combined time limit, or ``None`` when it is not known.
        channels: how the group dossier may be submitted.
        legal_bases: the texts that organise the group.
        valid_from: the first day this version applies.
        valid_to: the last day, or ``None``.
        facts: how sure each fact of the group is.
        note: anything a reader should know.
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    code: str | None = None
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    name_en: str = ""
    members: tuple[GroupMember, ...] = attrs.field(converter=_members)
    time_limit: Duration | None = None
    channels: frozenset[Channel] = attrs.field(
        default=frozenset({Channel.ONLINE}), converter=_channels
    )
    legal_bases: tuple[LegalSource, ...] = attrs.field(default=(), converter=_sources)
    valid_from: dt.date = attrs.field(validator=_a_date)
    valid_to: dt.date | None = attrs.field(default=None, validator=_date_or_none)
    facts: tuple[FactNote, ...] = attrs.field(default=(), converter=_facts)
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        if len(self.members) < 2:
            msg = f"group {self.id!r} needs at least two member procedures"
            raise InvalidInputError(msg, field="members", value=len(self.members))
        if self.valid_to is not None and self.valid_to < self.valid_from:
            msg = f"group {self.id!r} ends ({self.valid_to}) before it starts ({self.valid_from})"
            raise InvalidInputError(msg, field="valid_to", value=self.valid_to)
        names = [f.fact for f in self.facts]
        if len(names) != len(set(names)):
            dup = next(n for n in names if names.count(n) > 1)
            msg = f"group {self.id!r} marks the fact {dup!r} twice"
            raise InvalidInputError(msg, field="facts", value=dup)

    def applies_on(self, on: dt.date) -> bool:
        """Whether this version applies on ``on``."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @property
    def period(self) -> str:
        """The validity period as text."""
        return (
            f"{self.valid_from.isoformat()}..{self.valid_to.isoformat() if self.valid_to else ''}"
        )

    def confidence_of(self, fact: str) -> Confidence:
        """How sure ``fact`` of the group is; unmarked facts count as unconfirmed."""
        return next((n.confidence for n in self.facts if n.fact == fact), Confidence.UNCONFIRMED)

    def fact(self, fact: str) -> FactNote | None:
        """The note on ``fact``, or ``None``."""
        return next((n for n in self.facts if n.fact == fact), None)

    def shares_total(self) -> Duration | None:
        """The sum of the required members' sub-deadlines, when all are known and in one unit."""
        shares = [m.share for m in self.members if not m.optional]
        known = [s for s in shares if s is not None]
        if not known or len(known) != len(shares) or len({s.unit for s in known}) != 1:
            return None
        if known[0].unit not in _ADDABLE:
            return None
        return Duration(unit=known[0].unit, amount=sum(s.amount for s in known))

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        return f"{self.id}{code} {self.name} ({self.period})"


_ADDABLE: Final = frozenset(
    {DurationUnit.WORKING_DAYS, DurationUnit.WORKING_HOURS, DurationUnit.CALENDAR_DAYS}
)


# --------------------------------------------------------------------------------------------
# One mark per fact


@attrs.frozen(kw_only=True)
class MarkProblem:
    """A fact whose mark is missing or claims more than its source.

    Attributes:
        entry: the procedure version or group, e.g. ``"civil-status.birth v2"``.
        fact: the fact concerned.
        problem: what is wrong.
    """

    entry: str
    fact: str
    problem: str

    def __str__(self) -> str:
        return f"{self.entry}, fact {self.fact!r}: {self.problem}"


def _note_problems(entry: str, notes: Iterable[FactNote]) -> list[MarkProblem]:
    return [
        MarkProblem(
            entry=entry,
            fact=n.fact,
            problem="marked [C] without a source of its own (give document and url/article)",
        )
        for n in notes
        if n.confidence is Confidence.CONFIRMED and n.source is None
    ]


def check_marks(
    catalogue: Catalogue, *, required: Sequence[str] = REQUIRED_FACTS
) -> tuple[MarkProblem, ...]:
    """Every fact without its own mark, and every ``[C]`` mark without its own source.

    A procedure version must mark each fact in ``required``; a fact, fee or extension marked
    ``[C]`` must name the source that states it; a procedure without a national code must say
    why in the note of its ``code`` fact. Groups must mark their ``code`` and ``time_limit``.

    >>> check_marks(Catalogue.bundled())
    ()
    """
    found: list[MarkProblem] = []
    for proc in catalogue.procedures:
        entry = f"{proc.id} v{proc.version}"
        names = {f.fact for f in proc.facts}
        found.extend(
            MarkProblem(entry=entry, fact=name, problem="has no mark")
            for name in required
            if name not in names
        )
        found.extend(_note_problems(entry, proc.facts))
        code_note = proc.fact("code")
        if proc.code is None and code_note is not None and not code_note.note:
            found.append(
                MarkProblem(entry=entry, fact="code", problem="no code and no note saying why")
            )
        for fee in proc.fees:
            if fee.confidence is Confidence.CONFIRMED and fee.source is None:
                found.append(MarkProblem(entry=entry, fact="fees", problem=f"{fee} has no source"))
        for ext in proc.extensions:
            if ext.confidence is Confidence.CONFIRMED and ext.source is None:
                found.append(
                    MarkProblem(entry=entry, fact="extensions", problem=f"{ext} has no source")
                )
    for group in catalogue.groups:
        entry = f"{group.id} {group.period}"
        names = {f.fact for f in group.facts}
        found.extend(
            MarkProblem(entry=entry, fact=name, problem="has no mark")
            for name in ("code", "time_limit", "legal_bases")
            if name not in names
        )
        found.extend(_note_problems(entry, group.facts))
        for member in group.members:
            found.extend(_note_problems(f"{entry} member {member.name}", member.facts))
    return tuple(found)


# --------------------------------------------------------------------------------------------
# Diff


@attrs.frozen(kw_only=True)
class Change:
    """One field that differs between two procedure versions.

    Attributes:
        field: the attribute name.
        before: its value in the first version.
        after: its value in the second.
    """

    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.field}: {_show(self.before)} -> {_show(self.after)}"


def _show(value: object) -> str:
    if isinstance(value, frozenset):
        return "{" + ", ".join(sorted(_show(v) for v in value)) + "}"
    if isinstance(value, tuple):
        return "(" + "; ".join(_show(v) for v in value) + ")"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if value is None:
        return "none"
    return str(value)


_DIFF_IGNORED: Final = frozenset({"version"})


def diff_procedures(a: Procedure, b: Procedure) -> tuple[Change, ...]:
    """The fields that differ between ``a`` and ``b`` (the version number is left out)."""
    changes: list[Change] = []
    for attribute in attrs.fields(Procedure):
        if attribute.name in _DIFF_IGNORED:
            continue
        before, after = getattr(a, attribute.name), getattr(b, attribute.name)
        if before != after:
            changes.append(Change(field=attribute.name, before=before, after=after))
    return tuple(changes)


# --------------------------------------------------------------------------------------------
# The catalogue


def _check_versions(versions: Sequence[Procedure], *, path: str = "<data>") -> None:
    """Raise DataFileError unless the versions of one procedure follow each other exactly."""
    for earlier, later in itertools.pairwise(versions):
        where: dict[str, Any] = {"path": path, "entry": f"{later.id} v{later.version}"}
        if later.version != earlier.version + 1:
            raise DataFileError(
                f"versions must be numbered consecutively; v{earlier.version} is followed by "
                f"v{later.version}",
                field="version",
                **where,
            )
        if earlier.valid_to is None:
            raise DataFileError(
                f"v{earlier.version} is still open (no valid_to) but v{later.version} starts "
                f"{later.valid_from}; close v{earlier.version} on "
                f"{later.valid_from - dt.timedelta(days=1)} (publishing a new version closes the "
                "previous one)",
                field="valid_from",
                **where,
            )
        expected = earlier.valid_to + dt.timedelta(days=1)
        if later.valid_from < expected:
            raise DataFileError(
                f"overlaps v{earlier.version} (valid to {earlier.valid_to}); it must start on "
                f"{expected}",
                field="valid_from",
                **where,
            )
        if later.valid_from > expected:
            raise DataFileError(
                f"leaves a gap after v{earlier.version} (valid to {earlier.valid_to}); it must "
                f"start on {expected}",
                field="valid_from",
                **where,
            )
        if later.field != earlier.field:
            raise DataFileError(
                f"changes the field from {earlier.field!r} to {later.field!r}; a procedure keeps "
                "its field (give it a new id instead)",
                field="field",
                **where,
            )


@attrs.frozen(kw_only=True)
class Catalogue:
    """Every version of every procedure, validated when built.

    Build one with :meth:`bundled`, :meth:`load` (TOML or JSON files) or :meth:`from_procedures`;
    add a version with :meth:`publish`. All return new catalogues; a catalogue never changes.

    Attributes:
        procedures: every version, ordered by id then version.
        groups: the interconnected procedure groups (liên thông), ordered by id then date.
    """

    procedures: tuple[Procedure, ...] = attrs.field(converter=_procedure_tuple)
    groups: tuple[ProcedureGroup, ...] = attrs.field(default=(), converter=_group_tuple)
    _by_id: Mapping[str, tuple[Procedure, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _by_code: Mapping[str, tuple[Procedure, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _folded: tuple[tuple[str, str], ...] = attrs.field(init=False, repr=False, eq=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_id: dict[str, list[Procedure]] = {}
        for item in self.procedures:
            proc: object = item
            if not isinstance(proc, Procedure):
                msg = f"a catalogue holds Procedure values; got {type(proc).__name__}"
                raise InvalidInputError(msg, field="procedures", value=proc)
            by_id.setdefault(proc.id, []).append(proc)
        ordered: dict[str, tuple[Procedure, ...]] = {}
        for pid in sorted(by_id):
            versions = sorted(by_id[pid], key=lambda p: p.version)
            numbers = [p.version for p in versions]
            if len(numbers) != len(set(numbers)):
                dup = next(n for n in numbers if numbers.count(n) > 1)
                raise DataFileError(f"version {dup} is given twice", entry=pid, field="version")
            _check_versions(versions)
            ordered[pid] = tuple(versions)
        by_code: dict[str, list[Procedure]] = {}
        for group in ordered.values():
            for proc in group:
                if proc.code:
                    by_code.setdefault(proc.code, []).append(proc)
        for code, procs in by_code.items():
            ids = sorted({p.id for p in procs})
            if len(ids) > 1:
                raise DataFileError(
                    f"the code {code!r} is used by {', '.join(ids)}", entry=ids[1], field="code"
                )
        object.__setattr__(self, "procedures", tuple(p for v in ordered.values() for p in v))
        object.__setattr__(self, "_by_id", ordered)
        object.__setattr__(self, "_by_code", {c: tuple(p) for c, p in by_code.items()})
        folded = tuple(
            (pid, " " + fold(" ".join(_search_text(p) for p in versions)))
            for pid, versions in ordered.items()
        )
        object.__setattr__(self, "_folded", folded)
        self._check_groups(by_code)

    def _check_groups(self, by_code: Mapping[str, Sequence[Procedure]]) -> None:
        for earlier, later in itertools.pairwise(self.groups):
            if earlier.id == later.id and (
                earlier.valid_to is None or earlier.valid_to >= later.valid_from
            ):
                raise DataFileError(
                    f"versions overlap ({earlier.period} and {later.period})",
                    entry=later.id,
                    field="valid_from",
                )
        for group in self.groups:
            if group.code and group.code in by_code:
                raise DataFileError(
                    f"the group code {group.code!r} is also the code of "
                    f"{by_code[group.code][0].id}",
                    entry=group.id,
                    field="code",
                )
            for member in group.members:
                if member.procedure is not None and member.procedure not in self._by_id:
                    raise DataFileError(
                        f"member {member.procedure!r} is not a procedure of the catalogue",
                        entry=group.id,
                        field="members",
                    )
            total = group.shares_total()
            limit = group.time_limit
            if (
                total is not None
                and limit is not None
                and total.unit is limit.unit
                and total.amount > limit.amount
            ):
                raise DataFileError(
                    f"the members' steps take {total} in all, more than the group's {limit}",
                    entry=group.id,
                    field="members",
                )

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_procedures(cls, procedures: Iterable[Procedure]) -> Catalogue:
        """A catalogue of the given versions.

        Raises:
            DataFileError: two versions of one procedure overlap, leave a gap, share a number,
                or two procedures share a national code.
        """
        return cls(procedures=tuple(procedures))

    @classmethod
    def bundled(cls) -> Catalogue:
        """The starter catalogue shipped with govtier (``govtier/data/catalogue.toml``).

        It holds the high-volume procedures of the domain notes, each fact with its source and
        confidence mark. Read on first use and cached.
        """
        cached = _BUNDLED.get("catalogue")
        if cached is None:
            with _LOCK:
                cached = _BUNDLED.get("catalogue")
                if cached is None:
                    data = tomllib.loads(read_bundled("catalogue.toml"))
                    path = "govtier/data/catalogue.toml"
                    cached = cls(
                        procedures=procedures_from_data(data, path=path),
                        groups=groups_from_data(data, path=path),
                    )
                    _BUNDLED["catalogue"] = cached
        return cached

    @classmethod
    def load(
        cls, paths: str | Path | Iterable[str | Path], *, base: Catalogue | None = None
    ) -> Catalogue:
        """Read a catalogue from one or more TOML or JSON files.

        Args:
            paths: a file or several; their procedures are combined.
            base: a catalogue to add the files' procedures to (e.g. :meth:`bundled`). A file may
                then add new procedures, or later versions of the base's procedures (give the
                base's last version a ``valid_to`` by publishing, or rely on
                ``publish = true`` in the entry, which closes it).

        Raises:
            DataFileError: a file is missing, too large, not TOML/JSON, or an entry is
                malformed; the message names the file, the entry and the field. Nothing is
                loaded when any file is bad.
        """
        files = [paths] if isinstance(paths, str | Path) else list(paths)
        if not files:
            raise DataFileError("no catalogue files given")
        procedures: list[Procedure] = []
        publish: list[Procedure] = []
        groups: list[ProcedureGroup] = list(base.groups) if base else []
        origin: dict[str, str] = {}
        for file in files:
            data = read_data_file(file)
            loaded, to_publish = _procedures_with_publish(data, path=str(file))
            groups.extend(groups_from_data(data, path=str(file)))
            procedures.extend(loaded)
            publish.extend(to_publish)
            for proc in (*loaded, *to_publish):
                origin[f"{proc.id} v{proc.version}"] = str(file)
                origin[proc.id] = str(file)
                origin[str(proc)] = str(file)
        try:
            catalogue = cls(
                procedures=(*(base.procedures if base else ()), *procedures), groups=groups
            )
            for proc in publish:
                catalogue = catalogue.publish(proc)
        except DataFileError as exc:
            raise DataFileError(
                exc.problem,
                path=origin.get(str(exc.entry), exc.path),
                entry=exc.entry,
                field=exc.field,
            ) from None
        except InvalidInputError as exc:
            raise DataFileError(str(exc), path=origin.get(str(proc), ""), field=exc.field) from None
        return catalogue

    def publish(self, procedure: Procedure) -> Catalogue:
        """A copy with ``procedure`` as the new current version of its id.

        The previous open version is closed the day before ``procedure.valid_from``; the new
        version is numbered one after it. A procedure with a new id is simply added.

        Raises:
            InvalidInputError: the new version does not start after the current one starts
                (publishing two versions on one day would end the old one before it began), or
                the current version already ends before the new one starts (a gap).
        """
        versions = self._by_id.get(procedure.id, ())
        if not versions:
            return Catalogue(
                procedures=(*self.procedures, attrs.evolve(procedure, version=1)),
                groups=self.groups,
            )
        current = versions[-1]
        if procedure.valid_from <= current.valid_from:
            msg = (
                f"a new version of {procedure.id!r} must start after v{current.version} starts "
                f"({current.valid_from}); got {procedure.valid_from}"
            )
            raise InvalidInputError(msg, field="valid_from", value=procedure.valid_from)
        if current.valid_to is not None and current.valid_to < procedure.valid_from - _DAY:
            msg = (
                f"v{current.version} of {procedure.id!r} already ends {current.valid_to}; a new "
                f"version starting {procedure.valid_from} would leave a gap"
            )
            raise InvalidInputError(msg, field="valid_from", value=procedure.valid_from)
        closed = attrs.evolve(current, valid_to=procedure.valid_from - _DAY)
        new = attrs.evolve(procedure, version=current.version + 1)
        rest = tuple(p for p in self.procedures if p is not current)
        return Catalogue(procedures=(*rest, closed, new), groups=self.groups)

    def merged(self, other: Catalogue) -> Catalogue:
        """A catalogue with the procedures and groups of both (validated as one)."""
        return Catalogue(
            procedures=(*self.procedures, *other.procedures),
            groups=(*self.groups, *other.groups),
        )

    # -- questions ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __contains__(self, id_or_code: object) -> bool:
        return id_or_code in self._by_id or id_or_code in self._by_code

    @property
    def ids(self) -> tuple[str, ...]:
        """Every procedure id, sorted."""
        return tuple(self._by_id)

    def get(self, id_or_code: str, on: dt.date) -> Procedure:
        """The version of a procedure that applies on ``on``.

        Args:
            id_or_code: a govtier id (``"civil-status.birth"``) or a national code.
            on: the date.

        Raises:
            UnknownProcedureError: no procedure has that id or code, or none of its versions
                applies on ``on`` (the message says which periods are covered).
            InvalidInputError: ``on`` is not a date.
        """
        if isinstance(on, dt.datetime) or not isinstance(on, dt.date):
            msg = f"on must be a datetime.date; got {on!r}"
            raise InvalidInputError(msg, field="on", value=on)
        versions = self._by_id.get(id_or_code) or self._by_code.get(id_or_code)
        if not versions:
            msg = f"no procedure with id or code {id_or_code!r} in the catalogue (as of {on})"
            raise UnknownProcedureError(msg + self._did_you_mean(id_or_code), code=str(id_or_code))
        for proc in reversed(versions):
            if proc.valid_from <= on and (proc.valid_to is None or on <= proc.valid_to):
                return proc
        periods = ", ".join(f"v{p.version} {p.period}" for p in versions)
        msg = (
            f"procedure {id_or_code!r} has no version in force on {on}; the catalogue covers "
            f"{periods}"
        )
        raise UnknownProcedureError(msg, code=str(id_or_code))

    def versions(self, id_or_code: str) -> tuple[Procedure, ...]:
        """Every version of a procedure, oldest first.

        Raises:
            UnknownProcedureError: no procedure has that id or code.
        """
        versions = self._by_id.get(id_or_code) or self._by_code.get(id_or_code)
        if not versions:
            msg = f"no procedure with id or code {id_or_code!r} in the catalogue"
            raise UnknownProcedureError(msg + self._did_you_mean(id_or_code), code=str(id_or_code))
        if id_or_code in self._by_code and id_or_code not in self._by_id:
            return self._by_id[versions[0].id]
        return versions

    def on(self, on: dt.date) -> tuple[Procedure, ...]:
        """The version of every procedure that applies on ``on``, ordered by id.

        Procedures with no version in force on ``on`` are left out.
        """
        found = []
        for versions in self._by_id.values():
            for proc in versions:
                if proc.applies_on(on):
                    found.append(proc)
                    break
        return tuple(found)

    def current(self) -> tuple[Procedure, ...]:
        """The latest version of every procedure, ordered by id."""
        return tuple(versions[-1] for versions in self._by_id.values())

    def group(self, id_or_code: str, on: dt.date) -> ProcedureGroup:
        """The version of an interconnected group that applies on ``on``.

        >>> import datetime as dt
        >>> g = Catalogue.bundled().group("group.birth", dt.date(2026, 12, 1))
        >>> [m.procedure for m in g.members][:2]
        ['civil-status.birth', 'residence.permanent']

        Raises:
            UnknownProcedureError: no group has that id or code on ``on``.
        """
        found = [g for g in self.groups if id_or_code in (g.id, g.code)]
        for group in found:
            if group.applies_on(on):
                return group
        known = ", ".join(sorted({g.id for g in self.groups})) or "none"
        msg = f"no interconnected group {id_or_code!r} in force on {on} (groups: {known})"
        raise UnknownProcedureError(msg, code=str(id_or_code))

    def groups_on(self, on: dt.date) -> tuple[ProcedureGroup, ...]:
        """The groups in force on ``on``."""
        return tuple(g for g in self.groups if g.applies_on(on))

    def groups_of(self, procedure: str, on: dt.date) -> tuple[ProcedureGroup, ...]:
        """The groups in force on ``on`` that include the procedure ``procedure`` (an id)."""
        return tuple(
            g for g in self.groups_on(on) if any(m.procedure == procedure for m in g.members)
        )

    def fields(self) -> tuple[str, ...]:
        """Every field (sector) in the catalogue, sorted."""
        return tuple(sorted({p.field for p in self.procedures}))

    def filter(
        self,
        *,
        field: str | None = None,
        level: Level | None = None,
        on: dt.date | None = None,
    ) -> tuple[Procedure, ...]:
        """Procedures by field and by competent level.

        Args:
            field: keep only this sector.
            level: keep only procedures this level is competent for.
            on: look at the versions in force on this date; by default the latest versions.
        """
        pool = self.on(on) if on is not None else self.current()
        return tuple(
            p
            for p in pool
            if (field is None or p.field == field) and (level is None or level in p.levels)
        )

    def search(self, text: str, *, on: dt.date | None = None) -> tuple[Procedure, ...]:
        """Procedures whose id, code, name, English name or field match every word of ``text``.

        Each word of ``text`` must begin a word of the procedure's texts (``"hon"`` finds
        ``"kết hôn"``; ``"on"`` does not). Matching ignores case and accents (``"dang ky ket
        hon"`` finds ``"Đăng ký kết hôn"``).

        Args:
            text: the words to look for.
            on: return the versions in force on this date (procedures not in force are left
                out); by default the latest versions.
        """
        words = fold(text).split()
        if not words:
            return ()
        hits = [
            pid
            for pid, blob in self._folded
            if all(f" {w}" in blob for w in words)  # each word starts a word of the blob
        ]
        found: list[Procedure] = []
        for pid in hits:
            versions = self._by_id[pid]
            if on is None:
                found.append(versions[-1])
                continue
            match = next((p for p in versions if p.applies_on(on)), None)
            if match is not None:
                found.append(match)
        return tuple(found)

    def diff(self, a: Procedure | str, b: Procedure | str) -> tuple[Change, ...]:
        """What changed between two procedure versions.

        ``a`` and ``b`` are procedures, or ``"id@N"`` strings naming version ``N`` of an id.

        >>> cat = Catalogue.bundled()
        >>> changes = cat.diff("judicial-record.certificate@1", "judicial-record.certificate@2")
        >>> for change in changes:
        ...     if change.field == "time_limit":
        ...         print(change)
        time_limit: 10 ngày -> 5 ngày làm việc

        Raises:
            UnknownProcedureError: an ``"id@N"`` names no version.
        """
        return diff_procedures(self._version(a), self._version(b))

    def _did_you_mean(self, given: object) -> str:
        """``"; did you mean 'x'?"`` for the ids and codes closest to ``given`` (difflib)."""
        if not isinstance(given, str) or not given.strip():
            return ""
        names = [*self._by_id, *self._by_code]
        close = difflib.get_close_matches(given.strip().lower(), names, n=3, cutoff=0.6)
        if not close:
            return ""
        return "; did you mean " + " or ".join(repr(c) for c in close) + "?"

    def _version(self, ref: Procedure | str) -> Procedure:
        if isinstance(ref, Procedure):
            return ref
        pid, _, number = ref.rpartition("@")
        if not pid or not number.isdigit():
            msg = f"name a version as 'id@N', e.g. 'civil-status.birth@1'; got {ref!r}"
            raise UnknownProcedureError(msg, code=ref)
        for proc in self.versions(pid):
            if proc.version == int(number):
                return proc
        msg = f"procedure {pid!r} has no version {number}"
        raise UnknownProcedureError(msg, code=ref)


_DAY: Final = dt.timedelta(days=1)
_LOCK: Final = threading.Lock()
_BUNDLED: dict[str, Catalogue] = {}


def _search_text(proc: Procedure) -> str:
    return " ".join(filter(None, (proc.id, proc.code, proc.name, proc.name_en, proc.field)))


# --------------------------------------------------------------------------------------------
# Files


def load_catalogue(paths: str | Path | Iterable[str | Path]) -> Catalogue:
    """Read a catalogue from TOML or JSON files; the same as :meth:`Catalogue.load`."""
    return Catalogue.load(paths)


_PROCEDURE_KEYS: Final = frozenset(
    {
        "id",
        "code",
        "name",
        "name_en",
        "field",
        "levels",
        "time_limit",
        "extensions",
        "policy",
        "clock",
        "fees",
        "components",
        "results",
        "channels",
        "online",
        "legal_bases",
        "valid_from",
        "valid_to",
        "version",
        "facts",
        "note",
        "publish",
    }
)


def procedures_from_data(data: object, *, path: str = "<data>") -> tuple[Procedure, ...]:
    """Build procedure versions from parsed data: ``{"procedure": [ {...}, ... ]}``.

    Raises:
        DataFileError: the data is malformed (the message names the entry and the field), or
            uses ``publish = true`` (only :meth:`Catalogue.load` can publish).
    """
    procedures, publish = _procedures_with_publish(data, path=path)
    if publish:
        raise DataFileError(
            "publish = true needs a base catalogue; use Catalogue.load(..., base=...)",
            path=path,
            entry=publish[0].id,
            field="publish",
        )
    return procedures


_TOP_KEYS: Final = frozenset({"procedure", "about", "defaults", "group"})


def _top(data: object, *, path: str) -> dict[str, Any]:
    if not isinstance(data, dict) or not isinstance(data.get("procedure", []), list):
        raise DataFileError(
            "expected a top-level 'procedure' list ([[procedure]] tables in TOML)", path=path
        )
    if "procedure" not in data and "group" not in data:
        raise DataFileError(
            "expected a top-level 'procedure' list ([[procedure]] tables in TOML)", path=path
        )
    extra = sorted(set(data) - _TOP_KEYS)
    if extra:
        raise DataFileError(
            f"unknown top-level key(s) {shown_names(extra)}; "
            f"allowed: {', '.join(sorted(_TOP_KEYS))}",
            path=path,
            field=extra[0],
        )
    return data


def _default_facts(data: dict[str, Any], *, path: str) -> tuple[dict[str, Any], ...]:
    """The ``[defaults] facts`` of a file: each procedure gets those it does not mark itself."""
    defaults = data.get("defaults")
    if defaults is None:
        return ()
    reader = EntryReader(
        defaults, path=path, index="defaults", allowed=frozenset({"facts"}), kind="defaults"
    )
    raw = reader.items("facts")
    for i, item in enumerate(raw):
        reader.sub(item, f"facts[{i}]", _FACT_KEYS, "fact")
    return tuple(raw)


def _procedures_with_publish(
    data: object, *, path: str
) -> tuple[tuple[Procedure, ...], tuple[Procedure, ...]]:
    top = _top(data, path=path)
    defaults = _default_facts(top, path=path)
    plain: list[Procedure] = []
    publish: list[Procedure] = []
    for index, entry in enumerate(top.get("procedure", [])):
        reader = EntryReader(
            entry, path=path, index=index, allowed=_PROCEDURE_KEYS, kind="procedure"
        )
        proc = _procedure(reader, defaults)
        (publish if reader.boolean("publish", default=False) else plain).append(proc)
    return tuple(plain), tuple(publish)


def groups_from_data(data: object, *, path: str = "<data>") -> tuple[ProcedureGroup, ...]:
    """Build interconnected groups from parsed data: ``{"group": [ {...}, ... ]}``.

    Raises:
        DataFileError: a group is malformed; the message names the file, the group and the field.
    """
    top = _top(data, path=path)
    raw = top.get("group", [])
    if not isinstance(raw, list):
        raise DataFileError("'group' must be a list ([[group]] tables in TOML)", path=path)
    return tuple(
        _group(EntryReader(entry, path=path, index=i, allowed=_GROUP_KEYS, kind="group"))
        for i, entry in enumerate(raw)
    )


_SOURCE_KEYS: Final = frozenset({"document", "article", "issued", "title", "url"})
_EXTENSION_KEYS: Final = _SOURCE_KEYS | {"duration", "condition", "by_agreement", "confidence"}
_FEE_KEYS: Final = _SOURCE_KEYS | {"name", "amount", "per", "condition", "confidence"}
_COMPONENT_KEYS: Final = frozenset({"name", "kind", "count", "required", "condition"})
_FACT_KEYS: Final = _SOURCE_KEYS | {"fact", "confidence", "note"}
_POLICY_KEYS: Final = _SOURCE_KEYS | {"counting", "due", "outside_hours"}
_MEMBER_KEYS: Final = frozenset(
    {"name", "procedure", "code", "agency", "level", "share", "optional", "facts"}
)
_GROUP_KEYS: Final = frozenset(
    {
        "id",
        "code",
        "name",
        "name_en",
        "members",
        "time_limit",
        "channels",
        "legal_bases",
        "valid_from",
        "valid_to",
        "facts",
        "note",
    }
)
_CLOCK_KEYS: Final = _SOURCE_KEYS | {
    "on_supplement",
    "on_payment",
    "max_extensions",
    "max_supplement_requests",
    "confidence",
}


def legal_source(reader: EntryReader, value: object, field: str) -> LegalSource:
    """A legal source from a ``{document, article, issued, title, url}`` table."""
    sub = reader.sub(value, field, _SOURCE_KEYS, "legal source")
    source = sub.source()
    if source is None:
        raise sub.error("is required", "document")
    return source


def policy_from(reader: EntryReader, key: str = "policy") -> DeadlinePolicy | None:
    """A deadline policy from a ``{counting, due, outside_hours}`` table, if the entry has one."""
    if not reader.has(key):
        return None
    sub = reader.sub(reader.data[key], key, _POLICY_KEYS, "policy")
    default = DeadlinePolicy()
    return DeadlinePolicy(
        counting=sub.enum("counting", Counting) if sub.has("counting") else default.counting,
        due=sub.enum("due", DueMoment) if sub.has("due") else default.due,
        outside_hours=(
            sub.enum("outside_hours", OutsideHours)
            if sub.has("outside_hours")
            else default.outside_hours
        ),
        source=sub.source(),
    )


def _fact_notes(
    reader: EntryReader, key: str, defaults: Sequence[dict[str, Any]] = ()
) -> list[FactNote]:
    facts = []
    raws = reader.items(key)
    own = {r["fact"] for r in raws if isinstance(r, dict) and isinstance(r.get("fact"), str)}
    inherited = [d for d in defaults if not (isinstance(d.get("fact"), str) and d["fact"] in own)]
    for i, raw in enumerate([*raws, *inherited]):
        sub = reader.sub(raw, f"{key}[{i}]", _FACT_KEYS, "fact")
        if not sub.has("confidence"):
            raise sub.error("is required (C, P or U)", "confidence")
        facts.append(
            FactNote(
                fact=sub.required_text("fact"),
                confidence=sub.confidence(default=Confidence.UNCONFIRMED),
                note=sub.text("note"),
                source=sub.source(),
            )
        )
    return facts


def _weakest(marks: Iterable[Confidence], default: Confidence) -> Confidence:
    found = set(marks)
    for level in (Confidence.UNCONFIRMED, Confidence.PARTIAL, Confidence.CONFIRMED):
        if level in found:
            return level
    return default


def _group(reader: EntryReader) -> ProcedureGroup:
    members = []
    for i, raw in enumerate(reader.items("members")):
        sub = reader.sub(raw, f"members[{i}]", _MEMBER_KEYS, "member")
        try:
            members.append(
                GroupMember(
                    name=sub.required_text("name"),
                    procedure=sub.text("procedure"),
                    code=sub.text("code"),
                    agency=sub.required_text("agency"),
                    level=sub.enum("level", Level) if sub.has("level") else None,
                    share=sub.duration("share"),
                    optional=sub.boolean("optional", default=False),
                    facts=tuple(_fact_notes(sub, "facts")),
                )
            )
        except InvalidInputError as exc:
            raise sub.error(str(exc), exc.field) from None
    channels = reader.strings("channels") or ("online",)
    try:
        return ProcedureGroup(
            id=reader.required_text("id"),
            code=reader.text("code"),
            name=reader.required_text("name"),
            name_en=reader.text("name_en") or "",
            members=tuple(members),
            time_limit=reader.duration("time_limit"),
            channels=frozenset(reader.enum("channels", Channel, v) for v in channels),
            legal_bases=tuple(
                legal_source(reader, raw, f"legal_bases[{i}]")
                for i, raw in enumerate(reader.items("legal_bases"))
            ),
            valid_from=reader.required_date("valid_from"),
            valid_to=reader.date("valid_to"),
            facts=tuple(_fact_notes(reader, "facts")),
            note=reader.text("note"),
        )
    except InvalidInputError as exc:
        raise reader.error(str(exc), exc.field) from None


def _procedure(reader: EntryReader, defaults: Sequence[dict[str, Any]] = ()) -> Procedure:
    extensions = []
    for i, raw in enumerate(reader.items("extensions")):
        sub = reader.sub(raw, f"extensions[{i}]", _EXTENSION_KEYS, "extension")
        duration = sub.duration("duration", required=True)
        assert duration is not None  # noqa: S101  (required=True)
        extensions.append(
            Extension(
                duration=duration,
                condition=sub.required_text("condition"),
                by_agreement=sub.boolean("by_agreement", default=False),
                source=sub.source(),
                confidence=sub.confidence(default=Confidence.UNCONFIRMED),
            )
        )
    fees = []
    for i, raw in enumerate(reader.items("fees")):
        sub = reader.sub(raw, f"fees[{i}]", _FEE_KEYS, "fee")
        amount = sub.data.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
            raise sub.error(
                f"must be a whole number of đồng (0 when free), got {amount!r}", "amount"
            )
        fees.append(
            Fee(
                name=sub.required_text("name"),
                amount=amount,
                per=sub.text("per"),
                condition=sub.text("condition"),
                source=sub.source(),
                confidence=sub.confidence(default=Confidence.UNCONFIRMED),
            )
        )
    components = []
    for i, raw in enumerate(reader.items("components")):
        sub = reader.sub(raw, f"components[{i}]", _COMPONENT_KEYS, "component")
        count = sub.integer("count", default=1)
        if count < 1:
            raise sub.error(f"must be at least 1, got {count}", "count")
        components.append(
            Component(
                name=sub.required_text("name"),
                kind=sub.enum("kind", ComponentKind) if sub.has("kind") else ComponentKind.ORIGINAL,
                count=count,
                required=sub.boolean("required", default=True),
                condition=sub.text("condition"),
            )
        )
    facts = _fact_notes(reader, "facts", defaults)
    clock_marks = [f.confidence for f in facts if f.fact in CLOCK_FACTS]
    levels = reader.strings("levels", required=True)
    channels = reader.strings("channels") or ("in_person",)
    legal_bases = tuple(
        legal_source(reader, raw, f"legal_bases[{i}]")
        for i, raw in enumerate(reader.items("legal_bases"))
    )
    clock = ClockRules()
    if reader.has("clock"):
        sub = reader.sub(reader.data["clock"], "clock", _CLOCK_KEYS, "clock")
        clock = ClockRules(
            on_supplement=(
                sub.enum("on_supplement", WaitRule)
                if sub.has("on_supplement")
                else clock.on_supplement
            ),
            on_payment=sub.enum("on_payment", WaitRule)
            if sub.has("on_payment")
            else clock.on_payment,
            max_extensions=sub.integer("max_extensions", default=clock.max_extensions),
            max_supplement_requests=sub.integer(
                "max_supplement_requests", default=clock.max_supplement_requests
            ),
            confidence=sub.confidence(default=_weakest(clock_marks, clock.confidence)),
            source=sub.source(),
        )
    elif clock_marks:
        clock = attrs.evolve(clock, confidence=_weakest(clock_marks, clock.confidence))
    time_limit = reader.duration("time_limit", required=True)
    assert time_limit is not None  # noqa: S101  (required=True)
    version = reader.integer("version", default=1)
    try:
        return Procedure(
            id=reader.required_text("id"),
            code=reader.text("code"),
            name=reader.required_text("name"),
            name_en=reader.text("name_en") or "",
            field=reader.required_text("field"),
            levels=frozenset(reader.enum("levels", Level, v) for v in levels),
            time_limit=time_limit,
            extensions=tuple(extensions),
            policy=policy_from(reader) or DeadlinePolicy(),
            clock=clock,
            fees=tuple(fees),
            components=tuple(components),
            results=reader.strings("results"),
            channels=frozenset(reader.enum("channels", Channel, v) for v in channels),
            online=reader.enum("online", OnlineService) if reader.has("online") else None,
            legal_bases=legal_bases,
            valid_from=reader.required_date("valid_from"),
            valid_to=reader.date("valid_to"),
            version=version,
            facts=tuple(facts),
            note=reader.text("note"),
        )
    except InvalidInputError as exc:
        raise reader.error(str(exc), exc.field) from None

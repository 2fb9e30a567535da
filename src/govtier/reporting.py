"""Reports over dossiers: on-time rates, backlog by age, overdue lists, Decision 766 indicators.

Every report takes any iterable of dossiers (or of light rows: :class:`ReportRow`, e.g. the
summaries a store returns) and makes **one pass** over it, keeping only counters keyed by group:
it never holds the dossiers, so a million dossiers streamed from a store need no more memory than
a hundred. Nothing reads the clock: the caller passes ``as_of``, the moment the report describes.
Events after ``as_of`` are ignored (the dossier is refolded as it stood then).

What is counted, per group (every dossier lands in exactly one of the last seven lines):

* ``total``: dossiers seen; ``received``: those whose clock started (portal status ≠ 1, 3);
* ``early`` / ``on_time`` / ``late``: decided dossiers, by :class:`~govtier.dossier.Timeliness`
  (the decision moment against the appointment in force then, as the portals compare
  ``NgayKetThucXuLy`` with ``NgayHenTra`` for statuses 9 and 10);
* ``within_time`` / ``due_today`` / ``overdue``: open dossiers whose clock runs, as of ``as_of``;
* ``paused``: open dossiers waiting on the applicant (supplement or payment);
* ``withdrawn``, ``stopped``, ``refused``;
* ``awaiting_intake``: filed but not yet received (portal status 1, or waiting for a supplement
  before receipt).

The on-time rate depends on a denominator nobody has published for Decision 766/QĐ-TTg; see
:class:`OnTimeBasis` and :data:`INDICATORS` for what is confirmed and what is not.
"""

from __future__ import annotations

import bisect
import datetime as dt
import enum
import heapq
import itertools
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Final, Protocol, TypeAlias

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier._data import read_bundled
from govtier.calendar import WorkingCalendar
from govtier.catalogue import Channel
from govtier.dossier import (
    CircularTransfer,
    ClockState,
    Dossier,
    ProvinceOf,
    Standing,
    Status,
    StepProgress,
    Timeliness,
    bundled_province_of,
    timeliness_of,
)
from govtier.errors import DataFileError, InvalidInputError
from govtier.i18n import N_, NC_, cite, format_date, resolve_language, tr, tr_data, trc
from govtier.legal import Confidence, LegalSource

__all__ = [
    "COUNTS",
    "DECISION_766",
    "GROUP_KEYS",
    "INDICATORS",
    "AgeBand",
    "ApologyCount",
    "Backlog",
    "CircularTransferRow",
    "DossierRow",
    "Figures",
    "Group",
    "Indicator",
    "OnTimeBasis",
    "OverdueDossier",
    "Report",
    "ReportRow",
    "backlog",
    "circular_transfers",
    "clock_state_of",
    "column_label",
    "indicator",
    "overdue",
    "report",
    "row_of",
]

# --------------------------------------------------------------------------------------------
# Rows


class ReportRow(Protocol):
    """What a report reads from each dossier (:class:`DossierRow`, a store's ``DossierSummary``).

    A row may also have ``field`` (the procedure's sector), ``late_step`` (the
    :class:`~govtier.dossier.StepProgress` that made it late) and ``filed_at`` (the first event);
    they are read when present.
    """

    @property
    def code(self) -> str:
        """The dossier code."""

    @property
    def status(self) -> Status:
        """The current status."""

    @property
    def procedure_id(self) -> str:
        """The catalogue's procedure id."""

    @property
    def receiving_unit(self) -> str:
        """The unit whose counter received it."""

    @property
    def subject_unit(self) -> str:
        """The unit the procedure concerns (the commune)."""

    @property
    def province(self) -> str | None:
        """The province code of the subject unit, when known."""

    @property
    def channel(self) -> Channel:
        """How it was submitted."""

    @property
    def received_at(self) -> dt.datetime | None:
        """When it was received (the clock's start)."""

    @property
    def appointment(self) -> dt.datetime | None:
        """The current appointment (``None`` while paused)."""

    @property
    def finished_at(self) -> dt.datetime | None:
        """When it was decided."""

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, once decided."""


@attrs.frozen(kw_only=True)
class DossierRow:
    """A dossier's reportable facts as of a moment, without its history or personal data.

    Make one with :func:`row_of`.

    Attributes:
        code: the dossier code.
        status: the status as of the moment.
        procedure_id: the catalogue's procedure id.
        field: the procedure's sector (lĩnh vực), when known.
        receiving_unit: the unit whose counter received it.
        subject_unit: the unit the procedure concerns (the commune).
        province: the province code of the subject unit, when known.
        channel: how it was submitted.
        filed_at: the first event (submission, receipt or refusal).
        received_at: when it was received (``None`` if it never was).
        appointment: the appointment in force (``None`` before receipt and while paused).
        finished_at: when it was decided, if it was.
        timeliness: early, on time or late, once decided.
        late_step: the first inter-agency step that missed its sub-deadline, if any.
        apologised_at: when the first apology with a new appointment was given, if one was.
    """

    code: str
    status: Status
    procedure_id: str
    field: str | None = None
    receiving_unit: str
    subject_unit: str
    province: str | None = None
    channel: Channel
    filed_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    timeliness: Timeliness | None = None
    late_step: StepProgress | None = None
    apologised_at: dt.datetime | None = None


FieldOf: TypeAlias = Callable[[str], "str | None"]
"""Gives the field (sector) of a procedure id."""


def _field_from_id(procedure_id: str) -> str | None:
    """The field: govtier's procedure ids are ``"<field>.<name>"`` (see ``Procedure.id``)."""
    head, dot, _ = procedure_id.partition(".")
    return head if dot and head else None


def row_of(
    dossier: Dossier,
    *,
    as_of: dt.datetime,
    field_of: FieldOf | None = None,
    province_of: ProvinceOf | None = None,
) -> DossierRow:
    """The report row of ``dossier`` as it stood at ``as_of``.

    Args:
        dossier: a dossier with at least one event.
        as_of: the moment described; later events are ignored.
        field_of: gives a procedure id's field; by default the part of the id before the first
            dot (govtier's ids are ``"<field>.<name>"``).
        province_of: gives a unit code's province code; by default the bundled unit registry.

    Raises:
        InvalidInputError: ``as_of`` is naive, the dossier is empty, or it was opened after
            ``as_of``.
    """
    return _row(dossier, check_aware(as_of, "as_of"), field_of, province_of)


def _row(
    dossier: Dossier,
    moment: dt.datetime,
    field_of: FieldOf | None,
    province_of: ProvinceOf | None,
) -> DossierRow:
    if not dossier.events:
        msg = "an empty dossier has no report row"
        raise InvalidInputError(msg, field="dossier", value=None)
    then = dossier.as_of(moment)
    if then is None:
        msg = (
            f"dossier {dossier.code} was opened at {dossier.events[0].at.isoformat()}, "
            f"after as_of {moment.isoformat()}"
        )
        raise InvalidInputError(msg, field="as_of", value=moment)
    standing = then.standing()
    header = then.header
    if header is None or standing is None:  # pragma: no cover  (events imply both)
        msg = "an empty dossier has no report row"
        raise InvalidInputError(msg, field="dossier", value=None)
    return _row_from(
        header.code,
        header.procedure_id,
        header.receiving_unit,
        header.subject_unit,
        (province_of or bundled_province_of)(header.subject_unit),
        header.channel,
        standing,
        field_of,
        then.late_step(moment) if then.clock.steps else None,
    )


def _row_from(
    code: str,
    procedure_id: str,
    receiving_unit: str,
    subject_unit: str,
    province: str | None,
    channel: Channel,
    standing: Standing,
    field_of: FieldOf | None,
    late_step: StepProgress | None,
) -> DossierRow:
    return DossierRow(
        code=code,
        status=standing.status,
        procedure_id=procedure_id,
        field=(field_of or _field_from_id)(procedure_id),
        receiving_unit=receiving_unit,
        subject_unit=subject_unit,
        province=province,
        channel=channel,
        filed_at=standing.filed_at,
        received_at=standing.received_at,
        appointment=standing.appointment,
        finished_at=standing.finished_at,
        timeliness=standing.timeliness,
        late_step=late_step,
        apologised_at=standing.apologised_at,
    )


def _standing(row: ReportRow) -> Standing:
    """The facts of a row that the clock and timeliness rules read."""
    if isinstance(row, DossierRow):
        filed, apologised = row.filed_at, row.apologised_at
    else:
        filed = getattr(row, "filed_at", None)
        apologised = getattr(row, "apologised_at", None)
    return Standing(
        status=row.status,
        filed_at=filed,
        received_at=row.received_at,
        appointment=row.appointment,
        finished_at=row.finished_at,
        apologised_at=apologised,
    )


def clock_state_of(row: ReportRow, as_of: dt.datetime) -> ClockState:
    """Where a row stands against its appointment at ``as_of`` (:meth:`Standing.clock_state`).

    Raises:
        InvalidInputError: ``as_of`` is naive.
    """
    return _standing(row).clock_state(as_of)


def _timeliness(row: ReportRow) -> Timeliness | None:
    found = row.timeliness
    if found is not None:
        return found
    return timeliness_of(row.finished_at, row.appointment)


# --------------------------------------------------------------------------------------------
# Grouping


UNKNOWN: Final = "-"
"""The group value shown when a row does not know it (e.g. a unit outside the registry)."""


def _local_date(row: ReportRow) -> dt.date | None:
    moment = row.received_at or getattr(row, "filed_at", None)
    return None if moment is None else moment.astimezone(VIETNAM_TZ).date()


def _period(fmt: Callable[[dt.date], str]) -> Callable[[ReportRow], str]:
    def key(row: ReportRow) -> str:
        day = _local_date(row)
        return UNKNOWN if day is None else fmt(day)

    return key


def _iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _or_unknown(value: str | None) -> str:
    return value or UNKNOWN


_KEYS: Final[Mapping[str, Callable[[ReportRow], str]]] = {
    "province": lambda r: _or_unknown(r.province),
    "commune": lambda r: r.subject_unit,
    "receiving_unit": lambda r: r.receiving_unit,
    "procedure": lambda r: r.procedure_id,
    "field": lambda r: _or_unknown(getattr(r, "field", None) or _field_from_id(r.procedure_id)),
    "channel": lambda r: r.channel.value,
    "status": lambda r: r.status.name.lower(),
    "day": _period(lambda d: d.isoformat()),
    "week": _period(_iso_week),
    "month": _period(lambda d: f"{d.year}-{d.month:02d}"),
    "quarter": _period(lambda d: f"{d.year}-Q{(d.month - 1) // 3 + 1}"),
    "year": _period(lambda d: str(d.year)),
}

GROUP_KEYS: Final[tuple[str, ...]] = tuple(_KEYS)
"""What a report can be grouped by. ``commune`` is the subject unit (the commune the procedure
concerns; with intake regardless of boundaries the counter may be elsewhere: ``receiving_unit``).
Periods (``day``, ``week`` as ISO ``2026-W11``, ``month``, ``quarter``, ``year``) are of receipt,
in Asia/Ho_Chi_Minh; a dossier never received counts in the period it was filed."""


def _key_function(
    group_by: str | Sequence[str],
) -> tuple[tuple[str, ...], Callable[[ReportRow], tuple[str, ...]]]:
    names = (group_by,) if isinstance(group_by, str) else tuple(group_by)
    unknown = [n for n in names if n not in _KEYS]
    if unknown or len(set(names)) != len(names):
        msg = (
            f"group_by takes distinct names among {', '.join(GROUP_KEYS)}; "
            f"got {', '.join(map(repr, names))}"
        )
        raise InvalidInputError(msg, field="group_by", value=names)
    getters = tuple(_KEYS[n] for n in names)

    def key(row: ReportRow) -> tuple[str, ...]:
        return tuple(get(row) for get in getters)

    return names, key


Item: TypeAlias = "Dossier | ReportRow"


def _rows(
    items: Iterable[Item],
    moment: dt.datetime,
    field_of: FieldOf | None,
    province_of: ProvinceOf | None,
) -> Iterator[ReportRow]:
    """Each item as it stood at ``moment``; items not yet opened then are left out.

    A dossier is refolded up to ``moment``; a row with a ``standing(as_of)`` method (a store's
    summary) is read as it stood then, by the same rule; any other row is taken as it is.
    """
    for item in items:
        if isinstance(item, Dossier):
            if not item.events or item.events[0].at > moment:
                continue  # not yet opened at as_of
            yield _row(item, moment, field_of, province_of)
            continue
        phases = getattr(item, "phases", None)
        if phases and field_of is None and phases[-1].at <= moment:
            yield item  # nothing happened after as_of: the summary is its own standing
            continue
        standing_at = getattr(item, "standing", None)
        if callable(standing_at):
            standing = standing_at(moment)
            if standing is None:
                continue
            yield _row_from(
                item.code,
                item.procedure_id,
                item.receiving_unit,
                item.subject_unit,
                item.province,
                item.channel,
                standing,
                field_of,
                getattr(item, "late_step", None),
            )
            continue
        received = item.received_at
        filed = getattr(item, "filed_at", None)
        if (received is not None and received > moment) or (filed is not None and filed > moment):
            continue
        yield item


# --------------------------------------------------------------------------------------------
# The on-time rate and Decision 766


@attrs.frozen(kw_only=True)
class Indicator:
    """A service-quality indicator: its formula, where it comes from, and how sure we are.

    ``confidence`` is that of the *formula*: :attr:`Confidence.CONFIRMED` when the formula was
    seen in a cited source, :attr:`Confidence.UNCONFIRMED` when only the indicator's existence
    (or its points) is known and the formula here is an assumption.

    Attributes:
        key: a stable identifier, e.g. ``"complaints_on_time"``.
        name: the indicator in English.
        vietnamese: the indicator in Vietnamese, where known.
        group: the Decision 766 indicator group (1–5), or ``None`` outside Decision 766.
        formula: the formula in words (numerator ÷ denominator × 100%).
        points: the points it carries, as far as known (e.g. ``"up to 20"``).
        source: where the indicator (and, when confirmed, the formula) comes from.
        confidence: how well the formula is established.
        from_dossiers: whether :func:`report` can compute it from dossiers.
        note: what a reader should know.
    """

    key: str
    name: str
    vietnamese: str = ""
    group: int | None
    formula: str
    points: str | None = None
    source: LegalSource
    confidence: Confidence
    from_dossiers: bool = False
    note: str = ""

    @property
    def confirmed(self) -> bool:
        """Whether the formula was seen in a cited source."""
        return self.confidence is Confidence.CONFIRMED

    def rate(self, numerator: int, denominator: int) -> float | None:
        """``numerator / denominator`` as a fraction (``None`` when the denominator is 0).

        Raises:
            InvalidInputError: a count is negative or the numerator exceeds the denominator.
        """
        if numerator < 0 or denominator < 0 or numerator > denominator:
            msg = f"{self.key}: need 0 <= numerator <= denominator; got {numerator}/{denominator}"
            raise InvalidInputError(msg, field="numerator", value=numerator)
        return None if denominator == 0 else numerator / denominator

    def label(self, lang: str | None = None) -> str:
        """The indicator's name in ``lang`` (its Vietnamese name where the source gives one)."""
        code = resolve_language(lang)
        if code == "vi" and self.vietnamese:
            return self.vietnamese
        return tr_data(self.name, code)

    def text(self, lang: str | None = None) -> str:
        """Name, mark, formula and source, in ``lang``."""
        code = resolve_language(lang)
        formula = tr_data(self.formula, code)
        return f"{self.label(code)} {self.confidence.mark}: {formula} ({cite(self.source, code)})"

    def __str__(self) -> str:
        return self.text()


def _load_indicators() -> tuple[LegalSource, tuple[Indicator, ...]]:
    """Decision 766 and the indicators from the bundled ``indicators.toml`` (hash-verified)."""
    raw = tomllib.loads(read_bundled("indicators.toml"))
    path = "govtier/data/indicators.toml"

    def source(table: Mapping[str, object]) -> LegalSource:
        issued = table.get("issued")
        return LegalSource(
            document=str(table["document"]),
            article=_text_or_none(table.get("article")),
            issued=issued if isinstance(issued, dt.date) else None,
            title=_text_or_none(table.get("title")),
            url=_text_or_none(table.get("url")),
        )

    try:
        decision = source(raw["decision_766"])
        indicators = tuple(
            Indicator(
                key=entry["key"],
                name=entry["name"],
                vietnamese=entry.get("vietnamese", ""),
                group=entry.get("group"),
                formula=entry["formula"],
                points=entry.get("points"),
                source=source(entry["source"]),
                confidence=Confidence.parse(entry["confidence"]),
                from_dossiers=entry.get("from_dossiers", False),
                note=entry.get("note", ""),
            )
            for entry in raw["indicator"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        msg = f"damaged install: malformed indicator data ({type(exc).__name__}); reinstall govtier"
        raise DataFileError(msg, path=path) from None
    return decision, indicators


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


DECISION_766, INDICATORS = _load_indicators()
"""``DECISION_766``: the Prime Minister's decision approving the real-time service-quality index
(5 groups, 100 points). ``INDICATORS``: the service-quality indicators govtier knows, each with
its source and confidence, read from the bundled ``indicators.toml``."""

_BY_KEY: Final = {i.key: i for i in INDICATORS}


def indicator(key: str) -> Indicator:
    """The indicator with ``key`` (see :data:`INDICATORS`).

    Raises:
        InvalidInputError: no indicator has that key.
    """
    try:
        return _BY_KEY[key]
    except (KeyError, TypeError):
        msg = f"no indicator {key!r}; known: {', '.join(_BY_KEY)}"
        raise InvalidInputError(msg, field="key", value=key) from None


class OnTimeBasis(enum.Enum):
    """The denominator of the on-time rate (the numerator is resolved early or on time).

    * ``RESOLVED`` (default): ÷ dossiers resolved. The fact sheet's reading of Decision 766
      group 2, and what the portal codebases compare (statuses 9 and 10) [U].
    * ``RECEIVED``: ÷ dossiers received in the period, however they ended. No source found [U];
      offered because reports are often read that way.
    * ``TO_HANDLE``: 1 − (resolved late + open overdue) ÷ (resolved + open). Gia Lai's one-stop
      statistics [C, for Gia Lai only]; dossiers still open and within time count as on time.
    """

    RESOLVED = "resolved"
    RECEIVED = "received"
    TO_HANDLE = "to handle"

    def label(self, lang: str | None = None) -> str:
        """The basis in words, in ``lang``."""
        return tr(_BASIS_LABELS[self], lang)

    @property
    def indicator(self) -> Indicator | None:
        """The indicator whose formula this basis implements, if any."""
        return {
            OnTimeBasis.RESOLVED: _BY_KEY["dossiers_on_time"],
            OnTimeBasis.RECEIVED: None,
            OnTimeBasis.TO_HANDLE: _BY_KEY["gia_lai_on_time"],
        }[self]

    @property
    def confidence(self) -> Confidence:
        """How well this denominator is established for Decision 766 reporting."""
        return Confidence.UNCONFIRMED


# --------------------------------------------------------------------------------------------
# Figures and the report

_BASIS_LABELS: Final = {
    OnTimeBasis.RESOLVED: N_("resolved dossiers"),
    OnTimeBasis.RECEIVED: N_("received dossiers"),
    OnTimeBasis.TO_HANDLE: N_("to handle dossiers"),
}

COUNTS: Final[tuple[str, ...]] = (
    "total",
    "received",
    "early",
    "on_time",
    "late",
    "within_time",
    "due_today",
    "overdue",
    "paused",
    "withdrawn",
    "stopped",
    "refused",
    "awaiting_intake",
)
"""The counters of :class:`Figures`, in table order."""

_I: Final = {name: i for i, name in enumerate(COUNTS)}
_STATE_INDEX: Final = {
    ClockState.WITHIN_TIME: _I["within_time"],
    ClockState.DUE_TODAY: _I["due_today"],
    ClockState.OVERDUE: _I["overdue"],
    ClockState.PAUSED: _I["paused"],
}
_TIMELINESS_INDEX: Final = {
    Timeliness.EARLY: _I["early"],
    Timeliness.ON_TIME: _I["on_time"],
    Timeliness.LATE: _I["late"],
}
_TERMINAL_INDEX: Final = {
    Status.WITHDRAWN: _I["withdrawn"],
    Status.STOPPED: _I["stopped"],
    Status.REFUSED: _I["refused"],
}


def _count(counts: list[int], row: ReportRow, moment: dt.datetime, apologies: ApologyCount) -> None:
    counts[0] += 1
    status = row.status
    terminal = _TERMINAL_INDEX.get(status)
    if row.received_at is not None:
        counts[1] += 1
    if terminal is not None:
        counts[terminal] += 1
        return
    if row.received_at is None:
        counts[_I["awaiting_intake"]] += 1
        return
    late_by_apology = (
        apologies is ApologyCount.LATE and getattr(row, "apologised_at", None) is not None
    )
    if row.finished_at is not None:
        timeliness = Timeliness.LATE if late_by_apology else _timeliness(row)
        if timeliness is not None:
            counts[_TIMELINESS_INDEX[timeliness]] += 1
        return
    state = _standing(row).clock_state(moment)
    if late_by_apology and state in _RUNNING_STATES:
        state = ClockState.OVERDUE
    index = _STATE_INDEX.get(state)
    if index is not None:
        counts[index] += 1


_RUNNING_STATES: Final = frozenset({ClockState.WITHIN_TIME, ClockState.DUE_TODAY})


class ApologyCount(enum.Enum):
    """How a report counts a dossier that was given an apology with a new appointment (Form 04).

    * ``NEW_APPOINTMENT`` (default): against the appointment in force, which the apology moved
      — as the portal codebases compare ``NgayKetThucXuLy`` with ``NgayHenTra`` [P, OpenCPS's
      national-portal sync]. Whether the national statistics take the apology's new date as
      ``NgayHenTra`` is not published [U].
    * ``LATE``: as late — decided, it counts ``late``; open with its clock running,
      ``overdue``. Form 04 ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết") is
      issued for a dossier that will miss its time limit [C, Circular 03/2025/TT-VPCP forms],
      so this reading keeps the statutory limit as the yardstick [U].
    """

    NEW_APPOINTMENT = "new appointment"
    LATE = "late"

    @property
    def confidence(self) -> Confidence:
        """How well this reading is established for the national statistics."""
        return Confidence.UNCONFIRMED


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


@attrs.frozen(kw_only=True)
class Figures:
    """The counts of one group (or of all dossiers), as of the report's moment.

    Attributes: one per name in :data:`COUNTS`; see the module docstring for each.
    """

    total: int = 0
    received: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    within_time: int = 0
    due_today: int = 0
    overdue: int = 0
    paused: int = 0
    withdrawn: int = 0
    stopped: int = 0
    refused: int = 0
    awaiting_intake: int = 0

    @classmethod
    def _of(cls, counts: Sequence[int]) -> Figures:
        return cls(**dict(zip(COUNTS, counts, strict=True)))

    @property
    def resolved(self) -> int:
        """Decided dossiers: early + on time + late."""
        return self.early + self.on_time + self.late

    @property
    def in_time(self) -> int:
        """Resolved early or on time: the on-time rate's numerator."""
        return self.early + self.on_time

    @property
    def in_progress(self) -> int:
        """Open dossiers whose clock runs: within time + due today + overdue."""
        return self.within_time + self.due_today + self.overdue

    @property
    def open(self) -> int:
        """Open dossiers: in progress + paused."""
        return self.in_progress + self.paused

    def on_time_rate(self, basis: OnTimeBasis = OnTimeBasis.RESOLVED) -> float | None:
        """The on-time rate as a fraction in [0, 1]; ``None`` when the denominator is 0."""
        if basis is OnTimeBasis.RESOLVED:
            return self.in_time / self.resolved if self.resolved else None
        if basis is OnTimeBasis.RECEIVED:
            return self.in_time / self.received if self.received else None
        to_handle = self.resolved + self.open
        return 1 - (self.late + self.overdue) / to_handle if to_handle else None

    def __add__(self, other: Figures) -> Figures:
        if not isinstance(other, Figures):
            return NotImplemented
        return Figures._of([getattr(self, n) + getattr(other, n) for n in COUNTS])


@attrs.frozen(kw_only=True)
class Group:
    """One group of a report: its key (one value per ``group_by`` name) and its figures."""

    key: tuple[str, ...]
    figures: Figures


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int) -> str:
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i >= numeric_from else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _grid(
    title: str,
    group_by: Sequence[str],
    header: Sequence[str],
    rows: Sequence[tuple[Sequence[str], Sequence[str]]],
    total: Sequence[str],
    lang: str,
) -> str:
    """A titled table: one line per group (when grouped), then the total line."""
    labels = [column_label(n, lang) for n in group_by] or [""]
    body = (
        [
            [*(_key_cell(n, v, lang) for n, v in zip(group_by, key, strict=True)), *cells]
            for key, cells in rows
        ]
        if group_by
        else []
    )
    body.append([tr("TOTAL", lang), *[""] * (len(labels) - 1), *total])
    columns = [column_label(h, lang) for h in header]
    return title + "\n" + _table([*labels, *columns], body, numeric_from=len(labels))


def column_label(name: str, lang: str | None = None) -> str:
    """A report column or group key (``"on_time"``, ``"commune"``) as a heading in ``lang``.

    >>> column_label("on_time", "vi"), column_label("on_time", "en")
    ('đúng hạn', 'on_time')
    """
    return trc("report column", _COLUMNS.get(name, name), lang)


def _key_cell(name: str, value: str, lang: str) -> str:
    """A group key's value as shown: channels, statuses and "unknown" are words."""
    if lang == "en":
        return value
    if name == "channel" and value in Channel._value2member_map_:
        return Channel(value).vietnamese
    if name == "status" and value.upper() in Status.__members__:
        return Status[value.upper()].vietnamese
    return value


def _moment(moment: dt.datetime, lang: str) -> str:
    """A report's moment: ``31/03/2026 17:00`` in Vietnamese, ``2026-03-31 17:00`` in English."""
    if lang == "vi":
        return f"{format_date(moment.date(), lang)} {moment:%H:%M}"
    return f"{moment:%Y-%m-%d %H:%M}"


# i18n: the English column headings are the counters' names, as in to_rows()
_COLUMNS: Final = {
    "total": NC_("report column", "total"),
    "received": NC_("report column", "received"),
    "resolved": NC_("report column", "resolved"),
    "early": NC_("report column", "early"),
    "on_time": NC_("report column", "on_time"),
    "late": NC_("report column", "late"),
    "open": NC_("report column", "open"),
    "within_time": NC_("report column", "within_time"),
    "due_today": NC_("report column", "due_today"),
    "overdue": NC_("report column", "overdue"),
    "paused": NC_("report column", "paused"),
    "withdrawn": NC_("report column", "withdrawn"),
    "stopped": NC_("report column", "stopped"),
    "refused": NC_("report column", "refused"),
    "awaiting_intake": NC_("report column", "awaiting_intake"),
    "on-time %": NC_("report column", "on-time %"),
    "province": NC_("report column", "province"),
    "commune": NC_("report column", "commune"),
    "receiving_unit": NC_("report column", "receiving_unit"),
    "procedure": NC_("report column", "procedure"),
    "field": NC_("report column", "field"),
    "channel": NC_("report column", "channel"),
    "status": NC_("report column", "status"),
    "day": NC_("report column", "day"),
    "week": NC_("report column", "week"),
    "month": NC_("report column", "month"),
    "quarter": NC_("report column", "quarter"),
    "year": NC_("report column", "year"),
}


_SHOWN: Final = (
    "received",
    "resolved",
    "early",
    "on_time",
    "late",
    "open",
    "within_time",
    "due_today",
    "overdue",
    "paused",
    "withdrawn",
    "stopped",
    "refused",
)


@attrs.frozen(kw_only=True, repr=False)
class Report:
    """Counts of dossiers by group, as of a moment. Immutable; make one with :func:`report`.

    Attributes:
        as_of: the moment described (Asia/Ho_Chi_Minh).
        group_by: the names the groups are keyed by (see :data:`GROUP_KEYS`).
        basis: the on-time rate's denominator.
        groups: the groups, sorted by key.
        total: the figures over all groups.
    """

    as_of: dt.datetime
    group_by: tuple[str, ...]
    basis: OnTimeBasis = OnTimeBasis.RESOLVED
    groups: tuple[Group, ...]
    total: Figures

    def __repr__(self) -> str:
        return (
            f"Report(as_of={self.as_of.isoformat()}, group_by={self.group_by!r}, "
            f"basis={self.basis.name}, {len(self.groups)} groups, total={self.total.total})"
        )

    def __getitem__(self, key: str | tuple[str, ...]) -> Figures:
        """The figures of a group (an empty group has zero figures).

        Raises:
            InvalidInputError: the key has another number of parts than ``group_by``.
        """
        parts = (key,) if isinstance(key, str) else tuple(key)
        if len(parts) != len(self.group_by):
            msg = f"a group key has {len(self.group_by)} part(s) ({self.group_by}); got {parts}"
            raise InvalidInputError(msg, field="key", value=parts)
        for group in self.groups:
            if group.key == parts:
                return group.figures
        return Figures()

    def on_time_rate(self, key: str | tuple[str, ...] | None = None) -> float | None:
        """The on-time rate of a group (overall when ``key`` is ``None``) as a fraction in [0, 1].

        :meth:`to_rows` (and so ``govtier report --json``) gives the same figure as a percentage
        with one decimal, under the name ``on_time_percent``.
        """
        figures = self.total if key is None else self[key]
        return figures.on_time_rate(self.basis)

    def keys(self) -> tuple[tuple[str, ...], ...]:
        """The group keys, sorted."""
        return tuple(g.key for g in self.groups)

    def to_rows(self, *, total: bool = False) -> list[dict[str, object]]:
        """One dict per group, for CSV or a data frame.

        Each dict has the key parts, every count, ``resolved``, ``open`` and ``on_time_percent``
        (a percentage with one decimal, or ``None``).

        Args:
            total: add a last row for all groups, with each key part set to ``"*"``.
        """
        pairs = [(g.key, g.figures) for g in self.groups]
        if total:
            pairs.append((("*",) * len(self.group_by), self.total))
        rows: list[dict[str, object]] = []
        for key, figures in pairs:
            row: dict[str, object] = dict(zip(self.group_by, key, strict=True))
            row.update({n: getattr(figures, n) for n in COUNTS})
            row["resolved"] = figures.resolved
            row["open"] = figures.open
            row["on_time_percent"] = _percent(figures.on_time_rate(self.basis))
            rows.append(row)
        return rows

    def render(self, lang: str | None = None) -> str:
        """The report as a plain-text table, one line per group and a total line, in ``lang``."""
        code = resolve_language(lang)
        header = [*_SHOWN, "on-time %"]

        def cells(key: Sequence[str], figures: Figures) -> list[str]:
            rate = _percent(figures.on_time_rate(self.basis))
            return [
                *key,
                *(str(getattr(figures, n)) for n in _SHOWN),
                "-" if rate is None else f"{rate:.1f}",
            ]

        title = tr(
            "Dossiers as of {moment} (on-time rate over {basis})",
            code,
            moment=_moment(self.as_of, code),
            basis=tr(_BASIS_LABELS[self.basis], code),
        )
        return _grid(
            title,
            self.group_by,
            header,
            [(g.key, cells((), g.figures)) for g in self.groups],
            cells((), self.total),
            code,
        )

    def __str__(self) -> str:
        return self.render()


def report(
    dossiers: Iterable[Dossier | ReportRow],
    *,
    as_of: dt.datetime,
    group_by: str | Sequence[str] = (),
    basis: OnTimeBasis = OnTimeBasis.RESOLVED,
    apologies: ApologyCount = ApologyCount.NEW_APPOINTMENT,
    field_of: FieldOf | None = None,
    province_of: ProvinceOf | None = None,
) -> Report:
    """Count dossiers by group as of ``as_of``, in one pass.

    Args:
        dossiers: dossiers, or rows (:class:`ReportRow`: :class:`DossierRow`, a store's
            summaries), in any number; read once.
        as_of: the moment described. Dossiers opened later are left out; events after it are
            ignored.
        group_by: one or more names of :data:`GROUP_KEYS`, e.g. ``("province", "month")``.
        basis: the on-time rate's denominator.
        apologies: how a dossier given an apology with a new appointment counts (see
            :class:`ApologyCount`; by default, against the new appointment).
        field_of: gives a procedure id's field (see :func:`row_of`).
        province_of: gives a unit's province code (see :func:`row_of`).

    Raises:
        InvalidInputError: ``as_of`` is naive, ``group_by`` names an unknown key, or
            ``apologies`` is not an :class:`ApologyCount`.
    """
    moment = check_aware(as_of, "as_of")
    names, key_of = _key_function(group_by)
    given: object = apologies
    if not isinstance(given, ApologyCount):
        msg = f"apologies must be an ApologyCount ({', '.join(a.name for a in ApologyCount)})"
        raise InvalidInputError(msg, field="apologies", value=apologies)
    counters: dict[tuple[str, ...], list[int]] = {}
    width = len(COUNTS)
    for row in _rows(dossiers, moment, field_of, province_of):
        key = key_of(row)
        counts = counters.get(key)
        if counts is None:
            counts = counters[key] = [0] * width
        _count(counts, row, moment, apologies)
    totals = [sum(c[i] for c in counters.values()) for i in range(width)]
    groups = tuple(Group(key=key, figures=Figures._of(counters[key])) for key in sorted(counters))
    return Report(
        as_of=moment, group_by=names, basis=basis, groups=groups, total=Figures._of(totals)
    )


# --------------------------------------------------------------------------------------------
# Backlog by age


@attrs.frozen(kw_only=True)
class AgeBand:
    """An age band of open dossiers: ``low <= age < high`` days (``high`` ``None``: no limit)."""

    low: int
    high: int | None

    @property
    def label(self) -> str:
        """``"0-4"``, ``"5-9"``, ..., ``"30+"``."""
        if self.high is None:
            return f"{self.low}+"
        return f"{self.low}-{self.high - 1}"

    def __contains__(self, age: object) -> bool:
        return isinstance(age, int) and self.low <= age and (self.high is None or age < self.high)


def _bands(edges: Sequence[int]) -> tuple[AgeBand, ...]:
    given: tuple[object, ...] = tuple(edges)
    values = tuple(e for e in given if isinstance(e, int) and not isinstance(e, bool))
    if (
        len(values) != len(given)
        or not values
        or values[0] != 0
        or any(b <= a for a, b in itertools.pairwise(values))
    ):
        msg = f"edges are increasing whole numbers of days starting at 0; got {given!r}"
        raise InvalidInputError(msg, field="edges", value=given)
    highs: tuple[int | None, ...] = (*values[1:], None)
    return tuple(AgeBand(low=lo, high=hi) for lo, hi in zip(values, highs, strict=True))


@attrs.frozen(kw_only=True, repr=False)
class Backlog:
    """Open dossiers by age since receipt, as of a moment. Make one with :func:`backlog`.

    Attributes:
        as_of: the moment described.
        unit: ``"working days"`` or ``"calendar days"``.
        bands: the age bands.
        group_by: the names the groups are keyed by.
        groups: per group key, the count in each band.
        total: the count in each band over all groups.
    """

    as_of: dt.datetime
    unit: str
    bands: tuple[AgeBand, ...]
    group_by: tuple[str, ...]
    groups: tuple[tuple[tuple[str, ...], tuple[int, ...]], ...]
    total: tuple[int, ...]

    def __repr__(self) -> str:
        return (
            f"Backlog(as_of={self.as_of.isoformat()}, unit={self.unit!r}, "
            f"bands={[b.label for b in self.bands]}, total={sum(self.total)})"
        )

    def to_rows(self) -> list[dict[str, object]]:
        """One dict per group: the key parts, then the count per band label."""
        rows: list[dict[str, object]] = []
        for key, counts in self.groups:
            row: dict[str, object] = dict(zip(self.group_by, key, strict=True))
            row.update({b.label: c for b, c in zip(self.bands, counts, strict=True)})
            rows.append(row)
        return rows

    def render(self, lang: str | None = None) -> str:
        """The backlog as a plain-text table with a total line, in ``lang``."""
        code = resolve_language(lang)
        header = [*(b.label for b in self.bands), "open"]

        def cells(counts: Sequence[int]) -> list[str]:
            return [*map(str, counts), str(sum(counts))]

        title = tr(
            "Open dossiers by age ({unit} since receipt) as of {moment}",
            code,
            unit=tr(_AGE_UNITS.get(self.unit, self.unit), code),
            moment=_moment(self.as_of, code),
        )
        rows = [(k, cells(c)) for k, c in self.groups]
        return _grid(title, self.group_by, header, rows, cells(self.total), code)

    def __str__(self) -> str:
        return self.render()


_AGE_UNITS: Final = {"working days": N_("working days"), "calendar days": N_("calendar days")}


def backlog(
    dossiers: Iterable[Dossier | ReportRow],
    *,
    as_of: dt.datetime,
    edges: Sequence[int] = (0, 5, 10, 20, 30),
    calendar: WorkingCalendar | None = None,
    group_by: str | Sequence[str] = (),
    include_paused: bool = True,
    field_of: FieldOf | None = None,
    province_of: ProvinceOf | None = None,
) -> Backlog:
    """Count open dossiers by age since receipt, in one pass.

    The age is the number of working days (with ``calendar``) or calendar days (without) from
    the day of receipt to the day of ``as_of``: a dossier received today is 0 days old.

    Args:
        dossiers: dossiers or rows, read once.
        as_of: the moment described.
        edges: the lower bound of each band, from 0; the last band is open-ended.
        calendar: count working days on this calendar; ``None`` counts calendar days.
        group_by: names of :data:`GROUP_KEYS`.
        include_paused: count dossiers waiting on the applicant too.
        field_of: gives a procedure id's field (see :func:`row_of`).
        province_of: gives a unit's province code (see :func:`row_of`).

    Raises:
        InvalidInputError: bad ``as_of``, ``edges`` or ``group_by``.
        OutOfRangeError: a receipt day is outside ``calendar``'s years.
    """
    moment = check_aware(as_of, "as_of")
    bands = _bands(edges)
    lows = [b.low for b in bands]
    names, key_of = _key_function(group_by)
    today = moment.date()
    counters: dict[tuple[str, ...], list[int]] = {}
    wanted = {ClockState.WITHIN_TIME, ClockState.DUE_TODAY, ClockState.OVERDUE}
    if include_paused:
        wanted.add(ClockState.PAUSED)
    for row in _rows(dossiers, moment, field_of, province_of):
        received = row.received_at
        if received is None or _standing(row).clock_state(moment) not in wanted:
            continue
        day = received.astimezone(VIETNAM_TZ).date()
        age = (today - day).days if calendar is None else calendar.working_days_between(day, today)
        index = max(bisect.bisect_right(lows, age) - 1, 0)
        key = key_of(row)
        counts = counters.get(key)
        if counts is None:
            counts = counters[key] = [0] * len(bands)
        counts[index] += 1
    groups = tuple((k, tuple(counters[k])) for k in sorted(counters))
    total = tuple(sum(c[i] for c in counters.values()) for i in range(len(bands)))
    return Backlog(
        as_of=moment,
        unit="calendar days" if calendar is None else "working days",
        bands=bands,
        group_by=names,
        groups=groups,
        total=total,
    )


# --------------------------------------------------------------------------------------------
# Overdue list


@attrs.frozen(kw_only=True)
class OverdueDossier:
    """An open dossier past its appointment, and the step that made it late (if any).

    Attributes:
        code: the dossier code.
        procedure_id: the catalogue's procedure id.
        receiving_unit: the unit whose counter received it.
        subject_unit: the unit the procedure concerns.
        province: the province code, when known.
        received_at: when it was received.
        appointment: the appointment it missed.
        overdue_for: how long past the appointment, as of the list's moment.
        late_step: the first inter-agency step that missed its sub-deadline, or ``None`` when
            every step kept to its share (or the row does not know).
    """

    code: str
    procedure_id: str
    receiving_unit: str
    subject_unit: str
    province: str | None
    received_at: dt.datetime
    appointment: dt.datetime
    overdue_for: dt.timedelta
    late_step: StepProgress | None = None

    def to_dict(self) -> dict[str, object]:
        """The entry as a plain dict (moments as ISO 8601 text, the step by name and agency)."""
        step = self.late_step
        return {
            "code": self.code,
            "procedure_id": self.procedure_id,
            "receiving_unit": self.receiving_unit,
            "subject_unit": self.subject_unit,
            "province": self.province,
            "received_at": self.received_at.isoformat(),
            "appointment": self.appointment.isoformat(),
            "overdue_days": round(self.overdue_for.total_seconds() / 86400, 2),
            "late_step": None if step is None else step.name,
            "late_step_agency": None if step is None else step.agency,
            "late_step_due": None
            if step is None or step.due_at is None
            else step.due_at.isoformat(),
        }


def overdue(
    dossiers: Iterable[Dossier | ReportRow],
    *,
    as_of: dt.datetime,
    limit: int | None = None,
    field_of: FieldOf | None = None,
    province_of: ProvinceOf | None = None,
) -> tuple[OverdueDossier, ...]:
    """The dossiers overdue at ``as_of``, most overdue first, in one pass.

    Args:
        dossiers: dossiers or rows, read once.
        as_of: the moment described.
        limit: keep only the ``limit`` most overdue (memory stays bounded by ``limit``).
        field_of: gives a procedure id's field (see :func:`row_of`).
        province_of: gives a unit's province code (see :func:`row_of`).

    Raises:
        InvalidInputError: ``as_of`` is naive or ``limit`` is below 1.
    """
    moment = check_aware(as_of, "as_of")
    given: object = limit
    if given is not None and (isinstance(given, bool) or not isinstance(given, int) or given < 1):
        msg = f"limit is a positive whole number or None; got {limit!r}"
        raise InvalidInputError(msg, field="limit", value=limit)
    heap: list[tuple[float, str, int, OverdueDossier]] = []
    found: list[OverdueDossier] = []
    for row in _rows(dossiers, moment, field_of, province_of):
        if _standing(row).clock_state(moment) is not ClockState.OVERDUE:
            continue
        due, received = row.appointment, row.received_at
        if due is None or received is None:  # pragma: no cover  (OVERDUE implies both)
            continue
        entry = OverdueDossier(
            code=row.code,
            procedure_id=row.procedure_id,
            receiving_unit=row.receiving_unit,
            subject_unit=row.subject_unit,
            province=row.province,
            received_at=received,
            appointment=due,
            overdue_for=moment - due,
            late_step=getattr(row, "late_step", None),
        )
        if limit is None:
            found.append(entry)
            continue
        # keep the most overdue: a min-heap on "how overdue" drops the least overdue first
        item = (entry.overdue_for.total_seconds(), _reverse(entry.code), len(heap), entry)
        if len(heap) < limit:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)
    if limit is not None:
        found = [e for *_, e in heap]
    found.sort(key=lambda e: (e.appointment, e.code))
    return tuple(found)


def _reverse(code: str) -> str:
    """A sort key that orders codes backwards (ties keep the smaller code)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in code)


# --------------------------------------------------------------------------------------------
# Circular transfers


@attrs.frozen(kw_only=True)
class CircularTransferRow:
    """A dossier sent round in a circle, listed under one of the agencies involved.

    Attributes:
        agency: the agency the row is listed under.
        role: ``"sent"`` (the agency passed it on) or ``"received"`` (it got it back).
        code: the dossier code.
        transfer: the circular transfer, as the lifecycle noticed it.
    """

    agency: str
    role: str
    code: str
    transfer: CircularTransfer

    def to_dict(self) -> dict[str, object]:
        """The row as a plain dict (moments as ISO 8601 text)."""
        t = self.transfer
        return {
            "agency": self.agency,
            "role": self.role,
            "code": self.code,
            "at": t.at.isoformat(),
            "event": t.event,
            "from_agency": t.from_agency,
            "to_agency": t.to_agency,
            "returned": t.returned,
            "handoffs": t.handoffs,
            "why": t.why,
        }


def circular_transfers(
    dossiers: Iterable[Dossier], *, as_of: dt.datetime | None = None
) -> tuple[CircularTransferRow, ...]:
    """The dossiers transferred in a circle, by agency, in one pass.

    Each circular transfer (see :class:`~govtier.dossier.Custody`) is listed under the agency
    that got the dossier back and under the one that passed it on, ordered by agency, then
    moment, then code. Only dossiers with a circular transfer are kept, so memory follows the
    number of such transfers, not the number of dossiers.

    Args:
        dossiers: full dossiers (their histories), read once.
        as_of: ignore transfers after this moment (default: all).

    Raises:
        InvalidInputError: ``as_of`` is naive.

    >>> circular_transfers([])
    ()
    """
    moment = None if as_of is None else check_aware(as_of, "as_of")
    rows: list[CircularTransferRow] = []
    for dossier in dossiers:
        notices = dossier.custody.circular
        if not notices or dossier.header is None:
            continue
        for notice in notices:
            if moment is not None and notice.at > moment:
                continue
            rows.append(
                CircularTransferRow(
                    agency=notice.to_agency, role="received", code=dossier.code, transfer=notice
                )
            )
            if notice.from_agency is not None:
                rows.append(
                    CircularTransferRow(
                        agency=notice.from_agency, role="sent", code=dossier.code, transfer=notice
                    )
                )
    rows.sort(key=lambda r: (r.agency, r.transfer.at, r.code, r.role))
    return tuple(rows)

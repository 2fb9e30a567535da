"""Carry open dossiers across an administrative reorganisation (bàn giao hồ sơ), without a break.

A :class:`Reorganisation` is data: the cutover moment, the succession of units (the bundled
2025 conversion table, or a file in the same shape) and the rules in force after it.

:func:`write_plan` streams a store and writes a plan: every dossier open at the cutover whose
receiving, competent or returning authority no longer exists or is no longer competent, with its
successor under the new rules, the reason and the rules that matched. A split commune, a
procedure with no successor rule or a place that cannot be followed goes on a list for a person
to decide, with the candidates, never a guess. :func:`apply_plan` appends a
:class:`~govtier.dossier.HandedOver` event to each planned dossier, keeping its appointment and
clock; it is idempotent and resumable (idempotency keys and expected versions), and it streams.
:func:`handover_report` counts the handovers from each old authority to each new one.

The plan is a JSON document written one entry per line, so neither writing nor applying it holds
the dossiers in memory. Its identifier is a digest of its content: a plan edited by hand is
refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, TextIO

import attrs

from govtier._data import MAX_DATA_FILE_BYTES, iter_lines, read_data_file
from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.dossier import ClockState, Dossier, Event, HandedOver, Status, StepPlan
from govtier.errors import (
    DataFileError,
    GovtierError,
    InvalidInputError,
    MalformedCodeError,
    NoCompetentAuthorityError,
    UnknownProcedureError,
    UnknownUnitError,
)
from govtier.i18n import resolve_language, tr
from govtier.jurisdiction import Assignment, IntakeScope, RuleSet
from govtier.legal import Confidence, LegalSource
from govtier.serialization import event_from_record, event_to_record
from govtier.storage.ports import Append, DossierStore
from govtier.units import REFORM_DATE, SuccessionKind, UnitRegistry

__all__ = [
    "PLAN_FORMAT",
    "ApplyResult",
    "HandoverPlan",
    "HandoverReport",
    "PlanSummary",
    "Reorganisation",
    "Successor",
    "apply_plan",
    "handover_report",
    "write_plan",
]

PLAN_FORMAT: Final = 1
"""The version of the plan file's layout."""

_KIND: Final = "govtier.handover-plan"
_BATCH: Final = 200

_SOURCES_2025: Final = (
    LegalSource(
        document="Resolution 202/2025/QH15",
        issued=dt.date(2025, 6, 12),
        title="arrangement of province-level units (63 to 34)",
        url="https://dientuungdung.vn/tra-cuu-chi-tiet-3321-phuong-xa-dac-khu-cua-34-tinh-thanh-pho-sau-sap-xep-10143-10143.html",
    ),
    LegalSource(
        document="the 34 resolutions of the National Assembly Standing Committee on communes",
        title="e.g. Resolution 1656/NQ-UBTVQH15 (Hà Nội); district level abolished",
        url="https://dientuungdung.vn/tra-cuu-chi-tiet-3321-phuong-xa-dac-khu-cua-34-tinh-thanh-pho-sau-sap-xep-10143-10143.html",
    ),
    LegalSource(
        document="Decree 125/2025/NĐ-CP",
        title=(
            "dossiers filed at district level before 01/07/2025 and not yet resolved are "
            "handled under the new rules by the commune authority"
        ),
        url="https://news.laodong.vn/kinh-doanh/thay-doi-lon-trong-thu-tuc-dang-ky-ho-kinh-doanh-tu-172025-1525236.ldo",
    ),
)


# --------------------------------------------------------------------------------------------
# The reorganisation


@attrs.frozen(kw_only=True)
class Successor:
    """A unit that took over (part of) an old unit.

    Attributes:
        code: the unit's code after the cutover.
        name: its name.
        how: whole, part or unchanged.
    """

    code: str
    name: str
    how: SuccessionKind


@attrs.frozen(kw_only=True)
class Reorganisation:
    """A reorganisation of units or competence, as data.

    Build the 2025 reform with :meth:`reform_2025`, a file with :meth:`load`.

    Attributes:
        id: a short name, e.g. ``"2025-two-tier"``.
        cutover: the first moment of the new organisation (aware).
        successions: old unit code -> the units that took it over (a split has several; an old
            unit with none has no successor). Units absent are not reorganised.
        rules: the competence rules; the ones in force on the cutover day apply after it.
        legal_basis: the acts that make the reorganisation.
        confidence: how well the legal basis is established.
        restart_clock: a rule restarts the time limit at the cutover (default: the appointment
            and the clock are kept).
    """

    id: str = attrs.field(validator=attrs.validators.min_len(1))
    cutover: dt.datetime = attrs.field()
    successions: Mapping[str, tuple[Successor, ...]] = attrs.field(repr=False)
    rules: RuleSet = attrs.field(repr=False)
    legal_basis: tuple[LegalSource, ...] = ()
    confidence: Confidence = Confidence.PARTIAL
    restart_clock: bool = False

    @cutover.validator
    def _check_cutover(self, _attribute: attrs.Attribute[dt.datetime], value: object) -> None:
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            msg = f"cutover must be a timezone-aware datetime, got {value!r}"
            raise InvalidInputError(msg, field="cutover", value=value)

    @property
    def units(self) -> UnitRegistry:
        """The unit registry the rules use after the cutover."""
        return self.rules.units

    @property
    def legal_basis_text(self) -> str:
        """The legal basis in one line, with the confidence mark."""
        text = "; ".join(str(s) for s in self.legal_basis) or self.id
        return f"{text} {self.confidence.mark}"

    @property
    def abolished(self) -> frozenset[str]:
        """The old codes that no unit keeps after the cutover."""
        kept = {s.code for rows in self.successions.values() for s in rows}
        return frozenset(code for code in self.successions if code not in kept)

    @classmethod
    def reform_2025(cls, *, rules: RuleSet | None = None) -> Reorganisation:
        """The 2025-07-01 reform: district level abolished, communes and provinces merged.

        The succession is the bundled conversion table (every pre-reform commune and province);
        the rules are the bundled ones (or ``rules``), as in force on 2025-07-01.

        >>> reform = Reorganisation.reform_2025()
        >>> reform.cutover.isoformat()
        '2025-07-01T00:00:00+07:00'
        >>> [s.code for s in reform.successions["00004"]]
        ['00004']
        """
        rules = rules or RuleSet.bundled()
        units = rules.units
        table: dict[str, tuple[Successor, ...]] = {}
        for old in units.legacy_communes():
            rows = units.successors(old.code)
            seen: dict[str, Successor] = {}
            for row in rows:
                seen.setdefault(
                    row.new.code, Successor(code=row.new.code, name=row.new.name, how=row.how)
                )
            table[old.code] = tuple(seen.values())
        for province in units.provinces():
            for code in _old_province_codes(units, province.code):
                table[code] = (
                    Successor(code=province.code, name=province.name, how=SuccessionKind.WHOLE),
                )
        return cls(
            id="2025-two-tier",
            cutover=dt.datetime.combine(REFORM_DATE, dt.time(), tzinfo=VIETNAM_TZ),
            successions=table,
            rules=rules,
            legal_basis=_SOURCES_2025,
            confidence=Confidence.PARTIAL,
        )

    @classmethod
    def load(
        cls, path: str | Path, *, rules: RuleSet | None = None, legacy: bool | None = None
    ) -> Reorganisation:
        """Read a reorganisation file (JSON or TOML), in the shape of the bundled table.

        The file has ``id``, ``cutover`` (an ISO moment with its offset), ``legal_basis`` (a list
        of ``{document, article, issued, title, url}``), ``confidence`` (``"[C]"``, ``"[P]"``
        or ``"[U]"``), ``notes`` (``[text, "whole"|"part"|"unchanged"]`` rows, as in the bundled
        ``legacy.json``), ``successions`` (``[old code, new code, note index]`` rows, as there),
        and optionally ``rules`` (rule files, relative to the file, added to the bundled rules)
        and ``restart_clock``.

        Args:
            path: the file.
            rules: the rules to build on (default: the bundled rules).
            legacy: whether the old codes are pre-2025 codes (default: when the cutover is on
                or before 2025-07-01).

        Raises:
            DataFileError: the file is missing or malformed, or names an unknown unit code;
                the message names the file, the row and the field.
        """
        file = Path(path)
        data = read_data_file(file)
        where = str(file)
        if not isinstance(data, dict):
            raise DataFileError("expected an object with id, cutover and successions", path=where)
        base = rules or RuleSet.bundled()
        extra = data.get("rules", [])
        if extra:
            if not isinstance(extra, list) or not all(isinstance(p, str) for p in extra):
                raise DataFileError("rules: expected a list of rule file paths", path=where)
            base = RuleSet.load([file.parent / p for p in extra], base=base)
        return cls.from_data(data, rules=base, path=where, legacy=legacy)

    @classmethod
    def from_data(
        cls,
        data: Mapping[str, Any],
        *,
        rules: RuleSet | None = None,
        path: str = "<data>",
        legacy: bool | None = None,
    ) -> Reorganisation:
        """A reorganisation from the content of a file (see :meth:`load`).

        Raises:
            DataFileError: a field is missing or malformed, or a unit code is unknown.
        """
        rules = rules or RuleSet.bundled()
        units = rules.units

        def fail(message: str) -> DataFileError:
            return DataFileError(message, path=path)

        ident = data.get("id")
        if not isinstance(ident, str) or not ident:
            raise fail("id: expected a non-empty text")
        cutover = _parse_moment(data.get("cutover"), "cutover", path)
        before_2025 = cutover.date() <= REFORM_DATE if legacy is None else legacy
        basis = []
        for n, raw in enumerate(data.get("legal_basis", [])):
            if not isinstance(raw, dict) or not isinstance(raw.get("document"), str):
                raise fail(f"legal_basis[{n}]: expected an object with a document")
            try:
                issued = raw.get("issued")
                basis.append(
                    LegalSource(
                        document=raw["document"],
                        article=raw.get("article"),
                        issued=dt.date.fromisoformat(issued) if issued else None,
                        title=raw.get("title"),
                        url=raw.get("url"),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise fail(f"legal_basis[{n}]: {exc}") from None
        if not basis:
            raise fail("legal_basis: give at least one act (a reorganisation has a legal basis)")
        try:
            confidence = Confidence.parse(str(data.get("confidence", "[U]")))
        except GovtierError as exc:
            raise fail(f"confidence: {exc}") from None
        notes_raw = data.get("notes")
        rows_raw = data.get("successions")
        if not isinstance(notes_raw, list) or not isinstance(rows_raw, list) or not rows_raw:
            raise fail("notes and successions: expected lists, as in the bundled legacy.json")
        notes: list[SuccessionKind] = []
        for n, note in enumerate(notes_raw):
            try:
                notes.append(SuccessionKind(note[1]))
            except (TypeError, ValueError, IndexError, KeyError):
                raise fail(f"notes[{n}]: expected [text, 'whole'|'part'|'unchanged']") from None
        table: dict[str, dict[str, Successor]] = {}
        for n, row in enumerate(rows_raw):
            if not isinstance(row, list) or len(row) != 3:
                raise fail(f"successions[{n}]: expected [old code, new code, note index]")
            old, new, note = row
            if not isinstance(old, str) or not _known_old(units, old, legacy=before_2025):
                raise fail(f"successions[{n}]: unknown old unit code {old!r}")
            if not isinstance(new, str) or new not in units:
                raise fail(f"successions[{n}]: unknown new unit code {new!r}")
            if isinstance(note, bool) or not isinstance(note, int) or not 0 <= note < len(notes):
                raise fail(f"successions[{n}]: note index {note!r} is not in notes")
            unit = units.get(new)
            table.setdefault(old, {}).setdefault(
                new, Successor(code=new, name=unit.name, how=notes[note])
            )
        restart = data.get("restart_clock", False)
        if not isinstance(restart, bool):
            raise fail("restart_clock: expected true or false")
        return cls(
            id=ident,
            cutover=cutover,
            successions={old: tuple(rows.values()) for old, rows in table.items()},
            rules=rules,
            legal_basis=tuple(basis),
            confidence=confidence,
            restart_clock=restart,
        )


def _old_province_codes(units: UnitRegistry, new_code: str) -> list[str]:
    codes = []
    for n in range(1, 100):
        code = f"{n:02d}"
        try:
            if units.legacy_province_successor(code).code == new_code:
                codes.append(code)
        except GovtierError:
            continue
    return codes


def _known_old(units: UnitRegistry, code: str, *, legacy: bool) -> bool:
    if code in units and not legacy:
        return True
    if legacy:
        try:
            if len(code) == 2:
                units.legacy_province_successor(code)
            else:
                units.legacy(code)
        except GovtierError:
            return False
        return True
    return False


def _parse_moment(value: object, field: str, path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise DataFileError(f"{field}: not an ISO moment: {value!r}", path=path) from None
    else:
        raise DataFileError(f"{field}: expected an ISO moment with its offset", path=path)
    if moment.tzinfo is None:
        msg = f"{field}: give the offset (e.g. 2027-01-01T00:00:00+07:00), got {value!r}"
        raise DataFileError(msg, path=path)
    return moment.astimezone(VIETNAM_TZ)


# --------------------------------------------------------------------------------------------
# Planning


@attrs.frozen(kw_only=True)
class PlanSummary:
    """What a plan found.

    Attributes:
        id: the plan's identifier (a digest of its content).
        reorganisation: the reorganisation's id.
        cutover: the cutover moment.
        scanned: dossiers read.
        handovers: dossiers to hand over.
        to_decide: dossiers on the list for a person.
        closed: dossiers closed before the cutover (untouched).
        unchanged: dossiers open at the cutover whose authorities stay competent.
        after_cutover: dossiers opened after the cutover (not concerned).
        already: dossiers already handed over across this cutover (by an earlier plan).
        late: dossiers to hand over that were already late at the cutover.
    """

    id: str
    reorganisation: str
    cutover: dt.datetime
    scanned: int
    handovers: int
    to_decide: int
    closed: int
    unchanged: int
    after_cutover: int
    already: int
    late: int

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready values."""
        data = attrs.asdict(self)
        data["cutover"] = self.cutover.isoformat()
        return data


def _first_moment(dossier: Dossier) -> dt.datetime:
    return dossier.events[0].at


def _as_of(dossier: Dossier, moment: dt.datetime) -> Dossier:
    if dossier.events[-1].at < moment:
        return dossier
    return Dossier.from_events(e for e in dossier.events if e.at < moment)


class _Planner:
    def __init__(
        self,
        reorganisation: Reorganisation,
        decisions: Mapping[str, str],
        calendar: WorkingCalendar | None,
    ) -> None:
        self.reorg = reorganisation
        self.cutover = reorganisation.cutover
        self.day = self.cutover.date()
        self.decisions = decisions
        self.calendar = calendar
        self.abolished = reorganisation.abolished

    def follow(self, code: str) -> tuple[Successor, ...] | None:
        """The successors of ``code`` (``None``: not reorganised)."""
        return self.reorg.successions.get(code)

    def _receiving(self, old: str, subject: str, assignment: Assignment) -> str:
        """The receiving point after the cutover.

        A reorganised unit goes to its one successor (a split one to the subject's). A unit the
        succession does not name and that no longer exists (a district's one-stop unit in 2025)
        goes where the new rules receive: the competent authority's unit where only it receives,
        else the subject's unit.
        """
        receiving = self.follow(old)
        if receiving is not None:
            return receiving[0].code if len(receiving) == 1 else subject
        try:
            self.reorg.units.get(old)
        except (UnknownUnitError, MalformedCodeError):
            if assignment.intake is IntakeScope.COMPETENT_AGENCY:
                return assignment.competent.unit_code
            return subject
        return old

    def entry(self, dossier: Dossier) -> tuple[str, dict[str, Any] | None]:
        header = dossier.header
        assert header is not None  # noqa: S101  (a stored dossier has events)
        start = _first_moment(dossier)
        if start >= self.cutover:
            for unit in (header.subject_unit, header.receiving_unit):
                if unit in self.abolished:
                    msg = (
                        f"dossier {header.code} was opened on {start.date()}, after the cutover "
                        f"{self.cutover.isoformat()}, yet names unit {unit}, which the "
                        f"reorganisation {self.reorg.id} abolishes: the cutover is before the "
                        "dossier's own receipt"
                    )
                    raise InvalidInputError(msg, field="cutover", value=self.cutover)
            return "after_cutover", None
        if any(isinstance(e, HandedOver) and e.at >= self.cutover for e in dossier.events):
            return "already", None
        then = _as_of(dossier, self.cutover)
        if then.status is None or then.status.is_terminal:
            return "closed", None
        if dossier.status is not None and dossier.status.is_terminal:
            return "closed", None
        base: dict[str, Any] = {
            "code": header.code,
            "version": dossier.version,
            "status": dossier.status.name if dossier.status else None,
            "procedure_id": header.procedure_id,
            "from_agency": header.competent,
            "receiving_unit": header.receiving_unit,
            "subject_unit": header.subject_unit,
        }
        subject = self._place(header.subject_unit, header.code)
        if isinstance(subject, dict):
            return "to_decide", {**base, "action": "decide", **subject}
        try:
            assignment = self._resolve(header.procedure_id, subject, header.channel)
        except (UnknownUnitError, MalformedCodeError) as exc:
            problem, reason = "ambiguous place", str(exc)
        except (NoCompetentAuthorityError, UnknownProcedureError, InvalidInputError) as exc:
            problem, reason = "no successor rule", str(exc)
        else:
            problem = reason = ""
        if problem:
            return "to_decide", {
                **base,
                "action": "decide",
                "problem": problem,
                "reason": reason,
                "candidates": [],
            }
        new_receiving = self._receiving(header.receiving_unit, subject, assignment)
        to_agency = assignment.competent.agency
        steps = tuple(
            StepPlan(name=s.name, agency=s.authority.agency, share=s.share)
            for s in assignment.steps
        )
        changes = []
        if to_agency != header.competent:
            changes.append(f"competent: {header.competent} → {to_agency}")
        if new_receiving != header.receiving_unit:
            changes.append(f"receiving unit: {header.receiving_unit} → {new_receiving}")
        if subject != header.subject_unit:
            changes.append(f"unit: {header.subject_unit} → {subject}")
        if assignment.returns_at != header.returns_at:
            changes.append(f"returns at: {header.returns_at} → {assignment.returns_at}")
        if not changes:
            return "unchanged", None
        late = then.clock_state(self.cutover) is ClockState.OVERDUE
        appointment = None
        if self.reorg.restart_clock and dossier.status in (Status.RECEIVED, Status.IN_PROGRESS):
            calendar = self.calendar or WorkingCalendar.vietnam()
            appointment = calendar.due_at(self.cutover, assignment.time_limit, assignment.policy)
        at = max(self.cutover, dossier.events[-1].at)
        reason = f"reorganisation {self.reorg.id} at {self.cutover.isoformat()}: " + "; ".join(
            changes
        )
        event = HandedOver(
            at=at,
            actor=header.competent,
            from_agency=header.competent,
            to_agency=to_agency,
            receiving_unit=new_receiving,
            subject_unit=subject,
            returns_at=assignment.returns_at,
            legal_basis=self.reorg.legal_basis_text,
            plan_id="-",
            reason=reason,
            steps=None if steps == header.steps else steps,
            appointment=appointment,
        )
        record = event_to_record(event)
        record["data"].pop("plan_id", None)
        return "handover", {
            **base,
            "action": "handover",
            "to_agency": to_agency,
            "late": late,
            "rules": list(assignment.rule_ids),
            "event": record,
        }

    def _place(self, code: str, dossier_code: str) -> str | dict[str, Any]:
        rows = self.follow(code)
        if rows is None:
            return code
        chosen = self.decisions.get(dossier_code)
        if chosen is not None:
            if chosen not in {r.code for r in rows}:
                names = ", ".join(r.code for r in rows) or "none"
                msg = (
                    f"the decision for dossier {dossier_code} names unit {chosen!r}, not one of "
                    f"the successors of {code} ({names})"
                )
                raise InvalidInputError(msg, field="decisions", value=chosen)
            return chosen
        if len(rows) == 1:
            return rows[0].code
        candidates = [{"code": r.code, "name": r.name, "how": r.how.value} for r in rows]
        if not rows:
            return {
                "problem": "no successor",
                "reason": f"unit {code} has no successor in the reorganisation {self.reorg.id}",
                "candidates": [],
            }
        names = ", ".join(f"{r.name} ({r.code})" for r in rows)
        return {
            "problem": "split",
            "reason": f"unit {code} was split between {names}; the address decides",
            "candidates": candidates,
        }

    def _resolve(self, procedure_id: str, unit: str, channel: Any) -> Assignment:
        rules = self.reorg.rules
        return rules.resolve(procedure_id, unit, self.day, channel)


def _dump(value: Mapping[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def write_plan(
    store: DossierStore,
    reorganisation: Reorganisation,
    out: TextIO,
    *,
    decisions: Mapping[str, str] | None = None,
    calendar: WorkingCalendar | None = None,
    progress: Callable[[Iterable[Dossier]], Iterable[Dossier]] | None = None,
) -> PlanSummary:
    """Stream ``store`` and write the handover plan to ``out``, one entry per line.

    Args:
        store: the dossiers.
        reorganisation: the cutover, the succession and the rules after it.
        out: where the plan goes (a text file, or ``io.StringIO``).
        decisions: dossier code -> the successor unit a person chose for a split place.
        calendar: the working calendar for a reorganisation that restarts the clock.
        progress: wraps the stream of dossiers (e.g. to draw a progress bar).

    Returns:
        What the plan found, with its identifier.

    Raises:
        InvalidInputError: a dossier opened after the cutover names a unit the reorganisation
            abolishes (the cutover is before the dossiers' own receipt), or a decision names a
            unit that is not a successor. Write to a temporary file if a failed plan must leave
            nothing behind.
    """
    planner = _Planner(reorganisation, decisions or {}, calendar)
    digest = hashlib.sha256()
    store_digest = hashlib.sha256()
    counts: Counter[str] = Counter()
    header = {
        "format": PLAN_FORMAT,
        "kind": _KIND,
        "reorganisation": reorganisation.id,
        "cutover": reorganisation.cutover.isoformat(),
        "legal_basis": reorganisation.legal_basis_text,
    }
    first_line = _dump(header)[:-1] + ',"entries":[\n'
    out.write(first_line)
    digest.update(first_line.encode())
    stream: Iterable[Dossier] = store.stream()
    if progress is not None:
        stream = progress(stream)
    first = True
    for dossier in stream:
        counts["scanned"] += 1
        started = dossier.clock.started_at
        if started is not None and started < reorganisation.cutover:
            store_digest.update(dossier.code.encode() + b"\n")
        kind, entry = planner.entry(dossier)
        counts[kind] += 1
        if entry is None:
            continue
        if entry.get("late"):
            counts["late"] += 1
        line = _dump(entry)
        digest.update(line.encode() + b"\n")
        out.write(("" if first else ",") + line + "\n")
        first = False
    fields = {
        "scanned": counts["scanned"],
        "handovers": counts["handover"],
        "to_decide": counts["to_decide"],
        "closed": counts["closed"],
        "unchanged": counts["unchanged"],
        "after_cutover": counts["after_cutover"],
        "already": counts["already"],
        "late": counts["late"],
    }
    trailer: dict[str, Any] = {"summary": fields, "store_digest": store_digest.hexdigest()}
    digest.update(_dump(trailer).encode())
    plan_id = "HO-" + digest.hexdigest()[:20]
    trailer["id"] = plan_id
    out.write("]," + _dump(trailer)[1:] + "\n")
    return PlanSummary(
        id=plan_id,
        reorganisation=reorganisation.id,
        cutover=reorganisation.cutover,
        **fields,
    )


# --------------------------------------------------------------------------------------------
# Reading a plan


class HandoverPlan:
    """A plan written by :func:`write_plan`, read back one entry at a time.

    Open it with :meth:`open` (a file) or :meth:`from_text`. Reading checks the layout and the
    identifier (a digest of the content): a plan edited by hand is refused.
    """

    def __init__(self, lines: Callable[[], Iterator[str]], where: str) -> None:
        """Read a plan from a function that opens its lines; prefer :meth:`open`."""
        self._lines = lines
        self._where = where
        self.header, trailer = self._check()
        self.id: str = trailer["id"]
        try:
            self.store_digest: str = str(trailer["store_digest"])
            cutover = dt.datetime.fromisoformat(self.header["cutover"])
            self.summary = PlanSummary(
                id=self.id,
                reorganisation=str(self.header["reorganisation"]),
                cutover=cutover.astimezone(VIETNAM_TZ),
                **trailer["summary"],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise self._fail(f"a header or summary field is missing or malformed ({exc})") from None

    @classmethod
    def open(cls, path: str | Path) -> HandoverPlan:
        """Read the plan file at ``path``.

        Raises:
            DataFileError: the file is missing, is not a govtier handover plan, or was changed.
        """

        def lines() -> Iterator[str]:  # a regular file, each line bounded (no FIFO, /dev/zero)
            return iter_lines(path, max_line=MAX_DATA_FILE_BYTES)

        return cls(lines, str(path))

    @classmethod
    def from_text(cls, text: str) -> HandoverPlan:
        """Read a plan held in a string (e.g. written to ``io.StringIO``)."""
        return cls(lambda: iter(io.StringIO(text)), "<plan>")

    def _fail(self, problem: str) -> DataFileError:
        return DataFileError(f"not a valid govtier handover plan: {problem}", path=self._where)

    def _check(self) -> tuple[dict[str, Any], dict[str, Any]]:
        lines = self._lines()
        try:
            return self._check_lines(lines)
        finally:
            close = getattr(lines, "close", None)
            if close is not None:
                close()

    def _check_lines(self, lines: Iterator[str]) -> tuple[dict[str, Any], dict[str, Any]]:
        digest = hashlib.sha256()
        first = next(lines, "")
        suffix = ',"entries":[\n'
        if not first.endswith(suffix):
            raise self._fail("the first line must open the entries")
        try:
            header = json.loads(first[: -len(suffix)] + "}")
        except ValueError:
            raise self._fail("the first line is not JSON") from None
        if header.get("kind") != _KIND or header.get("format") != PLAN_FORMAT:
            raise self._fail(f"expected kind {_KIND!r} format {PLAN_FORMAT}")
        digest.update(first.encode())
        trailer: dict[str, Any] | None = None
        for line in lines:
            if line.startswith("],"):
                try:
                    trailer = json.loads("{" + line[2:])
                except ValueError:
                    raise self._fail("the last line is not JSON") from None
                break
            digest.update(line.lstrip(",").encode())
        if not isinstance(trailer, dict) or not isinstance(trailer.get("id"), str):
            raise self._fail("the file ends before the plan's identifier")
        plan_id = trailer.pop("id")
        digest.update(_dump(trailer).encode())
        if "HO-" + digest.hexdigest()[:20] != plan_id:
            msg = f"its content does not match its identifier {plan_id} (was it edited?)"
            raise self._fail(msg)
        trailer["id"] = plan_id
        return header, trailer

    @property
    def cutover(self) -> dt.datetime:
        """The cutover moment."""
        return self.summary.cutover

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every entry (handovers and dossiers to decide), in dossier code order."""
        lines = self._lines()
        next(lines, None)
        for line in lines:
            if line.startswith("],"):
                return
            try:
                entry: object = json.loads(line.lstrip(","))
            except ValueError:
                raise self._fail("an entry is not JSON") from None
            if not isinstance(entry, dict) or not {"action", "code", "version"} <= entry.keys():
                raise self._fail("an entry has no action, code or version")
            yield entry

    def event(self, entry: Mapping[str, Any]) -> Event:
        """The handover event of a handover entry, carrying this plan's identifier."""
        record = dict(entry["event"])
        record["data"] = {**record["data"], "plan_id": self.id}
        return event_from_record(record, where=f"plan entry {entry['code']}")


# --------------------------------------------------------------------------------------------
# Applying


@attrs.frozen(kw_only=True)
class ApplyResult:
    """What :func:`apply_plan` did.

    Attributes:
        plan_id: the plan applied.
        written: handover events written by this run.
        already: dossiers this plan had already handed over (an earlier or interrupted run).
        to_decide: dossiers left for a person.
    """

    plan_id: str
    written: int
    already: int
    to_decide: int


def _merge(
    entries: Iterator[dict[str, Any]], summaries: Iterator[Any]
) -> Iterator[tuple[dict[str, Any], Any]]:
    """Pair plan entries with the store's summaries; both are in code order."""
    current = next(summaries, None)
    for entry in entries:
        code = entry["code"]
        while current is not None and current.code < code:
            current = next(summaries, None)
        found = current if current is not None and current.code == code else None
        yield entry, found


def _handed_by(store: DossierStore, code: str, version: int, plan_id: str) -> bool:
    events = store.load_events(code)
    if len(events) <= version:
        return False
    event = events[version]
    return isinstance(event, HandedOver) and event.plan_id == plan_id


def apply_plan(
    store: DossierStore,
    plan: HandoverPlan,
    *,
    batch_size: int = _BATCH,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ApplyResult:
    """Hand over every planned dossier: append its :class:`~govtier.dossier.HandedOver` event.

    First every entry is checked against the store (nothing is written if one fails); then the
    events are appended in batches, each with the version the plan saw and the idempotency key
    ``handover:<plan id>:<code>``. A dossier this plan already handed over is skipped, so a
    second run writes nothing and a run interrupted at any point can be run again.

    Args:
        store: the store the plan was made from.
        plan: the plan.
        batch_size: dossiers per transaction.
        progress: wraps the stream of entries being written (e.g. to draw a progress bar).

    Raises:
        InvalidInputError: the plan was made from another store, or a planned dossier changed
            since (its version moved and it was not handed over by this plan); nothing written.
        ConcurrencyError: a dossier changed while the plan was being applied (the batches
            already written stay; run again after a new plan).
    """
    size: object = batch_size
    if isinstance(size, bool) or not isinstance(size, int) or batch_size < 1:
        msg = f"batch_size must be a positive integer, got {batch_size!r}"
        raise InvalidInputError(msg, field="batch_size", value=batch_size)
    digest = hashlib.sha256()
    cutover = plan.cutover
    for summary in store.stream_summaries():
        if summary.received_at is not None and summary.received_at < cutover:
            digest.update(summary.code.encode() + b"\n")
    if digest.hexdigest() != plan.store_digest:
        msg = (
            f"plan {plan.id} was not made from this store (the dossiers opened before the "
            "cutover differ); make a new plan from this store. Nothing was written"
        )
        raise InvalidInputError(msg, field="store", value=plan.id)
    pending = already = decide = 0
    for entry, found in _merge(plan.entries(), store.stream_summaries()):
        code, version = entry["code"], entry["version"]
        if found is None:
            msg = f"plan {plan.id} names dossier {code}, which this store does not hold"
            raise InvalidInputError(msg, field="store", value=plan.id)
        if entry["action"] != "handover":
            decide += 1
        elif found.version == version:
            pending += 1
        elif found.version > version and _handed_by(store, code, version, plan.id):
            already += 1
        else:
            msg = (
                f"dossier {code} changed since plan {plan.id} was made (version {found.version}, "
                f"the plan saw {version}); make a new plan. Nothing was written"
            )
            raise InvalidInputError(msg, field="plan", value=plan.id)
    written = 0
    if pending:
        batch: list[Append] = []
        todo: Iterable[Any] = _merge(plan.entries(), store.stream_summaries())
        if progress is not None:
            todo = progress(todo)
        for entry, found in todo:
            if entry["action"] != "handover" or found is None or found.version != entry["version"]:
                continue
            batch.append(
                Append(
                    code=entry["code"],
                    events=(plan.event(entry),),
                    expected_version=entry["version"],
                    idempotency_key=f"handover:{plan.id}:{entry['code']}",
                )
            )
            if len(batch) >= batch_size:
                store.append_many(batch)
                written += len(batch)
                batch = []
        if batch:
            store.append_many(batch)
            written += len(batch)
    return ApplyResult(plan_id=plan.id, written=written, already=already, to_decide=decide)


# --------------------------------------------------------------------------------------------
# The report


@attrs.frozen(kw_only=True)
class HandoverReport:
    """What a handover moves: counts from each old authority to each new one, and the lists.

    Attributes:
        summary: the plan's summary.
        flows: ``(old authority, new authority, dossiers)``, largest first.
        to_decide: ``(dossier code, problem, reason, candidate unit codes)`` for a person.
        late: the codes of the dossiers handed over that were already late at the cutover.
    """

    summary: PlanSummary
    flows: tuple[tuple[str, str, int], ...]
    to_decide: tuple[tuple[str, str, str, tuple[str, ...]], ...]
    late: tuple[str, ...]

    def to_text(self, lang: str | None = None) -> str:
        """The report as plain-text tables, in ``lang`` (default: see :mod:`govtier.i18n`)."""
        code = resolve_language(lang)
        s = self.summary
        lines = [
            tr(
                "Handover plan {id} ({reorganisation}, cutover {cutover})",
                code,
                id=s.id,
                reorganisation=s.reorganisation,
                cutover=s.cutover.isoformat(),
            ),
            tr(
                "scanned {scanned}; to hand over {handovers} ({late} already late); to decide "
                "{to_decide}; closed {closed}; unchanged {unchanged}; opened after the cutover "
                "{after}; already handed over {already}",
                code,
                scanned=format(s.scanned, ","),
                handovers=format(s.handovers, ","),
                late=format(s.late, ","),
                to_decide=format(s.to_decide, ","),
                closed=format(s.closed, ","),
                unchanged=format(s.unchanged, ","),
                after=format(s.after_cutover, ","),
                already=format(s.already, ","),
            ),
        ]
        if self.flows:
            head_from, head_to, head_n = tr("from", code), tr("to", code), tr("dossiers", code)
            width = max(len(a) for a, _, _ in (*self.flows, (head_from, "", 0)))
            other = max(len(b) for _, b, _ in (*self.flows, ("", head_to, 0)))
            lines.append("")
            lines.append(f"{head_from:<{width}}    {head_to:<{other}}  {head_n}")
            lines.extend(f"{a:<{width}}  → {b:<{other}}  {n:>8,}" for a, b, n in self.flows)
        if self.to_decide:
            lines.append("")
            lines.append(tr("to decide (dossier, problem, candidates):", code))
            for dossier, problem, _reason, candidates in self.to_decide:
                lines.append(f"  {dossier}  {problem}  {', '.join(candidates) or '-'}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready values."""
        return {
            "summary": self.summary.to_dict(),
            "flows": [{"from": a, "to": b, "dossiers": n} for a, b, n in self.flows],
            "to_decide": [
                {"code": c, "problem": p, "reason": r, "candidates": list(cands)}
                for c, p, r, cands in self.to_decide
            ],
            "late": list(self.late),
        }


def handover_report(plan: HandoverPlan) -> HandoverReport:
    """The report of a plan, read one entry at a time.

    >>> import io
    >>> from govtier.storage import MemoryStore
    >>> out = io.StringIO()
    >>> _ = write_plan(MemoryStore(), Reorganisation.reform_2025(), out)
    >>> handover_report(HandoverPlan.from_text(out.getvalue())).summary.handovers
    0
    """
    flows: Counter[tuple[str, str]] = Counter()
    decide: list[tuple[str, str, str, tuple[str, ...]]] = []
    late: list[str] = []
    for entry in plan.entries():
        if entry["action"] == "handover":
            flows[(entry["from_agency"], entry["to_agency"])] += 1
            if entry.get("late"):
                late.append(entry["code"])
        else:
            candidates = tuple(c["code"] for c in entry.get("candidates", ()))
            decide.append((entry["code"], entry["problem"], entry["reason"], candidates))
    ordered = sorted(flows.items(), key=lambda item: (-item[1], item[0]))
    return HandoverReport(
        summary=plan.summary,
        flows=tuple((a, b, n) for (a, b), n in ordered),
        to_decide=tuple(decide),
        late=tuple(late),
    )

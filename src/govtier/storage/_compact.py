"""The compact stored form of events (store schema version 2), shared by the SQL stores.

An event is stored as a row ``(dossier id, seq, kind number, at, data)``: the moment is an integer
(microseconds since 1970-01-01 UTC) in a column of its own, the kind a small integer, and ``data``
a JSON array of the event's other fields in the order :data:`FIELDS` pins for its kind, every
moment an integer, ``null`` for a field at its "nothing" default (``None`` or ``()``) and the
trailing ``null`` values left out. No field name is stored.

A header's *terms* (the procedure's name, code and version, its time limit, deadline policy and
clock rules, the competent authority, the returning office and the planned steps: what the
catalogue and rules said when the dossier was received) are the same for thousands of dossiers;
they are stored once, in the ``terms`` table, as the full values of that moment, and a header
refers to them by number. So is its intake check (the same for every dossier of one procedure,
unit and channel). A stored dossier therefore folds to the same value whatever the bundled data
says later: nothing is derived again when reading.

The kind numbers and the field orders are part of the stored format: :data:`KINDS` only grows,
and a new field of an event is added at the end of its kind's :data:`FIELDS`. Rows written by
the first development version of this schema (a JSON object with field names) are still read.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import linecache
import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from govtier._guard import extra_keys, hide_cause
from govtier._records import converter
from govtier.calendar import VIETNAM_TZ
from govtier.catalogue import Channel
from govtier.dossier import (
    EVENT_TYPES,
    Applicant,
    DossierHeader,
    Event,
    Phase,
    Status,
    Timeliness,
)
from govtier.errors import CorruptRecordError, InvalidInputError
from govtier.jurisdiction import IntakeCheck

__all__ = [
    "APPLICANT_FIELDS",
    "CHANNELS",
    "CHANNEL_OF",
    "FIELDS",
    "HEADER_FIELDS",
    "KINDS",
    "STATUS_OF",
    "TERMS_FIELDS",
    "TIMELINESSES",
    "TIMELINESS_OF",
    "Codec",
    "from_micros",
    "micros",
    "read_timeline",
    "write_timeline",
]

KINDS: Final[tuple[str, ...]] = (
    "submitted",
    "received",
    "refused",
    "supplement_requested",
    "supplemented",
    "transferred",
    "payment_requested",
    "paid",
    "apologised",
    "stopped",
    "decided",
    "returned",
    "withdrawn",
    "handed_over",
)
"""The stored number of each event kind is its index here (append new kinds at the end)."""

TERMS_FIELDS: Final[tuple[str, ...]] = (
    "procedure_id",
    "procedure_version",
    "procedure_code",
    "procedure_name",
    "competent",
    "returns_at",
    "time_limit",
    "policy",
    "clock",
    "steps",
)
"""The header fields stored once per distinct value in the ``terms`` table."""

FIELDS: Final[Mapping[str, tuple[str, ...]]] = types.MappingProxyType(
    {
        "submitted": ("actor", "header"),
        "received": ("actor", "appointment", "components", "header", "intake_exception"),
        "refused": ("actor", "reason", "legal_basis", "header"),
        "supplement_requested": ("actor", "components", "reason"),
        "supplemented": ("actor", "components", "appointment", "step_due"),
        "transferred": ("actor", "step", "to", "step_due"),
        "payment_requested": ("actor", "amount", "reason"),
        "paid": ("actor", "appointment", "step_due"),
        "apologised": ("actor", "reason", "appointment"),
        "stopped": ("actor", "reason", "legal_basis"),
        "decided": ("actor", "outcome", "document", "reason"),
        "returned": ("actor", "method"),
        "withdrawn": ("actor", "reason"),
        "handed_over": (
            "actor",
            "from_agency",
            "to_agency",
            "receiving_unit",
            "subject_unit",
            "returns_at",
            "legal_basis",
            "plan_id",
            "reason",
            "steps",
            "appointment",
        ),
    }
)
"""The stored order of each event kind's fields (``at`` has its own column): append only."""

HEADER_FIELDS: Final[tuple[str, ...]] = (
    "terms",
    "receiving_unit",
    "subject_unit",
    "channel",
    "applicant",
    "intake",
    "code",
)
"""The stored order of a header: its terms number, its own fields, its intake check's number,
and its code only when it is not the dossier's (append only)."""

APPLICANT_FIELDS: Final[tuple[str, ...]] = (
    "kind",
    "name",
    "id_number",
    "phone",
    "email",
    "address",
)
"""The stored order of an applicant's fields (append only)."""

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND: Final = dt.timedelta(microseconds=1)
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_TERMS_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def micros(moment: dt.datetime) -> int:
    """An aware moment as integer microseconds since 1970-01-01 UTC."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    """The moment of :func:`micros`, in Asia/Ho_Chi_Minh."""
    if type(value) is not int:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"expected an integer moment, got {type(value).__name__}"
            raise TypeError(msg)
        value = int(value)
    if _STEADY_FROM <= value < _STEADY_UNTIL:  # (a third of the time of the general way)
        return _STEADY_BASE + _MICROSECOND * (value - _STEADY_FROM)
    seconds, rest = divmod(value, 1_000_000)
    return dt.datetime.fromtimestamp(seconds, VIETNAM_TZ).replace(microsecond=rest)


def _steady_span() -> tuple[dt.datetime, int, int]:
    """Where Vietnam's offset from UTC holds steady: from 1976 until the tz data says otherwise.

    Inside it a moment is the span's start plus a duration; outside, the time zone is asked.
    The span is checked twice a year up to 2100 against the time zone data of this machine.
    """
    start = dt.datetime(1976, 1, 1, tzinfo=VIETNAM_TZ)
    offset = start.utcoffset()
    until = start
    for year in range(1976, 2101):
        for month in (1, 4, 7, 10):
            moment = dt.datetime(year, month, 1, tzinfo=VIETNAM_TZ)
            if moment.utcoffset() != offset:
                return start, micros(start), micros(until)
            until = moment
    return start, micros(start), micros(until)


_STEADY_BASE, _STEADY_FROM, _STEADY_UNTIL = _steady_span()


STATUS_OF: Final[Mapping[int, Status]] = types.MappingProxyType({s.value: s for s in Status})
"""A stored status number's :class:`~govtier.dossier.Status` (a dict lookup: no enum call)."""

CHANNEL_OF: Final[Mapping[str, Channel]] = types.MappingProxyType({c.value: c for c in Channel})
"""A stored channel's :class:`~govtier.catalogue.Channel`."""

TIMELINESS_OF: Final[Mapping[str, Timeliness]] = types.MappingProxyType(
    {t.value: t for t in Timeliness}
)
"""A stored timeliness's :class:`~govtier.dossier.Timeliness`."""

CHANNELS: Final[tuple[Channel, ...]] = (Channel.IN_PERSON, Channel.POST, Channel.ONLINE)
"""The number PostgreSQL stores for a channel is its index here (append new ones at the end)."""

TIMELINESSES: Final[tuple[Timeliness, ...]] = (
    Timeliness.EARLY,
    Timeliness.ON_TIME,
    Timeliness.LATE,
)
"""The number PostgreSQL stores for a timeliness is its index here (append only)."""


def write_timeline(phases: Sequence[Phase], apologised_at: dt.datetime | None) -> str:
    """A dossier's timeline as the compact text a store keeps in one column.

    One ``status,moment,appointment`` group per phase, ``;`` between them. Moments are whole
    microseconds since the Unix epoch, in hexadecimal: the first phase's in full, each later
    one after the phase before it; the appointment after its phase's moment (signed), ``n`` for
    none, or nothing when it is the previous phase's. The first apology's moment, if any, ends
    the text as ``!`` and its distance from the first phase. Six phases take about 70
    characters. :func:`read_timeline` reads it back.
    """
    parts: list[str] = []
    previous_at = 0
    previous_due: int | None = None
    for phase in phases:
        at = micros(phase.at)
        due = None if phase.appointment is None else micros(phase.appointment)
        if due == previous_due and parts:
            due_text = ""
        elif due is None:
            due_text = "n"
        else:
            due_text = format(due - at, "x")
        parts.append(f"{phase.status.value},{format(at - previous_at, 'x')},{due_text}")
        previous_at, previous_due = at, due
    text = ";".join(parts)
    if apologised_at is not None and phases:
        text += "!" + format(micros(apologised_at) - micros(phases[0].at), "x")
    return text


_TIMELINE_FORM: Final = re.compile(
    r"\d{1,3},[0-9a-f]{1,16},(?:n|-?[0-9a-f]{1,16})?"
    r"(?:;\d{1,3},[0-9a-f]{1,16},(?:n|-?[0-9a-f]{1,16})?)*"
    r"(?:![0-9a-f]{1,16})?"
)
"""The compact timeline text (checked whole, once: then every number is plain hex digits)."""


def read_timeline(text: str) -> tuple[tuple[Phase, ...], dt.datetime | None]:
    """The phases and first apology of :func:`write_timeline`'s text; empty text: no phases.

    The JSON the first development form of schema 2 wrote is read too.

    A reader of a few million summaries spends most of its time here, hence the local names.

    Raises:
        ValueError, TypeError, KeyError, OverflowError, OSError: not such a timeline.
    """
    if not text:
        return (), None
    if text.startswith("{"):
        return _timeline_from_json(text)
    if _TIMELINE_FORM.fullmatch(text) is None:
        raise ValueError
    body, _, apology = text.partition("!")
    values = body.replace(";", ",").split(",")
    status_of, low, high, base, unit = (
        _STATUS_BY_TEXT,
        _STEADY_FROM,
        _STEADY_UNTIL,
        _STEADY_BASE,
        _MICROSECOND,
    )
    phases = []
    at = 0
    due: dt.datetime | None = None  # (an appointment kept by the next phase is one value)
    for index in range(0, len(values), 3):
        at += int(values[index + 1], 16)
        due_text = values[index + 2]
        if due_text == "n":
            due = None
        elif due_text:
            value = at + int(due_text, 16)
            due = base + unit * (value - low) if low <= value < high else from_micros(value)
        moment = base + unit * (at - low) if low <= at < high else from_micros(at)
        phases.append(Phase(at=moment, status=status_of[values[index]], appointment=due))
    apologised = None
    if apology:
        apologised = from_micros(micros(phases[0].at) + int(apology, 16))
    return tuple(phases), apologised


_STATUS_BY_TEXT: Final = {str(s.value): s for s in Status}


def _timeline_from_json(text: str) -> tuple[tuple[Phase, ...], dt.datetime | None]:
    """The first development form: ``{"p": [[moment, status, appointment], ...], "a": ...}``."""
    data = json.loads(text)

    def moment(value: object) -> dt.datetime | None:
        return None if value is None else from_micros(value)  # type: ignore[arg-type]

    phases = []
    for at, status, due in data["p"]:
        when = moment(at)
        if when is None:
            raise ValueError
        phases.append(Phase(at=when, status=STATUS_OF[status], appointment=moment(due)))
    return tuple(phases), moment(data["a"])


_MOMENT, _PLAIN, _ENUM, _LIST, _VALUE, _HEADER, _OTHER = range(7)


def _how(type_: Any) -> tuple[int, Any]:
    args = [a for a in typing.get_args(type_) if a is not type(None)]
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and len(args) == 1:
        type_ = args[0]
    if type_ is dt.datetime:
        return _MOMENT, None
    if type_ in (str, int, bool):
        return _PLAIN, type_
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return _ENUM, type_
    if type_ == tuple[str, ...]:
        return _LIST, None
    if type_ is DossierHeader:
        return _HEADER, None
    if type_ is Applicant:
        return _VALUE, _Spec(Applicant)
    return _OTHER, type_


class _Spec:
    """How the fields of one class are written and read (``at`` excepted: it has a column)."""

    def __init__(self, cls: type, leave_out: tuple[str, ...] = ("at",)) -> None:
        attrs.resolve_types(cls)
        self.cls = cls
        fields = [f for f in attrs.fields(cls) if f.init and f.name not in leave_out]
        self.fields = [(f.name, *_how(f.type)) for f in fields]
        self.by_name = {name: (how, arg) for name, how, arg in self.fields}
        # a value is left out only when it is the field's own "nothing" default (None or ())
        self.empty = {f.name: f.default for f in fields if f.default is None or f.default == ()}


def _check_text(value: object, want: type) -> None:
    if isinstance(value, bool) and want is not bool:
        raise TypeError(want.__name__)
    if not isinstance(value, want):
        raise TypeError(want.__name__)


class Codec:
    """Writes and reads compact event rows for one store; keeps the terms it has seen.

    Args:
        add_terms: stores a shared body (terms, or an intake check) with its SHA-256 digest and
            gives its number; called inside the write transaction, once per new distinct body.
        read_terms: gives the body of a stored number (``None``: no such number).
    """

    def __init__(
        self,
        add_terms: Callable[[str, bytes], int],
        read_terms: Callable[[int], str | None],
    ) -> None:
        self._add_terms = add_terms
        self._read_terms = read_terms
        self._specs: dict[type, _Spec] = {cls: _Spec(cls) for cls in EVENT_TYPES}
        self._kind_of = {cls: KINDS.index(cls.kind) for cls in EVENT_TYPES}
        self._class_of = {KINDS.index(cls.kind): cls for cls in EVENT_TYPES}
        attrs.resolve_types(DossierHeader)
        self._terms_types: dict[str, Any] = {f.name: f.type for f in attrs.fields(DossierHeader)}
        self._header_spec = _Spec(DossierHeader, leave_out=(*TERMS_FIELDS, "code"))
        self._applicant_spec = _Spec(Applicant)
        self._writers = {cls: self._make_writer(self._specs[cls], cls.kind) for cls in EVENT_TYPES}
        self._ids: dict[tuple[Any, ...], int] = {}  # committed shared bodies by value
        self._tentative: dict[tuple[Any, ...], int] = {}  # added in the open transaction
        self._terms: dict[int, dict[str, Any]] = {}  # read terms by number
        self._intakes: dict[int, IntakeCheck] = {}  # read intake checks by number

    # -- transactions of the store --------------------------------------------------------------

    def commit(self) -> None:
        """The write transaction committed: the terms it added are known for good."""
        self._ids.update(self._tentative)
        self._tentative.clear()

    def rollback(self) -> None:
        """The write transaction rolled back: forget the terms it added."""
        self._tentative.clear()

    # -- writing --------------------------------------------------------------------------------

    def row(self, code: str, event: Event) -> tuple[int, int, str]:
        """``(kind number, at, data)`` of an event of dossier ``code``."""
        kind, at, values = self._values(code, event)
        return kind, at, _ENCODER.encode(values)

    def _values(self, code: str, event: Event) -> tuple[int, int, list[Any]]:
        cls = type(event)
        writer = self._writers.get(cls)
        if writer is None:
            msg = f"expected a govtier dossier event, got {cls.__name__}"
            raise InvalidInputError(msg, field="event", value=cls.__name__)
        values = writer(event, code)
        while values and values[-1] is None:
            values.pop()
        return self._kind_of[cls], micros(event.at), values

    def pack(self, code: str, events: Sequence[Event]) -> tuple[int, str]:
        """One row's ``(at, data)`` for consecutive events of dossier ``code`` (PostgreSQL's form).

        ``at`` is the first event's moment (the row's own column, which the partitioned layout
        ranges by month). ``data`` is a JSON array with one item an event: ``[kind number,
        seconds after the moment before, values]``, and a fourth value, the microseconds beyond
        the whole seconds, when there are any; the first item counts from ``at`` (so 0). The
        values are :meth:`row`'s, except an actor the same as the event before's, written ``0``
        (an actor is text: the number cannot be one). The events an append brings share one
        row, so a dossier imported whole is one row, not one per event.
        """
        values_of = self._values
        first = before = micros(events[0].at)
        actor: Any = None
        items: list[list[Any]] = []
        for event in events:
            kind, at, values = values_of(code, event)
            if values:
                if values[0] is not None and values[0] == actor:
                    values[0] = 0
                else:
                    actor = values[0]
            seconds, rest = divmod(at - before, 1_000_000)
            items.append([kind, seconds, values, rest] if rest else [kind, seconds, values])
            before = at
        return first, _ENCODER.encode(items)

    def _make_writer(self, spec: _Spec, kind: str) -> Callable[[Any, str], list[Any]]:
        """The function writing one event class's values in their pinned order.

        Generated, as attrs generates its methods: no loop over the fields, no lookup by name.
        """
        namespace: dict[str, Any] = {
            "micros": micros,
            "header": self._header,
            "applicant": self._applicant,
            "unstructure": converter.unstructure,
        }
        parts = []
        for index, name in enumerate(FIELDS[kind]):
            how, arg = spec.by_name[name]
            nothing = spec.empty.get(name, _REQUIRED)
            value = f"ev.{name}"
            if how == _MOMENT:
                part = f"micros({value})"
            elif how == _ENUM:
                part = f"{value}.value"
            elif how == _LIST:
                part = f"list({value})"
            elif how == _HEADER:
                part = f"header({value}, code)"
            elif how == _VALUE:
                part = f"applicant({value})"
            elif how == _OTHER:
                namespace[f"T{index}"] = arg
                part = f"unstructure({value}, T{index})"
            else:
                part = value
            if nothing is None and part != value:
                part = f"None if (v := {value}) is None else {part.replace(value, 'v')}"
            elif nothing == ():
                part = f"{part.replace(value, 'v')} if (v := {value}) else None"
            parts.append(part)
        body = ",\n        ".join(parts)
        source = f"def write(ev, code):\n    return [\n        {body},\n    ]\n"
        filename = f"<govtier generated row writer {spec.cls.__qualname__}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
        exec(compile(source, filename, "exec"), namespace)  # noqa: S102  (our own field names)
        writer: Callable[[Any, str], list[Any]] = namespace["write"]
        return writer

    def _applicant(self, applicant: Applicant) -> list[Any]:
        data = [
            applicant.kind.value,
            applicant.name,
            applicant.id_number,
            applicant.phone,
            applicant.email,
            applicant.address,
        ]
        while data and data[-1] is None:
            data.pop()
        return data

    def _header(self, header: DossierHeader, code: str) -> list[Any]:
        intake = header.intake
        data = [
            self._terms_id(header),
            header.receiving_unit,
            header.subject_unit,
            header.channel.value,
            self._applicant(header.applicant),
            None if intake is None else self._intake_id(intake),
            None if header.code == code else header.code,
        ]
        while data and data[-1] is None:
            data.pop()
        return data

    def _shared_id(self, key: tuple[Any, ...], body: Callable[[], str]) -> int:
        found = self._ids.get(key)
        if found is None:
            found = self._tentative.get(key)
        if found is None:
            text = body()
            found = self._add_terms(text, hashlib.sha256(text.encode()).digest())
            self._tentative[key] = found
        return found

    def _terms_id(self, header: DossierHeader) -> int:
        key = tuple(getattr(header, name) for name in TERMS_FIELDS)
        types_ = self._terms_types

        def body() -> str:
            return _TERMS_ENCODER.encode(
                {
                    name: converter.unstructure(value, types_[name])
                    for name, value in zip(TERMS_FIELDS, key, strict=True)
                }
            )

        return self._shared_id(key, body)

    def _intake_id(self, intake: IntakeCheck) -> int:
        def body() -> str:
            return _TERMS_ENCODER.encode({"intake": converter.unstructure(intake, IntakeCheck)})

        return self._shared_id((IntakeCheck, intake), body)

    # -- reading --------------------------------------------------------------------------------

    def unpack(self, code: str, seq: int, at: int, data: str | bytes) -> list[Event]:
        """The events of a :meth:`pack` row whose first event is number ``seq``.

        Raises:
            CorruptRecordError: the row cannot be read (the message names the dossier, the event
                and the field, never a value).
        """
        where = f"dossier {code}, event {seq}"
        cannot = f"{where}: the stored events row cannot be read"
        if type(at) is not int:
            msg = f"{cannot}: expected an integer moment, got {type(at).__name__} @ at"
            raise CorruptRecordError(msg)
        try:
            items = json.loads(data)
        except Exception as exc:
            raise hide_cause(CorruptRecordError(f"{cannot}: {_problem(exc)} @ $"), exc) from None
        if type(items) is not list or not items:
            shown = "an empty list" if items == [] else f"a {type(items).__name__}"
            msg = f"{cannot}: expected a non-empty list of events, got {shown} @ $"
            raise CorruptRecordError(msg)
        events = []
        event = self._event
        actor: Any = None
        for index, item in enumerate(items):
            where = f"dossier {code}, event {seq + index}"
            if (
                type(item) is not list
                or not 3 <= len(item) <= 4
                or type(item[1]) is not int
                or (len(item) == 4 and type(item[3]) is not int)
            ):
                shown = type(item).__name__ if type(item) is not list else f"{len(item)} values"
                msg = (
                    f"{where}: the stored events row cannot be read: expected "
                    f"[kind, seconds, values(, microseconds)], got {shown} @ $[{index}]"
                )
                raise CorruptRecordError(msg)
            at += item[1] * 1_000_000 + (item[3] if len(item) == 4 else 0)
            values = item[2]
            if type(values) is list and values:
                if type(values[0]) is int and values[0] == 0:
                    if actor is None:
                        msg = (
                            f"{where}: the stored events row cannot be read: the actor is the "
                            f"event before's, and there is none @ $[{index}][2][0]"
                        )
                        raise CorruptRecordError(msg)
                    values[0] = actor
                else:
                    actor = values[0]
            events.append(event(code, item[0], at, values, parsed=True, where=where))
        return events

    def event(self, code: str, kind: int, at: int, data: str | bytes, *, where: str) -> Event:
        """The event of a stored row.

        Raises:
            CorruptRecordError: the row cannot be read (the message names ``where`` and the
                field, never a value).
        """
        return self._event(code, kind, at, data, parsed=False, where=where)

    def _event(
        self, code: str, kind: Any, at: int, data: Any, *, parsed: bool, where: str
    ) -> Event:
        cls = self._class_of.get(kind) if type(kind) is int else None
        if cls is None:
            shown = kind if type(kind) is int else f"(a {type(kind).__name__})"
            msg = f"{where}: unknown stored event kind number {shown}"
            raise CorruptRecordError(msg)
        path = "$.at"
        try:
            kwargs: dict[str, Any] = {"at": from_micros(at)}
            path = "$"
            fields = data if parsed else json.loads(data)
            spec = self._specs[cls]
            if isinstance(fields, list):
                names = FIELDS[cls.kind]
                if len(fields) > len(names):
                    raise _FieldError("", problem="more values than the event has fields")
                for name, item in zip(names, fields, strict=False):
                    if item is not None:
                        kwargs[name] = self._read(spec, name, item, code)
            elif isinstance(fields, dict):  # the first development form: named fields
                for field, item in fields.items():
                    kwargs[field] = self._read(spec, field, item, code)
            else:
                raise TypeError(type(fields).__name__)
            return cls(**kwargs)
        except CorruptRecordError as exc:
            raise CorruptRecordError(f"{where}: {exc}") from exc
        except _FieldError as exc:
            cause = exc.__cause__
            problem = exc.problem or _problem(cause)
            at_path = f"$.{exc.path}" if exc.path else "$"
            msg = f"{where}: the stored {cls.kind!r} row cannot be read: {problem} @ {at_path}"
            error = CorruptRecordError(msg)
            raise (error if cause is None else hide_cause(error, cause)) from None
        except Exception as exc:
            msg = f"{where}: the stored {cls.kind!r} row cannot be read: {_problem(exc)} @ {path}"
            raise hide_cause(CorruptRecordError(msg), exc) from None

    def _read(self, spec: _Spec, name: str, item: Any, code: str) -> Any:
        if name not in spec.by_name:
            raise _FieldError("", problem=extra_keys([name])) from None
        try:
            return self._read_field(spec, name, item, code)
        except _FieldError as exc:
            path = f"{name}.{exc.path}" if exc.path else name
            raise _FieldError(path, exc.problem) from exc.__cause__
        except CorruptRecordError:
            raise
        except Exception as exc:
            raise _FieldError(name) from exc

    def _read_field(self, spec: _Spec, name: str, item: Any, code: str) -> Any:
        how, arg = spec.by_name[name]  # KeyError: an unknown field
        if how == _MOMENT:
            return from_micros(item)
        if how == _PLAIN:
            _check_text(item, arg)
            return item
        if how == _ENUM:
            return arg(item)
        if how == _LIST:
            if not isinstance(item, list):
                raise TypeError(name)
            for part in item:
                _check_text(part, str)
            return tuple(item)
        if how == _HEADER:
            return self._read_header(item, code)
        if how == _VALUE:
            if isinstance(item, list):
                return arg.cls(**self._positional(arg, APPLICANT_FIELDS, item, code))
            if not isinstance(item, dict):
                raise TypeError(name)
            return arg.cls(**{k: self._read(arg, k, v, code) for k, v in item.items()})
        return converter.structure(item, arg)

    def _positional(
        self, spec: _Spec, names: tuple[str, ...], items: list[Any], code: str
    ) -> dict[str, Any]:
        if len(items) > len(names):
            raise _FieldError("", problem="more values than fields")
        return {
            name: self._read(spec, name, item, code)
            for name, item in zip(names, items, strict=False)
            if item is not None
        }

    def _read_header(self, item: Any, code: str) -> DossierHeader:
        if isinstance(item, list):
            return self._read_header_list(item, code)
        if not isinstance(item, dict):
            raise TypeError("header")
        kwargs: dict[str, Any] = {"code": code}
        terms: Mapping[str, Any] | None = None
        spec = self._header_spec
        for name, value in item.items():
            if name == "terms":
                terms = self.terms(value)
            elif name == "code":
                _check_text(value, str)
                kwargs["code"] = value
            else:
                kwargs[name] = self._read(spec, name, value, code)
        if terms is None:
            raise _FieldError("terms") from KeyError("terms")
        return DossierHeader(**kwargs, **terms)

    def _read_header_list(self, item: list[Any], code: str) -> DossierHeader:
        if len(item) > len(HEADER_FIELDS):
            raise _FieldError("", problem="more values than fields")
        values = dict(zip(HEADER_FIELDS, item, strict=False))
        number = values.pop("terms", None)
        if number is None:
            raise _FieldError("terms") from KeyError("terms")
        terms = self.terms(number)
        kwargs: dict[str, Any] = {"code": code}
        given = values.pop("code", None)
        if given is not None:
            _check_text(given, str)
            kwargs["code"] = given
        intake = values.pop("intake", None)
        if intake is not None:
            try:
                kwargs["intake"] = self.intake(intake)
            except CorruptRecordError:
                raise
            except Exception as exc:
                raise _FieldError("intake") from exc
        spec = self._header_spec
        for name, value in values.items():
            if value is not None:
                kwargs[name] = self._read(spec, name, value, code)
        return DossierHeader(**kwargs, **terms)

    def terms(self, number: Any) -> Mapping[str, Any]:
        """The stored terms with that number, as header field values (read once, then kept)."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError("terms")
        found = self._terms.get(number)
        if found is None:
            raw = self._shared_body(number, set(TERMS_FIELDS), "terms", "are")
            found = {
                name: converter.structure(raw[name], self._terms_types[name])
                for name in TERMS_FIELDS
            }
            self._terms[number] = found
        return found

    def intake(self, number: Any) -> IntakeCheck:
        """The stored intake check with that number (read once, then kept)."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError("intake")
        found = self._intakes.get(number)
        if found is None:
            raw = self._shared_body(number, {"intake"}, "intake check", "is")
            found = converter.structure(raw["intake"], IntakeCheck)
            self._intakes[number] = found
        return found

    def _shared_body(self, number: int, keys: set[str], what: str, are: str) -> dict[str, Any]:
        """The JSON object stored once under ``number``, with exactly ``keys``."""
        body = self._read_terms(number)
        if body is None:
            msg = f"the stored {what} number {number} {are} missing"
            raise CorruptRecordError(msg)
        raw = json.loads(body)
        if not isinstance(raw, dict) or set(raw) != keys:
            msg = f"the stored {what} number {number} cannot be read"
            raise CorruptRecordError(msg)
        return raw


_REQUIRED: Final = object()
"""A field with no "nothing" default: always written."""


class _FieldError(Exception):
    """A stored field that cannot be read, by its path (the cause is the problem).

    An unexpected key is reported at its parent's path with ``problem`` set: the key itself may be
    a person's name, so it never enters the message.
    """

    def __init__(self, path: str, problem: str | None = None) -> None:
        super().__init__(path)
        self.path = path
        self.problem = problem


def _problem(exc: BaseException | None) -> str:
    if isinstance(exc, KeyError):
        return "unexpected or missing field"
    return f"invalid value ({type(exc).__name__})"

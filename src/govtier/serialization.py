"""JSON for every public value, and stored records: the one cattrs converter of govtier.

**Documents.** :func:`to_json` writes any public govtier value (a unit, a procedure, an
assignment, a dossier, a report, a portal record...) as a JSON *document*: the schema version, the
type name and the value's fields (``{"schema": 1, "type": "Dossier", "data": {...}}``).
:func:`from_json` reads one back, taking the type from the document (or checking it against the
class asked for). JSON Schema files (draft 2020-12) for the main documents ship in
``govtier/schemas/`` (see :data:`SCHEMA_FILES` and :func:`bundled_schema`); :func:`json_schema`
makes one for any document type.

**Stored records.** Every event a store writes is a *record*: a plain dict with the schema
version, the event kind and the event's fields (``{"schema": 1, "kind": "received", "data":
{...}}``). An event document is its record plus the type name.

**Field formats.** Field names are the attribute names of the classes and do not change within a
schema version. Moments are ISO 8601 strings with their UTC offset (a naive moment is refused both
ways), dates ``YYYY-MM-DD``, clock times ``HH:MM:SS``, spans of time (``timedelta``) a number of
seconds, enums their value, tuples arrays, frozensets sorted arrays and a :class:`Duration` its
fields (``{"unit": "working days", "amount": 3, "cutoff": null}``).

Three values are written differently from their attributes:

* a :class:`~govtier.dossier.Dossier` is its header and its events (``{"header": ...,
  "events": [{"kind": ..., "data": ...}, ...]}``): its status and clock are the fold of the
  events, so reading it back replays them with :meth:`Dossier.from_events
  <govtier.dossier.Dossier.from_events>`;
* a :class:`~govtier.deadlines.Deadline` is written without its calendar; reading it back needs
  the calendar it was computed on (``from_json(text, calendar=...)``);
* an :class:`~govtier.jurisdiction.Assignment` is written with every documented attribute
  (``unit_code``, ``on``, ``procedure``, ..., ``notes``); the derived ``confidence`` and
  ``rule_ids`` are not written.

**Errors.** Reading checks everything: a newer schema version raises
:class:`~govtier.errors.SchemaVersionError`; text that is not JSON, an unknown type or event kind,
or a missing, extra or malformed field raises :class:`~govtier.errors.CorruptRecordError` naming
the type and the field path (never a value: values may be the applicant's personal data).

>>> import datetime as dt
>>> from govtier import VIETNAM_TZ
>>> from govtier.dossier import Returned
>>> event = Returned(at=dt.datetime(2026, 3, 12, 9, 0, tzinfo=VIETNAM_TZ), actor="clerk-7")
>>> record = event_to_record(event)
>>> record["schema"], record["kind"], record["data"]["at"]
(1, 'returned', '2026-03-12T09:00:00+07:00')
>>> event_from_record(record) == event
True
>>> loads(dumps(event), Returned) == event
True
>>> from govtier.deadlines import Duration
>>> to_json(Duration.working_days(3))
'{"data":{"amount":3,"cutoff":null,"unit":"working days"},"schema":1,"type":"Duration"}'
>>> from_json(to_json(event)) == event
True
"""

from __future__ import annotations

import contextvars
import datetime as dt
import enum
import functools
import importlib.resources
import json
import re
import threading
import types
import typing
from collections.abc import Mapping
from typing import Any, Final, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote

from govtier import (
    calendar,
    catalogue,
    deadlines,
    dossier,
    interop,
    jurisdiction,
    legal,
    reporting,
    units,
)
from govtier._guard import extra_keys, hide_cause
from govtier._records import (
    EVENT_KINDS,
    SCHEMA_VERSION,
    Problem,
    check_schema,
    event_from_record,
    event_to_record,
    events_fingerprint,
    make_converter,
    problems,
    record_from_json,
    record_to_json,
    safe,
    structure_items,
)
from govtier.dossier import EVENT_TYPES, Event
from govtier.errors import CorruptRecordError, InvalidInputError
from govtier.storage import ports

if typing.TYPE_CHECKING:
    from govtier.calendar import WorkingCalendar

__all__ = [
    "EVENT_KINDS",
    "JSON_SCHEMA_DIALECT",
    "SCHEMA_FILES",
    "SCHEMA_VERSION",
    "bundled_schema",
    "converter",
    "document_types",
    "dumps",
    "event_from_record",
    "event_to_record",
    "events_fingerprint",
    "from_document",
    "from_json",
    "generate_schema_files",
    "json_schema",
    "loads",
    "record_from_json",
    "record_to_json",
    "schema_text",
    "to_document",
    "to_json",
]

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
"""The JSON Schema dialect of :func:`json_schema` and the bundled schema files."""

SCHEMA_FILES: Final[Mapping[str, str]] = {
    "assignment": "Assignment",
    "deadline": "Deadline",
    "dossier": "Dossier",
    "dossier-summary": "DossierSummary",
    "event": "Event",
    "portal-record": "PortalRecord",
    "procedure": "Procedure",
    "report": "Report",
    "rule": "Rule",
    "unit": "Unit",
}
"""The bundled schema files (``govtier/schemas/<name>.schema.json``) and the type each describes.

``event`` describes an event document and, as well, a stored event record (the same object
without ``type``).
"""

_T = TypeVar("_T")

# The public value types: this module sits above every module it describes, so it imports them
# (the stores write records with govtier._records, below them all).
_DOCUMENT_TYPES: Final[tuple[type, ...]] = (
    legal.LegalSource,
    legal.Confidence,
    calendar.Notice,
    calendar.DayInfo,
    calendar.DayReason,
    calendar.Session,
    calendar.WorkingHours,
    calendar.ReasonKind,
    deadlines.Duration,
    deadlines.DeadlinePolicy,
    deadlines.Deadline,
    deadlines.ClockRules,
    deadlines.DurationUnit,
    deadlines.Counting,
    deadlines.DueMoment,
    deadlines.OutsideHours,
    deadlines.WaitRule,
    units.Unit,
    units.LegacyUnit,
    units.Succession,
    units.UnitMatch,
    units.LegacyResolution,
    units.Level,
    units.UnitKind,
    units.SuccessionKind,
    units.ResolutionStatus,
    catalogue.Procedure,
    catalogue.Extension,
    catalogue.Fee,
    catalogue.Component,
    catalogue.FactNote,
    catalogue.Change,
    catalogue.Channel,
    catalogue.OnlineService,
    catalogue.ComponentKind,
    jurisdiction.Authority,
    jurisdiction.Step,
    jurisdiction.Assignment,
    jurisdiction.Rule,
    jurisdiction.Competence,
    jurisdiction.StepSpec,
    jurisdiction.MatchedRule,
    jurisdiction.Coverage,
    jurisdiction.ValidationReport,
    jurisdiction.IntakeScope,
    jurisdiction.AgencyRole,
    dossier.Dossier,
    dossier.DossierHeader,
    dossier.Applicant,
    dossier.DossierCode,
    dossier.StepPlan,
    dossier.StepProgress,
    dossier.Clock,
    dossier.Wait,
    dossier.AppointmentChange,
    dossier.Phase,
    dossier.ReceiptSlip,
    *EVENT_TYPES,
    dossier.Status,
    dossier.Outcome,
    dossier.Timeliness,
    dossier.ClockState,
    dossier.ApplicantKind,
    ports.DossierSummary,
    reporting.Report,
    reporting.Figures,
    reporting.Group,
    reporting.AgeBand,
    reporting.Backlog,
    reporting.OverdueDossier,
    reporting.DossierRow,
    reporting.Indicator,
    reporting.OnTimeBasis,
    interop.PortalRecord,
    interop.PortalSupplement,
    interop.PortalFormat,
    interop.ProgressRecord,
    interop.DateFormat,
    interop.ApplicantCoding,
)

_CALENDAR: Final[contextvars.ContextVar[WorkingCalendar | None]] = contextvars.ContextVar(
    "govtier_deadline_calendar", default=None
)


@functools.cache
def document_types() -> Mapping[str, type]:
    """Every type :func:`to_json` writes and :func:`from_json` reads, by its document type name.

    The names are the class names (``"Dossier"``, ``"Procedure"``, ``"Received"``...); the
    base event class is there too (``"Event"``: any event).
    """
    found: dict[str, type] = {"Event": Event}
    found.update((cls.__name__, cls) for cls in _DOCUMENT_TYPES)
    return types.MappingProxyType(found)


# --------------------------------------------------------------------------------------------
# The converter


converter: Final = make_converter()
"""The converter of the JSON documents (plain ``dict``/``list``/``str`` values).

Stored event records use the same hooks (``govtier._records``), so an event's document data is
its record's data.

The hooks for :class:`~govtier.dossier.Dossier`, :class:`~govtier.deadlines.Deadline`,
:class:`~govtier.jurisdiction.Assignment` and :class:`~govtier.catalogue.Change` are registered on
the first call of :func:`dumps`, :func:`loads` or the document functions; prefer those.
"""


# --------------------------------------------------------------------------------------------
# Values written differently from their attributes


def _field_error(exc: Exception, name: str, type_: Any) -> Exception:
    exc.__notes__ = [
        *getattr(exc, "__notes__", []),
        AttributeValidationNote(f"Structuring field {name}", name, type_),
    ]
    return exc


def _raise_fields(errors: list[Exception], cls: type) -> None:
    if errors:
        _fail(errors, cls)


def _fail(errors: list[Exception], cls: type) -> typing.NoReturn:
    msg = f"While structuring {cls.__name__}"
    raise cattrs.ClassValidationError(msg, errors, cls)


def _check_keys(value: Any, cls: type, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    if not isinstance(value, Mapping):
        msg = f"expected an object, got {type(value).__name__}"
        raise TypeError(msg)
    errors: list[Exception] = []
    extra = sorted(str(k) for k in value if k not in allowed)
    if extra:
        errors.append(cattrs.ForbiddenExtraKeysError("", cls, set(extra)))
    errors.extend(
        _field_error(KeyError(name), name, None) for name in required if name not in value
    )
    _raise_fields(errors, cls)


@functools.cache
def _shadow(cls: type) -> type:
    """A plain attrs class with the written fields of ``cls`` (for Deadline and Assignment)."""
    from govtier.deadlines import Deadline
    from govtier.jurisdiction import Assignment, Decision

    fields: dict[str, Any] = {}
    if cls is Deadline:
        from govtier.calendar import WorkingCalendar

        attrs.resolve_types(Deadline, localns={"WorkingCalendar": WorkingCalendar})
        for f in attrs.fields(Deadline):
            if f.name != "calendar":
                fields[f.name] = attrs.field(type=f.type)
    elif cls is Assignment:
        attrs.resolve_types(Assignment)
        attrs.resolve_types(Decision)
        for f in attrs.fields(Assignment):
            if f.name != "decision":
                fields[f.name] = attrs.field(type=f.type)
        for f in attrs.fields(Decision):
            fields[f.name] = attrs.field(type=f.type)
    else:  # pragma: no cover - internal misuse
        msg = f"no shadow class for {cls.__name__}"
        raise TypeError(msg)
    shadow = attrs.make_class(cls.__name__, fields, frozen=True, kw_only=True)
    shadow.__doc__ = cls.__doc__
    shadow.__module__ = cls.__module__
    return shadow


def _register_special_hooks() -> None:
    from govtier.catalogue import Change, Procedure
    from govtier.deadlines import Deadline
    from govtier.dossier import Dossier, DossierHeader
    from govtier.jurisdiction import Assignment, Decision

    deadline_shadow = _shadow(Deadline)
    assignment_shadow = _shadow(Assignment)
    decision_names = tuple(f.name for f in attrs.fields(Decision))
    optional_header: Any = DossierHeader | None

    def dump_deadline(value: Deadline) -> dict[str, Any]:
        return {
            f.name: converter.unstructure(getattr(value, f.name), f.type)
            for f in attrs.fields(deadline_shadow)
        }

    def load_deadline(value: Any, _type: Any) -> Deadline:
        calendar = _CALENDAR.get()
        if calendar is None:
            msg = (
                "a Deadline is written without its calendar; read it with "
                "from_json(text, calendar=...) giving the calendar it was computed on"
            )
            raise InvalidInputError(msg, field="calendar", value=None)
        plain: Any = converter.structure(value, deadline_shadow)
        return Deadline(calendar=calendar, **attrs.asdict(plain, recurse=False))

    def dump_assignment(value: Assignment) -> dict[str, Any]:
        return {
            f.name: converter.unstructure(getattr(value, f.name), f.type)
            for f in attrs.fields(assignment_shadow)
        }

    def load_assignment(value: Any, _type: Any) -> Assignment:
        plain = attrs.asdict(converter.structure(value, assignment_shadow), recurse=False)
        decision = Decision(**{name: plain.pop(name) for name in decision_names})
        return Assignment(decision=decision, **plain)

    attrs.resolve_types(Procedure)
    procedure_fields: dict[str, Any] = {f.name: f.type for f in attrs.fields(Procedure)}

    def dump_change(value: Change) -> dict[str, Any]:
        type_ = procedure_fields.get(value.field)
        return {
            "field": value.field,
            "before": converter.unstructure(value.before, type_),
            "after": converter.unstructure(value.after, type_),
        }

    def load_change(value: Any, _type: Any) -> Change:
        names = ("field", "before", "after")
        _check_keys(value, Change, names, names)
        field = value["field"]
        if not isinstance(field, str) or field not in procedure_fields:
            problem = Problem("expected the name of a Procedure attribute")
            _fail([_field_error(problem, "field", str)], Change)
        type_ = procedure_fields[field]
        parts: dict[str, Any] = {}
        errors: list[Exception] = []
        for name in ("before", "after"):
            try:
                parts[name] = converter.structure(value[name], type_)
            except Exception as exc:
                errors.append(_field_error(exc, name, type_))
        _raise_fields(errors, Change)
        return Change(field=field, **parts)

    def dump_dossier(value: Dossier) -> dict[str, Any]:
        return {
            "header": converter.unstructure(value.header, DossierHeader | None),
            "events": [
                {"kind": e.kind, "data": converter.unstructure(e, type(e))} for e in value.events
            ],
        }

    def load_dossier(value: Any, _type: Any) -> Dossier:
        _check_keys(value, Dossier, ("header", "events"), ("header", "events"))
        errors: list[Exception] = []
        header: DossierHeader | None = None
        try:
            header = converter.structure(value["header"], optional_header)
        except Exception as exc:
            errors.append(_field_error(exc, "header", DossierHeader))
        try:
            events = structure_items(converter, value["events"], _EventItem, tuple[Event, ...])
        except Exception as exc:
            errors.append(_field_error(exc, "events", tuple[Event, ...]))
            events = []
        _raise_fields(errors, Dossier)
        dossier = Dossier()
        for index, event in enumerate(events):
            try:
                dossier = dossier.apply(event)
            except Exception as exc:
                problem = Problem(
                    f"event {index} ({event.kind}) does not follow the events before it "
                    f"({type(exc).__name__})"
                )
                _fail([_field_error(problem, "events", None)], Dossier)
        if dossier.header != header:
            problem = Problem("the header is not the one the events carry")
            _fail([_field_error(problem, "header", DossierHeader)], Dossier)
        return dossier

    def load_event_item(value: Any, _type: Any) -> Event:
        _check_keys(value, _EventItem, ("kind", "data"), ("kind", "data"))
        kind = value["kind"]
        cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            problem = Problem(f"unknown event type; known types: {', '.join(sorted(EVENT_KINDS))}")
            _fail([_field_error(problem, "kind", str)], _EventItem)
        try:
            return converter.structure(value["data"], cls)
        except Exception as exc:
            _fail([_field_error(exc, "data", cls)], _EventItem)

    def load_any_event(value: Any, _type: Any) -> Event:
        return load_event_item(value, _EventItem)

    converter.register_unstructure_hook(Deadline, dump_deadline)
    converter.register_structure_hook(Deadline, load_deadline)
    converter.register_unstructure_hook(Assignment, dump_assignment)
    converter.register_structure_hook(Assignment, load_assignment)
    converter.register_unstructure_hook(Change, dump_change)
    converter.register_structure_hook(Change, load_change)
    converter.register_unstructure_hook(Dossier, dump_dossier)
    converter.register_structure_hook(Dossier, load_dossier)
    converter.register_structure_hook(_EventItem, load_event_item)
    # A predicate, not the class: a hook for Event would also catch every event subclass.
    converter.register_structure_hook_func(lambda t: t is Event, load_any_event)


class _EventItem:
    """An event in a dossier document: ``{"kind": ..., "data": {...}}`` (a marker type)."""


_special_hooks_lock: Final = threading.Lock()
_special_hooks_done: list[bool] = []


def _ready() -> cattrs.Converter:
    """The converter with the hooks that need the other modules (registered on first use)."""
    if not _special_hooks_done:
        with _special_hooks_lock:
            if not _special_hooks_done:
                _register_special_hooks()
                _special_hooks_done.append(True)
    return converter


# --------------------------------------------------------------------------------------------
# Stored event records


def dumps(value: Any) -> str:
    """``value`` (an attrs value, an event, a list of them...) as compact JSON text.

    Keys are sorted and non-ASCII text is kept as is, so equal values give equal text. The text
    has no schema version or type name; see :func:`to_json` for self-describing documents.
    """
    return json.dumps(
        _ready().unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def loads(text: str | bytes, cls: type[_T]) -> _T:
    """Read a value of type ``cls`` from JSON text written by :func:`dumps`.

    Raises:
        CorruptRecordError: the text is not JSON or does not hold a ``cls``.
    """
    try:
        return _ready().structure(json.loads(text), cls)
    except Exception as exc:
        detail = "; ".join(problems(exc))
        msg = f"cannot read a {getattr(cls, '__name__', cls)} from JSON: {detail}"
        raise hide_cause(CorruptRecordError(msg), exc) from None  # the cause quotes values


# --------------------------------------------------------------------------------------------
# Documents


def _type_name(value: object) -> str:
    name = type(value).__name__
    if document_types().get(name) is not type(value):
        msg = (
            f"govtier writes JSON documents of its public value types only; "
            f"got {type(value).__module__}.{name}"
        )
        raise InvalidInputError(msg, field="value", value=name)
    return name


def to_document(value: object) -> dict[str, Any]:
    """``value`` as a JSON-ready document: ``{"schema": N, "type": "Name", "data": ...}``.

    An event's document also carries its ``kind``, so it is its stored record plus the type name.

    Raises:
        InvalidInputError: ``value`` is not of a public govtier value type (see
            :func:`document_types`), or holds a naive moment.
    """
    name = _type_name(value)
    if isinstance(value, Event):
        record = event_to_record(value)
        return {"schema": SCHEMA_VERSION, "type": name, "kind": value.kind, "data": record["data"]}
    data = _ready().unstructure(value, type(value))
    return {"schema": SCHEMA_VERSION, "type": name, "data": data}


def to_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as a JSON document (see :func:`to_document`), keys sorted, UTF-8 text kept.

    Args:
        value: a public govtier value (a unit, a procedure, a dossier, a report...).
        indent: indent nested levels by this many spaces; compact text when ``None``.

    Equal values give equal text.

    Raises:
        InvalidInputError: ``value`` is not of a public govtier value type, or holds a naive
            moment.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        to_document(value),
        ensure_ascii=False,
        sort_keys=True,
        indent=indent,
        separators=separators,
    )


@overload
def from_document(
    document: Mapping[str, Any], cls: type[_T], *, calendar: WorkingCalendar | None = None
) -> _T: ...
@overload
def from_document(
    document: Mapping[str, Any], cls: None = None, *, calendar: WorkingCalendar | None = None
) -> Any: ...
def from_document(
    document: Mapping[str, Any],
    cls: type[Any] | None = None,
    *,
    calendar: WorkingCalendar | None = None,
) -> Any:
    """Read a value back from a document written by :func:`to_document`.

    Args:
        document: the document (parsed JSON).
        cls: the type expected; the document's ``type`` must name it (for :class:`Event`, any
            event type). ``None`` reads whatever type the document names.
        calendar: for a :class:`~govtier.deadlines.Deadline` (alone, not inside another value):
            the calendar it was computed on, which its document does not hold.

    Raises:
        SchemaVersionError: the document was written by a newer schema version.
        CorruptRecordError: the document is not an object of the expected shape, names an
            unknown type or another type than ``cls``, or a field is missing or malformed (the
            message names the type and the field path, never a value).
        InvalidInputError: ``cls`` is not a document type, or a Deadline is read without a
            calendar.
    """
    known = document_types()
    if cls is not None and known.get(getattr(cls, "__name__", "")) is not cls:
        msg = f"{getattr(cls, '__name__', cls)!s} is not a govtier document type"
        raise InvalidInputError(msg, field="cls", value=cls)
    expected = "document" if cls is None else f"{cls.__name__} document"
    given: object = document
    if not isinstance(given, Mapping):
        msg = f"{expected}: expected a JSON object, got {type(given).__name__}"
        raise CorruptRecordError(msg)
    name = document.get("type")
    if cls is None and isinstance(name, str) and name in known and name != "Event":
        expected = f"{name} document"
    check_schema(document.get("schema"), expected)
    found = known.get(name) if isinstance(name, str) and name != "Event" else None
    if found is None:
        msg = f"{expected}: unknown document type (got {safe(name)})"
        raise CorruptRecordError(msg)
    if cls is not None and found is not cls and not (cls is Event and issubclass(found, Event)):
        msg = f"expected a {cls.__name__} document, got a {name} document"
        raise CorruptRecordError(msg)
    where = f"{name} document"
    if issubclass(found, Event):
        allowed = ("schema", "type", "kind", "data")
        if any(k not in allowed for k in document):
            msg = f"{where}: {extra_keys(document, allowed)}"
            raise CorruptRecordError(msg)
        if document.get("kind") != found.kind:
            msg = f"{where}: the kind must be {found.kind!r}, got {safe(document.get('kind'))}"
            raise CorruptRecordError(msg)
        return event_from_record(document, where=where)
    if any(k not in ("schema", "type", "data") for k in document):
        msg = f"{where}: {extra_keys(document, ('schema', 'type', 'data'))}"
        raise CorruptRecordError(msg)
    if "data" not in document:
        msg = f"{where}: the document has no 'data'"
        raise CorruptRecordError(msg)
    token = _CALENDAR.set(calendar)
    try:
        return _ready().structure(document["data"], found)
    except InvalidInputError as exc:
        if exc.field == "calendar":
            raise
        raise hide_cause(_corrupt(where, exc), exc) from None  # the cause quotes values
    except Exception as exc:
        raise hide_cause(_corrupt(where, exc), exc) from None
    finally:
        _CALENDAR.reset(token)


def _corrupt(where: str, exc: Exception) -> CorruptRecordError:
    detail = "; ".join(problems(exc, "$.data"))
    return CorruptRecordError(f"{where} cannot be read: {detail}")


@overload
def from_json(
    text: str | bytes, cls: type[_T], *, calendar: WorkingCalendar | None = None
) -> _T: ...
@overload
def from_json(
    text: str | bytes, cls: None = None, *, calendar: WorkingCalendar | None = None
) -> Any: ...
def from_json(
    text: str | bytes, cls: type[Any] | None = None, *, calendar: WorkingCalendar | None = None
) -> Any:
    """Read a value from a JSON document written by :func:`to_json`.

    Args:
        text: the JSON text.
        cls: the type expected (checked against the document's ``type``); ``None`` reads
            whatever type the document names.
        calendar: the calendar of a :class:`~govtier.deadlines.Deadline` document.

    >>> from govtier.units import UnitRegistry
    >>> unit = UnitRegistry.bundled().get("00004")
    >>> from_json(to_json(unit)) == unit
    True

    Raises:
        SchemaVersionError: the document was written by a newer schema version.
        CorruptRecordError: the text is not JSON, or not a document of ``cls`` (see
            :func:`from_document`).
        InvalidInputError: ``cls`` is not a document type, or a Deadline is read without a
            calendar.
    """
    what = "document" if cls is None else f"{getattr(cls, '__name__', 'a')} document"
    given: object = text
    if not isinstance(given, str | bytes | bytearray):
        msg = f"{what}: expected JSON text (str or bytes), got {type(given).__name__}"
        raise CorruptRecordError(msg)
    try:
        document = json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:  # too deep: RecursionError
        msg = f"{what}: the text is not valid JSON"
        raise CorruptRecordError(msg) from exc
    return from_document(document, cls, calendar=calendar)


# --------------------------------------------------------------------------------------------
# JSON Schema

_MOMENT_PATTERN: Final = (
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?[+-]\d{2}:\d{2}(:\d{2}(\.\d{6})?)?$"
)
_DATE_PATTERN: Final = r"^\d{4}-\d{2}-\d{2}$"
_TIME_PATTERN: Final = r"^\d{2}:\d{2}:\d{2}(\.\d{6})?$"
_ATTRIBUTE_LINE: Final = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*): (?P<text>.*)$")


def _doc_summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split())


def _attribute_docs(cls: type) -> dict[str, str]:
    """The ``Attributes:`` section of a Google-style class docstring, by attribute name."""
    lines = (cls.__doc__ or "").expandtabs().splitlines()
    found: dict[str, str] = {}
    inside = False
    base: int | None = None
    current: str | None = None
    for line in lines:
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped == "Attributes:":
            inside, base, current = True, None, None
            continue
        if not inside:
            continue
        if not stripped:
            inside = False
            continue
        if base is None:
            base = indent
        if indent == base:
            match = _ATTRIBUTE_LINE.match(stripped)
            if match is None:
                inside = False
                continue
            current = match["name"]
            found[current] = match["text"]
        elif indent > base and current is not None:
            found[current] += " " + stripped
        else:
            inside = False
    return {name: _plain(text) for name, text in found.items()}


def _plain(text: str) -> str:
    """Docstring text without reST markup."""
    text = re.sub(r":[a-z]+:`~?(?:[\w.]+\.)?([^`<]+?)(?: <[^>]+>)?`", r"\1", text)
    return text.replace("``", "`")


class _SchemaBuilder:
    """Builds JSON Schema (draft 2020-12) from attrs field types, with ``$defs`` per class."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def ref(self, cls: type) -> dict[str, Any]:
        name = cls.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder against recursion
            self.defs[name] = self.define(cls)
        return {"$ref": f"#/$defs/{name}"}

    def define(self, cls: type) -> dict[str, Any]:
        from govtier.catalogue import Change
        from govtier.deadlines import Deadline
        from govtier.dossier import Dossier, DossierHeader
        from govtier.jurisdiction import Assignment

        if issubclass(cls, enum.Enum):
            values = [member.value for member in cls]
            return {"description": _doc_summary(cls), "enum": values}
        if cls is Dossier:
            docs = _attribute_docs(Dossier)
            return self.object(
                cls,
                {
                    "header": {
                        "anyOf": [self.ref(DossierHeader), {"type": "null"}],
                        "description": docs["header"],
                    },
                    "events": {
                        "type": "array",
                        "items": self.event_item(),
                        "description": docs["events"],
                    },
                },
                required=["header", "events"],
            )
        if cls is Change:
            docs = _attribute_docs(Change)
            return self.object(
                cls,
                {
                    "field": {"type": "string", "description": docs["field"]},
                    "before": {"description": docs["before"] + " (as the Procedure field)"},
                    "after": {"description": docs["after"] + " (as the Procedure field)"},
                },
                required=["field", "before", "after"],
            )
        shape = _shadow(cls) if cls in (Deadline, Assignment) else cls
        attrs.resolve_types(shape)
        docs = _attribute_docs(cls)
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in attrs.fields(shape):
            schema = dict(self.of(field.type))
            if field.name in docs:
                schema["description"] = docs[field.name]
            properties[field.name] = schema
            if field.default is attrs.NOTHING:
                required.append(field.name)
        return self.object(cls, properties, required=required)

    def object(
        self, cls: type, properties: dict[str, Any], *, required: list[str]
    ) -> dict[str, Any]:
        return {
            "description": _doc_summary(cls),
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def event_item(self) -> dict[str, Any]:
        return {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {"kind": {"const": cls.kind}, "data": self.ref(cls)},
                    "required": ["kind", "data"],
                    "additionalProperties": False,
                }
                for cls in EVENT_TYPES
            ]
        }

    def of(self, type_: Any) -> dict[str, Any]:
        origin = typing.get_origin(type_)
        args = typing.get_args(type_)
        if origin in (typing.Union, types.UnionType):
            options = [self.of(a) for a in args if a is not type(None)]
            if type(None) in args:
                options.append({"type": "null"})
            return options[0] if len(options) == 1 else {"anyOf": options}
        if origin is tuple:
            if len(args) == 2 and args[1] is Ellipsis:
                return {"type": "array", "items": self.of(args[0])}
            return {
                "type": "array",
                "prefixItems": [self.of(a) for a in args],
                "items": False,
                "minItems": len(args),
                "maxItems": len(args),
            }
        if origin is frozenset:
            return {"type": "array", "items": self.of(args[0]), "uniqueItems": True}
        if type_ is Any:
            return {}
        simple: dict[Any, dict[str, Any]] = {
            str: {"type": "string"},
            bool: {"type": "boolean"},
            int: {"type": "integer"},
            float: {"type": "number"},
            dt.datetime: {"type": "string", "format": "date-time", "pattern": _MOMENT_PATTERN},
            dt.date: {"type": "string", "format": "date", "pattern": _DATE_PATTERN},
            dt.time: {"type": "string", "pattern": _TIME_PATTERN},
            dt.timedelta: {"type": "number", "description": "seconds"},
        }
        if type_ in simple:
            return dict(simple[type_])
        if isinstance(type_, type) and (attrs.has(type_) or issubclass(type_, enum.Enum)):
            return self.ref(type_)
        msg = f"no JSON Schema for {type_!r}"
        raise TypeError(msg)


def _envelope(name: str) -> dict[str, Any]:
    return {
        "schema": {
            "type": "integer",
            "minimum": 1,
            "maximum": SCHEMA_VERSION,
            "description": "the schema version the document was written with",
        },
        "type": {"const": name, "description": "the document type"},
    }


def json_schema(type_name: str | type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document of one type, as a dict.

    The schema is self-contained (every class it uses is in its ``$defs``) and describes what
    :func:`from_json` reads: the fields a value needs are ``required``; fields with a default may
    be left out. ``"Event"`` gives the schema of any event document (or stored event record).

    Args:
        type_name: a document type name (``"Dossier"``), a bundled schema's name
            (``"dossier"``, as :func:`bundled_schema` takes it) or a class.

    >>> schema = json_schema("Unit")
    >>> schema["properties"]["type"], sorted(schema["$defs"]["Unit"]["required"])
    ({'const': 'Unit', 'description': 'the document type'}, ['code', 'kind', 'level', 'name', 'province_code'])

    Raises:
        InvalidInputError: not a document type.
    """  # noqa: E501
    name = type_name if isinstance(type_name, str) else type_name.__name__
    name = SCHEMA_FILES.get(name, name) if isinstance(type_name, str) else name
    cls = document_types().get(name)
    if cls is None or (not isinstance(type_name, str) and cls is not type_name):
        msg = f"{name!r} is not a govtier document type"
        raise InvalidInputError(msg, field="type_name", value=name)
    builder = _SchemaBuilder()
    schema: dict[str, Any] = {"$schema": JSON_SCHEMA_DIALECT}
    if cls is Event:
        envelope = _envelope("Event")
        envelope["type"] = {
            "enum": [e.__name__ for e in EVENT_TYPES],
            "description": "the event type (left out in a stored record)",
        }
        envelope["kind"] = {"enum": [e.kind for e in EVENT_TYPES], "description": "the event kind"}
        envelope["data"] = {"type": "object", "description": "the event's fields"}
        schema |= {
            "title": "govtier event",
            "description": (
                "A dossier event: a document written by govtier.serialization.to_json, or a "
                "stored record (the same object without 'type')."
            ),
            "type": "object",
            "properties": envelope,
            "required": ["schema", "kind", "data"],
            "additionalProperties": False,
            "oneOf": [
                {
                    "properties": {
                        "type": {"const": e.__name__},
                        "kind": {"const": e.kind},
                        "data": builder.ref(e),
                    }
                }
                for e in EVENT_TYPES
            ],
        }
    elif issubclass(cls, Event):
        envelope = _envelope(name)
        envelope["kind"] = {"const": cls.kind, "description": "the event kind"}
        envelope["data"] = builder.ref(cls)
        schema |= {
            "title": f"govtier {name}",
            "description": _doc_summary(cls),
            "type": "object",
            "properties": envelope,
            "required": ["schema", "type", "kind", "data"],
            "additionalProperties": False,
        }
    else:
        envelope = _envelope(name)
        envelope["data"] = builder.ref(cls)
        schema |= {
            "title": f"govtier {name}",
            "description": _doc_summary(cls),
            "type": "object",
            "properties": envelope,
            "required": ["schema", "type", "data"],
            "additionalProperties": False,
        }
    schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema as the bundled files hold it: 2-space indent, UTF-8 text kept, final newline."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def bundled_schema(name: str) -> dict[str, Any]:
    """A bundled schema file by name (``"dossier"`` reads ``govtier/schemas/dossier.schema.json``).

    The document type's name (``"Dossier"``, as :func:`json_schema` takes it) names the same file.

    Raises:
        InvalidInputError: no bundled schema has that name (see :data:`SCHEMA_FILES`).
    """
    by_type = {type_name: file for file, type_name in SCHEMA_FILES.items()}
    name = by_type.get(name, name)
    if name not in SCHEMA_FILES:
        msg = f"bundled schemas are {', '.join(SCHEMA_FILES)}; got {name!r}"
        raise InvalidInputError(msg, field="name", value=name)
    resource = importlib.resources.files("govtier") / "schemas" / f"{name}.schema.json"
    loaded: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return loaded


def generate_schema_files() -> dict[str, str]:
    """The bundled schema files, freshly generated: file name (``dossier.schema.json``) to text.

    ``scripts/generate_schemas.py`` writes them to ``src/govtier/schemas/``; a test checks the
    committed files equal these.
    """
    return {
        f"{name}.schema.json": schema_text(json_schema(type_name))
        for name, type_name in SCHEMA_FILES.items()
    }

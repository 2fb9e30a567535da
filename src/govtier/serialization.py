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
import hashlib
import importlib
import importlib.resources
import json
import re
import threading
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import AttributeValidationNote, IterableValidationNote
from cattrs.gen import make_dict_unstructure_fn, override

from govtier.dossier import EVENT_TYPES, Event
from govtier.errors import CorruptRecordError, InvalidInputError, SchemaVersionError

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

SCHEMA_VERSION: Final = 1
"""The version of the record format written by this govtier; records of a newer one are refused."""

EVENT_KINDS: Final[Mapping[str, type[Event]]] = {cls.kind: cls for cls in EVENT_TYPES}
"""Each event kind with its class."""

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

# The public value types, by module; the registry is built on first use (the storage modules
# import this one, so importing them here at load time would be circular).
_TYPE_MODULES: Final = (
    (
        "govtier.legal",
        ("LegalSource", "Confidence"),
    ),
    (
        "govtier.calendar",
        ("Notice", "DayInfo", "DayReason", "Session", "WorkingHours", "ReasonKind"),
    ),
    (
        "govtier.deadlines",
        (
            "Duration",
            "DeadlinePolicy",
            "Deadline",
            "ClockRules",
            "DurationUnit",
            "Counting",
            "DueMoment",
            "OutsideHours",
            "WaitRule",
        ),
    ),
    (
        "govtier.units",
        (
            "Unit",
            "LegacyUnit",
            "Succession",
            "UnitMatch",
            "LegacyResolution",
            "Level",
            "UnitKind",
            "SuccessionKind",
            "ResolutionStatus",
        ),
    ),
    (
        "govtier.catalogue",
        (
            "Procedure",
            "Extension",
            "Fee",
            "Component",
            "FactNote",
            "Change",
            "Channel",
            "OnlineService",
            "ComponentKind",
        ),
    ),
    (
        "govtier.jurisdiction",
        (
            "Authority",
            "Step",
            "Assignment",
            "Rule",
            "Competence",
            "StepSpec",
            "MatchedRule",
            "Coverage",
            "ValidationReport",
            "IntakeScope",
            "AgencyRole",
        ),
    ),
    (
        "govtier.dossier",
        (
            "Dossier",
            "DossierHeader",
            "Applicant",
            "DossierCode",
            "StepPlan",
            "StepProgress",
            "Clock",
            "Wait",
            "AppointmentChange",
            "Phase",
            "ReceiptSlip",
            *(cls.__name__ for cls in EVENT_TYPES),
            "Status",
            "Outcome",
            "Timeliness",
            "ClockState",
            "ApplicantKind",
        ),
    ),
    ("govtier.storage.ports", ("DossierSummary",)),
    (
        "govtier.reporting",
        (
            "Report",
            "Figures",
            "Group",
            "AgeBand",
            "Backlog",
            "OverdueDossier",
            "DossierRow",
            "Indicator",
            "OnTimeBasis",
        ),
    ),
    (
        "govtier.interop",
        (
            "PortalRecord",
            "PortalSupplement",
            "PortalFormat",
            "ProgressRecord",
            "DateFormat",
            "ApplicantCoding",
        ),
    ),
)

_CALENDAR: Final[contextvars.ContextVar[WorkingCalendar | None]] = contextvars.ContextVar(
    "govtier_deadline_calendar", default=None
)


class _Problem(Exception):  # noqa: N818  (internal: never leaves this module)
    """A problem described by a safe text (no values), for error messages."""


@functools.cache
def document_types() -> Mapping[str, type]:
    """Every type :func:`to_json` writes and :func:`from_json` reads, by its document type name.

    The names are the class names (``"Dossier"``, ``"Procedure"``, ``"Received"``...); the
    base event class is there too (``"Event"``: any event).
    """
    found: dict[str, type] = {"Event": Event}
    for module_name, names in _TYPE_MODULES:
        module = importlib.import_module(module_name)
        for name in names:
            found[name] = getattr(module, name)
    return types.MappingProxyType(found)


# --------------------------------------------------------------------------------------------
# The converter


def _check_sequence(value: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        msg = f"expected an array, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def _structure_items(conv: cattrs.Converter, items: Any, inner: Any, whole: Any) -> list[Any]:
    """Structure each item of an array, collecting errors with their index (cattrs paths)."""
    out: list[Any] = []
    errors: list[Exception] = []
    for index, item in enumerate(_check_sequence(items)):
        try:
            out.append(conv.structure(item, inner))
        except Exception as exc:
            exc.__notes__ = [
                *getattr(exc, "__notes__", []),
                IterableValidationNote(f"Structuring {whole} @ index {index}", index, inner),
            ]
            errors.append(exc)
    if errors:
        msg = f"While structuring {whole}"
        raise cattrs.IterableValidationError(msg, errors, whole)
    return out


def _sort_key(item: Any) -> tuple[int, str]:
    if isinstance(item, str):
        return (0, item)
    return (1, json.dumps(item, sort_keys=True, ensure_ascii=False))


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def dump_datetime(value: dt.datetime) -> str:
        if value.tzinfo is None or value.utcoffset() is None:
            msg = "a moment must be timezone-aware to be written (it is written with its offset)"
            raise InvalidInputError(msg, field="datetime", value=value)
        return value.isoformat()

    def load_datetime(value: Any, _type: Any) -> dt.datetime:
        if not isinstance(value, str):
            msg = f"expected an ISO 8601 moment string, got {type(value).__name__}"
            raise TypeError(msg)
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            msg = "a stored moment must carry its UTC offset"
            raise ValueError(msg)
        return moment

    def load_date(value: Any, _type: Any) -> dt.date:
        if not isinstance(value, str):
            msg = f"expected an ISO 8601 date string, got {type(value).__name__}"
            raise TypeError(msg)
        return dt.date.fromisoformat(value)

    def load_time(value: Any, _type: Any) -> dt.time:
        if not isinstance(value, str):
            msg = f"expected an ISO 8601 time string, got {type(value).__name__}"
            raise TypeError(msg)
        return dt.time.fromisoformat(value)

    def dump_timedelta(value: dt.timedelta) -> float:
        return value.total_seconds()

    def load_timedelta(value: Any, _type: Any) -> dt.timedelta:
        if isinstance(value, bool) or not isinstance(value, int | float):
            msg = f"expected a number of seconds, got {type(value).__name__}"
            raise TypeError(msg)
        return dt.timedelta(seconds=value)

    def load_str(value: Any, _type: Any) -> str:
        if not isinstance(value, str):
            msg = f"expected a string, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    def load_int(value: Any, _type: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            msg = f"expected an integer, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    def load_bool(value: Any, _type: Any) -> bool:
        if not isinstance(value, bool):
            msg = f"expected true or false, got {type(value).__name__}"
            raise TypeError(msg)
        return value

    def load_any(value: Any, _type: Any) -> Any:
        return value

    conv.register_unstructure_hook(dt.datetime, dump_datetime)
    conv.register_structure_hook(dt.datetime, load_datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.date, load_date)
    conv.register_unstructure_hook(dt.time, dt.time.isoformat)
    conv.register_structure_hook(dt.time, load_time)
    conv.register_unstructure_hook(dt.timedelta, dump_timedelta)
    conv.register_structure_hook(dt.timedelta, load_timedelta)
    conv.register_structure_hook(str, load_str)
    conv.register_structure_hook(int, load_int)
    conv.register_structure_hook(bool, load_bool)
    conv.register_structure_hook(Any, load_any)

    # Arrays: tuples and frozensets are read from JSON arrays only (never from a string, which
    # would otherwise be read character by character); frozensets are written sorted.
    def is_frozenset(cls: Any) -> bool:
        return typing.get_origin(cls) is frozenset

    def frozenset_dumper(cls: Any) -> Callable[[frozenset[Any]], list[Any]]:
        (inner,) = typing.get_args(cls)

        def dump(value: frozenset[Any]) -> list[Any]:
            return sorted((conv.unstructure(v, inner) for v in value), key=_sort_key)

        return dump

    def frozenset_loader(cls: Any) -> Callable[[Any, Any], frozenset[Any]]:
        (inner,) = typing.get_args(cls)

        def load(value: Any, _type: Any) -> frozenset[Any]:
            return frozenset(_structure_items(conv, value, inner, cls))

        return load

    def is_tuple(cls: Any) -> bool:
        return typing.get_origin(cls) is tuple

    def tuple_loader(cls: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            inner = args[0]

            def load_homogeneous(value: Any, _type: Any) -> tuple[Any, ...]:
                return tuple(_structure_items(conv, value, inner, cls))

            return load_homogeneous

        def load_fixed(value: Any, _type: Any) -> tuple[Any, ...]:
            items = _check_sequence(value)
            if len(items) != len(args):
                msg = f"expected an array of {len(args)} items"
                raise _Problem(msg)
            return tuple(
                item
                for (item,) in (
                    _structure_items(conv, [v], t, cls) for v, t in zip(items, args, strict=True)
                )
            )

        return load_fixed

    conv.register_unstructure_hook_factory(is_frozenset, frozenset_dumper)
    conv.register_structure_hook_factory(is_frozenset, frozenset_loader)
    conv.register_structure_hook_factory(is_tuple, tuple_loader)

    # Fields added after schema 1 shipped are written only when set, so a record without them
    # is byte-for-byte the schema-1 record and older files read unchanged (they default to None).
    def has_optional_additions(cls: Any) -> bool:
        return (
            isinstance(cls, type)
            and attrs.has(cls)
            and cls.__module__ == "govtier.dossier"
            and cls.__qualname__ in _OPTIONAL_ADDITIONS
        )

    def omitting_dumper(cls: Any) -> Callable[[Any], dict[str, Any]]:
        names = _OPTIONAL_ADDITIONS[cls.__qualname__]
        overrides: dict[str, Any] = {name: override(omit_if_default=True) for name in names}
        dumper: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(cls, conv, **overrides)
        return dumper

    conv.register_unstructure_hook_factory(has_optional_additions, omitting_dumper)
    return conv


_OPTIONAL_ADDITIONS: Final[dict[str, tuple[str, ...]]] = {
    "DossierHeader": ("intake",),
    "Received": ("intake_exception",),
}
"""Optional fields added to stored classes after schema 1 (omitted from a record when unset)."""


converter: Final = _make_converter()
"""The converter every store and JSON export uses (plain ``dict``/``list``/``str`` values).

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
    from govtier.jurisdiction import Assignment, _Decision

    fields: dict[str, Any] = {}
    if cls is Deadline:
        from govtier.calendar import WorkingCalendar

        attrs.resolve_types(Deadline, localns={"WorkingCalendar": WorkingCalendar})
        for f in attrs.fields(Deadline):
            if f.name != "calendar":
                fields[f.name] = attrs.field(type=f.type)
    elif cls is Assignment:
        attrs.resolve_types(Assignment)
        attrs.resolve_types(_Decision)
        for f in attrs.fields(Assignment):
            if f.name != "_decision":
                fields[f.name] = attrs.field(type=f.type)
        for f in attrs.fields(_Decision):
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
    from govtier.jurisdiction import Assignment, _Decision

    deadline_shadow = _shadow(Deadline)
    assignment_shadow = _shadow(Assignment)
    decision_names = tuple(f.name for f in attrs.fields(_Decision))
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
        decision = _Decision(**{name: plain.pop(name) for name in decision_names})
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
            problem = _Problem("expected the name of a Procedure attribute")
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
            events = _structure_items(converter, value["events"], _EventItem, tuple[Event, ...])
        except Exception as exc:
            errors.append(_field_error(exc, "events", tuple[Event, ...]))
            events = []
        _raise_fields(errors, Dossier)
        dossier = Dossier()
        for index, event in enumerate(events):
            try:
                dossier = dossier.apply(event)
            except Exception as exc:
                problem = _Problem(
                    f"event {index} ({event.kind}) does not follow the events before it "
                    f"({type(exc).__name__})"
                )
                _fail([_field_error(problem, "events", None)], Dossier)
        if dossier.header != header:
            problem = _Problem("the header is not the one the events carry")
            _fail([_field_error(problem, "header", DossierHeader)], Dossier)
        return dossier

    def load_event_item(value: Any, _type: Any) -> Event:
        _check_keys(value, _EventItem, ("kind", "data"), ("kind", "data"))
        kind = value["kind"]
        cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            problem = _Problem(f"unknown event type; known types: {', '.join(sorted(EVENT_KINDS))}")
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


def event_to_record(event: Event) -> dict[str, Any]:
    """The stored record of ``event``: schema version, kind and fields.

    Raises:
        InvalidInputError: ``event`` is not a govtier dossier event.
    """
    given: object = event
    if not isinstance(given, Event) or EVENT_KINDS.get(event.kind) is not type(event):
        msg = f"expected a govtier dossier event, got {type(given).__name__}"
        raise InvalidInputError(msg, field="event", value=type(given).__name__)
    data: dict[str, Any] = converter.unstructure(event, unstructure_as=type(event))
    return {"schema": SCHEMA_VERSION, "kind": event.kind, "data": data}


def _check_schema(schema: object, where: str) -> None:
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        msg = f"{where}: the record has no valid schema version (got {_safe(schema)})"
        raise CorruptRecordError(msg)
    if schema > SCHEMA_VERSION:
        msg = (
            f"{where}: written by record schema version {schema}; this govtier reads "
            f"versions up to {SCHEMA_VERSION}. Upgrade govtier to read it."
        )
        raise SchemaVersionError(msg)


def _safe(value: object) -> str:
    """A short repr for a type name, kind or version (never a field value)."""
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return f"a {type(value).__name__}"


def event_from_record(record: Mapping[str, Any], *, where: str = "record") -> Event:
    """Read back a record written by :func:`event_to_record`.

    Args:
        record: the stored record.
        where: what to call the record in error messages (e.g. ``"dossier X, event 3"``).

    Raises:
        SchemaVersionError: the record was written by a newer schema version.
        CorruptRecordError: the record is not a dict of the expected shape, names an unknown
            event kind, or a field is missing or malformed.
    """
    given: object = record
    if not isinstance(given, Mapping):
        msg = f"{where}: expected a record object, got {type(given).__name__}"
        raise CorruptRecordError(msg)
    _check_schema(record.get("schema"), where)
    kind = record.get("kind")
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_KINDS))
        msg = f"{where}: unknown event type {_safe(kind)}; known types: {known}"
        raise CorruptRecordError(msg)
    data = record.get("data")
    if not isinstance(data, Mapping):
        msg = f"{where}: the {kind!r} record has no 'data' object"
        raise CorruptRecordError(msg)
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        problems = "; ".join(_problems(exc))
        msg = f"{where}: the {kind!r} record cannot be read: {problems}"
        raise CorruptRecordError(msg) from exc


def _problems(exc: Exception, path: str = "$") -> list[str]:
    """What went wrong, by field path and error type only: values may be personal data."""
    if isinstance(exc, cattrs.BaseValidationError):
        return list(cattrs.transform_error(exc, path, format_exception=_describe))
    return [f"{_describe(exc, None)} @ {path}"]


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "unexpected field(s) " + ", ".join(sorted(map(str, exc.extra_fields)))
    if isinstance(exc, _Problem):
        return str(exc)
    if isinstance(exc, InvalidInputError) and exc.field:
        return f"invalid value ({type(exc).__name__}, field {exc.field!r})"
    return f"invalid value ({type(exc).__name__})"


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
        problems = "; ".join(_problems(exc))
        msg = f"cannot read a {getattr(cls, '__name__', cls)} from JSON: {problems}"
        raise CorruptRecordError(msg) from exc


_RECORD_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":")
)  # one encoder for every record: json.dumps would build a new one per call


def record_to_json(record: Mapping[str, Any]) -> str:
    """A record as compact JSON text (sorted keys, UTF-8 kept), as the SQL stores keep it."""
    return _RECORD_ENCODER.encode(record)


def record_from_json(text: str | bytes, *, where: str = "record") -> dict[str, Any]:
    """Parse a record's JSON text.

    Raises:
        CorruptRecordError: the text is not a JSON object.
    """
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # too deep: RecursionError
        msg = f"{where}: the stored record is not valid JSON"
        raise CorruptRecordError(msg) from exc
    if not isinstance(value, dict):
        msg = f"{where}: expected a record object, got {type(value).__name__}"
        raise CorruptRecordError(msg)
    return value


def events_fingerprint(code: str, events: Any) -> str:
    """A SHA-256 of a dossier code and events: what an idempotency key promises to repeat."""
    body = {"code": code, "events": [event_to_record(e) for e in events]}
    return hashlib.sha256(record_to_json(body).encode()).hexdigest()


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
    _check_schema(document.get("schema"), expected)
    found = known.get(name) if isinstance(name, str) and name != "Event" else None
    if found is None:
        msg = f"{expected}: unknown document type {_safe(name)}"
        raise CorruptRecordError(msg)
    if cls is not None and found is not cls and not (cls is Event and issubclass(found, Event)):
        msg = f"expected a {cls.__name__} document, got a {name} document"
        raise CorruptRecordError(msg)
    where = f"{name} document"
    if issubclass(found, Event):
        extra = sorted(str(k) for k in document if k not in ("schema", "type", "kind", "data"))
        if extra:
            msg = f"{where}: unexpected field(s) {', '.join(extra)}"
            raise CorruptRecordError(msg)
        if document.get("kind") != found.kind:
            msg = f"{where}: the kind must be {found.kind!r}, got {_safe(document.get('kind'))}"
            raise CorruptRecordError(msg)
        return event_from_record(document, where=where)
    extra = sorted(str(k) for k in document if k not in ("schema", "type", "data"))
    if extra:
        msg = f"{where}: unexpected field(s) {', '.join(extra)}"
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
        raise _corrupt(where, exc) from exc
    except Exception as exc:
        raise _corrupt(where, exc) from exc
    finally:
        _CALENDAR.reset(token)


def _corrupt(where: str, exc: Exception) -> CorruptRecordError:
    problems = "; ".join(_problems(exc, "$.data"))
    return CorruptRecordError(f"{where} cannot be read: {problems}")


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
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # too deep: RecursionError
        what = "document" if cls is None else f"{cls.__name__} document"
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

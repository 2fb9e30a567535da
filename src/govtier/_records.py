"""Stored event records: the format every store writes, below the stores and the documents.

A *record* is a plain dict with the record schema version, the event kind and the event's fields
(``{"schema": 1, "kind": "received", "data": {...}}``); :mod:`govtier.serialization` re-exports
these functions as its public face and builds the documents on top of them. This module imports
nothing above :mod:`govtier.dossier`, so the stores use it without loading the documents.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import IterableValidationNote
from cattrs.gen import make_dict_unstructure_fn, override

from govtier._guard import describe as describe_value
from govtier._guard import extra_keys, hide_cause
from govtier.dossier import EVENT_TYPES, Event
from govtier.errors import CorruptRecordError, InvalidInputError, SchemaVersionError

__all__ = [
    "EVENT_KINDS",
    "SCHEMA_VERSION",
    "Problem",
    "check_schema",
    "converter",
    "event_from_record",
    "event_to_record",
    "events_fingerprint",
    "make_converter",
    "problems",
    "record_from_json",
    "record_to_json",
    "safe",
    "structure_items",
]

SCHEMA_VERSION: Final = 1
"""The version of the record format written by this govtier; records of a newer one are refused."""

EVENT_KINDS: Final[Mapping[str, type[Event]]] = {cls.kind: cls for cls in EVENT_TYPES}
"""Each event kind with its class."""


class Problem(Exception):  # noqa: N818  (a safe text, never a value)
    """A problem described by a safe text (no values), for error messages."""


def _check_sequence(value: Any) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        msg = f"expected an array, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def structure_items(conv: cattrs.Converter, items: Any, inner: Any, whole: Any) -> list[Any]:
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


def make_converter() -> cattrs.Converter:
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
            return frozenset(structure_items(conv, value, inner, cls))

        return load

    def is_tuple(cls: Any) -> bool:
        return typing.get_origin(cls) is tuple

    def tuple_loader(cls: Any) -> Callable[[Any, Any], tuple[Any, ...]]:
        args = typing.get_args(cls)
        if len(args) == 2 and args[1] is Ellipsis:
            inner = args[0]

            def load_homogeneous(value: Any, _type: Any) -> tuple[Any, ...]:
                return tuple(structure_items(conv, value, inner, cls))

            return load_homogeneous

        def load_fixed(value: Any, _type: Any) -> tuple[Any, ...]:
            items = _check_sequence(value)
            if len(items) != len(args):
                msg = f"expected an array of {len(args)} items"
                raise Problem(msg)
            return tuple(
                item
                for (item,) in (
                    structure_items(conv, [v], t, cls) for v, t in zip(items, args, strict=True)
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
            and cls.__module__.startswith("govtier.dossier")  # the package or its parts
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


converter: Final = make_converter()
"""The converter of stored records (events and the values they hold)."""


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


def check_schema(schema: object, where: str) -> None:
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        msg = f"{where}: the record has no valid schema version (got {safe(schema)})"
        raise CorruptRecordError(msg)
    if schema > SCHEMA_VERSION:
        msg = (
            f"{where}: written by record schema version {schema}; this govtier reads "
            f"versions up to {SCHEMA_VERSION}. Upgrade govtier to read it."
        )
        raise SchemaVersionError(msg)


def safe(value: object) -> str:
    """A type name, kind or version as a message shows it: by type and size, never its text."""
    return describe_value(value)


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
    check_schema(record.get("schema"), where)
    kind = record.get("kind")
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_KINDS))
        msg = f"{where}: unknown event type (got {safe(kind)}); known types: {known}"
        raise CorruptRecordError(msg)
    data = record.get("data")
    if not isinstance(data, Mapping):
        msg = f"{where}: the {kind!r} record has no 'data' object"
        raise CorruptRecordError(msg)
    try:
        return converter.structure(data, cls)
    except Exception as exc:
        detail = "; ".join(problems(exc))
        msg = f"{where}: the {kind!r} record cannot be read: {detail}"
        raise hide_cause(CorruptRecordError(msg), exc) from None  # the cause quotes values


def problems(exc: Exception, path: str = "$") -> list[str]:
    """What went wrong, by field path and error type only: values may be personal data."""
    if isinstance(exc, cattrs.BaseValidationError):
        return list(cattrs.transform_error(exc, path, format_exception=describe))
    return [f"{describe(exc, None)} @ {path}"]


def describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return extra_keys(exc.extra_fields)  # a key may be a person's name: counted, not quoted
    if isinstance(exc, Problem):
        return str(exc)
    if isinstance(exc, InvalidInputError) and exc.field:
        return f"invalid value ({type(exc).__name__}, field {exc.field!r})"
    return f"invalid value ({type(exc).__name__})"


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
    except (ValueError, TypeError, RecursionError) as exc:  # too deep: RecursionError
        msg = f"{where}: the stored record is not valid JSON"
        raise hide_cause(CorruptRecordError(msg), exc) from None  # the cause quotes values
    if not isinstance(value, dict):
        msg = f"{where}: expected a record object, got {type(value).__name__}"
        raise CorruptRecordError(msg)
    return value


def events_fingerprint(code: str, events: Any) -> str:
    """A SHA-256 of a dossier code and events: what an idempotency key promises to repeat."""
    body = {"code": code, "events": [event_to_record(e) for e in events]}
    return hashlib.sha256(record_to_json(body).encode()).hexdigest()

"""Stored records and JSON: the one cattrs converter of govtier.

Every event a store writes is a *record*: a plain dict with the schema version, the event kind and
the event's fields (``{"schema": 1, "kind": "received", "data": {...}}``). Field names are the
attribute names of the event classes and do not change within a schema version; moments are ISO
8601 strings with their UTC offset, dates ISO strings, enums their value and a :class:`Duration`
its fields (``{"unit": "working days", "amount": 3, "cutoff": null}``).

Reading a record checks it: a newer schema version raises :class:`SchemaVersionError`, an unknown
event kind or a malformed field raises :class:`CorruptRecordError` naming what was wrong (never the
applicant's personal data).

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
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final, TypeVar

import cattrs

from govtier.dossier import EVENT_TYPES, Event
from govtier.errors import CorruptRecordError, InvalidInputError, SchemaVersionError

__all__ = [
    "EVENT_KINDS",
    "SCHEMA_VERSION",
    "converter",
    "dumps",
    "event_from_record",
    "event_to_record",
    "events_fingerprint",
    "loads",
    "record_from_json",
    "record_to_json",
]

SCHEMA_VERSION: Final = 1
"""The version of the record format written by this govtier; records of a newer one are refused."""

EVENT_KINDS: Final[Mapping[str, type[Event]]] = {cls.kind: cls for cls in EVENT_TYPES}
"""Each event kind with its class."""

_T = TypeVar("_T")


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)

    def dump_datetime(value: dt.datetime) -> str:
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

    conv.register_unstructure_hook(dt.datetime, dump_datetime)
    conv.register_structure_hook(dt.datetime, load_datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.date, load_date)
    conv.register_unstructure_hook(dt.time, dt.time.isoformat)
    conv.register_structure_hook(dt.time, load_time)
    conv.register_structure_hook(str, load_str)
    conv.register_structure_hook(int, load_int)
    return conv


converter: Final = _make_converter()
"""The converter every store and JSON export uses (plain ``dict``/``list``/``str`` values)."""


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
    schema = record.get("schema")
    if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
        msg = f"{where}: the record has no valid schema version (got {schema!r})"
        raise CorruptRecordError(msg)
    if schema > SCHEMA_VERSION:
        msg = (
            f"{where}: written by record schema version {schema}; this govtier reads "
            f"versions up to {SCHEMA_VERSION}. Upgrade govtier to read it."
        )
        raise SchemaVersionError(msg)
    kind = record.get("kind")
    cls = EVENT_KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        known = ", ".join(sorted(EVENT_KINDS))
        msg = f"{where}: unknown event type {kind!r}; known types: {known}"
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


def _problems(exc: Exception) -> list[str]:
    """What went wrong, by field path and error type only: values may be personal data."""
    if isinstance(exc, cattrs.BaseValidationError):
        return list(cattrs.transform_error(exc, format_exception=_describe))
    return [_describe(exc, None)]


def _describe(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "unexpected field(s) " + ", ".join(sorted(map(str, exc.extra_fields)))
    return f"invalid value ({type(exc).__name__})"


def dumps(value: Any) -> str:
    """``value`` (an attrs value, an event, a list of them...) as compact JSON text.

    Keys are sorted and non-ASCII text is kept as is, so equal values give equal text.
    """
    return json.dumps(
        converter.unstructure(value), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def loads(text: str | bytes, cls: type[_T]) -> _T:
    """Read a value of type ``cls`` from JSON text written by :func:`dumps`.

    Raises:
        CorruptRecordError: the text is not JSON or does not hold a ``cls``.
    """
    try:
        return converter.structure(json.loads(text), cls)
    except Exception as exc:
        problems = "; ".join(_problems(exc))
        msg = f"cannot read a {getattr(cls, '__name__', cls)} from JSON: {problems}"
        raise CorruptRecordError(msg) from exc


def record_to_json(record: Mapping[str, Any]) -> str:
    """A record as compact JSON text (sorted keys, UTF-8 kept), as the SQL stores keep it."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_from_json(text: str | bytes, *, where: str = "record") -> dict[str, Any]:
    """Parse a record's JSON text.

    Raises:
        CorruptRecordError: the text is not a JSON object.
    """
    try:
        value = json.loads(text)
    except ValueError as exc:
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

"""The compact stored form of events (store schema version 2), shared by the SQL stores.

An event is stored as a row ``(dossier id, seq, kind number, at, data)``: the moment is an integer
(microseconds since 1970-01-01 UTC) in a column of its own, the kind a small integer, and ``data``
a compact JSON object of the event's other fields with no null or empty value and every moment an
integer. A header's *terms* (the procedure's name, code and version, its time limit, deadline
policy and clock rules, the competent authority, the returning office and the planned steps:
what the catalogue and rules said when the dossier was received) are the same for thousands of
dossiers; they are stored once, in the ``terms`` table, as the full values of that moment, and a
header refers to them by number. A stored dossier therefore folds to the same value whatever the
bundled data says later: nothing is derived again when reading.

The kind numbers are part of the stored format: :data:`KINDS` only grows.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from govtier._guard import extra_keys, hide_cause
from govtier._records import converter
from govtier.calendar import VIETNAM_TZ
from govtier.dossier import EVENT_TYPES, Applicant, DossierHeader, Event
from govtier.errors import CorruptRecordError, InvalidInputError

__all__ = ["KINDS", "TERMS_FIELDS", "Codec", "from_micros", "micros"]

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

_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_TERMS_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def micros(moment: dt.datetime) -> int:
    """An aware moment as integer microseconds since 1970-01-01 UTC."""
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(value: int) -> dt.datetime:
    """The moment of :func:`micros`, in Asia/Ho_Chi_Minh."""
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"expected an integer moment, got {type(value).__name__}"
        raise TypeError(msg)
    seconds, rest = divmod(value, 1_000_000)
    return dt.datetime.fromtimestamp(seconds, VIETNAM_TZ).replace(microsecond=rest)


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
        add_terms: stores a terms body (with its SHA-256 digest) and gives its number; called
            inside the write transaction, once per new distinct terms.
        read_terms: gives the body of a stored terms number (``None``: no such terms).
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
        self._ids: dict[tuple[Any, ...], int] = {}  # committed terms by value
        self._tentative: dict[tuple[Any, ...], int] = {}  # added in the open transaction
        self._terms: dict[int, dict[str, Any]] = {}  # read terms by number

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
        cls = type(event)
        spec = self._specs.get(cls)
        if spec is None:
            msg = f"expected a govtier dossier event, got {cls.__name__}"
            raise InvalidInputError(msg, field="event", value=cls.__name__)
        data = self._fields(spec, event, code)
        return self._kind_of[cls], micros(event.at), _ENCODER.encode(data)

    def _fields(self, spec: _Spec, value: Any, code: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        empty = spec.empty
        for name, how, arg in spec.fields:
            item = getattr(value, name)
            if (item is None or item == ()) and name in empty and item == empty[name]:
                continue
            if how == _MOMENT:
                item = micros(item)
            elif how == _ENUM:
                item = item.value
            elif how == _LIST:
                item = list(item)
            elif how == _HEADER:
                item = self._header(item, code)
            elif how == _VALUE:
                item = self._fields(arg, item, code)
            elif how == _OTHER:
                item = converter.unstructure(item, arg)
            data[name] = item
        return data

    def _header(self, header: DossierHeader, code: str) -> dict[str, Any]:
        out = self._fields(self._header_spec, header, code)
        out["terms"] = self._terms_id(header)
        if header.code != code:
            out["code"] = header.code
        return out

    def _terms_id(self, header: DossierHeader) -> int:
        key = tuple(getattr(header, name) for name in TERMS_FIELDS)
        found = self._ids.get(key)
        if found is None:
            found = self._tentative.get(key)
        if found is None:
            types_ = self._terms_types
            body = _TERMS_ENCODER.encode(
                {
                    name: converter.unstructure(value, types_[name])
                    for name, value in zip(TERMS_FIELDS, key, strict=True)
                }
            )
            found = self._add_terms(body, hashlib.sha256(body.encode()).digest())
            self._tentative[key] = found
        return found

    # -- reading --------------------------------------------------------------------------------

    def event(self, code: str, kind: int, at: int, data: str | bytes, *, where: str) -> Event:
        """The event of a stored row.

        Raises:
            CorruptRecordError: the row cannot be read (the message names ``where`` and the
                field, never a value).
        """
        cls = self._class_of.get(kind) if type(kind) is int else None
        if cls is None:
            shown = kind if type(kind) is int else f"(a {type(kind).__name__})"
            msg = f"{where}: unknown stored event kind number {shown}"
            raise CorruptRecordError(msg)
        path = "$.at"
        try:
            kwargs: dict[str, Any] = {"at": from_micros(at)}
            path = "$"
            fields = json.loads(data)
            if not isinstance(fields, dict):
                raise TypeError(type(fields).__name__)
            spec = self._specs[cls]
            for field, item in fields.items():
                kwargs[field] = self._read(spec, field, item, code)
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
            if not isinstance(item, dict):
                raise TypeError(name)
            return arg.cls(**{k: self._read(arg, k, v, code) for k, v in item.items()})
        return converter.structure(item, arg)

    def _read_header(self, item: Any, code: str) -> DossierHeader:
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

    def terms(self, number: Any) -> Mapping[str, Any]:
        """The stored terms with that number, as header field values (read once, then kept)."""
        if isinstance(number, bool) or not isinstance(number, int):
            raise TypeError("terms")
        found = self._terms.get(number)
        if found is None:
            body = self._read_terms(number)
            if body is None:
                msg = f"the stored terms number {number} are missing"
                raise CorruptRecordError(msg)
            raw = json.loads(body)
            if not isinstance(raw, dict) or set(raw) != set(TERMS_FIELDS):
                msg = f"the stored terms number {number} cannot be read"
                raise CorruptRecordError(msg)
            found = {
                name: converter.structure(raw[name], self._terms_types[name])
                for name in TERMS_FIELDS
            }
            self._terms[number] = found
        return found


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

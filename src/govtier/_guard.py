"""Shared boundary checks: one place for the rules every module applies to outside input.

Private to govtier. The rules (see SECURITY.md):

- a bad value raises a :class:`~govtier.errors.GovtierError` naming the field and what was
  expected, never a bare Python exception;
- a message describes a value by its type and size (:func:`describe`), never by its text: values
  and unexpected keys may be personal data (an applicant's name sent as a key is still a name);
- a value-parsing error (ISO parser, ``int()``, an enum, cattrs) is not kept as ``__cause__``,
  since its message quotes the value: callers ``raise ... from None`` through :func:`hide_cause`,
  which records the original exception's type name in ``cause_type``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final, TypeVar

from govtier.errors import GovtierError, InvalidInputError

__all__ = [
    "MAX_DIGITS",
    "MAX_PATH_CHARS",
    "SQL_INT_MAX",
    "check_path",
    "decimal_int",
    "describe",
    "extra_keys",
    "hide_cause",
    "non_empty_text",
    "non_negative_int",
    "non_negative_or_none",
    "shown",
    "shown_names",
    "text_or_none",
]

MAX_DIGITS: Final = 9
"""The most digits an amount of time may have in text (``999999999`` days is already absurd)."""
MAX_PATH_CHARS: Final = 4096
"""The longest path accepted (Linux ``PATH_MAX``)."""
SQL_INT_MAX: Final = 2**63 - 1
"""The largest integer a SQL store can bind (SQLite and PostgreSQL ``bigint``)."""

_E = TypeVar("_E", bound=GovtierError)


def describe(value: object) -> str:
    """A value as a message may show it: its type and size, never its text.

    >>> describe("Nguyễn Văn An"), describe(None), describe(7), describe([1, 2])
    ('a text of 13 characters', 'None', '7', 'a list of 2 items')
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return (
            repr(value) if abs(value) < 10**15 else f"an integer of about {_digits(value)} digits"
        )
    if isinstance(value, str):
        return f"a text of {len(value)} character{'' if len(value) == 1 else 's'}"
    if isinstance(value, list | tuple | dict | set | frozenset):
        return f"a {type(value).__name__} of {len(value)} item{'' if len(value) == 1 else 's'}"
    return f"a {type(value).__name__}"


def _digits(value: int) -> int:
    return max(1, (abs(value).bit_length() * 30103) // 100000 + 1)


def extra_keys(keys: Iterable[object], allowed: Iterable[str] | None = None) -> str:
    """Unexpected keys, by count and position only: a key may be a person's name.

    With ``allowed``, the keys not in it are counted and their positions given; without it,
    every key in ``keys`` is unexpected.

    >>> extra_keys(["id", "Nguyễn Văn An", "name"], allowed=["id", "name"])
    '1 unexpected field (key #2)'
    >>> extra_keys({"Nguyễn Văn An", "Trần Thị B"})
    '2 unexpected fields'
    """
    if allowed is None:
        count = sum(1 for _ in keys)
        return f"{count} unexpected field{'' if count == 1 else 's'}"
    known = set(allowed)
    positions = [f"#{i}" for i, key in enumerate(keys, 1) if key not in known]
    shown = ", ".join(positions[:5]) + (", ..." if len(positions) > 5 else "")
    plural = "" if len(positions) == 1 else "s"
    return f"{len(positions)} unexpected field{plural} (key{plural} {shown})"


def hide_cause(error: _E, cause: BaseException) -> _E:
    """``error`` with the type name of ``cause`` in ``error.cause_type``; raise it ``from None``.

    The cause's message usually quotes the value (``Invalid isoformat string: '...'``), so the
    cause itself is not chained: ``logging.exception`` would log it.
    """
    error.cause_type = type(cause).__name__
    return error


def decimal_int(text: str, field: str, *, max_digits: int = MAX_DIGITS) -> int:
    """``text`` as a non-negative integer written in ASCII digits, at most ``max_digits`` long.

    Raises:
        InvalidInputError: other digits (Arabic-Indic, full-width...), a sign, or too many digits.
    """
    given: object = text
    if not (isinstance(given, str) and given.isascii() and given.isdigit()):
        msg = f"{field} must be written in the digits 0-9, got {describe(text)}"
        raise InvalidInputError(msg, field=field, value=None)
    if len(text) > max_digits:
        msg = f"{field} has {len(text)} digits; at most {max_digits} are accepted"
        raise InvalidInputError(msg, field=field, value=None)
    return int(text)


def check_path(path: object, field: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path`, refusing what the OS cannot take.

    Raises:
        InvalidInputError: not a str or path, empty, with a NUL character, or too long.
    """
    given = path
    if isinstance(given, os.PathLike):
        given = os.fspath(given)
    if isinstance(given, bytes) or not isinstance(given, str):
        msg = f"{field} must be a file path (str or os.PathLike), got {describe(path)}"
        raise InvalidInputError(msg, field=field, value=None)
    if not given:
        raise InvalidInputError(f"{field} is empty; give a file path", field=field, value=None)
    if "\x00" in given:
        msg = f"{field} contains a NUL character, which no file path can hold"
        raise InvalidInputError(msg, field=field, value=None)
    if len(given) > MAX_PATH_CHARS:
        msg = f"{field} is {len(given)} characters long; paths are limited to {MAX_PATH_CHARS}"
        raise InvalidInputError(msg, field=field, value=None)
    return Path(given)


def non_empty_text(_inst: object, attribute: Any, value: Any) -> None:
    """An attrs validator: ``value`` is a non-empty text."""
    if not isinstance(value, str) or not value:
        msg = f"{attribute.name} must be a non-empty text, got {describe(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=None)


def non_negative_or_none(_inst: object, attribute: Any, value: Any) -> None:
    """An attrs validator: ``value`` is ``None`` or an integer from 0 to :data:`SQL_INT_MAX`."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SQL_INT_MAX:
        msg = (
            f"{attribute.name} must be None or an integer from 0 to 2**63-1, got {describe(value)}"
        )
        raise InvalidInputError(msg, field=attribute.name, value=value)


def non_negative_int(_inst: object, attribute: Any, value: Any) -> None:
    """An attrs validator: ``value`` is an integer from 0 to :data:`SQL_INT_MAX`."""
    if value is None:
        msg = f"{attribute.name} must be an integer from 0 to 2**63-1, got None"
        raise InvalidInputError(msg, field=attribute.name, value=value)
    non_negative_or_none(_inst, attribute, value)


def shown(value: object) -> str:
    """A data-file value as an error message may quote it: short values verbatim, others by kind.

    For values of the package's and a province's data files (codes, dates, time limits), never
    for a citizen's data (use :func:`describe`): a long text, a huge integer (whose ``repr``
    itself fails past 4,300 digits) or a container is described, not quoted.

    >>> shown("2026-02-30"), shown(10**5000), shown({"a": 1})
    ("'2026-02-30'", 'an integer of about 5001 digits', 'a dict of 1 item')
    """
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return repr(value)
    return describe(value)


def text_or_none(_inst: object, attribute: Any, value: Any) -> None:
    """An attrs validator: ``value`` is ``None`` or a text."""
    if value is not None and not isinstance(value, str):
        msg = f"{attribute.name} must be a text or None, got {describe(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=None)


def shown_names(names: Iterable[object]) -> str:
    """Names from a data file (unknown keys, procedure ids), each as :func:`shown` quotes it."""
    return ", ".join(map(shown, names))

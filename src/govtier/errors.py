"""One exception hierarchy for govtier.

Every error govtier raises on purpose is a :class:`GovtierError`. Subclasses also derive from the
closest built-in (:class:`ValueError` for bad values, :class:`LookupError` for unknown keys), so
callers may catch either. Messages name the value that was wrong and what was expected; the
structured fields carry the same facts for programs.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ConcurrencyError",
    "CorruptRecordError",
    "DataFileError",
    "GovtierError",
    "InvalidInputError",
    "InvalidTransitionError",
    "MalformedCodeError",
    "NoCompetentAuthorityError",
    "OutOfRangeError",
    "RuleConflictError",
    "SchemaVersionError",
    "StorageError",
    "UnknownDossierError",
    "UnknownProcedureError",
    "UnknownUnitError",
]


class GovtierError(Exception):
    """The root of every error govtier raises on purpose.

    Attributes:
        cause_type: when the error was raised instead of a lower-level one whose message quotes
            the value (an ISO date parser, ``int()``, an enum), that error's type name; the
            error itself is not chained, so logging the exception never logs the value.
    """

    cause_type: str | None = None


class InvalidInputError(GovtierError, ValueError):
    """A value given to govtier is not what was expected.

    Attributes:
        field: the name of the argument or field that was wrong.
        value: the value given.
    """

    def __init__(self, message: str, *, field: str | None = None, value: Any = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


class OutOfRangeError(InvalidInputError):
    """A date lies outside the range a calendar or table covers."""


class MalformedCodeError(InvalidInputError):
    """A code (unit, procedure, dossier) does not have the published shape."""


class DataFileError(GovtierError, ValueError):
    """A data file (notices, catalogue, rules) is malformed.

    The message names the file, the entry and the field, so it can be fixed by hand.

    Attributes:
        path: the file, or ``"<data>"`` for in-memory data.
        entry: which entry of the file (an index or an identifier), if known.
        field: which field of the entry, if known.
        problem: what was wrong.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str = "<data>",
        entry: str | int | None = None,
        field: str | None = None,
    ) -> None:
        where = path
        if entry is not None:
            where += f", entry {entry!s}"
        if field is not None:  # a field named in a file may be long: bounded, one line
            where += f", field {field if len(field) <= 80 else field[:77] + '...'!r}"
        super().__init__(f"{where}: {problem}")
        self.path = path
        self.entry = entry
        self.field = field
        self.problem = problem


class UnknownUnitError(GovtierError, LookupError):
    """No administrative unit has the given code (at the given date)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:  # LookupError would otherwise quote the message
        return str(self.args[0])


class UnknownProcedureError(GovtierError, LookupError):
    """No procedure in the catalogue has the given code (at the given date)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __str__(self) -> str:
        return str(self.args[0])


class NoCompetentAuthorityError(GovtierError, LookupError):
    """No competence rule matches a procedure, a unit and a date."""

    def __str__(self) -> str:
        return str(self.args[0])


class RuleConflictError(GovtierError, ValueError):
    """Two rules overlap and give different answers."""


class InvalidTransitionError(GovtierError, ValueError):
    """An event is not allowed in a dossier's current status, or is otherwise invalid."""


class UnknownDossierError(GovtierError, LookupError):
    """No stored dossier has the given code."""

    def __str__(self) -> str:
        return str(self.args[0])


class ConcurrencyError(GovtierError):
    """A write was based on a stale version of a dossier; nothing was written."""


class StorageError(GovtierError):
    """A store could not be opened, read or written. ``__cause__`` holds the driver's error."""


class SchemaVersionError(StorageError):
    """A database or record was written by another schema version than this govtier reads."""


class CorruptRecordError(StorageError):
    """A stored record cannot be read back."""

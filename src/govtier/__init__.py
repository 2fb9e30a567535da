"""govtier: the domain core for Vietnam's two-tier local government.

Administrative units, procedures, competent authorities, statutory deadlines on the civil-service
calendar, and dossiers with their full history. Importing govtier loads no data; each registry reads
its bundled files on first use.

The top level holds the names a portal uses every day (listed once, below); everything else lives
in its module: :mod:`govtier.calendar`, :mod:`govtier.deadlines`, :mod:`govtier.units`,
:mod:`govtier.catalogue`, :mod:`govtier.jurisdiction`, :mod:`govtier.dossier`,
:mod:`govtier.storage`, :mod:`govtier.reporting`, :mod:`govtier.interop`, :mod:`govtier.charts`,
:mod:`govtier.legal` and :mod:`govtier.errors`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from govtier.errors import (
    ConcurrencyError,
    CorruptRecordError,
    DataFileError,
    GovtierError,
    InvalidInputError,
    InvalidTransitionError,
    MalformedCodeError,
    NoCompetentAuthorityError,
    OutOfRangeError,
    RuleConflictError,
    SchemaVersionError,
    StorageError,
    UnknownDossierError,
    UnknownProcedureError,
    UnknownUnitError,
)

__version__ = "0.1.0.dev0"
"""The version, written only here (pyproject.toml reads it from this line)."""

# THE list of top-level names that are not errors: module -> names. `__all__`, the lazy loader and
# (through the block below, which tests/test_package.py checks against it) type checkers use it.
_PUBLIC: dict[str, tuple[str, ...]] = {
    "govtier.calendar": ("VIETNAM_TZ", "WorkingCalendar"),
    "govtier.deadlines": ("Deadline", "Duration"),
    "govtier.units": ("Unit", "UnitRegistry"),
    "govtier.catalogue": ("Catalogue", "Channel", "Procedure"),
    "govtier.jurisdiction": ("Assignment", "RuleSet"),
    "govtier.dossier": (
        "Applicant",
        "Dossier",
        "DossierCode",
        "DossierHeader",
        "Outcome",
        "Status",
    ),
    "govtier.storage": ("DossierStore", "MemoryStore", "PostgresStore", "SQLiteStore"),
    "govtier.reporting": ("Report", "report"),
    "govtier.interop": ("parse_sync_record", "sync_record"),
}

if TYPE_CHECKING:  # the same names, for type checkers and IDEs
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.catalogue import Catalogue, Channel, Procedure
    from govtier.deadlines import Deadline, Duration
    from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader, Outcome, Status
    from govtier.interop import parse_sync_record, sync_record
    from govtier.jurisdiction import Assignment, RuleSet
    from govtier.reporting import Report, report
    from govtier.storage import DossierStore, MemoryStore, PostgresStore, SQLiteStore
    from govtier.units import Unit, UnitRegistry

_ERRORS: tuple[str, ...] = tuple(n for n in dir() if n.endswith("Error"))
_LAZY: dict[str, str] = {name: module for module, names in _PUBLIC.items() for name in names}


def _order(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


__all__ = sorted([*_ERRORS, *_LAZY], key=_order)  # noqa: PLE0605  (built from the one list)


def __getattr__(name: str) -> Any:
    # PEP 562: the name's module is imported on first use, so `import govtier` stays fast and loads
    # neither data nor optional machinery (holidays, cattrs, psycopg).
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'govtier' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

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

from govtier.errors import ConcurrencyError as ConcurrencyError
from govtier.errors import CorruptRecordError as CorruptRecordError
from govtier.errors import DataFileError as DataFileError
from govtier.errors import GovtierError as GovtierError
from govtier.errors import InvalidInputError as InvalidInputError
from govtier.errors import InvalidTransitionError as InvalidTransitionError
from govtier.errors import MalformedCodeError as MalformedCodeError
from govtier.errors import NoCompetentAuthorityError as NoCompetentAuthorityError
from govtier.errors import OutOfRangeError as OutOfRangeError
from govtier.errors import RuleConflictError as RuleConflictError
from govtier.errors import SchemaVersionError as SchemaVersionError
from govtier.errors import StorageError as StorageError
from govtier.errors import UnknownDossierError as UnknownDossierError
from govtier.errors import UnknownProcedureError as UnknownProcedureError
from govtier.errors import UnknownUnitError as UnknownUnitError

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

if TYPE_CHECKING:  # the same names, for type checkers and IDEs (`X as X`: re-exported)
    from govtier.calendar import VIETNAM_TZ as VIETNAM_TZ
    from govtier.calendar import WorkingCalendar as WorkingCalendar
    from govtier.catalogue import Catalogue as Catalogue
    from govtier.catalogue import Channel as Channel
    from govtier.catalogue import Procedure as Procedure
    from govtier.deadlines import Deadline as Deadline
    from govtier.deadlines import Duration as Duration
    from govtier.dossier import Applicant as Applicant
    from govtier.dossier import Dossier as Dossier
    from govtier.dossier import DossierCode as DossierCode
    from govtier.dossier import DossierHeader as DossierHeader
    from govtier.dossier import Outcome as Outcome
    from govtier.dossier import Status as Status
    from govtier.interop import parse_sync_record as parse_sync_record
    from govtier.interop import sync_record as sync_record
    from govtier.jurisdiction import Assignment as Assignment
    from govtier.jurisdiction import RuleSet as RuleSet
    from govtier.reporting import Report as Report
    from govtier.reporting import report as report
    from govtier.storage import DossierStore as DossierStore
    from govtier.storage import MemoryStore as MemoryStore
    from govtier.storage import PostgresStore as PostgresStore
    from govtier.storage import SQLiteStore as SQLiteStore
    from govtier.units import Unit as Unit
    from govtier.units import UnitRegistry as UnitRegistry

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

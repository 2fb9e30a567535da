"""govtier: the domain core for Vietnam's two-tier local government.

Administrative units, procedures, competent authorities, statutory deadlines on the civil-service
calendar, and dossiers with their full history. Importing govtier loads no data; each registry reads
its bundled files on first use.
"""

from govtier.calendar import (
    VIETNAM_TZ,
    DayInfo,
    DayReason,
    Notice,
    ReasonKind,
    Session,
    WorkingCalendar,
    WorkingHours,
    load_notices,
)
from govtier.deadlines import (
    ClockRules,
    Counting,
    Deadline,
    DeadlinePolicy,
    DueMoment,
    Duration,
    DurationUnit,
    OutsideHours,
    WaitRule,
)
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
from govtier.legal import Confidence, LegalSource

__version__ = "0.1.0.dev0"

__all__ = [
    "VIETNAM_TZ",
    "ClockRules",
    "ConcurrencyError",
    "Confidence",
    "CorruptRecordError",
    "Counting",
    "DataFileError",
    "DayInfo",
    "DayReason",
    "Deadline",
    "DeadlinePolicy",
    "DueMoment",
    "Duration",
    "DurationUnit",
    "GovtierError",
    "InvalidInputError",
    "InvalidTransitionError",
    "LegalSource",
    "MalformedCodeError",
    "NoCompetentAuthorityError",
    "Notice",
    "OutOfRangeError",
    "OutsideHours",
    "ReasonKind",
    "RuleConflictError",
    "SchemaVersionError",
    "Session",
    "StorageError",
    "UnknownDossierError",
    "UnknownProcedureError",
    "UnknownUnitError",
    "WaitRule",
    "WorkingCalendar",
    "WorkingHours",
    "load_notices",
]

"""The dossier (hồ sơ) lifecycle: validated state transitions with a statutory clock.

A :class:`Dossier` is the fold of its events. Which event may follow which status is the
:data:`TRANSITIONS` table, held as data and checked when it is defined (every status reachable, no
exit from a terminal status). The clock — the appointment given on the receipt slip and every change
to it — lives in the events themselves, so a stored dossier never changes its appointment when a
calendar is updated later.

The commands (:meth:`Dossier.receive`, :meth:`Dossier.request_supplement`, ...) build the event,
computing any new appointment on the calendar passed in, and apply it. :meth:`Dossier.apply` takes
any event, checks it and returns a new dossier; the original is unchanged. Nothing here reads the
clock: every moment comes from an event.

Statuses carry the National Public Service Portal's ``TrangThaiHoSo`` codes 1–10 (seen in several
portal codebases, no official specification found: partial confidence).
"""

from __future__ import annotations

from govtier.dossier import _custody, _header, _timing, _transitions
from govtier.dossier._clock import (
    AppointmentChange,
    Clock,
    StepProgress,
    Wait,
)
from govtier.dossier._core import (
    Dossier,
    ReceiptSlip,
)
from govtier.dossier._custody import (
    CircularTransfer,
    Custody,
)
from govtier.dossier._events import (
    EVENT_TYPES,
    Apologised,
    Decided,
    Event,
    HandedOver,
    Paid,
    PaymentRequested,
    Received,
    Refused,
    Returned,
    Stopped,
    Submitted,
    Supplemented,
    SupplementRequested,
    Transferred,
    Withdrawn,
)
from govtier.dossier._header import (
    Applicant,
    ApplicantKind,
    ClockState,
    DossierCode,
    DossierHeader,
    Outcome,
    Status,
    StepPlan,
    Timeliness,
    event_label,
)
from govtier.dossier._timing import (
    Phase,
    Standing,
    Timeline,
    bundled_province_of,
    timeliness_of,
)
from govtier.dossier._transitions import (
    Target,
    TransitionTable,
)

EVENT_LABELS = _header.EVENT_LABELS
"""Each event kind in words (English message ids; see :func:`event_label`)."""

RUNNING_STATUSES = _timing.RUNNING_STATUSES
"""The statuses in which the statutory clock runs (a dossier can become overdue)."""

ProvinceOf = _timing.ProvinceOf
"""Gives the province code of a unit code, or ``None`` when it is not known."""

TRANSITIONS = _transitions.TRANSITIONS
"""The lifecycle, as data. ``docs/dossiers.md`` shows it as a diagram."""

MAX_HANDOFFS_BETWEEN = _custody.MAX_HANDOFFS_BETWEEN
"""How many times a dossier may pass between the same two agencies before it is circular."""


__all__ = [
    "EVENT_LABELS",
    "EVENT_TYPES",
    "MAX_HANDOFFS_BETWEEN",
    "RUNNING_STATUSES",
    "TRANSITIONS",
    "Apologised",
    "Applicant",
    "ApplicantKind",
    "AppointmentChange",
    "CircularTransfer",
    "Clock",
    "ClockState",
    "Custody",
    "Decided",
    "Dossier",
    "DossierCode",
    "DossierHeader",
    "Event",
    "HandedOver",
    "Outcome",
    "Paid",
    "PaymentRequested",
    "Phase",
    "ProvinceOf",
    "ReceiptSlip",
    "Received",
    "Refused",
    "Returned",
    "Standing",
    "Status",
    "StepPlan",
    "StepProgress",
    "Stopped",
    "Submitted",
    "SupplementRequested",
    "Supplemented",
    "Target",
    "Timeline",
    "Timeliness",
    "Transferred",
    "TransitionTable",
    "Wait",
    "Withdrawn",
    "bundled_province_of",
    "event_label",
    "timeliness_of",
]

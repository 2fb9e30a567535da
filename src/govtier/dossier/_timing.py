"""The clock and timeliness rules: one home for the dossier, its store summaries and reports.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Final, TypeAlias

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier.dossier._header import ClockState, Status, Timeliness
from govtier.errors import (
    GovtierError,
)
from govtier.units import UnitRegistry

# --------------------------------------------------------------------------------------------
# The clock and timeliness rules: their one home, for the dossier, the store summaries and the
# reports alike (a report over a store's summaries equals the report over the same dossiers)

RUNNING_STATUSES: Final = frozenset({Status.RECEIVED, Status.IN_PROGRESS})
"""The statuses in which the statutory clock runs (a dossier can become overdue)."""

ProvinceOf: TypeAlias = Callable[[str], "str | None"]
"""Gives the province code of a unit code, or ``None`` when it is not known."""


@functools.lru_cache(maxsize=8192)
def bundled_province_of(unit: str) -> str | None:
    """The province code of ``unit`` in the bundled unit registry, or ``None`` if unknown.

    >>> bundled_province_of("00004")
    '01'
    >>> bundled_province_of("nowhere") is None
    True
    """
    try:
        return UnitRegistry.bundled().province_of(unit).code
    except (GovtierError, TypeError):
        return None


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(VIETNAM_TZ).date()


def timeliness_of(
    finished_at: dt.datetime | None, appointment: dt.datetime | None
) -> Timeliness | None:
    """How a decision at ``finished_at`` met ``appointment`` (``None`` if either is missing).

    Early when decided on an earlier day (in Vietnam) than the appointment's, on time when by
    the appointment, late after it — as the portals compare ``NgayKetThucXuLy`` with
    ``NgayHenTra``.

    >>> import datetime as dt
    >>> from govtier.calendar import VIETNAM_TZ
    >>> due = dt.datetime(2026, 3, 10, 17, tzinfo=VIETNAM_TZ)
    >>> timeliness_of(due, due).name, timeliness_of(due - dt.timedelta(days=1), due).name
    ('ON_TIME', 'EARLY')
    """
    if finished_at is None or appointment is None:
        return None
    if _local_day(finished_at) < _local_day(appointment):
        return Timeliness.EARLY
    return Timeliness.ON_TIME if finished_at <= appointment else Timeliness.LATE


@attrs.frozen(kw_only=True)
class Phase:
    """From ``at`` until the next phase, the dossier had ``status`` and ``appointment``.

    Attributes:
        at: the moment of the event that began the phase.
        status: the status during the phase.
        appointment: the appointment in force (``None`` before receipt and while stopped).
    """

    at: dt.datetime
    status: Status
    appointment: dt.datetime | None


@attrs.frozen(kw_only=True)
class Standing:
    """What a dossier was at a moment: the facts every clock and timeliness rule reads.

    Attributes:
        status: the status.
        filed_at: the first event (submission, receipt or refusal).
        received_at: when it was received (``None`` if it had not been).
        appointment: the appointment in force (``None`` before receipt and while stopped).
        finished_at: when it was decided (``None`` if it had not been).
        apologised_at: when the first apology with a new appointment (Form 04) was given
            (``None`` if none had been).
    """

    status: Status
    filed_at: dt.datetime | None = None
    received_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    apologised_at: dt.datetime | None = None

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, once decided (:func:`timeliness_of`)."""
        return timeliness_of(self.finished_at, self.appointment)

    @property
    def running_due(self) -> dt.datetime | None:
        """The appointment while the clock runs (received or in progress, not decided)."""
        if self.status in RUNNING_STATUSES and self.finished_at is None:
            return self.appointment
        return None

    def clock_state(self, as_of: dt.datetime) -> ClockState:
        """Not started, closed, paused, overdue, due today or within time, as of ``as_of``.

        Due today means the appointment falls on the day of ``as_of`` in Vietnam.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        moment = check_aware(as_of, "as_of")
        if self.received_at is None:
            return ClockState.NOT_STARTED
        if self.status.is_terminal or self.finished_at is not None:
            return ClockState.CLOSED
        due = self.appointment
        if self.status.is_paused or due is None:
            return ClockState.PAUSED
        if moment > due:
            return ClockState.OVERDUE
        if _local_day(moment) == _local_day(due):
            return ClockState.DUE_TODAY
        return ClockState.WITHIN_TIME


@attrs.frozen(kw_only=True)
class Timeline:
    """A dossier's phases, receipt and decision: its standing at any moment, without its events.

    :meth:`at` gives what folding the events up to a moment gives (the "as of" rule), so a light
    record that carries a timeline (a store's ``DossierSummary``) reports as the dossier does.

    Attributes:
        phases: the phases, oldest first (one per moment at which the status or the
            appointment changed).
        received_at: the receipt moment, if received.
        finished_at: the decision moment, if decided.
        apologised_at: the first apology's moment, if one was given.
    """

    phases: tuple[Phase, ...]
    received_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    apologised_at: dt.datetime | None = None

    @property
    def filed_at(self) -> dt.datetime | None:
        """The first event's moment (``None`` for an empty timeline)."""
        return self.phases[0].at if self.phases else None

    def at(self, as_of: dt.datetime | None = None) -> Standing | None:
        """The standing as of ``as_of`` (now when ``None``); ``None`` before the first event.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        phases = self.phases
        if not phases:
            return None
        received, finished, apologised = self.received_at, self.finished_at, self.apologised_at
        if as_of is None:
            phase = phases[-1]
        else:
            moment = check_aware(as_of, "as_of")
            index = len(phases) - 1
            while index >= 0 and phases[index].at > moment:
                index -= 1
            if index < 0:
                return None
            phase = phases[index]
            received = None if received is None or received > moment else received
            finished = None if finished is None or finished > moment else finished
            apologised = None if apologised is None or apologised > moment else apologised
        return Standing(
            status=phase.status,
            filed_at=phases[0].at,
            received_at=received,
            appointment=phase.appointment,
            finished_at=finished,
            apologised_at=apologised,
        )

"""The clock a dossier carries: the appointment and its changes, waits and inter-agency steps.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import datetime as dt

import attrs

from govtier.deadlines import (
    WaitRule,
)
from govtier.i18n import format_date, resolve_language, tr, tr_data


def _on(moment: dt.datetime, lang: str) -> str:
    """``08:30 ngày 09/03/2026`` or ``08:30 on 09/03/2026``."""
    return tr(
        "{time} on {date}", lang, time=moment.strftime("%H:%M"), date=format_date(moment.date())
    )


# --------------------------------------------------------------------------------------------
# The clock


@attrs.frozen(kw_only=True)
class AppointmentChange:
    """One change of appointment, as the portal's sync format keeps it.

    Attributes:
        at: when it changed.
        cause: the event kind that changed it.
        before: the appointment before (``None`` at receipt).
        after: the appointment after (``None`` while the clock is stopped).
        reason: why, in words.
    """

    at: dt.datetime
    cause: str
    before: dt.datetime | None
    after: dt.datetime | None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Wait:
    """A wait on the applicant: from the request to the supplement or the payment.

    Attributes:
        cause: ``"supplement"`` or ``"payment"``.
        started_at: when the request was made.
        ended_at: when the applicant answered.
        rule: what the wait did to the clock (paused it, or restarted it afterwards).
    """

    cause: str
    started_at: dt.datetime
    ended_at: dt.datetime
    rule: WaitRule


@attrs.frozen(kw_only=True)
class StepProgress:
    """An inter-agency step as it happened: started, its sub-deadline, and when it ended."""

    index: int
    name: str
    agency: str
    started_at: dt.datetime
    due_at: dt.datetime | None
    completed_at: dt.datetime | None = None

    def text(self, lang: str | None = None) -> str:
        """The step in words, in ``lang``: what, who, and its sub-deadline."""
        code = resolve_language(lang)
        name = tr_data(self.name, code)
        agency = tr_data(self.agency, code)
        if self.due_at is None:
            return f"{name}: {agency}"
        due = _on(self.due_at, code)
        return tr("{name}: {agency}, due {due}", code, name=name, agency=agency, due=due)

    def late_at(self, moment: dt.datetime) -> bool:
        """Whether the step missed its sub-deadline as seen at ``moment``."""
        if self.due_at is None:
            return False
        end = self.completed_at or moment
        return end > self.due_at


@attrs.frozen(kw_only=True)
class Clock:
    """The statutory clock of a dossier.

    Attributes:
        started_at: the receipt moment (``None`` before receipt).
        appointment: the current due moment (``None`` before receipt and while stopped).
        history: every change of appointment, oldest first.
        paused_since: when the current wait on the applicant began.
        waits: every finished wait on the applicant (supplement or payment), oldest first.
        extensions: apologies with a new appointment so far.
        supplement_requests: supplement requests so far.
        steps: the inter-agency steps so far.
        finished_at: when processing finished (the decision), if it has.
    """

    started_at: dt.datetime | None = None
    appointment: dt.datetime | None = None
    history: tuple[AppointmentChange, ...] = ()
    paused_since: dt.datetime | None = None
    waits: tuple[Wait, ...] = ()
    extensions: int = 0
    supplement_requests: int = 0
    steps: tuple[StepProgress, ...] = ()
    finished_at: dt.datetime | None = None

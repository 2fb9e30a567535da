"""The dossier: the fold of its events, its commands, and what each event does to it.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Final

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier.calendar import WorkingCalendar
from govtier.deadlines import (
    DeadlinePolicy,
    DueMoment,
    Duration,
    OutsideHours,
    WaitRule,
    add_working_time,
    working_time_between,
)
from govtier.dossier._clock import AppointmentChange, Clock, StepProgress, Wait, _on
from govtier.dossier._custody import _NO_CUSTODY, Custody
from govtier.dossier._events import (
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
    _evolve,
)
from govtier.dossier._header import (
    Applicant,
    ClockState,
    DossierHeader,
    Outcome,
    Status,
    Timeliness,
)
from govtier.dossier._timing import Phase, Standing, Timeline, timeliness_of
from govtier.dossier._transitions import _GOALS, TRANSITIONS, Target
from govtier.errors import (
    InvalidInputError,
    InvalidTransitionError,
)
from govtier.i18n import resolve_language, tr, tr_data
from govtier.jurisdiction import OutsideIntakeScopeError

# --------------------------------------------------------------------------------------------
# The dossier


@attrs.frozen(kw_only=True)
class ReceiptSlip:
    """The content of the receipt and appointment slip (Circular 03/2025/TT-VPCP, Form 01)."""

    dossier_code: str
    procedure_name: str
    procedure_code: str | None
    applicant: Applicant = attrs.field(repr=False)
    received_at: dt.datetime
    receiving_unit: str
    components: tuple[str, ...]
    appointment: dt.datetime
    returns_at: str
    clerk: str

    def render(self, lang: str | None = None) -> str:
        """The slip as text with the values filled in, in ``lang`` (default: Vietnamese).

        The headings are Form 01's; the values (names, components) are shown as given.
        """
        code = resolve_language(lang)
        procedure = self.procedure_name + (
            f" ({self.procedure_code})" if self.procedure_code else ""
        )
        lines = [
            tr("RECEIPT AND APPOINTMENT SLIP", code),
            tr("Dossier code: {code}", code, code=self.dossier_code),
            tr("Procedure: {procedure}", code, procedure=procedure),
            tr("Applicant: {name}", code, name=self.applicant.name),
            tr("Received at: {moment}", code, moment=_on(self.received_at, code)),
            tr("Dossier components:", code),
            *(f"  {i}. {c}" for i, c in enumerate(self.components, 1)),
            tr("Appointment for the result: {moment}", code, moment=_on(self.appointment, code)),
            tr("Where the result is returned: {where}", code, where=tr_data(self.returns_at, code)),
            tr("Received by: {clerk}", code, clerk=self.clerk),
        ]
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class Dossier:
    """A dossier: the fold of its events.

    Build one with :meth:`submit`, :meth:`receive` or :meth:`refuse` (or :meth:`from_events`), then
    move it on with the commands or :meth:`apply`. Every command returns a new dossier.

    Attributes:
        header: what the dossier is about (``None`` only for an empty dossier).
        status: the current status (``None`` only for an empty dossier).
        events: the full history, oldest first.
        clock: the statutory clock.
        outcome: the decision, once decided.
        resume_to: the status to return to after a wait on the applicant.
        custody: the agencies it was transferred or handed over to, and circular transfers.
        calendar: the working calendar given at receipt (or to the last command that took one);
            the commands use it when no ``calendar=`` is given. It is not part of the history: a
            dossier read back from its events (a store) has none until a command is given one.
        phases: the status and appointment over time (see :attr:`timeline`), kept by the fold.
    """

    header: DossierHeader | None = None
    status: Status | None = None
    events: tuple[Event, ...] = attrs.field(default=(), repr=lambda e: f"<{len(e)} events>")
    clock: Clock = attrs.field(factory=Clock)
    outcome: Outcome | None = None
    resume_to: Status | None = None
    custody: Custody = attrs.field(default=_NO_CUSTODY)
    calendar: WorkingCalendar | None = attrs.field(default=None, eq=False, repr=False)
    phases: tuple[Phase, ...] = attrs.field(default=(), repr=False)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_events(cls, events: Iterable[Event]) -> Dossier:
        """Fold a history into a dossier.

        Raises:
            InvalidTransitionError: an event is not allowed where it stands.
        """
        return cls().apply_all(events)

    @classmethod
    def submit(cls, header: DossierHeader, *, at: dt.datetime, actor: str) -> Dossier:
        """A dossier filed online or by post, waiting to be accepted (portal status 1)."""
        return cls().apply(Submitted(at=at, actor=actor, header=header))

    @classmethod
    def receive(
        cls,
        header: DossierHeader,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar,
        components: Iterable[str] = (),
        intake_exception: str | None = None,
    ) -> Dossier:
        """A complete dossier received at the counter: the appointment is set on ``calendar``.

        The dossier remembers ``calendar``: the later commands need no ``calendar=``.

        Args:
            header: what the dossier is about (with its intake check, see
                :meth:`DossierHeader.from_assignment`).
            at: the moment of receipt.
            actor: who received it.
            calendar: the working calendar the appointment is computed on.
            components: the documents received.
            intake_exception: why the dossier is received although the header's intake check
                refuses this receiving unit or channel; recorded in the event.

        Raises:
            OutsideIntakeScopeError: the receiving unit or channel is outside the intake scope
                and no exception is stated.
        """
        exception = _intake_exception(header, intake_exception)
        appointment = calendar.due_at(at, header.time_limit, header.policy)
        event = Received(
            at=at,
            actor=actor,
            appointment=appointment,
            components=tuple(components),
            header=header,
            intake_exception=exception,
        )
        return cls(calendar=calendar).apply(event)

    @classmethod
    def refuse(
        cls,
        header: DossierHeader,
        *,
        at: dt.datetime,
        actor: str,
        reason: str,
        legal_basis: str | None = None,
    ) -> Dossier:
        """A dossier refused at intake (Form 03)."""
        event = Refused(at=at, actor=actor, reason=reason, legal_basis=legal_basis, header=header)
        return cls().apply(event)

    # -- commands ----------------------------------------------------------------------------

    def accept(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar,
        components: Iterable[str] = (),
        intake_exception: str | None = None,
    ) -> Dossier:
        """Accept a submitted dossier: issue the receipt and set the appointment on ``calendar``.

        The online (and postal) intake is :meth:`submit`, then ``accept`` when a clerk has checked
        the dossier: the event is ``received``, as at the counter, and the dossier remembers
        ``calendar``.

        Raises:
            OutsideIntakeScopeError: the header's intake check refuses the receiving unit or
                channel and no ``intake_exception`` (the reason, recorded in the event) is given.
        """
        header = self._header()
        exception = _intake_exception(header, intake_exception)
        appointment = calendar.due_at(at, header.time_limit, header.policy)
        return self._with(calendar).apply(
            Received(
                at=at,
                actor=actor,
                appointment=appointment,
                components=tuple(components),
                intake_exception=exception,
            )
        )

    def request_supplement(
        self, *, at: dt.datetime, actor: str, components: Iterable[str], reason: str
    ) -> Dossier:
        """Ask the applicant, in writing, to supplement the named components (Form 02)."""
        return self.apply(
            SupplementRequested(at=at, actor=actor, components=tuple(components), reason=reason)
        )

    def supplement(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar | None = None,
        components: Iterable[str] = (),
    ) -> Dossier:
        """The applicant supplements; the clock restarts or resumes per the procedure's rules.

        ``calendar`` defaults to the dossier's own (see :attr:`calendar`).
        """
        rule = self._header().clock.on_supplement
        cal = self._calendar(calendar, "supplement")
        appointment, step_due = (
            self._resumed(at, cal, rule) if self.clock.started_at is not None else (None, None)
        )
        return self._with(cal).apply(
            Supplemented(
                at=at,
                actor=actor,
                components=tuple(components),
                appointment=appointment,
                step_due=step_due,
            )
        )

    def transfer(
        self,
        *,
        at: dt.datetime,
        actor: str,
        calendar: WorkingCalendar | None = None,
        to: str | None = None,
    ) -> Dossier:
        """Hand the dossier on to the next agency.

        With a planned step left (``header.steps``), the dossier goes to that step's agency with
        the step's sub-deadline; ``to``, if given, must name that agency. With no planned step
        left, it goes to ``to``; without ``to``, to the competent authority (``header.competent``),
        with no sub-deadline.

        Args:
            at: when it is handed on.
            actor: who hands it on.
            calendar: for the step's sub-deadline; defaults to the dossier's own.
            to: the receiving agency.

        Raises:
            InvalidInputError: ``to`` is not the planned step's agency.
            InvalidTransitionError: a transfer is not allowed in the current status.
        """
        header = self._header()
        index = len(self.clock.steps)
        if index < len(header.steps):
            plan = header.steps[index]
            if to is not None and to != plan.agency:
                msg = (
                    f"step {index} ({plan.name}) is planned at {plan.agency!r}; got to={to!r} "
                    "(leave out to= to follow the plan)"
                )
                raise InvalidInputError(msg, field="to", value=to)
            cal = self._calendar(calendar, "transfer")
            due = cal.due_at(at, plan.share, header.policy)
            return self._with(cal).apply(
                Transferred(at=at, actor=actor, step=index, to=plan.agency, step_due=due)
            )
        target = header.competent if to is None else to
        return self._with(calendar).apply(
            Transferred(at=at, actor=actor, step=index, to=target, step_due=None)
        )

    def request_payment(
        self, *, at: dt.datetime, actor: str, amount: int | None = None, reason: str | None = None
    ) -> Dossier:
        """Ask the applicant to pay financial obligations; the clock waits."""
        return self.apply(
            PaymentRequested(
                at=at, actor=actor, amount=amount, reason=reason or "financial obligations"
            )
        )

    def pay(
        self, *, at: dt.datetime, actor: str, calendar: WorkingCalendar | None = None
    ) -> Dossier:
        """The applicant paid; the appointment moves by the paused working time (or restarts).

        ``calendar`` defaults to the dossier's own (see :attr:`calendar`).
        """
        cal = self._calendar(calendar, "pay")
        appointment, step_due = self._resumed(at, cal, self._header().clock.on_payment)
        return self._with(cal).apply(
            Paid(at=at, actor=actor, appointment=appointment, step_due=step_due)
        )

    def apologise(
        self,
        *,
        at: dt.datetime,
        actor: str,
        reason: str,
        new_appointment: dt.datetime | None = None,
        extension: Duration | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Dossier:
        """Apologise and set a new appointment (Form 04).

        Give the new appointment as a moment (``new_appointment``) or as a time limit added on
        ``calendar`` to the current appointment, or to the apology when the appointment has
        already passed (``extension``, e.g. ``Duration.working_days(3)``: the close of business
        of the third working day after). Either way it must be a working moment on ``calendar`` (a
        working session of a working day, its end included): the applicant comes to the counter
        then. Without ``calendar``, the dossier's own (given at receipt) or else the national
        calendar (``WorkingCalendar.vietnam()``) is used; like every command's, a ``calendar``
        given is remembered.

        Raises:
            InvalidInputError: neither or both of ``new_appointment`` and ``extension`` are
                given, or the new appointment is not a working moment.
            InvalidTransitionError: the apology is not allowed now (see :meth:`apply`).
        """
        if (new_appointment is None) == (extension is None):
            msg = "give the new appointment as new_appointment or as extension (one of them)"
            raise InvalidInputError(msg, field="new_appointment", value=new_appointment)
        cal = calendar or self.calendar or WorkingCalendar.vietnam()
        field = "new_appointment"
        if extension is not None:
            field = "extension"
            given: object = extension
            if not isinstance(given, Duration):
                msg = f"extension must be a govtier Duration, got {type(given).__name__}"
                raise InvalidInputError(msg, field=field, value=extension)
            current = self.clock.appointment
            if current is None:
                msg = "the clock is stopped: there is no appointment to extend"
                raise InvalidTransitionError(msg)
            policy = DeadlinePolicy(
                due=DueMoment.CLOSE_OF_BUSINESS, outside_hours=OutsideHours.AS_RECEIVED
            )
            base = max(current, check_aware(at, "at"))
            new_appointment = cal.due_at(base, extension, policy)
        moment = check_aware(new_appointment, field)
        if not cal.is_working_moment(moment):
            local = moment.astimezone(VIETNAM_TZ)
            sessions = cal.sessions_on(local.date())
            hours = ", ".join(f"{s.start:%H:%M}-{s.end:%H:%M}" for s in sessions) or "none"
            msg = (
                f"the new appointment {local:%a %d/%m/%Y %H:%M} is not a working moment "
                f"(working sessions that day: {hours}); give a moment the counter is open"
            )
            raise InvalidInputError(msg, field=field, value=moment)
        event = Apologised(at=at, actor=actor, reason=reason, appointment=moment)
        return self._with(calendar).apply(event)

    def stop(
        self, *, at: dt.datetime, actor: str, reason: str, legal_basis: str | None = None
    ) -> Dossier:
        """Stop processing (Form 05)."""
        return self.apply(Stopped(at=at, actor=actor, reason=reason, legal_basis=legal_basis))

    def decide(
        self,
        *,
        at: dt.datetime,
        actor: str,
        outcome: Outcome,
        document: str,
        reason: str | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> Dossier:
        """Record the decision and the result document; the result is ready to return.

        ``calendar``, like every command's, is remembered (a decision computes no date).
        """
        return self._with(calendar).apply(
            Decided(at=at, actor=actor, outcome=outcome, document=document, reason=reason)
        )

    def return_result(self, *, at: dt.datetime, actor: str, method: str = "in person") -> Dossier:
        """Return the result to the applicant."""
        return self.apply(Returned(at=at, actor=actor, method=method))

    def withdraw(
        self, *, at: dt.datetime, actor: str, reason: str = "applicant's request"
    ) -> Dossier:
        """The applicant withdraws the dossier."""
        return self.apply(Withdrawn(at=at, actor=actor, reason=reason))

    # -- the fold ----------------------------------------------------------------------------

    def apply(self, event: Event) -> Dossier:
        """The dossier after ``event``; this dossier is unchanged.

        Raises:
            InvalidTransitionError: the event is not allowed in the current status, is earlier
                than the last event, or breaks a clock rule (e.g. an extension over the limit).
        """
        draft = _Draft(self)
        draft.apply(event)
        return draft.freeze(type(self), self.calendar)

    def apply_all(self, events: Iterable[Event]) -> Dossier:
        """The dossier after every event of ``events``, in order; this dossier is unchanged.

        Equal to calling :meth:`apply` once per event, but the history is folded in one working
        state and the result built once: what a store does with thousands of histories.

        Raises:
            InvalidTransitionError: as :meth:`apply`, for the first event that is not allowed.
        """
        draft = _Draft(self)
        for event in events:
            draft.apply(event)
        return draft.freeze(type(self), self.calendar)

    # -- questions ---------------------------------------------------------------------------

    @property
    def code(self) -> str:
        """The dossier code."""
        return self._header().code

    @property
    def appointment(self) -> dt.datetime | None:
        """The current appointment (due moment); ``None`` before receipt or while stopped."""
        return self.clock.appointment

    @property
    def received_at(self) -> dt.datetime | None:
        """When the dossier was received (the clock's start)."""
        return self.clock.started_at

    @property
    def version(self) -> int:
        """The number of events: the version a store compares for optimistic concurrency."""
        return len(self.events)

    @property
    def timeliness(self) -> Timeliness | None:
        """Early, on time or late, once decided; ``None`` before a decision or if never decided.

        Compares the decision moment with the appointment in force then (:func:`timeliness_of`):
        early when decided on an earlier day, on time when by the appointment, late after it.
        """
        return timeliness_of(self.clock.finished_at, self.clock.appointment)

    @property
    def timeline(self) -> Timeline:
        """The status and appointment over time, the receipt and the decision."""
        clock = self.clock
        apologised = None
        if clock.extensions:
            apologised = next(c.at for c in clock.history if c.cause == Apologised.kind)
        return Timeline(
            phases=self.phases,
            received_at=clock.started_at,
            finished_at=clock.finished_at,
            apologised_at=apologised,
        )

    def standing(self, as_of: dt.datetime | None = None) -> Standing | None:
        """What the dossier was at ``as_of`` (now when ``None``); ``None`` before its first event.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        return self.timeline.at(as_of)

    def as_of(self, as_of: dt.datetime) -> Dossier | None:
        """The dossier as it stood at ``as_of``: its events up to that moment, refolded.

        ``None`` when it had no event yet at ``as_of``; this dossier when nothing came later.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        moment = check_aware(as_of, "as_of")
        events = self.events
        if not events or events[0].at > moment:
            return None
        if events[-1].at <= moment:
            return self
        return Dossier.from_events(e for e in events if e.at <= moment)

    def clock_state(self, as_of: dt.datetime) -> ClockState:
        """Within time, due today, overdue or paused at ``as_of`` (:meth:`Standing.clock_state`).

        The dossier is read as it is now; for its state as it stood at an earlier moment, ask
        :meth:`standing` at that moment.
        """
        moment = check_aware(as_of, "as_of")
        standing = self.standing()
        return ClockState.NOT_STARTED if standing is None else standing.clock_state(moment)

    def late_step(self, as_of: dt.datetime | None = None) -> StepProgress | None:
        """The first inter-agency step that missed its sub-deadline, if any.

        A step still open is judged as of ``as_of``; ``None`` means every step kept to its share.
        """
        given = None if as_of is None else check_aware(as_of, "as_of")
        moment = self.clock.finished_at or given
        for step in self.clock.steps:
            if step.due_at is None:
                continue
            end = step.completed_at or moment
            if end is not None and end > step.due_at:
                return step
        return None

    def receipt_slip(self) -> ReceiptSlip:
        """The receipt and appointment slip (Form 01) for a received dossier.

        Raises:
            InvalidTransitionError: the dossier was never received.
        """
        received = next((e for e in self.events if isinstance(e, Received)), None)
        if received is None:
            msg = f"dossier {self.code} has not been received; there is no receipt slip"
            raise InvalidTransitionError(msg)
        header = self._header()
        return ReceiptSlip(
            dossier_code=header.code,
            procedure_name=header.procedure_name,
            procedure_code=header.procedure_code,
            applicant=header.applicant,
            received_at=received.at,
            receiving_unit=header.receiving_unit,
            components=received.components,
            appointment=received.appointment,
            returns_at=header.returns_at,
            clerk=received.actor,
        )

    def allowed_events(self) -> tuple[str, ...]:
        """The event kinds allowed now."""
        return TRANSITIONS.allowed(self.status)

    # -- helpers -----------------------------------------------------------------------------

    def _with(self, calendar: WorkingCalendar | None) -> Dossier:
        """This dossier, remembering ``calendar`` (unchanged when ``calendar`` is ``None``)."""
        if calendar is None or calendar is self.calendar:
            return self
        return _evolve(self, calendar=calendar)

    def _calendar(self, calendar: WorkingCalendar | None, command: str) -> WorkingCalendar:
        if calendar is not None:
            return calendar
        if self.calendar is None:
            msg = (
                f"{command}() needs calendar=: this dossier was read back from its events and "
                "does not know the calendar it was received on"
            )
            raise InvalidInputError(msg, field="calendar", value=None)
        return self.calendar

    def _header(self) -> DossierHeader:
        if self.header is None:
            msg = "this dossier has no events yet"
            raise InvalidTransitionError(msg)
        return self.header

    def _resumed(
        self, at: dt.datetime, calendar: WorkingCalendar, rule: WaitRule
    ) -> tuple[dt.datetime, dt.datetime | None]:
        """The appointment and the open step's sub-deadline when a wait ends at ``at``."""
        header = self._header()
        open_step = self.clock.steps[-1] if self.clock.steps else None
        if open_step is not None and open_step.completed_at is not None:
            open_step = None
        before = self._last_appointment()
        if rule is WaitRule.RESTART or self.clock.paused_since is None or before is None:
            appointment = calendar.due_at(at, header.time_limit, header.policy)
            step_due = None
            if open_step is not None and open_step.index < len(header.steps):
                share = header.steps[open_step.index].share
                step_due = calendar.due_at(at, share, header.policy)
            return appointment, step_due
        paused = working_time_between(calendar, self.clock.paused_since, at)
        appointment = add_working_time(calendar, before, paused) if paused else before
        step_due = None
        if open_step is not None and open_step.due_at is not None:
            step_due = (
                add_working_time(calendar, open_step.due_at, paused) if paused else open_step.due_at
            )
        return appointment, step_due

    def _last_appointment(self) -> dt.datetime | None:
        for change in reversed(self.clock.history):
            if change.after is not None:
                return change.after
        return None


# --------------------------------------------------------------------------------------------
# What each event does to the state (status is handled by the table)


def _intake_exception(header: DossierHeader, stated: str | None) -> str | None:
    """The exception to record, after checking the header's intake check; raises when refused."""
    if stated is not None and not str(stated).strip():
        msg = f"intake_exception must be a non-empty reason; got {stated!r}"
        raise InvalidInputError(msg, field="intake_exception", value=stated)
    check = header.intake
    if check is None or check.allowed:
        return stated
    if stated is None:
        msg = (
            f"{header.procedure_id} ({header.code}) may not be received by {check.receiving_unit} "
            f"({check.channel.value}): {check.reason}. Refuse it (Form 03) or state an exception "
            "with a reason (intake_exception=...)"
        )
        raise OutsideIntakeScopeError(msg, check=check)
    return stated


class _Draft:
    """The fold's working state: a dossier's fields (its clock's flattened) that events change.

    Folding a history builds one draft, applies every event to it in place and freezes it once,
    instead of building a new immutable :class:`Dossier` and :class:`Clock` per event (the
    store's bulk path folds millions of events). :meth:`Dossier.apply` is the same draft for one
    event: every rule of what an event does lives here, once.
    """

    __slots__ = (
        "appointment",
        "custody",
        "events",
        "extensions",
        "finished_at",
        "header",
        "history",
        "outcome",
        "paused_since",
        "phases",
        "resume_to",
        "started_at",
        "status",
        "steps",
        "supplement_requests",
        "waits",
    )

    def __init__(self, dossier: Dossier | None = None) -> None:
        if dossier is None:
            dossier = _EMPTY
        clock = dossier.clock
        self.header = dossier.header
        self.status = dossier.status
        self.events = list(dossier.events)
        self.outcome = dossier.outcome
        self.resume_to = dossier.resume_to
        self.custody = dossier.custody
        self.phases = list(dossier.phases)
        self.started_at = clock.started_at
        self.appointment = clock.appointment
        self.history = list(clock.history)
        self.paused_since = clock.paused_since
        self.waits = list(clock.waits)
        self.extensions = clock.extensions
        self.supplement_requests = clock.supplement_requests
        self.steps = list(clock.steps)
        self.finished_at = clock.finished_at

    def freeze(self, cls: type[Dossier], calendar: WorkingCalendar | None) -> Dossier:
        """The dossier this draft stands for."""
        clock = Clock(
            started_at=self.started_at,
            appointment=self.appointment,
            history=tuple(self.history),
            paused_since=self.paused_since,
            waits=tuple(self.waits),
            extensions=self.extensions,
            supplement_requests=self.supplement_requests,
            steps=tuple(self.steps),
            finished_at=self.finished_at,
        )
        return cls(
            header=self.header,
            status=self.status,
            events=tuple(self.events),
            clock=clock,
            outcome=self.outcome,
            resume_to=self.resume_to,
            custody=self.custody,
            calendar=calendar,
            phases=tuple(self.phases),
        )

    def apply(self, event: Event) -> None:
        """Apply ``event`` in place (see :meth:`Dossier.apply` for the errors)."""
        given: object = event
        if not isinstance(given, Event):
            msg = f"expected a govtier dossier event, got {type(given).__name__}"
            raise InvalidTransitionError(msg)
        kind = event.kind
        goal = _GOALS.get((self.status, kind))
        if goal is None:
            allowed = ", ".join(TRANSITIONS.allowed(self.status)) or "none (terminal)"
            where = "a new dossier" if self.status is None else f"status {self.status.name}"
            msg = f"event {event.kind!r} is not allowed in {where}; allowed: {allowed}"
            raise InvalidTransitionError(msg)
        events = self.events
        if events and event.at < events[-1].at:
            msg = (
                f"event {event.kind!r} at {event.at.isoformat()} is earlier than the last event "
                f"({events[-1].kind} at {events[-1].at.isoformat()})"
            )
            raise InvalidTransitionError(msg)
        if goal is Target.SAME:
            status = self.status
        elif goal is Target.RESUME:
            status = self.resume_to
        else:
            status = goal
        # (an event that raises may leave the draft half-changed: a draft is dropped on error)
        _FOLDS[kind](self, event)
        events.append(event)
        self.status = status
        if status is not None:  # (the table never leads to no status)
            _add_phase(self.phases, event.at, status, self.appointment)

    def known_header(self) -> DossierHeader:
        if self.header is None:
            msg = "this dossier has no events yet"
            raise InvalidTransitionError(msg)
        return self.header

    def stop_clock(self, event: Event, *, reason: str) -> None:
        self.history.append(
            AppointmentChange(
                at=event.at, cause=event.kind, before=self.appointment, after=None, reason=reason
            )
        )
        self.appointment = None

    def close_steps(self, at: dt.datetime) -> None:
        steps = self.steps
        if steps and steps[-1].completed_at is None:
            steps[-1] = _evolve(steps[-1], completed_at=at)


_EMPTY: Final = Dossier()


def _add_phase(
    phases: list[Phase], at: dt.datetime, status: Status, appointment: dt.datetime | None
) -> None:
    """Extend ``phases`` after an event at ``at`` that leaves ``status`` and ``appointment``."""
    if phases:
        last = phases[-1]
        if last.status is status and last.appointment == appointment:
            return
        if last.at == at:  # events at one moment: the moment's standing is after the last
            phases.pop()
            if phases and phases[-1].status is status and phases[-1].appointment == appointment:
                return
    phases.append(Phase(at=at, status=status, appointment=appointment))


def _open(draft: _Draft, header: DossierHeader | None, kind: str) -> None:
    if draft.header is None:
        if header is None:
            msg = f"the first event ({kind}) must carry the dossier header"
            raise InvalidTransitionError(msg)
        draft.header = header
        return
    if header is not None and header != draft.header:
        msg = f"event {kind!r} carries a header for another dossier than {draft.header.code}"
        raise InvalidTransitionError(msg)


def _fold_submitted(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Submitted)  # noqa: S101
    _open(draft, event.header, event.kind)


def _fold_received(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Received)  # noqa: S101
    _open(draft, event.header, event.kind)
    if event.appointment < event.at:
        msg = (
            f"the appointment {event.appointment.isoformat()} is before the receipt "
            f"{event.at.isoformat()}"
        )
        raise InvalidTransitionError(msg)
    change = AppointmentChange(
        at=event.at, cause=event.kind, before=None, after=event.appointment, reason="receipt"
    )
    draft.started_at = event.at
    draft.appointment = event.appointment
    draft.history = [change]


def _fold_refused(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Refused)  # noqa: S101
    _open(draft, event.header, event.kind)


def _fold_supplement_requested(draft: _Draft, event: Event) -> None:
    assert isinstance(event, SupplementRequested)  # noqa: S101
    header = draft.known_header()
    if draft.supplement_requests >= header.clock.max_supplement_requests:
        msg = (
            f"procedure {header.procedure_id} allows {header.clock.max_supplement_requests} "
            f"supplement request(s); this would be number {draft.supplement_requests + 1}"
        )
        raise InvalidTransitionError(msg)
    draft.supplement_requests += 1
    draft.paused_since = event.at
    if draft.started_at is not None:
        draft.stop_clock(event, reason=event.reason)
    draft.resume_to = draft.status


def _resume_clock(
    draft: _Draft,
    event: Event,
    appointment: dt.datetime | None,
    reason: str,
    step_due: dt.datetime | None = None,
) -> None:
    header = draft.known_header()
    rule = header.clock.on_supplement if event.kind == "supplemented" else header.clock.on_payment
    started = draft.started_at
    if started is None:
        if appointment is not None:
            msg = "the clock has not started (no receipt yet); a resumed appointment makes no sense"
            raise InvalidTransitionError(msg)
        draft.paused_since = None
        draft.resume_to = None
        return
    if appointment is None:
        msg = f"event {event.kind!r} must give the new appointment (the clock restarts or resumes)"
        raise InvalidTransitionError(msg)
    if appointment < started:
        # (a paused clock may resume to an appointment already past: the dossier was late)
        msg = (
            f"the new appointment {appointment.isoformat()} is before the receipt "
            f"{started.isoformat()}"
        )
        raise InvalidTransitionError(msg)
    steps = draft.steps
    if step_due is not None and (not steps or steps[-1].completed_at is not None):
        msg = f"event {event.kind!r} moves a step's sub-deadline, but no step is open"
        raise InvalidTransitionError(msg)
    if draft.paused_since is not None:
        cause = "supplement" if event.kind == "supplemented" else "payment"
        draft.waits.append(
            Wait(cause=cause, started_at=draft.paused_since, ended_at=event.at, rule=rule)
        )
    draft.history.append(
        AppointmentChange(
            at=event.at, cause=event.kind, before=None, after=appointment, reason=reason
        )
    )
    if step_due is not None:
        steps[-1] = _evolve(steps[-1], due_at=step_due)
    draft.appointment = appointment
    draft.paused_since = None
    draft.resume_to = None


def _fold_supplemented(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Supplemented)  # noqa: S101
    _resume_clock(draft, event, event.appointment, "supplemented", event.step_due)


def _fold_transferred(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Transferred)  # noqa: S101
    header = draft.known_header()
    steps = draft.steps
    if event.step != len(steps):
        msg = f"the next step is number {len(steps)}; the event names step {event.step}"
        raise InvalidTransitionError(msg)
    if steps:
        steps[-1] = _evolve(steps[-1], completed_at=event.at)
    name = header.steps[event.step].name if event.step < len(header.steps) else "processing"
    steps.append(
        StepProgress(
            index=event.step, name=name, agency=event.to, started_at=event.at, due_at=event.step_due
        )
    )
    draft.custody = draft.custody.moved(at=event.at, event=event.kind, source=None, to=event.to)


def _fold_payment_requested(draft: _Draft, event: Event) -> None:
    assert isinstance(event, PaymentRequested)  # noqa: S101
    draft.stop_clock(event, reason=event.reason)
    draft.paused_since = event.at
    draft.resume_to = draft.status


def _fold_paid(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Paid)  # noqa: S101
    _resume_clock(draft, event, event.appointment, "paid", event.step_due)


def _fold_apologised(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Apologised)  # noqa: S101
    header = draft.known_header()
    if draft.extensions >= header.clock.max_extensions:
        msg = (
            f"procedure {header.procedure_id} allows {header.clock.max_extensions} apology with "
            f"a new appointment; {draft.extensions} already given"
        )
        raise InvalidTransitionError(msg)
    current = draft.appointment
    if current is not None and event.appointment <= current:
        msg = (
            f"the new appointment {event.appointment.isoformat()} must be later than the current "
            f"one ({current.isoformat()})"
        )
        raise InvalidTransitionError(msg)
    if event.appointment <= event.at:
        msg = f"the new appointment {event.appointment.isoformat()} must be after the apology"
        raise InvalidTransitionError(msg)
    draft.history.append(
        AppointmentChange(
            at=event.at,
            cause=event.kind,
            before=current,
            after=event.appointment,
            reason=event.reason,
        )
    )
    draft.appointment = event.appointment
    draft.extensions += 1


def _fold_stopped(draft: _Draft, event: Event) -> None:
    draft.close_steps(event.at)
    draft.paused_since = None


def _fold_decided(draft: _Draft, event: Event) -> None:
    assert isinstance(event, Decided)  # noqa: S101
    draft.close_steps(event.at)
    draft.finished_at = event.at
    draft.outcome = event.outcome


def _fold_nothing(_draft: _Draft, _event: Event) -> None:
    return


def _fold_handed_over(draft: _Draft, event: Event) -> None:
    assert isinstance(event, HandedOver)  # noqa: S101
    header = draft.known_header()
    if event.appointment is not None and (draft.started_at is None or draft.appointment is None):
        msg = "a handover can set a new appointment only while the clock runs"
        raise InvalidTransitionError(msg)
    draft.header = _evolve(
        header,
        receiving_unit=event.receiving_unit,
        subject_unit=event.subject_unit,
        competent=event.to_agency,
        returns_at=event.returns_at,
        steps=header.steps if event.steps is None else event.steps,
    )
    draft.custody = draft.custody.moved(
        at=event.at, event=event.kind, source=event.from_agency, to=event.to_agency
    )
    if event.appointment is not None:
        draft.history.append(
            AppointmentChange(
                at=event.at,
                cause=event.kind,
                before=draft.appointment,
                after=event.appointment,
                reason=event.reason or "handover",
            )
        )
        draft.appointment = event.appointment


_FOLDS: Final[dict[str, Callable[[_Draft, Event], None]]] = {
    "submitted": _fold_submitted,
    "received": _fold_received,
    "refused": _fold_refused,
    "supplement_requested": _fold_supplement_requested,
    "supplemented": _fold_supplemented,
    "transferred": _fold_transferred,
    "payment_requested": _fold_payment_requested,
    "paid": _fold_paid,
    "apologised": _fold_apologised,
    "stopped": _fold_stopped,
    "decided": _fold_decided,
    "returned": _fold_nothing,
    "withdrawn": _fold_stopped,
    "handed_over": _fold_handed_over,
}

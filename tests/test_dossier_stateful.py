"""A hypothesis state machine drives random event sequences through a dossier.

Invariants checked after every step: the dossier equals the fold of its own history; the
appointment is never before receipt; time paused on the applicant is never counted; terminal
statuses stay terminal; the early/on-time/late classification agrees with the appointment and the
decision moment; a transfer or handover back to an agency that already had the dossier (or
between the same two agencies too often) is noticed as circular, and nothing else is.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from govtier import VIETNAM_TZ, Duration, InvalidTransitionError
from govtier import WorkingCalendar as Calendar
from govtier.catalogue import Channel
from govtier.deadlines import ClockRules, WaitRule, working_time_between
from govtier.dossier import (
    MAX_HANDOFFS_BETWEEN,
    Applicant,
    Dossier,
    DossierHeader,
    HandedOver,
    Outcome,
    Status,
    StepPlan,
    Timeliness,
    Transferred,
)
from govtier.testing.strategies import COMMAND_EVENTS

CAL = Calendar.vietnam()
START = dt.datetime(2025, 12, 1, 8, 0, tzinfo=VIETNAM_TZ)
steps = st.integers(min_value=1, max_value=60 * 24 * 6)  # minutes until the next event
agencies = st.sampled_from(["UBND", "agency 0", "agency 1", "Phòng A"])


def _header(limit: int, supplement: WaitRule, payment: WaitRule, n_steps: int) -> DossierHeader:
    return DossierHeader(
        code="G01.20.01-251201-0001",
        procedure_id="p",
        procedure_version=1,
        procedure_code=None,
        procedure_name="p",
        receiving_unit="00004",
        subject_unit="00004",
        competent="UBND",
        returns_at="counter",
        channel=Channel.ONLINE,
        applicant=Applicant(name="x"),
        time_limit=Duration.working_days(limit),
        clock=ClockRules(
            on_supplement=supplement,
            on_payment=payment,
            max_extensions=2,
            max_supplement_requests=2,
        ),
        steps=tuple(
            StepPlan(name=f"step {i}", agency=f"agency {i}", share=Duration.working_days(1))
            for i in range(n_steps)
        ),
    )


class DossierMachine(RuleBasedStateMachine):
    """Random walks through the lifecycle."""

    def __init__(self) -> None:
        super().__init__()
        self.dossier: Dossier | None = None
        self.now = START
        self.terminal_seen: Status | None = None
        self.circular_seen = 0

    def _tick(self, minutes: int) -> dt.datetime:
        self.now += dt.timedelta(minutes=minutes)
        return self.now

    def _do(self, kind: str, **kwargs: object) -> None:
        assert self.dossier is not None
        method = getattr(self.dossier, kind)
        before = self.dossier
        if COMMAND_EVENTS[kind] in before.allowed_events():
            try:
                self.dossier = method(**kwargs)
            except InvalidTransitionError as exc:  # clock rules (limits) may refuse
                refused = str(exc)
                assert "allows" in refused or "later than" in refused, refused
                assert self.dossier is before
        else:
            with pytest.raises(InvalidTransitionError):
                method(**kwargs)
            assert self.dossier is before

    @precondition(lambda self: self.dossier is None)
    @rule(
        limit=st.integers(1, 20),
        supplement=st.sampled_from(WaitRule),
        payment=st.sampled_from(WaitRule),
        n_steps=st.integers(0, 3),
        online=st.booleans(),
    )
    def open(
        self, limit: int, supplement: WaitRule, payment: WaitRule, n_steps: int, *, online: bool
    ) -> None:
        header = _header(limit, supplement, payment, n_steps)
        if online:
            self.dossier = Dossier.submit(header, at=self.now, actor="applicant")
        else:
            self.dossier = Dossier.receive(header, at=self.now, actor="clerk", calendar=CAL)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def accept(self, minutes: int) -> None:
        self._do("accept", at=self._tick(minutes), actor="clerk", calendar=CAL)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def request_supplement(self, minutes: int) -> None:
        self._do(
            "request_supplement", at=self._tick(minutes), actor="c", components=["A"], reason="r"
        )

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def supplement(self, minutes: int) -> None:
        self._check_pause_then("supplement", minutes)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def transfer(self, minutes: int) -> None:
        self._do("transfer", at=self._tick(minutes), actor="c", calendar=CAL)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps, amount=st.integers(0, 10_000_000))
    def request_payment(self, minutes: int, amount: int) -> None:
        self._do("request_payment", at=self._tick(minutes), actor="c", amount=amount)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def pay(self, minutes: int) -> None:
        self._check_pause_then("pay", minutes)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps, days=st.integers(1, 15))
    def apologise(self, minutes: int, days: int) -> None:
        assert self.dossier is not None
        at = self._tick(minutes)
        current = self.dossier.appointment or at
        new = CAL.close_of_business(CAL.add_working_days(max(current, at).date(), days))
        self._do("apologise", at=at, actor="c", reason="late", new_appointment=new)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def stop(self, minutes: int) -> None:
        self._do("stop", at=self._tick(minutes), actor="c", reason="r")

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps, granted=st.booleans())
    def decide(self, minutes: int, *, granted: bool) -> None:
        outcome = Outcome.GRANTED if granted else Outcome.DENIED
        self._do("decide", at=self._tick(minutes), actor="c", outcome=outcome, document="D")

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def return_result(self, minutes: int) -> None:
        self._do("return_result", at=self._tick(minutes), actor="c")

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps)
    def withdraw(self, minutes: int) -> None:
        self._do("withdraw", at=self._tick(minutes), actor="applicant")

    def _check_pause_then(self, kind: str, minutes: int) -> None:
        assert self.dossier is not None
        before = self.dossier
        self._do(kind, at=self._tick(minutes), actor="applicant", calendar=CAL)
        after = self.dossier
        if after is before or not after.clock.waits or after.clock.started_at is None:
            return
        wait = after.clock.waits[-1]
        previous = before._last_appointment()
        assert after.appointment is not None
        if wait.rule is WaitRule.PAUSE and previous is not None:
            # the appointment moved by exactly the working time spent waiting
            paused = working_time_between(CAL, wait.started_at, wait.ended_at)
            moved = working_time_between(CAL, previous, after.appointment)
            assert moved == paused
        else:
            header = after.header
            assert header is not None
            fresh = CAL.deadline(wait.ended_at, header.time_limit, header.policy).due_at
            assert after.appointment == fresh

    def _apply(self, event: Transferred | HandedOver) -> None:
        assert self.dossier is not None
        before = self.dossier
        if event.kind in before.allowed_events():
            self.dossier = before.apply(event)
        else:
            with pytest.raises(InvalidTransitionError):
                before.apply(event)

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps, to=agencies)
    def transfer_to(self, minutes: int, to: str) -> None:
        assert self.dossier is not None
        step = len(self.dossier.clock.steps)
        self._apply(Transferred(at=self._tick(minutes), actor="c", step=step, to=to))

    @precondition(lambda self: self.dossier is not None)
    @rule(minutes=steps, source=agencies, to=agencies)
    def hand_over(self, minutes: int, source: str, to: str) -> None:
        event = HandedOver(
            at=self._tick(minutes),
            actor=source,
            from_agency=source,
            to_agency=to,
            receiving_unit="00008",
            subject_unit="00008",
            returns_at="counter",
            legal_basis="Resolution X",
            plan_id="HO-test",
        )
        self._apply(event)

    @invariant()
    def circular_transfers_are_noticed(self) -> None:
        """Recount, from the history alone, the moves back to an earlier holder or too often."""
        if self.dossier is None:
            return
        holders: list[str] = []
        current: str | None = None
        pairs: dict[frozenset[str], int] = {}
        expected = []
        for event in self.dossier.events:
            if isinstance(event, Transferred):
                source, to = current, event.to
            elif isinstance(event, HandedOver):
                source, to = event.from_agency, event.to_agency
            else:
                continue
            if source is not None and source not in holders:
                holders.append(source)
            current = to
            if source == to:
                continue
            pair = frozenset((source, to)) if source is not None else None
            if pair is not None:
                pairs[pair] = pairs.get(pair, 0) + 1
            back = to in holders
            often = pair is not None and pairs[pair] > MAX_HANDOFFS_BETWEEN
            if back or often:
                expected.append((event.at, to, back))
            if not back:
                holders.append(to)
        found = [(c.at, c.to_agency, c.returned) for c in self.dossier.custody.circular]
        assert found == expected
        assert len(found) >= self.circular_seen  # the history only grows
        self.circular_seen = len(found)

    @invariant()
    def is_the_fold_of_its_history(self) -> None:
        if self.dossier is not None:
            assert Dossier.from_events(self.dossier.events) == self.dossier

    @invariant()
    def appointment_never_before_receipt(self) -> None:
        if self.dossier is not None and self.dossier.appointment is not None:
            assert self.dossier.received_at is not None
            assert self.dossier.appointment >= self.dossier.received_at

    @invariant()
    def terminal_stays_terminal(self) -> None:
        if self.dossier is None or self.dossier.status is None:
            return
        if self.terminal_seen is not None:
            assert self.dossier.status is self.terminal_seen
        elif self.dossier.status.is_terminal:
            self.terminal_seen = self.dossier.status
            assert self.dossier.allowed_events() == ()

    @invariant()
    def classification_agrees(self) -> None:
        d = self.dossier
        if d is None:
            return
        finished, due = d.clock.finished_at, d.appointment
        if finished is None or due is None:
            assert d.timeliness is None
        elif finished > due:
            assert d.timeliness is Timeliness.LATE
        elif finished.date() < due.date():
            assert d.timeliness is Timeliness.EARLY
        else:
            assert d.timeliness is Timeliness.ON_TIME


TestDossierMachine = DossierMachine.TestCase
TestDossierMachine.settings = settings(max_examples=150, stateful_step_count=30, deadline=None)


def test_a_dossier_sent_back_is_circular() -> None:
    """A -> B -> A: the return to A is noticed, with both agencies named."""
    d = Dossier.receive(
        _header(5, WaitRule.PAUSE, WaitRule.PAUSE, 0), at=START, actor="c", calendar=CAL
    )
    for n, to in enumerate(["agency 0", "agency 1", "agency 0"]):
        d = d.apply(Transferred(at=START + dt.timedelta(hours=n + 1), actor="c", step=n, to=to))
    (notice,) = d.custody.circular
    assert (notice.from_agency, notice.to_agency, notice.returned) == ("agency 1", "agency 0", True)
    assert "already had it" in notice.why


def test_machine_header_is_valid() -> None:
    """The machine's header builder makes consistent headers (guards the generator itself)."""
    h = _header(3, WaitRule.PAUSE, WaitRule.RESTART, 2)
    assert attrs.evolve(h, code="X").code == "X"
    assert len(h.steps) == 2

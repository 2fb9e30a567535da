"""The dossier lifecycle: every path of the transition table, the clock, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.deadlines import ClockRules, WaitRule, working_time_between
from govtier.dossier import (
    TRANSITIONS,
    Applicant,
    ClockState,
    Decided,
    Dossier,
    DossierCode,
    DossierHeader,
    Outcome,
    Received,
    Refused,
    Status,
    StepPlan,
    SupplementRequested,
    Target,
    Timeliness,
    TransitionTable,
)
from govtier.errors import InvalidInputError, InvalidTransitionError, MalformedCodeError

CAL = WorkingCalendar.vietnam()


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VIETNAM_TZ)


def header(**changes: object) -> DossierHeader:
    base = DossierHeader(
        code="G01.20.01-260309-0001",
        procedure_id="residence.permanent",
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký thường trú",
        receiving_unit="00004",
        subject_unit="00004",
        competent="Công an Phường Ba Đình",
        returns_at="Trung tâm Phục vụ hành chính công Phường Ba Đình",
        channel=Channel.IN_PERSON,
        applicant=Applicant(name="Nguyễn Văn A", id_number="001090000001", phone="0912345678"),
        time_limit=Duration.working_days(7),
    )
    return attrs.evolve(base, **changes)


def received(when: dt.datetime | None = None, **changes: object) -> Dossier:
    return Dossier.receive(
        header(**changes),
        at=when or at(2026, 3, 9),
        actor="clerk-1",
        calendar=CAL,
        components=["Tờ khai CT01"],
    )


class TestPaths:
    """Each path through the transition table ends in the right status."""

    def test_counter_to_returned(self) -> None:
        """Received, transferred, decided (granted), returned."""
        d = received()
        assert d.status is Status.RECEIVED
        d = d.transfer(at=at(2026, 3, 9, 10), actor="clerk-1", calendar=CAL)
        assert d.status is Status.IN_PROGRESS
        d = d.decide(at=at(2026, 3, 16, 15), actor="police", outcome=Outcome.GRANTED, document="X")
        assert d.status is Status.RESULT_READY
        assert d.outcome is Outcome.GRANTED
        d = d.return_result(at=at(2026, 3, 17, 9), actor="clerk-2")
        assert d.status is Status.RETURNED
        assert d.status.is_terminal
        assert d.allowed_events() == ()
        assert d.version == 4

    def test_online_submission_accepted(self) -> None:
        """Submitted online (status 1), then accepted: the clock starts at acceptance."""
        d = Dossier.submit(header(channel=Channel.ONLINE), at=at(2026, 3, 7, 21), actor="applicant")
        assert d.status is Status.SUBMITTED
        assert d.clock_state(at(2026, 3, 8)) is ClockState.NOT_STARTED
        d = d.accept(at=at(2026, 3, 9, 8, 30), actor="clerk-1", calendar=CAL)
        assert d.status is Status.RECEIVED
        assert d.received_at == at(2026, 3, 9, 8, 30)

    def test_refused_at_intake(self) -> None:
        """Refused at the counter (Form 03), and after an online submission."""
        d = Dossier.refuse(header(), at=at(2026, 3, 9), actor="clerk", reason="not in scope")
        assert d.status is Status.REFUSED
        online = Dossier.submit(header(), at=at(2026, 3, 9), actor="applicant")
        refused = online.apply(Refused(at=at(2026, 3, 9, 10), actor="clerk", reason="not eligible"))
        assert refused.status is Status.REFUSED
        assert refused.appointment is None

    def test_supplement_before_receipt_returns_to_submitted(self) -> None:
        """An online dossier found incomplete goes back to SUBMITTED once supplemented."""
        d = Dossier.submit(header(), at=at(2026, 3, 9), actor="applicant")
        d = d.request_supplement(
            at=at(2026, 3, 9, 10), actor="clerk", components=["CT01"], reason="unsigned"
        )
        assert d.status is Status.AWAITING_SUPPLEMENT
        d = d.supplement(at=at(2026, 3, 10), actor="applicant", calendar=CAL, components=["CT01"])
        assert d.status is Status.SUBMITTED
        assert d.appointment is None

    @pytest.mark.parametrize("start", [Status.RECEIVED, Status.IN_PROGRESS])
    def test_supplement_resumes_where_it_was(self, start: Status) -> None:
        """After a supplement, the dossier returns to the status it was in."""
        d = received()
        if start is Status.IN_PROGRESS:
            d = d.transfer(at=at(2026, 3, 9, 10), actor="c", calendar=CAL)
        d = d.request_supplement(at=at(2026, 3, 10), actor="c", components=["A"], reason="r")
        d = d.supplement(at=at(2026, 3, 11), actor="applicant", calendar=CAL)
        assert d.status is start

    def test_payment_resumes_where_it_was(self) -> None:
        """Payment requested and paid returns to IN_PROGRESS."""
        d = received().transfer(at=at(2026, 3, 9, 10), actor="c", calendar=CAL)
        d = d.request_payment(at=at(2026, 3, 10), actor="c", amount=50_000)
        assert d.status is Status.AWAITING_PAYMENT
        d = d.pay(at=at(2026, 3, 11), actor="applicant", calendar=CAL)
        assert d.status is Status.IN_PROGRESS

    @pytest.mark.parametrize(
        "wait", [None, Status.AWAITING_SUPPLEMENT, Status.AWAITING_PAYMENT], ids=str
    )
    def test_stop_and_withdraw_from_any_open_status(self, wait: Status | None) -> None:
        """Stopped (Form 05) and withdrawn are reachable from open and waiting statuses."""
        d = received()
        if wait is Status.AWAITING_SUPPLEMENT:
            d = d.request_supplement(at=at(2026, 3, 10), actor="c", components=["A"], reason="r")
        elif wait is Status.AWAITING_PAYMENT:
            d = d.request_payment(at=at(2026, 3, 10), actor="c")
        assert d.stop(at=at(2026, 3, 12), actor="c", reason="conditions not met").status is (
            Status.STOPPED
        )
        assert d.withdraw(at=at(2026, 3, 12), actor="applicant").status is Status.WITHDRAWN

    def test_denied_decision_still_returns(self) -> None:
        """A denial is a decision: result ready, then returned."""
        d = received().decide(
            at=at(2026, 3, 10), actor="c", outcome=Outcome.DENIED, document="CV 12", reason="r"
        )
        assert d.outcome is Outcome.DENIED
        assert d.return_result(at=at(2026, 3, 11), actor="c").status is Status.RETURNED

    def test_every_table_entry_is_exercised_by_this_module(self) -> None:
        """The table's shape is what these tests walk: pin it so a change is noticed."""
        pairs = {
            (kind, None if source is None else source.name)
            for kind, moves in TRANSITIONS.rows.items()
            for source in moves
        }
        assert len(pairs) == 34  # 28 + handed_over from 6 statuses (tests/test_handover_dossier.py)
        assert TRANSITIONS.allowed(None) == ("submitted", "received", "refused")


class TestClock:
    """Appointments around holidays and swaps, pauses, restarts, extensions, steps."""

    @pytest.mark.parametrize(
        ("received_at", "limit", "due"),
        [
            pytest.param(at(2026, 2, 12, 10), 7, at(2026, 3, 2, 17), id="7 WD across Tết 2026"),
            pytest.param(at(2025, 12, 31, 10), 3, at(2026, 1, 7, 17), id="3 WD across New Year"),
            pytest.param(at(2026, 1, 9, 10), 1, at(2026, 1, 10, 17), id="Sat 10/1/2026 worked"),
            pytest.param(at(2026, 4, 29, 16), 3, at(2026, 5, 6, 17), id="3 WD across 30/4"),
        ],
    )
    def test_appointment_at_receipt(
        self, received_at: dt.datetime, limit: int, due: dt.datetime
    ) -> None:
        """The receipt's appointment follows the calendar."""
        d = received(received_at, time_limit=Duration.working_days(limit))
        assert d.appointment == due
        assert d.clock.history[0].after == due
        assert d.receipt_slip().appointment == due

    def test_supplement_restarts_the_clock_by_default(self) -> None:
        """Default rule: the full limit runs again from the complete dossier."""
        d = received(time_limit=Duration.working_days(3))
        d = d.request_supplement(at=at(2026, 3, 10), actor="c", components=["A"], reason="r")
        assert d.appointment is None
        assert d.clock_state(at(2026, 3, 20)) is ClockState.PAUSED
        d = d.supplement(at=at(2026, 3, 20, 10), actor="applicant", calendar=CAL)
        assert d.appointment == at(2026, 3, 25, 17)
        change = d.clock.history[-1]
        assert change.cause == "supplemented"

    def test_supplement_pause_rule_moves_by_paused_working_time(self) -> None:
        """With WaitRule.PAUSE the appointment moves by exactly the paused working time."""
        rules = ClockRules(on_supplement=WaitRule.PAUSE)
        d = received(time_limit=Duration.working_days(3), clock=rules)
        original = d.appointment
        assert original is not None
        d = d.request_supplement(at=at(2026, 3, 10, 10), actor="c", components=["A"], reason="r")
        d = d.supplement(at=at(2026, 3, 12, 14), actor="applicant", calendar=CAL)
        assert d.appointment is not None
        paused = working_time_between(CAL, at(2026, 3, 10, 10), at(2026, 3, 12, 14))
        assert paused == dt.timedelta(hours=6 + 8 + 5)
        assert working_time_between(CAL, original, d.appointment) == paused

    def test_payment_pauses_by_default(self) -> None:
        """Time spent paying is not counted."""
        d = received(at(2026, 2, 10, 9), time_limit=Duration.working_days(3))
        assert d.appointment == at(2026, 2, 13, 17)
        d = d.request_payment(at=at(2026, 2, 12, 9), actor="c")
        d = d.pay(at=at(2026, 2, 23, 9), actor="applicant", calendar=CAL)  # across Tết
        # paused: Thu 12/2 9:00 -> Mon 23/2 9:00 = 7h + 8h + 1h = 16 working hours, so the
        # appointment moves from Fri 13/2 17:00 by two working days (Tết does not count)
        assert d.appointment == at(2026, 2, 24, 17)
        assert [w.cause for w in d.clock.waits] == ["payment"]

    def test_one_apology_then_refused(self) -> None:
        """The default allows one apology with a new appointment; a second is an error."""
        d = received(time_limit=Duration.working_days(3))
        d = d.apologise(
            at=at(2026, 3, 12, 15),
            actor="c",
            reason="verification",
            new_appointment=at(2026, 3, 19, 17),
        )
        assert d.appointment == at(2026, 3, 19, 17)
        assert d.clock.history[-1].before == at(2026, 3, 12, 17)
        with pytest.raises(InvalidTransitionError, match="allows 1 apology"):
            d.apologise(
                at=at(2026, 3, 13), actor="c", reason="again", new_appointment=at(2026, 3, 26, 17)
            )

    def test_apology_must_move_the_date_later(self) -> None:
        """A new appointment earlier than the current one is refused."""
        d = received(time_limit=Duration.working_days(3))
        with pytest.raises(InvalidTransitionError, match="later than the current"):
            d.apologise(at=at(2026, 3, 10), actor="c", reason="r", new_appointment=at(2026, 3, 11))

    @pytest.mark.parametrize(
        ("decided", "expected"),
        [
            (at(2026, 3, 11, 16), Timeliness.EARLY),
            (at(2026, 3, 12, 16), Timeliness.ON_TIME),
            (at(2026, 3, 12, 17), Timeliness.ON_TIME),
            (at(2026, 3, 12, 17, 1), Timeliness.LATE),
            (at(2026, 3, 16, 9), Timeliness.LATE),
        ],
    )
    def test_timeliness(self, decided: dt.datetime, expected: Timeliness) -> None:
        """Early, on time and late compare the decision with the appointment (Thu 12/3 17:00)."""
        d = received(time_limit=Duration.working_days(3))
        assert received().timeliness is None
        d = d.decide(at=decided, actor="c", outcome=Outcome.GRANTED, document="D")
        assert d.timeliness is expected
        returned = d.return_result(at=decided + dt.timedelta(days=1), actor="c")
        assert returned.timeliness is expected  # returning later does not change it

    def test_clock_state_as_of(self) -> None:
        """Within time, due today, overdue; closed once decided."""
        d = received(time_limit=Duration.working_days(3))  # due Thu 12/3 17:00
        assert d.clock_state(at(2026, 3, 10)) is ClockState.WITHIN_TIME
        assert d.clock_state(at(2026, 3, 12, 8)) is ClockState.DUE_TODAY
        assert d.clock_state(at(2026, 3, 12, 17, 30)) is ClockState.OVERDUE
        decided = d.decide(at=at(2026, 3, 13), actor="c", outcome=Outcome.GRANTED, document="D")
        assert decided.clock_state(at(2026, 3, 20)) is ClockState.CLOSED

    def test_steps_name_the_late_step(self) -> None:
        """Per-step sub-deadlines: a late dossier names the step that made it late."""
        plan = (
            StepPlan(name="verify", agency="Công an xã", share=Duration.working_days(2)),
            StepPlan(name="decide", agency="UBND xã", share=Duration.working_days(1)),
        )
        d = received(time_limit=Duration.working_days(3), steps=plan)
        d = d.transfer(at=at(2026, 3, 9, 10), actor="clerk", calendar=CAL)
        assert d.clock.steps[0].due_at == at(2026, 3, 11, 17)
        d = d.transfer(at=at(2026, 3, 13, 9), actor="police", calendar=CAL)  # verify was late
        d = d.decide(at=at(2026, 3, 13, 16), actor="ubnd", outcome=Outcome.GRANTED, document="D")
        assert d.timeliness is Timeliness.LATE
        late = d.late_step()
        assert late is not None
        assert late.name == "verify"
        assert d.clock.steps[1].completed_at == at(2026, 3, 13, 16)


class TestBadInput:
    """Errors name the status, the event and what is allowed; the dossier is unchanged."""

    def test_event_not_allowed(self) -> None:
        """Deciding a returned dossier names the status and the allowed events."""
        d = received().decide(at=at(2026, 3, 10), actor="c", outcome=Outcome.GRANTED, document="D")
        with pytest.raises(InvalidTransitionError) as caught:
            d.apply(Decided(at=at(2026, 3, 11), actor="c", outcome=Outcome.GRANTED, document="E"))
        message = str(caught.value)
        assert "'decided'" in message
        assert "RESULT_READY" in message
        assert "returned" in message
        assert d.status is Status.RESULT_READY  # unchanged

    def test_terminal_statuses_allow_nothing(self) -> None:
        """A returned dossier accepts no event."""
        d = received().decide(at=at(2026, 3, 10), actor="c", outcome=Outcome.GRANTED, document="D")
        d = d.return_result(at=at(2026, 3, 11), actor="c")
        with pytest.raises(InvalidTransitionError, match="none \\(terminal\\)"):
            d.withdraw(at=at(2026, 3, 12), actor="applicant")

    def test_event_earlier_than_the_last(self) -> None:
        """Events must not go back in time."""
        d = received(at(2026, 3, 9, 10))
        with pytest.raises(InvalidTransitionError, match="earlier than the last event"):
            d.transfer(at=at(2026, 3, 9, 9), actor="c", calendar=CAL)

    def test_naive_timestamp(self) -> None:
        """A naive timestamp is refused at construction."""
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            SupplementRequested(
                at=dt.datetime(2026, 3, 9, 9), actor="c", components=["A"], reason="r"
            )

    def test_supplement_request_without_components(self) -> None:
        """A supplement request must name at least one component."""
        with pytest.raises(InvalidInputError, match="name the components"):
            received().request_supplement(at=at(2026, 3, 10), actor="c", components=[], reason="r")

    def test_second_supplement_request_over_the_limit(self) -> None:
        """By default one written supplement request is allowed."""
        d = received().request_supplement(
            at=at(2026, 3, 10), actor="c", components=["A"], reason="r"
        )
        d = d.supplement(at=at(2026, 3, 11), actor="a", calendar=CAL)
        with pytest.raises(InvalidTransitionError, match="allows 1 supplement"):
            d.request_supplement(at=at(2026, 3, 12), actor="c", components=["B"], reason="r")

    def test_apology_after_the_result(self) -> None:
        """An apology after the decision is not allowed."""
        d = received().decide(at=at(2026, 3, 10), actor="c", outcome=Outcome.GRANTED, document="D")
        with pytest.raises(InvalidTransitionError, match="'apologised' is not allowed"):
            d.apologise(at=at(2026, 3, 11), actor="c", reason="r", new_appointment=at(2026, 3, 20))

    def test_first_event_needs_a_header(self) -> None:
        """A history cannot start without saying what the dossier is."""
        with pytest.raises(InvalidTransitionError, match="header"):
            Dossier().apply(Received(at=at(2026, 3, 9), actor="c", appointment=at(2026, 3, 12)))

    def test_appointment_before_receipt(self) -> None:
        """An appointment before the receipt is refused."""
        with pytest.raises(InvalidTransitionError, match="before the receipt"):
            Dossier().apply(
                Received(at=at(2026, 3, 9), actor="c", appointment=at(2026, 3, 8), header=header())
            )

    def test_not_an_event(self) -> None:
        """Only dossier events can be applied."""
        with pytest.raises(InvalidTransitionError, match="dossier event"):
            received().apply("decided")  # type: ignore[arg-type]


class TestTable:
    """The transition table is validated when defined."""

    def test_exit_from_terminal_is_rejected(self) -> None:
        """A terminal status with an exit is an error."""
        rows = dict(TRANSITIONS.rows)
        rows["returned"] = {Status.RESULT_READY: Status.RETURNED, Status.RETURNED: Status.RETURNED}
        with pytest.raises(InvalidInputError, match="terminal status RETURNED"):
            TransitionTable.define(rows)

    def test_unreachable_status_is_rejected(self) -> None:
        """Dropping the only way into a status makes it unreachable."""
        rows = {k: v for k, v in TRANSITIONS.rows.items() if k != "payment_requested"}
        with pytest.raises(InvalidInputError, match="unreachable statuses: AWAITING_PAYMENT"):
            TransitionTable.define(rows)

    def test_trap_status_is_rejected(self) -> None:
        """A status that can never reach a terminal one is an error."""
        rows = dict(TRANSITIONS.rows)
        rows["returned"] = {Status.IN_PROGRESS: Status.RETURNED}  # RESULT_READY has no exit
        with pytest.raises(InvalidInputError, match="RESULT_READY can never reach"):
            TransitionTable.define(rows)

    def test_resume_only_from_waiting(self) -> None:
        """RESUME is only meaningful out of a waiting status."""
        rows = dict(TRANSITIONS.rows)
        rows["apologised"] = {Status.RECEIVED: Target.RESUME}
        with pytest.raises(InvalidInputError, match="RESUME"):
            TransitionTable.define(rows)

    def test_mermaid_diagram(self) -> None:
        """The diagram shows every status and the resumed edges."""
        text = TRANSITIONS.to_mermaid()
        assert text.startswith("stateDiagram-v2")
        for status in Status:
            assert status.name in text
        assert "AWAITING_PAYMENT --> IN_PROGRESS: paid" in text
        assert "RETURNED --> [*]" in text


class TestCodesAndSlip:
    """Dossier codes (Circular 01/2018 Art. 19) and the receipt slip (Form 01)."""

    def test_code_round_trip(self) -> None:
        """A code prints and parses back."""
        code = DossierCode(agency="G01.20.01", received_on=dt.date(2026, 3, 9), sequence=1)
        assert str(code) == "G01.20.01-260309-0001"
        assert DossierCode.parse(str(code)) == code

    @pytest.mark.parametrize(
        "text", ["G01-260309-1", "g01-260309-0001", "G01-261399-0001", "G01-260309-0000", ""]
    )
    def test_malformed_codes(self, text: str) -> None:
        """Malformed codes say what a code looks like."""
        with pytest.raises(MalformedCodeError):
            DossierCode.parse(text)

    @pytest.mark.default_language  # the slip is Vietnamese by default, as it always was
    def test_receipt_slip_and_privacy(self) -> None:
        """The slip carries the appointment; personal data stays out of repr."""
        d = received()
        slip = d.receipt_slip()
        text = slip.render()
        assert "Hẹn trả kết quả: 17:00 ngày 18/03/2026" in text
        assert "Nguyễn Văn A" in text
        for shown in (repr(d), repr(slip), repr(d.header), repr(d.events)):
            assert "Nguyễn Văn A" not in shown
            assert "001090000001" not in shown
            assert "0912345678" not in shown

    def test_no_slip_before_receipt(self) -> None:
        """A submitted dossier has no receipt slip yet."""
        d = Dossier.submit(header(), at=at(2026, 3, 9), actor="applicant")
        with pytest.raises(InvalidTransitionError, match="no receipt slip"):
            d.receipt_slip()


def test_status_codes_match_the_portal() -> None:
    """Statuses carry the portal's TrangThaiHoSo codes 1-10."""
    assert [s.portal_code for s in Status] == list(range(1, 11))
    assert Status.AWAITING_SUPPLEMENT.vietnamese == "Yêu cầu bổ sung giấy tờ"


def test_docs_diagram_is_the_table() -> None:
    """The Mermaid diagram in docs/dossiers.md is exactly TRANSITIONS.to_mermaid()."""
    page = (Path(__file__).parent.parent / "docs" / "dossiers.md").read_text(encoding="utf-8")
    block = page.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert block.strip() == TRANSITIONS.to_mermaid().strip()


def test_a_header_defaults_to_the_counter_that_may_receive() -> None:
    """Where only the competent agency receives, the default receiving unit is its unit."""
    import datetime as dt

    from govtier import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Applicant, Dossier, DossierHeader
    from govtier.jurisdiction import IntakeScope, RuleSet

    rules = RuleSet.bundled()
    before = rules.resolve("business-household.registration", "00001", dt.date(2025, 6, 27))
    assert before.intake is IntakeScope.COMPETENT_AGENCY
    header = DossierHeader.from_assignment(
        before, code="H01.001-250627-0001", applicant=Applicant(name="A")
    )
    assert header.receiving_unit == before.competent.unit_code
    at = dt.datetime(2025, 6, 27, 9, tzinfo=VIETNAM_TZ)
    dossier = Dossier.receive(header, at=at, actor="clerk", calendar=WorkingCalendar.vietnam())
    assert dossier.header is not None
    assert dossier.header.receiving_unit == before.competent.unit_code
    after = rules.resolve("civil-status.birth", "00004", dt.date(2026, 3, 2))
    header = DossierHeader.from_assignment(
        after, code="H01.00004-260302-0001", applicant=Applicant(name="A")
    )
    assert header.receiving_unit == "00004"

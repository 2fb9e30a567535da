"""A newcomer's API stumbles, each pinned: intake, transfer(to=), the remembered calendar, names."""

from __future__ import annotations

import datetime as dt

import pytest

from govtier import (
    VIETNAM_TZ,
    Applicant,
    Catalogue,
    Dossier,
    DossierHeader,
    InvalidInputError,
    Outcome,
    RuleSet,
    Status,
    UnknownProcedureError,
    WorkingCalendar,
)
from govtier.catalogue import Channel
from govtier.deadlines import Duration
from govtier.dossier import StepPlan
from govtier.serialization import bundled_schema, from_json, json_schema, to_json

CAL = WorkingCalendar.vietnam()
ON = dt.date(2026, 3, 9)


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=VIETNAM_TZ)


def header(
    *, steps: tuple[StepPlan, ...] = (), channel: Channel = Channel.IN_PERSON
) -> DossierHeader:
    return DossierHeader(
        code="G01.20.01-260309-0001",
        procedure_id="civil-status.birth",
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký khai sinh",
        receiving_unit="00004",
        subject_unit="00004",
        competent="UBND Phường Ba Đình",
        returns_at="counter",
        channel=channel,
        applicant=Applicant(name="Lê Văn C"),
        time_limit=Duration.working_days(6),
        steps=steps,
    )


class TestOnlineIntake:
    def test_submit_then_accept_is_received(self) -> None:
        """Online intake: submit(), then accept(): RECEIVED, with its appointment."""
        submitted = Dossier.submit(header(channel=Channel.ONLINE), at=at(8, 22), actor="portal")
        assert submitted.status is Status.SUBMITTED
        assert "received" in submitted.allowed_events()
        accepted = submitted.accept(at=at(9), actor="clerk", calendar=CAL)
        assert accepted.status is Status.RECEIVED
        assert accepted.events[-1].kind == "received"
        assert accepted.appointment == CAL.deadline(at(9), Duration.working_days(6)).due_at


class TestRememberedCalendar:
    def test_commands_use_the_calendar_of_receipt(self) -> None:
        """After receive(calendar=...), supplement, transfer and pay need no calendar."""
        d = Dossier.receive(header(), at=at(9), actor="clerk", calendar=CAL)
        assert d.calendar is CAL
        d = d.request_supplement(at=at(9, 10), actor="clerk", components=("form",), reason="x")
        d = d.supplement(at=at(10), actor="citizen")
        d = d.transfer(at=at(10, 11), actor="clerk")
        d = d.request_payment(at=at(11), actor="clerk", amount=1)
        d = d.pay(at=at(12), actor="citizen")
        d = d.apologise(
            at=at(13), actor="chair", reason="late", new_appointment=at(20, 17), calendar=CAL
        )
        d = d.decide(at=at(16), actor="chair", outcome=Outcome.GRANTED, document="KS")
        assert d.calendar is CAL
        # the same history with calendar= on every command gives the same dossier
        e = Dossier.receive(header(), at=at(9), actor="clerk", calendar=CAL)
        e = e.request_supplement(at=at(9, 10), actor="clerk", components=("form",), reason="x")
        e = e.supplement(at=at(10), actor="citizen", calendar=CAL)
        e = e.transfer(at=at(10, 11), actor="clerk", calendar=CAL)
        e = e.request_payment(at=at(11), actor="clerk", amount=1)
        e = e.pay(at=at(12), actor="citizen", calendar=CAL)
        e = e.apologise(at=at(13), actor="chair", reason="late", new_appointment=at(20, 17))
        e = e.decide(at=at(16), actor="chair", outcome=Outcome.GRANTED, document="KS", calendar=CAL)
        assert d == e
        assert d.events == e.events

    def test_accept_remembers_too(self) -> None:
        d = Dossier.submit(header(), at=at(8), actor="portal").accept(
            at=at(9), actor="clerk", calendar=CAL
        )
        assert d.calendar is CAL
        assert d.transfer(at=at(10), actor="clerk").status is Status.IN_PROGRESS

    def test_a_dossier_read_back_asks_for_its_calendar(self) -> None:
        """A dossier folded from its events (a store) does not know its calendar: a clear error."""
        d = Dossier.receive(
            header(
                steps=(StepPlan(name="verify", agency="Công an", share=Duration.working_days(2)),)
            ),
            at=at(9),
            actor="clerk",
            calendar=CAL,
        )
        back = from_json(to_json(d))
        assert back == d
        assert back.calendar is None
        with pytest.raises(InvalidInputError, match=r"transfer\(\) needs calendar="):
            back.transfer(at=at(10), actor="clerk")
        assert back.transfer(at=at(10), actor="clerk", calendar=CAL).calendar is CAL


class TestTransferTo:
    def test_without_a_plan_to_names_the_agency(self) -> None:
        d = Dossier.receive(header(), at=at(9), actor="clerk", calendar=CAL)
        moved = d.transfer(at=at(10), actor="clerk", to="Công an Phường Ba Đình")
        assert moved.clock.steps[-1].agency == "Công an Phường Ba Đình"
        assert moved.events[-1].to == "Công an Phường Ba Đình"
        # without to= and without a plan: the competent authority, as documented
        assert d.transfer(at=at(10), actor="clerk").clock.steps[-1].agency == "UBND Phường Ba Đình"

    def test_with_a_plan_to_must_agree(self) -> None:
        plan = (StepPlan(name="verify", agency="Công an", share=Duration.working_days(2)),)
        d = Dossier.receive(header(steps=plan), at=at(9), actor="clerk", calendar=CAL)
        assert (
            d.transfer(at=at(10), actor="clerk", to="Công an").clock.steps[-1].agency == "Công an"
        )
        with pytest.raises(InvalidInputError, match="planned at 'Công an'") as caught:
            d.transfer(at=at(10), actor="clerk", to="Sở Tư pháp")
        assert caught.value.field == "to"


class TestNamesAgree:
    def test_step_agency_is_one_name(self) -> None:
        """assignment.steps[i].agency == header.steps[i].agency == clock.steps[i].agency."""
        assignment = RuleSet.bundled().resolve("land.first-certificate", "00004", on=ON)
        assert assignment.steps
        h = DossierHeader.from_assignment(
            assignment, code="G01.20.01-260309-0002", applicant=Applicant(name="Trần Thị B")
        )
        d = Dossier.receive(h, at=at(9), actor="clerk", calendar=CAL).transfer(
            at=at(9, 14), actor="clerk"
        )
        assert assignment.steps[0].agency == assignment.steps[0].authority.agency
        assert h.steps[0].agency == assignment.steps[0].agency
        assert d.clock.steps[0].agency == assignment.steps[0].agency

    def test_schema_names_work_both_ways(self) -> None:
        """json_schema('dossier') and bundled_schema('Dossier') name the same document."""
        assert json_schema("dossier") == json_schema("Dossier")
        assert bundled_schema("Dossier") == bundled_schema("dossier")
        assert bundled_schema("DossierSummary") == bundled_schema("dossier-summary")

    def test_on_time_rate_and_percent(self) -> None:
        """on_time_rate() is a fraction; rows (and JSON) carry on_time_percent, a percentage."""
        from govtier import report

        d = Dossier.receive(header(), at=at(9), actor="clerk", calendar=CAL).decide(
            at=at(10), actor="chair", outcome=Outcome.GRANTED, document="KS"
        )
        r = report([d], as_of=at(20), group_by="commune")
        assert r.on_time_rate() == 1.0
        (row,) = r.to_rows()
        assert row["on_time_percent"] == 100.0
        assert "on_time_rate" not in row


class TestDidYouMean:
    @pytest.mark.parametrize(
        ("given", "suggested"),
        [
            ("residence.permanet", "residence.permanent"),
            ("civil-status.brth", "civil-status.birth"),
            ("Residence.Permanent", "residence.permanent"),
        ],
    )
    def test_a_mistyped_id_gets_a_suggestion(self, given: str, suggested: str) -> None:
        with pytest.raises(UnknownProcedureError, match=f"did you mean '{suggested}'"):
            Catalogue.bundled().get(given, on=ON)
        with pytest.raises(UnknownProcedureError, match=f"did you mean '{suggested}'"):
            RuleSet.bundled().resolve(given, "00004", on=ON)

    def test_nothing_close_suggests_nothing(self) -> None:
        with pytest.raises(UnknownProcedureError) as caught:
            Catalogue.bundled().get("zzzz", on=ON)
        assert "did you mean" not in str(caught.value)


def test_the_diagram_names_the_commands() -> None:
    """The lifecycle diagram labels each arrow with its event and the command that records it."""
    from govtier.dossier import TRANSITIONS

    text = TRANSITIONS.to_mermaid()
    assert "SUBMITTED --> RECEIVED: received<br/>accept()" in text
    assert "[*] --> RECEIVED: received<br/>receive()" in text
    assert "[*] --> SUBMITTED: submitted<br/>submit()" in text
    assert "RESULT_READY --> RETURNED: returned<br/>return_result()" in text
    assert "SUBMITTED --> REFUSED: refused\n" in text  # no command: apply(Refused(...))

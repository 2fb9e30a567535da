"""The HandedOver event in the lifecycle, circular transfers and their report (issue 17)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Channel
from govtier.deadlines import Duration
from govtier.dossier import (
    Applicant,
    Dossier,
    DossierHeader,
    HandedOver,
    Outcome,
    Status,
    StepPlan,
    Transferred,
)
from govtier.errors import InvalidTransitionError
from govtier.interop import progress_records
from govtier.reporting import circular_transfers
from govtier.serialization import event_from_record, event_to_record
from govtier.testing.generator import journeys

CAL = WorkingCalendar.vietnam()
T0 = dt.datetime(2025, 6, 2, 9, tzinfo=VIETNAM_TZ)
HEADER = DossierHeader(
    code="H01.00001-250602-0001",
    procedure_id="business-household.registration",
    procedure_version=1,
    procedure_code=None,
    procedure_name="Đăng ký hộ kinh doanh",
    receiving_unit="00001",
    subject_unit="00001",
    competent="Phòng Tài chính - Kế hoạch Quận Ba Đình",
    returns_at="Bộ phận Một cửa Quận Ba Đình",
    channel=Channel.IN_PERSON,
    applicant=Applicant(name="x"),
    time_limit=Duration.working_days(3),
)


def handover(at: dt.datetime, **changes: object) -> HandedOver:
    event = HandedOver(
        at=at,
        actor="Phòng Tài chính - Kế hoạch Quận Ba Đình",
        from_agency="Phòng Tài chính - Kế hoạch Quận Ba Đình",
        to_agency="Ủy ban nhân dân Phường Hồng Hà",
        receiving_unit="00097",
        subject_unit="00097",
        returns_at="where the dossier was received",
        legal_basis="Resolution 1656/NQ-UBTVQH15 [P]",
        plan_id="HO-1",
        reason="district level abolished",
    )
    return attrs.evolve(event, **changes)


def in_status(status: Status) -> Dossier:
    if status is Status.SUBMITTED:
        return Dossier.submit(HEADER, at=T0, actor="applicant")
    d = Dossier.receive(HEADER, at=T0, actor="clerk", calendar=CAL)
    later = T0 + dt.timedelta(hours=1)
    if status is Status.IN_PROGRESS:
        d = d.transfer(at=later, actor="c", calendar=CAL)
    elif status is Status.AWAITING_SUPPLEMENT:
        d = d.request_supplement(at=later, actor="c", components=["A"], reason="r")
    elif status is Status.AWAITING_PAYMENT:
        d = d.request_payment(at=later, actor="c")
    elif status is Status.RESULT_READY:
        d = d.decide(at=later, actor="c", outcome=Outcome.GRANTED, document="QĐ 1")
    elif status is Status.RETURNED:
        d = d.decide(at=later, actor="c", outcome=Outcome.GRANTED, document="QĐ 1")
        d = d.return_result(at=later, actor="c")
    elif status is Status.WITHDRAWN:
        d = d.withdraw(at=later, actor="applicant")
    elif status is Status.STOPPED:
        d = d.stop(at=later, actor="c", reason="r")
    assert d.status is status
    return d


OPEN = [
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.IN_PROGRESS,
    Status.AWAITING_SUPPLEMENT,
    Status.AWAITING_PAYMENT,
    Status.RESULT_READY,
]


@pytest.mark.parametrize("status", OPEN, ids=lambda s: s.name)
def test_handover_keeps_status_and_clock(status: Status) -> None:
    d = in_status(status)
    after = d.apply(handover(T0 + dt.timedelta(days=1)))
    assert after.status is status
    assert after.clock == d.clock
    assert after.header is not None
    assert after.header.competent == "Ủy ban nhân dân Phường Hồng Hà"
    assert (after.header.receiving_unit, after.header.subject_unit) == ("00097", "00097")
    assert after.code == d.code


@pytest.mark.parametrize(
    "status", [Status.RETURNED, Status.WITHDRAWN, Status.STOPPED], ids=lambda s: s.name
)
def test_no_handover_once_closed(status: Status) -> None:
    with pytest.raises(InvalidTransitionError, match="handed_over"):
        in_status(status).apply(handover(T0 + dt.timedelta(days=1)))


def test_a_rule_may_set_a_new_appointment() -> None:
    d = in_status(Status.RECEIVED)
    new = T0 + dt.timedelta(days=10)
    after = d.apply(handover(T0 + dt.timedelta(days=1), appointment=new))
    assert after.appointment == new
    change = after.clock.history[-1]
    assert (change.cause, change.before, change.after) == ("handed_over", d.appointment, new)
    with pytest.raises(InvalidTransitionError, match="while the clock runs"):
        in_status(Status.AWAITING_SUPPLEMENT).apply(
            handover(T0 + dt.timedelta(days=1), appointment=new)
        )


def test_new_steps_replace_the_plan() -> None:
    steps = (StepPlan(name="verify", agency="Thuế cơ sở 1", share=Duration.working_days(1)),)
    after = in_status(Status.RECEIVED).apply(handover(T0 + dt.timedelta(days=1), steps=steps))
    assert after.header is not None
    assert after.header.steps == steps


def test_the_event_round_trips_through_a_record() -> None:
    steps = (StepPlan(name="verify", agency="Thuế", share=Duration.working_days(1)),)
    event = handover(T0, steps=steps, appointment=T0 + dt.timedelta(days=3))
    assert event_from_record(event_to_record(event)) == event


def test_progress_record_names_both_agencies() -> None:
    d = in_status(Status.RECEIVED).apply(handover(T0 + dt.timedelta(days=1)))
    last = progress_records(d)[-1]
    assert last["NoiDungXuLy"] == (
        "Bàn giao hồ sơ từ Phòng Tài chính - Kế hoạch Quận Ba Đình cho Ủy ban nhân dân "
        "Phường Hồng Hà (Resolution 1656/NQ-UBTVQH15 [P])"
    )
    assert last["TrangThai"] == "2"


def _bounce(d: Dossier, agencies: list[str]) -> Dossier:
    for n, to in enumerate(agencies):
        step = len(d.clock.steps)
        d = d.apply(Transferred(at=T0 + dt.timedelta(hours=n + 1), actor="c", step=step, to=to))
    return d


def test_circular_transfers_by_agency() -> None:
    calm = _bounce(in_status(Status.RECEIVED), ["A", "B", "C"])
    assert calm.custody.circular == ()
    assert calm.custody.holders == ("A", "B", "C")
    back = _bounce(in_status(Status.RECEIVED), ["A", "B", "A"])
    handed = in_status(Status.RECEIVED).apply(
        handover(
            T0 + dt.timedelta(hours=1),
            from_agency="Ủy ban nhân dân Phường Hồng Hà",
            to_agency="Phòng Tài chính - Kế hoạch Quận Ba Đình",
        )
    )
    handed = handed.apply(handover(T0 + dt.timedelta(hours=2)))
    assert handed.custody.circular[0].event == "handed_over"
    rows = circular_transfers([calm, back, handed])
    by_agency: dict[str, set[str]] = {}
    for row in rows:
        by_agency.setdefault(row.agency, set()).add(row.code)
    assert by_agency == {
        "A": {back.code},
        "B": {back.code},
        "Phòng Tài chính - Kế hoạch Quận Ba Đình": {handed.code},
        "Ủy ban nhân dân Phường Hồng Hà": {handed.code},
    }
    assert [r.agency for r in rows] == sorted(r.agency for r in rows)
    assert rows[0].to_dict()["why"]
    assert circular_transfers([back], as_of=T0) == ()


def test_ping_pong_between_two_agencies() -> None:
    d = _bounce(in_status(Status.RECEIVED), ["A", "A", "B"])
    assert d.custody.circular == ()
    d = in_status(Status.RECEIVED)
    for n in range(3):
        d = d.apply(
            handover(T0 + dt.timedelta(hours=n + 1), from_agency="X", to_agency=f"Y{n % 1}")
        )
    # X -> Y0 three times: the second is a return to Y0, the third passes the pair limit
    assert [(c.returned, c.handoffs) for c in d.custody.circular] == [(True, 2), (True, 3)]
    assert "3 times" in d.custody.circular[-1].why


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), pick=st.integers(0, 49))
def test_a_handover_never_moves_the_clock_of_a_generated_dossier(seed: int, pick: int) -> None:
    """Whatever the open dossier, a handover without a new appointment keeps clock and status."""
    journey = list(journeys(50, seed=seed, days=5))[pick]
    d = journey.dossier
    if d.status is None or "handed_over" not in d.allowed_events():
        return
    after = d.apply(handover(d.events[-1].at + dt.timedelta(minutes=1)))
    assert (after.status, after.clock, after.outcome) == (d.status, d.clock, d.outcome)
    assert Dossier.from_events(after.events) == after

"""Reports: figures checked against a hand-counted fixture and against dossiers built to a plan."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.dossier import (
    Applicant,
    ClockState,
    Dossier,
    DossierHeader,
    Outcome,
    Status,
    StepPlan,
    Timeliness,
)
from govtier.errors import InvalidInputError
from govtier.legal import Confidence
from govtier.reporting import (
    COUNTS,
    GROUP_KEYS,
    INDICATORS,
    DossierRow,
    Figures,
    OnTimeBasis,
    backlog,
    clock_state_of,
    indicator,
    overdue,
    report,
    row_of,
)

CAL = WorkingCalendar.vietnam()
BA_DINH = "00004"  # Hà Nội (province 01)
NGOC_HA = "00008"  # Hà Nội (province 01)
THU_DAU_MOT = "25747"  # Thành phố Hồ Chí Minh (province 79)
PROVINCE = {BA_DINH: "01", NGOC_HA: "01", THU_DAU_MOT: "79"}


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VIETNAM_TZ)


def header(code: str, *, commune: str = BA_DINH, **changes: object) -> DossierHeader:
    base = DossierHeader(
        code=code,
        procedure_id="residence.permanent",
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký thường trú",
        receiving_unit=commune,
        subject_unit=commune,
        competent="Công an xã",
        returns_at="Trung tâm Phục vụ hành chính công",
        channel=Channel.IN_PERSON,
        applicant=Applicant(name="Nguyễn Văn A", id_number="001090000001", phone="0912345678"),
        time_limit=Duration.working_days(7),
    )
    return attrs.evolve(base, **changes)


def receive(code: str, when: dt.datetime, **changes: object) -> Dossier:
    return Dossier.receive(header(code, **changes), at=when, actor="clerk", calendar=CAL)


def decide(d: Dossier, when: dt.datetime) -> Dossier:
    return d.decide(at=when, actor="chair", outcome=Outcome.GRANTED, document="QĐ-1")


# --------------------------------------------------------------------------------------------
# The hand-counted fixture (7-working-day limit, receipt at 09:00; March 2026 has no holidays)

AS_OF = at(2026, 3, 25, 10)  # a Wednesday


def fixture() -> list[Dossier]:
    steps = (StepPlan(name="verify", agency="Công an", share=Duration.working_days(3)),)
    a4 = receive("A4", at(2026, 3, 9), steps=steps)  # due 18/03 17:00
    a4 = a4.transfer(at=at(2026, 3, 9, 10), actor="clerk", calendar=CAL)  # step due 12/03
    a7 = receive("A7", at(2026, 3, 20))
    a7 = a7.request_supplement(at=at(2026, 3, 23), actor="clerk", components=["CT01"], reason="x")
    b5 = Dossier.submit(
        header("B5", commune=THU_DAU_MOT, channel=Channel.ONLINE), at=at(2026, 3, 24), actor="web"
    )
    b6 = receive("B6", at(2026, 3, 18), commune=THU_DAU_MOT)  # due 27/03
    b6 = decide(b6, at(2026, 3, 26))  # after AS_OF: still open as of AS_OF
    return [
        decide(receive("A1", at(2026, 3, 2)), at(2026, 3, 5)),  # due 11/03: early
        decide(receive("A2", at(2026, 3, 2)), at(2026, 3, 11, 16)),  # on time
        decide(receive("A3", at(2026, 3, 2)), at(2026, 3, 13)),  # late
        a4,  # overdue, its step late
        receive("A5", at(2026, 3, 17)),  # due 26/03: within time
        receive("A6", at(2026, 3, 16)),  # due 25/03 17:00: due today
        a7,  # paused
        decide(receive("B1", at(2026, 2, 23), commune=THU_DAU_MOT), at(2026, 2, 26)),  # early
        receive("B2", at(2026, 3, 3), commune=THU_DAU_MOT).withdraw(
            at=at(2026, 3, 4), actor="applicant"
        ),
        Dossier.refuse(
            header("B3", commune=THU_DAU_MOT), at=at(2026, 3, 5), actor="clerk", reason="scope"
        ),
        receive("B4", at(2026, 3, 4), commune=THU_DAU_MOT).stop(
            at=at(2026, 3, 6), actor="chair", reason="not eligible"
        ),
        b5,  # awaiting intake
        b6,  # within time as of AS_OF
        receive("B7", at(2026, 3, 26), commune=THU_DAU_MOT),  # after AS_OF: left out
    ]


class TestHandCounted:
    """Every figure below was counted by hand from the fixture's comments."""

    def test_appointments_as_stated(self) -> None:
        by_code = {d.code: d for d in fixture()}
        assert by_code["A1"].clock.history[0].after == at(2026, 3, 11, 17)
        assert by_code["A4"].appointment == at(2026, 3, 18, 17)
        assert by_code["A5"].appointment == at(2026, 3, 26, 17)
        assert by_code["A6"].appointment == at(2026, 3, 25, 17)

    def test_totals(self) -> None:
        r = report(fixture(), as_of=AS_OF)
        assert r.total == Figures(
            total=13,  # B7 is received after AS_OF
            received=11,  # all but B3 (refused) and B5 (awaiting intake)
            early=2,  # A1, B1
            on_time=1,  # A2
            late=1,  # A3
            within_time=2,  # A5, B6 (decided only after AS_OF)
            due_today=1,  # A6
            overdue=1,  # A4
            paused=1,  # A7
            withdrawn=1,  # B2
            stopped=1,  # B4
            refused=1,  # B3
            awaiting_intake=1,  # B5
        )
        assert r.total.resolved == 4
        assert r.total.open == 5
        assert r.on_time_rate() == pytest.approx(3 / 4)

    @pytest.mark.parametrize(
        ("basis", "rate"),
        [
            (OnTimeBasis.RESOLVED, 3 / 4),  # (early + on time) / resolved
            (OnTimeBasis.RECEIVED, 3 / 11),  # (early + on time) / received
            (OnTimeBasis.TO_HANDLE, 1 - 2 / 9),  # 1 - (late + overdue) / (resolved + open)
        ],
    )
    def test_bases(self, basis: OnTimeBasis, rate: float) -> None:
        assert report(fixture(), as_of=AS_OF, basis=basis).on_time_rate() == pytest.approx(rate)

    def test_by_province(self) -> None:
        r = report(fixture(), as_of=AS_OF, group_by="province")
        assert r.keys() == (("01",), ("79",))
        hanoi, hcm = r["01"], r["79"]
        assert (hanoi.total, hanoi.received, hanoi.resolved, hanoi.open) == (7, 7, 3, 4)
        assert (hanoi.early, hanoi.on_time, hanoi.late) == (1, 1, 1)
        assert (hanoi.within_time, hanoi.due_today, hanoi.overdue, hanoi.paused) == (1, 1, 1, 1)
        assert (hcm.total, hcm.received, hcm.resolved, hcm.open) == (6, 4, 1, 1)
        assert (hcm.withdrawn, hcm.stopped, hcm.refused, hcm.awaiting_intake) == (1, 1, 1, 1)
        assert r.on_time_rate("01") == pytest.approx(2 / 3)
        assert r.on_time_rate("79") == 1.0

    def test_by_province_and_month(self) -> None:
        r = report(fixture(), as_of=AS_OF, group_by=("province", "month"))
        assert r.keys() == (("01", "2026-03"), ("79", "2026-02"), ("79", "2026-03"))
        assert r["79", "2026-02"].early == 1  # B1
        assert r["79", "2026-03"].total == 5  # B2..B6; B3 and B5 by the day they were filed
        assert r["01", "2026-04"] == Figures()
        assert sum((g.figures for g in r.groups), Figures()) == r.total

    def test_by_commune_week_and_channel(self) -> None:
        r = report(fixture(), as_of=AS_OF, group_by=("commune", "channel"))
        assert r[THU_DAU_MOT, "online"].awaiting_intake == 1
        assert r[BA_DINH, "in_person"].total == 7
        weeks = report(fixture(), as_of=AS_OF, group_by="week")
        assert weeks["2026-W10"].total == 6  # A1-A3 (02/03), B2 (03/03), B4 (04/03), B3 (05/03)

    def test_to_rows_and_render(self) -> None:
        r = report(fixture(), as_of=AS_OF, group_by="province")
        rows = r.to_rows(total=True)
        assert [row["province"] for row in rows] == ["01", "79", "*"]
        assert rows[0]["on_time_percent"] == 66.7
        assert rows[2]["resolved"] == 4
        assert set(COUNTS) <= set(rows[0])
        text = r.render()
        lines = text.splitlines()
        assert lines[0].startswith("Dossiers as of 2026-03-25 10:00")
        assert lines[1].split()[0] == "province"
        assert lines[-1].split()[:3] == ["TOTAL", "11", "4"]
        assert lines[-1].split()[-1] == "75.0"
        assert "Nguyễn" not in text
        assert "Report(" in repr(r)

    def test_overdue_list_names_the_late_step(self) -> None:
        found = overdue(fixture(), as_of=AS_OF)
        assert [o.code for o in found] == ["A4"]
        entry = found[0]
        assert entry.late_step is not None
        assert (entry.late_step.index, entry.late_step.name) == (0, "verify")
        assert entry.late_step.due_at == at(2026, 3, 12, 17)
        assert entry.overdue_for == AS_OF - at(2026, 3, 18, 17)
        assert entry.to_dict()["late_step"] == "verify"

    def test_backlog_calendar_days(self) -> None:
        b = backlog(fixture(), as_of=AS_OF, edges=(0, 5, 10, 20))
        # ages: A4 16, A5 8, A6 9, A7 5, B6 7 calendar days
        assert b.total == (0, 4, 1, 0)
        assert [band.label for band in b.bands] == ["0-4", "5-9", "10-19", "20+"]

    def test_backlog_working_days_by_province(self) -> None:
        b = backlog(fixture(), as_of=AS_OF, edges=(0, 5, 10), calendar=CAL, group_by="province")
        # ages: A4 12, A5 6, A6 7, A7 3, B6 5 working days
        assert b.unit == "working days"
        assert b.total == (1, 3, 1)
        assert dict(b.groups) == {("01",): (1, 2, 1), ("79",): (0, 1, 0)}
        assert b.to_rows()[0] == {"province": "01", "0-4": 1, "5-9": 2, "10+": 1}
        assert backlog(fixture(), as_of=AS_OF, include_paused=False, calendar=CAL).total[0] == 0
        assert b.render().splitlines()[-1].split() == ["TOTAL", "1", "3", "1", "5"]


class TestRows:
    def test_row_of(self) -> None:
        d = fixture()[3]
        row = row_of(d, as_of=AS_OF)
        assert (row.code, row.province, row.field, row.status) == (
            "A4",
            "01",
            "residence",
            Status.IN_PROGRESS,
        )
        assert clock_state_of(row, AS_OF) is d.clock_state(AS_OF) is ClockState.OVERDUE
        assert "Nguyễn" not in repr(row)

    def test_row_of_refolds_as_of(self) -> None:
        b6 = fixture()[12]
        assert row_of(b6, as_of=AS_OF).status is Status.RECEIVED
        assert row_of(b6, as_of=at(2026, 3, 27)).timeliness is Timeliness.EARLY
        with pytest.raises(InvalidInputError, match="after as_of"):
            row_of(b6, as_of=at(2026, 3, 1))

    def test_custom_lookups(self) -> None:
        r = report(
            fixture(),
            as_of=AS_OF,
            group_by=("province", "field"),
            province_of=lambda unit: "X",
            field_of=lambda pid: "F",
        )
        assert r.keys() == (("X", "F"),)

    def test_unknown_unit_groups_under_dash(self) -> None:
        d = receive("Z1", at(2026, 3, 9), commune="99999")
        assert report([d], as_of=AS_OF, group_by="province").keys() == (("-",),)

    def test_rows_and_dossiers_give_the_same_report(self) -> None:
        dossiers = fixture()
        rows = [row_of(d, as_of=AS_OF) for d in dossiers if d.events[0].at <= AS_OF]
        for group_by in (("province", "month"), ("field", "channel", "week"), ()):
            a = report(dossiers, as_of=AS_OF, group_by=group_by)
            b = report(rows, as_of=AS_OF, group_by=group_by)
            assert a == b

    def test_store_summaries_are_rows(self) -> None:
        ports = pytest.importorskip("govtier.storage.ports")
        dossiers = [d for d in fixture() if d.events[-1].at <= AS_OF]
        summaries = [ports.summarize(d, province=PROVINCE[d.header.subject_unit]) for d in dossiers]
        for group_by in (("province", "commune"), ("procedure", "channel"), ("field",)):
            assert report(summaries, as_of=AS_OF, group_by=group_by) == report(
                dossiers, as_of=AS_OF, group_by=group_by
            )
        # a summary knows when a dossier never received was filed: it counts in that period
        # (it used to land in a period "-", issue 13)
        by_month = report(summaries, as_of=AS_OF, group_by="month")
        assert by_month["-"] == Figures()
        full = report(dossiers, as_of=AS_OF, group_by="month")
        assert by_month == full
        assert full["2026-03"].refused == 1
        assert full["2026-03"].awaiting_intake == 1

    def test_bad_input(self) -> None:
        with pytest.raises(InvalidInputError, match="group_by"):
            report([], as_of=AS_OF, group_by="district")
        with pytest.raises(InvalidInputError, match="group_by"):
            report([], as_of=AS_OF, group_by=("month", "month"))
        with pytest.raises(InvalidInputError, match="timezone-aware"):
            report([], as_of=dt.datetime(2026, 3, 25))
        with pytest.raises(InvalidInputError, match="edges"):
            backlog([], as_of=AS_OF, edges=(1, 5))
        with pytest.raises(InvalidInputError, match="edges"):
            backlog([], as_of=AS_OF, edges=(0, 5, 5))
        with pytest.raises(InvalidInputError, match="limit"):
            overdue([], as_of=AS_OF, limit=0)
        with pytest.raises(InvalidInputError, match="key"):
            report([], as_of=AS_OF, group_by="province")["01", "2026-03"]

    def test_empty(self) -> None:
        r = report([], as_of=AS_OF, group_by="province")
        assert r.groups == ()
        assert r.on_time_rate() is None
        assert r.to_rows() == []
        assert r.render().splitlines()[-1].split()[-1] == "-"
        assert GROUP_KEYS[:2] == ("province", "commune")


class TestIndicators:
    def test_every_indicator_cites_its_source(self) -> None:
        for ind in INDICATORS:
            assert ind.source.document
            assert ind.formula
            assert isinstance(ind.confidence, Confidence)
            assert ind.confidence.mark in str(ind)

    def test_what_is_confirmed(self) -> None:
        confirmed = {i.key for i in INDICATORS if i.confirmed}
        assert confirmed == {
            "procedures_published_on_time",
            "complaints_on_time",
            "complaint_satisfaction",
            "gia_lai_on_time",
        }
        assert indicator("dossiers_on_time").confidence is Confidence.UNCONFIRMED
        assert indicator("dossiers_on_time").points == "up to 20"
        assert indicator("gia_lai_on_time").group is None  # not a Decision 766 indicator
        assert OnTimeBasis.RESOLVED.indicator is indicator("dossiers_on_time")
        assert OnTimeBasis.TO_HANDLE.indicator is indicator("gia_lai_on_time")
        assert OnTimeBasis.RECEIVED.indicator is None

    def test_rate(self) -> None:
        complaints = indicator("complaints_on_time")
        assert complaints.rate(9, 10) == 0.9
        assert complaints.rate(0, 0) is None
        with pytest.raises(InvalidInputError):
            complaints.rate(11, 10)
        with pytest.raises(InvalidInputError, match="no indicator"):
            indicator("nope")


# --------------------------------------------------------------------------------------------
# Dossiers built to a plan: each one is made to end in an intended state as of PLAN_AS_OF

PLAN_AS_OF = at(2026, 6, 15, 10)  # a Monday
OUTCOMES = (
    "early",
    "on_time",
    "late",
    "within_time",
    "due_today",
    "overdue",
    "paused",
    "withdrawn",
    "withdrawn_before_receipt",
    "stopped",
    "refused",
    "awaiting_intake",
)
COMMUNES = (BA_DINH, NGOC_HA, THU_DAU_MOT)


@attrs.frozen
class Plan:
    outcome: str
    commune: str
    limit: int
    offset: int  # working days back from PLAN_AS_OF, where the outcome allows a choice
    channel: Channel
    late_step: bool
    later_event: bool  # add an event after PLAN_AS_OF (must be ignored)


def build(plan: Plan, n: int) -> tuple[Dossier, dt.date]:
    """A dossier that ends in ``plan.outcome`` as of PLAN_AS_OF, and its intended period day."""
    code = f"G{n:06d}"
    steps = (StepPlan(name="check", agency="Sở", share=Duration.working_days(1)),)
    h = header(
        code,
        commune=plan.commune,
        time_limit=Duration.working_days(plan.limit),
        channel=plan.channel,
        steps=steps if plan.late_step else (),
    )
    today = PLAN_AS_OF.date()

    def day_back(k: int, hh: int = 9) -> dt.datetime:
        d = CAL.add_working_days(today, -k)
        return dt.datetime.combine(d, dt.time(hh), tzinfo=VIETNAM_TZ)

    outcome = plan.outcome
    if outcome in ("refused", "awaiting_intake", "withdrawn_before_receipt"):
        when = day_back(plan.offset)
        if outcome == "refused":
            return Dossier.refuse(h, at=when, actor="clerk", reason="scope"), when.date()
        d = Dossier.submit(h, at=when, actor="web")
        if outcome == "withdrawn_before_receipt":
            d = d.withdraw(at=when + dt.timedelta(hours=1), actor="applicant")
        return d, when.date()
    if outcome == "within_time":
        received = day_back(plan.offset % plan.limit)  # due after today
    elif outcome == "due_today":
        received = day_back(plan.limit)
    elif outcome == "overdue":
        received = day_back(plan.limit + 1 + plan.offset)
    else:
        received = day_back(plan.limit + 2 + plan.offset)  # due before today
    d = Dossier.receive(h, at=received, actor="clerk", calendar=CAL)
    due = d.appointment
    assert due is not None
    if plan.late_step:
        d = d.transfer(at=received + dt.timedelta(minutes=30), actor="clerk", calendar=CAL)
    if outcome == "early":
        d = decide(d, received + dt.timedelta(hours=2))
    elif outcome == "on_time":
        d = decide(d, due - dt.timedelta(minutes=1))
    elif outcome == "late":
        d = decide(d, due + dt.timedelta(days=1))
    elif outcome == "paused":
        d = d.request_supplement(
            at=received + dt.timedelta(hours=3), actor="clerk", components=["CT01"], reason="x"
        )
    elif outcome == "withdrawn":
        d = d.withdraw(at=received + dt.timedelta(hours=3), actor="applicant")
    elif outcome == "stopped":
        d = d.stop(at=received + dt.timedelta(hours=3), actor="chair", reason="not eligible")
    if plan.later_event and not d.status.is_terminal and d.clock.finished_at is None:
        if d.status.is_paused:
            d = d.withdraw(at=PLAN_AS_OF + dt.timedelta(hours=1), actor="applicant")
        else:
            d = decide(d, PLAN_AS_OF + dt.timedelta(hours=1))
    return d, received.date()


def check_state(d: Dossier, outcome: str) -> None:
    """The construction is right: the dossier really is where the plan says, as of PLAN_AS_OF."""
    row = row_of(d, as_of=PLAN_AS_OF)
    expected = {
        "early": Timeliness.EARLY,
        "on_time": Timeliness.ON_TIME,
        "late": Timeliness.LATE,
    }
    if outcome in expected:
        assert row.timeliness is expected[outcome]
    elif outcome in ("within_time", "due_today", "overdue", "paused"):
        assert clock_state_of(row, PLAN_AS_OF).value == outcome.replace("_", " ")


plans = st.builds(
    Plan,
    outcome=st.sampled_from(OUTCOMES),
    commune=st.sampled_from(COMMUNES),
    limit=st.integers(2, 12),
    offset=st.integers(0, 30),
    channel=st.sampled_from(list(Channel)),
    late_step=st.booleans(),
    later_event=st.booleans(),
)


def expected_counts(built: list[tuple[Plan, dt.date]]) -> dict[tuple[str, str], Counter[str]]:
    expected: dict[tuple[str, str], Counter[str]] = {}
    for plan, day in built:
        key = (PROVINCE[plan.commune], f"{day:%Y-%m}")
        c = expected.setdefault(key, Counter())
        c["total"] += 1
        name = "withdrawn" if plan.outcome == "withdrawn_before_receipt" else plan.outcome
        c[name] += 1
        if plan.outcome not in ("refused", "awaiting_intake", "withdrawn_before_receipt"):
            c["received"] += 1
    return expected


def check_report(built: list[tuple[Plan, Dossier, dt.date]]) -> None:
    dossiers = (d for _, d, _ in built)  # a generator: read once
    r = report(dossiers, as_of=PLAN_AS_OF, group_by=("province", "month"))
    expected = expected_counts([(p, day) for p, _, day in built])
    assert set(r.keys()) == set(expected)
    for key, counts in expected.items():
        figures = r[key]
        assert {n: getattr(figures, n) for n in COUNTS} == {n: counts[n] for n in COUNTS}
    overdue_codes = {d.code for p, d, _ in built if p.outcome == "overdue"}
    found = overdue((d for _, d, _ in built), as_of=PLAN_AS_OF)
    assert {o.code for o in found} == overdue_codes
    for entry in found:
        plan = next(p for p, d, _ in built if d.code == entry.code)
        assert (entry.late_step is not None) == plan.late_step  # the 1-day step is always late


@settings(max_examples=40)
@given(st.lists(plans, max_size=25))
def test_report_matches_the_plan(chosen: list[Plan]) -> None:
    built = []
    for n, plan in enumerate(chosen):
        d, day = build(plan, n)
        check_state(d, plan.outcome)
        built.append((plan, d, day))
    check_report(built)


def seeded_plans(n: int, seed: int) -> Iterator[Plan]:
    rng = random.Random(seed)  # noqa: S311
    for _ in range(n):
        yield Plan(
            outcome=rng.choice(OUTCOMES),
            commune=rng.choice(COMMUNES),
            limit=rng.randint(2, 12),
            offset=rng.randint(0, 40),
            channel=rng.choice(list(Channel)),
            late_step=rng.random() < 0.3,
            later_event=rng.random() < 0.2,
        )


def test_seeded_set_of_600() -> None:
    built = []
    for n, plan in enumerate(seeded_plans(600, seed=766)):
        d, day = build(plan, n)
        built.append((plan, d, day))
    check_report(built)
    r = report((d for _, d, _ in built), as_of=PLAN_AS_OF)
    intended = Counter(p.outcome for p, _, _ in built)
    assert r.total.early + r.total.on_time == intended["early"] + intended["on_time"]
    assert r.total.resolved == intended["early"] + intended["on_time"] + intended["late"]
    # the overdue list keeps the most overdue ones when limited
    everything = overdue((d for _, d, _ in built), as_of=PLAN_AS_OF)
    top = overdue((d for _, d, _ in built), as_of=PLAN_AS_OF, limit=5)
    assert top == everything[:5]
    assert list(top) == sorted(top, key=lambda o: o.appointment)


def test_report_holds_no_dossiers() -> None:
    """The report keeps counters only: the dossiers can be garbage-collected as they stream."""
    import gc
    import weakref

    refs: list[weakref.ref[Dossier]] = []

    def stream() -> Iterator[Dossier]:
        for n, plan in enumerate(seeded_plans(50, seed=1)):
            d, _ = build(plan, n)
            refs.append(weakref.ref(d))
            yield d

    r = report(stream(), as_of=PLAN_AS_OF, group_by="province")
    gc.collect()
    assert r.total.total == 50
    assert all(ref() is None for ref in refs)


def test_dossier_row_is_a_value() -> None:
    row = DossierRow(
        code="X",
        status=Status.RECEIVED,
        procedure_id="p.q",
        receiving_unit="00004",
        subject_unit="00004",
        channel=Channel.ONLINE,
        received_at=at(2026, 3, 9),
        appointment=at(2026, 3, 10, 17),
    )
    assert clock_state_of(row, at(2026, 3, 10, 8)) is ClockState.DUE_TODAY
    r = report([row], as_of=at(2026, 3, 10, 8), group_by=("field", "day"))
    assert r.keys() == (("p", "2026-03-09"),)

"""Hypothesis strategies for govtier values, for users' own property tests.

Needs the ``testing`` extra (hypothesis). Every strategy draws from the real bundled data where
the value is legal data (units, procedures, rules), so generated examples are realistic, and builds
dossier histories by running the lifecycle's own commands, so every history is valid by
construction.

>>> from hypothesis import given, settings
>>> from govtier.testing.strategies import dossiers
>>> @settings(max_examples=5, deadline=None)
... @given(dossiers())
... def test_history_folds_back(dossier):
...     assert type(dossier).from_events(dossier.events) == dossier
>>> test_history_folds_back()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from hypothesis import strategies as st

from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Catalogue, Channel, Procedure
from govtier.deadlines import ClockRules, Duration, WaitRule
from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader, Outcome, StepPlan
from govtier.errors import InvalidTransitionError
from govtier.jurisdiction import Rule, RuleSet
from govtier.legal import LegalSource
from govtier.units import Unit, UnitRegistry

__all__ = [
    "COMMAND_EVENTS",
    "aware_moments",
    "communes",
    "dossier_headers",
    "dossiers",
    "durations",
    "procedures",
    "provinces",
    "rule_sets",
    "working_days",
]

REFORM = dt.date(2025, 7, 1)


def provinces() -> st.SearchStrategy[Unit]:
    """One of the 34 province-level units."""
    return st.sampled_from(UnitRegistry.bundled().provinces())


def communes(province_code: str | None = None) -> st.SearchStrategy[Unit]:
    """One of the 3,321 commune-level units (of one province, if given)."""
    return st.sampled_from(UnitRegistry.bundled().communes(province_code))


def aware_moments(
    start: dt.date = REFORM, end: dt.date = dt.date(2027, 12, 31)
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware moments (Asia/Ho_Chi_Minh) between two dates, any time of day."""
    return st.datetimes(
        min_value=dt.datetime.combine(start, dt.time(0)),
        max_value=dt.datetime.combine(end, dt.time(23, 59)),
        timezones=st.just(VIETNAM_TZ),
    )


def working_days(
    start: dt.date = REFORM,
    end: dt.date = dt.date(2027, 12, 31),
    calendar: WorkingCalendar | None = None,
) -> st.SearchStrategy[dt.date]:
    """Working days of ``calendar`` (the national one by default) between two dates."""
    cal = calendar or WorkingCalendar.vietnam()
    return st.dates(min_value=start, max_value=end).map(lambda d: cal.add_working_days(d, 0))


def durations(max_amount: int = 60) -> st.SearchStrategy[Duration]:
    """Any kind of statutory time limit."""
    return st.one_of(
        st.builds(Duration.working_days, st.integers(0, max_amount)),
        st.builds(Duration.working_hours, st.integers(0, max_amount * 8)),
        st.builds(Duration.calendar_days, st.integers(0, max_amount)),
        st.builds(Duration.same_day, st.sampled_from([dt.time(15), dt.time(16, 30)])),
        st.just(Duration.immediate()),
    )


def procedures(catalogue: Catalogue | None = None) -> st.SearchStrategy[Procedure]:
    """A procedure version from the catalogue (the bundled one by default)."""
    cat = catalogue or Catalogue.bundled()
    return st.sampled_from(cat.procedures)


def rule_sets(max_local_rules: int = 3) -> st.SearchStrategy[RuleSet]:
    """The bundled rules plus a few valid commune-specific time-limit overrides.

    Each override gives one procedure a different working-day limit at one commune from a date
    after the reform: the kind of local rule a province adds.
    """
    base = RuleSet.bundled()
    ids = sorted({p.id for p in base.catalogue.procedures})

    @st.composite
    def build(draw: st.DrawFn) -> RuleSet:
        count = draw(st.integers(0, max_local_rules))
        rules: list[Rule] = list(base.rules)
        used: set[tuple[str, str]] = set()
        for index in range(count):
            pid = draw(st.sampled_from(ids))
            unit = draw(communes())
            if (pid, unit.code) in used:
                continue
            used.add((pid, unit.code))
            rules.append(
                Rule(
                    id=f"local.{index}.{pid}.{unit.code}",
                    procedures=frozenset({pid}),
                    units=frozenset({unit.code}),
                    valid_from=draw(st.dates(REFORM, dt.date(2026, 12, 31))),
                    time_limit=Duration.working_days(draw(st.integers(1, 30))),
                    legal_basis=(LegalSource(document=f"Quyết định {index + 1}/QĐ-UBND"),),
                )
            )
        return RuleSet(rules, catalogue=base.catalogue, units=base.units)

    return build()


def dossier_headers(
    *, limits: st.SearchStrategy[Duration] | None = None
) -> st.SearchStrategy[DossierHeader]:
    """Headers with a real commune, a code, and random clock rules and inter-agency steps."""

    @st.composite
    def build(draw: st.DrawFn) -> DossierHeader:
        unit = draw(communes())
        day = draw(st.dates(REFORM, dt.date(2027, 12, 31)))
        code = DossierCode(agency="G01.20.01", received_on=day, sequence=draw(st.integers(1, 9999)))
        steps = draw(st.integers(0, 3))
        limit = draw(
            limits if limits is not None else st.builds(Duration.working_days, st.integers(1, 20))
        )
        return DossierHeader(
            code=str(code),
            procedure_id=draw(
                st.sampled_from(sorted({p.id for p in Catalogue.bundled().procedures}))
            ),
            procedure_version=1,
            procedure_code=None,
            procedure_name="generated",
            receiving_unit=unit.code,
            subject_unit=unit.code,
            competent=f"Ủy ban nhân dân {unit.name}",
            returns_at="counter",
            channel=draw(st.sampled_from(Channel)),
            applicant=Applicant(name="Người Thử Nghiệm"),
            time_limit=limit,
            clock=ClockRules(
                on_supplement=draw(st.sampled_from(WaitRule)),
                on_payment=draw(st.sampled_from(WaitRule)),
                max_extensions=draw(st.integers(0, 2)),
                max_supplement_requests=draw(st.integers(0, 2)),
            ),
            steps=tuple(
                StepPlan(
                    name=f"step {i + 1}", agency=f"agency {i + 1}", share=Duration.working_days(1)
                )
                for i in range(steps)
            ),
        )

    return build()


_Command = Callable[[Dossier, dt.datetime, WorkingCalendar], Dossier]

COMMAND_EVENTS: Mapping[str, str] = MappingProxyType(
    {
        "accept": "received",
        "request_supplement": "supplement_requested",
        "supplement": "supplemented",
        "transfer": "transferred",
        "request_payment": "payment_requested",
        "pay": "paid",
        "apologise": "apologised",
        "stop": "stopped",
        "decide": "decided",
        "return_result": "returned",
        "withdraw": "withdrawn",
    }
)
"""The event kind each :class:`~govtier.dossier.Dossier` command appends."""

_COMMANDS: Sequence[tuple[str, _Command]] = (
    ("accept", lambda d, t, c: d.accept(at=t, actor="clerk", calendar=c)),
    (
        "request_supplement",
        lambda d, t, c: d.request_supplement(at=t, actor="clerk", components=["A"], reason="r"),
    ),
    ("supplement", lambda d, t, c: d.supplement(at=t, actor="applicant", calendar=c)),
    ("transfer", lambda d, t, c: d.transfer(at=t, actor="clerk", calendar=c)),
    ("request_payment", lambda d, t, c: d.request_payment(at=t, actor="clerk", amount=100_000)),
    ("pay", lambda d, t, c: d.pay(at=t, actor="applicant", calendar=c)),
    (
        "apologise",
        lambda d, t, c: d.apologise(
            at=t,
            actor="clerk",
            reason="late",
            new_appointment=c.close_of_business(
                c.add_working_days(max(t, d.appointment or t).date(), 3)
            ),
        ),
    ),
    ("stop", lambda d, t, c: d.stop(at=t, actor="clerk", reason="r")),
    (
        "decide",
        lambda d, t, c: d.decide(at=t, actor="clerk", outcome=Outcome.GRANTED, document="D"),
    ),
    ("return_result", lambda d, t, c: d.return_result(at=t, actor="clerk")),
    ("withdraw", lambda d, t, c: d.withdraw(at=t, actor="applicant")),
)


def dossiers(
    *,
    headers: st.SearchStrategy[DossierHeader] | None = None,
    max_events: int = 12,
    calendar: WorkingCalendar | None = None,
) -> st.SearchStrategy[Dossier]:
    """Dossiers with a valid random history, built by the lifecycle's own commands.

    The history starts with an online submission or an in-person receipt, then up to
    ``max_events`` commands, each at a later moment (minutes to days apart); commands the current
    status does not allow, or that a clock rule refuses, are skipped.
    """
    cal = calendar or WorkingCalendar.vietnam()

    @st.composite
    def build(draw: st.DrawFn) -> Dossier:
        header = draw(headers if headers is not None else dossier_headers())
        day = DossierCode.parse(header.code).received_on
        now = dt.datetime.combine(day, dt.time(8), tzinfo=VIETNAM_TZ) + dt.timedelta(
            minutes=draw(st.integers(0, 60 * 12))
        )
        if draw(st.booleans()):
            dossier = Dossier.submit(header, at=now, actor="applicant")
        else:
            dossier = Dossier.receive(header, at=now, actor="clerk", calendar=cal)
        for _ in range(draw(st.integers(0, max_events))):
            now += dt.timedelta(minutes=draw(st.integers(1, 60 * 24 * 5)))
            name, command = draw(st.sampled_from(_COMMANDS))
            if COMMAND_EVENTS[name] not in dossier.allowed_events():
                continue
            try:
                dossier = command(dossier, now, cal)
            except InvalidTransitionError:
                continue  # a clock rule (e.g. the apology limit) refused it
        return dossier

    return build()

"""The public hypothesis strategies produce valid values (and the project uses them itself)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier import Duration, Status, UnitRegistry, WorkingCalendar
from govtier.catalogue import Procedure
from govtier.dossier import Dossier
from govtier.errors import InvalidTransitionError
from govtier.jurisdiction import RuleSet
from govtier.testing.strategies import (
    aware_moments,
    communes,
    dossiers,
    durations,
    procedures,
    rule_sets,
    working_days,
)
from govtier.units import Level, Unit

CAL = WorkingCalendar.vietnam()


@given(communes())
def test_communes_are_registered(unit: Unit) -> None:
    """Every drawn commune is in the registry, at commune level, with its province."""
    registry = UnitRegistry.bundled()
    assert registry.get(unit.code) == unit
    assert unit.level is Level.COMMUNE
    assert registry.province_of(unit.code).code == unit.province_code


@given(working_days())
def test_working_days_work(day: dt.date) -> None:
    """Drawn working days are working days."""
    assert CAL.is_working_day(day)


@given(aware_moments())
def test_moments_are_aware(moment: dt.datetime) -> None:
    """Drawn moments carry a time zone."""
    assert moment.utcoffset() == dt.timedelta(hours=7)


@given(durations())
def test_durations_print_and_parse(duration: Duration) -> None:
    """Every drawn duration survives str() and Duration.parse()."""
    assert Duration.parse(str(duration)) == duration


@given(procedures())
def test_procedures_are_current_or_versioned(procedure: Procedure) -> None:
    """Drawn procedures have a version and a time limit."""
    assert procedure.version >= 1
    assert isinstance(procedure.time_limit, Duration)


@settings(max_examples=20, deadline=None)
@given(rule_sets(), communes(), procedures())
def test_rule_sets_resolve_like_the_bundled_ones(
    rules: RuleSet, unit: Unit, procedure: Procedure
) -> None:
    """Local overrides change at most the time limit; the competent authority is unchanged."""
    on = dt.date(2027, 1, 15)
    if not procedure.applies_on(on):
        return
    base = RuleSet.bundled().resolve(procedure.id, unit.code, on=on)
    local = rules.resolve(procedure.id, unit.code, on=on)
    assert local.competent == base.competent
    local_ids = [r for r in local.rule_ids if r.startswith("local.")]
    if not local_ids:
        assert local.time_limit == base.time_limit


@settings(max_examples=60, deadline=None)
@given(dossiers())
def test_dossiers_are_valid_histories(dossier: Dossier) -> None:
    """A drawn dossier is the fold of its own events and has a status."""
    assert Dossier.from_events(dossier.events) == dossier
    assert isinstance(dossier.status, Status)
    times = [e.at for e in dossier.events]
    assert times == sorted(times)


@settings(max_examples=60, deadline=None)
@given(dossiers(), st.data())
def test_apply_all_is_one_apply_per_event(dossier: Dossier, data: st.DataObject) -> None:
    """Folding a history in one working state (``apply_all``) equals applying it event by event,
    from any point of the history."""
    events = dossier.events
    split = data.draw(st.integers(0, len(events)), label="split")
    start = Dossier().apply_all(events[:split])
    one_by_one = start
    for event in events[split:]:
        one_by_one = one_by_one.apply(event)
    assert start.apply_all(events[split:]) == one_by_one == dossier
    assert one_by_one.phases == dossier.phases
    assert one_by_one.clock == dossier.clock


@settings(max_examples=60, deadline=None)
@given(dossiers(), st.data())
def test_apply_all_refuses_as_apply_does(dossier: Dossier, data: st.DataObject) -> None:
    """An event not allowed where it stands fails ``apply_all`` with the message ``apply`` gives."""
    events = dossier.events
    split = data.draw(st.integers(1, len(events)), label="split")
    start = Dossier.from_events(events[:split])
    repeated = events[0]  # a second opening event is never allowed
    with pytest.raises(InvalidTransitionError) as one:
        dossier.apply(repeated)
    with pytest.raises(InvalidTransitionError) as many:
        start.apply_all([*events[split:], repeated])
    assert str(many.value) == str(one.value)

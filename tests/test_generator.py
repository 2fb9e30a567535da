"""The journey generator: deterministic per seed, valid by construction, skewed as specified."""

from __future__ import annotations

import collections
import datetime as dt
import itertools

import pytest
from tests.pg_fixtures import PostgresSchemas, pg_schemas, postgres_url  # noqa: F401

from govtier import WorkingCalendar
from govtier.dossier import Dossier, Received, Status, Supplemented
from govtier.errors import InvalidInputError
from govtier.reporting import report
from govtier.storage import MemoryStore
from govtier.testing.generator import PROCEDURE_WEIGHTS, YEAR_START, Journey, Mix, journeys
from govtier.units import UnitRegistry

N = 3000


@pytest.fixture(scope="module")
def sample() -> list[Journey]:
    return list(journeys(N, seed=11))


def test_the_same_seed_gives_the_same_journeys(sample: list[Journey]) -> None:
    again = list(journeys(N, seed=11))
    assert [j.code for j in again] == [j.code for j in sample]
    assert [j.events for j in again[:300]] == [j.events for j in sample[:300]]
    other = list(journeys(300, seed=12))
    assert [j.events for j in other] != [j.events for j in sample[:300]]


def test_every_journey_is_valid_and_reaches_its_intended_outcome(sample: list[Journey]) -> None:
    codes = set()
    for journey in sample:
        dossier = journey.dossier
        assert Dossier.from_events(dossier.events) == dossier  # the fold equals itself
        assert dossier.code == journey.code
        assert dossier.status is journey.intended.status, journey.code
        assert dossier.timeliness is journey.intended.timeliness, journey.code
        assert dossier.outcome is journey.intended.outcome, journey.code
        codes.add(journey.code)
    assert len(codes) == len(sample)


def test_appointments_are_the_calendars(sample: list[Journey]) -> None:
    """Each appointment given at receipt or on a restart is what the commands would set."""
    cal = WorkingCalendar.vietnam()
    checked = 0
    for journey in sample[:800]:
        header = journey.dossier.header
        assert header is not None
        for event in journey.events:
            if isinstance(event, Received | Supplemented) and event.appointment is not None:
                due = cal.deadline(event.at, header.time_limit, header.policy).due_at
                assert event.appointment == due
                checked += 1
    assert checked > 700


def test_arrivals_are_in_working_hours_of_working_days(sample: list[Journey]) -> None:
    cal = WorkingCalendar.vietnam()
    for journey in sample:
        received = journey.dossier.clock.started_at or journey.events[-1].at
        assert cal.is_working_day(received.date())
        assert dt.time(8) <= received.time() < dt.time(17)
        assert not dt.time(12) <= received.time() < dt.time(13)
        assert YEAR_START <= received.date() < YEAR_START + dt.timedelta(days=365)


def test_the_mix_is_skewed_as_specified(sample: list[Journey]) -> None:
    counts = collections.Counter(j.procedure_id for j in sample)
    top3 = sum(n for _, n in counts.most_common(3)) / len(sample)
    assert 0.55 < top3 < 0.65  # PROCEDURE_WEIGHTS: 34 + 14 + 12 = 60%
    for pid, weight in PROCEDURE_WEIGHTS.items():
        share = counts[pid] / len(sample)
        assert abs(share - weight / 100) < 0.03, pid
    paths = collections.Counter(j.intended.path for j in sample)
    assert 0.01 < paths["refused"] / N < 0.035
    assert paths["returned"] / N > 0.85
    kinds = collections.Counter(e.kind for j in sample for e in j.events)
    for kind in ("submitted", "supplement_requested", "payment_requested", "apologised"):
        assert kinds[kind] > 0, kind
    events = sum(len(j.events) for j in sample) / len(sample)
    assert 5.0 < events < 7.0  # about six events each


def test_units_come_from_the_chosen_province() -> None:
    units = UnitRegistry.bundled()
    for journey in journeys(200, seed=3, province="79"):
        header = journey.dossier.header
        assert header is not None
        assert units.province_of(header.subject_unit).code == "79"
        assert units.province_of(header.receiving_unit).code == "79"
        assert journey.province == "79"


def test_it_streams() -> None:
    stream = journeys(10**9, seed=1)  # a billion: nothing is built before it is asked for
    first = list(itertools.islice(stream, 5))
    assert len(first) == 5


def test_a_report_over_a_store_counts_what_was_intended() -> None:
    store = MemoryStore()
    sample = list(journeys(600, seed=5, mix=Mix(refused=0.1, late=0.2)))
    store.append_many(j.to_append() for j in sample)
    as_of = max(j.events[-1].at for j in sample)
    total = report(store.stream_summaries(batch_size=50), as_of=as_of).total
    intended = collections.Counter(j.intended.path for j in sample)
    timely = collections.Counter(j.intended.timeliness for j in sample)
    assert total.refused == intended["refused"] > 0
    assert total.withdrawn == intended["withdrawn"]
    assert total.stopped == intended["stopped"]
    assert total.late == sum(n for t, n in timely.items() if t is not None and t.name == "LATE")
    assert total.resolved == intended["returned"] + intended["result_ready"]
    assert all(j.dossier.status is not Status.SUBMITTED for j in sample)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        next(journeys(10, province="nowhere"))
    with pytest.raises(InvalidInputError):
        journeys(-1)
    with pytest.raises(InvalidInputError):
        Mix(online=1.5)


def test_the_partitioned_schema_works(pg_schemas: PostgresSchemas) -> None:  # noqa: F811
    """docs/scale.md's partitioned layout: govtier writes to it and prunes by province."""
    import psycopg
    from psycopg import sql

    from govtier.storage import DossierQuery, PostgresStore
    from govtier.storage.ports import bundled_province_of

    schema = pg_schemas.new()
    store = PostgresStore(
        pg_schemas.url,
        schema=schema,
        province_of=lambda u: bundled_province_of(u) or "-",
        partitioned=True,
    )
    hanoi = list(journeys(60, seed=1, province="01"))
    saigon = list(journeys(40, seed=2, province="79"))
    store.append_many(j.to_append() for j in hanoi + saigon)
    assert len(store.find(DossierQuery(province="79"))) == 40
    code = hanoi[0].code
    dossier = store.load(code)
    assert dossier == hanoi[0].dossier
    store.close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as conn:
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM dossiers_01), (SELECT count(*) FROM dossiers_79)"
        ).fetchone()
        assert counts == (60, 40)
        plan = "\n".join(
            row[0]
            for row in conn.execute(
                "EXPLAIN SELECT code FROM dossiers WHERE province = '01' ORDER BY code"
            )
        )
    assert "dossiers_01" in plan
    assert "dossiers_79" not in plan

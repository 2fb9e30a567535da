"""A report over a store's summaries equals the report over the same dossiers (issue 13).

For every ``as_of``, every group and every basis, on the memory, SQLite and PostgreSQL stores:
``report(store.stream_summaries(), ...) == report(store.stream(), ...) == report(dossiers, ...)``.
The clock, timeliness and "events up to as_of" rules have one home (``govtier.dossier``:
:class:`~govtier.dossier.Standing`, :class:`~govtier.dossier.Timeline`, ``Dossier.as_of``), and
a summary carries the dossier's timeline, so nothing after ``as_of`` counts.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas
from tests.test_storage_migration import _restore_v1 as restore_v1_postgres

from govtier._records import event_from_record
from govtier.calendar import VIETNAM_TZ
from govtier.dossier import Dossier, Status
from govtier.reporting import (
    GROUP_KEYS,
    ApologyCount,
    OnTimeBasis,
    backlog,
    overdue,
    report,
)
from govtier.storage import MemoryStore, PostgresStore, SQLiteStore
from govtier.storage.ports import DossierStore
from govtier.testing.generator import Mix, journeys

# every kind of history: pauses, apologies, refusals, withdrawals, late and early decisions
MIX = Mix(
    online=0.4,
    refused=0.1,
    withdrawn=0.08,
    stopped=0.05,
    supplement=0.3,
    unanswered=0.3,
    apology=0.15,
    late=0.2,
    not_returned=0.2,
)
GROUPINGS: Sequence[tuple[str, ...]] = (
    (),
    ("month",),
    ("status", "week"),
    ("province", "procedure"),
    ("field", "channel", "day"),
    ("commune", "quarter"),
    ("receiving_unit", "year"),
)


def _moments(dossiers: Sequence[Dossier], extra: Sequence[float]) -> list[dt.datetime]:
    """Moments across the histories: before all, at event moments, between them, after all."""
    moments = sorted({e.at for d in dossiers for e in d.events})
    first, last = moments[0], moments[-1]
    picked = [first - dt.timedelta(days=1), first, last, last + dt.timedelta(days=400)]
    for share in extra:
        index = min(int(share * len(moments)), len(moments) - 1)
        picked.append(moments[index])  # exactly at an event
        picked.append(moments[index] - dt.timedelta(seconds=1))  # just before it
        picked.append(moments[index].replace(hour=17, minute=0, second=0, microsecond=0))
    return picked


def _check_equal(
    store: DossierStore, dossiers: Sequence[Dossier], moments: Sequence[dt.datetime]
) -> None:
    # what a store gives does not depend on as_of: read it once, report on it at every moment
    summaries = list(store.stream_summaries(batch_size=7))
    streamed = list(store.stream(batch_size=7))
    found = store.find()
    assert [s.code for s in summaries] == [s.code for s in found] == [d.code for d in dossiers]
    assert streamed == list(dossiers)
    for as_of in moments:
        for group_by in GROUPINGS:
            for basis in OnTimeBasis:
                for apologies in ApologyCount:
                    options = {
                        "as_of": as_of,
                        "group_by": group_by,
                        "basis": basis,
                        "apologies": apologies,
                    }
                    from_dossiers = report(dossiers, **options)  # type: ignore[arg-type]
                    assert report(summaries, **options) == from_dossiers  # type: ignore[arg-type]
                    assert report(found, **options) == from_dossiers  # type: ignore[arg-type]
        for group_by in (("month",), ("province",)):
            expected = backlog(dossiers, as_of=as_of, group_by=group_by)
            assert backlog(summaries, as_of=as_of, group_by=group_by) == expected
        late = [(o.code, o.appointment, o.overdue_for) for o in overdue(dossiers, as_of=as_of)]
        got = [(o.code, o.appointment, o.overdue_for) for o in overdue(summaries, as_of=as_of)]
        assert got == late


def _fill(store: DossierStore, seed: int, count: int) -> list[Dossier]:
    sample = list(journeys(count, seed=seed, days=40, mix=MIX))
    store.append_many(j.to_append() for j in sample)
    return [j.dossier for j in sorted(sample, key=lambda j: j.code)]


StoreFactory = Callable[[], DossierStore]

SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
EXAMPLES = st.tuples(
    st.integers(0, 10**6),
    st.integers(1, 40),
    st.lists(st.floats(0, 1), min_size=1, max_size=3),
)


@SETTINGS
@given(EXAMPLES)
def test_memory_store_summaries_report_as_the_dossiers(
    example: tuple[int, int, list[float]],
) -> None:
    seed, count, shares = example
    store = MemoryStore()
    dossiers = _fill(store, seed, count)
    _check_equal(store, dossiers, _moments(dossiers, shares))


@SETTINGS
@given(EXAMPLES)
def test_sqlite_store_summaries_report_as_the_dossiers(
    example: tuple[int, int, list[float]],
) -> None:
    seed, count, shares = example
    store = SQLiteStore(":memory:")
    try:
        dossiers = _fill(store, seed, count)
        _check_equal(store, dossiers, _moments(dossiers, shares))
    finally:
        store.close()


@settings(SETTINGS, max_examples=8)
@given(EXAMPLES)
def test_postgres_store_summaries_report_as_the_dossiers(
    pg_schemas: PostgresSchemas,
    example: tuple[int, int, list[float]],
) -> None:
    seed, count, shares = example
    store = PostgresStore(pg_schemas.url, schema=pg_schemas.new())
    try:
        dossiers = _fill(store, seed, count)
        _check_equal(store, dossiers, _moments(dossiers, shares))
    finally:
        store.close()


def test_every_group_key_is_checked() -> None:
    assert {k for g in GROUPINGS for k in g} == set(GROUP_KEYS)


# -- the case of the issue ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hanoi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    store = SQLiteStore(tmp_path_factory.mktemp("hanoi") / "hanoi.db")
    store.append_many(j.to_append() for j in journeys(4000, seed=7, province="01"))
    yield store
    store.close()


def test_the_4000_hanoi_journeys_report_the_same_from_summaries(hanoi: SQLiteStore) -> None:
    """Issue 13: 4,000 Hà Nội journeys, as of 2026-01-31 17:00 by month, in a SQLite store.

    The summaries used to put 85 refused dossiers in a month "-" (refusals after as_of, and
    refused dossiers without a period); the dossiers put 49 in their months.
    """
    as_of = dt.datetime(2026, 1, 31, 17, tzinfo=VIETNAM_TZ)
    from_summaries = report(hanoi.stream_summaries(), as_of=as_of, group_by="month")
    from_dossiers = report(hanoi.stream(), as_of=as_of, group_by="month")
    assert from_summaries == from_dossiers
    assert "-" not in {g.key[0] for g in from_summaries.groups}
    refused = sum(g.figures.refused for g in from_summaries.groups)
    assert refused == from_dossiers.total.refused
    # every refusal counted happened by as_of, and each one that did is counted
    stored = [d for d in hanoi.stream() if d.status is Status.REFUSED]
    assert refused == sum(1 for d in stored if d.events[-1].at <= as_of) > 0
    assert refused < len(stored)  # later refusals exist and are left out
    for basis in OnTimeBasis:
        for group_by in (("province", "quarter"), ("status",), ("field", "channel")):
            a = report(hanoi.stream_summaries(), as_of=as_of, group_by=group_by, basis=basis)
            assert a == report(hanoi.stream(), as_of=as_of, group_by=group_by, basis=basis)


# -- the stored timeline: a forward migration that loses nothing ---------------------------------

V1_DUMP = Path(__file__).with_name("data") / "store-v1.sql"
"""A SQLite store written by the previous release (schema version 1, no timeline), as SQL text:
40 journeys (seed 11) with refusals, supplements, apologies and withdrawals."""


def test_a_version_1_sqlite_file_is_migrated_and_reports_as_its_dossiers(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(V1_DUMP.read_text(encoding="utf-8"))
        before = raw.execute("SELECT code, seq, record FROM events ORDER BY code, seq").fetchall()
        assert raw.execute("SELECT version FROM schema_version").fetchone() == (1,)
    raw.close()
    store = SQLiteStore(path)
    try:
        assert store.schema_version == 2
        dossiers = list(store.stream())
        assert len(dossiers) == 40
        assert {d.status for d in dossiers} >= {Status.REFUSED, Status.RETURNED}
        assert any(d.clock.extensions for d in dossiers)
        summaries = store.find()
        assert all(s.phases for s in summaries)  # every row was filled in from its events
        assert [s.phases for s in summaries] == [d.phases for d in dossiers]
        _check_equal(store, dossiers, _moments(dossiers, [0.1, 0.5, 0.9]))
        # nothing is lost: every dossier holds exactly the events version 1 stored
        stored: dict[str, list[object]] = {}
        for code, seq, text in before:
            where = f"dossier {code}, event {seq}"
            stored.setdefault(code, []).append(event_from_record(json.loads(text), where=where))
        assert {d.code: list(d.events) for d in dossiers} == stored
    finally:
        store.close()


def test_a_version_1_postgres_schema_is_migrated(pg_schemas: PostgresSchemas) -> None:
    """A schema of the previous release (no timelines, version 1) reports as its dossiers."""
    schema = pg_schemas.new()
    restore_v1_postgres(pg_schemas.url, schema)
    store = PostgresStore(pg_schemas.url, schema=schema)
    try:
        assert store.schema_version == 2
        dossiers = list(store.stream())
        assert dossiers
        assert all(s.phases for s in store.find())
        assert [s.phases for s in store.find()] == [d.phases for d in dossiers]
        _check_equal(store, dossiers, _moments(dossiers, [0.2, 0.7]))
    finally:
        store.close()

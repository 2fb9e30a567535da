"""PostgreSQL's compact layout: packed events rows (the events one append brings share one
row), channels and timeliness as small numbers.

``Codec.pack`` writes consecutive events of a dossier as one ``(at, data)`` row and
``Codec.unpack`` reads them back; ``PostgresStore`` writes one such row per dossier and append.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Callable
from typing import Any

import attrs
import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas

from govtier.catalogue import Channel
from govtier.dossier import Dossier, Timeliness
from govtier.errors import CorruptRecordError, SchemaVersionError
from govtier.storage import Append, PostgresStore
from govtier.storage._compact import CHANNELS, TIMELINESSES, Codec
from govtier.testing.generator import journeys
from govtier.testing.strategies import dossiers

NAME = "Nguyễn Văn Bí Mật"  # an applicant's name: never in a message


def _dossier(seed: int) -> Dossier:
    return Dossier.from_events(next(iter(journeys(1, seed=seed))).events)


def _codec() -> Codec:
    """A codec keeping its shared bodies in a dict, as a store keeps them in ``terms``."""
    bodies: dict[int, str] = {}

    def add(body: str, digest: bytes) -> int:
        assert hashlib.sha256(body.encode()).digest() == digest
        bodies[len(bodies) + 1] = body
        return len(bodies)

    return Codec(add, bodies.get)


@settings(max_examples=80, deadline=None)
@given(dossiers(), st.data())
def test_packed_events_read_back_as_they_were(dossier: Dossier, data: st.DataObject) -> None:
    """Any run of a dossier's consecutive events packs into one row and reads back equal, to
    the microsecond, also with moments off the whole second and out of order."""
    events = list(dossier.events)
    if data.draw(st.booleans(), label="shifted"):
        shifts = data.draw(
            st.lists(st.integers(-(10**9), 10**9), min_size=len(events), max_size=len(events)),
            label="shifts",
        )
        events = [
            attrs.evolve(e, at=e.at + dt.timedelta(microseconds=shift))
            for e, shift in zip(events, shifts, strict=True)
        ]
    first = data.draw(st.integers(0, len(events) - 1), label="first")
    last = data.draw(st.integers(first + 1, len(events)), label="last")
    codec = _codec()
    at, text = codec.pack(dossier.code, events[first:last])
    assert at == codec.row(dossier.code, events[first])[1]
    assert len(json.loads(text)) == last - first
    assert codec.unpack(dossier.code, first + 1, at, text) == events[first:last]


def _packed(dossier: Dossier) -> tuple[Codec, int, list[Any]]:
    codec = _codec()
    at, text = codec.pack(dossier.code, dossier.events)
    return codec, at, json.loads(text)


DAMAGES: dict[str, Callable[[list[Any]], str]] = {
    "not JSON": lambda items: f"[[{NAME}",
    "not a list": lambda items: json.dumps({"name": NAME}),
    "an empty list": lambda items: "[]",
    "an item not a list": lambda items: json.dumps([*items[:1], NAME]),
    "an item of two values": lambda items: json.dumps([*items[:1], [5, 0]]),
    "a moment not an integer": lambda items: json.dumps([*items[:1], [5, NAME, []]]),
    "an unknown kind": lambda items: json.dumps([*items[:1], [99, 0, [NAME]]]),
    "a field of the wrong type": lambda items: json.dumps([*items[:1], [5, 0, [NAME, NAME]]]),
    "microseconds not an integer": lambda items: json.dumps([*items[:1], [5, 0, [NAME], NAME]]),
    "five values": lambda items: json.dumps([*items[:1], [5, 0, [NAME], 1, NAME]]),
}


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_packed_row_is_a_corrupt_record_that_quotes_nothing(damage: str) -> None:
    """Each damage raises CorruptRecordError naming the dossier and the event, never a value."""
    dossier = _dossier(7)
    codec, at, items = _packed(dossier)
    text = DAMAGES[damage](items)
    with pytest.raises(CorruptRecordError) as caught:
        codec.unpack(dossier.code, 1, at, text)
    message = str(caught.value)
    assert message.startswith(f"dossier {dossier.code}, event ")
    assert NAME not in message
    assert NAME not in repr(caught.value.__cause__)
    whole_row = damage in {"not JSON", "not a list", "an empty list"}
    assert message.startswith(f"dossier {dossier.code}, event {1 if whole_row else 2}:")


def test_the_same_actor_mark_without_an_actor_before_is_a_corrupt_record() -> None:
    """``0`` for "the actor of the event before" in a row's first item names the field."""
    dossier = _dossier(7)
    codec, at, items = _packed(dossier)
    items[0][2][0] = 0
    with pytest.raises(CorruptRecordError, match=r"event 1: .*there is none @ \$\[0\]\[2\]\[0\]"):
        codec.unpack(dossier.code, 1, at, json.dumps(items))


def test_a_packed_row_writes_repeated_actors_and_whole_seconds_short() -> None:
    """A repeated actor is written 0 and whole seconds carry no microseconds."""
    dossier = _dossier(7)
    _, _, items = _packed(dossier)
    actors = [e.actor for e in dossier.events]
    for item, actor, before in zip(items[1:], actors[1:], actors, strict=False):
        assert (item[2][0] == 0) == (actor == before)
    assert any(item[2][0] == 0 for item in items)  # (the sample repeats its clerk)
    whole = [(b.at - a.at).microseconds == 0 for a, b in itertools.pairwise(dossier.events)]
    assert [len(item) == 3 for item in items[1:]] == whole


def test_a_packed_row_whose_at_is_not_an_integer_is_a_corrupt_record() -> None:
    dossier = _dossier(7)
    codec, _, items = _packed(dossier)
    with pytest.raises(CorruptRecordError, match=r"event 1: .*expected an integer moment"):
        codec.unpack(dossier.code, 1, "1", json.dumps(items))  # type: ignore[arg-type]


def _rows(url: str, schema: str) -> list[tuple[int, int, int]]:
    """``(dossier, seq, events in the row)`` of every stored events row."""
    with psycopg.connect(url, autocommit=True) as raw:
        query = sql.SQL(
            "SELECT dossier, seq, json_array_length(data::json) FROM {}.events "
            "ORDER BY dossier, seq"
        ).format(sql.Identifier(schema))
        return [tuple(row) for row in raw.execute(query)]


@pytest.mark.postgres
@pytest.mark.parametrize("partitioned", [False, True])
def test_postgres_packs_the_events_of_each_append(
    pg_schemas: PostgresSchemas, partitioned: bool
) -> None:
    """A dossier appended whole is one row; each later append adds one row of its own events;
    two appends to one dossier in one batch share a row; every dossier loads and streams equal."""
    schema = pg_schemas.new()
    store = PostgresStore(pg_schemas.url, schema=schema, partitioned=partitioned)
    whole, stepped, split = (Dossier.from_events(j.events) for j in journeys(3, seed=11))
    store.append_many([Append(code=whole.code, events=whole.events, expected_version=0)])
    for version, event in enumerate(stepped.events):
        store.append(stepped.code, [event], expected_version=version)
    half = len(split.events) // 2
    store.append_many(
        [
            Append(code=split.code, events=split.events[:half], expected_version=0),
            Append(code=split.code, events=split.events[half:], expected_version=half),
        ]
    )
    assert store.load(whole.code) == whole
    assert store.load(stepped.code) == stepped
    assert store.load(split.code) == split
    assert {d.code: d for d in store.stream()} == {d.code: d for d in (whole, stepped, split)}
    store.close()
    by_dossier: dict[int, list[tuple[int, int]]] = {}
    for dossier, seq, count in _rows(pg_schemas.url, schema):
        by_dossier.setdefault(dossier, []).append((seq, count))
    assert sorted(by_dossier.values()) == sorted(
        [
            [(1, len(whole.events))],
            [(1, len(split.events))],
            [(n, 1) for n in range(1, len(stepped.events) + 1)],
        ]
    )


@pytest.mark.postgres
def test_postgres_reads_a_history_packed_over_several_rows_in_order(
    pg_schemas: PostgresSchemas,
) -> None:
    """A history of rows of 2, 1 and the rest events, with a row missing, is named corrupt."""
    schema = pg_schemas.new()
    store = PostgresStore(pg_schemas.url, schema=schema)
    dossier = _dossier(3)
    events = dossier.events
    store.append(dossier.code, events[:2], expected_version=0)
    store.append(dossier.code, events[2:3], expected_version=2)
    store.append(dossier.code, events[3:], expected_version=3)
    assert store.load(dossier.code) == dossier
    assert [(s, n) for _, s, n in _rows(pg_schemas.url, schema)] == [
        (1, 2),
        (3, 1),
        (4, len(events) - 3),
    ]
    store.close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        raw.execute(sql.SQL("DELETE FROM {}.events WHERE seq = 3").format(sql.Identifier(schema)))
    store = PostgresStore(pg_schemas.url, schema=schema)
    with pytest.raises(CorruptRecordError, match=r"event 3 is missing \(found 4\)"):
        store.load(dossier.code)
    store.close()


@pytest.mark.postgres
def test_events_of_one_row_each_from_development_code_are_refused_untouched(
    pg_schemas: PostgresSchemas,
) -> None:
    """A schema-2 store whose events carry their own ``kind`` column (development code before
    packing) is refused with SchemaVersionError; its rows stay as they were."""
    ident = sql.Identifier(schema := pg_schemas.holding(_dossier(5)))
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        raw.execute(sql.SQL("ALTER TABLE {}.events ADD COLUMN kind SMALLINT").format(ident))
        before = raw.execute(sql.SQL("SELECT * FROM {}.events").format(ident)).fetchall()
        for read_only in (False, True):
            with pytest.raises(SchemaVersionError, match="one row each"):
                PostgresStore(pg_schemas.url, schema=schema, read_only=read_only)
        assert raw.execute(sql.SQL("SELECT * FROM {}.events").format(ident)).fetchall() == before


def test_the_stored_channel_and_timeliness_numbers_cover_every_value() -> None:
    """PostgreSQL stores a channel and a timeliness as their index in a pinned tuple."""
    assert set(CHANNELS) == set(Channel)
    assert len(CHANNELS) == len(Channel)
    assert set(TIMELINESSES) == set(Timeliness)
    assert len(TIMELINESSES) == len(Timeliness)


@pytest.mark.postgres
@pytest.mark.parametrize("number", [-1, 3, 99])
def test_an_unknown_stored_channel_number_is_a_corrupt_record(
    pg_schemas: PostgresSchemas, number: int
) -> None:
    """A channel number outside CHANNELS (negative ones too) is named corrupt, not misread."""
    schema = pg_schemas.holding(dossier := _dossier(5))
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        ident = sql.Identifier(schema)
        raw.execute(sql.SQL("UPDATE {}.dossiers SET channel = %s").format(ident), (number,))
    store = PostgresStore(pg_schemas.url, schema=schema)
    with pytest.raises(CorruptRecordError, match=f"dossier {dossier.code}: the stored summary"):
        store.find()
    store.close()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=60),
        _JSON.map(json.dumps),
        st.lists(
            st.tuples(st.integers(-2, 16), st.integers(-(2**62), 2**62), _JSON),
            min_size=1,
            max_size=4,
        ).map(lambda items: json.dumps([list(item) for item in items])),
    ),
    st.integers(-(2**63), 2**63 - 1),
)
def test_any_packed_row_reads_as_events_or_is_a_corrupt_record(text: str, at: int) -> None:
    """Whatever a damaged events row holds, reading it gives events or CorruptRecordError naming
    the dossier, never another exception."""
    codec = _codec()
    error = ""
    events = []
    try:
        events = codec.unpack("G01-260302-0001", 1, at, text)
    except CorruptRecordError as exc:
        error = str(exc)
    if error:
        assert error.startswith("dossier G01-260302-0001, event ")
    else:
        assert len(events) == len(json.loads(text))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40), st.data())
def test_a_packed_row_with_any_one_value_replaced_reads_or_is_a_corrupt_record(
    seed: int, data: st.DataObject
) -> None:
    """One value of a real packed row replaced by any JSON value, however deep: the row reads,
    or CorruptRecordError names the dossier and the event, and no value is quoted."""
    dossier = _dossier(seed)
    codec, at, items = _packed(dossier)
    where: Any = items
    path = []
    while isinstance(where, list) and where:
        index = data.draw(st.integers(0, len(where) - 1), label="index")
        path.append(index)
        if not isinstance(where[index], list) or data.draw(st.booleans(), label="stop"):
            break
        where = where[index]
    if isinstance(where, list) and where:
        where[path[-1]] = data.draw(_JSON | st.just(NAME), label="value")
    error = ""
    try:
        codec.unpack(dossier.code, 1, at, json.dumps(items))
    except CorruptRecordError as exc:
        error = str(exc)
    if error:
        assert error.startswith(f"dossier {dossier.code}, event ")
        assert NAME not in error

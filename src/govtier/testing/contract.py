"""The contract every dossier store passes: subclass :class:`StoreContract` in your tests.

Give the class a ``make_store`` fixture returning a function that opens a handle on one fresh,
shared backing store (each call another handle on the same data)::

    import pytest
    from govtier.storage import SQLiteStore
    from govtier.testing.contract import StoreContract

    class TestMyStore(StoreContract):
        @pytest.fixture
        def make_store(self, tmp_path):
            return lambda: SQLiteStore(tmp_path / "dossiers.db")

Every test of the class then runs against your store: appends with optimistic concurrency and
idempotency keys, validation at the boundary, loads now and as of a moment, every query criterion
(checked against :meth:`DossierQuery.matches` on generated data), streaming and sequence numbers.
The handles opened are closed after each test.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Final

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Channel
from govtier.deadlines import ClockRules, Duration
from govtier.dossier import (
    Applicant,
    ClockState,
    Dossier,
    DossierHeader,
    Outcome,
    Status,
    Transferred,
)
from govtier.errors import (
    ConcurrencyError,
    InvalidInputError,
    InvalidTransitionError,
    UnknownDossierError,
)
from govtier.storage.ports import (
    MAX_INDEXED_LENGTH,
    Append,
    DossierQuery,
    DossierStore,
    summarize,
)

__all__ = ["PERSONAL_NAME", "StoreContract", "random_dossier", "sample_header"]

PERSONAL_NAME = "Nguyễn Thị Bí Mật"
"""The applicant name the contract's dossiers carry; no error message may contain it."""

_UNITS = ("00004", "00008", "26740", "27043", "99999")  # Hà Nội ×2, TP.HCM ×2, unknown
_PROCEDURES = ("civil-status.birth", "civil-status.marriage", "residence.permanent")
_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=VIETNAM_TZ)


def _calendar() -> WorkingCalendar:
    return WorkingCalendar.vietnam()


def sample_header(
    code: str,
    *,
    unit: str = "00004",
    receiving_unit: str | None = None,
    procedure_id: str = "civil-status.birth",
    channel: Channel = Channel.IN_PERSON,
    time_limit: Duration | None = None,
) -> DossierHeader:
    """A dossier header for tests, with personal data (:data:`PERSONAL_NAME`) in it."""
    return DossierHeader(
        code=code,
        procedure_id=procedure_id,
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký khai sinh",
        receiving_unit=receiving_unit or unit,
        subject_unit=unit,
        competent="UBND Phường Ba Đình",
        returns_at="counter",
        channel=channel,
        applicant=Applicant(
            name=PERSONAL_NAME, id_number="001190000042", phone="0912345678", address="Số 1"
        ),
        time_limit=time_limit or Duration.working_days(3),
        clock=ClockRules(max_extensions=1, max_supplement_requests=1),
    )


def random_dossier(rng: random.Random, code: str, *, start: dt.datetime = _START) -> Dossier:
    """A dossier with a random but valid history (random unit, procedure, channel, events)."""
    cal = _calendar()
    header = sample_header(
        code,
        unit=rng.choice(_UNITS),
        receiving_unit=rng.choice((None, *_UNITS)),
        procedure_id=rng.choice(_PROCEDURES),
        channel=rng.choice(list(Channel)),
        time_limit=rng.choice((Duration.working_days(3), Duration.working_days(10))),
    )
    at = start + dt.timedelta(hours=rng.randrange(0, 24 * 120))
    roll = rng.random()
    if roll < 0.1:
        dossier = Dossier.refuse(header, at=at, actor="clerk", reason="not eligible")
    elif roll < 0.25:
        dossier = Dossier.submit(header, at=at, actor="applicant")
    else:
        dossier = Dossier.receive(header, at=at, actor="clerk", calendar=cal)
    for _ in range(rng.randrange(0, 6)):
        at += dt.timedelta(hours=rng.randrange(1, 24 * 8))
        allowed = [k for k in dossier.allowed_events() if k in _MOVES]
        if not allowed:
            break
        weights = [0.2 if k in ("withdrawn", "stopped") else 1.0 for k in allowed]
        kind = rng.choices(allowed, weights)[0]
        try:
            dossier = _move(kind, dossier, at, rng, cal)
        except InvalidTransitionError:  # a clock rule (e.g. one supplement request only)
            continue
    return dossier


_MOVES: Final = frozenset(
    {
        "received",
        "transferred",
        "supplement_requested",
        "supplemented",
        "payment_requested",
        "paid",
        "apologised",
        "decided",
        "returned",
        "withdrawn",
        "stopped",
    }
)


def _move(
    kind: str, dossier: Dossier, at: dt.datetime, rng: random.Random, cal: WorkingCalendar
) -> Dossier:
    if kind == "received":
        return dossier.accept(at=at, actor="clerk", calendar=cal)
    if kind == "transferred":
        return dossier.transfer(at=at, actor="clerk", calendar=cal)
    if kind == "supplement_requested":
        return dossier.request_supplement(
            at=at, actor="clerk", components=("ID copy",), reason="missing"
        )
    if kind == "supplemented":
        return dossier.supplement(at=at, actor="applicant", calendar=cal)
    if kind == "payment_requested":
        return dossier.request_payment(at=at, actor="clerk", amount=1)
    if kind == "paid":
        return dossier.pay(at=at, actor="applicant", calendar=cal)
    if kind == "apologised":
        return dossier.apologise(
            at=at, actor="clerk", reason="late", extension=Duration.working_days(5), calendar=cal
        )
    if kind == "decided":
        outcome = rng.choice(list(Outcome))
        return dossier.decide(at=at, actor="chair", outcome=outcome, document="QĐ-1")
    if kind == "returned":
        return dossier.return_result(at=at, actor="clerk")
    if kind == "withdrawn":
        return dossier.withdraw(at=at, actor="applicant")
    return dossier.stop(at=at, actor="clerk", reason="duplicate")


def _code(n: int) -> str:
    return f"G01.20.01-260302-{n:04d}"


class StoreContract:
    """The tests every :class:`~govtier.storage.ports.DossierStore` passes.

    Define ``make_store``.
    """

    @pytest.fixture
    def make_store(self) -> Callable[[], DossierStore]:
        """Override: return a function opening a handle on one fresh, shared store."""
        pytest.fail("define a make_store fixture in your StoreContract subclass")

    @pytest.fixture
    def open_store(
        self, make_store: Callable[[], DossierStore]
    ) -> Iterator[Callable[[], DossierStore]]:
        """Opens handles with ``make_store`` and closes them after the test."""
        handles: list[DossierStore] = []

        def open_() -> DossierStore:
            handle = make_store()
            handles.append(handle)
            return handle

        yield open_
        for handle in handles:
            handle.close()

    @pytest.fixture
    def store(self, open_store: Callable[[], DossierStore]) -> DossierStore:
        """A handle on the fresh store."""
        return open_store()

    @pytest.fixture
    def population(self, store: DossierStore) -> list[Dossier]:
        """Sixty random dossiers, stored."""
        rng = random.Random(6)  # noqa: S311 (test data)
        dossiers = [random_dossier(rng, _code(n)) for n in range(1, 61)]
        store.append_many(
            Append(code=d.code, events=d.events, expected_version=0) for d in dossiers
        )
        return dossiers

    # -- appending and loading ---------------------------------------------------------------

    def test_a_new_dossier_round_trips(self, store: DossierStore) -> None:
        """Appending a new dossier returns its version; loading gives it back, personal data too."""
        dossier = Dossier.receive(
            sample_header(_code(1)), at=_START, actor="clerk", calendar=_calendar()
        )
        assert store.append(_code(1), dossier.events, expected_version=0) == 1
        loaded = store.load(_code(1))
        assert loaded == dossier
        assert loaded.header is not None
        assert loaded.header.applicant.name == PERSONAL_NAME

    def test_every_version_is_loadable_as_of_its_moment(self, store: DossierStore) -> None:
        """A dossier saved step by step loads whole, and as it was at each event's moment."""
        rng = random.Random(1)  # noqa: S311 (test data)
        dossier = random_dossier(rng, _code(2))
        while dossier.version < 4:
            dossier = random_dossier(rng, _code(2))
        for version in range(1, dossier.version + 1):
            partial = Dossier.from_events(dossier.events[:version])
            new = store.save(partial, expected_version=version - 1)
            assert new == version
        assert store.load(_code(2)) == dossier
        for index, event in enumerate(dossier.events):
            then = store.load(_code(2), as_of=event.at)
            assert then.version >= index + 1
            assert then.events == dossier.events[: then.version]
        before = dossier.events[0].at - dt.timedelta(seconds=1)
        with pytest.raises(UnknownDossierError):
            store.load(_code(2), as_of=before)

    def test_a_stale_version_writes_nothing(self, store: DossierStore) -> None:
        """A stale or made-up expected version raises ConcurrencyError and changes nothing."""
        cal = _calendar()
        dossier = Dossier.receive(sample_header(_code(3)), at=_START, actor="clerk", calendar=cal)
        store.save(dossier, expected_version=0)
        moved = dossier.transfer(at=_START + dt.timedelta(hours=1), actor="clerk", calendar=cal)
        for expected in (0, 2, 7):
            with pytest.raises(ConcurrencyError) as caught:
                store.append(_code(3), moved.events[1:], expected_version=expected)
            assert PERSONAL_NAME not in str(caught.value)
        with pytest.raises(ConcurrencyError):
            store.save(dossier, expected_version=0)
        other = Dossier.receive(sample_header(_code(4)), at=_START, actor="clerk", calendar=cal)
        with pytest.raises(ConcurrencyError):
            store.append(_code(4), other.events, expected_version=1)
        assert store.load(_code(3)) == dossier
        with pytest.raises(UnknownDossierError):
            store.load(_code(4))
        assert [s.version for s in store.find()] == [1]

    def test_an_invalid_transition_is_never_stored(self, store: DossierStore) -> None:
        """Events that do not fold onto the stored dossier raise and write nothing."""
        cal = _calendar()
        dossier = Dossier.receive(sample_header(_code(5)), at=_START, actor="clerk", calendar=cal)
        store.save(dossier, expected_version=0)
        later = _START + dt.timedelta(days=1)
        returned = attrs.evolve(dossier.events[0], at=later)  # a second receipt: not allowed
        with pytest.raises(InvalidTransitionError):
            store.append(_code(5), [returned], expected_version=1)
        backwards = Transferred(at=_START - dt.timedelta(days=1), actor="x", step=0, to="y")
        with pytest.raises(InvalidTransitionError):
            store.append(_code(5), [backwards], expected_version=1)
        ok = Transferred(at=later, actor="x", step=0, to="y")
        with pytest.raises(InvalidTransitionError):  # the first event of a dossier
            store.append(_code(6), [ok], expected_version=0)
        assert store.load(_code(5)) == dossier
        assert len(store.find()) == 1

    def test_malformed_appends_are_refused(self, store: DossierStore) -> None:
        """No events, or events of another dossier than the code, raise InvalidInputError."""
        dossier = Dossier.receive(
            sample_header(_code(7)), at=_START, actor="clerk", calendar=_calendar()
        )
        with pytest.raises(InvalidInputError):
            store.append(_code(8), dossier.events, expected_version=0)
        with pytest.raises(InvalidInputError):
            store.append(_code(7), [], expected_version=0)
        assert store.find() == []

    def test_indexed_fields_share_one_boundary_rule(self, store: DossierStore) -> None:
        """NUL or over-long text in an indexed field: InvalidInputError, nothing written.

        One rule for every store (:data:`~govtier.storage.ports.MAX_INDEXED_LENGTH`), checked
        before the store is touched.
        """
        long = "9" * (MAX_INDEXED_LENGTH + 1)
        edge = "G" + "0" * (MAX_INDEXED_LENGTH - 1)  # exactly the longest allowed
        cal = _calendar()
        cases = [
            (sample_header("N\0-260302-0001"), "N\0-260302-0001", None, "code"),
            (sample_header(long), long, None, "code"),
            (
                sample_header(_code(30), unit="000\x004", receiving_unit="00004"),
                _code(30),
                None,
                "subject_unit",
            ),
            (sample_header(_code(31), receiving_unit=long), _code(31), None, "receiving_unit"),
            (sample_header(_code(32), procedure_id=long), _code(32), None, "procedure_id"),
            (sample_header(_code(33)), _code(33), "key\0", "idempotency_key"),
            (sample_header(_code(34)), _code(34), long, "idempotency_key"),
        ]
        for header, code, key, field in cases:
            dossier = Dossier.receive(header, at=_START, actor="clerk", calendar=cal)
            with pytest.raises(InvalidInputError, match=field) as caught:
                store.append(code, dossier.events, expected_version=0, idempotency_key=key)
            assert PERSONAL_NAME not in str(caught.value)
        with pytest.raises(InvalidInputError, match="agency"):
            store.next_sequence("G01\0", dt.date(2026, 3, 9))
        with pytest.raises(InvalidInputError, match="agency"):
            store.next_sequence(long, dt.date(2026, 3, 9))
        assert store.find() == []
        ok = Dossier.receive(sample_header(edge), at=_START, actor="clerk", calendar=cal)
        assert store.append(edge, ok.events, expected_version=0, idempotency_key=edge) == 1
        assert store.load(edge) == ok
        assert store.next_sequence(edge, dt.date(2026, 3, 9)) == 1

    def test_an_unknown_dossier_is_a_lookup_error(self, store: DossierStore) -> None:
        """Loading a code never stored raises UnknownDossierError (a LookupError)."""
        with pytest.raises(UnknownDossierError):
            store.load("NOPE-260101-0001")
        with pytest.raises(LookupError):
            store.load_events("NOPE-260101-0001")

    # -- idempotency --------------------------------------------------------------------------

    def test_a_retried_request_applies_once(self, store: DossierStore) -> None:
        """The same idempotency key gives the same result and writes nothing twice."""
        cal = _calendar()
        dossier = Dossier.receive(sample_header(_code(9)), at=_START, actor="clerk", calendar=cal)
        assert store.save(dossier, expected_version=0, idempotency_key="req-1") == 1
        assert store.save(dossier, expected_version=0, idempotency_key="req-1") == 1
        moved = dossier.transfer(at=_START + dt.timedelta(hours=2), actor="clerk", calendar=cal)
        assert store.save(moved, expected_version=1, idempotency_key="req-2") == 2
        # A late retry of the first request is still answered, though its version is stale.
        assert store.save(dossier, expected_version=0, idempotency_key="req-1") == 1
        assert store.save(moved, expected_version=1, idempotency_key="req-2") == 2
        assert store.load(_code(9)) == moved
        with pytest.raises(InvalidInputError) as caught:  # the key of another request
            store.save(moved, expected_version=2, idempotency_key="req-1")
        assert PERSONAL_NAME not in str(caught.value)
        assert store.load(_code(9)).version == 2

    # -- batches ------------------------------------------------------------------------------

    def test_a_batch_is_all_or_nothing(self, store: DossierStore) -> None:
        """When one append of a batch fails, none of the batch is written."""
        cal = _calendar()
        first = Dossier.receive(sample_header(_code(10)), at=_START, actor="clerk", calendar=cal)
        second = Dossier.receive(sample_header(_code(11)), at=_START, actor="clerk", calendar=cal)
        store.save(second, expected_version=0)
        batch = [
            Append(code=_code(10), events=first.events, expected_version=0, idempotency_key="b1"),
            Append(code=_code(11), events=second.events, expected_version=0),  # stale
        ]
        with pytest.raises(ConcurrencyError):
            store.append_many(batch)
        with pytest.raises(UnknownDossierError):
            store.load(_code(10))
        assert store.save(first, expected_version=0, idempotency_key="b1") == 1

    def test_a_batch_may_touch_a_dossier_twice(self, store: DossierStore) -> None:
        """Later appends of a batch see the earlier ones; a repeated key is answered once."""
        cal = _calendar()
        dossier = Dossier.receive(sample_header(_code(12)), at=_START, actor="clerk", calendar=cal)
        moved = dossier.transfer(at=_START + dt.timedelta(hours=1), actor="clerk", calendar=cal)
        batch = [
            Append(code=_code(12), events=dossier.events, expected_version=0, idempotency_key="k"),
            Append(code=_code(12), events=moved.events[1:], expected_version=1),
            Append(code=_code(12), events=dossier.events, expected_version=0, idempotency_key="k"),
        ]
        assert store.append_many(batch) == [1, 2, 1]
        assert store.load(_code(12)) == moved
        assert store.append_many([]) == []

    # -- queries ------------------------------------------------------------------------------

    def test_summaries_follow_the_folded_dossier(
        self, store: DossierStore, population: list[Dossier]
    ) -> None:
        """Each summary holds what the stored dossier says, province included, in code order."""
        found = store.find()
        assert [s.code for s in found] == sorted(d.code for d in population)
        by_code = {d.code: d for d in population}
        for summary in found:
            dossier = by_code[summary.code]
            assert summary == summarize(dossier, province=summary.province)
            provinces = {"00004": "01", "00008": "01", "26740": "79", "27043": "79"}
            assert summary.province == provinces.get(summary.subject_unit)

    @settings(
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.differing_executors,
        ],
        deadline=None,
    )
    @given(data=st.data())
    def test_every_query_selects_what_matches(
        self, store: DossierStore, population: list[Dossier], data: st.DataObject
    ) -> None:
        """find() returns exactly the summaries DossierQuery.matches accepts, in code order."""
        moments = st.datetimes(
            min_value=dt.datetime(2026, 2, 1),  # noqa: DTZ001 (hypothesis wants naive bounds)
            max_value=dt.datetime(2026, 9, 1),  # noqa: DTZ001
        ).map(lambda m: m.replace(tzinfo=VIETNAM_TZ))
        maybe = st.booleans()
        query = DossierQuery(
            status=data.draw(st.none() | st.frozensets(st.sampled_from(Status), min_size=1)),
            unit=data.draw(st.none() | st.sampled_from(_UNITS)),
            province=data.draw(st.none() | st.sampled_from(("01", "79", "99"))),
            procedure_id=data.draw(st.none() | st.sampled_from(_PROCEDURES)),
            channel=data.draw(st.none() | st.sampled_from(Channel)),
            received_from=data.draw(st.none() | moments),
            received_before=data.draw(st.none() | moments),
            overdue_as_of=data.draw(st.none() | moments) if data.draw(maybe) else None,
            after=data.draw(st.none() | st.sampled_from([d.code for d in population])),
            limit=data.draw(st.none() | st.integers(1, 70)),
        )
        everything = store.find()
        expected = [s for s in everything if query.matches(s)][: query.limit]
        assert store.find(query) == expected

    def test_overdue_agrees_with_the_clock(
        self, store: DossierStore, population: list[Dossier]
    ) -> None:
        """The overdue query selects exactly the dossiers whose clock says OVERDUE."""
        for days in (0, 10, 30, 60, 90, 150):
            as_of = _START + dt.timedelta(days=days, hours=5)
            found = {s.code for s in store.find(DossierQuery(overdue_as_of=as_of))}
            expected = {d.code for d in population if d.clock_state(as_of) is ClockState.OVERDUE}
            assert found == expected
        assert any(store.find(DossierQuery(overdue_as_of=_START + dt.timedelta(days=150))))

    def test_find_dossiers_and_stream_give_full_dossiers(
        self, store: DossierStore, population: list[Dossier]
    ) -> None:
        """Full dossiers come back equal to what was stored, in code order, batch after batch."""
        ordered = sorted(population, key=lambda d: d.code)
        assert list(store.stream(batch_size=7)) == ordered
        query = DossierQuery(status=Status.RECEIVED)
        selected = [d for d in ordered if d.status is Status.RECEIVED]
        assert store.find_dossiers(query) == selected
        assert list(store.stream(query, batch_size=2)) == selected
        assert list(store.stream(DossierQuery(limit=5), batch_size=2)) == ordered[:5]
        with pytest.raises(InvalidInputError):
            store.stream(batch_size=0)

    def test_stream_summaries_gives_what_find_gives(
        self, store: DossierStore, population: list[Dossier]
    ) -> None:
        """Summaries stream in code order, batch after batch, exactly as ``find`` returns them."""
        assert population
        assert list(store.stream_summaries(batch_size=3)) == store.find()
        for query in (
            DossierQuery(status=Status.RECEIVED),
            DossierQuery(province="01", limit=4),
            DossierQuery(after=sorted(d.code for d in population)[2]),
        ):
            assert list(store.stream_summaries(query, batch_size=2)) == store.find(query)
        with pytest.raises(InvalidInputError):
            store.stream_summaries(batch_size=0)

    # -- sequence numbers and handles ---------------------------------------------------------

    def test_sequence_numbers_count_per_agency_and_day(
        self, open_store: Callable[[], DossierStore]
    ) -> None:
        """Each agency and day counts 1, 2, 3...; another handle continues the count."""
        one, two = open_store(), open_store()
        day = dt.date(2026, 3, 9)
        assert [one.next_sequence("G01.20.01", day) for _ in range(3)] == [1, 2, 3]
        assert one.next_sequence("G01.20.02", day) == 1
        assert one.next_sequence("G01.20.01", day + dt.timedelta(days=1)) == 1
        assert two.next_sequence("G01.20.01", day) == 4
        with pytest.raises(InvalidInputError):
            one.next_sequence("", day)

    def test_another_handle_sees_the_writes(self, open_store: Callable[[], DossierStore]) -> None:
        """What one handle wrote, another handle on the same store reads."""
        writer = open_store()
        dossier = Dossier.receive(
            sample_header(_code(13)), at=_START, actor="clerk", calendar=_calendar()
        )
        writer.save(dossier, expected_version=0, idempotency_key="h")
        reader = open_store()
        assert reader.load(_code(13)) == dossier
        assert reader.save(dossier, expected_version=0, idempotency_key="h") == 1
        with pytest.raises(ConcurrencyError):
            reader.save(dossier, expected_version=0)

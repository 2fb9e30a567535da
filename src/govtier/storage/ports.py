"""The storage port: what a dossier store does, whatever keeps the data.

A store keeps each dossier as its list of events. :meth:`DossierStore.append` adds new events with
the version the caller last saw (optimistic concurrency) and an optional idempotency key (a retried
request is answered from the first one, nothing is written twice). The store folds the new events
onto the stored dossier with :meth:`Dossier.apply` before writing, so an invalid transition is
never stored, and keeps a :class:`DossierSummary` of the folded dossier for the queries.

Three adapters implement the port: :class:`~govtier.storage.memory.MemoryStore`,
:class:`~govtier.storage.sqlite.SQLiteStore` (the embedded default) and
:class:`~govtier.storage.postgres.PostgresStore`. ``govtier.testing.contract`` holds the tests every
adapter passes; run it against your own store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol, runtime_checkable

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier._guard import SQL_INT_MAX, describe, text_or_none
from govtier._records import events_fingerprint
from govtier.catalogue import Channel
from govtier.dossier import (
    RUNNING_STATUSES,
    Dossier,
    DossierHeader,
    Event,
    Phase,
    ProvinceOf,
    Standing,
    Status,
    Timeline,
    Timeliness,
    bundled_province_of,
)
from govtier.errors import (
    ConcurrencyError,
    CorruptRecordError,
    InvalidInputError,
    InvalidTransitionError,
    UnknownDossierError,
)
from govtier.storage._compact import read_timeline, write_timeline

__all__ = [
    "MAX_INDEXED_LENGTH",
    "RUNNING_STATUSES",
    "Append",
    "BatchPlan",
    "DossierQuery",
    "DossierStore",
    "DossierSummary",
    "ProvinceResolver",
    "bundled_province_of",
    "check_batch_size",
    "check_indexed_fields",
    "check_indexed_text",
    "check_sequence_args",
    "check_version",
    "fold_append",
    "plan_batch",
    "replay",
    "stream_pages",
    "summarize",
    "timeline_from_text",
    "timeline_to_text",
]

ProvinceResolver = ProvinceOf
"""Gives the province code of a unit code, or ``None`` when it is not known (the dossier's
:data:`~govtier.dossier.ProvinceOf`)."""


def _phase_tuple(phases: Iterable[Phase]) -> tuple[Phase, ...]:
    return tuple(phases)


@attrs.frozen(kw_only=True)
class DossierSummary:
    """The light record a query returns: a dossier's key facts, without its history.

    Attributes:
        code: the dossier code.
        status: the current status.
        procedure_id: the catalogue's procedure id.
        receiving_unit: the unit whose counter received it.
        subject_unit: the unit the procedure concerns.
        province: the province code of the subject unit, when known.
        channel: how it was submitted.
        received_at: when it was received (``None`` if never received).
        appointment: the current appointment (``None`` before receipt and while paused).
        finished_at: when it was decided, if it was.
        timeliness: early, on time or late, once decided.
        version: the number of events.
        phases: the status and appointment over time (:class:`~govtier.dossier.Phase`), so the
            summary stands as the dossier did at any moment (:meth:`standing`).
        apologised_at: when the first apology with a new appointment was given, if one was.
    """

    code: str
    status: Status
    procedure_id: str
    receiving_unit: str
    subject_unit: str
    province: str | None
    channel: Channel
    received_at: dt.datetime | None
    appointment: dt.datetime | None
    finished_at: dt.datetime | None
    timeliness: Timeliness | None
    version: int
    phases: tuple[Phase, ...] = attrs.field(default=(), converter=_phase_tuple)
    apologised_at: dt.datetime | None = None

    @property
    def filed_at(self) -> dt.datetime | None:
        """The first event's moment (``None`` when the summary carries no phases)."""
        return self.phases[0].at if self.phases else None

    @property
    def timeline(self) -> Timeline:
        """The dossier's timeline (as :attr:`govtier.dossier.Dossier.timeline`)."""
        return Timeline(
            phases=self.phases,
            received_at=self.received_at,
            finished_at=self.finished_at,
            apologised_at=self.apologised_at,
        )

    def standing(self, as_of: dt.datetime | None = None) -> Standing | None:
        """What the dossier was at ``as_of`` (now when ``None``), as its events say.

        ``None`` when it had no event yet at ``as_of``. A summary without phases (built by hand)
        knows only its current facts, which it gives for any moment after its receipt.

        Raises:
            InvalidInputError: ``as_of`` is naive.
        """
        if self.phases:
            return self.timeline.at(as_of)
        received = self.received_at
        if as_of is not None and received is not None and check_aware(as_of, "as_of") < received:
            return None
        return Standing(
            status=self.status,
            filed_at=self.received_at,
            received_at=self.received_at,
            appointment=self.appointment,
            finished_at=self.finished_at,
            apologised_at=self.apologised_at,
        )

    @property
    def running_due(self) -> dt.datetime | None:
        """The appointment while the clock runs (:attr:`~govtier.dossier.Standing.running_due`)."""
        standing = self.standing()
        return None if standing is None else standing.running_due

    def is_overdue(self, as_of: dt.datetime) -> bool:
        """Whether the dossier, as it is now, is overdue at ``as_of`` (as ``clock_state`` says)."""
        due = self.running_due
        return due is not None and check_aware(as_of, "as_of") > due


def summarize(dossier: Dossier, *, province: str | None) -> DossierSummary:
    """The summary of a dossier with at least one event.

    Raises:
        InvalidInputError: the dossier has no events.
    """
    if dossier.header is None or dossier.status is None:
        msg = "an empty dossier has no summary"
        raise InvalidInputError(msg, field="dossier", value=None)
    header = dossier.header
    return DossierSummary(
        code=header.code,
        status=dossier.status,
        procedure_id=header.procedure_id,
        receiving_unit=header.receiving_unit,
        subject_unit=header.subject_unit,
        province=province,
        channel=header.channel,
        received_at=dossier.clock.started_at,
        appointment=dossier.clock.appointment,
        finished_at=dossier.clock.finished_at,
        timeliness=dossier.timeliness,
        version=dossier.version,
        phases=dossier.phases,
        apologised_at=dossier.timeline.apologised_at,
    )


def timeline_to_text(summary: DossierSummary) -> str:
    """The part of a summary's timeline a store keeps in one text column (compact text).

    About 70 characters for six phases; :func:`timeline_from_text` reads it back.
    """
    return write_timeline(summary.phases, summary.apologised_at)


def timeline_from_text(code: str, text: str | None) -> tuple[tuple[Phase, ...], dt.datetime | None]:
    """The phases and first apology's moment kept by :func:`timeline_to_text`.

    Raises:
        CorruptRecordError: the text is not such a timeline (the message names the dossier).
    """
    try:
        return read_timeline(text or "")
    except (ValueError, TypeError, KeyError, OverflowError, OSError, IndexError) as exc:
        msg = f"dossier {code}: the stored timeline cannot be read ({type(exc).__name__})"
        raise CorruptRecordError(msg) from None


def _moment(value: dt.datetime | dt.date | None, name: str = "moment") -> dt.datetime | None:
    """A date means its midnight in Vietnam; a datetime must be aware."""
    given: object = value
    if given is None:
        return None
    if isinstance(given, dt.datetime):
        return check_aware(given, name)
    if isinstance(given, dt.date):
        return check_aware(dt.datetime.combine(given, dt.time(), tzinfo=VIETNAM_TZ), name)
    msg = f"{name}: expected a date or an aware datetime, got {type(value).__name__}"
    raise InvalidInputError(msg, field=name, value=value)


def _received_from(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    return _moment(value, "received_from")


def _received_before(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    return _moment(value, "received_before")


def _overdue_as_of(value: dt.datetime | dt.date | None) -> dt.datetime | None:
    return _moment(value, "overdue_as_of")


def _channel(_inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, Channel):
        msg = f"{attribute.name} must be a govtier Channel or None, got {describe(value)}"
        raise InvalidInputError(msg, field=attribute.name, value=None)


def _statuses(value: Status | Iterable[Status] | None) -> frozenset[Status] | None:
    if value is None:
        return None
    if isinstance(value, Status):
        return frozenset({value})
    statuses = frozenset(value)
    if not statuses or not all(isinstance(s, Status) for s in statuses):
        msg = "status must be a Status or a non-empty collection of them"
        raise InvalidInputError(msg, field="status", value=value)
    return statuses


def _positive_or_none(_inst: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= SQL_INT_MAX
    ):
        msg = (
            f"{attribute.name} must be None or an integer from 1 to 2**63-1, got {describe(value)}"
        )
        raise InvalidInputError(msg, field=attribute.name, value=value)


@attrs.frozen(kw_only=True)
class DossierQuery:
    """Which dossiers to find. Every criterion given must hold; results are ordered by code.

    Attributes:
        status: one status or several (any of them).
        unit: a unit code, matched against the receiving or the subject unit.
        province: a province code (of the subject unit).
        procedure_id: the catalogue's procedure id.
        channel: how it was submitted.
        received_from: received at or after this moment (a date means its midnight in Vietnam).
        received_before: received before this moment (a date means its midnight in Vietnam).
        overdue_as_of: only dossiers whose clock runs and whose appointment is before this moment.
        after: only codes after this one (for paging through results in code order).
        limit: at most this many results.

    >>> import datetime as dt
    >>> q = DossierQuery(status=Status.RECEIVED, received_from=dt.date(2026, 3, 1))
    >>> q.received_from.isoformat()
    '2026-03-01T00:00:00+07:00'
    """

    status: frozenset[Status] | None = attrs.field(default=None, converter=_statuses)
    unit: str | None = attrs.field(default=None, validator=text_or_none)
    province: str | None = attrs.field(default=None, validator=text_or_none)
    procedure_id: str | None = attrs.field(default=None, validator=text_or_none)
    channel: Channel | None = attrs.field(
        default=None, validator=attrs.validators.optional(_channel)
    )
    received_from: dt.datetime | None = attrs.field(default=None, converter=_received_from)
    received_before: dt.datetime | None = attrs.field(default=None, converter=_received_before)
    overdue_as_of: dt.datetime | None = attrs.field(default=None, converter=_overdue_as_of)
    after: str | None = attrs.field(default=None, validator=text_or_none)
    limit: int | None = attrs.field(default=None, validator=_positive_or_none)

    def matches(self, summary: DossierSummary) -> bool:
        """Whether ``summary`` meets every criterion (the reference the SQL stores follow)."""
        checks = (
            self.status is None or summary.status in self.status,
            self.unit is None or self.unit in (summary.receiving_unit, summary.subject_unit),
            self.province is None or summary.province == self.province,
            self.procedure_id is None or summary.procedure_id == self.procedure_id,
            self.channel is None or summary.channel is self.channel,
            self.received_from is None
            or (summary.received_at is not None and summary.received_at >= self.received_from),
            self.received_before is None
            or (summary.received_at is not None and summary.received_at < self.received_before),
            self.overdue_as_of is None or summary.is_overdue(self.overdue_as_of),
            self.after is None or summary.code > self.after,
        )
        return all(checks)


def _event_tuple(events: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(events)


@attrs.frozen(kw_only=True)
class Append:
    """One append of a batch (:meth:`DossierStore.append_many`).

    Attributes:
        code: the dossier code.
        events: the new events, oldest first.
        expected_version: the version the caller last saw (0 for a new dossier).
        idempotency_key: a key naming the request, so a retry is answered, not repeated.
    """

    code: str
    events: tuple[Event, ...] = attrs.field(converter=_event_tuple)
    expected_version: int
    idempotency_key: str | None = None


@runtime_checkable
class DossierStore(Protocol):
    """A place that keeps dossiers as their events.

    Implement the methods without a body (``append_many``, ``load_events``, ``find``,
    ``stream``, ``next_sequence``, ``close``) and inherit from this class to get the others;
    then run ``govtier.testing.contract.StoreContract`` against your store.
    """

    def append_many(self, batch: Iterable[Append]) -> list[int]:
        """Append several dossiers' events in one transaction: all are written, or none.

        Each append is checked as :meth:`append` checks it; the batch fails as a whole on the
        first error. Use it for bulk imports.

        Returns:
            The new version of each dossier, in the order given.

        Raises:
            ConcurrencyError: an expected version is stale.
            InvalidTransitionError: an event is not allowed where it stands.
            InvalidInputError: an append is malformed (no events, a code that differs from the
                header's, an idempotency key reused for another request).
            StorageError: the store failed (the driver's error is the cause).
        """
        ...

    def load_events(self, code: str) -> list[Event]:
        """Every event of a dossier, oldest first.

        Raises:
            UnknownDossierError: no dossier has the code.
            CorruptRecordError: a stored record cannot be read (the message names it).
            SchemaVersionError: a stored record was written by a newer govtier.
            StorageError: the store failed.
        """
        ...

    def find(self, query: DossierQuery | None = None) -> list[DossierSummary]:
        """The summaries of the dossiers ``query`` selects (all when ``None``), by code.

        Raises:
            StorageError: the store failed.
        """
        ...

    def stream(
        self, query: DossierQuery | None = None, *, batch_size: int = 500
    ) -> Iterator[Dossier]:
        """Every selected dossier in full, by code, reading ``batch_size`` at a time.

        Memory stays bounded by the batch, whatever the number of dossiers.

        Raises:
            StorageError: the store failed.
        """
        ...

    def stream_summaries(
        self, query: DossierQuery | None = None, *, batch_size: int = 1000
    ) -> Iterator[DossierSummary]:
        """The summaries ``query`` selects, by code, reading ``batch_size`` at a time.

        What :meth:`find` returns, without holding them all: memory stays bounded by the batch,
        so a report runs over millions of stored dossiers (``report(store.stream_summaries(),
        as_of=...)``). This default pages through :meth:`find` by code; a store may do better
        (PostgreSQL reads through a server-side cursor).

        Raises:
            InvalidInputError: ``batch_size`` is not a positive integer.
            StorageError: the store failed.
        """
        check_batch_size(batch_size)
        return _summaries_of(stream_pages(self.find, query, batch_size))

    def next_sequence(self, agency: str, day: dt.date) -> int:
        """The next dossier sequence number of ``agency`` on ``day`` (1, 2, ...), atomically.

        Two callers never get the same number, even from different processes.

        Raises:
            StorageError: the store failed.
        """
        ...

    def close(self) -> None:
        """Release the store's connections; the store cannot be used afterwards."""
        ...

    # -- provided on top of the methods above -------------------------------------------------

    def append(
        self,
        code: str,
        events: Iterable[Event],
        *,
        expected_version: int,
        idempotency_key: str | None = None,
    ) -> int:
        """Append a dossier's new events, given the version the caller last saw.

        ``expected_version`` is 0 for a new dossier. With an ``idempotency_key`` already used
        for the same request, nothing is written and the version that request produced is
        returned.

        Returns:
            The dossier's new version (its number of events).

        Raises:
            ConcurrencyError: ``expected_version`` is not the stored version; nothing was written.
            InvalidTransitionError: an event is not allowed where it stands; nothing was written.
            InvalidInputError: no events, a header for another code, or an idempotency key
                already used for another request.
            StorageError: the store failed (the driver's error is the cause).
        """
        batch = [
            Append(
                code=code,
                events=tuple(events),
                expected_version=expected_version,
                idempotency_key=idempotency_key,
            )
        ]
        return self.append_many(batch)[0]

    def save(
        self, dossier: Dossier, *, expected_version: int, idempotency_key: str | None = None
    ) -> int:
        """Append the events of ``dossier`` after ``expected_version`` (the version loaded).

        >>> # d = store.load(code); store.save(d.decide(...), expected_version=d.version)
        """
        new = dossier.events[expected_version:]
        return self.append(
            dossier.code, new, expected_version=expected_version, idempotency_key=idempotency_key
        )

    def load(self, code: str, *, as_of: dt.datetime | None = None) -> Dossier:
        """A dossier now, or as it was at ``as_of`` (its events up to that moment).

        Raises:
            UnknownDossierError: no dossier has the code (or it did not exist yet at ``as_of``).
            CorruptRecordError: a stored record cannot be read.
            SchemaVersionError: a stored record was written by a newer govtier.
            StorageError: the store failed.
        """
        dossier = fold_stored(code, self.load_events(code))
        if as_of is None:
            return dossier
        then = dossier.as_of(as_of)
        if then is None:
            msg = f"dossier {code} did not exist yet at {as_of.isoformat()}"
            raise UnknownDossierError(msg)
        return then

    def find_dossiers(self, query: DossierQuery | None = None) -> list[Dossier]:
        """The full dossiers ``query`` selects, by code."""
        return [self.load(s.code) for s in self.find(query)]


# -- helpers the adapters share ----------------------------------------------------------------


def fold_stored(code: str, events: Sequence[Event]) -> Dossier:
    """The dossier a stored history folds into.

    Raises:
        CorruptRecordError: the stored events do not make a valid history of dossier ``code``
            (an event not allowed where it stands, or events of another dossier); the message
            names the dossier and the event.
    """
    try:
        dossier = Dossier.from_events(events)
    except (InvalidTransitionError, InvalidInputError) as exc:
        state, seq = Dossier(), 0
        with contextlib.suppress(InvalidTransitionError, InvalidInputError):
            for seq, event in enumerate(events, start=1):  # noqa: B007  (seq names the culprit)
                state = state.apply(event)
        msg = f"dossier {code}, event {seq}: the stored history is not valid: {exc}"
        raise CorruptRecordError(msg) from exc
    if events and dossier.code != code:
        msg = f"dossier {code}, event 1: the stored events are of dossier {dossier.code}"
        raise CorruptRecordError(msg)
    return dossier


def _summaries_of(pages: Iterator[list[DossierSummary]]) -> Iterator[DossierSummary]:
    for page in pages:
        yield from page


def check_version(code: str, stored: int, expected: int) -> None:
    """Raise :class:`ConcurrencyError` unless ``expected`` is the stored version."""
    given: object = expected
    if isinstance(given, bool) or not isinstance(given, int) or expected < 0:
        msg = f"expected_version must be an integer >= 0, got {expected!r}"
        raise InvalidInputError(msg, field="expected_version", value=expected)
    if stored != expected:
        if stored == 0:
            msg = f"dossier {code} does not exist (expected version {expected}); nothing written"
        else:
            msg = (
                f"dossier {code} is at version {stored}, not {expected} as expected: it was "
                "changed meanwhile; reload it and retry. Nothing was written"
            )
        raise ConcurrencyError(msg)


def fold_append(append: Append, before: Dossier) -> Dossier:
    """The dossier ``before`` after ``append``, validated: what a store writes, or an error.

    Raises:
        InvalidInputError: no events, or the events are of another dossier than the code.
        InvalidTransitionError: an event is not allowed where it stands.
    """
    if not append.events:
        msg = f"nothing to append to dossier {append.code}: no events given"
        raise InvalidInputError(msg, field="events", value=())
    dossier = before.apply_all(append.events)
    if dossier.code != append.code:
        msg = f"the events are of dossier {dossier.code}, not {append.code}"
        raise InvalidInputError(msg, field="code", value=append.code)
    return dossier


def replay(append: Append, fingerprint: str, found: tuple[str, int, str] | None) -> int | None:
    """The version a request with the same idempotency key produced, if it was already made.

    Args:
        append: the request.
        fingerprint: its :func:`~govtier.serialization.events_fingerprint`.
        found: the stored ``(code, version, fingerprint)`` of the key, if any.

    Raises:
        InvalidInputError: the key was used for another request.
    """
    if found is None:
        return None
    code, version, stored = found
    if code != append.code or stored != fingerprint:
        msg = (
            f"idempotency key {append.idempotency_key!r} was already used for another request "
            f"(dossier {code}); use a new key for a new request"
        )
        raise InvalidInputError(msg, field="idempotency_key", value=append.idempotency_key)
    return version


def check_batch_size(batch_size: int) -> None:
    """Raise :class:`InvalidInputError` unless ``batch_size`` is a positive integer."""
    given: object = batch_size
    if isinstance(given, bool) or not isinstance(given, int) or batch_size < 1:
        msg = f"batch_size must be a positive integer, got {batch_size!r}"
        raise InvalidInputError(msg, field="batch_size", value=batch_size)


def check_sequence_args(agency: str, day: dt.date) -> None:
    """Raise :class:`InvalidInputError` unless ``agency`` is a non-empty text and ``day`` a date."""
    given: object = agency
    if not isinstance(given, str) or not agency:
        msg = f"the agency must be a non-empty string, got {agency!r}"
        raise InvalidInputError(msg, field="agency", value=agency)
    check_indexed_text(agency, "agency")
    when: object = day
    if not isinstance(when, dt.date) or isinstance(when, dt.datetime):
        msg = f"the day must be a date, got {type(when).__name__}"
        raise InvalidInputError(msg, field="day", value=day)


def stream_pages(
    find: Callable[[DossierQuery], list[DossierSummary]],
    query: DossierQuery | None,
    batch_size: int,
) -> Iterator[list[DossierSummary]]:
    """Page through ``find(query)`` in code order, ``batch_size`` summaries at a time."""
    check_batch_size(batch_size)
    query = query or DossierQuery()
    after, left = query.after, query.limit
    while left is None or left > 0:
        size = batch_size if left is None else min(batch_size, left)
        page = find(attrs.evolve(query, after=after, limit=size))
        if page:
            yield page
        if len(page) < size:
            return
        after = page[-1].code
        if left is not None:
            left -= len(page)


@attrs.frozen(kw_only=True)
class BatchPlan:
    """What a batch of appends writes, once every append is checked.

    Attributes:
        versions: the version each append returns, in the order given.
        dossiers: each changed dossier after the batch, by code.
        summaries: the summary of each changed dossier, by code.
        previous: each changed dossier's stored version before the batch (0: a new dossier).
        events: the new events as ``(code, seq, event)``, in order.
        keys: the new idempotency keys as ``(key, code, version, fingerprint)``.
    """

    versions: tuple[int, ...]
    dossiers: Mapping[str, Dossier]
    summaries: Mapping[str, DossierSummary]
    previous: Mapping[str, int]
    events: tuple[tuple[str, int, Event], ...]
    keys: tuple[tuple[str, str, int, str], ...]


def plan_batch(
    appends: Sequence[Append],
    *,
    stored_versions: Mapping[str, int],
    histories: Mapping[str, Sequence[Event]],
    keys: Mapping[str, tuple[str, int, str]],
    province_of: ProvinceResolver,
) -> BatchPlan:
    """Check a batch of appends against the stored state and say what to write.

    Args:
        appends: the batch, applied in order (a later append sees the earlier ones).
        stored_versions: the stored version of each dossier of the batch (missing: none).
        histories: the stored events of each dossier of the batch that has any.
        keys: the stored ``(code, version, fingerprint)`` of each idempotency key of the batch.
        province_of: gives the province code of a unit.

    Raises:
        ConcurrencyError: an expected version is stale.
        InvalidTransitionError: an event is not allowed where it stands.
        InvalidInputError: an append is malformed, or reuses a key for another request.
    """
    current: dict[str, Dossier] = {}
    previous: dict[str, int] = {}
    new_keys: dict[str, tuple[str, int, str]] = {}
    versions: list[int] = []
    events: list[tuple[str, int, Event]] = []
    written_keys: list[tuple[str, str, int, str]] = []
    for append in appends:
        fingerprint = ""
        key = append.idempotency_key
        if key is not None:
            fingerprint = events_fingerprint(append.code, append.events)
            done = replay(append, fingerprint, new_keys.get(key) or keys.get(key))
            if done is not None:
                versions.append(done)
                continue
        code = append.code
        if code in current:
            before = current[code]
        else:
            stored = stored_versions.get(code, 0)
            before = fold_stored(code, histories.get(code, ())) if stored else Dossier()
            if before.version != stored:
                msg = f"dossier {code}: {before.version} events stored, version {stored}"
                raise CorruptRecordError(msg)
        check_version(code, before.version, append.expected_version)
        after = fold_append(append, before)
        if code not in current:
            previous[code] = before.version
        current[code] = after
        events.extend(
            (code, seq, e) for seq, e in enumerate(append.events, start=before.version + 1)
        )
        if key is not None:
            new_keys[key] = (code, after.version, fingerprint)
            written_keys.append((key, code, after.version, fingerprint))
        versions.append(after.version)
    summaries: dict[str, DossierSummary] = {}
    for code, dossier in current.items():
        header = dossier.header
        province = None if header is None else province_of(header.subject_unit)
        summaries[code] = summarize(dossier, province=province)
    return BatchPlan(
        versions=tuple(versions),
        dossiers=types.MappingProxyType(current),
        summaries=types.MappingProxyType(summaries),
        previous=types.MappingProxyType(previous),
        events=tuple(events),
        keys=tuple(written_keys),
    )


MAX_INDEXED_LENGTH: Final = 256
"""The longest text (in characters) a store keeps in an indexed field.

Dossier codes, unit codes, procedure ids, idempotency keys and sequence agencies are indexed; every
store refuses longer ones, and any NUL character in them, before it is touched
(:func:`check_indexed_fields`). PostgreSQL cannot store NUL in text, and its index entries are
limited to about 2.7 kB: one rule for all three stores.
"""


def check_indexed_text(value: object, field: str) -> None:
    """Raise :class:`InvalidInputError` unless ``value`` is an indexable text (see above)."""
    if not isinstance(value, str):
        return  # the type is checked where the value is used
    if "\0" in value:
        msg = f"{field} must not contain a NUL character"
        raise InvalidInputError(msg, field=field, value=None)
    if len(value) > MAX_INDEXED_LENGTH:
        msg = (
            f"{field} is {len(value):,} characters long; stores index at most "
            f"{MAX_INDEXED_LENGTH} characters"
        )
        raise InvalidInputError(msg, field=field, value=None)


def check_indexed_fields(appends: Iterable[Append]) -> None:
    """Check the indexed fields of a batch (code, key, the header's units and procedure).

    Raises:
        InvalidInputError: a NUL character or a text over :data:`MAX_INDEXED_LENGTH`; the
            message names the field (never the value).
    """
    for append in appends:
        check_indexed_text(append.code, "code")
        check_indexed_text(append.idempotency_key, "idempotency_key")
        for event in append.events:
            header = getattr(event, "header", None)
            if isinstance(header, DossierHeader):
                check_indexed_text(header.code, "header.code")
                check_indexed_text(header.procedure_id, "header.procedure_id")
                check_indexed_text(header.receiving_unit, "header.receiving_unit")
                check_indexed_text(header.subject_unit, "header.subject_unit")
            for name in ("receiving_unit", "subject_unit"):  # a handover moves the dossier
                value = getattr(event, name, None)
                if value is not None:  # (most events have no such field: no name to format)
                    check_indexed_text(value, f"{event.kind}.{name}")

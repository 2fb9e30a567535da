"""Stored records: every event type round-trips; bad records fail with errors that name them."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govtier import VIETNAM_TZ, CorruptRecordError, SchemaVersionError
from govtier.catalogue import Channel
from govtier.deadlines import (
    ClockRules,
    Counting,
    DeadlinePolicy,
    DueMoment,
    Duration,
    OutsideHours,
    WaitRule,
)
from govtier.dossier import (
    EVENT_TYPES,
    Apologised,
    Applicant,
    ApplicantKind,
    Decided,
    DossierHeader,
    Event,
    HandedOver,
    Outcome,
    Paid,
    PaymentRequested,
    Received,
    Refused,
    Returned,
    StepPlan,
    Stopped,
    Submitted,
    Supplemented,
    SupplementRequested,
    Transferred,
    Withdrawn,
)
from govtier.errors import InvalidInputError
from govtier.legal import Confidence, LegalSource
from govtier.serialization import (
    SCHEMA_VERSION,
    dumps,
    event_from_record,
    event_to_record,
    loads,
    record_from_json,
    record_to_json,
)
from govtier.testing.contract import PERSONAL_NAME, sample_header

ZONES = st.sampled_from(
    [dt.UTC, VIETNAM_TZ, dt.timezone(dt.timedelta(hours=-5, minutes=-30)), dt.timezone.max]
)
moments = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=ZONES
)
words = st.text(min_size=1, max_size=12)
maybe_words = st.none() | words
durations = st.one_of(
    st.integers(0, 400).map(Duration.working_days),
    st.integers(0, 400).map(Duration.working_hours),
    st.integers(0, 400).map(Duration.calendar_days),
    st.times().map(Duration.same_day),
    st.just(Duration.immediate()),
)
sources = st.none() | st.builds(
    LegalSource,
    document=words,
    article=maybe_words,
    issued=st.none() | st.dates(),
    title=maybe_words,
    url=maybe_words,
)
headers = st.builds(
    DossierHeader,
    code=words,
    procedure_id=words,
    procedure_version=st.integers(1, 99),
    procedure_code=maybe_words,
    procedure_name=words,
    receiving_unit=words,
    subject_unit=words,
    competent=words,
    returns_at=words,
    channel=st.sampled_from(Channel),
    applicant=st.builds(
        Applicant,
        kind=st.sampled_from(ApplicantKind),
        name=st.text(max_size=12),
        id_number=maybe_words,
        phone=maybe_words,
        email=maybe_words,
        address=maybe_words,
    ),
    time_limit=durations,
    policy=st.builds(
        DeadlinePolicy,
        counting=st.sampled_from(Counting),
        due=st.sampled_from(DueMoment),
        outside_hours=st.sampled_from(OutsideHours),
        source=sources,
    ),
    clock=st.builds(
        ClockRules,
        on_supplement=st.sampled_from(WaitRule),
        on_payment=st.sampled_from(WaitRule),
        max_extensions=st.integers(0, 5),
        max_supplement_requests=st.integers(0, 5),
        confidence=st.sampled_from(Confidence),
        source=sources,
    ),
    steps=st.lists(st.builds(StepPlan, name=words, agency=words, share=durations), max_size=3).map(
        tuple
    ),
)
names = st.lists(words, max_size=3).map(tuple)
common: dict[str, Any] = {"at": moments, "actor": words}

STRATEGIES: dict[type[Event], st.SearchStrategy[Event]] = {
    Submitted: st.builds(Submitted, header=headers, **common),
    Received: st.builds(
        Received, appointment=moments, components=names, header=st.none() | headers, **common
    ),
    Refused: st.builds(
        Refused, reason=words, legal_basis=maybe_words, header=st.none() | headers, **common
    ),
    SupplementRequested: st.builds(
        SupplementRequested,
        components=st.lists(st.text(min_size=1).filter(str.strip), min_size=1).map(tuple),
        reason=words,
        **common,
    ),
    Supplemented: st.builds(
        Supplemented, components=names, appointment=st.none() | moments, **common
    ),
    Transferred: st.builds(
        Transferred, step=st.integers(0, 20), to=words, step_due=st.none() | moments, **common
    ),
    PaymentRequested: st.builds(
        PaymentRequested, amount=st.none() | st.integers(0, 10**12), reason=words, **common
    ),
    Paid: st.builds(Paid, appointment=moments, **common),
    Apologised: st.builds(Apologised, reason=words, appointment=moments, **common),
    Stopped: st.builds(Stopped, reason=words, legal_basis=maybe_words, **common),
    Decided: st.builds(
        Decided, outcome=st.sampled_from(Outcome), document=words, reason=maybe_words, **common
    ),
    Returned: st.builds(Returned, method=words, **common),
    Withdrawn: st.builds(Withdrawn, reason=words, **common),
    HandedOver: st.builds(
        HandedOver,
        from_agency=words,
        to_agency=words,
        receiving_unit=words,
        subject_unit=words,
        returns_at=words,
        legal_basis=words,
        plan_id=words,
        reason=words,
        steps=st.none()
        | st.lists(st.builds(StepPlan, name=words, agency=words, share=durations), max_size=2).map(
            tuple
        ),
        appointment=st.none() | moments,
        **common,
    ),
}

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?[+-]\d\d:\d\d$")


def test_every_event_type_has_a_strategy() -> None:
    """A new event type must get a round-trip strategy here."""
    assert set(STRATEGIES) == set(EVENT_TYPES)


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=[c.kind for c in EVENT_TYPES])
@given(data=st.data())
def test_every_event_round_trips_through_json(cls: type[Event], data: st.DataObject) -> None:
    """record -> JSON text -> record -> event gives the same event; moments carry offsets."""
    event = data.draw(STRATEGIES[cls])
    record = event_to_record(event)
    assert record["schema"] == SCHEMA_VERSION
    assert record["kind"] == cls.kind
    text = record_to_json(record)
    back = event_from_record(record_from_json(text))
    assert back == event
    assert type(back) is cls
    assert ISO_WITH_OFFSET.match(record["data"]["at"])
    assert loads(dumps(event), cls) == event


@given(header=headers)
def test_headers_round_trip_with_dumps_and_loads(header: DossierHeader) -> None:
    """dumps/loads keep every field of a header, personal data included; equal in, equal out."""
    text = dumps(header)
    assert loads(text, DossierHeader) == header
    assert dumps(loads(text, DossierHeader)) == text


def test_the_record_format_is_stable() -> None:
    """The field names and value formats of schema 1 (a golden record)."""
    header = sample_header("G01.20.01-260309-0001", time_limit=Duration.same_day())
    event = Received(
        at=dt.datetime(2026, 3, 9, 2, 30, tzinfo=dt.UTC),
        actor="clerk",
        appointment=dt.datetime(2026, 3, 9, 17, 0, tzinfo=VIETNAM_TZ),
        components=("tờ khai",),
        header=header,
    )
    record = event_to_record(event)
    data = record["data"]
    assert sorted(data) == ["actor", "appointment", "at", "components", "header"]
    assert data["at"] == "2026-03-09T09:30:00+07:00"
    assert data["components"] == ["tờ khai"]
    assert data["header"]["time_limit"] == {"unit": "same day", "amount": 0, "cutoff": "15:00:00"}
    assert data["header"]["channel"] == "in_person"
    assert data["header"]["clock"]["on_supplement"] == "restart"
    assert data["header"]["applicant"]["name"] == PERSONAL_NAME
    assert sorted(data["header"]) == sorted(
        [
            "code", "procedure_id", "procedure_version", "procedure_code", "procedure_name",
            "receiving_unit", "subject_unit", "competent", "returns_at", "channel", "applicant",
            "time_limit", "policy", "clock", "steps",
        ]
    )  # fmt: skip
    assert json.loads(record_to_json(record)) == record


def _received_record() -> dict[str, Any]:
    header = sample_header("G01.20.01-260309-0002")
    at = dt.datetime(2026, 3, 9, 9, tzinfo=VIETNAM_TZ)
    event = Received(at=at, actor="clerk", appointment=at + dt.timedelta(days=3), header=header)
    return json.loads(record_to_json(event_to_record(event)))


def test_an_unknown_event_type_is_named() -> None:
    """A record of an unknown kind raises CorruptRecordError naming the kind and the record."""
    record = _received_record() | {"kind": "teleported"}
    with pytest.raises(
        CorruptRecordError,
        match=r"dossier X, event 4: unknown event type \(got a text of 10 characters\)",
    ):
        event_from_record(record, where="dossier X, event 4")


def test_a_newer_schema_is_refused() -> None:
    """A record of a newer schema version raises SchemaVersionError naming both versions."""
    with pytest.raises(SchemaVersionError, match=r"schema version 2.*up to 1"):
        event_from_record(_received_record() | {"schema": 2})


@pytest.mark.parametrize(
    "change",
    [
        {"schema": None},
        {"schema": "1"},
        {"schema": 0},
        {"data": None},
        {"data": {}},
        {"kind": 7},
    ],
)
def test_malformed_records_are_corrupt(change: dict[str, Any]) -> None:
    """A record without a valid schema, kind or data is a CorruptRecordError."""
    with pytest.raises(CorruptRecordError):
        event_from_record(_received_record() | change)


def test_corrupt_fields_name_the_path_not_the_value() -> None:
    """A malformed field is named by its path; personal data never enters the message."""
    record = _received_record()
    record["data"]["header"]["applicant"]["phone"] = [PERSONAL_NAME]
    record["data"]["header"]["applicant"]["name"] = {"secret": PERSONAL_NAME}
    record["data"]["extra"] = PERSONAL_NAME
    del record["data"]["actor"]
    with pytest.raises(CorruptRecordError) as caught:
        event_from_record(record)
    message = str(caught.value)
    assert "$.header.applicant.phone" in message
    assert "$.actor" in message
    assert "1 unexpected field" in message  # counted, never named: a key may be a name
    assert "extra" not in message
    assert PERSONAL_NAME not in message
    assert "secret" not in message


def test_naive_and_garbled_moments_are_corrupt() -> None:
    """A stored moment without offset, or not a moment, is refused."""
    for bad in ("2026-03-09T09:00:00", "soon", 12):
        record = _received_record()
        record["data"]["at"] = bad
        with pytest.raises(CorruptRecordError, match=r"\$\.at"):
            event_from_record(record)


def test_bad_inputs_to_the_writers_and_readers() -> None:
    """Non-events are refused on write; non-JSON or non-object text on read."""
    with pytest.raises(InvalidInputError):
        event_to_record("received")  # type: ignore[arg-type]
    with pytest.raises(CorruptRecordError):
        record_from_json("{not json")
    with pytest.raises(CorruptRecordError):
        record_from_json("[1, 2]")
    with pytest.raises(CorruptRecordError):
        event_from_record([1, 2])  # type: ignore[arg-type]
    with pytest.raises(CorruptRecordError, match="Duration"):
        loads('{"unit": "fortnights", "amount": 1, "cutoff": null}', Duration)

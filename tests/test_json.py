"""JSON documents: every public value type round-trips, validates against its JSON Schema, and
bad documents fail with govtier errors that name the type and the field path."""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from govtier import (
    VIETNAM_TZ,
    CorruptRecordError,
    GovtierError,
    InvalidInputError,
    SchemaVersionError,
    WorkingCalendar,
)
from govtier.calendar import (
    DayReason,
    Notice,
    ReasonKind,
    Session,
    WorkingHours,
)
from govtier.catalogue import (
    Catalogue,
    Channel,
    Component,
    ComponentKind,
    Extension,
    FactNote,
    Fee,
    Procedure,
    diff_procedures,
)
from govtier.deadlines import (
    ClockRules,
    Counting,
    Deadline,
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
    AppointmentChange,
    Decided,
    Dossier,
    DossierCode,
    DossierHeader,
    Event,
    HandedOver,
    Outcome,
    Paid,
    PaymentRequested,
    Phase,
    ReceiptSlip,
    Received,
    Refused,
    Returned,
    Status,
    StepPlan,
    StepProgress,
    Stopped,
    Submitted,
    Supplemented,
    SupplementRequested,
    Transferred,
    Wait,
    Withdrawn,
)
from govtier.interop import (
    OPTIONAL_FIELDS,
    PortalFormat,
    PortalRecord,
    PortalSupplement,
    ProgressRecord,
    parse_sync_record,
    sync_record,
)
from govtier.jurisdiction import (
    AgencyRole,
    Authority,
    Competence,
    Coverage,
    IntakeScope,
    RuleSet,
    Step,
    StepSpec,
    ValidationReport,
)
from govtier.legal import Confidence, LegalSource
from govtier.reporting import (
    INDICATORS,
    Figures,
    OnTimeBasis,
    OverdueDossier,
    backlog,
    report,
    row_of,
)
from govtier.serialization import (
    SCHEMA_FILES,
    SCHEMA_VERSION,
    bundled_schema,
    document_types,
    event_to_record,
    from_document,
    from_json,
    generate_schema_files,
    json_schema,
    to_document,
    to_json,
)
from govtier.storage.ports import summarize
from govtier.testing.contract import PERSONAL_NAME, sample_header
from govtier.testing.strategies import (
    aware_moments,
    communes,
    dossier_headers,
    dossiers,
    durations,
    procedures,
    provinces,
    rule_sets,
)
from govtier.units import (
    LegacyResolution,
    Level,
    ResolutionStatus,
    Succession,
    SuccessionKind,
    UnitMatch,
    UnitRegistry,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "src" / "govtier" / "schemas"
REFORM = dt.date(2025, 7, 1)
CALENDAR = WorkingCalendar.vietnam()

# --------------------------------------------------------------------------------------------
# Strategies for every document type

ZONES = st.sampled_from([dt.UTC, VIETNAM_TZ, dt.timezone(dt.timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2070, 1, 1), timezones=ZONES
)
words = st.text(min_size=1, max_size=12)
maybe_words = st.none() | words
names = st.lists(words, max_size=3).map(tuple)
sources = st.builds(
    LegalSource,
    document=words,
    article=maybe_words,
    issued=st.none() | st.dates(),
    title=maybe_words,
    url=maybe_words,
)
maybe_sources = st.none() | sources
policies = st.builds(
    DeadlinePolicy,
    counting=st.sampled_from(Counting),
    due=st.sampled_from(DueMoment),
    outside_hours=st.sampled_from(OutsideHours),
    source=maybe_sources,
)
clock_rules = st.builds(
    ClockRules,
    on_supplement=st.sampled_from(WaitRule),
    on_payment=st.sampled_from(WaitRule),
    max_extensions=st.integers(0, 5),
    max_supplement_requests=st.integers(0, 5),
    confidence=st.sampled_from(Confidence),
    source=maybe_sources,
)
applicants = st.builds(
    Applicant,
    kind=st.sampled_from(ApplicantKind),
    name=st.text(max_size=12),
    id_number=maybe_words,
    phone=maybe_words,
    email=maybe_words,
    address=maybe_words,
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
    applicant=applicants,
    time_limit=durations(),
    policy=policies,
    clock=clock_rules,
    steps=st.lists(
        st.builds(StepPlan, name=words, agency=words, share=durations()), max_size=3
    ).map(tuple),
)
common: dict[str, Any] = {"at": moments, "actor": words}
EVENTS: dict[type[Event], st.SearchStrategy[Any]] = {
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
        Supplemented,
        components=names,
        appointment=st.none() | moments,
        step_due=st.none() | moments,
        **common,
    ),
    Transferred: st.builds(
        Transferred, step=st.integers(0, 20), to=words, step_due=st.none() | moments, **common
    ),
    PaymentRequested: st.builds(
        PaymentRequested, amount=st.none() | st.integers(0, 10**12), reason=words, **common
    ),
    Paid: st.builds(Paid, appointment=moments, step_due=st.none() | moments, **common),
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
        returns_at=st.text(max_size=8),
        legal_basis=words,
        plan_id=words,
        reason=st.text(max_size=8),
        steps=st.none()
        | st.lists(
            st.builds(StepPlan, name=words, agency=words, share=durations()), max_size=2
        ).map(tuple),
        appointment=st.none() | moments,
        **common,
    ),
}

REGISTRY = UnitRegistry.bundled()
RULES = RuleSet.bundled()
PROCEDURE_IDS = sorted({p.id for p in Catalogue.bundled().procedures})


@st.composite
def legacy_units(draw: st.DrawFn) -> Any:
    return draw(st.sampled_from(REGISTRY.legacy_communes()))


@st.composite
def successions(draw: st.DrawFn) -> Succession:
    old = draw(legacy_units())
    found = REGISTRY.successors(old.code)
    if found:
        return draw(st.sampled_from(found))
    return Succession(
        old=old, new=draw(communes()), how=draw(st.sampled_from(SuccessionKind)), note=draw(words)
    )


@st.composite
def assignments(draw: st.DrawFn) -> Any:
    unit = draw(communes() | provinces())
    pid = draw(st.sampled_from(PROCEDURE_IDS))
    on = draw(st.dates(REFORM, dt.date(2027, 12, 31)))
    channel = draw(st.none() | st.sampled_from(Channel))
    try:
        if channel is None:
            return RULES.resolve(pid, unit.code, on=on)
        return RULES.resolve(pid, unit.code, on=on, channel=channel)
    except GovtierError:
        assume(False)
        raise


competences = st.sampled_from(AgencyRole).flatmap(
    lambda role: st.builds(
        Competence, level=st.just(role.level), role=st.just(role), agency=maybe_words
    )
)


@st.composite
def notices(draw: st.DrawFn) -> Notice:
    days = draw(st.lists(st.dates(), unique=True, max_size=6))
    split = draw(st.integers(0, len(days)))
    return Notice(
        id=draw(words),
        title=draw(st.text(max_size=20)),
        source=draw(sources),
        days_off=tuple(days[:split]),
        working_days=tuple(days[split:]),
        confidence=draw(st.sampled_from(Confidence)),
        note=draw(maybe_words),
    )


@st.composite
def sessions(draw: st.DrawFn) -> Session:
    start, end = sorted(draw(st.lists(st.times(), min_size=2, max_size=2, unique=True)))
    return Session(start=start, end=end)


DAY_PATTERNS = [
    (),
    (Session.parse("08:00-12:00"), Session.parse("13:00-17:00")),
    (Session.parse("07:30-11:30"), Session.parse("13:30-17:00")),
    (Session.parse("07:00-11:00"),),
]
weeks = st.lists(st.sampled_from(DAY_PATTERNS), min_size=7, max_size=7).map(tuple)
working_hours = st.builds(
    WorkingHours, working=weeks, receiving=weeks, swap_day=st.sampled_from(DAY_PATTERNS[1:])
)

dossier_moments = aware_moments()
small_dossiers = dossiers(max_events=6)
dossier_sets = st.lists(small_dossiers, min_size=1, max_size=4, unique_by=lambda d: d.code)


def _as_of(dossiers_: list[Dossier]) -> dt.datetime:
    return max(d.events[-1].at for d in dossiers_) + dt.timedelta(days=1)


reports = st.tuples(
    dossier_sets,
    st.sampled_from([(), ("procedure",), ("province", "status")]),
    st.sampled_from(OnTimeBasis),
).map(lambda a: report(a[0], as_of=_as_of(a[0]), group_by=a[1], basis=a[2]))
backlogs = st.tuples(dossier_sets, st.sampled_from([(), ("procedure",)])).map(
    lambda a: backlog(a[0], as_of=_as_of(a[0]), group_by=a[1])
)
rows = small_dossiers.map(lambda d: row_of(d, as_of=d.events[-1].at))
portal_supplements = st.builds(
    PortalSupplement,
    id=words,
    requested_by=words,
    content=words,
    requested_at=moments,
    components=names,
    received_by=maybe_words,
    received_at=st.none() | moments,
    due_before=st.none() | moments,
    due_after=st.none() | moments,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


def _from_sync(dossier: Dossier) -> PortalRecord:
    body = sync_record(dossier)
    return parse_sync_record(body | {"TruongRieng": "x", "SoLuong": 3})


STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "LegalSource": sources,
    "Notice": notices(),
    "DayInfo": st.dates(dt.date(2000, 1, 1), dt.date(2075, 12, 31)).map(CALENDAR.why),
    "DayReason": st.builds(
        DayReason,
        kind=st.sampled_from(ReasonKind),
        name=words,
        source=maybe_sources,
        confidence=st.sampled_from(Confidence),
    ),
    "Session": sessions(),
    "WorkingHours": working_hours,
    "Duration": durations(400),
    "DeadlinePolicy": policies,
    "Deadline": st.builds(CALENDAR.deadline, dossier_moments, durations(), policies),
    "ClockRules": clock_rules,
    "Unit": communes() | provinces(),
    "LegacyUnit": legacy_units(),
    "Succession": successions(),
    "UnitMatch": st.builds(UnitMatch, unit=communes(), score=st.integers(0, 1000), why=words),
    "LegacyResolution": st.builds(
        LegacyResolution,
        text=st.text(max_size=20),
        status=st.sampled_from(ResolutionStatus),
        old=st.lists(legacy_units(), max_size=2).map(tuple),
        successions=st.lists(successions(), max_size=2).map(tuple),
        units=st.lists(communes(), max_size=2).map(tuple),
        reason=words,
    ),
    "Procedure": procedures(),
    "Extension": st.builds(
        Extension,
        duration=durations(),
        condition=words,
        by_agreement=st.booleans(),
        source=maybe_sources,
        confidence=st.sampled_from(Confidence),
    ),
    "Fee": st.builds(
        Fee,
        name=words,
        amount=st.integers(0, 10**9),
        per=maybe_words,
        condition=maybe_words,
        source=maybe_sources,
        confidence=st.sampled_from(Confidence),
    ),
    "Component": st.builds(
        Component,
        name=words,
        kind=st.sampled_from(ComponentKind),
        count=st.integers(1, 9),
        required=st.booleans(),
        condition=maybe_words,
    ),
    "FactNote": st.builds(
        FactNote,
        fact=words,
        confidence=st.sampled_from(Confidence),
        note=maybe_words,
        source=maybe_sources,
    ),
    "Change": st.tuples(procedures(), procedures())
    .map(lambda pair: diff_procedures(*pair))
    .filter(bool)
    .flatmap(st.sampled_from),
    "Authority": st.builds(
        Authority,
        level=st.sampled_from(Level),
        unit_code=words,
        unit_name=words,
        role=st.sampled_from(AgencyRole),
        agency=words,
    ),
    "Step": st.builds(
        Step,
        name=words,
        authority=st.builds(
            Authority,
            level=st.sampled_from(Level),
            unit_code=words,
            unit_name=words,
            role=st.sampled_from(AgencyRole),
            agency=words,
        ),
        share=durations(),
    ),
    "Assignment": assignments(),
    "Rule": rule_sets().flatmap(lambda rs: st.sampled_from(rs.rules)),
    "Competence": competences,
    "StepSpec": st.builds(StepSpec, name=words, competence=competences, share=durations()),
    "MatchedRule": assignments()
    .filter(lambda a: a.explanation)
    .flatmap(lambda a: st.sampled_from(a.explanation)),
    "Coverage": st.builds(
        Coverage,
        procedure=words,
        version=st.integers(1, 9),
        start=st.dates(),
        end=st.none() | st.dates(),
    ),
    "ValidationReport": st.builds(
        ValidationReport,
        uncovered=st.lists(
            st.builds(
                Coverage,
                procedure=words,
                version=st.integers(1, 9),
                start=st.dates(),
                end=st.none(),
            ),
            max_size=2,
        ).map(tuple),
        warnings=names,
    ),
    "Dossier": dossiers(),
    "DossierHeader": headers | dossier_headers(),
    "Applicant": applicants,
    "DossierCode": st.builds(
        DossierCode,
        agency=st.from_regex(r"\A[A-Z0-9]{1,10}(\.[A-Z0-9]{1,10}){0,3}\Z"),
        received_on=st.dates(),
        sequence=st.integers(1, 9999),
    ),
    "StepPlan": st.builds(StepPlan, name=words, agency=words, share=durations()),
    "StepProgress": st.builds(
        StepProgress,
        index=st.integers(0, 9),
        name=words,
        agency=words,
        started_at=moments,
        due_at=st.none() | moments,
        completed_at=st.none() | moments,
    ),
    "Clock": small_dossiers.map(lambda d: d.clock),
    "Wait": st.builds(
        Wait,
        cause=st.sampled_from(["supplement", "payment"]),
        started_at=moments,
        ended_at=moments,
        rule=st.sampled_from(WaitRule),
    ),
    "AppointmentChange": st.builds(
        AppointmentChange,
        at=moments,
        cause=words,
        before=st.none() | moments,
        after=st.none() | moments,
        reason=maybe_words,
    ),
    "Phase": st.builds(
        Phase, at=moments, status=st.sampled_from(Status), appointment=st.none() | moments
    ),
    "ReceiptSlip": st.builds(
        ReceiptSlip,
        dossier_code=words,
        procedure_name=words,
        procedure_code=maybe_words,
        applicant=applicants,
        received_at=moments,
        receiving_unit=words,
        components=names,
        appointment=moments,
        returns_at=words,
        clerk=words,
    ),
    "DossierSummary": st.tuples(small_dossiers, st.none() | st.just("01")).map(
        lambda a: summarize(a[0], province=a[1])
    ),
    "Report": reports,
    "Figures": st.builds(Figures, **{f.name: st.integers(0, 10**6) for f in attrs.fields(Figures)}),
    "Group": reports.filter(lambda r: r.groups).flatmap(lambda r: st.sampled_from(r.groups)),
    "AgeBand": backlogs.flatmap(lambda b: st.sampled_from(b.bands)),
    "Backlog": backlogs,
    "OverdueDossier": st.builds(
        OverdueDossier,
        code=words,
        procedure_id=words,
        receiving_unit=words,
        subject_unit=words,
        province=maybe_words,
        received_at=moments,
        appointment=moments,
        overdue_for=st.timedeltas(-dt.timedelta(days=36500), dt.timedelta(days=36500)),
        late_step=st.none()
        | st.builds(
            StepProgress,
            index=st.integers(0, 9),
            name=words,
            agency=words,
            started_at=moments,
            due_at=st.none() | moments,
        ),
    ),
    "DossierRow": rows,
    "Indicator": st.sampled_from(INDICATORS),
    "PortalRecord": small_dossiers.map(PortalRecord.from_dossier) | small_dossiers.map(_from_sync),
    "PortalSupplement": portal_supplements,
    "PortalFormat": st.builds(
        PortalFormat, include=st.frozensets(st.sampled_from(sorted(OPTIONAL_FIELDS)))
    ),
    "ProgressRecord": st.builds(
        ProgressRecord,
        code=words,
        actor=st.text(max_size=8),
        at=moments,
        content=st.text(max_size=12),
        status=st.sampled_from(Status),
        started_at=st.none() | moments,
        due_at=st.none() | moments,
    ),
}
for _cls in EVENT_TYPES:
    STRATEGIES[_cls.__name__] = EVENTS[_cls]
for _name, _cls in document_types().items():
    if isinstance(_cls, type) and issubclass(_cls, enum.Enum):
        STRATEGIES[_name] = st.sampled_from(_cls)

TYPE_NAMES = sorted(n for n in document_types() if n != "Event")


def test_every_document_type_has_a_strategy() -> None:
    """A new public value type must get a round-trip strategy here."""
    assert set(STRATEGIES) == set(TYPE_NAMES)


# --------------------------------------------------------------------------------------------
# A validator for the subset of JSON Schema 2020-12 that govtier emits


class SchemaViolationError(AssertionError):
    pass


def validate(instance: Any, schema: Any, root: dict[str, Any], path: str = "$") -> None:
    """Raise SchemaViolationError unless ``instance`` matches ``schema`` (the emitted subset)."""
    if schema is True or schema == {}:
        return
    if schema is False:
        raise SchemaViolationError(f"{path}: no value allowed")
    known = {
        "$schema", "$defs", "$ref", "title", "description", "type", "enum", "const", "format",
        "pattern", "minimum", "maximum", "properties", "required", "additionalProperties",
        "items", "prefixItems", "minItems", "maxItems", "uniqueItems", "anyOf", "oneOf",
    }  # fmt: skip
    unknown = set(schema) - known
    assert not unknown, f"the test validator does not know {unknown}"
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        validate(instance, root["$defs"][ref.removeprefix("#/$defs/")], root, path)
    if "type" in schema:
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
            "boolean": lambda v: isinstance(v, bool),
            "null": lambda v: v is None,
        }
        if not checks[schema["type"]](instance):
            raise SchemaViolationError(f"{path}: expected {schema['type']}, got {instance!r:.60}")
    if "enum" in schema and instance not in schema["enum"]:
        raise SchemaViolationError(f"{path}: {instance!r:.60} not in {schema['enum']}")
    if "const" in schema and instance != schema["const"]:
        raise SchemaViolationError(f"{path}: {instance!r:.60} is not {schema['const']!r}")
    if (
        "pattern" in schema
        and isinstance(instance, str)
        and not re.search(schema["pattern"], instance)
    ):
        raise SchemaViolationError(f"{path}: {instance!r:.60} does not match {schema['pattern']}")
    if "minimum" in schema and isinstance(instance, int | float) and instance < schema["minimum"]:
        raise SchemaViolationError(f"{path}: below the minimum")
    if "maximum" in schema and isinstance(instance, int | float) and instance > schema["maximum"]:
        raise SchemaViolationError(f"{path}: above the maximum")
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in instance:
                raise SchemaViolationError(f"{path}: {name} is required")
        for name, value in instance.items():
            if name in props:
                validate(value, props[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                raise SchemaViolationError(f"{path}: unexpected {name}")
    if isinstance(instance, list):
        prefix = schema.get("prefixItems", [])
        for index, value in enumerate(instance):
            sub = prefix[index] if index < len(prefix) else schema.get("items", True)
            validate(value, sub, root, f"{path}[{index}]")
        if len(instance) < schema.get("minItems", 0) or len(instance) > schema.get("maxItems", 1e9):
            raise SchemaViolationError(f"{path}: wrong number of items")
        if schema.get("uniqueItems"):
            texts = [json.dumps(v, sort_keys=True) for v in instance]
            if len(set(texts)) != len(texts):
                raise SchemaViolationError(f"{path}: items are not unique")
    if "anyOf" in schema:
        for option in schema["anyOf"]:
            try:
                validate(instance, option, root, path)
            except SchemaViolationError:
                continue
            break
        else:
            raise SchemaViolationError(f"{path}: matches none of anyOf")
    if "oneOf" in schema:
        matches = 0
        for option in schema["oneOf"]:
            try:
                validate(instance, option, root, path)
            except SchemaViolationError:
                continue
            matches += 1
        if matches != 1:
            raise SchemaViolationError(f"{path}: matches {matches} of oneOf, not exactly one")


def test_the_validator_refuses_what_it_should() -> None:
    schema = json_schema("Unit")
    document = to_document(REGISTRY.get("00004"))
    validate(document, schema, schema)
    for bad in (
        document | {"type": "Procedure"},
        document | {"schema": 2},
        document | {"extra": 1},
        {**document, "data": {**document["data"], "kind": "hamlet"}},
        {**document, "data": {**document["data"], "valid_from": "1 July 2025"}},
        {**document, "data": {k: v for k, v in document["data"].items() if k != "code"}},
    ):
        with pytest.raises(SchemaViolationError):
            validate(bad, schema, schema)


# --------------------------------------------------------------------------------------------
# Round trips


SCHEMAS: dict[str, dict[str, Any]] = {}


def _schema(name: str) -> dict[str, Any]:
    if name not in SCHEMAS:
        SCHEMAS[name] = json_schema(name)
    return SCHEMAS[name]


BUNDLED_BY_TYPE = {type_name: file for file, type_name in SCHEMA_FILES.items()}


@pytest.mark.parametrize("name", TYPE_NAMES)
@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(data=st.data())
def test_every_public_value_round_trips_and_validates(name: str, data: st.DataObject) -> None:
    """value -> JSON -> value is the identity, the text is canonical, the schema accepts it."""
    value = data.draw(STRATEGIES[name])
    cls = document_types()[name]
    text = to_json(value)
    calendar = CALENDAR if cls is Deadline else None
    back = from_json(text, calendar=calendar)
    assert back == value
    assert type(back) is cls
    assert from_json(text, cls, calendar=calendar) == value
    assert to_json(back) == text
    document = json.loads(text)
    assert document["schema"] == SCHEMA_VERSION
    assert document["type"] == name
    schema = _schema(name)
    validate(document, schema, schema)
    if issubclass(cls, Event):
        validate(document, _schema("Event"), _schema("Event"))
        assert from_json(text, Event) == value
    if name in BUNDLED_BY_TYPE:
        bundled = bundled_schema(BUNDLED_BY_TYPE[name])
        validate(document, bundled, bundled)


@given(dossier=dossiers())
def test_a_dossier_is_its_header_and_events(dossier: Dossier) -> None:
    """The document holds the header and the events only; the state is the fold."""
    data = to_document(dossier)["data"]
    assert sorted(data) == ["events", "header"]
    assert [e["kind"] for e in data["events"]] == [e.kind for e in dossier.events]
    for item, event in zip(data["events"], dossier.events, strict=True):
        assert item["data"] == event_to_record(event)["data"]
    back = from_document(json.loads(to_json(dossier)))
    assert back.clock == dossier.clock
    assert back.status is dossier.status


@given(event=st.sampled_from(EVENT_TYPES).flatmap(lambda c: EVENTS[c]))
def test_an_event_document_is_its_stored_record_plus_the_type(event: Event) -> None:
    """The stored record format is unchanged; the event schema validates both shapes."""
    record = event_to_record(event)
    document = to_document(event)
    assert document == record | {"type": type(event).__name__}
    schema = bundled_schema("event")
    validate(json.loads(json.dumps(record)), schema, schema)


def test_the_document_format_is_stable() -> None:
    """Golden documents: field names, value formats and sorted frozensets of schema 1."""
    unit = REGISTRY.get("00004")
    assert to_json(unit) == (
        '{"data":{"code":"00004","kind":"ward","level":"commune","name":"Phường Ba Đình",'
        '"province_code":"01","valid_from":"2025-07-01","valid_to":null},"schema":1,"type":"Unit"}'
    )
    assert to_document(Duration.same_day())["data"] == {
        "unit": "same day",
        "amount": 0,
        "cutoff": "15:00:00",
    }
    proc = next(p for p in Catalogue.bundled().procedures if len(p.channels) > 1)
    data = to_document(proc)["data"]
    assert data["channels"] == sorted(c.value for c in proc.channels)
    assert data["valid_from"] == proc.valid_from.isoformat()
    overdue = OverdueDossier(
        code="X",
        procedure_id="p",
        receiving_unit="u",
        subject_unit="u",
        province=None,
        received_at=dt.datetime(2026, 3, 2, 9, tzinfo=VIETNAM_TZ),
        appointment=dt.datetime(2026, 3, 5, 17, tzinfo=VIETNAM_TZ),
        overdue_for=dt.timedelta(days=1, hours=1),
    )
    data = to_document(overdue)["data"]
    assert data["overdue_for"] == 90000.0
    assert data["received_at"] == "2026-03-02T09:00:00+07:00"


def test_an_assignment_writes_its_documented_attributes() -> None:
    """The assignment's properties are its fields; derived confidence and rule ids are not."""
    pid = PROCEDURE_IDS[0]
    assignment = RULES.resolve(pid, "00004", on=dt.date(2026, 3, 2))
    data = to_document(assignment)["data"]
    assert sorted(data) == sorted(
        [
            "unit_code", "on", "procedure", "subject_code", "subject_name", "channel", "intake",
            "receivers", "competent", "returns_at", "steps", "time_limit", "policy",
            "explanation", "notes",
        ]
    )  # fmt: skip
    assert data["intake"] in {i.value for i in IntakeScope}
    back = from_json(to_json(assignment))
    assert back.confidence is assignment.confidence
    assert back.rule_ids == assignment.rule_ids


def test_a_deadline_needs_its_calendar_to_be_read() -> None:
    """A deadline is written without its calendar; reading it back asks for one."""
    deadline = CALENDAR.deadline(
        dt.datetime(2026, 4, 24, 16, tzinfo=VIETNAM_TZ), Duration.working_days(3)
    )
    text = to_json(deadline)
    assert "calendar" not in json.loads(text)["data"]
    with pytest.raises(InvalidInputError, match="calendar"):
        from_json(text)
    back = from_json(text, Deadline, calendar=CALENDAR)
    assert back == deadline
    assert back.explanation == deadline.explanation


# --------------------------------------------------------------------------------------------
# Schema files


def test_the_committed_schema_files_are_the_generated_ones() -> None:
    """Run scripts/generate_schemas.py after changing a class (or its docstring)."""
    generated = generate_schema_files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert sorted(committed) == sorted(generated)
    for name, text in generated.items():
        assert committed[name] == text, f"{name} is out of date: run scripts/generate_schemas.py"


def test_the_generator_script_checks_the_files() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_files_are_draft_2020_12_with_resolvable_refs() -> None:
    for name in SCHEMA_FILES:
        schema = bundled_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        refs = set(re.findall(r'"\$ref": "#/\$defs/([^"]+)"', json.dumps(schema, indent=1)))
        assert refs <= set(schema["$defs"]), name
    with pytest.raises(InvalidInputError):
        bundled_schema("nope")
    with pytest.raises(InvalidInputError):
        json_schema("WorkingCalendar")


# --------------------------------------------------------------------------------------------
# Errors


def _dossier_document() -> dict[str, Any]:
    header = sample_header("G01.20.01-260309-0002")
    at = dt.datetime(2026, 3, 9, 9, tzinfo=VIETNAM_TZ)
    dossier = Dossier.receive(header, at=at, actor="clerk", calendar=CALENDAR)
    dossier = dossier.decide(
        at=at + dt.timedelta(days=1), actor="clerk", outcome=Outcome.GRANTED, document="D"
    )
    return json.loads(to_json(dossier))


def test_unknown_types_and_newer_schemas_are_refused() -> None:
    document = _dossier_document()
    with pytest.raises(
        CorruptRecordError, match="unknown document type \\(got a text of 9 characters\\)"
    ):
        from_document(document | {"type": "Spaceship"})
    with pytest.raises(CorruptRecordError, match="unknown document type"):
        from_document(document | {"type": "Event"})
    with pytest.raises(SchemaVersionError, match=r"schema version 2.*up to 1"):
        from_document(document | {"schema": 2})
    for bad in ({"schema": None}, {"schema": "1"}, {"schema": 0}, {"extra": 1}):
        with pytest.raises(CorruptRecordError):
            from_document(document | bad)
    with pytest.raises(CorruptRecordError, match="expected a Procedure document, got a Dossier"):
        from_document(document, Procedure)
    with pytest.raises(CorruptRecordError, match="not valid JSON"):
        from_json("{nope", Dossier)
    with pytest.raises(CorruptRecordError, match="expected a JSON object"):
        from_json("[1]")
    with pytest.raises(InvalidInputError):
        from_json(json.dumps(document), WorkingCalendar)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        to_json(CALENDAR)
    with pytest.raises(InvalidInputError):
        to_json({"a": 1})


def test_malformed_fields_are_named_by_path_never_by_value() -> None:
    """A bad document raises CorruptRecordError (a GovtierError), never a cattrs error."""
    document = _dossier_document()
    header = document["data"]["header"]
    header["applicant"]["phone"] = [PERSONAL_NAME]
    header["applicant"]["name"] = {"secret": PERSONAL_NAME}
    event = document["data"]["events"][1]["data"]
    event["at"] = "2026-03-10T09:00:00"  # naive
    del event["actor"]
    document["data"]["events"][0]["data"]["components"] = PERSONAL_NAME  # a string, not an array
    with pytest.raises(CorruptRecordError) as caught:
        from_document(document)
    message = str(caught.value)
    assert message.startswith("Dossier document cannot be read")
    assert "$.data.header.applicant.phone" in message
    assert "$.data.header.applicant.name" in message
    assert "$.data.events[1].data.at" in message
    assert "$.data.events[1].data.actor" in message
    assert "$.data.events[0].data.components" in message
    assert PERSONAL_NAME not in message
    assert "secret" not in message
    assert not isinstance(caught.value.__cause__, CorruptRecordError)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["data"]["events"][1].update(kind="teleported"), r"events\[1\]\.kind"),
        (lambda d: d["data"]["events"].reverse(), r"event 0 \(decided\) does not follow"),
        (lambda d: d["data"]["header"].update(code="G01.20.01-260309-0003"), r"\$\.data\.header"),
        (lambda d: d["data"].update(status="received"), "unexpected field"),
        (lambda d: d["data"].update(events="none"), r"\$\.data\.events"),
        (lambda d: d["data"]["events"][0].update(extra=1), r"events\[0\]"),
    ],
)
def test_a_dossier_document_must_fold(change: Any, expected: str) -> None:
    document = _dossier_document()
    change(document)
    with pytest.raises(CorruptRecordError, match=expected):
        from_document(document)


@pytest.mark.parametrize(
    ("name", "path", "bad"),
    [
        ("Unit", "kind", "hamlet"),
        ("Unit", "valid_from", "2025-07-32"),
        ("Unit", "code", 4),
        ("Duration", "amount", True),
        ("Duration", "cutoff", "15:00:00"),  # a cutoff on a working-day limit
        ("Procedure", "levels", "commune"),
        ("Procedure", "channels", ["in_person", "fax"]),
        ("Fee", "amount", -1),
        ("Component", "required", "yes"),
        ("OverdueDossier", "overdue_for", "1 day"),
        ("Change", "field", "no_such_field"),
    ],
)
def test_bad_fields_name_the_type_and_the_field(name: str, path: str, bad: Any) -> None:
    samples: dict[str, Any] = {
        "Unit": REGISTRY.get("00004"),
        "Duration": Duration.working_days(3),
        "Procedure": Catalogue.bundled().procedures[0],
        "Fee": Fee(name="lệ phí", amount=8000),
        "Component": Component(name="tờ khai"),
        "OverdueDossier": OverdueDossier(
            code="X",
            procedure_id="p",
            receiving_unit="u",
            subject_unit="u",
            province=None,
            received_at=dt.datetime(2026, 3, 2, 9, tzinfo=VIETNAM_TZ),
            appointment=dt.datetime(2026, 3, 5, 17, tzinfo=VIETNAM_TZ),
            overdue_for=dt.timedelta(days=1),
        ),
        "Change": diff_procedures(*Catalogue.bundled().versions("judicial-record.certificate")[:2])[
            0
        ],
    }
    document = to_document(samples[name])
    document["data"][path] = bad
    with pytest.raises(CorruptRecordError, match=rf"^{name} document cannot be read: .*\$\.data"):
        from_document(document)


def test_naive_moments_are_refused_both_ways() -> None:
    naive = dt.datetime(2026, 3, 2, 9)
    slip = ReceiptSlip(
        dossier_code="X",
        procedure_name="p",
        procedure_code=None,
        applicant=Applicant(name=PERSONAL_NAME),
        received_at=naive,
        receiving_unit="u",
        components=(),
        appointment=naive,
        returns_at="counter",
        clerk="c",
    )
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        to_json(slip)
    aware = attrs.evolve(
        slip,
        received_at=naive.replace(tzinfo=VIETNAM_TZ),
        appointment=naive.replace(tzinfo=VIETNAM_TZ),
    )
    document = to_document(aware)
    document["data"]["appointment"] = "2026-03-02T09:00:00"
    with pytest.raises(CorruptRecordError, match=r"\$\.data\.appointment") as caught:
        from_document(document)
    assert PERSONAL_NAME not in str(caught.value)

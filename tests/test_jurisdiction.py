"""Competence and intake rules: resolution, layering, conflicts, validation, loading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier.catalogue import Catalogue, Channel
from govtier.deadlines import Duration
from govtier.errors import (
    DataFileError,
    GovtierError,
    InvalidInputError,
    NoCompetentAuthorityError,
    RuleConflictError,
    UnknownProcedureError,
    UnknownUnitError,
)
from govtier.jurisdiction import (
    AgencyRole,
    AmbiguousUnitError,
    Assignment,
    Competence,
    IntakeScope,
    Rule,
    RuleSet,
)
from govtier.legal import Confidence, LegalSource
from govtier.units import Level, UnitRegistry

BASIS = (LegalSource(document="Test decision 1/2025"),)
AFTER = dt.date(2025, 7, 1)


def _rule(rule_id: str, **fields: object) -> Rule:
    values: dict[str, object] = {
        "id": rule_id,
        "procedures": {"civil-status.birth"},
        "valid_from": AFTER,
        "legal_basis": BASIS,
        "competent": Competence(level=Level.COMMUNE, role=AgencyRole.COMMUNE_PEOPLES_COMMITTEE),
    }
    values.update(fields)
    return Rule(**values)  # type: ignore[arg-type]


# -- the bundled rules -------------------------------------------------------------------------


def test_bundled_rules_load_and_cover_the_catalogue_until_decree_120_expires() -> None:
    rules = RuleSet.bundled()
    assert RuleSet.bundled() is rules
    assert rules.validate(until=dt.date(2027, 2, 28)).ok
    report = rules.validate()
    assert {(g.procedure, g.start, g.end) for g in report.uncovered} == {
        (pid, dt.date(2027, 3, 1), None)
        for pid in (
            "civil-status.birth",
            "civil-status.death",
            "civil-status.marriage",
            "certification.copy",
            "certification.signature",
            # issue 16: the other civil-status procedures rest on Decree 120/2025 too
            "civil-status.birth-paternity",
            "civil-status.birth-reregistration",
            "civil-status.copy-extract",
            "civil-status.death-reregistration",
            "civil-status.marital-status",
            "civil-status.mobile-death",
            "civil-status.mobile-marriage",
        )
    }
    assert "2027-03-01" in str(report)
    assert not report.warnings


def test_the_same_procedure_moves_from_district_to_commune() -> None:
    rules = RuleSet.bundled()
    before = rules.resolve("land.first-certificate", "00004", dt.date(2025, 6, 30))
    after = rules.resolve("land.first-certificate", "00004", dt.date(2025, 7, 1))
    assert (before.competent.level, before.competent.unit_code) == (Level.DISTRICT, "001")
    assert before.competent.agency == "Ủy ban nhân dân Quận Ba Đình"
    assert (after.competent.level, after.competent.role) == (
        Level.COMMUNE,
        AgencyRole.COMMUNE_CHAIRMAN,
    )
    assert after.competent.agency == "Chủ tịch Ủy ban nhân dân Phường Ba Đình"
    assert [s.share for s in after.steps] == [Duration.working_days(17), Duration.working_days(3)]
    assert after.steps[0].authority.unit_code == "01"


def test_judicial_records_go_to_the_province() -> None:
    rules = RuleSet.bundled()
    hcmc = rules.resolve("judicial-record.certificate", "26737", dt.date(2025, 9, 1))
    assert (hcmc.competent.level, hcmc.competent.unit_code) == (Level.PROVINCE, "79")
    assert hcmc.competent.role is AgencyRole.PROVINCIAL_POLICE
    old = rules.resolve("judicial-record.certificate", "26734", dt.date(2025, 2, 3))
    assert old.competent.agency == "Sở Tư pháp Thành phố Hồ Chí Minh"
    assert old.subject_name == "Phường Tân Định"


def test_explanation_lists_every_matching_rule_with_its_basis() -> None:
    a = RuleSet.bundled().resolve("business-household.registration", "00004", dt.date(2025, 8, 1))
    assert a.rule_ids == ("business-household.commune.decree-125", "intake.decree-118.province")
    decided = {m.rule.id: m.decided for m in a.explanation}
    assert decided["business-household.commune.decree-125"] == ("competent",)
    assert decided["intake.decree-118.province"] == ("intake", "returns_at")
    assert any("168/2025" in s.document for s in a.explanation[0].legal_basis)
    text = a.explain()
    assert "Decree 125/2025/NĐ-CP" in text
    assert "Competent: Ủy ban nhân dân Phường Ba Đình" in text
    assert a.confidence is Confidence.PARTIAL
    assert "business-household.registration v2" in repr(a)


def test_overridden_rules_are_listed_as_deciding_nothing() -> None:
    a = RuleSet.bundled().resolve(
        "judicial-record.certificate", "00004", dt.date(2026, 7, 1), Channel.ONLINE
    )
    decided = {m.rule.id: m.decided for m in a.explanation}
    assert decided["intake.decree-118.online"] == ()
    assert a.intake is IntakeScope.ONLINE_ONLY
    assert "nothing (overridden)" in a.explain()


def test_no_rule_names_procedure_unit_and_date() -> None:
    with pytest.raises(NoCompetentAuthorityError) as info:
        RuleSet.bundled().resolve("civil-status.birth", "00004", dt.date(2027, 3, 1))
    text = str(info.value)
    assert "civil-status.birth" in text
    assert "Phường Ba Đình (00004)" in text
    assert "2027-03-01" in text


def test_old_codes_after_the_reform() -> None:
    rules = RuleSet.bundled()
    a = rules.resolve("civil-status.marriage", "00001", dt.date(2025, 8, 1))
    assert (a.unit_code, a.subject_code) == ("00001", "00097")
    assert "pre-reform code" in a.notes[0]
    with pytest.raises(AmbiguousUnitError) as info:
        rules.resolve("civil-status.marriage", "00007", dt.date(2025, 8, 1))
    assert info.value.candidates == ("00008", "00025")
    assert isinstance(info.value, NoCompetentAuthorityError)
    with pytest.raises(UnknownUnitError):
        rules.resolve("civil-status.marriage", "99999", dt.date(2025, 8, 1))


def test_a_code_with_no_successor() -> None:
    with pytest.raises(NoCompetentAuthorityError, match="no successor"):
        RuleSet.bundled().resolve("civil-status.marriage", "03751", dt.date(2025, 8, 1))


def test_pre_reform_province_codes() -> None:
    a = RuleSet.bundled().resolve("judicial-record.certificate", "02", dt.date(2025, 5, 5))
    assert a.competent.unit_name == "Tỉnh Hà Giang"
    with pytest.raises(NoCompetentAuthorityError, match="district level"):
        RuleSet.bundled().resolve("land.first-certificate", "02", dt.date(2025, 5, 5))


def test_bad_arguments() -> None:
    rules = RuleSet.bundled()
    with pytest.raises(InvalidInputError, match=r"datetime\.date"):
        rules.resolve("civil-status.birth", "00004", dt.datetime(2025, 8, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="not offered online"):
        rules.resolve("certification.signature", "00004", AFTER, Channel.ONLINE)
    old = Catalogue.bundled().get("civil-status.birth", dt.date(2025, 1, 2))
    with pytest.raises(InvalidInputError, match="does not apply"):
        rules.resolve(old, "00004", AFTER)
    with pytest.raises(UnknownProcedureError):
        rules.resolve("no.such", "00004", AFTER)
    with pytest.raises(InvalidInputError, match="unit code string"):
        rules.resolve("civil-status.birth", 4, AFTER)  # type: ignore[arg-type]


def test_resolve_takes_a_procedure_value() -> None:
    rules = RuleSet.bundled()
    proc = Catalogue.bundled().get("residence.permanent", AFTER)
    assert rules.resolve(proc, "00004", AFTER) == rules.resolve(
        "residence.permanent", "00004", AFTER
    )


# -- properties --------------------------------------------------------------------------------

_UNITS = UnitRegistry.bundled()
_COMMUNES = [u.code for u in _UNITS.communes()]


@settings(max_examples=150, deadline=None)
@given(
    pid=st.sampled_from(sorted(Catalogue.bundled().ids)),
    code=st.sampled_from(_COMMUNES),
    day=st.dates(min_value=AFTER, max_value=dt.date(2026, 6, 30)),
    channel=st.sampled_from(list(Channel)),
)
def test_every_bundled_procedure_resolves_after_the_reform(
    pid: str, code: str, day: dt.date, channel: Channel
) -> None:
    rules = RuleSet.bundled()
    try:
        proc = rules.catalogue.get(pid, day)
    except UnknownProcedureError:
        assert pid == "land.change-registration"  # its bundled data starts 2025-07-01 only
        return
    if channel not in proc.channels:
        return
    first = rules.resolve(pid, code, day, channel)
    again = rules.resolve(pid, code, day, channel)
    assert first == again  # deterministic
    assert first.competent.level in proc.levels
    assert first.competent.level is not Level.DISTRICT
    assert first.explanation
    assert all(m.rule.legal_basis for m in first.explanation)
    if first.competent.level is Level.COMMUNE:
        assert first.competent.unit_code == code
    else:
        assert first.competent.unit_code == _UNITS.province_of(code).code


@settings(max_examples=60, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=9000),
    day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 6, 30)),
)
def test_district_level_procedures_resolve_to_the_old_district(index: int, day: dt.date) -> None:
    legacy = _UNITS.legacy_communes()
    old = legacy[index % len(legacy)]
    a = RuleSet.bundled().resolve("construction.permit-house", old.code, day)
    assert a.competent.level is Level.DISTRICT
    assert (a.competent.unit_code, a.competent.unit_name) == (old.district_code, old.district_name)


# -- layering and conflicts --------------------------------------------------------------------


def test_more_specific_rules_win_per_aspect() -> None:
    rules = RuleSet(
        [
            _rule("national", intake=IntakeScope.ANY_IN_PROVINCE),
            _rule(
                "hanoi",
                provinces={"01"},
                competent=None,
                time_limit=Duration.working_days(1),
            ),
            _rule(
                "ba-dinh",
                units={"00004"},
                competent=None,
                intake=IntakeScope.SUBJECT_COMMUNE,
            ),
        ]
    )
    ba_dinh = rules.resolve("civil-status.birth", "00004", AFTER)
    assert ba_dinh.rule_ids == ("ba-dinh", "hanoi", "national")
    assert ba_dinh.intake is IntakeScope.SUBJECT_COMMUNE
    assert ba_dinh.time_limit == Duration.working_days(1)
    other = rules.resolve("civil-status.birth", "00008", AFTER)
    assert other.intake is IntakeScope.ANY_IN_PROVINCE
    hcmc = rules.resolve("civil-status.birth", "26737", AFTER)
    assert hcmc.rule_ids == ("national",)
    assert hcmc.time_limit == Catalogue.bundled().get("civil-status.birth", AFTER).time_limit


def test_default_intake_when_no_rule_says() -> None:
    a = RuleSet([_rule("only-competence")]).resolve("civil-status.birth", "00004", AFTER)
    assert a.intake is IntakeScope.COMPETENT_AGENCY
    assert "no intake rule matched" in a.receivers


def test_overlapping_equal_rules_that_disagree_conflict() -> None:
    police = Competence(level=Level.COMMUNE, role=AgencyRole.COMMUNE_POLICE)
    with pytest.raises(RuleConflictError) as info:
        RuleSet([_rule("first"), _rule("second", competent=police, valid_from=dt.date(2026, 1, 1))])
    text = str(info.value)
    assert "'first'" in text
    assert "'second'" in text
    assert "competent" in text
    assert "2026-01-01.." in text


@pytest.mark.parametrize(
    "second",
    [
        {"valid_from": dt.date(2026, 1, 1)},  # different dates (first ends 2025-12-31)
        {"channels": {Channel.ONLINE}, "units": {"00004"}},  # more specific
        {"competent": Competence(level=Level.COMMUNE, role=AgencyRole.COMMUNE_PEOPLES_COMMITTEE)},
    ],
)
def test_rules_that_do_not_conflict(second: dict[str, object]) -> None:
    first = _rule("first", valid_to=dt.date(2025, 12, 31))
    police = Competence(level=Level.COMMUNE, role=AgencyRole.COMMUNE_POLICE)
    fields = {"competent": police, **second}
    rules = RuleSet([first, _rule("second", **fields)])
    assert len(rules) == 2


def test_rules_naming_unknown_things(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="unknown procedure") as info:
        RuleSet([_rule("r", procedures={"no.such"})])
    assert (info.value.entry, info.value.field) == ("r", "procedures")
    with pytest.raises(DataFileError, match="no commune or province") as info:
        RuleSet([_rule("r", units={"99999"})])
    assert info.value.field == "units"
    with pytest.raises(DataFileError, match="unknown field"):
        RuleSet([_rule("r", procedures=set(), fields={"astrology"})])
    with pytest.raises(DataFileError, match="not a province"):
        RuleSet([_rule("r", provinces={"00004"})])
    with pytest.raises(DataFileError, match="used by another rule"):
        RuleSet([_rule("r"), _rule("r", valid_from=dt.date(2030, 1, 1))])


def test_rule_validation() -> None:
    with pytest.raises(InvalidInputError, match="decides nothing"):
        _rule("r", competent=None)
    with pytest.raises(InvalidInputError, match="legal basis"):
        _rule("r", legal_basis=())
    with pytest.raises(InvalidInputError, match="district level, abolished"):
        _rule("r", competent=Competence(level=Level.DISTRICT, role=AgencyRole.DISTRICT_POLICE))
    with pytest.raises(InvalidInputError, match="spans the reform"):
        _rule("r", provinces={"01"}, valid_from=dt.date(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="sits at commune level"):
        Competence(level=Level.PROVINCE, role=AgencyRole.COMMUNE_POLICE)


def test_step_shares_longer_than_the_limit_are_reported() -> None:
    from govtier.jurisdiction import StepSpec

    office = Competence(level=Level.PROVINCE, role=AgencyRole.LAND_REGISTRATION_OFFICE)
    step = StepSpec(name="a", competence=office, share=Duration.working_days(30))
    rules = RuleSet(
        [
            *RuleSet.bundled().rules,
            _rule(
                "long",
                procedures={"land.change-registration"},
                competent=None,
                units={"00004"},
                steps=(step,),
            ),
        ]
    )
    assert any("30 working days" in w for w in rules.validate().warnings)


# -- files -------------------------------------------------------------------------------------

PROVINCE_RULES = """
[[rule]]
id = "hn.business-household.faster"
procedures = ["business-household.registration"]
provinces = ["01"]
valid_from = 2026-01-01
time_limit = "2 working days"
confidence = "C"
legal_basis = [{ document = "Quyết định ví dụ 1/2026/QĐ-UBND", article = "Điều 2" }]
"""


def test_load_a_province_rule_file_on_top_of_the_bundled_rules(tmp_path: Path) -> None:
    file = tmp_path / "hn.rules.toml"
    file.write_text(PROVINCE_RULES, encoding="utf-8")
    rules = RuleSet.load(file, base=RuleSet.bundled())
    day = dt.date(2026, 1, 5)
    hanoi = rules.resolve("business-household.registration", "00004", day)
    assert hanoi.time_limit == Duration.working_days(2)
    assert hanoi.rule_ids[0] == "hn.business-household.faster"
    hcmc = rules.resolve("business-household.registration", "26737", day)
    assert hcmc.time_limit == Duration.working_days(3)


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        (
            'id = "r"\nvalid_from = 2025-07-01\nintake = "any_in_province"',
            "legal_basis",
            "is required",
        ),
        (
            (
                'id = "r"\nvalid_from = 2025-07-01\nintake = "somewhere"\n'
                'legal_basis = [{ document = "D" }]'
            ),
            "intake",
            "must be one of",
        ),
        (
            (
                'id = "r"\nvalid_from = 2025-07-01\ncompetent = { level = "province", role = '
                '"commune_police" }\nlegal_basis = [{ document = "D" }]'
            ),
            "competent.role",
            "sits at",
        ),
        (
            (
                'id = "r"\nvalid_from = 2025-07-01\nintake = "nationwide"\n'
                'legal_basis = [{ article = "Art. 1" }]'
            ),
            "legal_basis[0].document",
            "needs a 'document'",
        ),
        (
            'id = "r"\nintake = "nationwide"\nlegal_basis = [{ document = "D" }]',
            "valid_from",
            "is required",
        ),
        (
            (
                'id = "r"\nvalid_from = 2025-07-01\n'
                'steps = [{ name = "a", level = "province", role = '
                '"provincial_police" }]\nlegal_basis = [{ document = "D" }]'
            ),
            "steps[0].share",
            "is required",
        ),
    ],
)
def test_malformed_rule_files(tmp_path: Path, body: str, field: str, problem: str) -> None:
    file = tmp_path / "bad.rules.toml"
    file.write_text("[[rule]]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=problem) as info:
        RuleSet.load(file)
    assert info.value.path == str(file)
    assert info.value.entry == "0 (r)"
    assert info.value.field == field


def test_a_conflict_between_files_names_both_rules(tmp_path: Path) -> None:
    one = tmp_path / "one.toml"
    one.write_text(PROVINCE_RULES, encoding="utf-8")
    two = tmp_path / "two.toml"
    two.write_text(
        PROVINCE_RULES.replace("faster", "slower").replace('"2 working days"', '"4 working days"'),
        encoding="utf-8",
    )
    with pytest.raises(RuleConflictError, match=r"hn\.business-household\.faster.*slower"):
        RuleSet.load([one, two])
    with pytest.raises(DataFileError, match="no rule files"):
        RuleSet.load([])


def test_roles_and_scopes_have_vietnamese_names() -> None:
    assert AgencyRole.COMMUNE_POLICE.vietnamese == "Công an cấp xã"
    assert AgencyRole.LAND_REGISTRATION_OFFICE.level is Level.PROVINCE
    assert IntakeScope.ANY_IN_PROVINCE.vietnamese.startswith("không phụ thuộc")
    assert all(role.vietnamese for role in AgencyRole)
    assert all(scope.vietnamese for scope in IntakeScope)


# -- the intake check (issue 16 item 3) ---------------------------------------------------------

DA_NANG_WARD = "20242"  # Phường Hải Châu, Thành phố Đà Nẵng (48)
HUE_WARD = "19975"  # Phường Hương Thủy, Thành phố Huế (46)
DA_NANG_OTHER = "20194"


def _header(assignment: object, receiving_unit: str | None) -> object:
    from govtier.dossier import Applicant, DossierHeader

    return DossierHeader.from_assignment(
        assignment,  # type: ignore[arg-type]
        code="H48.01-260302-0001",
        applicant=Applicant(name="Người nộp", id_number="048090000001"),
        receiving_unit=receiving_unit,
    )


def _da_nang_land(channel: Channel = Channel.IN_PERSON) -> Assignment:
    return RuleSet.bundled().resolve(
        "land.first-certificate", DA_NANG_WARD, dt.date(2026, 3, 2), channel
    )


def test_cross_province_in_person_receipt_is_refused_where_intake_is_the_province() -> None:
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Dossier
    from govtier.jurisdiction import OutsideIntakeScopeError

    assignment = _da_nang_land()
    assert assignment.intake is IntakeScope.ANY_IN_PROVINCE
    check = assignment.may_receive(HUE_WARD)
    assert not check.allowed
    assert check.scope is IntakeScope.ANY_IN_PROVINCE
    assert "Thành phố Huế" in check.reason
    assert "Thành phố Đà Nẵng" in check.reason
    header = _header(assignment, HUE_WARD)
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VIETNAM_TZ)
    calendar = WorkingCalendar.vietnam()
    with pytest.raises(OutsideIntakeScopeError, match="intake is any_in_province") as info:
        Dossier.receive(header, at=at, actor="clerk", calendar=calendar)  # type: ignore[arg-type]
    assert info.value.check == check
    assert isinstance(info.value, GovtierError)
    assert "048090000001" not in str(info.value)  # no personal data in the message
    # An exception stated with its reason is received, and recorded in the event.
    dossier = Dossier.receive(
        header,  # type: ignore[arg-type]
        at=at,
        actor="clerk",
        calendar=calendar,
        intake_exception="the applicant is bedridden in Huế; the centre forwards the dossier",
    )
    assert dossier.events[0].intake_exception.startswith("the applicant is bedridden")  # type: ignore[attr-defined]


def test_same_province_receipt_is_allowed_and_records_no_exception() -> None:
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Dossier

    assignment = _da_nang_land()
    check = assignment.may_receive(DA_NANG_OTHER)
    assert check.allowed, check
    header = _header(assignment, DA_NANG_OTHER)
    dossier = Dossier.receive(
        header,  # type: ignore[arg-type]
        at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=VIETNAM_TZ),
        actor="clerk",
        calendar=WorkingCalendar.vietnam(),
    )
    assert dossier.events[0].intake_exception is None  # type: ignore[attr-defined]


def test_online_receipt_is_accepted_where_the_scope_is_nationwide() -> None:
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Dossier, Status

    assignment = RuleSet.bundled().resolve(
        "civil-status.birth", DA_NANG_WARD, dt.date(2026, 3, 2), Channel.ONLINE
    )
    assert assignment.intake is IntakeScope.NATIONWIDE
    assert assignment.may_receive(HUE_WARD).allowed
    assert assignment.may_receive("79").allowed
    header = _header(assignment, HUE_WARD)
    at = dt.datetime(2026, 3, 2, 20, 0, tzinfo=VIETNAM_TZ)
    submitted = Dossier.submit(header, at=at, actor="applicant")  # type: ignore[arg-type]
    accepted = submitted.accept(at=at + dt.timedelta(hours=13), actor="clerk",
                                calendar=WorkingCalendar.vietnam())  # fmt: skip
    assert accepted.status is Status.RECEIVED


def test_accept_refuses_an_online_filing_outside_its_scope() -> None:
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Dossier
    from govtier.jurisdiction import OutsideIntakeScopeError

    # Before the reform a business-household dossier went to the competent district only.
    assignment = RuleSet.bundled().resolve(
        "business-household.registration", "00004", dt.date(2025, 6, 30), Channel.POST
    )
    assert assignment.intake is IntakeScope.COMPETENT_AGENCY
    assert assignment.may_receive(assignment.competent.unit_code).allowed
    header = _header(assignment, "00004")
    at = dt.datetime(2025, 6, 30, 9, 0, tzinfo=VIETNAM_TZ)
    submitted = Dossier.submit(header, at=at, actor="post")  # type: ignore[arg-type]
    with pytest.raises(OutsideIntakeScopeError, match="competent_agency"):
        submitted.accept(at=at, actor="clerk", calendar=WorkingCalendar.vietnam())
    accepted = submitted.accept(
        at=at, actor="clerk", calendar=WorkingCalendar.vietnam(), intake_exception="forwarded"
    )
    assert accepted.events[-1].intake_exception == "forwarded"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInputError, match="intake_exception"):
        submitted.accept(at=at, actor="clerk", calendar=WorkingCalendar.vietnam(),
                         intake_exception="  ")  # fmt: skip


def test_online_only_and_channel_mismatch() -> None:
    rules = RuleSet.bundled()
    online = rules.resolve("judicial-record.certificate", "48", dt.date(2026, 9, 1), Channel.ONLINE)
    assert online.intake is IntakeScope.ONLINE_ONLY
    assert online.may_receive("79").allowed
    refused = online.may_receive("48", Channel.IN_PERSON)
    assert not refused.allowed
    assert "resolve again" in refused.reason


def test_an_unknown_receiving_unit_is_a_clear_error() -> None:
    with pytest.raises(UnknownUnitError, match="99999"):
        _da_nang_land().may_receive("99999")


_COMMUNES = sorted(u.code for u in UnitRegistry.bundled().communes())[::97]


@settings(max_examples=60, derandomize=True)
@given(receiver=st.sampled_from(_COMMUNES), subject=st.sampled_from(_COMMUNES))
def test_province_scope_allows_exactly_the_same_province(receiver: str, subject: str) -> None:
    units = UnitRegistry.bundled()
    assignment = RuleSet.bundled().resolve("land.first-certificate", subject, dt.date(2026, 3, 2))
    same = units.province_of(receiver).code == units.province_of(subject).code
    assert assignment.may_receive(receiver).allowed is same

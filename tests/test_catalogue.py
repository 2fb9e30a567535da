"""The procedure catalogue: bundled data, effective-dated versions, search, loading, validation."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier.catalogue import (
    Catalogue,
    Channel,
    Component,
    Extension,
    Fee,
    OnlineService,
    Procedure,
    read_data_file,
)
from govtier.deadlines import DueMoment, Duration, DurationUnit
from govtier.errors import DataFileError, InvalidInputError, UnknownProcedureError
from govtier.legal import Confidence
from govtier.units import Level

BUNDLED_IDS = {
    "business-household.registration",
    "certification.copy",
    "certification.signature",
    "civil-status.birth",
    "civil-status.death",
    "civil-status.marriage",
    "construction.permit-house",
    "judicial-record.certificate",
    "land.change-registration",
    "land.first-certificate",
    "residence.permanent",
    "residence.temporary",
    # added for issue 16 (the procedures that carry the volume)
    "business-household.change",
    "business-household.reissue",
    "business-household.suspension",
    "business-household.termination",
    "civil-status.birth-paternity",
    "civil-status.birth-reregistration",
    "civil-status.copy-extract",
    "civil-status.death-reregistration",
    "civil-status.marital-status",
    "civil-status.mobile-death",
    "civil-status.mobile-marriage",
    "residence.permanent-removal",
    "residence.temporary-extension",
    "residence.temporary-removal",
    "social-protection.funeral-allowance",
    "social-protection.monthly-allowance",
    "social-protection.social-pension",
}


def _proc(**changes: object) -> Procedure:
    base = Procedure(
        id="test.proc",
        name="Thủ tục thử",
        name_en="Test procedure",
        field="test",
        levels=frozenset({Level.COMMUNE}),
        time_limit=Duration.working_days(3),
        valid_from=dt.date(2025, 7, 1),
    )
    return attrs.evolve(base, **changes)


# -- the bundled catalogue ---------------------------------------------------------------------


def test_bundled_catalogue_has_the_high_volume_procedures() -> None:
    cat = Catalogue.bundled()
    assert set(cat.ids) == BUNDLED_IDS
    assert Catalogue.bundled() is cat  # cached


def test_bundled_codes_are_never_guessed() -> None:
    # Issue 16 bundles national codes: each one carries its own mark and source, a missing
    # code says why, and a code is [C] only where a ministry page shows it.
    for proc in Catalogue.bundled().procedures:
        note = proc.fact("code")
        assert note is not None, proc
        if proc.code is None:
            assert note.note, proc
            assert note.confidence is not Confidence.CONFIRMED, proc
        else:
            assert note.source is not None, proc
            assert proc.code in (note.note or ""), proc
        if note.confidence is Confidence.CONFIRMED:
            assert proc.code == "1.000593", proc  # the Ministry of Justice page (DOMAIN.md)


def test_every_bundled_version_marks_its_time_limit_and_competence() -> None:
    for proc in Catalogue.bundled().procedures:
        assert proc.fact("time_limit") is not None, proc
        assert proc.fact("competence") is not None, proc
        assert proc.legal_bases, proc


@pytest.mark.parametrize(
    ("pid", "on", "limit", "mark"),
    [
        ("business-household.registration", dt.date(2025, 7, 1), "3 working days", "[C]"),
        ("business-household.registration", dt.date(2025, 6, 30), "3 working days", "[U]"),
        ("judicial-record.certificate", dt.date(2026, 6, 30), "10 calendar days", "[C]"),
        ("judicial-record.certificate", dt.date(2026, 7, 1), "5 working days", "[C]"),
        ("construction.permit-house", dt.date(2025, 7, 1), "15 calendar days", "[U]"),
        ("residence.permanent", dt.date(2025, 7, 1), "7 working days", "[C]"),
        ("residence.temporary", dt.date(2025, 7, 1), "3 working days", "[C]"),
        ("land.change-registration", dt.date(2025, 7, 1), "8 working days", "[C]"),
        ("land.first-certificate", dt.date(2025, 7, 1), "20 working days", "[P]"),
        # issue 16: the cited page was the death-registration page, so the birth rule is [P]
        ("civil-status.birth", dt.date(2025, 7, 1), "same day (cutoff 15:00)", "[P]"),
        ("certification.copy", dt.date(2025, 7, 1), "same day (cutoff 15:00)", "[C]"),
    ],
)
def test_bundled_time_limits_and_their_marks(pid: str, on: dt.date, limit: str, mark: str) -> None:
    proc = Catalogue.bundled().get(pid, on)
    assert str(proc.time_limit) == limit
    assert proc.confidence_of("time_limit").mark == mark


def test_judicial_record_has_two_versions_around_law_107() -> None:
    old, new = Catalogue.bundled().versions("judicial-record.certificate")
    assert old.valid_to == dt.date(2026, 6, 30)
    assert new.valid_from == dt.date(2026, 7, 1)
    assert old.time_limit.unit is DurationUnit.CALENDAR_DAYS  # '10 ngày' of the 2009 law
    assert old.policy.due is DueMoment.END_OF_DAY  # Civil Code Art. 148
    assert new.time_limit == Duration.working_days(5)
    assert new.online is OnlineService.FULL
    assert any("107/2025" in s.document for s in new.legal_bases)


def test_levels_move_from_district_to_commune_at_the_reform() -> None:
    cat = Catalogue.bundled()
    before = cat.get("business-household.registration", dt.date(2025, 6, 30))
    after = cat.get("business-household.registration", dt.date(2025, 7, 1))
    assert before.levels == {Level.DISTRICT}
    assert after.levels == {Level.COMMUNE}


def test_unmarked_facts_count_as_unconfirmed() -> None:
    proc = Catalogue.bundled().get("civil-status.death", dt.date(2025, 8, 1))
    assert proc.confidence_of("fees") is Confidence.CONFIRMED
    assert proc.confidence_of("online") is Confidence.UNCONFIRMED
    free = [f for f in proc.fees if f.free]
    assert free
    assert "free" in str(free[0])


# -- lookups -----------------------------------------------------------------------------------


def test_get_unknown_procedure_names_code_and_date() -> None:
    with pytest.raises(UnknownProcedureError, match=r"'no\.such' .*2025-08-01") as info:
        Catalogue.bundled().get("no.such", dt.date(2025, 8, 1))
    assert info.value.code == "no.such"


def test_get_outside_every_version_names_the_periods() -> None:
    with pytest.raises(UnknownProcedureError, match=r"2024-12-31.*v1 2025-01-01\.\.2025-06-30"):
        Catalogue.bundled().get("civil-status.birth", dt.date(2024, 12, 31))


def test_get_rejects_a_datetime() -> None:
    with pytest.raises(InvalidInputError, match=r"datetime\.date"):
        Catalogue.bundled().get("civil-status.birth", dt.datetime(2025, 8, 1))


def test_get_by_national_code() -> None:
    cat = Catalogue.from_procedures([_proc(code="1.000948.H38")])
    assert cat.get("1.000948.H38", dt.date(2025, 8, 1)).id == "test.proc"
    assert "1.000948.H38" in cat
    assert cat.versions("1.000948.H38")[0].id == "test.proc"


def test_two_procedures_cannot_share_a_code() -> None:
    with pytest.raises(DataFileError, match=r"code '1\.1' is used by"):
        Catalogue.from_procedures([_proc(code="1.1"), _proc(id="test.other", code="1.1")])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dang ky ket hon", ["civil-status.marriage", "civil-status.mobile-marriage"]),
        (
            "KHAI TỬ",
            [
                "civil-status.death",
                "civil-status.death-reregistration",
                "civil-status.mobile-death",
            ],
        ),
        ("Đăng ký   thường trú", ["residence.permanent", "residence.permanent-removal"]),
        ("judicial record", ["judicial-record.certificate"]),
        ("thành lập hộ kinh doanh", ["business-household.registration"]),
    ],
)
def test_search_ignores_accents_and_case(text: str, expected: list[str]) -> None:
    # (issue 16 added procedures whose names share these words: the expected lists grew)
    assert [p.id for p in Catalogue.bundled().search(text)] == expected


def test_search_on_a_date_and_empty_search() -> None:
    cat = Catalogue.bundled()
    assert cat.search("   ") == ()
    assert cat.search("land change", on=dt.date(2025, 6, 1)) == ()  # no version yet
    (found,) = cat.search("land change", on=dt.date(2025, 7, 1))
    assert found.version == 1


def test_filter_by_field_and_level() -> None:
    cat = Catalogue.bundled()
    civil = cat.filter(field="civil-status")
    assert {p.id for p in civil} == {pid for pid in BUNDLED_IDS if pid.startswith("civil-status.")}
    assert {"civil-status.birth", "civil-status.death", "civil-status.marriage"} <= {
        p.id for p in civil
    }
    provincial = cat.filter(level=Level.PROVINCE)
    assert {p.id for p in provincial} == {"judicial-record.certificate", "land.change-registration"}
    district = cat.filter(level=Level.DISTRICT, on=dt.date(2025, 6, 1))
    assert {p.id for p in district} == {
        "business-household.registration",
        "construction.permit-house",
        "land.first-certificate",
        "certification.copy",
        "certification.signature",
        "civil-status.birth",
        "civil-status.death",
        "civil-status.marriage",
    }
    assert cat.filter(level=Level.DISTRICT, on=dt.date(2025, 7, 1)) == ()
    assert "land" in cat.fields()


def test_diff_lists_changed_fields() -> None:
    cat = Catalogue.bundled()
    changes = {c.field: c for c in cat.diff("civil-status.birth@1", "civil-status.birth@2")}
    assert str(changes["levels"]) == "levels: {commune, district} -> {commune}"
    assert "version" not in changes
    with pytest.raises(UnknownProcedureError, match="no version 9"):
        cat.diff("civil-status.birth@1", "civil-status.birth@9")
    with pytest.raises(UnknownProcedureError, match="id@N"):
        cat.diff("civil-status.birth", "civil-status.birth@1")


# -- versions ----------------------------------------------------------------------------------


def test_publish_closes_the_previous_version() -> None:
    cat = Catalogue.from_procedures([_proc()])
    newer = cat.publish(_proc(time_limit=Duration.working_days(2), valid_from=dt.date(2026, 1, 1)))
    old, new = newer.versions("test.proc")
    assert old.valid_to == dt.date(2025, 12, 31)
    assert (new.version, new.valid_to) == (2, None)
    assert newer.get("test.proc", dt.date(2025, 12, 31)).time_limit == Duration.working_days(3)
    assert newer.get("test.proc", dt.date(2026, 1, 1)).time_limit == Duration.working_days(2)
    assert cat.versions("test.proc") == (cat.get("test.proc", dt.date(2026, 1, 1)),)  # unchanged


def test_publish_on_the_same_day_is_refused() -> None:
    cat = Catalogue.from_procedures([_proc()])
    with pytest.raises(InvalidInputError, match="must start after v1 starts"):
        cat.publish(_proc())


def test_publish_after_a_closed_version_would_leave_a_gap() -> None:
    cat = Catalogue.from_procedures([_proc(valid_to=dt.date(2025, 12, 31))])
    with pytest.raises(InvalidInputError, match="gap"):
        cat.publish(_proc(valid_from=dt.date(2026, 2, 1)))


@pytest.mark.parametrize(
    ("second_from", "first_to", "message"),
    [
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31), "overlaps v1"),
        (dt.date(2026, 2, 1), dt.date(2025, 12, 31), "leaves a gap"),
        (dt.date(2026, 1, 1), None, "still open"),
    ],
)
def test_versions_must_follow_each_other(
    second_from: dt.date, first_to: dt.date | None, message: str
) -> None:
    first = _proc(valid_to=first_to)
    second = _proc(version=2, valid_from=second_from)
    with pytest.raises(DataFileError, match=message) as info:
        Catalogue.from_procedures([first, second])
    assert info.value.entry == "test.proc v2"
    assert info.value.field == "valid_from"


def test_version_numbers_are_consecutive_and_unique() -> None:
    with pytest.raises(DataFileError, match="given twice"):
        Catalogue.from_procedures([_proc(), _proc()])
    with pytest.raises(DataFileError, match="consecutively"):
        Catalogue.from_procedures(
            [
                _proc(valid_to=dt.date(2025, 12, 31)),
                _proc(version=3, valid_from=dt.date(2026, 1, 1)),
            ]
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=8))
def test_published_versions_never_overlap_and_cover_every_day(steps: list[int]) -> None:
    start = dt.date(2025, 7, 1)
    cat = Catalogue.from_procedures([_proc(valid_from=start)])
    day = start
    for i, step in enumerate(steps):
        day += dt.timedelta(days=step)
        cat = cat.publish(_proc(valid_from=day, time_limit=Duration.working_days(i + 4)))
    versions = cat.versions("test.proc")
    assert [v.version for v in versions] == list(range(1, len(steps) + 2))
    for earlier, later in itertools.pairwise(versions):
        assert earlier.valid_to is not None
        assert earlier.valid_to + dt.timedelta(days=1) == later.valid_from
    assert versions[-1].valid_to is None
    probe = start
    while probe <= day + dt.timedelta(days=3):
        matching = [v for v in versions if v.applies_on(probe)]
        assert matching == [cat.get("test.proc", probe)]
        probe += dt.timedelta(days=17)


# -- values ------------------------------------------------------------------------------------


def test_procedure_validation() -> None:
    with pytest.raises(InvalidInputError, match="ends"):
        _proc(valid_to=dt.date(2025, 1, 1))
    with pytest.raises(InvalidInputError, match="no online channel"):
        _proc(online=OnlineService.FULL)
    with pytest.raises(InvalidInputError, match="at least one competent level"):
        _proc(levels=frozenset())
    with pytest.raises(InvalidInputError, match="positive integer"):
        Component(name="x", count=0)
    with pytest.raises(InvalidInputError, match="non-negative"):
        Fee(name="x", amount=-1)


def test_value_texts() -> None:
    ext = Extension(
        duration=Duration.working_days(2),
        condition="bulk",
        by_agreement=True,
        confidence=Confidence.CONFIRMED,
    )
    assert str(ext) == "+2 working days if bulk (longer by written agreement) [C]"
    fee = Fee(name="phí", amount=200000, per="request")
    assert str(fee) == "phí: 200.000 đồng per request [U]"
    assert Channel.POST.vietnamese.startswith("qua")
    assert str(_proc()) == "test.proc v1 Thủ tục thử (2025-07-01..)"


# -- files -------------------------------------------------------------------------------------

GOOD_TOML = """
[[procedure]]
id = "hn.birth-bonus"
code = "1.000001.H01"
name = "Hỗ trợ sinh con (ví dụ)"
field = "example"
levels = ["commune"]
valid_from = 2025-07-01
time_limit = "5 working days"
channels = ["in_person", "online"]
online = "partial"
fees = [{ name = "lệ phí", amount = 0 }]
components = [{ name = "Tờ khai", kind = "original", count = 2 }]
facts = [{ fact = "time_limit", confidence = "P", note = "example" }]
legal_bases = [{ document = "Quyết định ví dụ", article = "Điều 1" }]
policy = { counting = "from_receipt_day", due = "end_of_day" }
clock = { on_supplement = "pause", max_extensions = 0 }
"""


def test_load_toml_and_json(tmp_path: Path) -> None:
    toml_file = tmp_path / "hn.catalogue.toml"
    toml_file.write_text(GOOD_TOML, encoding="utf-8")
    cat = Catalogue.load(toml_file)
    proc = cat.get("1.000001.H01", dt.date(2025, 7, 1))
    assert proc.components[0].count == 2
    assert proc.online is OnlineService.PARTIAL
    assert proc.policy.due is DueMoment.END_OF_DAY
    assert proc.clock.max_extensions == 0
    data = {"procedure": [{**_json_entry(), "valid_from": "2025-07-01"}]}
    json_file = tmp_path / "x.json"
    json_file.write_text(json.dumps(data), encoding="utf-8")
    assert Catalogue.load([json_file]).get("json.proc", dt.date(2025, 7, 2)).name == "JSON"


def _json_entry() -> dict[str, object]:
    return {
        "id": "json.proc",
        "name": "JSON",
        "field": "example",
        "levels": ["province"],
        "time_limit": "2 ngày làm việc",
    }


def test_load_on_top_of_the_bundled_catalogue_and_publish(tmp_path: Path) -> None:
    file = tmp_path / "p.toml"
    file.write_text(
        """
[[procedure]]
id = "residence.temporary"
publish = true
name = "Đăng ký tạm trú"
field = "residence"
levels = ["commune"]
valid_from = 2026-01-01
time_limit = "2 working days"
""",
        encoding="utf-8",
    )
    base = Catalogue.bundled()
    cat = Catalogue.load(file, base=base)
    assert len(cat.versions("residence.temporary")) == 2
    assert cat.get("residence.temporary", dt.date(2025, 12, 31)).valid_to == dt.date(2025, 12, 31)
    assert len(base.versions("residence.temporary")) == 1  # the base is unchanged


@pytest.mark.parametrize(
    ("body", "entry", "field", "problem"),
    [
        (
            'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01',
            "0 (a)",
            "time_limit",
            "is required",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01\n'
                'time_limit = "soon"'
            ),
            "0 (a)",
            "time_limit",
            "a time limit looks like",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["county"]\nvalid_from = 2025-07-01\n'
                'time_limit = "1 wd"'
            ),
            "0 (a)",
            "levels",
            "must be one of",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = "July"\n'
                'time_limit = "1 wd"'
            ),
            "0 (a)",
            "valid_from",
            "YYYY-MM-DD",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01\n'
                'time_limit = "1 wd"\ncolour = "red"'
            ),
            "0 (a)",
            "colour",
            "unknown field",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01\n'
                'time_limit = "1 wd"\nfees = [{ name = "x", amount = 1.5 }]'
            ),
            "0 (a)",
            "fees[0].amount",
            "whole number",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01\n'
                'time_limit = "1 wd"\nfacts = [{ fact = "time_limit" }]'
            ),
            "0 (a)",
            "facts[0].confidence",
            "is required",
        ),
        (
            (
                'id = "a"\nname = "A"\nfield = "f"\nlevels = ["commune"]\nvalid_from = 2025-07-01\n'
                'time_limit = "1 wd"\nvalid_to = 2025-01-01'
            ),
            "0 (a)",
            "valid_to",
            "before",
        ),
    ],
)
def test_malformed_entries_name_file_entry_and_field(
    tmp_path: Path, body: str, entry: str, field: str, problem: str
) -> None:
    file = tmp_path / "bad.toml"
    file.write_text("[[procedure]]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=problem) as info:
        Catalogue.load(file)
    assert info.value.path == str(file)
    assert str(info.value.entry) == entry
    assert info.value.field == field
    assert str(file) in str(info.value)


def test_version_errors_across_files_name_the_file(tmp_path: Path) -> None:
    good = tmp_path / "a.toml"
    good.write_text(GOOD_TOML, encoding="utf-8")
    clash = tmp_path / "b.toml"
    clash.write_text(
        GOOD_TOML.replace('code = "1.000001.H01"\n', "version = 2\n"), encoding="utf-8"
    )
    with pytest.raises(DataFileError, match="still open") as info:
        Catalogue.load([good, clash])
    assert info.value.path == str(clash)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("x.toml", "procedure = 3", "top-level 'procedure' list"),
        ("x.toml", "[[procedure]\n", "not valid TOML"),
        ("x.json", "{", "not valid JSON"),
        ("x.yaml", "a: 1", "expected a .toml or .json file"),
        ("x.toml", "[[procedure]]\n[other]\n", "unknown top-level key"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, content: str, problem: str) -> None:
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=problem):
        Catalogue.load(file)


def test_missing_and_oversized_files(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="cannot read"):
        Catalogue.load(tmp_path / "missing.toml")
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * 100, encoding="utf-8")
    with pytest.raises(DataFileError, match="limited to 10"):
        read_data_file(big, limit=10)
    with pytest.raises(DataFileError, match="no catalogue files"):
        Catalogue.load([])


# -- issue 16: codes, one mark per fact, interconnected groups ---------------------------------

TODAY = dt.date(2026, 12, 1)


def test_at_least_25_procedures_in_force_today_each_with_a_code_or_a_reason() -> None:
    in_force = Catalogue.bundled().on(TODAY)
    assert len(in_force) >= 25
    for proc in in_force:
        note = proc.fact("code")
        assert note is not None, proc.id
        assert proc.code is not None or note.note, proc.id


def test_the_bundled_catalogue_marks_every_fact_once_with_its_source() -> None:
    from govtier.catalogue import REQUIRED_FACTS, check_marks

    cat = Catalogue.bundled()
    assert check_marks(cat) == ()
    for proc in cat.procedures:
        assert {f.fact for f in proc.facts} >= set(REQUIRED_FACTS), proc.id
        for note in proc.facts:
            if note.confidence is Confidence.CONFIRMED:
                assert note.source is not None, (proc.id, note.fact)
                assert note.source.url or note.source.article or "DOMAIN" in note.source.document


def test_business_household_clock_marks_are_separate_facts() -> None:
    # The example: Decree 168/2025 Art. 99(3) confirms the counting start only.
    proc = Catalogue.bundled().get("business-household.registration", TODAY)
    assert proc.confidence_of("clock.counting_start") is Confidence.CONFIRMED
    assert proc.fact("clock.counting_start").source.article == "Art. 99(3)"  # type: ignore[union-attr]
    assert proc.confidence_of("clock.max_extensions") is Confidence.UNCONFIRMED
    assert proc.confidence_of("clock.max_supplement_requests") is Confidence.UNCONFIRMED
    assert proc.confidence_of("clock.on_supplement") is Confidence.PARTIAL
    assert proc.clock.confidence is Confidence.UNCONFIRMED  # the weakest of its settings


def test_check_marks_finds_missing_marks_and_unsourced_confirmations() -> None:
    from govtier.catalogue import FactNote, check_marks

    bare = _proc(
        facts=(FactNote(fact="time_limit", confidence=Confidence.CONFIRMED),),
        fees=(Fee(name="lệ phí", amount=1000, confidence=Confidence.CONFIRMED),),
    )
    problems = [str(p) for p in check_marks(Catalogue.from_procedures([bare]))]
    assert any("'time_limit': marked [C] without a source" in p for p in problems)
    assert any("'competence': has no mark" in p for p in problems)
    assert any("'clock.transfer_time': has no mark" in p for p in problems)
    assert any("has no source" in p and "fees" in p for p in problems)


def test_defaults_facts_are_inherited_unless_a_procedure_marks_them(tmp_path: Path) -> None:
    path = tmp_path / "x.catalogue.toml"
    path.write_text(
        """
[defaults]
facts = [
  { fact = "clock.on_payment", confidence = "U", note = "default" },
  { fact = "fees", confidence = "U", note = "default" },
]

[[procedure]]
id = "x.one"
name = "Một"
field = "x"
levels = ["commune"]
valid_from = 2025-07-01
time_limit = "3 working days"
facts = [{ fact = "fees", confidence = "P", note = "own" }]
""",
        encoding="utf-8",
    )
    proc = Catalogue.load(path).get("x.one", TODAY)
    assert proc.fact("fees").note == "own"  # type: ignore[union-attr]
    assert proc.fact("clock.on_payment").note == "default"  # type: ignore[union-attr]


def test_the_two_national_groups() -> None:
    cat = Catalogue.bundled()
    birth = cat.group("group.birth", TODAY)
    assert [m.procedure for m in birth.members][:2] == ["civil-status.birth", "residence.permanent"]
    assert str(birth.time_limit) == "3 working days"
    assert birth.confidence_of("time_limit") is Confidence.CONFIRMED
    assert birth.code is None  # the sources disagree (3.000722 vs 2.000987): both recorded
    code_note = birth.fact("code")
    assert code_note is not None
    assert "3.000722" in (code_note.note or "")
    assert "2.000987" in (code_note.note or "")
    assert birth.shares_total() == Duration.working_days(3)
    death = cat.group("2.002913", TODAY)
    assert death.id == "group.death"
    assert death.time_limit is None
    assert death.confidence_of("time_limit") is Confidence.UNCONFIRMED
    assert [g.id for g in cat.groups_of("civil-status.death", TODAY)] == ["group.death"]
    # a member's code is the code its catalogue procedure carries
    for group in cat.groups_on(TODAY):
        for member in group.members:
            if member.procedure is not None:
                assert cat.get(member.procedure, TODAY).code == member.code, member
    with pytest.raises(UnknownProcedureError, match=r"group\.nothing"):
        cat.group("group.nothing", TODAY)


def _group_file(tmp_path: Path, members: str, extra: str = "") -> Path:
    path = tmp_path / "g.catalogue.toml"
    path.write_text(
        f"""
[[group]]
id = "group.test"
name = "Nhóm thử"
valid_from = 2025-07-01
time_limit = "2 working days"
{extra}
{members}
""",
        encoding="utf-8",
    )
    return path


def test_group_validation(tmp_path: Path) -> None:
    two = """
[[group.members]]
name = "A"
procedure = "civil-status.birth"
agency = "UBND xã"
share = "1 working day"

[[group.members]]
name = "B"
agency = "Công an xã"
share = "{share}"
"""
    ok = Catalogue.load(
        _group_file(tmp_path, two.format(share="1 working day")), base=Catalogue.bundled()
    )
    assert ok.group("group.test", TODAY).shares_total() == Duration.working_days(2)
    with pytest.raises(DataFileError, match="more than the group's 2 working days"):
        Catalogue.load(
            _group_file(tmp_path, two.format(share="2 working days")), base=Catalogue.bundled()
        )
    with pytest.raises(DataFileError, match=r"'civil-status\.birth' is not a procedure"):
        Catalogue.load(_group_file(tmp_path, two.format(share="1 working day")))
    with pytest.raises(DataFileError, match="at least two member"):
        Catalogue.load(_group_file(tmp_path, two.split('[[group.members]]\nname = "B"')[0]))
    with pytest.raises(DataFileError, match=r"also the code of civil-status\.birth"):
        Catalogue.load(
            _group_file(tmp_path, two.format(share="1 working day"), 'code = "1.001193"'),
            base=Catalogue.bundled(),
        )


def test_group_sync_records_one_body_per_member() -> None:
    from govtier.calendar import VIETNAM_TZ, WorkingCalendar
    from govtier.dossier import Applicant, Dossier, DossierHeader
    from govtier.interop import group_sync_records
    from govtier.jurisdiction import RuleSet

    cat = Catalogue.bundled()
    group = cat.group("group.birth", TODAY)
    a = RuleSet.bundled().resolve("civil-status.birth", "20242", TODAY, Channel.ONLINE)
    header = DossierHeader.from_assignment(
        a, code="H48.01-261201-0001", applicant=Applicant(name="Người nộp")
    )
    at = dt.datetime(2026, 12, 1, 9, 0, tzinfo=VIETNAM_TZ)
    dossier = Dossier.receive(header, at=at, actor="system", calendar=WorkingCalendar.vietnam())
    bodies = group_sync_records(dossier, group)
    assert [b["MaTTHC"] for b in bodies] == ["1.001193", "1.004222", ""]
    assert {b["MaHoSo"] for b in bodies} == {"H48.01-261201-0001"}
    card = "Cấp thẻ căn cước cho trẻ em dưới 6 tuổi"
    assert len(group_sync_records(dossier, group, include_optional=[card])) == 4
    with pytest.raises(InvalidInputError, match="not an optional member"):
        group_sync_records(dossier, group, include_optional=["Đăng ký khai sinh"])


def _generator() -> object:
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "generate_confirmed.py"
    spec = importlib.util.spec_from_file_location("generate_confirmed", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_confirmed_page_is_the_generated_one() -> None:
    """docs/confirmed.md is generated from the data: it can never disagree with it."""
    gen = _generator()
    page = Path(__file__).resolve().parent.parent / "docs" / "confirmed.md"
    assert page.read_text(encoding="utf-8") == gen.render(), (  # type: ignore[attr-defined]
        "docs/confirmed.md is out of date: run .venv/bin/python scripts/generate_confirmed.py"
    )


def test_the_confirmed_page_shows_every_mark_of_a_fact() -> None:
    gen = _generator()
    text = gen.render()  # type: ignore[attr-defined]
    household = Catalogue.bundled().get("business-household.registration", TODAY)
    for note in household.facts:
        assert f"| `{note.fact}` | {note.confidence.mark} |" in text
    assert "### group.birth (2025-07-01..)" in text


def test_catalogue_validate_passes_on_the_bundled_catalogue() -> None:
    import io

    from govtier.cli import main

    out = io.StringIO()
    assert main(["catalogue", "validate"], out=out) == 0
    assert "every fact marked, every [C] sourced: yes" in out.getvalue()
    assert "2 groups" in out.getvalue()

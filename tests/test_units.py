"""Units in force from 2025-07-01: counts, lookups, search and bad input."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govtier._text import expand_abbreviations, fold, split_unit_type
from govtier.errors import (
    GovtierError,
    InvalidInputError,
    MalformedCodeError,
    UnknownUnitError,
)
from govtier.units import REFORM_DATE, Level, Unit, UnitKind, UnitRegistry

UNITS = UnitRegistry.bundled()


# -- counts and structure ---------------------------------------------------------------------


def test_there_are_34_provinces_6_cities_and_28_provinces():
    kinds = Counter(p.kind for p in UNITS.provinces())
    assert len(UNITS.provinces()) == 34
    assert kinds == {UnitKind.CITY: 6, UnitKind.PROVINCE: 28}


def test_there_are_3321_communes_2621_xa_687_phuong_13_dac_khu():
    kinds = Counter(c.kind for c in UNITS.communes())
    assert len(UNITS.communes()) == 3321
    assert kinds == {UnitKind.COMMUNE: 2621, UnitKind.WARD: 687, UnitKind.SPECIAL_ZONE: 13}


def test_ha_noi_has_126_communes_and_ho_chi_minh_city_168():
    assert len(UNITS.communes("01")) == 126
    assert len(UNITS.communes("79")) == 168


def test_codes_are_unique_and_zero_padded():
    codes = [u.code for u in (*UNITS.provinces(), *UNITS.communes())]
    assert len(codes) == len(set(codes)) == 3355
    assert all(len(c) == 2 for c in (p.code for p in UNITS.provinces()))
    assert all(len(c.code) == 5 and c.code.isdigit() for c in UNITS.communes())


def test_every_commune_belongs_to_a_province_that_lists_it():
    for commune in UNITS.communes():
        province = UNITS.province_of(commune.code)
        assert province.code == commune.province_code
        assert province.level is Level.PROVINCE
        assert commune in UNITS.communes(province.code)
    assert sum(len(UNITS.communes(p.code)) for p in UNITS.provinces()) == 3321


def test_units_carry_kind_level_and_validity():
    ba_dinh = UNITS.get("00004")
    assert ba_dinh == Unit(
        code="00004",
        name="Phường Ba Đình",
        kind=UnitKind.WARD,
        level=Level.COMMUNE,
        province_code="01",
    )
    assert ba_dinh.valid_from == REFORM_DATE == dt.date(2025, 7, 1)
    assert ba_dinh.valid_to is None
    assert UNITS.get("01").kind is UnitKind.CITY
    assert UNITS.get("01").province_code is None
    assert str(UNITS.get("79")) == "Thành phố Hồ Chí Minh"


def test_kinds_and_levels_say_their_vietnamese_terms():
    assert [k.vietnamese for k in UnitKind] == [
        "thành phố trung ương",
        "tỉnh",
        "phường",
        "xã",
        "đặc khu",
    ]
    assert UnitKind.SPECIAL_ZONE.level is Level.COMMUNE
    assert UnitKind.CITY.level is Level.PROVINCE
    assert [lv.vietnamese for lv in Level] == ["tỉnh", "huyện", "xã"]


def test_a_unit_with_inconsistent_fields_is_rejected():
    with pytest.raises(InvalidInputError, match="province level"):
        Unit(code="01", name="X", kind=UnitKind.CITY, level=Level.COMMUNE, province_code="01")
    with pytest.raises(MalformedCodeError):
        Unit(code="1", name="X", kind=UnitKind.CITY, level=Level.PROVINCE, province_code=None)
    with pytest.raises(MalformedCodeError):
        Unit(code="00004", name="X", kind=UnitKind.WARD, level=Level.COMMUNE, province_code=None)


def test_province_of_a_province_is_itself():
    assert UNITS.province_of("79") is UNITS.get("79")


def test_bundled_registry_is_shared():
    assert UnitRegistry.bundled() is UNITS


def test_importing_govtier_reads_no_unit_data():
    code = (
        "import sys, govtier, govtier.units as u\n"
        "assert u.UnitRegistry._bundled is None\n"
        "r = u.UnitRegistry.bundled(); assert r._legacy is None and r._index is None\n"
        "r.get('01'); assert r._legacy is None and r._index is None\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


# -- bad input --------------------------------------------------------------------------------


def test_unknown_code_raises_unknown_unit_error_naming_it():
    with pytest.raises(UnknownUnitError, match=r"'99999'.*legacy\(\)") as info:
        UNITS.get("99999")
    assert info.value.code == "99999"
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, GovtierError)


@pytest.mark.parametrize("code", ["abc", "1", "001", "0000a", "000004", "", " 01", "٠١"])
def test_malformed_code_raises_malformed_code_error_saying_the_shape(code):
    with pytest.raises(MalformedCodeError, match=r"2 digits.*5 digits") as info:
        UNITS.get(code)
    assert isinstance(info.value, ValueError)
    assert info.value.value == code


@pytest.mark.parametrize("code", [1, None, 4.0, b"01", ["01"]])
def test_non_string_code_raises_malformed_code_error(code):
    with pytest.raises(MalformedCodeError, match="must be a string"):
        UNITS.get(code)


def test_communes_of_unknown_or_malformed_province():
    with pytest.raises(UnknownUnitError, match="'03'"):
        UNITS.communes("03")
    with pytest.raises(MalformedCodeError, match="2 digits"):
        UNITS.communes("00004")


@pytest.mark.parametrize("text", ["", "   ", "\t\n", " ,. - "])
def test_empty_search_raises_invalid_input_not_every_unit(text):
    with pytest.raises(InvalidInputError, match="non-empty"):
        UNITS.search(text)


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_search_limit_must_be_a_positive_int(limit):
    with pytest.raises(InvalidInputError, match="limit"):
        UNITS.search("ba dinh", limit=limit)


def test_search_in_an_unknown_province_raises():
    with pytest.raises(UnknownUnitError, match="Atlantis"):
        UNITS.search("ba dinh", province="Atlantis")
    with pytest.raises(UnknownUnitError, match="'03'"):
        UNITS.search("ba dinh", province="03")


# -- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Phường Ba Đình", "00004"),
        ("phuong ba dinh", "00004"),
        ("PHƯỜNG BA ĐÌNH", "00004"),
        ("P. Ba Đình", "00004"),
        ("p ba dinh", "00004"),
        ("TP HCM", "79"),
        ("Tp. Hồ Chí Minh", "79"),
        ("TP.HCM", "79"),
        ("tphcm", "79"),
        ("Thành phố Hồ Chí Minh", "79"),
        ("ha noi", "01"),
        ("Hà Nội", "01"),
        ("Đặc khu Côn Đảo", "26732"),
        ("dk con dao", "26732"),
        ("Xã Ea M'Droh", "24286"),
        ("xa ea mdroh", "24286"),
        ("T. Lào Cai", "15"),
    ],
)
def test_search_accepts_accents_case_and_usual_abbreviations(text, code):
    assert UNITS.search(text)[0].unit.code == code


def test_exact_full_name_ranks_before_a_partial_or_other_type_match():
    hits = UNITS.search("Phường Ba Đình")
    assert hits[0].unit.code == "00004"
    assert hits[0].score == 100
    assert hits[0].why == "exact full name"
    assert all(hit.score < 100 for hit in hits[1:])
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_partial_match_finds_names_starting_with_the_words():
    names = [hit.unit.name for hit in UNITS.search("ba dinh", limit=20)]
    assert "Phường Ba Đình" in names
    hits = UNITS.search("hoan ki")
    assert hits[0].unit.name == "Phường Hoàn Kiếm"
    assert hits[0].score < 90


def test_search_within_a_province_by_code_or_name():
    in_hanoi = UNITS.search("ba dinh", province="01")
    assert {hit.unit.province_code for hit in in_hanoi} == {"01"}
    assert UNITS.search("ba dinh", province="Hà Nội") == in_hanoi
    assert UNITS.search("ba dinh", province="TP Hà Nội") == in_hanoi
    thanh_hoa = UNITS.search("ba dinh", province="Thanh Hóa")
    assert thanh_hoa[0].unit.name == "Xã Ba Đình"


def test_search_respects_the_limit_and_returns_nothing_for_no_match():
    assert len(UNITS.search("xa", limit=3)) == 3
    assert UNITS.search("zzzz qqq") == []


def test_every_unit_is_found_first_by_its_exact_name_within_its_province():
    misses = []
    for unit in (*UNITS.provinces(), *UNITS.communes()):
        province = unit.province_code or unit.code
        hits = UNITS.search(unit.name, province=province, limit=1)
        if not hits or hits[0].unit != unit or hits[0].score != 100:
            misses.append((unit.code, unit.name, hits))
    assert misses == []


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(UNITS.communes()), st.sampled_from([str.upper, str.lower, fold, str]))
def test_any_spelling_of_a_unit_name_finds_it_first_in_its_province(unit, spell):
    # Eight pairs of communes share a province and a folded name (Tân Thành / Tân Thạnh):
    # spelled without its accents, either is a right first hit, provided it scores the same.
    hits = UNITS.search(spell(unit.name), province=unit.province_code, limit=50)
    own = [hit for hit in hits if hit.unit == unit]
    assert own, unit
    first = hits[0]
    assert first.score == own[0].score
    assert first.unit == unit or fold(first.unit.name) == fold(unit.name)
    if spell is str:  # written exactly, accents break the tie
        assert first.unit == unit


def test_communes_whose_names_fold_the_same_are_told_apart_by_accents():
    pairs = Counter((unit.province_code, fold(unit.name)) for unit in UNITS.communes())
    shared = [key for key, count in pairs.items() if count > 1]
    assert len(shared) == 8
    for province, folded in shared:
        same = [u for u in UNITS.communes(province) if fold(u.name) == folded]
        for unit in same:
            assert UNITS.search(unit.name, province=province, limit=1)[0].unit == unit
            hits = UNITS.search(folded, province=province, limit=len(same))
            assert {hit.unit for hit in hits} == set(same)
            assert len({hit.score for hit in hits}) == 1


# -- text folding -------------------------------------------------------------------------------


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_output_has_no_uppercase_or_edge_spaces(text):
    folded = fold(text)
    assert folded == folded.strip()
    assert "  " not in folded
    assert "đ" not in folded


def test_fold_strips_accents_d_and_punctuation():
    assert fold("Đặc khu Côn Đảo") == "dac khu con dao"
    assert fold("Bà Rịa – Vũng Tàu") == "ba ria vung tau"
    assert fold("Cư M’gar") == fold("Cư M'gar") == "cu mgar"
    assert fold("Hoà") == fold("Hòa") == "hoa"


def test_abbreviations_expand_only_where_they_are_abbreviations():
    assert expand_abbreviations("tp hcm") == "thanh pho ho chi minh"
    assert expand_abbreviations("x yen so") == "xa yen so"
    assert expand_abbreviations("p") == "p"
    assert split_unit_type("Phường Sài Gòn", abbreviations=False) == ("phuong", "sai gon")
    assert split_unit_type("Q. 1") == ("quan", "1")


# -- typo tolerance ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["Phuong Ba Dinhh", "Ba Dnh", "Phuogn Ba Dinh", "phường ba đìnhh", "Ba Ddinh"]
)
def test_a_mistyped_name_still_finds_the_unit(text):
    hits = UNITS.search(text, limit=3)
    assert hits[0].unit.code == "00004"
    assert "spelling correction" in hits[0].why
    assert hits[0].score < 80


def test_typo_matches_rank_below_every_exact_match_and_only_when_nothing_matches():
    assert "spelling" not in UNITS.search("Phuong Ba Dinh")[0].why
    hits = UNITS.search("Tp Ho Chi Mnh")
    assert hits[0].unit.code == "79"
    assert all(hit.score <= 75 for hit in hits)
    assert UNITS.search("zzzz qqq") == []
    assert UNITS.search("xy") == []  # two letters: too short to correct


def _one_typo(name: str, data: st.DataObject) -> str | None:
    words = fold(name).split()
    long = [i for i, w in enumerate(words) if len(w) >= 4 and not w.isdigit()]
    if not long:
        return None
    i = data.draw(st.sampled_from(long))
    word = words[i]
    at = data.draw(st.integers(0, len(word) - 1))
    how = data.draw(st.sampled_from(["delete", "double", "swap"]))
    if how == "delete":
        word = word[:at] + word[at + 1 :]
    elif how == "double":
        word = word[: at + 1] + word[at:]
    elif at < len(word) - 1:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    words[i] = word
    return " ".join(words)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(UNITS.communes()), st.data())
def test_one_typo_in_a_long_word_still_finds_the_unit_in_its_province(unit, data):
    text = _one_typo(unit.name, data)
    if text is None:
        return
    province = UNITS.communes(unit.province_code)
    hits = UNITS.search(text, province=unit.province_code, limit=len(province))
    assert hits
    if all("spelling" in hit.why for hit in hits):  # the typo left no exact prefix match
        assert unit in [hit.unit for hit in hits]


@pytest.mark.parametrize("province", ["HN", "Hanoi", "TP HN", "Hà Nội", "01"])
def test_search_within_a_province_given_by_its_usual_writing(province):
    hits = UNITS.search("ba dinh", province=province)
    assert {hit.unit.province_code for hit in hits} == {"01"}


@pytest.mark.parametrize("province", ["TP HCM", "TPHCM", "Sài Gòn", "SG", "HCMC"])
def test_ho_chi_minh_city_has_its_usual_names(province):
    assert UNITS.search("ben thanh", province=province)[0].unit.province_code == "79"


def test_initials_that_several_provinces_share_are_not_a_province():
    with pytest.raises(UnknownUnitError, match="ĐN"):
        UNITS.search("hai chau", province="ĐN")

"""Pre-reform communes and the official conversion table (old code → new units)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import pytest

from govtier._text import fold
from govtier.errors import InvalidInputError, MalformedCodeError, UnknownUnitError
from govtier.units import (
    LEGACY_LAST_DAY,
    LegacyUnit,
    ResolutionStatus,
    SuccessionKind,
    Unit,
    UnitRegistry,
)

UNITS = UnitRegistry.bundled()
# The shared source data sits beside the checkout (../shared) or, from a worktree, further up.
SHARED = next(
    (
        parent / "shared" / "data" / "admin-units"
        for parent in Path(__file__).resolve().parents
        if (parent / "shared" / "data" / "admin-units").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data" / "admin-units",
)
# The build corrects three code typos in the table (see src/govtier/data/PROVENANCE.md).
CORRECTED = {("Xã Đặng Xá", "00553"): "00556", ("Xã Mỹ Hưng", "01615"): "01651"}
CORRECTED[("Xã Phú Thịnh", "02485")] = "02482"


def _table_rows():
    if not SHARED.is_dir():
        pytest.skip(f"shared source data not found at {SHARED}")
    with (SHARED / "conversion-2025-07-01.csv").open(encoding="utf-8", newline="") as file:
        for row in csv.reader(file):
            if len(row) >= 8 and re.fullmatch(r"\d{5}", row[2].strip()) and row[4].strip():
                old_name, old_code = " ".join(row[3].split()), row[4].strip()
                old_code = CORRECTED.get((old_name, old_code), old_code)
                yield old_code, row[2].strip(), " ".join(row[5].split())


@pytest.fixture(scope="module")
def table():
    targets = defaultdict(list)
    for old, new, note in _table_rows():
        targets[old].append((new, note))
    return targets


def test_every_old_code_in_the_conversion_table_resolves_to_its_rows(table):
    assert len(table) == 10035
    for old, rows in table.items():
        legacy = UNITS.legacy(old)
        assert isinstance(legacy, LegacyUnit)
        found = [(s.new.code, s.note) for s in UNITS.successors(old)]
        assert found == rows, old
        assert all(s.old is legacy for s in UNITS.successors(old))


def test_split_communes_return_all_their_successors_as_parts(table):
    split = {old: rows for old, rows in table.items() if len({new for new, _ in rows}) > 1}
    assert len(split) == 440
    for old, rows in split.items():
        successors = UNITS.successors(old)
        assert {s.new.code for s in successors} == {new for new, _ in rows}
        assert len(successors) > 1
    ngoc_ha = UNITS.successors("00016")
    assert [(s.new.name, s.how) for s in ngoc_ha] == [
        ("Phường Ba Đình", SuccessionKind.PART),
        ("Phường Ngọc Hà", SuccessionKind.PART),
    ]


def test_unchanged_communes_return_themselves(table):
    unchanged = [old for old, rows in table.items() if any(n.startswith("Giữ") for _, n in rows)]
    assert len(unchanged) == 127
    for old in unchanged:
        (succession,) = UNITS.successors(old)
        assert succession.how is SuccessionKind.UNCHANGED
        assert succession.new.code == old
        assert fold(succession.new.name) == fold(succession.old.name)


def test_notes_map_to_whole_part_or_unchanged(table):
    hows = {s.note: s.how for old in table for s in UNITS.successors(old)}
    assert hows["Nhập toàn bộ"] is SuccessionKind.WHOLE
    assert hows["Nhập một phần"] is SuccessionKind.PART
    assert hows["Nhập một phần diện tích"] is SuccessionKind.PART
    assert hows["Giữ nguyên"] is SuccessionKind.UNCHANGED
    assert hows["Đổi tên"] is SuccessionKind.WHOLE


def test_predecessors_are_the_inverse_of_successors():
    count = 0
    for unit in UNITS.communes():
        for succession in UNITS.predecessors(unit.code):
            assert succession in UNITS.successors(succession.old.code)
            assert succession.new is unit
            count += 1
    assert count == 10565
    ba_dinh = {s.old.name for s in UNITS.predecessors("00004")}
    assert {"Phường Trúc Bạch", "Phường Quán Thánh", "Phường Ngọc Hà"} <= ba_dinh


def test_island_special_zones_have_no_commune_predecessors():
    assert UNITS.predecessors("26732") == ()  # Đặc khu Côn Đảo, formerly a whole district


def test_codes_mean_different_units_before_and_after_the_reform():
    old, new = UNITS.legacy("00004"), UNITS.get("00004")
    assert (old.name, new.name) == ("Phường Trúc Bạch", "Phường Ba Đình")
    assert isinstance(old, LegacyUnit)
    assert isinstance(new, Unit)
    assert old != new
    assert old.valid_to == LEGACY_LAST_DAY == dt.date(2025, 6, 30)
    assert (old.district_name, old.province_name) == ("Quận Ba Đình", "Thành phố Hà Nội")


def test_unit_at_picks_the_unit_by_date():
    assert UNITS.unit_at("00004", dt.date(2025, 6, 30)) == UNITS.legacy("00004")
    assert UNITS.unit_at("00004", dt.date(2025, 7, 1)) == UNITS.get("00004")
    with pytest.raises(UnknownUnitError, match="pre-reform"):
        UNITS.unit_at("00002", dt.date(2020, 1, 1))
    with pytest.raises(InvalidInputError, match=r"datetime\.date"):
        UNITS.unit_at("00004", dt.datetime(2025, 7, 1))
    with pytest.raises(InvalidInputError, match=r"datetime\.date"):
        UNITS.unit_at("00004", "2025-07-01")


def test_pre_reform_codes_only_in_the_old_list_have_no_successor():
    merged_early = UNITS.legacy("26935")  # Phường 14, Bình Thạnh, merged in early 2025
    assert merged_early.name == "Phường 14"
    assert UNITS.successors("26935") == ()


def test_legacy_errors_name_the_code():
    with pytest.raises(UnknownUnitError, match=r"'99999'.*get\(\)"):
        UNITS.legacy("99999")
    with pytest.raises(MalformedCodeError, match="5 digits"):
        UNITS.legacy("01")
    with pytest.raises(MalformedCodeError, match="5 digits"):
        UNITS.successors("abcde")
    with pytest.raises(MalformedCodeError, match="5 digits"):
        UNITS.predecessors("01")
    with pytest.raises(UnknownUnitError):
        UNITS.predecessors("99999")


def test_every_old_province_goes_into_one_new_province():
    old_codes = {c.province_code for c in UNITS.legacy_communes()}
    assert len(old_codes) == 63
    for code in old_codes:
        new = UNITS.legacy_province_successor(code)
        assert new.is_province
    assert UNITS.legacy_province_successor("02").name == "Tỉnh Tuyên Quang"  # Hà Giang
    assert UNITS.legacy_province_successor("77").name == "Thành phố Hồ Chí Minh"  # BR-VT
    assert UNITS.legacy_province_successor("45").name == "Tỉnh Quảng Trị"
    assert UNITS.legacy_province_name("44") == "Tỉnh Quảng Bình"
    assert UNITS.legacy_province_successor("44").code == "44"
    with pytest.raises(UnknownUnitError, match="'03'"):
        UNITS.legacy_province_successor("03")
    with pytest.raises(MalformedCodeError, match="2 digits"):
        UNITS.legacy_province_successor("003")


def test_every_legacy_commune_lies_in_its_old_province_successor():
    for legacy in UNITS.legacy_communes():
        new_province = UNITS.legacy_province_successor(legacy.province_code)
        for succession in UNITS.successors(legacy.code):
            assert succession.new.province_code == new_province.code, legacy


# -- resolving old addresses ----------------------------------------------------------------


def test_resolving_an_old_address_gives_the_new_unit():
    result = UNITS.resolve_legacy_address("Phường Phúc Xá, Quận Ba Đình, Hà Nội")
    assert result.status is ResolutionStatus.RESOLVED
    assert not result.is_ambiguous
    assert result.unit == UNITS.get("00097")
    assert result.old == (UNITS.legacy("00001"),)
    assert "Phường Hồng Hà" in result.reason


def test_resolving_accepts_abbreviations_and_missing_accents():
    result = UNITS.resolve_legacy_address("p. phuc xa, q. ba dinh, tp ha noi")
    assert result.unit == UNITS.get("00097")


def test_resolving_a_split_commune_is_ambiguous_and_says_why():
    result = UNITS.resolve_legacy_address("Phường Ngọc Hà, Quận Ba Đình, Hà Nội")
    assert result.status is ResolutionStatus.SPLIT
    assert result.is_ambiguous
    assert result.unit is None
    assert [u.name for u in result.units] == ["Phường Ba Đình", "Phường Ngọc Hà"]
    assert "split" in result.reason
    assert "street address" in result.reason


def test_resolving_a_name_shared_by_several_old_communes_asks_for_more():
    result = UNITS.resolve_legacy_address("Xã Tân An")
    assert result.status is ResolutionStatus.AMBIGUOUS
    assert len(result.old) > 1
    assert "add the district and province" in result.reason
    narrowed = UNITS.resolve_legacy_address("Xã Tân An, Huyện Vĩnh Cửu, Đồng Nai")
    assert len(narrowed.old) == 1


def test_resolving_prefers_the_commune_in_force_on_2025_06_30():
    result = UNITS.resolve_legacy_address("Phường 14, Quận Bình Thạnh, TP HCM")
    assert result.old == (UNITS.legacy("26929"),)
    assert result.unit.name == "Phường Bình Thạnh"


def test_resolving_an_island_district_gives_its_special_zone():
    result = UNITS.resolve_legacy_address("Huyện Côn Đảo, Bà Rịa - Vũng Tàu")
    assert result.unit == UNITS.get("26732")


def test_resolving_nonsense_or_a_wrong_district_raises():
    with pytest.raises(UnknownUnitError, match="Atlantis"):
        UNITS.resolve_legacy_address("Phường Atlantis, Hà Nội")
    with pytest.raises(UnknownUnitError, match="Quận Ba Đình, Thành phố Hà Nội"):
        UNITS.resolve_legacy_address("Phường Phúc Xá, Quận 1")
    with pytest.raises(InvalidInputError):
        UNITS.resolve_legacy_address("  ")

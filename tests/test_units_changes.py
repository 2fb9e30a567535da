"""Units after 2025-07-01 (effective-dated changes) and loading a release from a directory."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govtier.errors import DataFileError, GovtierError, InvalidInputError, UnknownUnitError
from govtier.legal import Confidence
from govtier.units import (
    DATA_DIR,
    REFORM_DATE,
    ChangeKind,
    Level,
    UnitChange,
    UnitKind,
    UnitRegistry,
)

UNITS = UnitRegistry.bundled()
PARTIAL = UnitRegistry.from_directory(DATA_DIR, accept=Confidence.PARTIAL)


@pytest.fixture
def release(tmp_path: Path) -> Path:
    """A copy of the bundled units.json in a user's folder (no legacy.json, no changes)."""
    shutil.copy(DATA_DIR / "units.json", tmp_path / "units.json")
    return tmp_path


def _write_changes(folder: Path, body: str) -> None:
    (folder / "unit-changes.toml").write_text("format = 1\n" + body, encoding="utf-8")


MERGE = """
[[change]]
id = "merge-test"
unit = "04"
what = "merge"
into = "08"
effective = 2027-01-01
confidence = "C"
source = { document = "Resolution 1/2027/QH16 (test)" }
"""


# -- the bundled changes ----------------------------------------------------------------------


def test_every_bundled_change_has_a_source_mark_and_evidence():
    changes = UNITS.changes()
    assert {c.unit for c in changes} == {"22", "24", "75"}
    for change in changes:
        assert change.source.document
        assert change.source.url
        assert change.source.url.startswith("https://")
        assert change.evidence
        assert change.what is ChangeKind.KIND
        assert change.kind is UnitKind.CITY
        assert change.confidence.mark in str(change)


def test_only_confirmed_changes_are_applied_to_the_bundled_registry():
    assert all(c.confidence is not Confidence.CONFIRMED for c in UNITS.changes())
    for code in ("22", "24", "75"):
        assert UNITS.get(code).kind is UnitKind.PROVINCE
        assert UNITS.history(code) == (UNITS.get(code),)
    assert len(UNITS.provinces(on=dt.date(2026, 12, 1))) == 34


def test_partial_changes_apply_from_their_date_when_asked_for():
    before, after = dt.date(2026, 9, 19), dt.date(2026, 9, 20)
    assert PARTIAL.get("24", on=before).name == "Tỉnh Bắc Ninh"
    assert PARTIAL.get("24", on=after).name == "Thành phố Bắc Ninh"
    assert PARTIAL.get("24", on=after).kind is UnitKind.CITY
    assert PARTIAL.get("75", on=dt.date(2026, 4, 29)).kind is UnitKind.PROVINCE
    assert PARTIAL.get("75", on=dt.date(2026, 4, 30)).name == "Thành phố Đồng Nai"
    old, new = PARTIAL.history("24")
    assert old.valid_to == dt.date(2026, 9, 19)
    assert new.valid_from == after
    cities = [p.code for p in PARTIAL.provinces(on=dt.date(2026, 12, 1)) if p.kind is UnitKind.CITY]
    assert len(cities) == 8
    assert {"24", "75"} <= set(cities)
    # Quảng Ninh has no known date: recorded, never applied, even when accepting [U].
    everything = UnitRegistry.from_directory(DATA_DIR, accept=Confidence.UNCONFIRMED)
    assert everything.get("22", on=dt.date(2030, 1, 1)).kind is UnitKind.PROVINCE


def test_a_province_changing_kind_keeps_its_communes():
    on = dt.date(2026, 10, 1)
    assert PARTIAL.communes("24", on=on) == UNITS.communes("24")
    assert PARTIAL.province_of("09193", on=on).name == "Thành phố Bắc Ninh"
    assert UNITS.province_of("09193", on=on).name == "Tỉnh Bắc Ninh"


def test_before_the_reform_there_are_no_two_tier_units():
    with pytest.raises(UnknownUnitError, match="unit_at"):
        UNITS.get("01", on=dt.date(2025, 6, 30))
    assert UNITS.provinces(on=dt.date(2025, 6, 30)) == ()
    assert UNITS.get("01", on=REFORM_DATE) is UNITS.get("01")


@pytest.mark.parametrize("on", ["2026-01-01", dt.datetime(2026, 1, 1), 20260101])
def test_on_must_be_a_date(on):
    with pytest.raises(InvalidInputError, match=r"datetime\.date") as info:
        UNITS.get("01", on=on)
    assert info.value.field == "on"


# -- a user's release -------------------------------------------------------------------------


def test_a_release_without_legacy_data_uses_the_bundled_one(release):
    registry = UnitRegistry.from_directory(release)
    assert registry.get("00004").name == "Phường Ba Đình"
    assert registry.successors("00004")[0].new == registry.get("00004")
    assert registry.changes() == ()


def test_a_merger_ends_the_unit_and_moves_its_communes(release):
    _write_changes(release, MERGE)
    registry = UnitRegistry.from_directory(release)
    (change,) = registry.changes()
    assert change == UnitChange(
        id="merge-test",
        unit="04",
        what=ChangeKind.MERGE,
        effective=dt.date(2027, 1, 1),
        into="08",
        source=change.source,
        confidence=Confidence.CONFIRMED,
    )
    day_before, day = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
    cao_bang = UNITS.communes("04")
    assert [c.code for c in registry.communes("04", on=day_before)] == [c.code for c in cao_bang]
    assert registry.communes("04", on=day_before)[0].valid_to == day_before
    with pytest.raises(UnknownUnitError, match="ended on 2026-12-31"):
        registry.get("04", on=day)
    assert registry.get("04").valid_to == day_before
    moved = registry.communes("08", on=day)
    assert len(moved) == len(UNITS.communes("08")) + len(cao_bang)
    assert registry.province_of(cao_bang[0].code, on=day).code == "08"
    assert len(registry.provinces()) == 33
    assert len(registry.provinces(on=day_before)) == 34


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (MERGE.replace('into = "08"', 'into = "99"'), "no other province"),
        (MERGE.replace('unit = "04"', 'unit = "03"'), "no unit with code '03'"),
        (MERGE.replace('what = "merge"', 'what = "split"'), "'what'"),
        (MERGE.replace('confidence = "C"', 'confidence = "X"'), "'confidence'"),
        (MERGE.replace("effective = 2027-01-01", 'effective = "soon"'), "'effective'"),
        (MERGE.replace("effective = 2027-01-01\n", ""), "'effective'"),
        (MERGE.replace('source = { document = "Resolution 1/2027/QH16 (test)" }', ""), "source"),
        (MERGE + MERGE, "'id'"),
        (MERGE.replace('what = "merge"', 'what = "kind"\nkind = "ward"'), "not at province"),
        (MERGE.replace('id = "merge-test"', 'id = "x"\nvictim = "Nguyễn Văn A"'), "unexpected"),
    ],
)
def test_a_malformed_change_is_a_data_file_error_naming_the_field(release, body, field):
    _write_changes(release, body)
    with pytest.raises(DataFileError, match=field) as info:
        UnitRegistry.from_directory(release)
    assert "unit-changes.toml" in str(info.value)
    assert "Nguyễn" not in str(info.value)


# -- bad files (issue 14) ---------------------------------------------------------------------


def _units(release: Path) -> dict:
    return json.loads((release / "units.json").read_text(encoding="utf-8"))


def _save(release: Path, data: object) -> None:
    (release / "units.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        (("provinces", 0, 1), ["Nguyễn Văn A"], r"entry provinces\[0\], field 'name'.*a list"),
        (("communes", 5, 1), ["Nguyễn Văn A"], r"entry communes\[5\], field 'name'.*a list"),
        (("communes", 5, 1), 5, r"field 'name': expected a non-empty string, found a number"),
        (("communes", 5, 3), None, r"field 'province': expected a 2-digit code, found null"),
        (("provinces", 0, 2), "ward", r"field 'kind': expected a province kind"),
        (("communes", 0), "Nguyễn Văn A", r"entry communes\[0\]: expected a list of 4 values"),
        (("communes",), {"a": 1}, r"field 'communes': expected a list of rows, found an object"),
    ],
)
def test_a_malformed_units_json_names_the_row_and_field_not_the_value(
    release, where, value, expected
):
    data = _units(release)
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    _save(release, data)
    with pytest.raises(DataFileError, match=expected) as info:
        UnitRegistry.from_directory(release)
    assert "Nguyễn" not in str(info.value)
    assert info.value.__cause__ is None


def test_a_deeply_nested_units_json_is_a_data_file_error(release):
    (release / "units.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(DataFileError, match="nested too deeply"):
        UnitRegistry.from_directory(release)
    nested = '{"format": 1, "provinces": ' + "[" * 100_000 + "]" * 100_000 + "}"
    (release / "units.json").write_text(nested, encoding="utf-8")
    with pytest.raises(DataFileError, match="nested too deeply"):
        UnitRegistry.from_directory(release)


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "expected"),
    [
        ("communes", 0, 4, 5, r"communes\[0\], field 'aliases': expected a list of non-empty"),
        ("communes", 0, 4, "Nguyễn", r"field 'aliases': expected a list.*found a string"),
        ("communes", 0, 4, [5], r"field 'aliases'"),
        ("districts", 0, 3, [None], r"districts\[0\], field 'aliases'"),
        ("districts", 0, 3, 7, r"districts\[0\], field 'aliases'"),
        ("communes", 0, 1, ["Nguyễn"], r"communes\[0\], field 'name'"),
        ("communes", 0, 3, "999", r"communes\[0\], field 'district': names a district"),
        ("successions", 0, 2, 10**6, r"successions\[0\], field 'note': expected an index"),
        ("successions", 0, 1, "99999", r"successions\[0\], field 'new': names a unit"),
        ("notes", 0, 1, "most", r"notes\[0\], field 'how'"),
    ],
)
def test_a_malformed_legacy_json_names_the_row_and_field_not_the_value(
    release, table, row, column, value, expected
):
    data = json.loads((DATA_DIR / "legacy.json").read_text(encoding="utf-8"))
    data[table][row][column] = value
    (release / "legacy.json").write_text(json.dumps(data), encoding="utf-8")
    registry = UnitRegistry.from_directory(release)
    with pytest.raises(DataFileError, match=expected) as info:
        registry.legacy("00001")
    assert "Nguyễn" not in str(info.value)
    assert isinstance(info.value, GovtierError)


@pytest.mark.parametrize("directory", [["data"], None, 5, b"data"])
def test_the_directory_must_be_a_path(directory):
    with pytest.raises(InvalidInputError, match="directory must be a path"):
        UnitRegistry.from_directory(directory)


def test_a_missing_or_nul_directory_is_a_clear_error(tmp_path):
    with pytest.raises(DataFileError, match=r"units\.json"):
        UnitRegistry.from_directory(tmp_path / "nowhere")
    with pytest.raises(InvalidInputError, match="NUL"):
        UnitRegistry.from_directory("data\0x")


def test_accept_must_be_a_confidence():
    with pytest.raises(InvalidInputError, match="accept"):
        UnitRegistry.from_directory(DATA_DIR, accept="partial")


def test_unit_kinds_and_levels_of_changes_agree():
    for change in UNITS.changes():
        assert change.kind is None or change.kind.level is Level.PROVINCE


# -- fuzzed files -----------------------------------------------------------------------------


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
_UNITS_JSON = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
_LEGACY_JSON = json.loads((DATA_DIR / "legacy.json").read_text(encoding="utf-8"))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_damaged_row_of_either_file_is_a_data_file_error(tmp_path, data):
    units = json.loads(json.dumps(_UNITS_JSON))
    legacy = json.loads(json.dumps(_LEGACY_JSON))
    which = data.draw(st.sampled_from(["units", "legacy"]))
    document = units if which == "units" else legacy
    table = data.draw(st.sampled_from(sorted(k for k in document if k != "format")))
    row = data.draw(st.integers(0, len(document[table]) - 1))
    column = data.draw(st.integers(0, len(document[table][row]) - 1))
    document[table][row][column] = data.draw(JSON)
    (tmp_path / "units.json").write_text(json.dumps(units), encoding="utf-8")
    (tmp_path / "legacy.json").write_text(json.dumps(legacy), encoding="utf-8")
    try:
        registry = UnitRegistry.from_directory(tmp_path)
        registry.legacy_communes()
        registry.resolve_legacy_address("Phường Phúc Xá, Quận Ba Đình, Hà Nội")
        registry.search("ba dinh")
    except (DataFileError, UnknownUnitError):
        pass


def _toml(value: object) -> str:
    """A TOML literal for a JSON-like value (null becomes an empty array)."""
    if value is None:
        return "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(["id", "unit", "what", "effective", "into", "confidence", "source"]),
    value=JSON,
)
def test_any_damaged_change_is_a_data_file_error(tmp_path, field, value):
    shutil.copy(DATA_DIR / "units.json", tmp_path / "units.json")
    lines = [line for line in MERGE.splitlines() if not line.startswith(f"{field} =")]
    lines.insert(2, f"{field} = {_toml(value)}")
    _write_changes(tmp_path, "\n".join(lines) + "\n")
    try:
        UnitRegistry.from_directory(tmp_path)
    except DataFileError as exc:
        message = str(exc)
    else:
        message = "unit-changes.toml: accepted"
    assert "unit-changes.toml" in message

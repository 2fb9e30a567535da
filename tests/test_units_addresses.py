"""Every pre-reform commune of the conversion table, written three ways, resolves to its successors.

The three styles are the ones people write:

* full: the official names, ``"Phường 12, Quận Gò Vấp, Thành phố Hồ Chí Minh"``;
* compact: abbreviated type words and province, ``"P.12, Q.Gò Vấp, TP.HCM"``;
* bare: lower case, no accents, no type words, ``"12, go vap, ho chi minh"``.

A text with its accents and type words (full and compact) must resolve to exactly the right
commune: no wrong answer, no "ambiguous", no "not found". A bare text may be ambiguous (it lost
the information that told two communes apart), but never wrong.

Run as a script to print the figures: ``python tests/test_units_addresses.py``.
"""

from __future__ import annotations

import collections
from collections.abc import Callable

import pytest

from govtier._text import fold
from govtier.errors import UnknownUnitError
from govtier.units import LegacyUnit, ResolutionStatus, UnitRegistry

UNITS = UnitRegistry.bundled()

_COMMUNE_SHORT = {"Phường": "P.", "Xã": "X.", "Thị trấn": "TT."}
_DISTRICT_SHORT = {"Quận": "Q.", "Huyện": "H.", "Thị xã": "TX.", "Thành phố": "TP."}
_PROVINCE_SHORT = {
    "Thành phố Hà Nội": "HN",
    "Thành phố Hồ Chí Minh": "TP.HCM",
    "Thành phố Hải Phòng": "TP.HP",
    "Thành phố Đà Nẵng": "TP.ĐN",
    "Thành phố Cần Thơ": "TP.CT",
    "Tỉnh Bà Rịa - Vũng Tàu": "BR-VT",
    "Tỉnh Thừa Thiên Huế": "TT-Huế",
}


def _split_type(name: str, types: dict[str, str]) -> tuple[str, str]:
    for word in sorted(types, key=len, reverse=True):
        if name.casefold().startswith(word.casefold() + " "):
            return word, name[len(word) + 1 :]
    return "", name


def full(unit: LegacyUnit) -> str:
    """The official names, commune, district and province."""
    return f"{unit.name}, {unit.district_name}, {unit.province_name}"


def compact(unit: LegacyUnit) -> str:
    """Abbreviated type words, no space after the dot, the usual short province names."""
    kind, name = _split_type(unit.name, _COMMUNE_SHORT)
    dkind, district = _split_type(unit.district_name, _DISTRICT_SHORT)
    province = _PROVINCE_SHORT.get(unit.province_name)
    if province is None:
        province = _split_type(unit.province_name, {"Tỉnh": "", "Thành phố": ""})[1]
    return f"{_COMMUNE_SHORT[kind]}{name}, {_DISTRICT_SHORT[dkind]}{district}, {province}"


def bare(unit: LegacyUnit) -> str:
    """Lower case, no accents, no type words."""
    parts = (
        _split_type(unit.name, _COMMUNE_SHORT)[1],
        _split_type(unit.district_name, _DISTRICT_SHORT)[1],
        _split_type(unit.province_name, {"Tỉnh": "", "Thành phố": ""})[1],
    )
    return ", ".join(fold(part) for part in parts)


STYLES: dict[str, Callable[[LegacyUnit], str]] = {"full": full, "compact": compact, "bare": bare}


def outcome(unit: LegacyUnit, text: str) -> str:
    """``right``, ``split``, ``ambiguous``, ``not found`` or ``wrong`` for one text."""
    try:
        result = UNITS.resolve_legacy_address(text)
    except UnknownUnitError:
        return "not found"
    expected = tuple(dict.fromkeys(s.new for s in UNITS.successors(unit.code)))
    if result.status is ResolutionStatus.AMBIGUOUS:
        return "ambiguous" if unit in result.old else "wrong"
    if result.old != (unit,) or result.units != expected:
        return "wrong"
    if result.status is ResolutionStatus.SPLIT:
        return "split" if len(expected) > 1 else "wrong"
    if result.status is ResolutionStatus.RESOLVED:
        return "right" if len(expected) == 1 else "wrong"
    return "wrong"


def table_communes() -> list[LegacyUnit]:
    """Every pre-reform commune that has a row in the conversion table."""
    return [unit for unit in UNITS.legacy_communes() if UNITS.successors(unit.code)]


def measure() -> dict[str, collections.Counter[str]]:
    """The outcome counts per style over the whole conversion table."""
    communes = table_communes()
    return {
        style: collections.Counter(outcome(unit, spell(unit)) for unit in communes)
        for style, spell in STYLES.items()
    }


def failures(style: str, allowed: set[str]) -> list[str]:
    """The texts of a style whose outcome is not allowed."""
    spell = STYLES[style]
    bad = []
    for unit in table_communes():
        text = spell(unit)
        if outcome(unit, text) not in allowed:
            bad.append(f"{unit.code} {text}")
    return bad


def test_the_conversion_table_has_10035_communes():
    assert len(table_communes()) == 10035


@pytest.mark.parametrize("style", ["full", "compact"])
def test_every_commune_with_accents_and_type_words_resolves_exactly(style):
    assert failures(style, {"right", "split"}) == []


def test_no_bare_commune_resolves_wrongly():
    assert failures("bare", {"right", "split", "ambiguous"}) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("quán thánh, ba đình, hà nội", "00013"),
        ("quan thanh, ba dinh, ha noi", "00013"),
        ("Phường Quán Thánh, Q. Ba Đình, HN", "00013"),
        ("P.Quán Thánh, Q.Ba Đình, Hanoi", "00013"),
        ("Phường Quán Thánh, Ba Đình, TP HN", "00013"),
        ("P.12, Q.Gò Vấp, TP.HCM", "26881"),
        ("Phường 12, Quận Gò Vấp, Sài Gòn", "26881"),
        ("F12, Q Gò Vấp, HCM", "26881"),
        ("Phường Ngọc Trạo, Thành phố Thanh Hóa, Tỉnh Thanh Hóa", "14779"),
        ("Phường Ngọc Trạo, TP Thanh Hóa", "14779"),
        ("Phường Ngọc Trạo, Thanh Hóa, Thanh Hóa", "14779"),
        ("Xã Minh Quán, Huyện Trấn Yên, Tỉnh Yên Bái", "04516"),
        ("Xã Minh Quân, Trấn Yên, Yên Bái", "04567"),
        ("Phường Sa Pa, Thị xã Sa Pa, Tỉnh Lào Cai", "03001"),
        ("TT P Rao, Đông Giang, Quảng Nam", "20467"),
        ("Phương Liễu, Quế Võ, Bắc Ninh", "09265"),
        ("Tịnh Phong, Sơn Tịnh, Quảng Ngãi", "21181"),
        ("Xà Phiên, Long Mỹ, Hậu Giang", "31495"),
        ("Huyền Hội, Càng Long, Trà Vinh", "29278"),
        ("Phường 1, Quận Tân Bình, Ho Chi Minh City, Vietnam", "26977"),
        ("P1, Q.Tân Bình, Saigon", "26977"),
        ("Phường 1, Vũng Tàu, BR-VT", "26506"),
        ("Phường Vĩnh Ninh, TP Huế, TT-Huế", None),
    ],
)
def test_usual_writings_of_an_old_address(text, code):
    result = UNITS.resolve_legacy_address(text)
    if code is None:  # any one commune of that name in that place
        assert len(result.old) == 1, result.reason
        code = result.old[0].code
        assert fold(result.old[0].name) == fold(text.split(",")[0])
    assert result.old == (UNITS.legacy(code),), result.reason


def test_a_district_named_like_its_province_needs_its_type_word_or_place():
    # Ngọc Trạo is a ward of both Thành phố Thanh Hóa and Thị xã Bỉm Sơn: "Thanh Hóa" alone
    # could be the province, so both stay; "TP Thanh Hóa" is the district.
    result = UNITS.resolve_legacy_address("Phường Ngọc Trạo, Thanh Hóa")
    assert result.status is ResolutionStatus.AMBIGUOUS
    assert {c.code for c in result.old} == {"14779", "14818"}


def test_initials_shared_by_provinces_narrow_to_all_of_them():
    # ĐN is Đà Nẵng, Đồng Nai or Đắk Nông; the district decides.
    result = UNITS.resolve_legacy_address("P.Hải Châu, Q.Hải Châu, ĐN")
    assert result.old[0].province_name == "Thành phố Đà Nẵng"


if __name__ == "__main__":
    for style, counts in measure().items():
        total = sum(counts.values())
        cells = ", ".join(
            f"{key} {counts[key]}" for key in ("right", "split", "ambiguous", "not found", "wrong")
        )
        print(f"{style:<8} {total:>6}: {cells}")

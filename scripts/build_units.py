"""Build govtier's bundled administrative-unit data from the shared source files.

Usage::

    python scripts/build_units.py ../shared/data/admin-units src/govtier/data

Reads ``units-from-2025-07-01.json``, ``communes-before-2025-07-01.csv`` and
``conversion-2025-07-01.csv`` from the source directory and writes two compact files, one row per
line so that diffs stay reviewable:

* ``units.json``  — the 34 provinces and 3,321 communes in force from 2025-07-01 (loaded first);
* ``legacy.json`` — pre-reform provinces, districts and communes and the old→new conversion
  (loaded only when a succession or legacy method is first used).

The output is deterministic: running the script twice gives byte-identical files. It prints the
counts and every correction it made; the same facts belong in ``PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from govtier._text import fold  # the package's own folding, so keys agree

FORMAT = 1
PROVINCE_KINDS = {"thành phố trung ương": "city", "tỉnh": "province"}
COMMUNE_KINDS = {"phường": "ward", "xã": "commune", "đặc khu": "special_zone"}
LEGACY_PREFIXES = ("Thị trấn", "Phường", "Xã", "Đặc khu")
CODED = re.compile(r"^(?P<name>.*?)\s*\((?P<code>\d+)\)$")


class BuildError(Exception):
    """The source data breaks an assumption the build relies on."""


def clean(text: str) -> str:
    """Collapse whitespace (the sources carry trailing spaces, newlines and double spaces)."""
    return " ".join(text.split())


def normalise_legacy_name(name: str) -> str:
    """Fix the case of a type word (``Thị Trấn`` → ``Thị trấn``, ``Thị Xã`` → ``Thị xã``)."""
    name = clean(name)
    for wrong, right in (("Thị Trấn ", "Thị trấn "), ("Thị Xã ", "Thị xã ")):
        if name.startswith(wrong):
            name = right + name[len(wrong) :]
    return name


def legacy_kind(name: str) -> str | None:
    """The Vietnamese type word a legacy commune name starts with, or ``None``."""
    for prefix in LEGACY_PREFIXES:
        if name.startswith(prefix + " "):
            return prefix
    return None


def how_from_note(note: str) -> str:
    """Classify a conversion-table note as ``whole``, ``part`` or ``unchanged``."""
    folded = fold(note)
    if folded.startswith("giu nguyen"):
        return "unchanged"
    if "mot phan" in folded or folded.startswith("phan con lai"):
        return "part"
    if "toan bo" in folded or folded in ("doi ten", "doi loai hinh"):
        return "whole"
    raise BuildError(f"unknown conversion note {note!r}")


def coded(text: str, *, what: str) -> tuple[str, str]:
    """Split ``"Quận Ba Đình (001)"`` into ``("Quận Ba Đình", "001")``."""
    match = CODED.match(clean(text))
    if match is None:
        raise BuildError(f"{what} without a code in parentheses: {text!r}")
    return match["name"], match["code"]


def read_new_units(source: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Provinces ``[code, name, kind]`` and communes ``[code, name, kind, province]``."""
    raw = json.loads((source / "units-from-2025-07-01.json").read_text(encoding="utf-8"))
    provinces: list[list[str]] = []
    communes: list[list[str]] = []
    for province in raw:
        pcode = f"{int(province['code']):02d}"
        provinces.append(
            [pcode, clean(province["name"]), PROVINCE_KINDS[province["division_type"]]]
        )
        for ward in province["wards"]:
            communes.append(
                [
                    f"{int(ward['code']):05d}",
                    clean(ward["name"]),
                    COMMUNE_KINDS[ward["division_type"]],
                    pcode,
                ]
            )
    provinces.sort()
    communes.sort()
    return provinces, communes


def read_old_list(source: Path) -> list[dict[str, str]]:
    """The pre-reform commune list (rows without a commune code are island districts)."""
    with (source / "communes-before-2025-07-01.csv").open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        return [
            {
                "province": clean(row["Tỉnh Thành Phố"]),
                "province_code": row["Mã TP"].strip(),
                "district": normalise_legacy_name(row["Quận Huyện"]),
                "district_code": row["Mã QH"].strip(),
                "name": normalise_legacy_name(row["Phường Xã"]),
                "code": row["Mã PX"].strip(),
                "kind": clean(row["Cấp"]),
            }
            for row in reader
        ]


def read_conversion(source: Path) -> list[dict[str, str]]:
    """The conversion table's data rows (header and caption rows dropped)."""
    rows: list[dict[str, str]] = []
    with (source / "conversion-2025-07-01.csv").open(encoding="utf-8", newline="") as file:
        for line_no, row in enumerate(csv.reader(file), start=1):
            if len(row) < 8 or not re.fullmatch(r"\d{5}", row[2].strip()):
                continue
            rows.append(
                {
                    "line": str(line_no),
                    "new_name": clean(row[1]),
                    "new_code": row[2].strip(),
                    "old_name": normalise_legacy_name(row[3]),
                    "old_code": row[4].strip(),
                    "note": clean(row[5]),
                    "district": normalise_legacy_name(row[6]),
                    "old_province": clean(row[7]),
                }
            )
    return rows


def build(source: Path) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Read the sources; return (units data, legacy data, report lines)."""
    report: list[str] = []
    provinces, communes = read_new_units(source)
    new_codes = {row[0]: row for row in communes}
    new_names = {row[0]: row[1] for row in communes}
    if len(new_codes) != len(communes):
        raise BuildError("duplicate commune code in units-from-2025-07-01.json")

    old_rows = read_old_list(source)
    old_by_code = {row["code"]: row for row in old_rows if row["code"]}
    old_provinces: dict[str, str] = {}
    districts: dict[str, dict[str, Any]] = {}
    for row in old_rows:
        old_provinces.setdefault(row["province_code"], row["province"])
        districts.setdefault(
            row["district_code"],
            {"name": row["district"], "province": row["province_code"], "aliases": set()},
        )

    conversion = read_conversion(source)

    # 1. Obvious code typos: one old code given to two differently named communes, where the
    #    other name belongs (in the old list, same district) to a code absent from the table.
    names_by_code: dict[str, set[str]] = defaultdict(set)
    for row in conversion:
        if row["old_code"]:
            names_by_code[row["old_code"]].add(fold(row["old_name"]))
    in_table = {row["old_code"] for row in conversion if row["old_code"]}
    for row in conversion:
        code = row["old_code"]
        if not code or len(names_by_code[code]) < 2 or code not in old_by_code:
            continue
        if fold(row["old_name"]) == fold(old_by_code[code]["name"]):
            continue
        district = coded(row["district"], what="district")[1]
        matches = [
            other
            for other in old_rows
            if other["code"]
            and other["district_code"] == district
            and fold(other["name"]) == fold(row["old_name"])
        ]
        if len(matches) != 1:
            raise BuildError(f"line {row['line']}: code {code} names two communes; cannot fix")
        fixed = matches[0]["code"]
        report.append(
            f"conversion line {row['line']}: {row['old_name']} had code {code} "
            f"(which is {old_by_code[code]['name']}); corrected to {fixed} from the old list"
            + ("" if fixed in in_table else " (otherwise missing from the table)")
        )
        row["old_code"] = fixed

    # 2. Notes → how.
    notes: dict[str, str] = {}
    for row in conversion:
        notes.setdefault(row["note"], how_from_note(row["note"]))
    note_list = sorted(notes)
    note_index = {note: index for index, note in enumerate(note_list)}

    # 3. Legacy communes: the old list, overlaid with the table's state on 2025-06-30.
    legacy: dict[str, dict[str, Any]] = {}
    for row in old_rows:
        if row["code"]:
            legacy[row["code"]] = {
                "name": row["name"],
                "district": row["district_code"],
                "aliases": set(),
            }
    successions: list[list[Any]] = []
    areas: list[list[Any]] = []
    seen_pairs: set[tuple[str, str]] = set()
    for row in conversion:
        if row["new_code"] not in new_codes:
            raise BuildError(f"line {row['line']}: new code {row['new_code']} is not a 2025 unit")
        district_name, district_code = coded(row["district"], what="district")
        if district_code not in districts:
            raise BuildError(f"line {row['line']}: unknown old district {row['district']!r}")
        if district_name != districts[district_code]["name"]:
            # The table names the district as it stood on 2025-06-30 (e.g. a new town).
            districts[district_code]["aliases"].add(districts[district_code]["name"])
            districts[district_code]["name"] = district_name
        _, table_province = coded(row["old_province"], what="old province")
        if table_province != districts[district_code]["province"]:
            report.append(
                f"conversion line {row['line']}: old province column says "
                f"{row['old_province']!r} but district {district_code} belongs to "
                f"{old_provinces[districts[district_code]['province']]} "
                f"({districts[district_code]['province']}); the old list is followed"
            )
        code = row["old_code"]
        if not code:
            description = row["old_name"] or district_name
            areas.append([district_code, description, row["new_code"], note_index[row["note"]]])
            continue
        name = row["old_name"] if legacy_kind(row["old_name"]) else None
        entry = legacy.get(code)
        if entry is None:
            if name is None:
                raise BuildError(f"line {row['line']}: {row['old_name']!r} has no type word")
            legacy[code] = {"name": name, "district": district_code, "aliases": set()}
            report.append(
                f"old code {code} ({name}, {district_name}) is in the conversion table but not in "
                "the old list (created between 2025-01 and 2025-06); taken from the table"
            )
        else:
            if entry["district"] != district_code:
                raise BuildError(f"line {row['line']}: old code {code} in two districts")
            if name is not None and name != entry["name"]:
                if fold(name) != fold(entry["name"]):
                    entry["aliases"].add(entry["name"])
                entry["name"] = name
        if (code, row["new_code"]) in seen_pairs:
            raise BuildError(f"line {row['line']}: pair {code}→{row['new_code']} repeated")
        seen_pairs.add((code, row["new_code"]))
        successions.append([code, row["new_code"], note_index[row["note"]]])

    for entry in legacy.values():
        entry["aliases"].discard(entry["name"])
        if legacy_kind(entry["name"]) is None:
            raise BuildError(f"legacy name without a type word: {entry['name']!r}")

    # 4. Old provinces → new provinces (every old province went whole into one new one).
    province_targets: dict[str, set[str]] = defaultdict(set)
    for old, new, _ in successions:
        province_targets[districts[legacy[old]["district"]]["province"]].add(new_codes[new][3])
    for district_code, _, new, _ in areas:
        province_targets[districts[district_code]["province"]].add(new_codes[new][3])
    legacy_provinces = []
    for code, name in sorted(old_provinces.items()):
        targets = province_targets.get(code, set())
        if len(targets) != 1:
            raise BuildError(f"old province {code} {name} maps to {sorted(targets)}")
        legacy_provinces.append([code, name, targets.pop()])

    # 5. Checks and counts worth reporting.
    unchanged_renamed = [
        (old, new)
        for old, new, note in successions
        if notes[note_list[note]] == "unchanged" and old != new
    ]
    if unchanged_renamed:
        raise BuildError(f"'Giữ nguyên' rows with a new code: {unchanged_renamed[:5]}")
    for old, new, note in successions:
        if notes[note_list[note]] == "unchanged" and fold(legacy[old]["name"]) != fold(
            new_names[new]
        ):
            report.append(
                f"'Giữ nguyên' {old}: old name {legacy[old]['name']!r}, new {new_names[new]!r}"
            )
    targets_by_old: dict[str, set[str]] = defaultdict(set)
    hows_by_old: dict[str, list[str]] = defaultdict(list)
    for old, new, note in successions:
        targets_by_old[old].add(new)
        hows_by_old[old].append(notes[note_list[note]])
    split = sorted(old for old, targets in targets_by_old.items() if len(targets) > 1)
    for old in split:
        if "whole" in hows_by_old[old]:
            report.append(
                f"old code {old} ({legacy[old]['name']}) goes to {len(targets_by_old[old])} new "
                "units, yet one row says merged whole"
            )
    not_converted = sorted(code for code in legacy if code not in targets_by_old)
    for code in not_converted:
        entry = legacy[code]
        report.append(
            f"old code {code} ({entry['name']}, {districts[entry['district']]['name']}) is in the "
            "old list but not in the conversion table (merged before 2025-07-01); no successor"
        )

    units_data = {"format": FORMAT, "provinces": provinces, "communes": communes}
    legacy_data = {
        "format": FORMAT,
        "provinces": legacy_provinces,
        "districts": [
            [code, d["name"], d["province"], sorted(d["aliases"])]
            for code, d in sorted(districts.items())
        ],
        "communes": [
            [code, e["name"], legacy_kind(e["name"]), e["district"], sorted(e["aliases"])]
            for code, e in sorted(legacy.items())
        ],
        "notes": [[note, notes[note]] for note in note_list],
        "successions": successions,
        "areas": areas,
    }
    kinds = Counter(row[2] for row in communes)
    hows = Counter(notes[note_list[note]] for _, _, note in successions)
    conversion_line = (
        f"conversion rows: {len(conversion)}; successions: {len(successions)} "
        f"({dict(sorted(hows.items()))}); rows without an old commune: {len(areas)}"
    )
    split_line = (
        f"old codes in the table: {len(targets_by_old)}; split between several new units: "
        f"{len(split)}; old-list codes with no successor: {len(not_converted)}"
    )
    report[:0] = [
        f"provinces: {len(provinces)} ({Counter(row[2] for row in provinces)})",
        f"communes: {len(communes)} ({dict(sorted(kinds.items()))})",
        f"legacy provinces: {len(legacy_provinces)}, districts: {len(districts)}, communes: "
        + str(len(legacy)),
        conversion_line,
        split_line,
    ]
    return units_data, legacy_data, report


def dump(data: dict[str, Any]) -> str:
    """JSON with sorted keys and one array row per line."""
    parts = ["{"]
    keys = sorted(data)
    for position, key in enumerate(keys):
        comma = "," if position < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list):
            rows = [json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in value]
            body = ",\n".join(f"  {row}" for row in rows)
            parts.append(
                f"{json.dumps(key)}: [\n{body}\n]{comma}" if rows else f'"{key}": []{comma}'
            )
        else:
            parts.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    parts.append("}")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    """Command-line entry point."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    try:
        units_data, legacy_data, report = build(source)
    except BuildError as exc:
        print(f"build_units: {exc}", file=sys.stderr)
        return 1
    target.mkdir(parents=True, exist_ok=True)
    (target / "units.json").write_text(dump(units_data), encoding="utf-8")
    (target / "legacy.json").write_text(dump(legacy_data), encoding="utf-8")
    for line in report:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Fuzzing every entry point that takes outside input.

The property is always the same: a valid result, or a ``GovtierError`` whose message names the input
(the file, the code, the text) — nothing else escapes. ``make test`` runs a bounded budget;
``make fuzz`` (HYPOTHESIS_PROFILE=fuzz) runs many more inputs. Inputs that once crashed are kept
as explicit examples.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govtier import (
    Catalogue,
    DataFileError,
    Duration,
    GovtierError,
    RuleSet,
    UnitRegistry,
    WorkingCalendar,
)
from govtier.calendar import load_notices
from govtier.cli import main as cli_main
from govtier.dossier import DossierCode
from govtier.scenarios import main_check_rules

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


def _bundled(name: str) -> dict[str, Any]:
    text = resources.files("govtier").joinpath("data", name).read_text(encoding="utf-8")
    return tomllib.loads(text)


CATALOGUE = _bundled("catalogue.toml")
RULES = _bundled("rules.toml")
SCENARIOS = _bundled("scenarios/bundled.scenarios.toml")


def _mutate(data: dict[str, Any], table: str, draw: st.DrawFn) -> dict[str, Any]:
    """Replace, drop or add one field of one entry of ``data[table]``."""
    entries = [dict(e) for e in data[table]]
    index = draw(st.integers(0, len(entries) - 1))
    entry = entries[index]
    keys = sorted(entry)
    action = draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "replace":
        entry[draw(st.sampled_from(keys))] = draw(json_values)
    elif action == "drop":
        entry.pop(draw(st.sampled_from(keys)))
    else:
        entry[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    entries[index] = entry
    return {**data, table: entries}


def _json_safe(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(_json_safe(data), ensure_ascii=False), encoding="utf-8")
    return path


def _names_the_file(exc: BaseException, path: Path) -> None:
    assert isinstance(exc, GovtierError), repr(exc)
    assert path.name in str(exc), str(exc)


@FUZZ
@given(data=st.data())
def test_catalogue_loader(tmp_path: Path, data: st.DataObject) -> None:
    """A mutated catalogue either loads or raises a DataFileError naming the file."""
    mutated = data.draw(st.composite(lambda draw: _mutate(CATALOGUE, "procedure", draw))())
    path = _write(tmp_path / "province.catalogue.json", mutated)
    try:
        catalogue = Catalogue.load(path)
    except Exception as exc:
        _names_the_file(exc, path)
    else:
        assert catalogue.procedures


@FUZZ
@given(data=st.data())
def test_rules_loader(tmp_path: Path, data: st.DataObject) -> None:
    """A mutated rule file either loads or raises a GovtierError naming the file."""
    path = tmp_path / "province.rules.json"
    _write(path, data.draw(st.composite(lambda draw: _mutate(RULES, "rule", draw))()))
    try:
        rules = RuleSet.load(path)
    except Exception as exc:
        assert isinstance(exc, GovtierError), repr(exc)
        assert path.name in str(exc) or "conflict" in str(exc).lower() or "overlap" in str(exc)
    else:
        assert rules.rules


@FUZZ
@given(value=json_values)
@example(
    value={"notices": [{"id": "x", "title": "t", "document": "d", "days_off": ["2026-02-30"]}]}
)
@example(value={"notices": [None]})
@example(value=[])
def test_notices_loader(tmp_path: Path, value: Any) -> None:
    """Arbitrary JSON as a notices file either loads or raises a DataFileError naming the file."""
    path = _write(tmp_path / "notices.json", value)
    try:
        load_notices(path)
    except Exception as exc:
        _names_the_file(exc, path)


@FUZZ
@given(raw=st.binary(max_size=300))
def test_notices_loader_bytes(tmp_path: Path, raw: bytes) -> None:
    """Arbitrary bytes as a TOML file: a DataFileError naming the file, or a valid result."""
    path = tmp_path / "bytes.toml"
    path.write_bytes(raw)
    try:
        load_notices(path)
    except Exception as exc:
        _names_the_file(exc, path)


@FUZZ
@given(data=st.data())
def test_scenario_files(tmp_path: Path, data: st.DataObject) -> None:
    """A mutated scenario file gives exit status 0, 1 or 2, never an exception."""
    path = tmp_path / "x.scenarios.json"
    _write(path, data.draw(st.composite(lambda draw: _mutate(SCENARIOS, "scenario", draw))()))
    out, err = io.StringIO(), io.StringIO()
    status = main_check_rules([str(path)], out=out, err=err)
    assert status in (0, 1, 2)


@FUZZ
@given(code=st.text(max_size=8) | st.from_regex(r"\A[0-9]{1,6}\Z"))
@example(code="")
@example(code="0000\x00")
@example(code="٠٠٠٠٤")  # Arabic-Indic digits are digits to str.isdigit, not to a code
def test_unit_codes(code: str) -> None:
    """get(code) returns a unit or raises an error that quotes the code."""
    registry = UnitRegistry.bundled()
    try:
        unit = registry.get(code)
    except GovtierError as exc:
        assert repr(code) in str(exc), str(exc)
    else:
        assert unit.code == code


@FUZZ
@given(code=st.text(max_size=8))
def test_legacy_codes(code: str) -> None:
    """legacy() and successors() take any text without crashing."""
    registry = UnitRegistry.bundled()
    for lookup in (registry.legacy, registry.successors):
        try:
            lookup(code)
        except GovtierError as exc:
            assert repr(code) in str(exc), str(exc)


@FUZZ
@given(text=st.text(max_size=40), province=st.none() | st.text(max_size=10))
@example(text="đ", province=None)
@example(text="P.", province=None)
@example(text="Tp. Hồ Chí Minh", province="")
def test_search_text(text: str, province: str | None) -> None:
    """search() returns hits or raises an error naming the text or the province."""
    try:
        hits = UnitRegistry.bundled().search(text, province=province)
    except GovtierError as exc:
        assert repr(text) in str(exc) or repr(province) in str(exc), str(exc)
    else:
        assert len(hits) <= 10


@FUZZ
@given(text=st.text(max_size=60))
@example(text="Phường Phúc Xá, Quận Ba Đình, Hà Nội")
@example(text=",,,")
def test_legacy_addresses(text: str) -> None:
    """resolve_legacy_address() takes any text."""
    with contextlib.suppress(GovtierError):
        UnitRegistry.bundled().resolve_legacy_address(text)


@FUZZ
@given(text=st.text(max_size=40))
def test_duration_and_dossier_code_text(text: str) -> None:
    """Duration.parse and DossierCode.parse quote the text they refuse."""
    for parse in (Duration.parse, DossierCode.parse):
        try:
            parse(text)
        except GovtierError as exc:
            assert repr(text) in str(exc), str(exc)


@FUZZ
@given(day=st.dates(), n=st.integers(-(10**6), 10**6))
def test_calendar_arithmetic(day: dt.date, n: int) -> None:
    """add_working_days on any date and count: a working day, or an OutOfRangeError."""
    cal = WorkingCalendar.vietnam()
    try:
        result = cal.add_working_days(day, n)
    except GovtierError as exc:
        assert "range" in str(exc)
    else:
        assert cal.is_working_day(result)


words = st.sampled_from(
    [
        "units",
        "search",
        "show",
        "successors",
        "calendar",
        "why",
        "add",
        "between",
        "deadline",
        "authority",
        "catalogue",
        "validate",
        "--json",
        "--on",
        "--limit",
        "--province",
        "--channel",
        "00004",
        "79",
        "2026-01-02",
        "2026-02-30",
        "3 working days",
        "residence.permanent",
        "-1",
        "",
    ]
)


@FUZZ
@given(argv=st.lists(words | st.text(max_size=12), max_size=6))
@example(argv=["units", "search", ""])
@example(argv=["calendar", "add", "2026-01-02", "99999999"])
@example(argv=["units", "search", "x", "--limit", "-1"])
def test_cli_arguments(argv: list[str]) -> None:
    """Any argument list gives exit status 0 or 2, with one line on stderr for 2."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli_main(argv, out=out)
        except SystemExit as exc:  # argparse exits for usage errors and --help
            status = int(exc.code or 0)
    assert status in (0, 2), (argv, status, err.getvalue())
    if status == 2:
        assert err.getvalue().startswith(("govtier: error:", "usage:")), err.getvalue()


def test_damaged_catalogue_entry_names_entry_and_field(tmp_path: Path) -> None:
    """A regression kept from fuzzing: a list where a duration is expected names the field."""
    data = {**CATALOGUE, "procedure": [dict(CATALOGUE["procedure"][0], time_limit=[1, 2])]}
    path = _write(tmp_path / "one.json", data)
    with pytest.raises(DataFileError) as caught:
        Catalogue.load(path)
    message = str(caught.value)
    assert "one.json" in message
    assert "time_limit" in message

"""Scenario files: the bundled ones pass; the runner, the CLI entry and the pytest plugin."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from govtier.errors import DataFileError
from govtier.jurisdiction import RuleSet
from govtier.scenarios import (
    bundled_scenario_files,
    load_scenarios,
    main_check_rules,
    run_file,
    run_scenario,
)

pytest_plugins = ["pytester"]

_BUNDLED = [
    pytest.param(path, scenario, id=f"{path.name}:{scenario.index}:{scenario.name}")
    for path in bundled_scenario_files()
    for scenario in load_scenarios(path).scenarios
]


def test_bundled_scenario_files_exist() -> None:
    assert len(_BUNDLED) >= 25


@pytest.mark.parametrize(("path", "scenario"), _BUNDLED)
def test_bundled_scenario(path: Path, scenario: object) -> None:
    del path
    result = run_scenario(scenario, RuleSet.bundled())  # type: ignore[arg-type]
    assert result.passed, result.report()


HANOI_RULES = """
[[rule]]
id = "hn.business-household.faster"
procedures = ["business-household.registration"]
provinces = ["01"]
valid_from = 2026-01-01
time_limit = "2 working days"
confidence = "C"
legal_basis = [{ document = "Quyết định ví dụ 1/2026/QĐ-UBND" }]
"""

HANOI_SCENARIOS = """
[setup]
rules = ["hn.rules.toml"]

[[scenario]]
name = "Hà Nội is faster"
procedure = "business-household.registration"
unit = "00004"
date = 2026-01-05
expect = { role = "commune_business_registration", time_limit = "2 working days" }

[[scenario]]
name = "wrong on purpose"
procedure = "business-household.registration"
unit = "26737"
date = 2026-01-05
expect = { role = "commune_police", time_limit = "2 working days", intake = "any_in_province" }
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_failure_shows_expected_and_actual_side_by_side(tmp_path: Path) -> None:
    _write(tmp_path, "hn.rules.toml", HANOI_RULES)
    path = _write(tmp_path, "hn.scenarios.toml", HANOI_SCENARIOS)
    ok, bad = run_file(path)
    assert ok.passed
    assert not bad.passed
    assert [m.field for m in bad.mismatches] == ["role", "time_limit"]
    report = bad.report()
    lines = report.splitlines()
    assert lines[0].startswith("FAIL ")
    assert "wrong on purpose" in lines[0]
    header = lines[1].split()
    assert header == ["field", "expected", "actual"]
    assert lines[2].split() == ["role", "commune_police", "commune_business_registration"]
    assert lines[3].split() == ["time_limit", "2", "working", "days", "3", "working", "days"]
    assert "Rules:" in report
    assert ok.report().startswith("ok ")


def test_expected_errors(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "e.scenarios.toml",
        """
[[scenario]]
name = "expects an error, gets one"
procedure = "civil-status.birth"
unit = "00007"
date = 2025-08-01
expect = { error = "NoCompetentAuthorityError", message = "split" }

[[scenario]]
name = "expects an error, gets an assignment"
procedure = "civil-status.birth"
unit = "00004"
date = 2025-08-01
expect = { error = "NoCompetentAuthorityError" }

[[scenario]]
name = "expects an assignment, gets an error"
procedure = "civil-status.birth"
unit = "00007"
date = 2025-08-01
expect = { role = "commune_peoples_committee" }
""",
    )
    first, second, third = run_file(path)
    assert first.passed
    assert second.mismatches[0].actual.startswith("no error")
    assert third.mismatches[0].expected == "no error"
    assert third.error is not None
    assert third.error.startswith("AmbiguousUnitError")


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ('procedure = "x"\nunit = "00004"\ndate = 2025-08-01', "expect", "is required"),
        (
            'procedure = "x"\nunit = "00004"\ndate = 2025-08-01\nexpect = { colour = "red" }',
            "expect.colour",
            "unknown field",
        ),
        (
            'procedure = "x"\nunit = "00004"\ndate = 2025-08-01\nexpect = { role = "mayor" }',
            "expect.role",
            "must be one of",
        ),
        (
            'procedure = "x"\nunit = "00004"\ndate = 2025-08-01\nexpect = { time_limit = "soon" }',
            "expect.time_limit",
            "time limit looks like",
        ),
        ('procedure = "x"\nunit = "00004"\nexpect = { level = "commune" }', "date", "is required"),
        (
            'procedure = "x"\nunit = "00004"\ndate = 2025-08-01\nexpect = {}',
            "expect",
            "expects nothing",
        ),
    ],
)
def test_malformed_scenarios(tmp_path: Path, body: str, field: str, problem: str) -> None:
    path = _write(tmp_path, "bad.scenarios.toml", '[[scenario]]\nname = "n"\n' + body + "\n")
    with pytest.raises(DataFileError, match=problem) as info:
        load_scenarios(path)
    assert info.value.path == str(path)
    assert info.value.entry == "0 (n)"
    assert info.value.field == field


def test_check_rules_passes_on_the_bundled_scenarios() -> None:
    out, err = io.StringIO(), io.StringIO()
    paths = [str(p) for p in bundled_scenario_files()]
    assert main_check_rules(paths, out=out, err=err) == 0
    assert "0 failed" in out.getvalue()
    assert not err.getvalue()


def test_check_rules_on_a_province_with_a_failing_scenario(tmp_path: Path) -> None:
    rules = _write(tmp_path, "hn.rules.toml", HANOI_RULES)
    scenarios = _write(tmp_path, "hn.scenarios.toml", HANOI_SCENARIOS)
    out, err = io.StringIO(), io.StringIO()
    status = main_check_rules([str(rules), str(scenarios)], out=out, err=err)
    text = out.getvalue()
    assert status == 1
    assert "loaded 29 procedures" in text
    assert "note: civil-status.birth v2: no competence rule for 2027-03-01.." in text
    assert "FAIL" in text
    assert "1 scenarios passed, 1 failed" in text


def test_check_rules_errors(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert main_check_rules([], out=out, err=err) == 2
    assert "usage" in err.getvalue()
    other = _write(tmp_path, "other.toml", "x = 1\n")
    assert main_check_rules([str(other)], out=out, err=err) == 1
    assert "not a catalogue" in err.getvalue()
    bad = _write(tmp_path, "bad.rules.toml", '[[rule]]\nid = "r"\n')
    assert main_check_rules([str(bad)], out=out, err=err) == 1
    assert "bad.rules.toml, entry 0 (r)" in err.getvalue()


def test_check_rules_uses_command_line_rules_for_files_without_setup(tmp_path: Path) -> None:
    rules = _write(tmp_path, "hn.rules.toml", HANOI_RULES)
    scenarios = _write(tmp_path, "plain.scenarios.toml", HANOI_SCENARIOS.split("\n", 3)[3])
    out = io.StringIO()
    assert main_check_rules([str(rules), str(scenarios)], out=out, err=io.StringIO()) == 1
    assert "1 scenarios passed" in out.getvalue()
    out = io.StringIO()
    assert main_check_rules([str(scenarios)], out=out, err=io.StringIO()) == 1
    assert "0 scenarios passed, 2 failed" in out.getvalue()  # bundled rules: 3 working days


def test_pytest_plugin_collects_scenario_files(pytester: pytest.Pytester) -> None:
    _write(pytester.path, "hn.rules.toml", HANOI_RULES)
    _write(pytester.path, "hn.scenarios.toml", HANOI_SCENARIOS)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider"
    )  # the plugin is registered by its entry point
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*FAIL*wrong on purpose*",
            "*field*expected*actual*",
            "*role*commune_police*commune_business_registration*",
        ]
    )


def test_pytest_plugin_reports_a_malformed_file(pytester: pytest.Pytester) -> None:
    _write(pytester.path, "bad.scenarios.toml", "[[scenario]]\nname = 1\n")
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider"
    )  # the plugin is registered by its entry point
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*bad.scenarios.toml*"])


# -- issue 16 item 6: every bundled procedure has scenarios ------------------------------------


def _bundled_scenarios() -> list[object]:
    return [s for path in bundled_scenario_files() for s in load_scenarios(path).scenarios]


def test_every_bundled_procedure_has_a_scenario_that_says_how_long() -> None:
    import datetime as dt

    from govtier.catalogue import Catalogue

    scenarios = _bundled_scenarios()
    named = {s.procedure for s in scenarios}  # type: ignore[attr-defined]
    timed = {
        s.procedure  # type: ignore[attr-defined]
        for s in scenarios
        if {"time_limit", "due"} & {k for k, _ in s.expect}  # type: ignore[attr-defined]
    }
    catalogue = Catalogue.bundled()
    assert set(catalogue.ids) <= named
    assert {p.id for p in catalogue.on(dt.date(2026, 12, 1))} <= timed


def test_bundled_scenarios_cover_tet_the_reform_and_intake() -> None:
    import datetime as dt

    scenarios = _bundled_scenarios()
    tet = [s for s in scenarios if s.received and s.received.date() == dt.date(2026, 2, 13)]  # type: ignore[attr-defined]
    assert len(tet) >= 10
    before = [s for s in scenarios if s.on < dt.date(2025, 7, 1)]  # type: ignore[attr-defined]
    assert len(before) >= 8
    keys = {k for s in scenarios for k, _ in s.expect}  # type: ignore[attr-defined]
    assert {"due", "receivable_at", "refused_at"} <= keys


def test_due_and_intake_expectations_fail_when_wrong(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "wrong.scenarios.toml",
        """
[[scenario]]
name = "wrong due and wrong intake"
procedure = "business-household.registration"
unit = "20242"
date = 2026-02-13
received = 2026-02-13T10:00:00+07:00
expect = { due = 2026-02-18T17:00:00+07:00, receivable_at = ["19975"], refused_at = ["20194"] }
""",
    )
    (result,) = run_file(path)
    assert not result.passed
    fields = {m.field: m for m in result.mismatches}
    assert fields["due"].actual == "2026-02-25T17:00:00+07:00"
    assert "19975" in fields["receivable_at"].actual
    assert "20194" in fields["refused_at"].actual


def test_due_needs_the_moment_of_receipt(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "bad.scenarios.toml",
        """
[[scenario]]
procedure = "business-household.registration"
unit = "20242"
date = 2026-02-13
expect = { due = 2026-02-25T17:00:00+07:00 }
""",
    )
    with pytest.raises(DataFileError, match="needs the moment of receipt"):
        load_scenarios(path)

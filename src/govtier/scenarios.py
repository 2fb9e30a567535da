"""Scenario files: table-driven tests of a catalogue and its competence rules.

A scenario file (TOML, named ``*.scenarios.toml``) lists ``[[scenario]]`` entries: given a
procedure, a unit, a date and a channel, the expected competent authority, intake scope and time
limit (or the expected error). The same runner serves the pytest plugin
(:mod:`govtier.pytest_plugin`) and the command line (``python -m govtier check-rules``), and shows
a failure as expected against actual, side by side.

>>> from govtier.scenarios import bundled_scenario_files, run_file
>>> results = [r for path in bundled_scenario_files() for r in run_file(path)]
>>> all(r.passed for r in results), len(results) > 20
(True, True)
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

import attrs

from govtier._data import read_data_file
from govtier._entries import EntryReader, parse_enum
from govtier._guard import shown, shown_names
from govtier.catalogue import Catalogue, Channel
from govtier.deadlines import Duration
from govtier.errors import DataFileError, GovtierError, InvalidInputError
from govtier.jurisdiction import AgencyRole, Assignment, IntakeScope, RuleSet
from govtier.units import Level

__all__ = [
    "SCENARIO_SUFFIX",
    "Mismatch",
    "Scenario",
    "ScenarioFile",
    "ScenarioResult",
    "bundled_scenario_files",
    "load_scenarios",
    "main_check_rules",
    "run_file",
    "run_scenario",
]

SCENARIO_SUFFIX: Final = ".scenarios.toml"
"""The file-name ending the pytest plugin collects."""

_EXPECT_KEYS: Final = frozenset(
    {
        "level",
        "role",
        "unit",
        "unit_name",
        "agency",
        "intake",
        "time_limit",
        "procedure_version",
        "steps",
        "rules",
        "confidence",
        "subject",
        "error",
        "message",
        "due",
        "receivable_at",
        "refused_at",
    }
)
_SCENARIO_KEYS: Final = frozenset(
    {"name", "procedure", "unit", "date", "channel", "expect", "received"}
)
_SETUP_KEYS: Final = frozenset({"catalogue", "rules", "bundled"})


@attrs.frozen(kw_only=True)
class Scenario:
    """One row of a scenario file.

    Attributes:
        name: what the scenario checks.
        procedure: a procedure id or national code.
        unit: a unit code.
        on: the date.
        channel: the channel.
        expect: the expected values, by key (see the "Catalogue and rules" docs page).
        path: the file it came from.
        index: its position in the file.
        received: the moment of receipt, for ``expect.due`` (the due moment on the national
            calendar); ``None`` when the scenario does not ask how long.
    """

    name: str
    procedure: str
    unit: str
    on: dt.date
    channel: Channel = Channel.IN_PERSON
    expect: tuple[tuple[str, Any], ...]
    path: str = "<data>"
    index: int = 0
    received: dt.datetime | None = None


@attrs.frozen(kw_only=True)
class Mismatch:
    """An expected value that differs from the actual one.

    Attributes:
        field: the key of ``expect``.
        expected: what the scenario expects, as written.
        actual: what resolution gave, as text.
    """

    field: str
    expected: str
    actual: str


@attrs.frozen(kw_only=True)
class ScenarioResult:
    """The outcome of one scenario.

    Attributes:
        scenario: the scenario.
        mismatches: the expected values that differ.
        assignment: the resolution, when it succeeded.
        error: the error raised, as ``"ClassName: message"``, when it did not.
    """

    scenario: Scenario
    mismatches: tuple[Mismatch, ...] = ()
    assignment: Assignment | None = attrs.field(default=None, eq=False)
    error: str | None = None

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.mismatches

    def report(self) -> str:
        """A readable report: on failure, expected and actual side by side."""
        sc = self.scenario
        head = (
            f"{sc.path}, scenario {sc.index} ({sc.name}): {sc.procedure} at {sc.unit} on "
            f"{sc.on.isoformat()}, {sc.channel.value}"
        )
        if self.passed:
            return f"ok   {head}"
        rows = [("field", "expected", "actual")]
        rows += [(m.field, m.expected, m.actual) for m in self.mismatches]
        width0 = max(len(r[0]) for r in rows)
        width1 = max(len(r[1]) for r in rows)
        lines = [f"FAIL {head}"]
        lines += [f"  {a:<{width0}}  {b:<{width1}}  {c}" for a, b, c in rows]
        if self.assignment is not None:
            lines.append("  resolution:")
            lines += [f"    {line}" for line in self.assignment.explain().splitlines()]
        return "\n".join(lines)


@attrs.frozen(kw_only=True)
class ScenarioFile:
    """A loaded scenario file and what it runs against.

    Attributes:
        path: the file.
        scenarios: its scenarios.
        catalogue_paths: catalogue files named in ``[setup]`` (resolved against the file's folder).
        rule_paths: rule files named in ``[setup]``.
        bundled: whether the bundled catalogue and rules are the base.
        has_setup: whether the file has a ``[setup]`` table.
    """

    path: str
    scenarios: tuple[Scenario, ...]
    catalogue_paths: tuple[str, ...] = ()
    rule_paths: tuple[str, ...] = ()
    bundled: bool = True
    has_setup: bool = False
    _cache: dict[str, RuleSet] = attrs.field(factory=dict, eq=False, repr=False, hash=False)

    def ruleset(self) -> RuleSet:
        """The rule set the scenarios run against (built once).

        Raises:
            DataFileError: a catalogue or rule file is malformed.
            RuleConflictError: rules conflict.
        """
        cached = self._cache.get("rules")
        if cached is None:
            cached = build_ruleset(self.catalogue_paths, self.rule_paths, bundled=self.bundled)
            self._cache["rules"] = cached
        return cached


def build_ruleset(
    catalogue_paths: Sequence[str | Path], rule_paths: Sequence[str | Path], *, bundled: bool = True
) -> RuleSet:
    """A rule set from catalogue and rule files, on top of the bundled ones when ``bundled``.

    Raises:
        DataFileError: a file is malformed, or ``bundled`` is false and no files are given.
        RuleConflictError: rules conflict.
    """
    base_catalogue = Catalogue.bundled() if bundled else None
    if catalogue_paths:
        catalogue = Catalogue.load(catalogue_paths, base=base_catalogue)
    elif base_catalogue is not None:
        catalogue = base_catalogue
    else:
        raise DataFileError("bundled = false needs catalogue files in [setup]", field="catalogue")
    base_rules = RuleSet.bundled() if bundled else None
    if rule_paths:
        return RuleSet.load(rule_paths, catalogue=catalogue, base=base_rules)
    if base_rules is None:
        raise DataFileError("bundled = false needs rule files in [setup]", field="rules")
    if catalogue is base_rules.catalogue:
        return base_rules
    return RuleSet(base_rules.rules, catalogue=catalogue, units=base_rules.units)


def load_scenarios(path: str | Path) -> ScenarioFile:
    """Read a scenario file (TOML or JSON).

    Raises:
        DataFileError: the file is missing, too large or malformed; the message names the file,
            the scenario and the field.
    """
    name = str(path)
    data = read_data_file(path)
    if not isinstance(data, dict) or not isinstance(data.get("scenario"), list):
        raise DataFileError("expected a top-level 'scenario' list ([[scenario]] tables)", path=name)
    extra = sorted(set(data) - {"scenario", "setup", "about"})
    if extra:
        raise DataFileError(
            f"unknown top-level key(s) {shown_names(extra)}; allowed: scenario, setup, about",
            path=name,
            field=extra[0],
        )
    folder = Path(path).parent
    catalogue_paths: tuple[str, ...] = ()
    rule_paths: tuple[str, ...] = ()
    bundled = True
    if "setup" in data:
        setup = EntryReader(
            data["setup"], path=name, index="setup", allowed=_SETUP_KEYS, kind="setup"
        )
        catalogue_paths = tuple(str(folder / p) for p in setup.strings("catalogue"))
        rule_paths = tuple(str(folder / p) for p in setup.strings("rules"))
        bundled = setup.boolean("bundled", default=True)
    scenarios = tuple(
        _scenario(entry, path=name, index=index) for index, entry in enumerate(data["scenario"])
    )
    return ScenarioFile(
        path=name,
        scenarios=scenarios,
        catalogue_paths=catalogue_paths,
        rule_paths=rule_paths,
        bundled=bundled,
        has_setup="setup" in data,
    )


def _scenario(entry: object, *, path: str, index: int) -> Scenario:
    reader = EntryReader(entry, path=path, index=index, allowed=_SCENARIO_KEYS, kind="scenario")
    name = reader.text("name") or f"scenario {index}"
    reader.label = f"{index} ({name})"
    expect_raw = reader.data.get("expect")
    if expect_raw is None:
        raise reader.error("is required: what the scenario expects", "expect")
    expect = reader.sub(expect_raw, "expect", _EXPECT_KEYS, "expect table")
    if not expect.data:
        raise reader.error("expects nothing; give at least one expected value", "expect")
    for key, value in expect.data.items():
        _check_expected(expect, key, value)
    on = reader.date("date", required=True)
    assert on is not None  # noqa: S101  (required=True)
    channel = reader.enum("channel", Channel) if reader.has("channel") else Channel.IN_PERSON
    received = reader.data.get("received")
    if received is not None and (
        not isinstance(received, dt.datetime) or received.utcoffset() is None
    ):
        raise reader.error(
            f"must be a date-time with its offset (e.g. 2026-02-13T16:00:00+07:00), got "
            f"{received!r}",
            "received",
        )
    if "due" in expect.data and received is None:
        raise reader.error("expect.due needs the moment of receipt ('received')", "received")
    return Scenario(
        name=name,
        procedure=reader.required_text("procedure"),
        unit=reader.required_text("unit"),
        on=on,
        channel=channel,
        expect=tuple(sorted(expect.data.items())),
        path=path,
        index=index,
        received=received,
    )


def _check_expected(reader: EntryReader, key: str, value: object) -> None:
    if value is None:  # JSON null: TOML cannot write one
        raise reader.error("is null; give an expected value or leave the key out", key)
    if key in ("receivable_at", "refused_at"):
        reader.strings(key)
        return
    if key == "due":
        if not isinstance(value, dt.datetime) or value.utcoffset() is None:
            raise reader.error(
                f"must be a date-time with its offset (e.g. 2026-02-24T09:00:00+07:00), got "
                f"{value!r}",
                key,
            )
        return
    if key in ("steps", "rules"):
        reader.strings(key)
        if key == "steps":
            for role in reader.strings(key):
                reader.enum(key, AgencyRole, role)
        return
    if key == "procedure_version":
        reader.integer(key, default=0)
        return
    if not isinstance(value, str):
        raise reader.error(f"must be a string, got {shown(value)}", key)
    if key == "level":
        reader.enum(key, Level)
    elif key == "role":
        reader.enum(key, AgencyRole)
    elif key == "intake":
        reader.enum(key, IntakeScope)
    elif key == "time_limit":
        reader.duration(key)


def run_scenario(scenario: Scenario, rules: RuleSet) -> ScenarioResult:
    """Resolve one scenario with ``rules`` and compare with what it expects."""
    expect = dict(scenario.expect)
    try:
        assignment = rules.resolve(scenario.procedure, scenario.unit, scenario.on, scenario.channel)
    except GovtierError as exc:
        return _compare_error(scenario, expect, exc)
    mismatches: list[Mismatch] = []
    if "error" in expect or "message" in expect:
        mismatches.append(
            Mismatch(
                field="error",
                expected=str(expect.get("error", expect.get("message"))),
                actual=f"no error: {assignment.competent.agency}",
            )
        )
    for key, expected in expect.items():
        if key in ("error", "message"):
            continue
        actual, ok = _actual(key, expected, assignment, scenario)
        if not ok:
            mismatches.append(Mismatch(field=key, expected=_text(expected), actual=actual))
    return ScenarioResult(scenario=scenario, mismatches=tuple(mismatches), assignment=assignment)


def _actual(key: str, expected: Any, a: Assignment, scenario: Scenario) -> tuple[str, bool]:
    comp = a.competent
    if key == "due":
        from govtier.calendar import WorkingCalendar

        assert scenario.received is not None  # noqa: S101  (checked when loaded)
        due = WorkingCalendar.vietnam().due_at(scenario.received, a.time_limit, a.policy)
        return due.isoformat(), due == expected
    if key in ("receivable_at", "refused_at"):
        want = key == "receivable_at"
        wrong = []
        for unit in expected:
            try:
                check = a.may_receive(unit)
            except GovtierError as exc:
                wrong.append(f"{unit}: {type(exc).__name__}: {exc}")
                continue
            if check.allowed is not want:
                wrong.append(f"{unit}: {check}")
        return _text(wrong), not wrong
    if key == "level":
        return comp.level.value, parse_enum(Level, expected) is comp.level
    if key == "role":
        return comp.role.value, parse_enum(AgencyRole, expected) is comp.role
    if key == "unit":
        return comp.unit_code, expected == comp.unit_code
    if key == "unit_name":
        return comp.unit_name, expected == comp.unit_name
    if key == "agency":
        return comp.agency, expected == comp.agency
    if key == "subject":
        return a.subject_code, expected == a.subject_code
    if key == "intake":
        return a.intake.value, parse_enum(IntakeScope, expected) is a.intake
    if key == "time_limit":
        return str(a.time_limit), Duration.parse(expected) == a.time_limit
    if key == "procedure_version":
        return str(a.procedure.version), expected == a.procedure.version
    if key == "confidence":
        return a.confidence.mark, expected.strip("[]").upper() == a.confidence.mark.strip("[]")
    if key == "steps":
        roles = [s.authority.role.value for s in a.steps]
        wanted = [parse_enum(AgencyRole, r).value for r in expected]
        return _text(roles), roles == wanted
    # rules: every named rule matched
    missing = [r for r in expected if r not in a.rule_ids]
    return _text(list(a.rule_ids)), not missing


def _compare_error(scenario: Scenario, expect: Mapping[str, Any], exc: Exception) -> ScenarioResult:
    actual = f"{type(exc).__name__}: {exc}"
    mismatches: list[Mismatch] = []
    wanted = expect.get("error")
    message = expect.get("message")
    if wanted is None and message is None:
        mismatches.append(Mismatch(field="error", expected="no error", actual=actual))
    else:
        names = {cls.__name__ for cls in type(exc).__mro__}
        if wanted is not None and wanted not in names:
            mismatches.append(Mismatch(field="error", expected=str(wanted), actual=actual))
        if message is not None and str(message) not in str(exc):
            mismatches.append(Mismatch(field="message", expected=str(message), actual=str(exc)))
    return ScenarioResult(scenario=scenario, mismatches=tuple(mismatches), error=actual)


def _text(value: object) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def run_file(path: str | Path, rules: RuleSet | None = None) -> tuple[ScenarioResult, ...]:
    """Run every scenario of a file, against ``rules`` or the file's own ``[setup]``.

    Raises:
        DataFileError: the file (or a file it names) is malformed.
        RuleConflictError: the rules it names conflict.
    """
    loaded = load_scenarios(path)
    ruleset = rules if rules is not None and not loaded.has_setup else loaded.ruleset()
    return tuple(run_scenario(s, ruleset) for s in loaded.scenarios)


def bundled_scenario_files() -> tuple[Path, ...]:
    """The scenario files shipped with the bundled rules."""
    folder = Path(__file__).parent / "data" / "scenarios"
    return tuple(sorted(folder.glob(f"*{SCENARIO_SUFFIX}")))


# --------------------------------------------------------------------------------------------
# Command line


def _kind(path: str) -> str:
    data = read_data_file(path)
    if isinstance(data, dict):
        for key, kind in (
            ("scenario", "scenarios"),
            ("rule", "rules"),
            ("procedure", "catalogue"),
            ("group", "catalogue"),
        ):
            if key in data:
                return kind
    raise DataFileError(
        "not a catalogue ([[procedure]]), rules ([[rule]]) or scenario ([[scenario]]) file",
        path=path,
    )


def main_check_rules(
    paths: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Check catalogue, rule and scenario files: ``python -m govtier check-rules FILE...``.

    Catalogue files are added to the bundled catalogue and rule files to the bundled rules; the
    result is validated (every procedure version should have a competence rule; gaps are listed
    as notes, not failures). Scenario files then run: those with a ``[setup]`` table against what
    it names, the others against the catalogue and rules just checked.

    Args:
        paths: the files, in any order.
        out: where to print results (default: standard output).
        err: where to print errors (default: standard error).

    Returns:
        0 when everything loads and every scenario passes; 1 when a file is malformed, rules
        conflict or a scenario fails; 2 when no files are given.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if not paths:
        print(
            "usage: python -m govtier check-rules FILE...  (catalogue, rules, scenarios)", file=err
        )
        return 2
    kinds: dict[str, list[str]] = {"catalogue": [], "rules": [], "scenarios": []}
    try:
        for path in paths:
            kinds[_kind(path)].append(path)
        rules = build_ruleset(kinds["catalogue"], kinds["rules"])
    except (GovtierError, InvalidInputError) as exc:
        print(f"error: {exc}", file=err)
        return 1
    status = 0
    if kinds["catalogue"] or kinds["rules"]:
        print(
            f"loaded {len(rules.catalogue)} procedures and {len(rules)} rules "
            f"({', '.join([*kinds['catalogue'], *kinds['rules']])} on top of the bundled data)",
            file=out,
        )
        report = rules.validate()
        for gap in report.uncovered:
            print(f"note: {gap}", file=out)
        for warning in report.warnings:
            print(f"warning: {warning}", file=out)
    passed = failed = 0
    for path in kinds["scenarios"]:
        try:
            results = run_file(path, rules)
        except GovtierError as exc:
            print(f"error: {exc}", file=err)
            status = 1
            continue
        for result in results:
            if result.passed:
                passed += 1
            else:
                failed += 1
                print(result.report(), file=out)
    if kinds["scenarios"]:
        print(f"{passed} scenarios passed, {failed} failed", file=out)
    if failed:
        status = 1
    return status

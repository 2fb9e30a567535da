"""A pytest plugin that runs scenario files (``*.scenarios.toml``) as tests.

Enable it with ``-p govtier.pytest_plugin`` (or through the ``pytest11`` entry point once
govtier is installed with it registered). Each ``[[scenario]]`` of every collected
``*.scenarios.toml`` file becomes one test item; a failure shows expected and actual side by side,
then the full resolution with every rule that matched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govtier.scenarios import (
    SCENARIO_SUFFIX,
    Scenario,
    ScenarioFile,
    ScenarioResult,
    load_scenarios,
    run_scenario,
)

__all__ = ["ScenarioCollector", "ScenarioFailedError", "ScenarioItem", "pytest_collect_file"]


class ScenarioFailedError(AssertionError):
    """A scenario's expectations did not hold."""

    def __init__(self, result: ScenarioResult) -> None:
        super().__init__(result.report())
        self.result = result


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioCollector | None:
    """Collect ``*.scenarios.toml`` files."""
    if file_path.name.endswith(SCENARIO_SUFFIX):
        collector: ScenarioCollector = ScenarioCollector.from_parent(parent, path=file_path)
        return collector
    return None


class ScenarioCollector(pytest.File):
    """One scenario file; its scenarios are the items."""

    def collect(self) -> Iterator[ScenarioItem]:
        """Load the file and yield one item per scenario."""
        loaded = load_scenarios(self.path)
        for scenario in loaded.scenarios:
            item: ScenarioItem = ScenarioItem.from_parent(
                self,
                name=f"{scenario.index}: {scenario.name}",
                scenario=scenario,
                source=loaded,
            )
            yield item


class ScenarioItem(pytest.Item):
    """One scenario."""

    def __init__(self, *, scenario: Scenario, source: ScenarioFile, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.source = source

    def runtest(self) -> None:
        """Resolve the scenario and compare."""
        result = run_scenario(self.scenario, self.source.ruleset())
        if not result.passed:
            raise ScenarioFailedError(result)

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str | Any:
        """Expected against actual for a failed scenario; the usual report otherwise."""
        if isinstance(excinfo.value, ScenarioFailedError):
            return excinfo.value.result.report()
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        """Where the scenario is, for pytest's report."""
        return self.path, None, f"scenario {self.scenario.index}: {self.scenario.name}"

"""Every script in examples/ runs to completion (as `make demo` and CI run them)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """The example exits 0 and prints something."""
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_there_are_examples() -> None:
    """The examples folder is not empty (the parametrized test would silently run nothing)."""
    assert any(p.name == "quickstart.py" for p in EXAMPLES)


def test_demo_remembers_its_dossiers(tmp_path: Path) -> None:
    """`make demo` keeps its dossiers in a SQLite file; a second run finds the first one's."""
    script = next(p for p in EXAMPLES if p.name == "quickstart.py")
    outputs = [
        subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=600,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert "this is the first run" in outputs[0]
    assert "It already holds 1 dossier(s) from earlier runs" in outputs[1]
    assert "G01.20.01-260309-0001: RETURNED, on time" in outputs[1]
    assert (tmp_path / "govtier-demo.db").exists()


def test_make_demo_installs_only_the_runtime(tmp_path: Path) -> None:
    """`make demo` on a fresh machine installs govtier alone, not the development set."""
    root = Path(__file__).parent.parent
    planned = subprocess.run(
        ["make", "-n", "-C", str(root), "demo", f"VENV={tmp_path / 'venv'}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    installs = [line for line in planned.splitlines() if "pip install" in line]
    assert len(installs) == 1, planned
    assert installs[0].rstrip().endswith("-e ."), installs
    assert "dev" not in installs[0]
    assert "examples/quickstart.py" in planned

"""Packaging promises: a small sorted public API, typed, and an import that loads no data."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

import govtier


def test_all_is_sorted_and_exported() -> None:
    """__all__ is isort-sorted (CONSTANTS, Classes, functions), unique, and every name exists."""
    names = list(govtier.__all__)

    def key(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert names == sorted(names, key=key)
    assert len(set(names)) == len(names)
    missing = [n for n in names if not hasattr(govtier, n)]
    assert missing == []


def test_errors_share_one_root() -> None:
    """Every exception govtier exports derives from GovtierError."""
    errors = [getattr(govtier, n) for n in govtier.__all__ if n.endswith("Error")]
    assert errors
    assert all(issubclass(e, govtier.GovtierError) for e in errors)


def test_py_typed_is_shipped() -> None:
    """The package ships py.typed so users' type checkers read its hints."""
    assert resources.files("govtier").joinpath("py.typed").is_file()


def test_import_loads_no_data() -> None:
    """`import govtier` imports neither holidays nor any bundled data file."""
    code = (
        "import sys, builtins\n"
        "opened = []\n"
        "real_open = builtins.open\n"
        "def spy(f, *a, **k):\n"
        "    opened.append(str(f)); return real_open(f, *a, **k)\n"
        "builtins.open = spy\n"
        "import govtier\n"
        "assert 'holidays' not in sys.modules, 'holidays imported'\n"
        "data = [f for f in opened if 'govtier' in f and 'data' in f]\n"
        "assert not data, data\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_import_is_light() -> None:
    """`import govtier` imports none of its heavier modules until a name is used."""
    code = (
        "import sys, govtier\n"
        "heavy = [m for m in ('govtier.units', 'govtier.dossier', 'govtier.storage', 'attrs',"
        " 'cattrs', 'psycopg') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "govtier.Dossier\n"
        "assert 'govtier.dossier' in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_unknown_attribute() -> None:
    """A name govtier does not have is an AttributeError, as for any module."""
    with pytest.raises(AttributeError, match="NoSuchThing"):
        govtier.NoSuchThing  # noqa: B018

"""Bundled data is checked against its recorded hashes; a damaged install is reported, not used."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest

from govtier import DataFileError
from govtier._data import manifest, read_bundled, verify_bundled

DATA = Path(str(resources.files("govtier").joinpath("data")))


def test_every_data_file_is_recorded_and_intact() -> None:
    """The manifest lists every data file, and each matches its hash."""
    on_disk = sorted(
        p.relative_to(DATA).as_posix()
        for p in DATA.rglob("*")
        if p.is_file() and p.suffix in {".json", ".toml", ".csv"}
    )
    assert sorted(manifest()) == on_disk
    assert verify_bundled() == []
    for name in on_disk:
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == manifest()[name]


def test_unrecorded_file_is_refused() -> None:
    """A name that is not in the manifest is never read."""
    with pytest.raises(DataFileError, match="not listed"):
        read_bundled("extra.toml")


def test_damaged_install_is_reported(tmp_path: Path) -> None:
    """In a copy of the package with one altered byte, loading the units fails clearly."""
    package = Path(str(resources.files("govtier")))
    copy = tmp_path / "govtier"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    units = copy / "data" / "units.json"
    raw = bytearray(units.read_bytes())
    raw[-10] = ord("9") if raw[-10] != ord("9") else ord("8")
    units.write_bytes(bytes(raw))
    code = (
        "import govtier\n"
        f"assert govtier.__file__.startswith({str(copy)!r}), govtier.__file__\n"
        "from govtier import UnitRegistry, DataFileError\n"
        "try:\n"
        "    UnitRegistry.bundled().get('00004')\n"
        "except DataFileError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "govtier/data/units.json: damaged install" in result.stdout

"""Bundled data files, read only after checking them against their recorded SHA-256 hashes.

A damaged or edited install is reported (``DataFileError``), never used. The hashes live in
``govtier/data/SHA256SUMS``, written by ``scripts/hash_data.py`` (``make data``); a test fails
when a data file changes without the manifest.
"""

from __future__ import annotations

import hashlib
import json
import threading
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Final

from govtier.errors import DataFileError

__all__ = [
    "MANIFEST",
    "MAX_DATA_FILE_BYTES",
    "manifest",
    "read_bundled",
    "read_data_file",
    "verify_bundled",
]

MANIFEST: Final = "SHA256SUMS"
MAX_DATA_FILE_BYTES: Final = 5_000_000
"""The default size bound of a user's data file (catalogue, rules, scenarios)."""
_lock = threading.Lock()
_manifest: dict[str, str] = {}


def _data_file(name: str) -> resources.abc.Traversable:
    node = resources.files("govtier").joinpath("data")
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def manifest() -> dict[str, str]:
    """The recorded hashes: ``{relative path: sha256 hex}``."""
    if not _manifest:
        with _lock:
            if not _manifest:
                text = _data_file(MANIFEST).read_text(encoding="utf-8")
                for line in text.splitlines():
                    if line.strip() and not line.startswith("#"):
                        digest, name = line.split(maxsplit=1)
                        _manifest[name.strip()] = digest
    return dict(_manifest)


def read_bundled(name: str) -> str:
    """The text of the bundled data file ``name`` (e.g. ``"units.json"``), verified.

    Raises:
        DataFileError: the file is missing, not in the manifest, or its hash differs from the
            recorded one (a damaged install: reinstall govtier).
    """
    path = f"govtier/data/{name}"
    expected = manifest().get(name)
    if expected is None:
        msg = "not listed in govtier/data/SHA256SUMS; refusing to read an unrecorded data file"
        raise DataFileError(msg, path=path)
    try:
        raw = _data_file(name).read_bytes()
    except OSError as exc:
        msg = f"missing from the install ({exc.strerror}); reinstall govtier"
        raise DataFileError(msg, path=path) from exc
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected:
        msg = (
            f"damaged install: SHA-256 {actual[:12]}... does not match the recorded "
            f"{expected[:12]}...; reinstall govtier"
        )
        raise DataFileError(msg, path=path)
    return raw.decode("utf-8")


def verify_bundled() -> list[str]:
    """Check every bundled data file; returns the problems found (empty when all are intact)."""
    problems = []
    for name in sorted(manifest()):
        try:
            read_bundled(name)
        except DataFileError as exc:
            problems.append(str(exc))
    return problems


def read_data_file(path: str | Path, *, limit: int = MAX_DATA_FILE_BYTES) -> Any:
    """Read a TOML or JSON data file, bounded in size.

    Raises:
        DataFileError: the file is missing, larger than ``limit`` bytes, has another suffix,
            or is not valid TOML/JSON.
    """
    file = Path(path)
    name = str(file)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise DataFileError(f"cannot read the file ({exc.strerror})", path=name) from exc
    if size > limit:
        raise DataFileError(f"file is {size} bytes; data files are limited to {limit}", path=name)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise DataFileError(f"expected a .toml or .json file, got {suffix!r}", path=name)
    try:
        text = file.read_bytes()[: limit + 1].decode("utf-8")
        if suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataFileError(f"not valid {suffix[1:].upper()}: {exc}", path=name) from exc
    except RecursionError as exc:
        raise DataFileError("nested too deeply to be data", path=name) from exc
    except OSError as exc:
        raise DataFileError(f"cannot read the file ({exc.strerror})", path=name) from exc

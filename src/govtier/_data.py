"""Bundled data files, read only after checking them against their recorded SHA-256 hashes.

A damaged or edited install is reported (``DataFileError``), never used. The hashes live in
``govtier/data/SHA256SUMS``, written by ``scripts/hash_data.py`` (``make data``); a test fails
when a data file changes without the manifest.
"""

from __future__ import annotations

import hashlib
import threading
from importlib import resources
from typing import Final

from govtier.errors import DataFileError

__all__ = ["MANIFEST", "manifest", "read_bundled", "verify_bundled"]

MANIFEST: Final = "SHA256SUMS"
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

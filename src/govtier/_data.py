"""Bundled data files, read only after checking them against their recorded SHA-256 hashes.

A damaged or edited install is reported (``DataFileError``), never used. The hashes live in
``govtier/data/SHA256SUMS``, written by ``scripts/hash_data.py`` (``make data``); a test fails
when a data file changes without the manifest.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import threading
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Final

from govtier._guard import check_path, describe, hide_cause
from govtier.errors import DataFileError, InvalidInputError

__all__ = [
    "MANIFEST",
    "MAX_DATA_FILE_BYTES",
    "iter_lines",
    "manifest",
    "move_file",
    "read_bounded",
    "read_bundled",
    "read_bundled_bytes",
    "read_data_file",
    "verify_bundled",
    "write_text_file",
]

MANIFEST: Final = "SHA256SUMS"
MAX_DATA_FILE_BYTES: Final = 5_000_000
"""The default size bound of a user's data file (catalogue, rules, scenarios)."""
MAX_BUNDLED_BYTES: Final = 50_000_000
"""The size bound of a bundled data file (units.json is the largest, about 2 MB)."""
MAX_MANIFEST_BYTES: Final = 100_000
_MANIFEST_LINE: Final = re.compile(r"(?P<digest>[0-9a-f]{64}) +(?P<name>[A-Za-z0-9._/-]+)")
_lock = threading.Lock()
_manifest: dict[str, str] = {}


def _data_root() -> resources.abc.Traversable:
    """The data folder of the package (tests point it at a damaged copy)."""
    return resources.files("govtier").joinpath("data")


def _data_file(name: str) -> resources.abc.Traversable:
    node = _data_root()
    for part in name.split("/"):
        node = node.joinpath(part)
    return node


def _damaged(problem: str, name: str = MANIFEST) -> DataFileError:
    return DataFileError(
        f"damaged install: {problem}; reinstall govtier", path=f"govtier/data/{name}"
    )


def manifest() -> dict[str, str]:
    """The recorded hashes: ``{relative path: sha256 hex}``.

    Raises:
        DataFileError: the manifest is missing or malformed (a damaged install); nothing of it
            is kept, so the next call reads it again.
    """
    if not _manifest:
        with _lock:
            if not _manifest:
                _manifest.update(_read_manifest())
    return dict(_manifest)


def _read_manifest() -> dict[str, str]:
    try:
        raw = _bounded_read(_data_file(MANIFEST), MAX_MANIFEST_BYTES)
    except OSError as exc:
        raise hide_cause(
            _damaged(f"the hash manifest cannot be read ({exc.strerror})"), exc
        ) from None
    if raw is None:
        raise _damaged(f"the hash manifest is over {MAX_MANIFEST_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _damaged("the hash manifest is not UTF-8 text") from None
    parsed: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.fullmatch(line.strip())
        if match is None:
            raise _damaged(f"line {number} of the hash manifest is not '<sha256>  <file>'")
        parsed[match["name"]] = match["digest"]
    if not parsed:
        raise _damaged("the hash manifest lists no file")
    return parsed


def read_bundled_bytes(name: str) -> bytes:
    """The bytes of the bundled data file ``name``, verified against the manifest.

    Raises:
        DataFileError: the manifest is damaged, or the file is missing, not in the manifest, or
            its hash differs from the recorded one (a damaged install: reinstall govtier).
    """
    path = f"govtier/data/{name}"
    expected = manifest().get(name)
    if expected is None:
        msg = "not listed in govtier/data/SHA256SUMS; refusing to read an unrecorded data file"
        raise DataFileError(msg, path=path)
    try:
        raw = _bounded_read(_data_file(name), MAX_BUNDLED_BYTES)
    except OSError as exc:
        msg = f"missing from the install ({exc.strerror}); reinstall govtier"
        raise hide_cause(DataFileError(msg, path=path), exc) from None
    actual = hashlib.sha256(raw or b"").hexdigest()
    if raw is None or actual != expected:
        msg = (
            f"damaged install: SHA-256 {actual[:12]}... does not match the recorded "
            f"{expected[:12]}...; reinstall govtier"
        )
        raise DataFileError(msg, path=path)
    return raw


def read_bundled(name: str) -> str:
    """The text of the bundled data file ``name`` (e.g. ``"units.json"``), verified.

    Raises:
        DataFileError: the file is missing, not in the manifest, or its hash differs from the
            recorded one (a damaged install: reinstall govtier).
    """
    raw = read_bundled_bytes(name)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # recorded so, yet not text: the manifest was edited too
        raise _damaged("the file is not UTF-8 text", name) from None


def _bounded_read(node: resources.abc.Traversable, limit: int) -> bytes | None:
    """At most ``limit`` bytes of ``node``; ``None`` when it holds more."""
    if isinstance(node, Path):
        return read_bounded(node, limit)
    with node.open("rb") as handle:
        raw = handle.read(limit + 1)
    return None if len(raw) > limit else raw


def verify_bundled() -> list[str]:
    """Check every bundled data file; returns the problems found (empty when all are intact)."""
    problems = []
    for name in sorted(manifest()):
        try:
            read_bundled(name)
        except DataFileError as exc:
            problems.append(str(exc))
    return problems


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path``, or ``None`` when it holds more than ``limit``.

    The file is opened without blocking (a FIFO does not hang), its kind and size are checked
    on the open descriptor (a symlink to ``/dev/zero`` is a device, refused), and at most
    ``limit + 1`` bytes are read (a file that grows meanwhile is still bounded).

    Raises:
        OSError: the file cannot be opened or read; ``IsADirectoryError``-like errors for a
            file that is not a regular file carry the kind in ``strerror``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        kind = _kind(info.st_mode)
        if kind is not None:
            raise OSError(errno.EINVAL, f"{kind}, not a regular file")
        if info.st_size > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    return None if size > limit else b"".join(chunks)


def _checked(path: str | Path) -> tuple[Path, str]:
    try:
        file = check_path(path)
    except InvalidInputError as exc:
        shown = str(path).replace("\x00", "\\0")[:200]
        raise DataFileError(exc.args[0], path=shown) from None
    return file, str(file)


def _read_file(file: Path, name: str, limit: int) -> bytes:
    bundled = _bundled_name(file)
    try:
        raw = read_bundled_bytes(bundled) if bundled is not None else read_bounded(file, limit)
    except OSError as exc:
        error = DataFileError(f"cannot read the file ({exc.strerror})", path=name)
        raise hide_cause(error, exc) from None
    if raw is None:
        msg = f"file is over {limit} bytes; data files are limited to {limit}"
        raise DataFileError(msg, path=name)
    return raw


def read_data_file(path: str | Path, *, limit: int = MAX_DATA_FILE_BYTES) -> Any:
    """Read a TOML or JSON data file, bounded in size.

    Only a regular file is read (a directory, FIFO or device is refused before reading), and
    only up to ``limit`` bytes. A file inside govtier's own data folder is read through
    :func:`read_bundled`, so it is checked against its recorded hash.

    Raises:
        DataFileError: the path cannot be a file (NUL, too long), the file is missing, not a
            regular file, larger than ``limit`` bytes, has another suffix, or is not valid
            TOML/JSON.
    """
    file, name = _checked(path)
    suffix = file.suffix.lower()
    if suffix not in (".toml", ".json"):
        shown = repr(suffix) if len(suffix) <= 12 else describe(suffix)
        raise DataFileError(f"expected a .toml or .json file, got {shown}", path=name)
    raw = _read_file(file, name, limit)
    try:
        text = raw.decode("utf-8")
        if suffix == ".toml":
            return tomllib.loads(text)
        return json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        problem = f"not valid {suffix[1:].upper()}: {str(exc)[:200]}"  # a position, no value
        raise hide_cause(DataFileError(problem, path=name), exc) from None
    except UnicodeDecodeError as exc:
        problem = f"not UTF-8 text (byte {exc.start})"
        raise hide_cause(DataFileError(problem, path=name), exc) from None
    except RecursionError as exc:
        raise hide_cause(DataFileError("nested too deeply to be data", path=name), exc) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise hide_cause(DataFileError("holds a value too large to read", path=name), exc) from None


def _bundled_name(file: Path) -> str | None:
    """The manifest name of ``file`` when it lies in govtier's data folder, else ``None``."""
    root = _data_root()
    if not isinstance(root, Path):
        return None
    try:
        relative = file.resolve().relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):
        return None
    return relative.as_posix()


def write_text_file(path: str | Path, text: str, *, field: str) -> Path:
    """Write ``text`` (UTF-8) to the file ``path``, given as the option or argument ``field``.

    The file is opened without blocking, so a FIFO without a reader is an error, not a hang.

    Raises:
        InvalidInputError: the path cannot be a file (NUL, too long), is a directory, its folder
            does not exist, or the write fails (no space, no permission).
    """
    target = check_path(path, field)
    try:
        _check_target(target)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK | os.O_CLOEXEC)
        os.set_blocking(fd, True)
        with open(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        problem = f"cannot be written ({exc.strerror or type(exc).__name__})"
        error = InvalidInputError(f"{field} {target} {problem}", field=field, value=str(target))
        raise hide_cause(error, exc) from None
    return target


def _check_target(target: Path) -> None:
    """Refuse a directory, or a file in a folder that does not exist, saying which."""
    if target.is_dir():
        raise OSError(errno.EISDIR, "it is a directory; give a file name")
    if not target.parent.is_dir():
        raise OSError(errno.ENOENT, "its folder does not exist; create the folder first")


def move_file(source: Path, path: str | Path, *, field: str) -> Path:
    """Move the file ``source`` to ``path`` (given as ``field``); ``source`` is gone either way.

    Raises:
        InvalidInputError: as :func:`write_text_file` (a directory, a missing folder, ...).
    """
    try:
        target = check_path(path, field)
        _check_target(target)
        shutil.move(source, target)
    except OSError as exc:
        problem = f"cannot be written ({exc.strerror or type(exc).__name__})"
        error = InvalidInputError(f"{field} {path} {problem}", field=field, value=str(path))
        raise hide_cause(error, exc) from None
    finally:
        source.unlink(missing_ok=True)
    return target


def iter_lines(path: str | Path, *, max_line: int) -> Iterator[str]:
    """The lines of the regular text file ``path``, each at most ``max_line`` characters.

    For files read as a stream (a handover plan may be larger than memory): the kind is checked
    on the open descriptor (no FIFO, device or directory), and a line is read with a bound.

    Raises:
        DataFileError: the path cannot be a file, the file is missing or not a regular file, a
            line is longer than ``max_line``, or the text is not UTF-8.
    """
    file, name = _checked(path)
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            kind = _kind(os.fstat(fd).st_mode)
            if kind is not None:
                raise OSError(errno.EINVAL, f"{kind}, not a regular file")
            os.set_blocking(fd, True)
        except OSError:
            os.close(fd)
            raise
        with open(fd, encoding="utf-8") as handle:
            while line := handle.readline(max_line + 1):
                if len(line) > max_line:
                    msg = f"a line is longer than {max_line} characters"
                    raise DataFileError(msg, path=name)
                yield line
    except OSError as exc:
        error = DataFileError(f"cannot read the file ({exc.strerror})", path=name)
        raise hide_cause(error, exc) from None
    except UnicodeDecodeError as exc:
        error = DataFileError("not UTF-8 text", path=name)
        raise hide_cause(error, exc) from None

"""Record the SHA-256 of every bundled data file in src/govtier/data/SHA256SUMS.

Run by `make data` after the data is rebuilt; `tests/test_data_integrity.py` fails when a data file
changes without this manifest.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

SUFFIXES = {".json", ".toml", ".csv"}


def main(data_dir: str = "src/govtier/data") -> int:
    root = Path(data_dir)
    lines = ["# SHA-256 of the bundled data files; written by scripts/hash_data.py (make data)"]
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SUFFIXES):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(root).as_posix()}")
    (root / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"recorded {len(lines) - 1} files in {root / 'SHA256SUMS'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

"""Run every benchmark script in this folder, one after another, and print their output.

`make bench` calls this. Each script measures and prints its own table; figures vary between
machines, so each prints ratios next to absolute numbers.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    status = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n##### {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], check=False)
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())

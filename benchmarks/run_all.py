"""Run the benchmarks and print one table (``make bench``); optionally write it to RESULTS.md.

    python benchmarks/run_all.py [--results benchmarks/RESULTS.md]

Each benchmark script runs in a fresh process and reports its figures; this script prints them
side by side with what they are compared with (the ``holidays`` package, python-statemachine, the
targets of issue 9), since absolute figures vary between machines.

Size: ``GOVTIER_BENCH_DOSSIERS`` (default 100,000 dossiers for the end-to-end runs, about ten
minutes in all on two cores); ``GOVTIER_BENCH_FULL=1`` runs a year of Hà Nội (1,100,000).
PostgreSQL is the server at ``GOVTIER_TEST_POSTGRES_URL`` (default
postgresql://postgres@127.0.0.1:5432/test); its rows are left out when none answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
YEAR = 1_100_000  # a year of Hà Nội
TARGETS = {"sqlite": 180.0, "postgres": 300.0}  # a year: CPU s into SQLite, wall s into PostgreSQL


def rows_of(script: str, *args: str) -> Any:
    """Run a benchmark script with ``--rows`` and return the JSON it reports."""
    cmd = [sys.executable, str(HERE / script), *args, "--rows"]
    print(f"# running {script} {' '.join(args)}", file=sys.stderr, flush=True)
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return None
    lines = [line for line in out.stdout.splitlines() if line.startswith("ROWS ")]
    return json.loads(lines[-1][5:]) if lines else None


def import_ms() -> float:
    """``import govtier`` in a fresh interpreter: best of five, in milliseconds."""
    code = "import time; t = time.perf_counter(); import govtier; print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], check=True, capture_output=True, text=True
            ).stdout
        )
        for _ in range(5)
    ]
    return min(runs) * 1000


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()} "
        f"({platform.system()}), load average at the end {load}"
    )


def table(dossiers: int) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    cal = rows_of("bench_calendar.py")
    if cal:
        rows.append(
            (
                "calendar: add_working_days",
                f"{cal['add_us']:.2f} µs/call",
                f"holidays get_nth_working_day {cal['holidays_nth_us']:.1f} µs",
                f"{cal['holidays_nth_us'] / cal['add_us']:.0f}x faster",
            )
        )
        rows.append(
            (
                "calendar: working_days_between",
                f"{cal['between_us']:.2f} µs/call",
                f"holidays get_working_days_count {cal['holidays_count_us']:.1f} µs",
                f"{cal['holidays_count_us'] / cal['between_us']:.0f}x faster",
            )
        )
    units = rows_of("bench_units.py")
    if units:
        rows.append(("units: get(code)", f"{units['get_per_s']:,.0f} /s", "", ""))
        rows.append(("units: search(exact name)", f"{units['search_per_s']:,.0f} /s", "", ""))
    resolve = rows_of("bench_resolve.py", "--seconds", "2")
    if resolve:
        rows.append(("rules: resolve", f"{resolve['resolve_per_s']:,.0f} /s", "", ""))
    fold = rows_of("bench_fold.py")
    if fold:
        other = fold["statemachine_events_per_s"]
        rows.append(
            (
                "events applied (6-event journey)",
                f"{fold['govtier_events_per_s']:,.0f} events/s",
                "python-statemachine "
                + ("not installed" if other is None else f"{other:,.0f} events/s"),
                "" if other is None else f"{fold['govtier_events_per_s'] / other:.1f}x faster",
            )
        )
    scale = rows_of("bench_scale.py", "--dossiers", str(dossiers), "--batch", "5000") or []
    for result in scale:
        kind = result["store"]
        rate = result["dossiers_per_s"]
        per_year = YEAR / result["dossiers"]
        year_cpu, year_wall = result["load_cpu"] * per_year, result["load_seconds"] * per_year
        year = year_cpu if kind == "sqlite" else year_wall
        what = "CPU" if kind == "sqlite" else "wall"
        rows.append(
            (
                (
                    f"end to end into {kind} ({result['dossiers']:,} dossiers, "
                    f"{result['events'] / result['dossiers']:.1f} events each)"
                ),
                (
                    f"{rate:,.0f} dossiers/s ({result['load_seconds']:.0f} s, "
                    f"{result['load_cpu']:.0f} s CPU)"
                ),
                f"a year of Hà Nội in {TARGETS[kind]:.0f} s {what}",
                (
                    f"year: {year_cpu / 60:.1f} min CPU, {year_wall / 60:.1f} min wall "
                    f"({'met' if year <= TARGETS[kind] else 'missed'})"
                ),
            )
        )
        lim = result.get("limit")
        if lim:
            what = "executemany" if kind == "sqlite" else "COPY"
            rows.append(
                (
                    f"{kind}: store CPU (append_many only)",
                    f"{result['store_cpu']:.1f} s CPU ({result['store_seconds']:.1f} s wall)",
                    f"compact-row limit ({what}) {lim['cpu']:.1f} s CPU ({lim['seconds']:.1f} s)",
                    f"{lim['cpu_ratio']:.1f}x CPU, {lim['wall_ratio']:.1f}x wall",
                )
            )
            rows.append(
                (
                    f"{kind}: bytes on disk",
                    (
                        f"{result['bytes_per_dossier']:,.0f} B/dossier, "
                        f"{result['bytes_per_event']:,.0f} B/event"
                    ),
                    f"compact-row limit {lim['bytes_per_dossier']:,.0f} B/dossier",
                    f"{lim['bytes_ratio']:.2f}x",
                )
            )
            rows.append(
                (
                    f"{kind}: per-batch store CPU, last tenth / first tenth",
                    f"{result['batch_growth']:.2f}",
                    f"flat = 1.00; the compact-row limit's own: {lim['growth']:.2f}",
                    "",
                )
            )
        rows.append(
            (
                f"report over the stored {kind} year (commune x month)",
                f"{result['report_seconds']:.1f} s, peak {result['report_peak_mib']:.0f} MiB",
                "target 30 s, 500 MB at 1.1M (peak: VmHWM of a clean process)",
                result["check"],
            )
        )
    provinces = rows_of("bench_provinces.py", "--dossiers", str(max(dossiers // 5, 2000)))
    if provinces and provinces["rates"]:
        base = provinces["rates"].get("1")
        for workers, rate in provinces["rates"].items():
            rows.append(
                (
                    f"postgres, {workers} worker(s) x 1 province each",
                    f"{rate:,.0f} dossiers/s",
                    "one worker" if base else "",
                    f"{rate / base:.2f}x" if base else "",
                )
            )
    rows.append(("import govtier (fresh process)", f"{import_ms():.0f} ms", "", ""))
    return rows


def render(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("measure", "govtier", "compared with", "ratio")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="also write the table to this Markdown file")
    args = parser.parse_args()
    full = os.environ.get("GOVTIER_BENCH_FULL", "") not in ("", "0")
    dossiers = YEAR if full else int(os.environ.get("GOVTIER_BENCH_DOSSIERS", "100000"))
    text = render(table(dossiers))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    about = f"{machine()}; {stamp}"
    print(f"\n{about}\n\n{text}")
    if args.results:
        args.results.write_text(f"# Benchmark results\n\n{about}\n\n{text}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

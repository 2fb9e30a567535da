"""Every command of the `govtier` command line, run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "govtier", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        timeout=120,
    )


class TestCommands:
    """Each command answers, as a table and as JSON."""

    def test_units_search(self) -> None:
        """`units search` finds Phường Ba Đình from an abbreviation."""
        result = run("units", "search", "P. Ba Đình", "--limit", "2")
        assert result.returncode == 0, result.stderr
        assert "00004" in result.stdout
        data = json.loads(run("units", "search", "phuong ba dinh", "--json").stdout)
        assert data[0]["code"] == "00004"

    def test_units_show(self) -> None:
        """`units show` names the commune's province."""
        data = json.loads(run("units", "show", "00004", "--json").stdout)
        assert data["province_name"] == "Thành phố Hà Nội"
        assert "communes: 168" in run("units", "show", "79").stdout

    def test_units_successors(self) -> None:
        """`units successors` maps an old commune code to its new unit."""
        data = json.loads(run("units", "successors", "00001", "--json").stdout)
        assert data["old"]["name"] == "Phường Phúc Xá"
        assert [s["code"] for s in data["successors"]] == ["00097"]

    def test_calendar_why_add_between(self) -> None:
        """`calendar why/add/between` answer around the New Year 2026 swap."""
        assert "12729/VPCP-KGVX" in run("calendar", "why", "2026-01-02").stdout
        # dates in the dd/mm/yyyy style of every other command, with a label saying what it is
        assert (
            run("calendar", "add", "2025-12-31", "1").stdout.strip()
            == "1 working day(s) after Wed 31/12/2025: Mon 05/01/2026"
        )
        added = json.loads(run("calendar", "add", "2026-01-09", "1", "--json").stdout)
        assert added == {"date": "2026-01-10"}
        assert (
            run("calendar", "between", "2026-02-13", "2026-02-23").stdout.strip()
            == "working days after Fri 13/02/2026 up to Mon 23/02/2026: 1"
        )
        between = json.loads(
            run("calendar", "between", "2026-02-13", "2026-02-23", "--json").stdout
        )
        assert between == {"working_days": 1}

    def test_calendar_why_says_when_no_official_schedule_exists(self) -> None:
        """A day of 2027 is answered from the Labour Code, and the answer says so."""
        out = run("calendar", "why", "2027-02-08").stdout
        assert "Labour Code" in out
        assert "no official 2027 schedule" in out
        data = json.loads(run("calendar", "why", "2027-02-08", "--json").stdout)
        assert "no official 2027 schedule" in data["note"]
        assert "note" not in json.loads(run("calendar", "why", "2026-01-02", "--json").stdout)

    def test_version(self) -> None:
        """`govtier --version` prints the package's version."""
        from govtier import __version__

        result = run("--version")
        assert result.returncode == 0
        assert result.stdout.strip() == f"govtier {__version__}"

    def test_calendar_culture_day_switch_and_notices(self, tmp_path: Path) -> None:
        """--no-culture-day and --notices change the answer."""
        assert "not a working day" in run("calendar", "why", "2026-11-24").stdout
        assert "is a working day" in run("calendar", "why", "2026-11-24", "--no-culture-day").stdout
        notices = tmp_path / "n.toml"
        notices.write_text(
            '[[notices]]\nid = "x"\ntitle = "storm"\ndocument = "1/CĐ"\ndays_off = [2026-03-10]\n',
            encoding="utf-8",
        )
        out = run("calendar", "why", "2026-03-10", "--notices", str(notices)).stdout
        assert "storm" in out

    def test_deadline(self) -> None:
        """`deadline` explains the due moment of a limit."""
        result = run("deadline", "2026-04-28T09:30", "3 working days")
        assert result.returncode == 0, result.stderr
        assert "Due Tue 05/05/2026 17:00." in result.stdout
        data = json.loads(run("deadline", "2026-02-13T15:20", "same day", "--json").stdout)
        assert data["due_at"] == "2026-02-23T17:00:00+07:00"

    def test_authority(self) -> None:
        """`authority` resolves a procedure at a commune on a date."""
        data = json.loads(
            run("authority", "residence.permanent", "00004", "--on", "2026-03-09", "--json").stdout
        )
        assert data["competent"]["agency"] == "Công an Phường Ba Đình"
        assert data["time_limit"] == "7 working days"
        assert (
            "Rules:"
            in run("authority", "residence.permanent", "00004", "--on", "2026-03-09").stdout
        )

    def test_catalogue_validate_and_check_rules(self, tmp_path: Path) -> None:
        """`catalogue validate` and `check-rules` accept the bundled files."""
        data = Path(__file__).parent.parent / "src" / "govtier" / "data"
        result = run("catalogue", "validate", str(data / "catalogue.toml"), "--json")
        assert result.returncode == 0, result.stderr
        assert "residence.permanent" in json.loads(result.stdout)["procedures"]
        scenarios = data / "scenarios" / "bundled.scenarios.toml"
        checked = run("check-rules", str(scenarios))
        assert checked.returncode == 0, checked.stdout + checked.stderr

    def test_check_rules_bad_file_is_bad_input(self, tmp_path: Path) -> None:
        """A rules file that does not load: `govtier: error: ...` and status 2, as documented."""
        bad = tmp_path / "bad.rules.toml"
        bad.write_text('[[rule]]\nid = "r"\n', encoding="utf-8")
        result = run("check-rules", str(bad))
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert result.stderr.startswith("govtier: error: ")
        assert "bad.rules.toml" in result.stderr

    def test_check_rules_failing_scenario_is_status_1(self, tmp_path: Path) -> None:
        """A scenario that loads but fails is a failed check (1), not bad input (2)."""
        scenarios = tmp_path / "x.scenarios.toml"
        scenarios.write_text(
            '[[scenario]]\nname = "wrong"\nprocedure = "residence.permanent"\n'
            'unit = "00004"\ndate = 2026-03-09\nexpect = { time_limit = "1 working days" }\n',
            encoding="utf-8",
        )
        result = run("check-rules", str(scenarios))
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "0 scenarios passed, 1 failed" in result.stdout

    def test_demo(self, tmp_path: Path) -> None:
        """`demo` walks a dossier to the returned result."""
        result = run("demo", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "RETURNED" in result.stdout


class TestBadInput:
    """Bad input: one line on stderr, exit status 2, nothing on stdout."""

    @pytest.mark.parametrize(
        "args",
        [
            ("units", "show", "99999"),
            ("units", "show", "4"),
            ("units", "search", "   "),
            ("units", "successors", "00004x"),
            ("calendar", "add", "2026-13-01", "3"),
            ("calendar", "why", "1900-01-01"),
            ("deadline", "2026-04-28T09:30", "three days"),
            ("deadline", "yesterday", "3 working days"),
            ("deadline", "2026-02-12", "3 working days"),  # a date without its time
            ("report", "--store", "x.db", "--as-of", "2026-04-10"),
            ("authority", "no.such.procedure", "00004", "--on", "2026-03-09"),
            ("authority", "residence.permanent", "00004", "--on", "March"),
            ("catalogue", "validate", "/nonexistent/catalogue.toml"),
            ("no-such-command",),
        ],
    )
    def test_one_line_and_status_2(self, args: tuple[str, ...]) -> None:
        """The error is a single line naming the problem."""
        result = run(*args)
        assert result.returncode == 2, (result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("govtier: error:")
        assert result.stdout == ""

    @pytest.mark.parametrize(
        "args",
        [
            ("deadline", "2026-02-12", "3 working days"),
            ("report", "--store", "x.db", "--as-of", "2026-04-10"),
        ],
    )
    def test_a_date_alone_is_not_taken_as_midnight(self, args: tuple[str, ...]) -> None:
        """A moment needs its time: the error says so and shows how to write one."""
        result = run(*args)
        assert result.returncode == 2
        assert "expected a date and a time" in result.stderr
        assert "T00:00" in result.stderr


@pytest.fixture(name="store_file", scope="module")
def _store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite store holding the demo's dossier (built by running the demo once)."""
    folder = tmp_path_factory.mktemp("store")
    result = run("demo", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "govtier-demo.db"


class TestStoreCommands:
    """`report` and `export` read a store file."""

    def test_report_table_json_and_chart(self, store_file: Path, tmp_path: Path) -> None:
        """The report counts the demo's dossier as resolved on time; the chart is an SVG."""
        table = run("report", "--store", str(store_file), "--as-of", "2026-05-01T00:00")
        assert table.returncode == 0, table.stderr
        assert "TOTAL" in table.stdout
        chart = tmp_path / "rates.svg"
        result = run(
            "report",
            "--store",
            str(store_file),
            "--as-of",
            "2026-05-01T00:00",
            "--group-by",
            "province,month",
            "--json",
            "--chart",
            str(chart),
            "--progress",
        )
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert rows[0]["province"] == "01"
        assert rows[0]["on_time"] == 1
        svg = chart.read_text(encoding="utf-8")
        assert svg.startswith("<svg")
        assert "Phường Ba Đình (00004)" in svg  # communes by name, not code alone
        spec = json.loads((tmp_path / "rates.vl.json").read_text(encoding="utf-8"))
        assert spec["data"]["values"][0]["label"] == "Phường Ba Đình (00004)"
        assert "report [" in result.stderr  # the progress bar

    @pytest.mark.parametrize("columns", [60, 80, 120, 200])
    def test_report_table_fits_the_terminal(self, store_file: Path, columns: int) -> None:
        """The table is no wider than the terminal, names communes, and says what it left out."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "govtier",
                "report",
                "--store",
                str(store_file),
                "--as-of",
                "2026-05-01T00:00",
                "--group-by",
                "commune,month",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env={**os.environ, "COLUMNS": str(columns)},
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        table = [line for line in lines[1:] if not line.startswith("(")]
        assert max(len(line) for line in table) <= columns, result.stdout
        assert "Phường Ba Đình (00004)" in result.stdout or columns < 80
        assert "Phường Ba Đình" in result.stdout
        assert "on-time %" in lines[1]
        if columns < 150:
            assert "not shown, to fit" in result.stdout
        else:
            assert "refused" in lines[1]

    def test_export_portal_records(self, store_file: Path, tmp_path: Path) -> None:
        """Export writes the portal's sync body for each dossier."""
        result = run("export", "--store", str(store_file), "--with-progress")
        assert result.returncode == 0, result.stderr
        (record,) = json.loads(result.stdout)
        assert record["sync"]["TrangThaiHoSo"] == "10"
        assert record["sync"]["NgayHenTra"] == "20260415170000"
        assert len(record["progress"]) == 8
        target = tmp_path / "out.json"
        written = run(
            "export",
            "--store",
            str(store_file),
            "--date-format",
            "yyyy-MM-dd HH:mm:ss",
            "--output",
            str(target),
        )
        assert written.returncode == 0, written.stderr
        assert "2026-04-15 17:00:00" in target.read_text(encoding="utf-8")

    @pytest.mark.parametrize("command", ["report", "export"])
    def test_missing_store_is_bad_input(self, command: str, tmp_path: Path) -> None:
        """A store that cannot be opened: one line, status 2, no file created."""
        missing = tmp_path / "none.db"
        extra = ("--as-of", "2026-05-01T00:00") if command == "report" else ()
        result = run(command, "--store", str(missing), *extra)
        assert result.returncode == 2
        assert result.stderr.startswith("govtier: error: no SQLite store")
        assert not missing.exists()

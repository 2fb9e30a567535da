"""Packaging promises: a small sorted public API, typed, and an import that loads no data."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import subprocess
import sys
import tomllib
from importlib import metadata, resources
from pathlib import Path
from typing import Any

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


PINNED_API = [
    "VIETNAM_TZ",
    "Applicant",
    "Assignment",
    "Catalogue",
    "Channel",
    "ConcurrencyError",
    "CorruptRecordError",
    "DataFileError",
    "Deadline",
    "Dossier",
    "DossierCode",
    "DossierHeader",
    "DossierStore",
    "Duration",
    "GovtierError",
    "InvalidInputError",
    "InvalidTransitionError",
    "MalformedCodeError",
    "MemoryStore",
    "NoCompetentAuthorityError",
    "OutOfRangeError",
    "Outcome",
    "PostgresStore",
    "Procedure",
    "Report",
    "RuleConflictError",
    "RuleSet",
    "SQLiteStore",
    "SchemaVersionError",
    "Status",
    "StorageError",
    "Unit",
    "UnitRegistry",
    "UnknownDossierError",
    "UnknownProcedureError",
    "UnknownUnitError",
    "WorkingCalendar",
    "parse_sync_record",
    "report",
    "sync_record",
]


def test_top_level_api_is_pinned() -> None:
    """The top level is small and stable: adding or removing a name is a deliberate act."""
    assert govtier.__all__ == PINNED_API


def test_type_checking_imports_mirror_the_one_list() -> None:
    """The TYPE_CHECKING block (what IDEs see) imports exactly the names of govtier._PUBLIC."""
    tree = ast.parse(Path(govtier.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    )
    seen = {
        (imp.module, alias.name)
        for imp in block.body
        if isinstance(imp, ast.ImportFrom)
        for alias in imp.names
    }
    listed = {(m, n) for m, names in govtier._PUBLIC.items() for n in names}
    assert seen == listed


def test_every_public_name_comes_from_its_module() -> None:
    """Each top-level name is the object its module defines (no copies, no stale aliases)."""
    for module, names in govtier._PUBLIC.items():
        mod = importlib.import_module(module)
        for name in names:
            assert getattr(govtier, name) is getattr(mod, name)


def test_version_is_written_once() -> None:
    """pyproject.toml takes the version from govtier/__init__.py; the installed metadata agrees."""
    root = Path(__file__).parent.parent
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"]
    assert "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["hatch"]["version"]["path"] == "src/govtier/__init__.py"
    assert metadata.version("govtier") == govtier.__version__


def test_licence_and_urls() -> None:
    """The Apache-2.0 licence text is in the repository and in the installed metadata."""
    root = Path(__file__).parent.parent
    text = (root / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text
    assert "Version 2.0, January 2004" in text
    meta = metadata.metadata("govtier")
    assert meta["License-Expression"] == "Apache-2.0"
    assert "LICENSE" in (meta.get_all("License-File") or [])


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


def test_no_unchecked_repository_address() -> None:
    """No page links to a repository address nobody has checked (there is no public one yet)."""
    root = Path(__file__).parent.parent
    pages = [root / "README.md", root / "pyproject.toml", *sorted((root / "docs").glob("*.md"))]
    offenders = [p.name for p in pages if "github.com/govtier" in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_generator_needs_neither_pytest_nor_hypothesis() -> None:
    """`from govtier.testing.generator import journeys` works with the runtime dependencies only."""
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('pytest', 'hypothesis', '_pytest'):\n"
        "            raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from govtier.testing.generator import journeys\n"
        "first = next(journeys(3, seed=1))\n"
        "assert first.dossier.status is first.intended.status\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def _docs_conf() -> object:
    spec = importlib.util.spec_from_file_location(
        "govtier_docs_conf", Path(__file__).parent.parent / "docs" / "conf.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_signatures_hide_attrs_plumbing() -> None:
    """The docs show no attrs ``NOTHING`` default and no private ``_Override`` parameter, and
    list each attrs field once (types in the signature, not again as parameters)."""
    from sphinx.util.inspect import stringify_signature

    from govtier.calendar import WorkingCalendar, WorkingHours
    from govtier.dossier import Dossier

    conf: Any = _docs_conf()
    assert conf.autodoc_typehints == "signature"
    assert "sphinxcontrib.mermaid" in conf.extensions
    assert conf.myst_fence_as_directive == ["mermaid"]
    assert "misc.highlighting_failure" not in conf.suppress_warnings
    for cls in (WorkingCalendar, WorkingHours, Dossier):
        raw = stringify_signature(inspect.signature(cls), show_return_annotation=False)
        shown, _ = conf._public_signature(None, "class", cls.__name__, cls, None, raw, None)
        assert "NOTHING" not in shown
        assert "_Override" not in shown
    raw = stringify_signature(inspect.signature(WorkingCalendar), show_return_annotation=False)
    assert "overrides" in raw
    assert "NOTHING" in raw  # the hook has work to do: attrs still writes it
    shown, _ = conf._public_signature(None, "class", "WorkingCalendar", None, None, raw, None)
    assert "hours: WorkingHours = ..." in shown
    assert "overrides" not in shown


def test_landing_page_installs_and_runs() -> None:
    """docs/index.md has an install line and a runnable example (Sybil runs it)."""
    page = (Path(__file__).parent.parent / "docs" / "index.md").read_text(encoding="utf-8")
    assert "pip install ." in page
    assert ">>> from govtier import" in page
    assert ":hidden:" in page  # the table of contents is the sidebar, not 80 links on the page

"""The package's shape: imports flow one way, no cycle, no private name crosses a public module.

The layers, lowest first (docs/architecture.md draws them):

- foundation: ``errors``, ``legal`` and the private helpers (``_checks``, ``_data``, ``_text``,
  ``_holidays_adapter``, ...) — they import no layer above;
- the spine: ``units`` → ``calendar`` → ``deadlines`` → ``catalogue`` → ``jurisdiction`` →
  ``dossier``, each importing only what stands before it;
- the edges: ``storage``, ``reporting``, ``interop``, ``serialization``, ``scenarios``,
  ``charts``, ``handover``, ``testing``, ``demo`` and ``cli`` on top.

The walk reads the source with :mod:`ast` (nothing is imported) and counts every runtime import,
including those inside functions; imports under ``if TYPE_CHECKING:`` are types only and do not
count.
"""

from __future__ import annotations

import ast
import linecache
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import govtier

PACKAGE = Path(govtier.__file__).parent

SPINE = ("units", "calendar", "deadlines", "catalogue", "jurisdiction", "dossier")
EDGES = frozenset(
    {
        "storage",
        "reporting",
        "interop",
        "serialization",
        "scenarios",
        "charts",
        "handover",
        "testing",
        "demo",
        "cli",
        "pytest_plugin",
        "__main__",
    }
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_public(module: str) -> bool:
    return not any(part.startswith("_") for part in module.split(".")[1:])


# A private module that serves one layer stands at that layer (it may import what the layer
# may); any other private module is foundation.
PRIVATE_AT = {"_entries": "catalogue", "_records": "dossier"}  # _records: the stored event records


def layer(module: str) -> tuple[int, int]:
    """(band, position): 0 foundation, 1 spine (position along it), 2 edges."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    top = PRIVATE_AT.get(top, top)
    if top in SPINE:
        return (1, SPINE.index(top))
    if top in EDGES:
        return (2, 0)
    if not top:
        return (2, 0)  # the package itself re-exports everything, lazily
    return (0, 0)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@attrs.frozen
class Import:
    importer: str
    target: str
    names: tuple[str, ...]
    line: int


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: str) -> Iterator[Import]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))

    def walk(node: ast.AST) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking_only(child):
                for other in child.orelse:
                    yield from walk(other)
                continue
            if isinstance(child, ast.ImportFrom):
                target = _resolve(module, child)
                if target == "govtier" or target.startswith("govtier."):
                    for alias in child.names:
                        sub = f"{target}.{alias.name}"
                        if sub in MODULES:
                            yield Import(module, sub, (), child.lineno)
                        else:
                            yield Import(module, target, (alias.name,), child.lineno)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("govtier"):
                        yield Import(module, alias.name, (), child.lineno)
            yield from walk(child)

    yield from walk(tree)


ALL_IMPORTS = [imp for module in MODULES for imp in imports_of(module)]


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for imp in ALL_IMPORTS:
        if imp.target in MODULES and imp.target != imp.importer:
            edges[imp.importer].add(imp.target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_package() -> None:
    """A guard for the guard: the walk finds the modules and the imports it should."""
    assert {"govtier.units", "govtier.dossier._core", "govtier.storage.sqlite"} <= set(MODULES)
    assert any(
        i.importer == "govtier.dossier._core" and i.target == "govtier.jurisdiction"
        for i in ALL_IMPORTS
    )
    assert any(  # a package's private modules import each other: seen as module edges
        i.importer == "govtier.dossier._core" and i.target == "govtier.dossier._events"
        for i in ALL_IMPORTS
    )


def test_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_name_is_imported_from_another_public_module() -> None:
    crossings = [
        f"{imp.importer}:{imp.line} imports {name} from {imp.target}"
        for imp in ALL_IMPORTS
        if is_public(imp.target) and imp.target != imp.importer
        for name in imp.names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert crossings == []


def test_imports_flow_one_way() -> None:
    """No module imports a later layer (or a later module of the spine)."""
    upward = [
        f"{imp.importer}:{imp.line} imports {imp.target}"
        for imp in ALL_IMPORTS
        if imp.target in MODULES
        and imp.target != "govtier"
        and layer(imp.target) > layer(imp.importer)
    ]
    assert upward == []


def test_generated_code_is_registered_for_tracebacks() -> None:
    """The fold's generated copy functions show their source in tracebacks (attrs' way)."""
    from govtier import dossier
    from govtier.dossier._events import _make_evolver

    evolver = _make_evolver(dossier.Applicant)
    filename = evolver.__code__.co_filename
    assert filename.startswith("<govtier generated evolve govtier.dossier._header.Applicant")
    assert "def evolve(inst, changes):" in linecache.getline(filename, 1)


def test_indicators_are_read_from_the_bundled_data() -> None:
    import tomllib

    from govtier._data import read_bundled
    from govtier.reporting import DECISION_766, INDICATORS

    raw = tomllib.loads(read_bundled("indicators.toml"))
    assert [i.key for i in INDICATORS] == [e["key"] for e in raw["indicator"]]
    assert [i.confidence.value for i in INDICATORS] == [e["confidence"] for e in raw["indicator"]]
    assert DECISION_766.document == raw["decision_766"]["document"] == "Decision 766/QĐ-TTg"


@pytest.mark.parametrize("broken", ['[decision_766]\ndocument = "x"\n', "indicator = 3\n"])
def test_malformed_indicator_data_is_a_damaged_install(
    monkeypatch: pytest.MonkeyPatch, broken: str
) -> None:
    from govtier import reporting
    from govtier.errors import DataFileError

    monkeypatch.setattr(reporting, "read_bundled", lambda _name: broken)
    with pytest.raises(DataFileError, match="damaged install"):
        reporting._load_indicators()


def test_a_calendar_deadline_needs_a_duration() -> None:
    """The calendar delegates to the duration; anything else is a clear error."""
    import datetime as dt

    from govtier import VIETNAM_TZ, Duration, InvalidInputError, WorkingCalendar

    cal = WorkingCalendar.vietnam()
    received = dt.datetime(2026, 4, 28, 9, 30, tzinfo=VIETNAM_TZ)
    limit = Duration.working_days(3)
    assert cal.deadline(received, limit) == limit.deadline_from(cal, received)
    with pytest.raises(InvalidInputError, match="duration must be a govtier Duration") as info:
        cal.deadline(received, "3 working days")  # type: ignore[arg-type]
    assert info.value.field == "duration"

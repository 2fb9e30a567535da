"""SQL: every statement is parametrized, and hostile values reach the database only as values.

The first half reads the source of ``govtier/storage/*.py`` and follows the SQL argument of every
``execute``/``executemany``/``copy`` call back to where it was built: it must come from literals,
module constants, placeholder lists (``", ".join("?" * n)``) or ``psycopg.sql`` composition with
``sql.Identifier``; an f-string, ``%``, ``.format`` or ``+`` over any other value fails the test.
The second half sends SQL-looking codes, unit codes, procedure ids and schema names through the
stores and checks the database is intact.
"""

from __future__ import annotations

import ast
import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import psycopg
import pytest
from psycopg import sql
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas

import govtier.storage
from govtier import VIETNAM_TZ, WorkingCalendar
from govtier.dossier import Dossier
from govtier.errors import UnknownDossierError
from govtier.storage import DossierQuery, MemoryStore, PostgresStore, SQLiteStore
from govtier.storage.ports import DossierStore
from govtier.testing.contract import sample_header

STORAGE = Path(govtier.storage.__file__).parent
SQL_CALLS = frozenset({"execute", "executemany", "executescript", "copy"})
SAFE_WRAPPERS = frozenset({"Identifier", "Literal", "Placeholder"})  # psycopg.sql, quoted by it


class _Scopes:
    """Where names are bound in one module: module constants, function locals, parameters."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
            if isinstance(node, ast.FunctionDef):
                self.functions.setdefault(node.name, []).append(node)

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def bindings(self, name: str, scope: ast.AST) -> Iterator[tuple[str, ast.AST, ast.AST]]:
        """``(how, value, scope)`` for each binding of ``name`` directly in ``scope``."""
        for node in _own_nodes(scope):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if node.value is None:
                        continue
                    if isinstance(target, ast.Name) and target.id == name:
                        yield ("assign", node.value, scope)
                    elif isinstance(target, ast.Tuple) and any(
                        isinstance(e, ast.Name) and e.id == name for e in target.elts
                    ):
                        index = [getattr(e, "id", None) for e in target.elts].index(name)
                        yield ("unpack", _Item(node.value, index), scope)
            elif isinstance(node, ast.For) and name in _names(node.target):
                yield ("loop", node.iter, scope)
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                if name in _names(node.optional_vars):
                    yield ("assign", node.context_expr, scope)
            elif isinstance(node, ast.Call) and _is_append(node, name):
                yield ("append", node.args[0], scope)
        if isinstance(scope, ast.FunctionDef):
            params = [a.arg for a in (*scope.args.posonlyargs, *scope.args.args)]
            params += [a.arg for a in scope.args.kwonlyargs]
            if name in params:
                yield ("param", ast.Constant(params.index(name)), scope)


class _Item(ast.expr):
    """Element ``index`` of a tuple-valued expression (``a, b = f(x)``)."""

    def __init__(self, value: ast.expr, index: int) -> None:
        super().__init__()
        self.value = value
        self.index = index


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope`` outside nested functions and classes."""
    for child in ast.iter_child_nodes(scope):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        yield child
        yield from _own_nodes(child)


def _names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _is_append(node: ast.Call, name: str) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("append", "extend")
        and isinstance(func.value, ast.Name)
        and func.value.id == name
        and len(node.args) == 1
    )


class SqlChecker:
    """Decides whether an expression can only hold SQL built from trusted text."""

    def __init__(self, source: str) -> None:
        self.scopes = _Scopes(ast.parse(source))
        self.seen: set[tuple[int, str]] = set()

    def problems(self) -> list[str]:
        found = []
        for node in ast.walk(self.scopes.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_CALLS
                and node.args
            ):
                self.seen.clear()
                if not self.safe(node.args[0], self.scopes.function_of(node)):
                    found.append(f"line {node.lineno}: {ast.unparse(node)[:120]}")
        return found

    def safe(self, expr: ast.AST, scope: ast.AST | None) -> bool:
        scope = scope or self.scopes.tree
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str | bytes | int | float | type(None))
        if isinstance(expr, ast.JoinedStr):
            return all(self.safe(v, scope) for v in expr.values)
        if isinstance(expr, ast.FormattedValue):
            return self.safe(expr.value, scope)
        if isinstance(expr, ast.BinOp):
            if isinstance(expr.op, ast.Mult):  # "?" * n: a literal repeated
                return any(
                    isinstance(side, ast.Constant) and isinstance(side.value, str)
                    for side in (expr.left, expr.right)
                )
            if isinstance(expr.op, ast.Add | ast.Mod):
                return self.safe(expr.left, scope) and self.safe(expr.right, scope)
            return False
        if isinstance(expr, ast.IfExp):
            return self.safe(expr.body, scope) and self.safe(expr.orelse, scope)
        if isinstance(expr, ast.List | ast.Tuple):
            return all(self.safe(e, scope) for e in expr.elts)
        if isinstance(expr, ast.Name):
            return self.safe_name(expr.id, scope)
        if isinstance(expr, _Item):
            return self.safe_item(expr, scope)
        if isinstance(expr, ast.Call):
            return self.safe_call(expr, scope)
        return False

    def safe_call(self, call: ast.Call, scope: ast.AST) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in SAFE_WRAPPERS:  # sql.Identifier(x): quoted by the driver
                return True
            if func.attr == "SQL":  # sql.SQL(text): the text must be trusted
                return all(self.safe(a, scope) for a in call.args)
            if func.attr == "format":  # only psycopg composition: sql.SQL(...).format(...)
                composed = isinstance(func.value, ast.Call) and getattr(
                    func.value.func, "attr", None
                ) in ("SQL",)
                if composed:
                    return all(
                        self.safe(a, scope) for a in (func.value, *call.args, *call.keywords)
                    )
            if func.attr in ("encode", "strip", "split"):
                return self.safe(func.value, scope)
            if func.attr in ("replace", "format"):  # trusted text into trusted text
                return self.safe(func.value, scope) and all(
                    self.safe(a, scope) for a in (*call.args, *(k.value for k in call.keywords))
                )
            if func.attr == "join":  # ", ".join(parts): the separator and every part
                return self.safe(func.value, scope) and all(self.safe(a, scope) for a in call.args)
        if isinstance(func, ast.Name) and func.id in self.scopes.functions:
            return all(self.safe_returns(f, None, scope) for f in self.scopes.functions[func.id])
        return False

    def safe_item(self, item: _Item, scope: ast.AST) -> bool:
        value = item.value
        if isinstance(value, ast.Tuple):
            return self.safe(value.elts[item.index], scope)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            functions = self.scopes.functions.get(value.func.id, [])
            return bool(functions) and all(self.safe_returns(f, item.index, f) for f in functions)
        return self.safe(value, scope)

    def safe_returns(self, function: ast.FunctionDef, index: int | None, _: ast.AST) -> bool:
        returns = [n for n in _own_nodes(function) if isinstance(n, ast.Return) and n.value]
        for ret in returns:
            assert ret.value is not None
            value: ast.AST = ret.value
            if index is not None and isinstance(value, ast.Tuple):
                value = value.elts[index]
            if not self.safe(value, function):
                return False
        return bool(returns)

    def safe_name(self, name: str, scope: ast.AST) -> bool:
        key = (id(scope), name)
        if key in self.seen:  # a cycle (x = x + "..."): decided by the other bindings
            return True
        self.seen.add(key)
        bindings = list(self.scopes.bindings(name, scope))
        if not bindings and scope is not self.scopes.tree:
            outer = self.scopes.function_of(scope) or self.scopes.tree
            return self.safe_name(name, outer)
        if not bindings:
            return False  # an import or a builtin: not trusted text
        for how, value, where in bindings:
            if how == "param":
                if not self.safe_argument(where, name, value):
                    return False
            elif not self.safe(value, where):
                return False
        return True

    def safe_argument(self, function: ast.AST, name: str, position: ast.AST) -> bool:
        """A parameter is safe when every call of its function in the module passes safe SQL."""
        assert isinstance(function, ast.FunctionDef)
        assert isinstance(position, ast.Constant)
        offset = 1 if function.args.args and function.args.args[0].arg == "self" else 0
        index = position.value - offset
        calls = [
            node
            for node in ast.walk(self.scopes.tree)
            if isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None))
            == function.name
        ]
        if not calls:
            return False
        for call in calls:
            given = [k.value for k in call.keywords if k.arg == name]
            if not given and 0 <= index < len(call.args):
                given = [call.args[index]]
            if not given or not self.safe(given[0], self.scopes.function_of(call)):
                return False
        return True


def _storage_modules() -> list[Path]:
    return sorted(STORAGE.glob("*.py"))


@pytest.mark.parametrize("path", _storage_modules(), ids=lambda p: p.name)
def test_every_statement_is_built_from_trusted_text(path: Path) -> None:
    """No execute/executemany/copy in the storage modules takes SQL built from a value."""
    problems = SqlChecker(path.read_text(encoding="utf-8")).problems()
    assert not problems, "SQL built from values:\n" + "\n".join(problems)


BAD = [
    "def f(db, code):\n    db.execute(f\"SELECT * FROM t WHERE code = '{code}'\")\n",
    "def f(db, code):\n    db.execute(\"SELECT * FROM t WHERE code = '%s'\" % code)\n",
    'def f(db, code):\n    db.execute("SELECT * FROM t WHERE code = {}".format(code))\n',
    'def f(db, code):\n    db.execute("SELECT * FROM t WHERE code = \'" + code + "\'")\n',
    (
        'def f(db, code):\n    q = "SELECT * FROM t"\n'
        '    q += " WHERE code = " + code\n    db.execute(q)\n'
    ),
    "def f(db, schema):\n    db.execute(sql.SQL('SET search_path TO ' + schema))\n",
    'def f(db, names):\n    db.executemany(f"INSERT INTO {names[0]} VALUES (?)", [(1,)])\n',
    (
        "def q(x):\n    return f'SELECT {x}', []\n"
        "def f(db, v):\n    s, p = q(v)\n    db.execute(s, p)\n"
    ),
    "def f(cur, table):\n    cur.copy(f'COPY {table} FROM STDIN')\n",
]
GOOD = [
    'def f(db, code):\n    db.execute("SELECT * FROM t WHERE code = ?", (code,))\n',
    (
        "C = 'a, b'\ndef f(db, n):\n    m = ', '.join('?' * n)\n"
        "    db.execute(f'SELECT {C} FROM t WHERE x IN ({m})')\n"
    ),
    "def f(db, s):\n    db.execute(sql.SQL('SET search_path TO {}').format(sql.Identifier(s)))\n",
    (
        "M = [(1, 'CREATE TABLE a (x INT)')]\ndef f(db):\n"
        "    for n, script in M:\n        for st in script.split(';'):\n"
        "            db.execute(st)\n"
    ),
]


@pytest.mark.parametrize("source", BAD)
def test_the_checker_catches_sql_built_from_values(source: str) -> None:
    """The checker itself: each classic way of splicing a value into SQL is flagged."""
    assert SqlChecker(source).problems(), source


@pytest.mark.parametrize("source", GOOD)
def test_the_checker_accepts_parametrized_sql(source: str) -> None:
    """The checker itself: parameters, placeholder lists and sql.Identifier pass."""
    assert SqlChecker(source).problems() == [], source


# -- hostile values through the stores ---------------------------------------------------------

HOSTILE = [
    "'; DROP TABLE events; --",
    '"; DROP TABLE dossiers; --',
    "x' OR '1'='1",
    "00004') OR 1=1 --",
    "\\'; DELETE FROM dossiers WHERE ''='",
    "%s%s%s",
    "?",
    "$1",
    "Robert'); DROP TABLE idempotency_keys;--",
]
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=VIETNAM_TZ)


def _fill(store: DossierStore) -> list[Dossier]:
    """Two ordinary dossiers and one whose code, units and procedure are hostile text."""
    cal = WorkingCalendar.vietnam()
    plain = [
        Dossier.receive(sample_header(f"G01-260302-000{n}"), at=AT, actor="clerk", calendar=cal)
        for n in (1, 2)
    ]
    odd = attrs.evolve(
        sample_header("G01-260302-0003"),
        code=HOSTILE[0],
        procedure_id=HOSTILE[1],
        receiving_unit=HOSTILE[2],
        subject_unit=HOSTILE[3],
    )
    hostile = Dossier.submit(odd, at=AT, actor=HOSTILE[4])
    for dossier in [*plain, hostile]:
        store.save(dossier, expected_version=0, idempotency_key=HOSTILE[8] + dossier.code)
    return [*plain, hostile]


def _queries() -> list[DossierQuery]:
    queries = []
    for text in HOSTILE:
        queries += [
            DossierQuery(unit=text),
            DossierQuery(province=text),
            DossierQuery(procedure_id=text),
            DossierQuery(after=text, limit=5),
        ]
    return queries


def _check_intact(store: DossierStore, stored: list[Dossier]) -> None:
    for text in HOSTILE:
        for query in _queries():
            found = store.find(query)
            assert all(query.matches(s) for s in found)
        if text not in (d.code for d in stored):
            with pytest.raises(UnknownDossierError):
                store.load(text)
        assert store.next_sequence(text, dt.date(2026, 3, 2)) >= 1
    assert [store.load(d.code) for d in stored] == stored
    assert {s.code for s in store.find()} == {d.code for d in stored}
    assert [s.code for s in store.find(DossierQuery(procedure_id=HOSTILE[1]))] == [HOSTILE[0]]
    assert [s.code for s in store.find(DossierQuery(unit=HOSTILE[3]))] == [HOSTILE[0]]
    assert sum(1 for _ in store.stream(batch_size=1)) == len(stored)


StoreFactory = Callable[[], DossierStore]


class _SharedMemory(MemoryStore):
    """A memory store that outlives ``close``, so a second "handle" sees the same data."""

    def close(self) -> None:
        """Keep the data (one process, one store)."""


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens handles on one fresh store of each kind."""
    if request.param == "memory":
        store = _SharedMemory(province_of=lambda unit: None)
        yield lambda: store
    elif request.param == "sqlite":
        path = tmp_path / "hostile.db"
        yield lambda: SQLiteStore(path, province_of=lambda unit: None)
    else:
        schemas: PostgresSchemas = request.getfixturevalue("pg_schemas")
        schema = schemas.new()
        yield lambda: PostgresStore(schemas.url, schema=schema, province_of=lambda unit: None)


def test_hostile_values_are_only_values(opener: StoreFactory) -> None:
    """Codes, units, procedure ids and keys that look like SQL are stored and found verbatim."""
    store = opener()
    try:
        stored = _fill(store)
        _check_intact(store, stored)
    finally:
        store.close()
    again = opener()  # the tables are all still there for a new handle
    try:
        assert [again.load(d.code) for d in stored] == stored
    finally:
        again.close()


def test_sqlite_tables_survive(tmp_path: Path) -> None:
    """After the hostile queries the SQLite file still has every table, row and index."""
    path = tmp_path / "hostile.db"
    store = SQLiteStore(path, province_of=lambda unit: None)
    stored = _fill(store)
    _check_intact(store, stored)
    store.close()
    with sqlite3.connect(path) as raw:
        names = {r[0] for r in raw.execute("SELECT name FROM sqlite_master")}
        counts = [
            raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (constant)
            for table in ("dossiers", "events", "idempotency_keys")
        ]
    raw.close()
    assert {"dossiers", "events", "idempotency_keys", "sequences", "schema_version"} <= names
    assert counts == [3, 3, 3]


@pytest.mark.postgres
@pytest.mark.parametrize(
    "schema", ['x"; DROP SCHEMA public CASCADE; --', "Mixed Case; SELECT 1", "a.b"]
)
def test_a_hostile_schema_name_is_one_quoted_identifier(
    pg_schemas: PostgresSchemas, schema: str
) -> None:
    """A schema name with quotes and semicolons becomes one schema of exactly that name."""
    # The hostile part first, then this run's unique suffix: two test runs on one server (or a
    # left-over from a killed run) never share the schema.
    schema = f"{schema} {uuid.uuid4().hex[:12]}"  # at most 48 bytes: under PostgreSQL's 63
    pg_schemas.names.append(schema)  # dropped afterwards with the others
    store = PostgresStore(pg_schemas.url, schema=schema, province_of=lambda unit: None)
    stored = _fill(store)
    store.close()
    with psycopg.connect(pg_schemas.url, autocommit=True) as raw:
        found = raw.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
        public = raw.execute(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'public'"
        ).fetchone()
        count = raw.execute(
            sql.SQL("SELECT count(*) FROM {}.dossiers").format(sql.Identifier(schema))
        ).fetchone()
    assert {r[0] for r in found} >= {"dossiers", "events", "schema_version"}
    assert public == (1,)
    assert count == (len(stored),)

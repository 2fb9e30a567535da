"""Every store passes the contract suite: in memory, SQLite (file and :memory:), PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.pg_fixtures import *  # noqa: F403 (the PostgreSQL fixtures)
from tests.pg_fixtures import PostgresSchemas

from govtier.storage import MemoryStore, PostgresStore, SQLiteStore
from govtier.storage.ports import DossierStore
from govtier.testing.contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], DossierStore]:
        store = MemoryStore()
        return lambda: store


class TestSQLiteFileStore(StoreContract):
    @pytest.fixture
    def make_store(self, tmp_path: Path) -> Callable[[], DossierStore]:
        return lambda: SQLiteStore(tmp_path / "dossiers.db")


class TestSQLiteMemoryStore(StoreContract):
    @pytest.fixture
    def make_store(self) -> Callable[[], DossierStore]:
        store = SQLiteStore(":memory:")
        return lambda: store


@pytest.mark.postgres
class TestPostgresStore(StoreContract):
    @pytest.fixture
    def make_store(self, pg_schemas: PostgresSchemas) -> Callable[[], DossierStore]:
        schema = pg_schemas.new()
        return lambda: PostgresStore(pg_schemas.url, schema=schema)


@pytest.mark.postgres
class TestPartitionedPostgresStore(StoreContract):
    """The same contract on the partitioned layout (dossiers by province, events by month)."""

    @pytest.fixture
    def make_store(self, pg_schemas: PostgresSchemas) -> Callable[[], DossierStore]:
        schema = pg_schemas.new()
        return lambda: PostgresStore(pg_schemas.url, schema=schema, partitioned=True)

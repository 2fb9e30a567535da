"""PostgreSQL fixtures: a server for the session and a fresh schema for each test.

Import them into a test module (``from tests.pg_fixtures import pg_schemas, postgres_url``);
see ``tests/postgres_server.py`` for how the server is found.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import psycopg
import pytest
from psycopg import sql
from tests.postgres_server import PostgresUnavailableError, session_resolution

if TYPE_CHECKING:
    from govtier.dossier import Dossier

__all__ = ["PostgresSchemas", "pg_schemas", "postgres_url"]

RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A reachable PostgreSQL URL (CI: fail if none; elsewhere: throwaway server, or skip)."""
    try:
        resolution = session_resolution()
    except PostgresUnavailableError as exc:
        pytest.fail(str(exc), pytrace=False)
    if resolution.url is None:
        pytest.skip(resolution.skip_reason or "no PostgreSQL server")
    return resolution.url


class PostgresSchemas:
    """Hands out fresh schema names on one server and drops them all afterwards."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.names: list[str] = []

    def new(self) -> str:
        name = f"govtier_test_{RUN_ID}_{next(_counter)}"
        self.names.append(name)
        return name

    def holding(self, dossier: Dossier) -> str:
        """A fresh schema whose store holds ``dossier`` (saved, the store closed again)."""
        from govtier.storage import PostgresStore

        name = self.new()
        store = PostgresStore(self.url, schema=name)
        store.save(dossier, expected_version=0)
        store.close()
        return name

    def drop_all(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            for name in self.names:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name))
                )
        self.names.clear()


@pytest.fixture
def pg_schemas(postgres_url: str) -> Iterator[PostgresSchemas]:
    """Fresh schemas for one test, dropped after it."""
    schemas = PostgresSchemas(postgres_url)
    yield schemas
    schemas.drop_all()

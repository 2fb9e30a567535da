"""Dossier storage: the port and its adapters (in memory, SQLite, PostgreSQL).

>>> from govtier.storage import SQLiteStore
>>> store = SQLiteStore(":memory:")
>>> store.find()
[]
>>> store.close()

:class:`PostgresStore` needs the ``postgres`` extra (``pip install 'govtier[postgres]'``); psycopg
is imported only when one is opened.
"""

from govtier.storage.memory import MemoryStore
from govtier.storage.ports import (
    RUNNING_STATUSES,
    Append,
    DossierQuery,
    DossierStore,
    DossierSummary,
    ProvinceResolver,
    bundled_province_of,
)
from govtier.storage.postgres import PostgresStore
from govtier.storage.sqlite import SQLiteStore

__all__ = [
    "RUNNING_STATUSES",
    "Append",
    "DossierQuery",
    "DossierStore",
    "DossierSummary",
    "MemoryStore",
    "PostgresStore",
    "ProvinceResolver",
    "SQLiteStore",
    "bundled_province_of",
]

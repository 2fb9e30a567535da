"""Write the version-1 store fixtures of tests/data/ with govtier 0.x's version-1 code.

Run once, before schema version 2 existed (``git show`` this file's first commit for the code
that ran it). It writes ``v1_store.sqlite`` (a SQLiteStore file), ``v1_postgres.sql`` (a
plain-SQL dump of a PostgresStore schema, tables and rows) and ``v1_expected.jsonl`` (each stored
dossier as a JSON document, the idempotency keys and the sequences): the migration tests check a
migrated store loads every dossier equal to these.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
from pathlib import Path

from govtier.serialization import to_json
from govtier.storage import PostgresStore, SQLiteStore
from govtier.testing.contract import random_dossier
from govtier.testing.generator import journeys

OUT = Path(__file__).resolve().parent.parent / "tests" / "data"


def fill(store) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    batch = [j.to_append() for j in journeys(60, seed=7, days=120)]
    store.append_many(batch)
    rng = random.Random(18)
    for n in range(20):
        dossier = random_dossier(rng, f"T{n:03d}-260302-0001")
        events = list(dossier.events)
        # in two appends, the second with an idempotency key
        cut = max(1, len(events) // 2)
        store.append(dossier.code, events[:cut], expected_version=0, idempotency_key=f"k-{n}-a")
        if events[cut:]:
            store.append(
                dossier.code, events[cut:], expected_version=cut, idempotency_key=f"k-{n}-b"
            )
    for agency in ("G01.20.01", "H29.40.05"):
        for _ in range(3):
            store.next_sequence(agency, dt.date(2026, 3, 9))
    store.next_sequence("G01.20.01", dt.date(2026, 3, 10))
    for summary in store.find():
        lines.append({"dossier": json.loads(to_json(store.load(summary.code)))})
    return lines


def main() -> None:
    OUT.mkdir(exist_ok=True)
    target = OUT / "v1_store.sqlite"
    target.unlink(missing_ok=True)
    store = SQLiteStore(target)
    assert store.schema_version == 1
    lines = fill(store)
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    Path(str(target) + "-wal").unlink(missing_ok=True)
    Path(str(target) + "-shm").unlink(missing_ok=True)
    with (OUT / "v1_expected.jsonl").open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    schema = "govtier_v1_fixture"
    conninfo = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/test"
    import psycopg

    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    pg = PostgresStore(conninfo, schema=schema)
    assert pg.schema_version == 1
    pg_lines = fill(pg)
    pg.close()
    assert pg_lines == lines
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "--schema", schema, conninfo],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (OUT / "v1_postgres.sql").write_text(dump, encoding="utf-8")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()

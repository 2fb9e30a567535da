"""An in-memory dossier store: for tests, examples and short-lived tools.

It keeps the events as objects in a dict, behind a lock (safe to share between threads). Nothing
survives the process.

>>> store = MemoryStore()
>>> store.next_sequence("G01.20.01", dt.date(2026, 3, 9))
1
>>> store.find()
[]
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator

from govtier.dossier import Dossier, Event
from govtier.errors import InvalidInputError, UnknownDossierError
from govtier.storage.ports import (
    Append,
    DossierQuery,
    DossierStore,
    DossierSummary,
    ProvinceResolver,
    bundled_province_of,
    check_batch_size,
    check_indexed_fields,
    check_sequence_args,
    plan_batch,
    stream_pages,
)

__all__ = ["MemoryStore"]


class MemoryStore(DossierStore):
    """Dossiers kept in memory.

    Args:
        province_of: gives the province code of a unit (default: the bundled unit registry).
    """

    def __init__(self, *, province_of: ProvinceResolver | None = None) -> None:
        self._province_of = province_of or bundled_province_of
        self._lock = threading.RLock()
        self._events: dict[str, tuple[Event, ...]] = {}
        self._summaries: dict[str, DossierSummary] = {}
        self._keys: dict[str, tuple[str, int, str]] = {}
        self._sequences: dict[tuple[str, dt.date], int] = {}
        self._closed = False

    def append_many(self, batch: Iterable[Append]) -> list[int]:
        """Append several dossiers' events at once: all or none (see :class:`DossierStore`)."""
        appends = list(batch)
        check_indexed_fields(appends)
        with self._lock:
            self._check_open()
            codes = {a.code for a in appends}
            plan = plan_batch(
                appends,
                stored_versions={c: len(self._events[c]) for c in codes if c in self._events},
                histories=self._events,
                keys=self._keys,
                province_of=self._province_of,
            )
            for code, dossier in plan.dossiers.items():
                self._events[code] = dossier.events
                self._summaries[code] = plan.summaries[code]
            for key, code, version, fingerprint in plan.keys:
                self._keys[key] = (code, version, fingerprint)
            return list(plan.versions)

    def load_events(self, code: str) -> list[Event]:
        """Every event of a dossier, oldest first (see :class:`DossierStore`)."""
        with self._lock:
            self._check_open()
            try:
                return list(self._events[code])
            except KeyError:
                msg = f"no stored dossier has the code {code!r}"
                raise UnknownDossierError(msg) from None

    def find(self, query: DossierQuery | None = None) -> list[DossierSummary]:
        """The summaries ``query`` selects, by code (see :class:`DossierStore`)."""
        query = query or DossierQuery()
        with self._lock:
            self._check_open()
            found = sorted(
                (s for s in self._summaries.values() if query.matches(s)), key=lambda s: s.code
            )
        return found if query.limit is None else found[: query.limit]

    def stream(
        self, query: DossierQuery | None = None, *, batch_size: int = 500
    ) -> Iterator[Dossier]:
        """Every selected dossier in full, by code (see :class:`DossierStore`)."""
        check_batch_size(batch_size)
        return self._stream(query, batch_size)

    def _stream(self, query: DossierQuery | None, batch_size: int) -> Iterator[Dossier]:
        for page in stream_pages(self.find, query, batch_size):
            for summary in page:
                yield Dossier.from_events(self.load_events(summary.code))

    def next_sequence(self, agency: str, day: dt.date) -> int:
        """The next sequence number of ``agency`` on ``day`` (see :class:`DossierStore`)."""
        check_sequence_args(agency, day)
        with self._lock:
            self._check_open()
            value = self._sequences.get((agency, day), 0) + 1
            self._sequences[agency, day] = value
            return value

    def close(self) -> None:
        """Forget nothing, but refuse further use (as the other stores do)."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            msg = "this store is closed"
            raise InvalidInputError(msg, field="store", value=None)

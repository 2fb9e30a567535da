"""The stores pause the cyclic collector for one batch only, and always restore it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from govtier.errors import InvalidTransitionError
from govtier.storage import MemoryStore, SQLiteStore
from govtier.storage._gc import collector_paused
from govtier.storage.ports import Append
from govtier.testing.generator import journeys


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.usefixtures("collector")
def test_a_batch_runs_without_the_collector_and_restores_it(tmp_path: Path) -> None:
    """Inside ``append_many`` the collector is off; after it, on, also after an error."""
    seen: list[bool] = []
    store = SQLiteStore(tmp_path / "gc.db")
    appends = [j.to_append() for j in journeys(20, seed=3)]
    original = store._append_batch

    def spy(batch: list[Append]) -> list[int]:
        seen.append(gc.isenabled())
        return original(batch)

    store._append_batch = spy  # type: ignore[method-assign]
    store.append_many(appends)
    assert seen == [False]
    assert gc.isenabled()
    again = appends[0]
    with pytest.raises(InvalidTransitionError):  # the opening events again: not allowed
        store.append_many(
            [Append(code=again.code, events=again.events, expected_version=len(again.events))]
        )
    assert gc.isenabled()
    store.close()
    assert MemoryStore().append_many(appends) == [len(a.events) for a in appends]


@pytest.mark.usefixtures("collector")
def test_a_disabled_collector_stays_disabled() -> None:
    """A program that turned the collector off keeps it off."""
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


@pytest.mark.usefixtures("collector")
def test_overlapping_batches_restore_the_collector_after_the_last() -> None:
    """Two threads' batches overlap: the collector is back on only when both are done."""
    inside, leave = threading.Event(), threading.Event()

    def batch() -> None:
        with collector_paused():
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=batch)
    with collector_paused():
        worker.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other batch still runs
    leave.set()
    worker.join(10)
    assert gc.isenabled()

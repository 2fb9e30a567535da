"""The cyclic garbage collector, paused while a store plans and writes one batch.

A batch of appends makes hundreds of thousands of small immutable values (events, clocks,
summaries, rows) that hold no reference cycles: reference counting frees every one of them.
CPython's cyclic collector still runs every few hundred allocations and, as they pile up, walks
every object of the process (the unit registry and catalogue included): measured at 30–35% of
the store's CPU on a bulk import (issue 18's profile). The stores pause it for the duration of
one ``append_many`` call, which is bounded by the batch, and restore it after; nothing else
changes. Threads share one count, so overlapping batches restore it once, after the last.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["collector_paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector (if it runs) inside the block; restore it afterwards."""
    global _depth, _was_enabled  # noqa: PLW0603  (one process-wide collector)
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()

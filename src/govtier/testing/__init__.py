"""Test helpers for govtier users.

- :mod:`govtier.testing.generator`: seeded, realistic dossier journeys (no extra needed).
- :mod:`govtier.testing.strategies`: hypothesis strategies for units, dates, durations, procedures,
  rule sets and valid dossier histories (needs the ``testing`` extra).
- :mod:`govtier.testing.contract`: :class:`~govtier.testing.contract.StoreContract`, the tests
  every dossier store passes; subclass it to check your own store (needs the ``testing`` extra:
  pytest and hypothesis).
- The scenario-file pytest plugin (``*.scenarios.toml``) is registered when govtier is installed.

Importing this package imports neither pytest nor hypothesis: the contract's names below are
loaded on first use, so ``from govtier.testing.generator import journeys`` works with the runtime
alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from govtier.testing.contract import (
        PERSONAL_NAME,
        StoreContract,
        random_dossier,
        sample_header,
    )

__all__ = ["PERSONAL_NAME", "StoreContract", "random_dossier", "sample_header"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        msg = f"module 'govtier.testing' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module("govtier.testing.contract"), name)
    globals()[name] = value
    return value

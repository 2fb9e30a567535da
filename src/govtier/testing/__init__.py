"""Test helpers for govtier users (needs the ``testing`` extra: pytest and hypothesis).

- :mod:`govtier.testing.strategies`: hypothesis strategies for units, dates, durations, procedures,
  rule sets and valid dossier histories.
- :mod:`govtier.testing.contract`: :class:`~govtier.testing.contract.StoreContract`, the tests
  every dossier store passes; subclass it to check your own store.
- The scenario-file pytest plugin (``*.scenarios.toml``) is registered when govtier is installed.
"""

from govtier.testing.contract import PERSONAL_NAME, StoreContract, random_dossier, sample_header

__all__ = ["PERSONAL_NAME", "StoreContract", "random_dossier", "sample_header"]

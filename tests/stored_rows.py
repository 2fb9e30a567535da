"""Helpers for tests that edit stored event rows (the compact form of ``govtier.storage``)."""

from __future__ import annotations

from typing import Any

from govtier.storage._compact import APPLICANT_FIELDS, FIELDS, HEADER_FIELDS, KINDS


def header_of(kind: int, data: list[Any]) -> list[Any]:
    """The stored header (a list, in ``HEADER_FIELDS`` order) of a row of kind number ``kind``."""
    header: list[Any] = data[FIELDS[KINDS[kind]].index("header")]
    return header


def applicant_as_dict(kind: int, data: list[Any]) -> dict[str, Any]:
    """Rewrite the row's stored applicant in its named form (still read) and return it."""
    header = header_of(kind, data)
    index = HEADER_FIELDS.index("applicant")
    values = header[index]
    named = {n: v for n, v in zip(APPLICANT_FIELDS, values, strict=False) if v is not None}
    header[index] = named
    return named

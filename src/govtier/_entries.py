"""The reader of one entry of a data file (a procedure, a rule, a scenario, a group).

Private: the catalogue, the rule files and the scenario files all read their entries with it, so
every loader names the file, the entry and the field in the same way when something is wrong.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from govtier._guard import shown, shown_names
from govtier.deadlines import Duration
from govtier.errors import DataFileError, InvalidInputError
from govtier.legal import Confidence, LegalSource

__all__ = ["EntryReader", "parse_enum"]


class EntryReader:
    """Reads the fields of one entry, raising DataFileError that names file, entry and field."""

    def __init__(
        self,
        entry: object,
        *,
        path: str,
        index: int | str,
        allowed: frozenset[str],
        kind: str,
        prefix: str = "",
    ) -> None:
        if not isinstance(entry, dict):
            raise DataFileError(f"each {kind} must be a table/object", path=path, entry=index)
        self.data: dict[str, Any] = entry
        self.path = path
        self.prefix = prefix
        ident = entry.get("id")
        self.label: str | int = f"{index} ({ident})" if isinstance(ident, str) else index
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise self.error(
                f"unknown field(s) {shown_names(unknown)}; allowed: {', '.join(sorted(allowed))}",
                unknown[0],
            )

    def error(self, problem: str, field: str | None) -> DataFileError:
        name = f"{self.prefix}{field}" if field is not None else None
        return DataFileError(problem, path=self.path, entry=self.label, field=name)

    def sub(self, value: object, field: str, allowed: frozenset[str], kind: str) -> EntryReader:
        entry = EntryReader.__new__(EntryReader)
        if not isinstance(value, dict):
            raise self.error(f"each {kind} must be a table/object, got {shown(value)}", field)
        entry.data = value
        entry.path = self.path
        entry.prefix = f"{self.prefix}{field}."
        entry.label = self.label
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise entry.error(
                f"unknown field(s) {shown_names(unknown)}; allowed: {', '.join(sorted(allowed))}",
                unknown[0],
            )
        return entry

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def text(self, key: str, *, required: bool = False, default: str | None = None) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("is required", key)
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"must be a non-empty string, got {shown(value)}", key)
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None  # noqa: S101  (required=True)
        return value

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"must be true or false, got {shown(value)}", key)
        return value

    def integer(self, key: str, *, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"must be an integer, got {shown(value)}", key)
        return value

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("is required (a date as YYYY-MM-DD)", key)
            return None
        if isinstance(value, dt.datetime):
            raise self.error(f"expected a date, got a date-time {shown(value)}", key)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(f"expected a date as YYYY-MM-DD, got {shown(value)}", key)

    def required_date(self, key: str) -> dt.date:
        value = self.date(key, required=True)
        assert value is not None  # noqa: S101  (required=True)
        return value

    def strings(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("is required (a list of strings)", key)
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(f"must be a list of non-empty strings, got {shown(value)}", key)
        return tuple(value)

    def items(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise self.error(f"must be a list of tables, got {shown(value)}", key)
        return value

    def enum(self, key: str, kind: type[enum.Enum], value: object | None = None) -> Any:
        raw = self.data.get(key) if value is None else value
        member = parse_enum(kind, raw)
        if member is None:
            allowed = ", ".join(str(m.value) for m in kind)
            raise self.error(f"must be one of {allowed}; got {shown(raw)}", key)
        return member

    def duration(self, key: str, *, required: bool = False) -> Duration | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("is required (e.g. '3 working days')", key)
            return None
        if not isinstance(value, str):
            raise self.error(f"must be a time limit like '3 working days', got {shown(value)}", key)
        try:
            return Duration.parse(value)
        except InvalidInputError as exc:
            raise self.error(str(exc), key) from None

    def confidence(self, key: str = "confidence", *, default: Confidence) -> Confidence:
        value = self.data.get(key)
        if value is None:
            return default
        try:
            return Confidence.parse(str(value))
        except ValueError as exc:
            raise self.error(str(exc), key) from None

    def source(self) -> LegalSource | None:
        """A legal source from ``document``/``article``/... keys of this entry, if it has one."""
        document = self.text("document")
        if document is None:
            for key in ("article", "issued", "title", "url"):
                if self.has(key):
                    raise self.error(f"a source needs a 'document' when it has {key!r}", "document")
            return None
        return LegalSource(
            document=document,
            article=self.text("article"),
            issued=self.date("issued"),
            title=self.text("title"),
            url=self.text("url"),
        )


def parse_enum(kind: type[enum.Enum], raw: object) -> Any:
    """The member of ``kind`` whose value or name matches ``raw`` (case-insensitive), or None."""
    if isinstance(raw, kind):
        return raw
    if not isinstance(raw, str):
        return None
    key = raw.strip().lower().replace("-", "_")
    for member in kind:
        value = str(member.value).lower()
        if key in (value, value.replace(" ", "_"), member.name.lower()):
            return member
    return None

"""Administrative units of Vietnam's two-tier local government, and what they replaced.

From 2025-07-01 (:data:`REFORM_DATE`) Vietnam has two tiers: 34 province-level units (6 centrally
run cities, 28 provinces) and 3,321 commune-level units (2,621 xã, 687 phường, 13 đặc khu). The
district tier is gone. :class:`UnitRegistry` answers questions about the units in force and about
the 10,000-odd pre-reform communes they replaced.

Codes are reused: before the reform ``00004`` was *Phường Trúc Bạch*; from it, ``00004`` is
*Phường Ba Đình*. The two never mix silently. A :class:`Unit` is always a unit in force from
2025-07-01 and :meth:`UnitRegistry.get` only returns those; a pre-reform commune is a
:class:`LegacyUnit`, returned only by the ``legacy`` methods; :meth:`UnitRegistry.unit_at` picks
by date.

Units keep changing after 2025-07-01 (a province becomes a city, a rename, a merger): each
change is a sourced, effective-dated :class:`UnitChange` with its confidence mark, and the
lookups answer "as of which date?" with ``on=``. Only confirmed changes are applied unless the
registry is built to accept less (:meth:`UnitRegistry.from_directory`).

>>> from govtier.units import UnitRegistry
>>> units = UnitRegistry.bundled()
>>> units.get("00004").name
'Phường Ba Đình'
>>> units.legacy("00004").name
'Phường Trúc Bạch'
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
import re
import threading
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, Final

import attrs

from govtier._data import read_bundled, read_data_file
from govtier._text import fold, name_key, split_unit_type
from govtier.errors import DataFileError, InvalidInputError, MalformedCodeError, UnknownUnitError
from govtier.i18n import N_, Message
from govtier.legal import Confidence, LegalSource

__all__ = [
    "LEGACY_LAST_DAY",
    "REFORM_DATE",
    "ChangeKind",
    "LegacyResolution",
    "LegacyUnit",
    "Level",
    "ResolutionStatus",
    "Succession",
    "SuccessionKind",
    "Unit",
    "UnitChange",
    "UnitKind",
    "UnitMatch",
    "UnitRegistry",
]

REFORM_DATE: Final = dt.date(2025, 7, 1)
"""The day the two-tier system took effect; units and codes before and after it differ."""

LEGACY_LAST_DAY: Final = dt.date(2025, 6, 30)
"""The last day the pre-reform communes and districts existed."""

DATA_DIR: Final = Path(__file__).parent / "data"
_FORMAT: Final = 1
_PROVINCE_CODE: Final = re.compile(r"[0-9]{2}")
_COMMUNE_CODE: Final = re.compile(r"[0-9]{5}")


class Level(enum.Enum):
    """The tier of an administrative unit."""

    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"

    @property
    def vietnamese(self) -> str:
        """The Vietnamese word for the tier (``"tỉnh"``, ``"huyện"`` or ``"xã"``)."""
        return {"province": "tỉnh", "district": "huyện", "commune": "xã"}[self.value]

    @property
    def code_length(self) -> int:
        """How many digits a code of this tier has (2, 3 or 5)."""
        return {"province": 2, "district": 3, "commune": 5}[self.value]


class UnitKind(enum.Enum):
    """The kind of a unit in force from 2025-07-01."""

    CITY = "city"
    PROVINCE = "province"
    WARD = "ward"
    COMMUNE = "commune"
    SPECIAL_ZONE = "special_zone"

    @property
    def vietnamese(self) -> str:
        """The Vietnamese term, e.g. ``"thành phố trung ương"``, ``"phường"``, ``"đặc khu"``."""
        return _KIND_VIETNAMESE[self]

    @property
    def level(self) -> Level:
        """The tier units of this kind belong to."""
        return Level.PROVINCE if self in (UnitKind.CITY, UnitKind.PROVINCE) else Level.COMMUNE


_KIND_VIETNAMESE: Final = {
    UnitKind.CITY: "thành phố trung ương",
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.WARD: "phường",
    UnitKind.COMMUNE: "xã",
    UnitKind.SPECIAL_ZONE: "đặc khu",
}


def _is_text(value: object) -> bool:
    """Whether ``value`` is a string with something other than spaces and punctuation."""
    return isinstance(value, str) and bool(fold(value))


def _is_count(value: object) -> bool:
    """Whether ``value`` is a positive int (not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_plain_date(value: object) -> bool:
    """Whether ``value`` is a ``datetime.date`` and not a ``datetime.datetime``."""
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _check_code(code: object, *lengths: int, what: str = "unit code") -> str:
    """Return ``code`` if it is a string of digits of one of ``lengths``; raise otherwise."""
    shapes = {2: "a province code is 2 digits", 3: "a district code is 3 digits"}
    shapes[5] = "a commune code is 5 digits"
    expected = "; ".join(shapes[n] for n in lengths)
    if not isinstance(code, str):
        msg = f"{what} must be a string of digits ({expected}, zero-padded); got {code!r}"
        raise MalformedCodeError(msg, field="code", value=code)
    if not code.isascii() or not code.isdigit() or len(code) not in lengths:
        msg = f"malformed {what} {code!r}: {expected}, zero-padded, e.g. '01' or '00004'"
        if len(lengths) == 1:
            example = {2: "'01'", 3: "'001'", 5: "'00004'"}[lengths[0]]
            msg = f"malformed {what} {code!r}: {expected}, zero-padded, e.g. {example}"
        raise MalformedCodeError(msg, field="code", value=code)
    return code


@attrs.frozen(kw_only=True)
class Unit:
    """A province- or commune-level unit in force from 2025-07-01.

    Attributes:
        code: the official code, zero-padded: 2 digits for a province (``"01"``), 5 for a commune
            (``"00004"``).
        name: the official Vietnamese name with its type word, e.g. ``"Phường Ba Đình"``.
        kind: city, province, ward, commune or special zone.
        level: ``Level.PROVINCE`` or ``Level.COMMUNE`` (never district).
        province_code: the province a commune belongs to; ``None`` for a province.
        valid_from: the first day the unit exists (:data:`REFORM_DATE`).
        valid_to: the last day, or ``None`` while in force.
    """

    code: str
    name: str = attrs.field(validator=attrs.validators.min_len(1))
    kind: UnitKind = attrs.field(validator=attrs.validators.instance_of(UnitKind))
    level: Level = attrs.field(validator=attrs.validators.instance_of(Level))
    province_code: str | None
    valid_from: dt.date = REFORM_DATE
    valid_to: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        if self.kind.level is not self.level:
            msg = f"unit {self.code!r}: a {self.kind.value} is at {self.kind.level.value} level"
            raise InvalidInputError(msg, field="level", value=self.level)
        _check_code(self.code, self.level.code_length, what=f"{self.level.value} code")
        if self.level is Level.PROVINCE and self.province_code is not None:
            msg = f"province {self.code!r} cannot have a province_code"
            raise InvalidInputError(msg, field="province_code", value=self.province_code)
        if self.level is Level.COMMUNE:
            _check_code(self.province_code, 2, what="province code")

    @property
    def is_province(self) -> bool:
        """Whether this is a province-level unit (a city or a province)."""
        return self.level is Level.PROVINCE

    def __str__(self) -> str:
        return self.name


@attrs.frozen(kw_only=True)
class LegacyUnit:
    """A pre-reform commune-level unit (phường, xã or thị trấn), which existed until 2025-06-30.

    Its code may belong to a different :class:`Unit` today; use :meth:`UnitRegistry.successors`
    to follow it into the new system.

    Attributes:
        code: the old 5-digit commune code.
        name: the name on 2025-06-30 as in the official conversion table, e.g.
            ``"Phường Phúc Xá"``.
        kind_vietnamese: ``"Phường"``, ``"Xã"`` or ``"Thị trấn"``.
        district_code: the old district's 3-digit code.
        district_name: e.g. ``"Quận Ba Đình"``.
        province_code: the old province's 2-digit code (old codes are not today's codes).
        province_name: e.g. ``"Tỉnh Hà Giang"``.
        valid_to: the last day it existed.
        other_names: other spellings or earlier names in the sources (e.g. a name in the
            January 2025 list that the conversion table gives differently).
    """

    code: str = attrs.field(validator=attrs.validators.matches_re(_COMMUNE_CODE))
    name: str
    kind_vietnamese: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str
    valid_to: dt.date = LEGACY_LAST_DAY
    other_names: tuple[str, ...] = ()

    @property
    def level(self) -> Level:
        """Always ``Level.COMMUNE``."""
        return Level.COMMUNE

    def __str__(self) -> str:
        return f"{self.name}, {self.district_name}, {self.province_name}"


class SuccessionKind(enum.Enum):
    """How an old commune went into a new one, per the conversion table's note."""

    WHOLE = "whole"
    """``Nhập toàn bộ``: its whole area (also renamings and type changes)."""
    PART = "part"
    """``Nhập một phần`` / ``Nhập một phần diện tích``: part of its area."""
    UNCHANGED = "unchanged"
    """``Giữ nguyên``: kept as it was, with the same code."""


@attrs.frozen(kw_only=True)
class Succession:
    """One row of the official conversion table: an old commune (or part of it) into a new unit.

    Attributes:
        old: the pre-reform commune.
        new: the commune-level unit in force from 2025-07-01.
        how: whole, part or unchanged.
        note: the table's own words, e.g. ``"Nhập một phần diện tích"``.
    """

    old: LegacyUnit
    new: Unit
    how: SuccessionKind
    note: str = ""

    def __str__(self) -> str:
        old, new = self.old, self.new
        return f"{old.name} ({old.code}) → {new.name} ({new.code}): {self.how.value}"


@attrs.frozen(kw_only=True)
class UnitMatch:
    """One search hit: a unit, how well it matched, and why.

    Attributes:
        unit: the unit found.
        score: 0-100; 100 is the exact full name, 90 and more the exact name in another
            spelling (abbreviated type word, no type word), less a partial match.
        why: the reason in words, e.g. ``"exact full name"``.
    """

    unit: Unit
    score: int
    why: str

    def __str__(self) -> str:
        return f"{self.unit.name} ({self.unit.code}) {self.score}: {self.why}"


class ResolutionStatus(enum.Enum):
    """How definite the answer of :meth:`UnitRegistry.resolve_legacy_address` is."""

    RESOLVED = "resolved"
    """One old commune, one new unit."""
    SPLIT = "split"
    """One old commune divided between several new units; the street address decides."""
    AMBIGUOUS = "ambiguous"
    """Several old communes match the text; give the district and province."""
    NO_SUCCESSOR = "no successor"
    """The old commune is not in the conversion table (it was merged before 2025-07-01)."""


@attrs.frozen(kw_only=True)
class LegacyResolution:
    """What a pre-reform address became.

    Attributes:
        text: the address as given.
        status: resolved, split, ambiguous or no successor.
        old: the pre-reform communes the text matched (usually one).
        successions: the conversion-table rows for them, in table order.
        units: the distinct new units, in order.
        reason: the answer in words, saying why it is ambiguous when it is.
    """

    text: str
    status: ResolutionStatus
    old: tuple[LegacyUnit, ...]
    successions: tuple[Succession, ...]
    units: tuple[Unit, ...]
    reason: str

    @property
    def is_ambiguous(self) -> bool:
        """Whether the text leads to anything other than exactly one new unit."""
        return self.status is not ResolutionStatus.RESOLVED

    @property
    def unit(self) -> Unit | None:
        """The new unit when the answer is definite, else ``None``."""
        return self.units[0] if self.status is ResolutionStatus.RESOLVED else None

    def __str__(self) -> str:
        return self.reason


class ChangeKind(enum.Enum):
    """What a :class:`UnitChange` does to a unit in force."""

    KIND = "kind"
    """The unit becomes another kind (a province a centrally-run city), usually with a new name."""
    RENAME = "rename"
    """The unit takes a new name; its code and kind stay."""
    MERGE = "merge"
    """The unit is merged into another of its level and ends the day before."""


@attrs.frozen(kw_only=True)
class UnitChange:
    """An effective-dated change to a unit in force after 2025-07-01, with its source.

    Attributes:
        id: a short stable identifier, e.g. ``"bac-ninh-city-2026"``.
        unit: the code of the unit changed.
        what: a change of kind, a rename or a merger.
        effective: the first day of the new state; ``None`` when no date is known (the change
            is then recorded but never applied).
        kind: the new kind (for a change of kind).
        name: the new official name (for a change of kind or a rename).
        into: the code of the unit it is merged into (for a merger).
        source: the resolution (or the page) the change comes from.
        confidence: how well the change is established: only confirmed changes are applied
            unless a registry is built to accept less.
        evidence: what was seen, and what speaks against it.
    """

    id: str
    unit: str
    what: ChangeKind
    effective: dt.date | None
    kind: UnitKind | None = None
    name: str | None = None
    into: str | None = None
    source: LegalSource
    confidence: Confidence
    evidence: str = ""

    def __str__(self) -> str:
        when = f"from {self.effective:%d/%m/%Y}" if self.effective else "date unknown"
        to = {
            ChangeKind.KIND: f"becomes {self.name or self.kind}",
            ChangeKind.RENAME: f"is renamed {self.name}",
            ChangeKind.MERGE: f"is merged into {self.into}",
        }[self.what]
        return f"{self.unit} {to}, {when} ({self.source}) {self.confidence.mark}"


_CONFIDENCE_ORDER: Final = {
    Confidence.CONFIRMED: 0,
    Confidence.PARTIAL: 1,
    Confidence.UNCONFIRMED: 2,
}


@attrs.frozen
class _Entry:
    """A unit as the search index sees it."""

    unit: Unit
    full: str
    exact: str
    type_word: str | None
    core: str
    rank: int


class _SearchIndex:
    """Folded names and a word-prefix index, built on the first search."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.entries: list[_Entry] = []
        self.by_prefix: dict[str, set[int]] = defaultdict(set)
        for unit in units:
            type_word, rest = split_unit_type(unit.name, abbreviations=False)
            entry = _Entry(
                unit=unit,
                full=fold(unit.name),
                exact=_exact(unit.name),
                type_word=type_word,
                core=name_key(rest),
                rank=0 if unit.is_province else 1,
            )
            index = len(self.entries)
            self.entries.append(entry)
            for word in entry.core.split():
                for end in range(1, len(word) + 1):
                    self.by_prefix[word[:end]].add(index)
        # Typo tolerance: every whole word of a name under its one-letter deletions, so a word
        # within two edits of the query is found without comparing against every word.
        self.by_word: dict[str, set[int]] = defaultdict(set)
        for position, entry in enumerate(self.entries):
            for word in entry.core.split():
                self.by_word[word].add(position)
        self.by_deletion: dict[str, set[str]] = defaultdict(set)
        for word in self.by_word:
            for variant in _deletions(word):
                self.by_deletion[variant].add(word)

    def candidates(self, words: list[str]) -> set[int]:
        found: set[int] | None = None
        for word in sorted(set(words), key=len, reverse=True):
            hits = self.by_prefix.get(word)
            if not hits:
                return set()
            found = set(hits) if found is None else found & hits
        return found or set()

    def close_words(self, word: str) -> dict[str, int]:
        """Whole words of names within the allowed edits of ``word``, with their distance."""
        allowed = _allowed_edits(word)
        if not allowed:
            return {}
        near: set[str] = set()
        for variant in _deletions(word):
            near |= self.by_deletion.get(variant, set())
        found = {}
        for candidate in near:
            distance = _edit_distance(word, candidate, allowed)
            if distance <= allowed:
                found[candidate] = distance
        return found

    def near(self, words: list[str]) -> dict[int, tuple[int, str]]:
        """Entries whose name has every word, or a word within its allowed edits of it.

        Returns ``{entry: (edits, corrected core)}``: the fewest edits that make the words fit
        the entry, and the words as corrected (a word that starts a word of the name counts as
        written). Empty when some word has nothing near.
        """
        found: dict[int, tuple[int, list[str]]] | None = None
        for word in words:
            hits = dict.fromkeys(self.by_prefix.get(word, ()), (0, word))
            for candidate, distance in self.close_words(word).items():
                for position in self.by_word[candidate]:
                    if position not in hits or distance < hits[position][0]:
                        hits[position] = (distance, candidate)
            if not hits:
                return {}
            if found is None:
                found = {position: (edits, [w]) for position, (edits, w) in hits.items()}
            else:
                found = {
                    position: (edits + hits[position][0], [*chosen, hits[position][1]])
                    for position, (edits, chosen) in found.items()
                    if position in hits
                }
        return {
            position: (edits, " ".join(chosen))
            for position, (edits, chosen) in (found or {}).items()
        }


_TYPO_PENALTY: Final = 20
_TYPO_CEILING: Final = 75
_SINGLE_TYPE_WORDS: Final = ("phuong", "xa", "tinh", "quan", "huyen")


def _allowed_edits(word: str) -> int:
    """How many edits a query word may be from a name's word.

    None for one or two letters or a number, one up to five letters, two from six
    (``"dnh"`` → ``"dinh"``, ``"dinhh"`` → ``"dinh"``).
    """
    if len(word) <= 2 or word.isdigit():
        return 0
    return 1 if len(word) <= 5 else 2


def _deletions(word: str) -> set[str]:
    """``word`` and every string one deletion away from it."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


def _edit_distance(left: str, right: str, limit: int) -> int:
    """The optimal-string-alignment distance between two words, capped.

    Counts inserts, deletes, substitutions and swaps of two neighbours; ``limit + 1`` once the
    distance is certain to exceed ``limit``.
    """
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    previous: list[int] = []
    row = list(range(len(right) + 1))
    for i in range(1, len(left) + 1):
        before, previous = previous, row
        row = [i] + [0] * len(right)
        for j in range(1, len(right) + 1):
            cost = 0 if left[i - 1] == right[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left[i - 1] == right[j - 2] and left[i - 2] == right[j - 1]:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
    return row[-1]


def _exact(text: str) -> str:
    """Case- and space-insensitive but accent-sensitive form, to prefer the exact spelling."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


_HOW_WORDS: Final = {"whole": N_("whole"), "part": N_("part"), "unchanged": N_("unchanged")}


def _score(entry: _Entry, full: str, type_word: str | None, core: str) -> tuple[int, str]:
    same_type = type_word is not None and type_word == entry.type_word
    other_type = type_word is not None and not same_type
    kind = entry.unit.kind.vietnamese
    # the texts are Messages: English strings that govtier.i18n.tr_data writes in Vietnamese
    if full == entry.full:
        return 100, Message("exact full name")
    if core == entry.core:
        if same_type:
            return 95, Message("exact name")
        if type_word is None:
            return 90, Message("exact name without the type word")
        return 80, Message("exact name, but a {kind}", kind=kind)
    penalty = 10 if other_type else 0
    if entry.core.startswith(core):
        if other_type:
            return 60 - penalty, Message(
                "name starts with {core} (a {kind})", core=repr(core), kind=kind
            )
        return 60 - penalty, Message("name starts with {core}", core=repr(core))
    if other_type:
        return 50 - penalty, Message(
            "words of the name start with {core} (a {kind})", core=repr(core), kind=kind
        )
    return 50 - penalty, Message("words of the name start with {core}", core=repr(core))


# -- reading old addresses ------------------------------------------------------------------

_TONE_MARKS: Final = frozenset("\u0300\u0301\u0303\u0309\u0323")
_APOSTROPHE_CHARS: Final = str.maketrans("", "", "'’‘`´ʼ")
_WORD_SPLIT: Final = re.compile(r"[\W_]+")
_GLUED_NUMBER: Final = re.compile(r"^(p|f|q)(\d+)$")

_TYPE_WORDS_ACCENTED: Final = {
    "thành phố": "thanh pho",
    "tỉnh": "tinh",
    "phường": "phuong",
    "xã": "xa",
    "đặc khu": "dac khu",
    "thị trấn": "thi tran",
    "thị xã": "thi xa",
    "quận": "quan",
    "huyện": "huyen",
}
"""Type words as officially written (lower case), with their folded forms."""

_TYPE_ABBREVIATED: Final = {
    "tp": "thanh pho",
    "t": "tinh",
    "p": "phuong",
    "ph": "phuong",
    "f": "phuong",
    "x": "xa",
    "dk": "dac khu",
    "tt": "thi tran",
    "tx": "thi xa",
    "q": "quan",
    "h": "huyen",
}
"""Abbreviations of type words, folded (``"P."``, ``"TX"``, ``"F12"`` as written in Sài Gòn)."""

_COMMUNE_TYPES: Final = frozenset({"phuong", "xa", "thi tran"})

_PROVINCE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    # old province codes; common names that cannot be derived from the official name
    "sai gon": ("79",),
    "saigon": ("79",),
    "sg": ("79",),
    "hcm": ("79",),
    "hcmc": ("79",),
    "tp hcm": ("79",),
    "tphcm": ("79",),
    "hn": ("01",),
    "tp hn": ("01",),
    "tphn": ("01",),
    # Thừa Thiên Huế became Thành phố Huế on 2025-01-01 (Resolution 1314/NQ-UBTVQH15)
    "thua thien hue": ("46",),
    "tt hue": ("46",),
    "tthue": ("46",),
    "tth": ("46",),
}
"""Writings that are not derived from the name, or whose derived reading is ambiguous but whose
usual meaning is not (``"HN"`` is Hà Nội, though Hà Nam has the same initials)."""

_PLACES_SHOWN: Final = 8
_COUNTRY: Final = frozenset({"viet nam", "vietnam", "vn"})


def _tone_normal(word: str) -> str:
    """A word with its tone mark moved to the end, so ``"hoà"`` and ``"hòa"`` compare equal."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(sorted(ch for ch in decomposed if ch in _TONE_MARKS))
    base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base) + tones


_TYPE_WORDS_WRITTEN: Final = frozenset(
    " ".join(_tone_normal(word) for word in words.split()) for words in _TYPE_WORDS_ACCENTED
)


def _words(text: str) -> list[str]:
    """Lower-case words with their accents (apostrophes dropped, punctuation splits)."""
    text = unicodedata.normalize("NFC", text).casefold().translate(_APOSTROPHE_CHARS)
    return [word for word in _WORD_SPLIT.split(text) if word]


def _accent_key(text: str) -> str:
    """Accent-sensitive comparison key: case, tone placement and leading zeros do not matter."""
    return " ".join(_tone_normal(word.lstrip("0") or "0") for word in _words(text))


def _official_parts(name: str) -> tuple[str | None, str]:
    """Split an official name into its folded type word and the rest as written."""
    words = name.split()
    for size in (2, 1):
        head = " ".join(_tone_normal(word) for word in _words(" ".join(words[:size])))
        if len(words) > size and head in _TYPE_WORDS_WRITTEN:
            return fold(" ".join(words[:size])), " ".join(words[size:])
    return None, name


def _has_accents(word: str) -> bool:
    return fold(word) != word


@attrs.frozen
class _Reading:
    """One way to read a part of an address: its type word (folded) and name."""

    type_word: str | None
    key: str
    accents: str
    confirmed: bool
    """The type word is written in full with its accents, so it cannot be a name's syllable."""

    @property
    def accented(self) -> bool:
        return self.accents != self.key


def _readings(part: str) -> list[_Reading]:
    """The readings of one part: with a leading type word (when it can be one) and without.

    A type word is taken only when it stands as a word: written out (``"Quận"``) or abbreviated
    (``"Q."``, ``"TX"``). A first syllable that folds like a type word but has other accents
    (``"Quán"``, ``"Phương"``, ``"Tịnh"``, ``"Xà"``, ``"Huyền"``) is part of the name; one
    without accents (``"quan thanh"``) is read both ways.
    """
    raw: list[str] = []
    for word in _words(part):
        glued = _GLUED_NUMBER.match(word)
        raw.extend(glued.groups() if glued else (word,))
    if len(raw) > 1 and raw[-1] in ("city", "province"):  # "Ho Chi Minh City"
        raw.pop()
    folded = [fold(word) for word in raw]
    accents = [_tone_normal(word.lstrip("0") or "0") for word in raw]
    keys = [name_key(word) for word in folded]
    readings = [_Reading(None, " ".join(keys), " ".join(accents), confirmed=False)]
    for size in (2, 1):
        if len(raw) <= size:
            continue
        head_raw, head = " ".join(raw[:size]), " ".join(folded[:size])
        rest = (" ".join(keys[size:]), " ".join(accents[size:]))
        if size == 1 and head_raw in _TYPE_ABBREVIATED:
            readings.insert(0, _Reading(_TYPE_ABBREVIATED[head_raw], *rest, confirmed=False))
            break
        if head in _TYPE_WORDS_ACCENTED.values():
            if " ".join(accents[:size]) in _TYPE_WORDS_WRITTEN:
                readings.insert(0, _Reading(head, *rest, confirmed=True))
            elif not any(_has_accents(word) for word in raw[:size]):
                readings.insert(0, _Reading(head, *rest, confirmed=False))
            break
    return readings


def _province_aliases(rest: str, type_word: str | None) -> set[str]:
    """The writings of a province name (without its type word) derived from the name itself.

    ``"Hà Nội"`` gives ``ha noi``, ``hanoi``, ``hn`` (and ``tp hn``, ``tphn`` for a city);
    ``"Bà Rịa - Vũng Tàu"`` gives also ``br vt``, ``brvt``; ``"Thừa Thiên Huế"`` gives ``tth``
    and ``tt hue``.
    """
    words = fold(rest).split()
    keys = {" ".join(words), "".join(words)}
    if len(words) >= 2:
        initials = "".join(word[0] for word in words)
        keys |= {initials, " ".join([*(w[0] for w in words[:-1])]) + " " + words[-1]}
        keys.add("".join(w[0] for w in words[:-1]) + words[-1])
        groups = [fold(group).split() for group in rest.split("-") if fold(group)]
        if len(groups) > 1:
            parts = ["".join(word[0] for word in group) for group in groups]
            keys |= {" ".join(parts), "".join(parts)}
        if type_word == "thanh pho":
            keys |= {f"tp {initials}", f"tp{initials}"}
    if type_word == "thanh pho":
        keys |= {f"tp{''.join(words)}"}
    return {name_key(key) for key in keys}


class _LegacyData:
    """Pre-reform units and the conversion table, loaded on first use."""

    def __init__(self, raw: dict[str, Any], registry: UnitRegistry, *, path: Path) -> None:
        def new_unit(code: str, entry: str, field: str) -> Unit:
            if code not in registry:
                msg = "names a unit that is not in units.json"
                raise DataFileError(msg, path=str(path), entry=entry, field=field)
            return registry.get(code)

        def known(table: dict[str, Any], code: str, entry: str, field: str) -> None:
            if code not in table:
                msg = f"names a {field} that the file does not list"
                raise DataFileError(msg, path=str(path), entry=entry, field=field)

        fields: tuple[tuple[str, str], ...] = (
            ("code", "code2"),
            ("name", "text"),
            ("new province", "code2"),
        )
        self.provinces: dict[str, tuple[str, Unit]] = {
            code: (name, new_unit(new, f"provinces[{i}]", "new province"))
            for i, (code, name, new) in enumerate(_rows(raw, "provinces", fields, path=path))
        }
        fields = (("code", "code3"), ("name", "text"), ("province", "code2"), ("aliases", "texts"))
        self.districts: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        for i, (code, name, province, aliases) in enumerate(
            _rows(raw, "districts", fields, path=path)
        ):
            known(self.provinces, province, f"districts[{i}]", "province")
            self.districts[code] = (name, province, tuple(aliases))
        self.communes: dict[str, LegacyUnit] = {}
        fields = (("code", "code5"), ("name", "text"), ("type word", "text"))
        fields += (("district", "code3"), ("aliases", "texts"))
        for i, (code, name, kind, district, aliases) in enumerate(
            _rows(raw, "communes", fields, path=path)
        ):
            known(self.districts, district, f"communes[{i}]", "district")
            district_name, province, _ = self.districts[district]
            self.communes[code] = LegacyUnit(
                code=code,
                name=name,
                kind_vietnamese=kind,
                district_code=district,
                district_name=district_name,
                province_code=province,
                province_name=self.provinces[province][0],
                other_names=tuple(aliases),
            )
        hows = {how.value: how for how in SuccessionKind}
        notes: list[tuple[str, SuccessionKind]] = []
        for i, (note, how) in enumerate(
            _rows(raw, "notes", (("note", "text"), ("how", "text")), path=path)
        ):
            if how not in hows:
                msg = f"expected one of {', '.join(hows)}"
                raise DataFileError(msg, path=str(path), entry=f"notes[{i}]", field="how")
            notes.append((note, hows[how]))

        def note_of(index: int, entry: str) -> tuple[str, SuccessionKind]:
            if index >= len(notes):
                msg = f"expected an index into notes (0 to {len(notes) - 1})"
                raise DataFileError(msg, path=str(path), entry=entry, field="note")
            return notes[index]

        successors: dict[str, list[Succession]] = defaultdict(list)
        predecessors: dict[str, list[Succession]] = defaultdict(list)
        fields = (("old", "code5"), ("new", "code5"), ("note", "index"))
        for i, (old, new, note_index) in enumerate(_rows(raw, "successions", fields, path=path)):
            entry = f"successions[{i}]"
            known(self.communes, old, entry, "old")
            note, how = note_of(note_index, entry)
            succession = Succession(
                old=self.communes[old], new=new_unit(new, entry, "new"), how=how, note=note
            )
            successors[old].append(succession)
            predecessors[new].append(succession)
        fields = (("district", "code3"), ("description", "text"), ("new", "code5"))
        fields += (("note", "index"),)
        areas = []
        for i, (district, description, new, note_index) in enumerate(
            _rows(raw, "areas", fields, path=path)
        ):
            entry = f"areas[{i}]"
            known(self.districts, district, entry, "district")
            area_unit = new_unit(new, entry, "new")
            areas.append((district, description, area_unit, note_of(note_index, entry)[0]))
        self.areas: tuple[tuple[str, str, Unit, str], ...] = tuple(areas)
        self.successors = {code: tuple(rows) for code, rows in successors.items()}
        self.predecessors = {code: tuple(rows) for code, rows in predecessors.items()}
        self.by_name: dict[str, list[LegacyUnit]] = defaultdict(list)
        for unit in self.communes.values():
            for name in (unit.name, *unit.other_names):
                self.by_name[name_key(split_unit_type(name, abbreviations=False)[1])].append(unit)
        self.province_keys: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for code, (name, new) in self.provinces.items():
            for each in (name, new.name):
                type_word, rest = _official_parts(each)
                for key in _province_aliases(rest, type_word):
                    self.province_keys[key][code].add(type_word or "")
        for key, codes in _PROVINCE_ALIASES.items():
            self.province_keys[key] = defaultdict(set, {code: {""} for code in codes})
        self.district_keys: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        for code, (name, _, aliases) in self.districts.items():
            for each in (name, *aliases):
                type_word, rest = _official_parts(each)
                row = (code, type_word or "", _accent_key(rest))
                self.district_keys[name_key(rest)].append(row)


def _is_bundled(path: Path) -> bool:
    return path.parent.resolve() == Path(DATA_DIR).resolve()


def _read_json(path: Path) -> dict[str, Any]:
    """Read a units data file: the bundled one verified by its hash, a user's one bounded."""
    if _is_bundled(path):
        text = read_bundled(path.name)
        try:
            data = json.loads(text)
        except RecursionError:
            raise DataFileError("damaged install: nested too deeply", path=str(path)) from None
        except ValueError:
            msg = "damaged install: not valid JSON although its hash matched; reinstall govtier"
            raise DataFileError(msg, path=str(path)) from None
    else:
        data = read_data_file(path)
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        msg = f"expected a JSON object with format {_FORMAT}; rebuild with scripts/build_units.py"
        raise DataFileError(msg, path=str(path))
    return data


def _type_name(value: object) -> str:
    """The JSON/TOML name of a value's type, to say what was found without quoting it."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "an object", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _is_digits(length: int) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        return (
            isinstance(value, str)
            and value.isascii()
            and value.isdigit()
            and (len(value) == length)
        )

    return check


def _is_filled(value: object) -> bool:
    """Whether ``value`` is a string with something other than whitespace (cheap check)."""
    return isinstance(value, str) and not value.isspace() and bool(value)


def _is_texts(value: object) -> bool:
    return isinstance(value, list) and all(_is_filled(item) for item in value)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_FIELD_KINDS: Final[dict[str, tuple[str, Callable[[object], bool]]]] = {
    "code2": ("a 2-digit code", _is_digits(2)),
    "code3": ("a 3-digit code", _is_digits(3)),
    "code5": ("a 5-digit code", _is_digits(5)),
    "text": ("a non-empty string", _is_filled),
    "texts": ("a list of non-empty strings", _is_texts),
    "index": ("a non-negative integer", _is_index),
}


def _rows(
    raw: dict[str, Any], key: str, fields: tuple[tuple[str, str], ...], *, path: Path
) -> list[list[Any]]:
    """The rows of ``raw[key]``, each checked to be a list of ``fields`` (name, kind).

    Raises:
        DataFileError: naming the row and field and what was expected, never the value.
    """
    rows = raw.get(key)
    if not isinstance(rows, list):
        msg = f"expected a list of rows, found {_type_name(rows)}"
        raise DataFileError(msg, path=str(path), field=key)
    names = ", ".join(name for name, _ in fields)
    for position, row in enumerate(rows):
        entry = f"{key}[{position}]"
        if not isinstance(row, list) or len(row) != len(fields):
            found = f"{len(row)} values" if isinstance(row, list) else _type_name(row)
            msg = f"expected a list of {len(fields)} values ({names}), found {found}"
            raise DataFileError(msg, path=str(path), entry=entry)
        for (name, kind), value in zip(fields, row, strict=True):
            expected, check = _FIELD_KINDS[kind]
            if not check(value):
                msg = f"expected {expected}, found {_type_name(value)}"
                raise DataFileError(msg, path=str(path), entry=entry, field=name)
    return rows


_UNIT_KINDS: Final = {kind.value: kind for kind in UnitKind}


def _kind(value: str, *, level: Level, path: Path, entry: str) -> UnitKind:
    kind = _UNIT_KINDS.get(value)
    if kind is None or kind.level is not level:
        allowed = ", ".join(k.value for k in UnitKind if k.level is level)
        msg = f"expected a {level.value} kind ({allowed})"
        raise DataFileError(msg, path=str(path), entry=entry, field="kind")
    return kind


_CHANGES_FILE: Final = "unit-changes.toml"
_CHANGE_FIELDS: Final = frozenset(
    {"id", "unit", "what", "effective", "kind", "name", "into", "source", "confidence", "evidence"}
)


def _read_changes(path: Path) -> tuple[UnitChange, ...]:
    """Read a ``unit-changes.toml``: the bundled one verified, a user's one bounded."""
    if _is_bundled(path):
        try:
            raw: Any = tomllib.loads(read_bundled(path.name))
        except tomllib.TOMLDecodeError:
            msg = "damaged install: not valid TOML although its hash matched; reinstall govtier"
            raise DataFileError(msg, path=str(path)) from None
    else:
        raw = read_data_file(path)
    if not isinstance(raw, dict) or raw.get("format") != _FORMAT:
        msg = f"expected a TOML table with format = {_FORMAT}"
        raise DataFileError(msg, path=str(path))
    rows = raw.get("change", [])
    if not isinstance(rows, list):
        msg = f"expected an array of [[change]] tables, found {_type_name(rows)}"
        raise DataFileError(msg, path=str(path), field="change")
    changes = [_change(row, path=path, position=i) for i, row in enumerate(rows)]
    ids = [change.id for change in changes]
    for position, change_id in enumerate(ids):
        if change_id in ids[:position]:
            msg = "the id is used by an earlier change"
            raise DataFileError(msg, path=str(path), entry=f"change[{position}]", field="id")
    return tuple(changes)


def _change(row: object, *, path: Path, position: int) -> UnitChange:
    entry = f"change[{position}]"

    def fail(field: str | None, problem: str) -> DataFileError:
        return DataFileError(problem, path=str(path), entry=entry, field=field)

    if not isinstance(row, dict):
        raise fail(None, f"expected a table, found {_type_name(row)}")
    unknown = sorted(set(row) - _CHANGE_FIELDS)
    if unknown:
        raise fail(None, f"{len(unknown)} unexpected field(s); allowed: {sorted(_CHANGE_FIELDS)}")

    def text(field: str, *, required: bool = True) -> str | None:
        value = row.get(field)
        if value is None and not required:
            return None
        if not _is_text(value):
            raise fail(field, f"expected a non-empty string, found {_type_name(value)}")
        return str(value)

    change_id, unit = text("id"), text("unit")
    if unit is None or not re.fullmatch(r"[0-9]{2}|[0-9]{5}", unit):
        raise fail("unit", "expected a 2-digit province or 5-digit commune code")
    try:
        what = ChangeKind(row.get("what"))
    except ValueError:
        raise fail("what", f"expected one of {', '.join(k.value for k in ChangeKind)}") from None
    effective = row.get("effective")
    if effective is not None and not _is_plain_date(effective):
        raise fail("effective", f"expected a date (2026-09-20), found {_type_name(effective)}")
    try:
        confidence = Confidence.parse(str(row.get("confidence", "")))
    except ValueError:
        raise fail("confidence", "expected C, P or U (confirmed, partial, unconfirmed)") from None
    if effective is None and confidence is not Confidence.UNCONFIRMED:
        raise fail("effective", "a confirmed or partial change needs its effective date")
    kind = None
    if row.get("kind") is not None:
        kind = _UNIT_KINDS.get(str(row["kind"]))
        if kind is None:
            raise fail("kind", f"expected one of {', '.join(_UNIT_KINDS)}")
    name, into = text("name", required=False), text("into", required=False)
    needs = {ChangeKind.KIND: ("kind", kind), ChangeKind.RENAME: ("name", name)}
    needs[ChangeKind.MERGE] = ("into", into)
    field, given = needs[what]
    if given is None:
        raise fail(field, f"a {what.value} change needs its {field}")
    source = row.get("source")
    if not isinstance(source, dict) or not _is_text(source.get("document")):
        raise fail("source", "expected a table with at least a document (its number)")
    try:
        legal = LegalSource(
            document=str(source["document"]),
            article=source.get("article"),
            title=source.get("title"),
            url=source.get("url"),
        )
    except (TypeError, ValueError):
        raise fail("source", "expected document, article, title and url as strings") from None
    evidence = row.get("evidence", "")
    if not isinstance(evidence, str):
        raise fail("evidence", f"expected a string, found {_type_name(evidence)}")
    return UnitChange(
        id=str(change_id),
        unit=unit,
        what=what,
        effective=effective,
        kind=kind,
        name=name,
        into=into,
        source=legal,
        confidence=confidence,
        evidence=" ".join(evidence.split()),
    )


def _check_directory(directory: object) -> Path:
    if not isinstance(directory, (str, os.PathLike)):
        msg = f"directory must be a path (str or os.PathLike), found {_type_name(directory)}"
        raise InvalidInputError(msg, field="directory")
    path = Path(directory)
    if "\0" in str(path):
        raise InvalidInputError("directory must not contain a NUL character", field="directory")
    return path


_DAY: Final = dt.timedelta(days=1)


def _apply_changes(base: dict[str, Unit], changes: list[UnitChange]) -> dict[str, tuple[Unit, ...]]:
    """Each unit's versions in date order, after applying ``changes`` (already sorted)."""
    history: dict[str, list[Unit]] = {code: [unit] for code, unit in base.items()}

    def fail(change: UnitChange, problem: str) -> DataFileError:
        return DataFileError(f"change {change.id!r}: {problem}")

    def succeed(code: str, change: UnitChange, **fields: Any) -> None:
        versions = history[code]
        last = versions[-1]
        if change.effective is None:  # not applied: the caller keeps only dated changes
            return
        if last.valid_to is not None:
            raise fail(change, f"unit {code!r} ended on {last.valid_to}")
        if change.effective <= last.valid_from:
            raise fail(change, f"unit {code!r} already changed on {last.valid_from}")
        versions[-1] = attrs.evolve(last, valid_to=change.effective - _DAY)
        if fields:
            versions.append(attrs.evolve(last, valid_from=change.effective, **fields))

    for change in changes:
        if change.unit not in history:
            raise fail(change, f"no unit with code {change.unit!r}")
        unit = history[change.unit][-1]
        if change.what is ChangeKind.KIND:
            kind = change.kind or unit.kind
            if kind.level is not unit.level:
                raise fail(change, f"a {kind.value} is not at {unit.level.value} level")
            succeed(change.unit, change, kind=kind, name=change.name or unit.name)
        elif change.what is ChangeKind.RENAME:
            succeed(change.unit, change, name=change.name)
        else:
            target = history.get(change.into or "")
            if target is None or target[-1].level is not unit.level or change.into == unit.code:
                raise fail(change, f"no other {unit.level.value} with code {change.into!r}")
            succeed(change.unit, change)
            if unit.is_province:
                for code, versions in history.items():
                    last = versions[-1]
                    if last.province_code == unit.code and last.valid_to is None:
                        succeed(code, change, province_code=change.into)
    return {code: tuple(rows) for code, rows in history.items()}


class UnitRegistry:
    """The units in force from 2025-07-01, the pre-reform communes, and the conversion between.

    Use :meth:`bundled` for the data shipped with govtier. Lookups by code are dictionary
    lookups; the search index and the pre-reform data are built on first use.

    >>> units = UnitRegistry.bundled()
    >>> len(units.provinces()), len(units.communes())
    (34, 3321)
    >>> units.province_of("00004").name
    'Thành phố Hà Nội'
    """

    _bundled: ClassVar[UnitRegistry | None] = None
    _bundled_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        units: Iterable[Unit],
        *,
        legacy_path: Path | None = None,
        changes: Iterable[UnitChange] = (),
        accept: Confidence = Confidence.CONFIRMED,
    ) -> None:
        """Build a registry from units; the pre-reform data is read from ``legacy_path``.

        Args:
            units: every province and commune in force on 2025-07-01 (or on the date of the
                release the data comes from).
            legacy_path: a ``legacy.json`` written by ``scripts/build_units.py``; ``None`` for a
                registry without pre-reform data (the legacy methods then raise).
            changes: later changes (kind, name, merger), applied in date order when their
                confidence is at least ``accept`` and their date is known; all of them are
                listed by :meth:`changes`.
            accept: the least confidence a change needs to be applied.

        Raises:
            DataFileError: a code appears twice, a commune's province is missing, or a change
                does not fit the units (unknown unit, a kind of another level, a merger into a
                missing unit, two changes to one unit on one day).
            InvalidInputError: ``accept`` is not a :class:`~govtier.legal.Confidence`.
        """
        accepted: object = accept
        if not isinstance(accepted, Confidence):
            msg = f"accept must be a Confidence, found {_type_name(accepted)}"
            raise InvalidInputError(msg, field="accept")
        base: dict[str, Unit] = {}
        for unit in units:
            if unit.code in base:
                msg = f"duplicate unit code {unit.code!r}"
                raise DataFileError(msg)
            base[unit.code] = unit
        for unit in base.values():
            if unit.province_code is not None and unit.province_code not in base:
                msg = f"commune {unit.code!r} names a missing province {unit.province_code!r}"
                raise DataFileError(msg)
        self._changes = tuple(
            sorted(changes, key=lambda c: (c.effective or dt.date.max, c.unit, c.id))
        )
        applied = [
            change
            for change in self._changes
            if change.effective is not None
            and _CONFIDENCE_ORDER[change.confidence] <= _CONFIDENCE_ORDER[accept]
        ]
        self._history = _apply_changes(base, applied)
        self._by_code: dict[str, Unit] = {code: rows[-1] for code, rows in self._history.items()}
        current = [u for u in self._by_code.values() if u.valid_to is None]
        self._provinces = tuple(sorted((u for u in current if u.is_province), key=lambda u: u.code))
        by_province: dict[str, list[Unit]] = {u.code: [] for u in self._provinces}
        for unit in sorted(current, key=lambda u: u.code):
            if unit.province_code is not None:
                by_province[unit.province_code].append(unit)
        self._communes_of = {code: tuple(rows) for code, rows in by_province.items()}
        self._communes = tuple(u for rows in self._communes_of.values() for u in rows)
        self._communes = tuple(sorted(self._communes, key=lambda u: u.code))
        self._dated = bool(applied)
        self._legacy_path = legacy_path
        self._lock = threading.Lock()
        self._index: _SearchIndex | None = None
        self._legacy: _LegacyData | None = None

    # -- construction ----------------------------------------------------------------------

    @classmethod
    def from_directory(
        cls, directory: str | os.PathLike[str], *, accept: Confidence = Confidence.CONFIRMED
    ) -> UnitRegistry:
        """Read a release of the unit data from a directory.

        The directory holds ``units.json`` (read now), and optionally ``legacy.json`` (read on
        first pre-reform use; without it, the bundled one) and ``unit-changes.toml`` (later
        changes, see :class:`UnitChange`; without it, none). ``scripts/build_units.py`` writes
        the first two from a newer official release.

        Args:
            directory: the folder of the release.
            accept: the least confidence a change needs to be applied
                (``Confidence.PARTIAL`` also applies changes seen only in secondary sources).

        Raises:
            InvalidInputError: ``directory`` is not a path.
            DataFileError: a file is missing or malformed; the message names the file, the row
                and the field, never the value.

        >>> from govtier.legal import Confidence
        >>> later = UnitRegistry.from_directory(DATA_DIR, accept=Confidence.PARTIAL)
        >>> later.get("24", on=dt.date(2026, 10, 1)).name
        'Thành phố Bắc Ninh'
        >>> UnitRegistry.bundled().get("24", on=dt.date(2026, 10, 1)).name
        'Tỉnh Bắc Ninh'
        """
        folder = _check_directory(directory)
        path = folder / "units.json"
        raw = _read_json(path)
        units = []
        fields: tuple[tuple[str, str], ...] = (
            ("code", "code2"),
            ("name", "text"),
            ("kind", "text"),
        )
        for i, (code, name, kind) in enumerate(_rows(raw, "provinces", fields, path=path)):
            level, entry = Level.PROVINCE, f"provinces[{i}]"
            units.append(
                Unit(
                    code=code,
                    name=name,
                    kind=_kind(kind, level=level, path=path, entry=entry),
                    level=level,
                    province_code=None,
                )
            )
        fields = (("code", "code5"), ("name", "text"), ("kind", "text"), ("province", "code2"))
        for i, (code, name, kind, province) in enumerate(_rows(raw, "communes", fields, path=path)):
            level, entry = Level.COMMUNE, f"communes[{i}]"
            units.append(
                Unit(
                    code=code,
                    name=name,
                    kind=_kind(kind, level=level, path=path, entry=entry),
                    level=level,
                    province_code=province,
                )
            )
        legacy = folder / "legacy.json"
        if not legacy.exists():
            legacy = Path(DATA_DIR) / "legacy.json"
        changes_path = folder / _CHANGES_FILE
        changes = _read_changes(changes_path) if changes_path.exists() else ()
        try:
            return cls(units, legacy_path=legacy, changes=changes, accept=accept)
        except DataFileError as exc:
            where = changes_path if exc.problem.startswith("change ") else path
            raise DataFileError(exc.problem, path=str(where)) from None

    @classmethod
    def bundled(cls) -> UnitRegistry:
        """The registry of the data shipped with govtier, read once on first call and shared.

        Raises:
            DataFileError: the package data is missing or malformed.
        """
        registry = cls._bundled
        if registry is None:
            with cls._bundled_lock:
                registry = cls._bundled
                if registry is None:
                    registry = cls.from_directory(DATA_DIR)
                    UnitRegistry._bundled = registry
        return registry

    # -- units in force ----------------------------------------------------------------------

    def get(self, code: str, *, on: dt.date | None = None) -> Unit:
        """The unit in force from 2025-07-01 with this code, as it is now or on a date.

        Args:
            code: ``"01"`` (province) or ``"00004"`` (commune), zero-padded.
            on: the date to answer for; ``None`` for the latest version the data knows (after
                every applied change; a unit merged away is returned with its ``valid_to``).

        Raises:
            MalformedCodeError: the code is not 2 or 5 digits.
            UnknownUnitError: no unit in force has the code (on that date).
            InvalidInputError: ``on`` is not a date.

        >>> UnitRegistry.bundled().get("79").name
        'Thành phố Hồ Chí Minh'
        """
        try:
            unit = self._by_code[code]
        except (KeyError, TypeError):
            _check_code(code, 2, 5)
            msg = (
                f"no commune or province with code {code!r} (codes in force from 2025-07-01; "
                "for a pre-reform code use legacy())"
            )
            raise UnknownUnitError(msg, code=code) from None
        if on is None:
            return unit
        return self._version(code, self._date(on))

    @staticmethod
    def _date(on: object) -> dt.date:
        if isinstance(on, dt.date) and not isinstance(on, dt.datetime):
            return on
        msg = f"on must be a datetime.date, found {_type_name(on)}"
        raise InvalidInputError(msg, field="on", value=on)

    def _version(self, code: str, on: dt.date) -> Unit:
        for unit in reversed(self._history[code]):
            if unit.valid_from <= on and (unit.valid_to is None or on <= unit.valid_to):
                return unit
        first, last = self._history[code][0], self._history[code][-1]
        if on < first.valid_from:
            msg = (
                f"no unit with code {code!r} on {on} (the two-tier units start on "
                f"{first.valid_from}; for a pre-reform code use unit_at() or legacy())"
            )
        else:
            msg = f"no unit with code {code!r} on {on}: {last.name} ended on {last.valid_to}"
        raise UnknownUnitError(msg, code=code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def provinces(self, *, on: dt.date | None = None) -> tuple[Unit, ...]:
        """The province-level units by code (34 on 2025-07-01), now or on a date.

        Raises:
            InvalidInputError: ``on`` is not a date.
        """
        if on is None or not self._dated:
            if on is not None:
                self._date(on)
                if on < REFORM_DATE:
                    return ()
            return self._provinces
        return self._units_on(self._date(on), lambda u: u.is_province)

    def _units_on(self, on: dt.date, keep: Any) -> tuple[Unit, ...]:
        found = []
        for code in sorted(self._history):
            for unit in self._history[code]:
                in_force = unit.valid_from <= on and (unit.valid_to is None or on <= unit.valid_to)
                if in_force and keep(unit):
                    found.append(unit)
        return tuple(found)

    def communes(
        self, province_code: str | None = None, *, on: dt.date | None = None
    ) -> tuple[Unit, ...]:
        """Commune-level units by code: all of them, or those of one province; now or on a date.

        Args:
            province_code: a 2-digit province code, or ``None`` for all.
            on: the date to answer for; ``None`` for now (after every applied change).

        Raises:
            MalformedCodeError: the code is not 2 digits.
            UnknownUnitError: no province has the code (on that date).
            InvalidInputError: ``on`` is not a date.
        """
        if on is not None and (self._dated or on < REFORM_DATE):
            day = self._date(on)
            if province_code is not None:
                _check_code(province_code, 2, what="province code")
                province = self.get(province_code, on=day)
                if not province.is_province:
                    msg = f"no province with code {province_code!r} on {day}"
                    raise UnknownUnitError(msg, code=province_code)
            return self._units_on(
                day,
                lambda u: not u.is_province and province_code in (None, u.province_code),
            )
        if on is not None:
            self._date(on)
        if province_code is None:
            return self._communes
        try:
            return self._communes_of[province_code]
        except (KeyError, TypeError):
            pass
        _check_code(province_code, 2, what="province code")
        msg = f"no province with code {province_code!r} (codes in force from 2025-07-01)"
        raise UnknownUnitError(msg, code=province_code)

    def province_of(self, code: str, *, on: dt.date | None = None) -> Unit:
        """The province a commune belongs to (a province's own code gives the province).

        Raises:
            MalformedCodeError: the code is not 2 or 5 digits.
            UnknownUnitError: no unit has the code (on that date).
            InvalidInputError: ``on`` is not a date.
        """
        unit = self.get(code, on=on)
        if unit.province_code is None:
            return unit
        return self.get(unit.province_code, on=on)

    def changes(self, code: str | None = None) -> tuple[UnitChange, ...]:
        """Every recorded change after 2025-07-01 (applied or not), in date order.

        A change is applied when its confidence is at least the registry's ``accept`` and its
        date is known; the others are records of what is announced but not confirmed.

        Args:
            code: only the changes to this unit (or merged into it); ``None`` for all.

        >>> [(c.unit, c.confidence.mark) for c in UnitRegistry.bundled().changes("24")]
        [('24', '[P]')]
        """
        if code is None:
            return self._changes
        return tuple(c for c in self._changes if code in (c.unit, c.into))

    def history(self, code: str) -> tuple[Unit, ...]:
        """Every version of a unit in date order (one, unless an applied change altered it).

        Raises:
            MalformedCodeError: the code is not 2 or 5 digits.
            UnknownUnitError: no unit in force has the code.
        """
        self.get(code)
        return self._history[code]

    # -- search ------------------------------------------------------------------------------

    def _search_index(self) -> _SearchIndex:
        index = self._index
        if index is None:
            with self._lock:
                index = self._index
                if index is None:
                    index = _SearchIndex((*self._provinces, *self._communes))
                    self._index = index
        return index

    def _province_filter(self, province: str) -> str:
        if not _is_text(province):
            msg = f"province must be a province code or name; got {province!r}"
            raise InvalidInputError(msg, field="province", value=province)
        if province.strip().isdigit():
            return self.get(_check_code(province, 2, what="province code")).code
        hits = [
            hit
            for hit in self._ranked(province, limit=3, province_code=None)
            if hit.unit.is_province and hit.score >= 80
        ]
        if hits:
            return hits[0].unit.code
        codes = self._province_aliases().get(name_key(fold(province)), set())
        if len(codes) == 1:  # "HN", "Hanoi", "TP HCM", "Sài Gòn"
            return next(iter(codes))
        msg = f"no province named {province!r} (give a 2-digit code or a province's name)"
        raise UnknownUnitError(msg, code=province)

    def _province_aliases(self) -> dict[str, set[str]]:
        """The usual writings of today's province names (initials, joined, TP + initials)."""
        aliases: dict[str, set[str]] = defaultdict(set)
        for unit in self._provinces:
            type_word, rest = _official_parts(unit.name)
            for key in _province_aliases(rest, type_word):
                aliases[key].add(unit.code)
                if type_word:
                    aliases[f"{type_word} {key}"].add(unit.code)
        for key, codes in _PROVINCE_ALIASES.items():
            known = {code for code in codes if code in self._communes_of}
            if known:
                aliases[key] = known
        return aliases

    def search(self, text: str, *, province: str | None = None, limit: int = 10) -> list[UnitMatch]:
        """Find units in force by name, best first.

        Case, accents and ``đ`` do not matter; a leading type word may be written out or
        abbreviated (``"P. Ba Đình"``, ``"X. Yên Sở"``, ``"TP HCM"``, ``"Tp. Hồ Chí Minh"``) or left
        out (``"ba dinh"``). Every word of the query must start a word of the name. An exact full
        name ranks first, then the exact name in another spelling, then partial matches; among
        equal scores the name spelled exactly as given (with its accents) comes first, so
        ``"Xã Văn Lăng"`` finds Văn Lăng before Văn Lang.

        Args:
            text: a unit name or part of one.
            province: keep units of this province only (its code, e.g. ``"01"``, or its name).
            limit: at most this many hits (1 or more).

        Returns:
            The hits, best first; empty when nothing matches.

        Raises:
            InvalidInputError: the text is empty or only whitespace/punctuation, or the limit
                is not a positive integer.
            UnknownUnitError: the province is not known.

        >>> [hit.unit.name for hit in UnitRegistry.bundled().search("p. ba dinh", limit=2)]
        ['Phường Ba Đình', 'Xã Ba Đình']
        """
        if not _is_text(text):
            msg = f"search text must be a non-empty name; got {text!r}"
            raise InvalidInputError(msg, field="text", value=text)
        if not _is_count(limit):
            msg = f"limit must be a positive integer; got {limit!r}"
            raise InvalidInputError(msg, field="limit", value=limit)
        province_code = None if province is None else self._province_filter(province)
        return self._ranked(text, limit=limit, province_code=province_code)

    def _ranked(self, text: str, *, limit: int, province_code: str | None) -> list[UnitMatch]:
        index = self._search_index()
        type_word, rest = split_unit_type(text)
        core = name_key(rest)
        full = f"{type_word} {rest}" if type_word else rest
        if not core:  # the text is nothing but a type word: search for it as a name
            type_word, core, full = None, name_key(text), fold(text)
        exact = _exact(text)
        best: dict[str, tuple[int, bool, int, int, str, UnitMatch]] = {}
        found = dict.fromkeys(index.candidates(core.split()), (0, core))
        self._collect(best, index, found, type_word, exact, province_code, full=full)
        if not best:
            self._near(best, index, core, type_word, exact, province_code)
        scored = sorted(best.values(), key=lambda item: item[:5])
        return [item[5] for item in scored[:limit]]

    @staticmethod
    def _collect(
        best: dict[str, tuple[int, bool, int, int, str, UnitMatch]],
        index: _SearchIndex,
        found: dict[int, tuple[int, str]],
        type_word: str | None,
        exact: str,
        province_code: str | None,
        *,
        full: str | None = None,
        extra_edits: int = 0,
    ) -> None:
        """Score the entries ``found`` (``{entry: (edits, core)}``) into ``best``, by code."""
        for position, (word_edits, core) in found.items():
            entry = index.entries[position]
            unit = entry.unit
            if province_code is not None and province_code not in (unit.code, unit.province_code):
                continue
            edits = word_edits + extra_edits
            spelled_full = full if full is not None and not edits else None
            if spelled_full is None:
                spelled_full = f"{type_word} {core}" if type_word else core
            score, why = _score(entry, spelled_full, type_word, core)
            if edits:
                score = max(1, min(score - _TYPO_PENALTY * edits, _TYPO_CEILING))
                plural = "s" if edits > 1 else ""
                why = f"{why}, after {edits} spelling correction{plural} ({core!r})"
            match = UnitMatch(unit=unit, score=score, why=why)
            spelled = entry.exact != exact
            item = (-score, spelled, entry.rank, len(entry.core), unit.code, match)
            if unit.code not in best or item[:5] < best[unit.code][:5]:
                best[unit.code] = item

    def _near(
        self,
        best: dict[str, tuple[int, bool, int, int, str, UnitMatch]],
        index: _SearchIndex,
        core: str,
        type_word: str | None,
        exact: str,
        province_code: str | None,
    ) -> None:
        """Nothing matched as written: try the nearest spellings (a typo or two per word)."""
        words = core.split()
        readings = [(type_word, words, 0)]
        if type_word is None and len(words) > 1 and len(words[0]) >= 4:
            for candidate in _SINGLE_TYPE_WORDS:  # "Phuogn Ba Dinh": a mistyped type word
                distance = _edit_distance(words[0], candidate, 1)
                if distance <= 1:
                    readings.append((candidate, words[1:], distance))
        for reading_type, reading_words, type_edits in readings:
            found = index.near(reading_words)
            self._collect(
                best, index, found, reading_type, exact, province_code, extra_edits=type_edits
            )

    # -- before the reform -------------------------------------------------------------------

    def _legacy_data(self) -> _LegacyData:
        data = self._legacy
        if data is None:
            with self._lock:
                data = self._legacy
                if data is None:
                    if self._legacy_path is None:
                        msg = "this registry has no pre-reform data"
                        raise DataFileError(msg)
                    raw = _read_json(self._legacy_path)
                    data = _LegacyData(raw, self, path=self._legacy_path)
                    self._legacy = data
        return data

    def legacy(self, old_code: str) -> LegacyUnit:
        """The pre-reform commune (until 2025-06-30) with this old code.

        Args:
            old_code: a 5-digit commune code as used before 2025-07-01.

        Raises:
            MalformedCodeError: the code is not 5 digits.
            UnknownUnitError: no pre-reform commune had the code.

        >>> print(UnitRegistry.bundled().legacy("00001"))
        Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội
        """
        data = self._legacy_data()
        try:
            return data.communes[old_code]
        except (KeyError, TypeError):
            pass
        _check_code(old_code, 5, what="pre-reform commune code")
        msg = (
            f"no pre-reform commune with code {old_code!r} (codes in use until 2025-06-30; "
            "for a code in force today use get())"
        )
        raise UnknownUnitError(msg, code=old_code)

    def legacy_communes(self) -> tuple[LegacyUnit, ...]:
        """Every pre-reform commune known to the sources, by code."""
        return tuple(self._legacy_data().communes.values())

    def successors(self, old_code: str) -> tuple[Succession, ...]:
        """What a pre-reform commune became: one row per new unit that took (part of) it.

        An old commune split between several new units has several successors, each
        :attr:`SuccessionKind.PART`; an unchanged one has itself (same code) as
        :attr:`SuccessionKind.UNCHANGED`. The few old communes merged away before 2025-07-01
        (absent from the conversion table) have none: an empty tuple.

        Raises:
            MalformedCodeError: the code is not 5 digits.
            UnknownUnitError: no pre-reform commune had the code.

        >>> [(s.new.name, s.how.value) for s in UnitRegistry.bundled().successors("00004")]
        [('Phường Ba Đình', 'whole')]
        """
        unit = self.legacy(old_code)
        return self._legacy_data().successors.get(unit.code, ())

    def predecessors(self, new_code: str) -> tuple[Succession, ...]:
        """The pre-reform communes (or parts of them) that formed a commune in force today.

        Special zones made from a whole island district (Côn Đảo, Lý Sơn, ...) have no commune
        predecessors: an empty tuple.

        Args:
            new_code: a 5-digit code in force from 2025-07-01.

        Raises:
            MalformedCodeError: the code is not 5 digits.
            UnknownUnitError: no unit in force has the code.
        """
        unit = self.get(_check_code(new_code, 5, what="commune code"))
        return self._legacy_data().predecessors.get(unit.code, ())

    def legacy_province_successor(self, old_province_code: str) -> Unit:
        """The province in force today that an old (pre-reform) province went into.

        Every one of the 63 old provinces went whole into one of the 34 new ones.

        Args:
            old_province_code: the 2-digit code the province had before 2025-07-01.

        Raises:
            MalformedCodeError: the code is not 2 digits.
            UnknownUnitError: no old province had the code.

        >>> UnitRegistry.bundled().legacy_province_successor("02").name   # Hà Giang
        'Tỉnh Tuyên Quang'
        """
        data = self._legacy_data()
        try:
            return data.provinces[old_province_code][1]
        except (KeyError, TypeError):
            pass
        _check_code(old_province_code, 2, what="pre-reform province code")
        msg = f"no pre-reform province with code {old_province_code!r} (codes until 2025-06-30)"
        raise UnknownUnitError(msg, code=old_province_code)

    def legacy_province_name(self, old_province_code: str) -> str:
        """The name an old province code had before 2025-07-01, e.g. ``"Tỉnh Hà Giang"``.

        Raises:
            MalformedCodeError: the code is not 2 digits.
            UnknownUnitError: no old province had the code.
        """
        self.legacy_province_successor(old_province_code)
        return self._legacy_data().provinces[old_province_code][0]

    def unit_at(self, code: str, on: dt.date) -> Unit | LegacyUnit:
        """The commune a code meant on a date: a :class:`LegacyUnit` before 2025-07-01, else a Unit.

        Args:
            code: a 5-digit commune code (or, from 2025-07-01, a 2-digit province code).
            on: the date the code was used.

        Raises:
            InvalidInputError: ``on`` is not a date.
            MalformedCodeError: the code has the wrong shape for the date.
            UnknownUnitError: no unit had the code on that date.

        >>> import datetime as dt
        >>> units = UnitRegistry.bundled()
        >>> units.unit_at("00004", dt.date(2025, 6, 30)).name
        'Phường Trúc Bạch'
        >>> units.unit_at("00004", dt.date(2025, 7, 1)).name
        'Phường Ba Đình'
        """
        if not _is_plain_date(on):
            msg = f"on must be a datetime.date; got {on!r}"
            raise InvalidInputError(msg, field="on", value=on)
        if on < REFORM_DATE:
            return self.legacy(code)
        return self.get(code)

    def resolve_legacy_address(self, text: str) -> LegacyResolution:
        """Find what a pre-reform address (commune, district, province) became.

        The parts are separated by commas, the commune first; district and province may be left
        out, abbreviated (``"P.12, Q.Gò Vấp, TP.HCM"``, ``"HN"``, ``"Sài Gòn"``) or written without
        accents. A type word is taken only when it stands as a word (``"Quán Thánh"`` is a name,
        not *Quận Thánh*); the part before the province is read as the district (``"Thành phố
        Thanh Hóa, Tỉnh Thanh Hóa"``); the accents given break ties between names that fold alike
        (*Minh Quán* / *Minh Quân*). A trailing country (``"Việt Nam"``) is ignored.

        Args:
            text: e.g. ``"Phường Phúc Xá, Quận Ba Đình, Hà Nội"``.

        Returns:
            The matched old commune(s), their conversion rows and the new unit(s), with a
            status: resolved, split (the old commune was divided: the street address decides),
            ambiguous (several old communes match), or no successor.

        Raises:
            InvalidInputError: the text is empty.
            UnknownUnitError: no pre-reform commune matches.

        >>> result = UnitRegistry.bundled().resolve_legacy_address(
        ...     "Phường Phúc Xá, Quận Ba Đình, Hà Nội")
        >>> result.unit.name
        'Phường Hồng Hà'
        """
        if not _is_text(text):
            msg = f"address must be a non-empty text; got {text!r}"
            raise InvalidInputError(msg, field="text", value=text)
        data = self._legacy_data()
        parts = [part for part in re.split(r"[,;\n]", text) if fold(part)]
        while len(parts) > 1 and fold(parts[-1]) in _COUNTRY:
            parts.pop()
        readings = _readings(parts[0])
        ranked = self._legacy_candidates(data, readings)
        area = self._legacy_area(data, parts[0]) if not ranked else None
        if area is not None:
            return area
        if not ranked:
            msg = f"no pre-reform commune named {parts[0].strip()!r}"
            raise UnknownUnitError(msg, code=text)
        places = parts[1:]
        for position, part in enumerate(places):
            role = "any"
            if len(places) > 1:
                role = "province" if position == len(places) - 1 else "district"
            narrowed = self._narrow(data, ranked, _readings(part), role)
            if not narrowed:
                names = sorted({f"{c.district_name}, {c.province_name}" for c in ranked})
                shown = "; ".join(names[:_PLACES_SHOWN])
                if len(names) > _PLACES_SHOWN:
                    shown += f"; and {len(names) - _PLACES_SHOWN} more"
                msg = (
                    f"no pre-reform commune named {parts[0].strip()!r} in {part.strip()!r} "
                    f"(communes of that name are in: {shown})"
                )
                raise UnknownUnitError(msg, code=text)
            ranked = narrowed
        best = min(ranked.values())
        candidates = [c for c, rank in ranked.items() if rank == best]
        # A text written with accents spells its commune's name as it is: Minh Quán is not
        # Minh Quân, and an unaccented Sa Pa is not Sa Pả.
        accented = readings if any(_has_accents(word) for word in _words(text)) else []
        if accented:
            spelled = [
                c
                for c in candidates
                if any(
                    _accent_key(_official_parts(name)[1]) == r.accents
                    for name in (c.name, *c.other_names)
                    for r in accented
                )
            ]
            candidates = spelled or candidates
        with_successors = [c for c in candidates if c.code in data.successors]
        candidates = with_successors or candidates
        return self._resolution(text, tuple(dict.fromkeys(candidates)), data)

    @staticmethod
    def _legacy_candidates(data: _LegacyData, readings: list[_Reading]) -> dict[LegacyUnit, int]:
        """Old communes a commune part may name, each with a rank (lower is a better reading).

        0: the type word is written out with its accents and the commune has that type; 1: any
        other reading that fits (an abbreviated or unaccented type word, or none); 2: a type
        word that is not the commune's.
        """
        ranked: dict[LegacyUnit, int] = {}
        for reading in readings:
            if reading.type_word is not None and reading.type_word not in _COMMUNE_TYPES:
                continue
            for unit in data.by_name.get(reading.key, ()):
                own = split_unit_type(unit.name, abbreviations=False)[0]
                if reading.type_word is None:
                    rank = 1
                elif reading.type_word == own:
                    rank = 0 if reading.confirmed else 1
                else:
                    rank = 2
                ranked[unit] = min(rank, ranked.get(unit, rank))
        return ranked

    @staticmethod
    def _narrow(
        data: _LegacyData, ranked: dict[LegacyUnit, int], readings: list[_Reading], role: str
    ) -> dict[LegacyUnit, int]:
        """Keep the candidates in the district or province a later part names.

        ``role`` is where the part stands: ``"province"`` (the last of several), ``"district"``
        (before it) or ``"any"`` (the only one). A part that names both a district and a
        province (Thành phố Thanh Hóa in Tỉnh Thanh Hóa) is read by its place, then by its type
        word (a province is a tỉnh or thành phố, a district a quận, huyện, thị xã or thành
        phố); with neither, it keeps the communes of both.
        """
        districts: set[str] = set()
        provinces: set[str] = set()
        for reading in readings:
            rows = data.district_keys.get(reading.key, ())
            if reading.type_word not in (None, "thanh pho", "quan", "huyen", "thi xa"):
                rows = ()
            typed = [row for row in rows if reading.type_word in (None, row[1])] or list(rows)
            spelled = [row for row in typed if row[2] == reading.accents]
            districts |= {row[0] for row in (spelled if reading.accented and spelled else typed)}
            for code, types in data.province_keys.get(reading.key, {}).items():
                if reading.type_word is None or reading.type_word in types or "" in types:
                    provinces.add(code)
        in_district = {c: r for c, r in ranked.items() if c.district_code in districts}
        in_province = {c: r for c, r in ranked.items() if c.province_code in provinces}
        if role == "province":
            return in_province or in_district
        if role == "district":
            return in_district or in_province
        return {**in_province, **in_district}

    def _legacy_area(self, data: _LegacyData, part: str) -> LegacyResolution | None:
        key = name_key(split_unit_type(part)[1])
        for district, description, unit, note in data.areas:
            names = (description, data.districts[district][0])
            if any(name_key(split_unit_type(name)[1]) == key for name in names):
                reason = Message(
                    "{old} became {unit} ({code}): {note}",
                    old=description,
                    unit=unit.name,
                    code=unit.code,
                    note=note,
                )
                return LegacyResolution(
                    text=part,
                    status=ResolutionStatus.RESOLVED,
                    old=(),
                    successions=(),
                    units=(unit,),
                    reason=reason,
                )
        return None

    @staticmethod
    def _resolution(
        text: str, candidates: tuple[LegacyUnit, ...], data: _LegacyData
    ) -> LegacyResolution:
        rows = tuple(row for c in candidates for row in data.successors.get(c.code, ()))
        units = tuple(dict.fromkeys(row.new for row in rows))
        if len(candidates) > 1:
            status = ResolutionStatus.AMBIGUOUS
            places = "; ".join(f"{c} ({c.code})" for c in candidates)
            reason = Message(
                "{n} pre-reform communes match {text}: {places}; "
                "add the district and province to choose",
                n=len(candidates),
                text=repr(text),
                places=places,
            )
        elif not rows:
            status = ResolutionStatus.NO_SUCCESSOR
            reason = Message(
                "{old} ({code}) is not in the official conversion "
                "table: it was merged into another commune before 2025-07-01",
                old=str(candidates[0]),
                code=candidates[0].code,
            )
        elif len(units) > 1:
            status = ResolutionStatus.SPLIT
            into = "; ".join(f"{row.new.name} ({row.new.code}, {row.note})" for row in rows)
            reason = Message(
                "{old} ({code}) was split between {n} new "
                "units: {into}; which one depends on the street address",
                old=str(candidates[0]),
                code=candidates[0].code,
                n=len(units),
                into=into,
            )
        else:
            status = ResolutionStatus.RESOLVED
            row = rows[0]
            reason = Message(
                "{old} ({code}) became {unit} ({unit_code}), {how}: {note}",
                old=str(candidates[0]),
                code=candidates[0].code,
                unit=row.new.name,
                unit_code=row.new.code,
                how=Message(_HOW_WORDS[row.how.value]),
                note=row.note,
            )
        return LegacyResolution(
            text=text,
            status=status,
            old=candidates,
            successions=rows,
            units=units,
            reason=reason,
        )

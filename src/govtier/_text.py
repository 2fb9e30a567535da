"""Text folding for Vietnamese names: case, accents, ``đ``, punctuation and unit-type prefixes.

:func:`fold` is the one normal form every govtier search compares in (units now, the procedure
catalogue later). The other helpers understand the way people write unit names: a type word or its
abbreviation in front (``"P. Ba Đình"``, ``"TP HCM"``, ``"X. Yên Sở"``), numbers with or without
leading zeros (``"Phường 05"``).

>>> fold("  Phường  Ba Đình ")
'phuong ba dinh'
>>> fold("Xã Ea M’Droh")
'xa ea mdroh'
>>> split_unit_type("TP. Hồ Chí Minh")
('thanh pho', 'ho chi minh')
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = [
    "UNIT_TYPE_WORDS",
    "expand_abbreviations",
    "fold",
    "name_key",
    "split_unit_type",
]

_APOSTROPHES: Final = str.maketrans("", "", "'’‘`´ʼ")
_NON_WORD: Final = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Fold text for comparison: lowercase, no accents, ``đ`` → ``d``, single spaces.

    Apostrophes vanish (``M'Drắk`` and ``M’Drắk`` both fold to ``mdrak``); any other run of
    punctuation or whitespace becomes one space. Folding is idempotent.

    Args:
        text: any text.

    Returns:
        The folded text, ASCII for Vietnamese input.

    >>> fold("Thành phố Hồ Chí Minh")
    'thanh pho ho chi minh'
    >>> fold("Bà Rịa - Vũng Tàu") == fold(fold("Bà Rịa - Vũng Tàu"))
    True
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.casefold().translate(_APOSTROPHES)
    return _NON_WORD.sub(" ", stripped).strip()


UNIT_TYPE_WORDS: Final[dict[str, str]] = {
    # folded type word -> itself (the canonical folded form); abbreviations map onto these
    "thanh pho": "thanh pho",
    "tinh": "tinh",
    "phuong": "phuong",
    "xa": "xa",
    "dac khu": "dac khu",
    "thi tran": "thi tran",
    "thi xa": "thi xa",
    "quan": "quan",
    "huyen": "huyen",
}
"""The unit-type words that may lead a name, folded (longest are tried first)."""

_TYPE_ABBREVIATIONS: Final[dict[str, str]] = {
    "tp": "thanh pho",
    "t": "tinh",
    "p": "phuong",
    "ph": "phuong",
    "x": "xa",
    "dk": "dac khu",
    "tt": "thi tran",
    "tx": "thi xa",
    "q": "quan",
    "h": "huyen",
}

_NAME_ABBREVIATIONS: Final[dict[str, str]] = {
    "tphcm": "thanh pho ho chi minh",
    "hcm": "ho chi minh",
    "hcmc": "ho chi minh",
    "tphn": "thanh pho ha noi",
}

_TYPE_ORDER: Final = sorted(UNIT_TYPE_WORDS, key=lambda word: (-len(word), word))


def expand_abbreviations(folded: str) -> str:
    """Expand the usual abbreviations in already-folded text.

    A leading type abbreviation becomes its type word (``tp`` → ``thanh pho``, ``p`` → ``phuong``,
    ``x`` → ``xa``, ``tt`` → ``thi tran``, ``q`` → ``quan``, ``h`` → ``huyen``); whole-word
    name abbreviations anywhere become the name (``hcm`` → ``ho chi minh``, ``tphcm`` →
    ``thanh pho ho chi minh``).

    Args:
        folded: text already passed through :func:`fold`.

    Returns:
        The expanded folded text.

    >>> expand_abbreviations(fold("TP.HCM"))
    'thanh pho ho chi minh'
    >>> expand_abbreviations(fold("P. Ba Đình"))
    'phuong ba dinh'
    """
    words = folded.split()
    if not words:
        return folded
    if words[0] in _TYPE_ABBREVIATIONS and len(words) > 1:
        words[0] = _TYPE_ABBREVIATIONS[words[0]]
    text = " ".join(words)
    for short, full in _NAME_ABBREVIATIONS.items():
        if short in text:
            text = re.sub(rf"\b{short}\b", full, text)
    return text


def split_unit_type(text: str, *, abbreviations: bool = True) -> tuple[str | None, str]:
    """Split a leading unit-type word (or its abbreviation) off a name.

    Args:
        text: a name, raw or folded, e.g. ``"P. Ba Đình"`` or ``"tinh lao cai"``.
        abbreviations: expand abbreviations first (see :func:`expand_abbreviations`); turn off
            for official names, where ``Sài Gòn`` or ``X`` are names, not abbreviations.

    Returns:
        ``(type_word, rest)``, both folded, with abbreviations expanded; ``type_word`` is
        ``None`` when the name does not start with a type word (or is nothing but one).

    >>> split_unit_type("Xã Yên Sở")
    ('xa', 'yen so')
    >>> split_unit_type("Ba Đình")
    (None, 'ba dinh')
    """
    folded = fold(text)
    if abbreviations:
        folded = expand_abbreviations(folded)
    for word in _TYPE_ORDER:
        if folded.startswith(word + " "):
            return word, folded[len(word) + 1 :]
    return None, folded


_LEADING_ZEROS: Final = re.compile(r"\b0+(\d)")


def name_key(text: str) -> str:
    """The comparison key of a name without its type word: folded, numbers without leading zeros.

    Args:
        text: a name without a type word, raw or folded (``"05"``, ``"Ba Đình"``).

    Returns:
        The key, e.g. ``"5"`` or ``"ba dinh"``.

    >>> name_key("Phường 05".split(" ", 1)[1])
    '5'
    """
    return _LEADING_ZEROS.sub(r"\1", fold(text))

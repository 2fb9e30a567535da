"""Legal sources and confidence marks, carried as data by every law-derived fact.

A fact about law in govtier (a holiday, a time limit, a competent level) says where it comes from
(:class:`LegalSource`) and how sure we are of it (:class:`Confidence`). Uncertain facts are marked
in data, never presented as certain.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

__all__ = ["Confidence", "LegalSource"]


class Confidence(enum.Enum):
    """How well a legal fact is established.

    The marks follow the project's domain notes: ``[C]`` seen in a cited source, ``[P]`` partial
    (secondary, truncated, or only part of the claim seen), ``[U]`` unconfirmed.
    """

    CONFIRMED = "confirmed"
    PARTIAL = "partial"
    UNCONFIRMED = "unconfirmed"

    @property
    def mark(self) -> str:
        """The short mark used in docs and explanations (``[C]``, ``[P]`` or ``[U]``)."""
        return {"confirmed": "[C]", "partial": "[P]", "unconfirmed": "[U]"}[self.value]

    @classmethod
    def parse(cls, text: str) -> Confidence:
        """Read a confidence from its value (``"confirmed"``) or its mark (``"[C]"``, ``"C"``).

        Raises:
            ValueError: the text is neither.
        """
        folded = text.strip().strip("[]").lower()
        for member in cls:
            if folded in (member.value, member.value[0]):
                return member
        msg = (
            f"confidence must be one of confirmed, partial, unconfirmed (or C, P, U); got {text!r}"
        )
        raise ValueError(msg)


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


@attrs.frozen(kw_only=True)
class LegalSource:
    """Where a legal fact comes from.

    Attributes:
        document: the document's number and kind as published, e.g. ``"12729/VPCP-KGVX"`` or
            ``"Decree 23/2015/NĐ-CP"``.
        article: the article, clause or point, e.g. ``"Art. 7"``; ``None`` when the whole
            document is meant.
        issued: the date the document was signed or published, if known.
        title: a short description.
        url: a public page quoting the text.

    >>> src = LegalSource(document="Decree 23/2015/NĐ-CP", article="Art. 7")
    >>> str(src)
    'Decree 23/2015/NĐ-CP, Art. 7'
    """

    document: str = attrs.field(validator=attrs.validators.min_len(1))
    article: str | None = attrs.field(default=None, converter=_optional_str)
    issued: dt.date | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.instance_of(dt.date))
    )
    title: str | None = attrs.field(default=None, converter=_optional_str)
    url: str | None = attrs.field(default=None, converter=_optional_str)

    def __str__(self) -> str:
        text = self.document
        if self.article:
            text += f", {self.article}"
        if self.issued:
            text += f" ({self.issued:%d/%m/%Y})"
        return text

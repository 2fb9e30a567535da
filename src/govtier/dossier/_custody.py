"""Custody: which agencies held a dossier, and circular transfers.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import attrs

# --------------------------------------------------------------------------------------------
# Custody: who had the dossier, and circular transfers

MAX_HANDOFFS_BETWEEN: Final = 2
"""How many times a dossier may pass between the same two agencies before it is circular."""


@attrs.frozen(kw_only=True)
class CircularTransfer:
    """A transfer that sent a dossier round in a circle, as the lifecycle noticed it.

    Attributes:
        at: when the transfer happened.
        event: the event kind (``"transferred"`` or ``"handed_over"``).
        from_agency: who passed it on (``None`` when no agency is known to have held it).
        to_agency: who received it.
        returned: ``to_agency`` had already held the dossier.
        handoffs: how many times it has now passed between these two agencies.
        why: the reason in words.
    """

    at: dt.datetime
    event: str
    from_agency: str | None
    to_agency: str
    returned: bool
    handoffs: int
    why: str


@attrs.frozen(kw_only=True)
class Custody:
    """The agencies a dossier was transferred or handed over to, and any circular transfers.

    A transfer is circular when it sends the dossier back to an agency that already held it,
    or when the dossier has passed between the same two agencies more than
    :data:`MAX_HANDOFFS_BETWEEN` times. A transfer within one agency (to itself) is neither.

    Attributes:
        holders: every agency that held the dossier, in the order it first got it.
        current: the agency holding it now (``None`` before any transfer).
        pairs: ``(agency, agency, handoffs)`` for each pair that passed it, names sorted.
        circular: every circular transfer noticed, oldest first.
    """

    holders: tuple[str, ...] = ()
    current: str | None = None
    pairs: tuple[tuple[str, str, int], ...] = ()
    circular: tuple[CircularTransfer, ...] = ()

    def moved(self, *, at: dt.datetime, event: str, source: str | None, to: str) -> Custody:
        """The custody after the dossier went from ``source`` (default: the holder) to ``to``."""
        source = source if source is not None else self.current
        holders = self.holders
        if source is not None and source not in holders:
            holders = (*holders, source)
        if source == to:
            return Custody(holders=holders, current=to, pairs=self.pairs, circular=self.circular)
        returned = to in holders
        pairs, handoffs = self.pairs, 0
        if source is not None:
            first, second = sorted((source, to))
            counts = {(a, b): n for a, b, n in pairs}
            handoffs = counts.get((first, second), 0) + 1
            counts[(first, second)] = handoffs
            pairs = tuple((a, b, n) for (a, b), n in counts.items())
        circular = self.circular
        repeated = handoffs > MAX_HANDOFFS_BETWEEN
        if returned or repeated:
            reasons = []
            if returned:
                reasons.append(f"sent back to {to}, which already had it")
            if repeated:
                reasons.append(f"passed between {source} and {to} {handoffs} times")
            notice = CircularTransfer(
                at=at,
                event=event,
                from_agency=source,
                to_agency=to,
                returned=returned,
                handoffs=handoffs,
                why="; ".join(reasons),
            )
            circular = (*circular, notice)
        if not returned:
            holders = (*holders, to)
        return Custody(holders=holders, current=to, pairs=pairs, circular=circular)


_NO_CUSTODY: Final = Custody()
"""The custody of a dossier never transferred (shared: custody values are immutable)."""

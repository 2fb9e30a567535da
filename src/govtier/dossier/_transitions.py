"""The transition table: which event may follow which status, checked when it is defined.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Mapping
from typing import Final

import attrs

from govtier.dossier._events import EVENT_TYPES
from govtier.dossier._header import TERMINAL, Status
from govtier.errors import (
    InvalidInputError,
)

# --------------------------------------------------------------------------------------------
# The transition table


class Target(enum.Enum):
    """Special transition targets."""

    SAME = "same"
    """The status does not change (e.g. an apology)."""
    RESUME = "resume"
    """Back to the status before the dossier started waiting on the applicant."""


_Key = Status | None
_Goal = Status | Target


@attrs.frozen
class TransitionTable:
    """Which event kinds are allowed in which status, and the status they lead to.

    ``None`` stands for a dossier with no events yet. Checked when defined (:meth:`define`): every
    status is reachable, terminal statuses have no exit, every other status can reach a terminal
    one, and :attr:`Target.RESUME` is only used out of a waiting status.
    """

    rows: Mapping[str, Mapping[_Key, _Goal]]

    @classmethod
    def define(cls, rows: Mapping[str, Mapping[_Key, _Goal]]) -> TransitionTable:
        """Build and validate a table.

        Raises:
            InvalidInputError: the table is inconsistent; the message says how.
        """
        table = cls({kind: dict(moves) for kind, moves in rows.items()})
        table._validate()
        return table

    def _validate(self) -> None:
        known = {t.kind for t in EVENT_TYPES}
        unknown = sorted(set(self.rows) - known)
        if unknown:
            msg = f"transition table names unknown event kinds: {', '.join(unknown)}"
            raise InvalidInputError(msg, field="rows", value=unknown)
        for kind, moves in self.rows.items():
            for source, goal in moves.items():
                if source in TERMINAL:
                    msg = f"terminal status {source.name} has an exit: {kind} -> {goal}"
                    raise InvalidInputError(msg, field="rows", value=kind)
                if goal is Target.RESUME and not (source and source.is_paused):
                    msg = f"{kind}: RESUME is only allowed out of a waiting status, not {source}"
                    raise InvalidInputError(msg, field="rows", value=kind)
        graph = self._graph()
        reachable = _reach(graph, None)
        missing = [s.name for s in Status if s not in reachable]
        if missing:
            msg = f"unreachable statuses: {', '.join(missing)}"
            raise InvalidInputError(msg, field="rows", value=missing)
        for status in Status:
            if not status.is_terminal and not (_reach(graph, status) & TERMINAL):
                msg = f"status {status.name} can never reach a terminal status"
                raise InvalidInputError(msg, field="rows", value=status)

    def _resume_targets(self, waiting: Status) -> set[Status]:
        """The statuses a dossier can be in before it starts ``waiting``: where RESUME leads."""
        return {
            source
            for moves in self.rows.values()
            for source, goal in moves.items()
            if goal is waiting and source is not None
        }

    def _graph(self) -> dict[_Key, set[Status]]:
        graph: dict[_Key, set[Status]] = {}
        for moves in self.rows.values():
            for source, goal in moves.items():
                targets = graph.setdefault(source, set())
                if goal is Target.SAME:
                    if source is not None:
                        targets.add(source)
                elif goal is Target.RESUME:
                    assert source is not None  # noqa: S101  (checked above)
                    targets.update(self._resume_targets(source))
                else:
                    targets.add(goal)
        return graph

    def allowed(self, status: Status | None) -> tuple[str, ...]:
        """The event kinds allowed in ``status`` (``None``: a dossier with no events)."""
        return tuple(kind for kind, moves in self.rows.items() if status in moves)

    def target(self, status: Status | None, kind: str) -> _Goal | None:
        """Where ``kind`` leads from ``status``, or ``None`` when it is not allowed."""
        moves = self.rows.get(kind)
        return None if moves is None else moves.get(status)

    def to_mermaid(self) -> str:
        """The table as a Mermaid state diagram (``stateDiagram-v2``).

        Each edge is labelled with the event and, on a second line, the :class:`Dossier` command
        that records it (``received<br/>accept()`` from ``SUBMITTED``), for govtier's own events.
        """
        lines = ["stateDiagram-v2"]
        for kind, moves in self.rows.items():
            for source, goal in moves.items():
                command = _COMMANDS.get((source, kind), _COMMANDS.get((_ANY, kind), ""))
                label = f"{kind}<br/>{command}()" if command else kind  # two lines: narrower
                start = "[*]" if source is None else source.name
                if goal is Target.SAME:
                    end = start
                elif goal is Target.RESUME:
                    end = "RESUMED"
                else:
                    end = goal.name
                if end == "RESUMED" and source is not None:
                    for back in sorted(self._resume_targets(source), key=lambda s: s.value):
                        lines.append(f"    {start} --> {back.name}: {label}")
                    continue
                lines.append(f"    {start} --> {end}: {label}")
        lines.extend(f"    {s.name} --> [*]" for s in sorted(TERMINAL, key=lambda s: s.value))
        return "\n".join(lines)


_ANY: Final = "any"
_COMMANDS: Final[Mapping[tuple[Status | str | None, str], str]] = {
    (_ANY, "submitted"): "submit",
    (None, "received"): "receive",
    (Status.SUBMITTED, "received"): "accept",  # the online intake: submit(), then accept()
    (None, "refused"): "refuse",  # a submitted dossier is refused with apply(Refused(...))
    (_ANY, "supplement_requested"): "request_supplement",
    (_ANY, "supplemented"): "supplement",
    (_ANY, "transferred"): "transfer",
    (_ANY, "payment_requested"): "request_payment",
    (_ANY, "paid"): "pay",
    (_ANY, "apologised"): "apologise",
    (_ANY, "stopped"): "stop",
    (_ANY, "decided"): "decide",
    (_ANY, "returned"): "return_result",
    (_ANY, "withdrawn"): "withdraw",
}
"""The :class:`Dossier` command that records each event (by the status it starts from)."""


def _reach(graph: Mapping[_Key, set[Status]], start: _Key) -> set[Status]:
    seen: set[Status] = set()
    queue: deque[_Key] = deque([start])
    while queue:
        for nxt in graph.get(queue.popleft(), set()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


S = Status
_OPEN_RECEIVED: Final = (S.RECEIVED, S.IN_PROGRESS)
_WAITING: Final = (S.AWAITING_SUPPLEMENT, S.AWAITING_PAYMENT)

TRANSITIONS: Final = TransitionTable.define(
    {
        "submitted": {None: S.SUBMITTED},
        "received": {None: S.RECEIVED, S.SUBMITTED: S.RECEIVED},
        "refused": {None: S.REFUSED, S.SUBMITTED: S.REFUSED},
        "supplement_requested": {
            S.SUBMITTED: S.AWAITING_SUPPLEMENT,
            **dict.fromkeys(_OPEN_RECEIVED, S.AWAITING_SUPPLEMENT),
        },
        "supplemented": {S.AWAITING_SUPPLEMENT: Target.RESUME},
        "transferred": dict.fromkeys(_OPEN_RECEIVED, S.IN_PROGRESS),
        "payment_requested": dict.fromkeys(_OPEN_RECEIVED, S.AWAITING_PAYMENT),
        "paid": {S.AWAITING_PAYMENT: Target.RESUME},
        "apologised": dict.fromkeys(_OPEN_RECEIVED, Target.SAME),
        "stopped": dict.fromkeys(_OPEN_RECEIVED + _WAITING, S.STOPPED),
        "decided": dict.fromkeys(_OPEN_RECEIVED, S.RESULT_READY),
        "returned": {S.RESULT_READY: S.RETURNED},
        "withdrawn": dict.fromkeys((S.SUBMITTED, *_OPEN_RECEIVED, *_WAITING), S.WITHDRAWN),
        "handed_over": dict.fromkeys(
            (S.SUBMITTED, *_OPEN_RECEIVED, *_WAITING, S.RESULT_READY), Target.SAME
        ),
    }
)
"""The lifecycle, as data. ``docs/dossiers.md`` shows it as a diagram."""

_GOALS: Final[dict[tuple[Status | None, str], _Goal]] = {
    (source, kind): goal
    for kind, moves in TRANSITIONS.rows.items()
    for source, goal in moves.items()
}
"""``TRANSITIONS`` flattened for the fold: ``(status, kind) -> goal`` in one dict lookup."""

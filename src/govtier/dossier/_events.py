"""The dossier events: each a fact with its moment, its actor and what it carries.

Private: the public names are :mod:`govtier.dossier`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import linecache
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Final, TypeVar

import attrs

from govtier._checks import VIETNAM_TZ, check_aware
from govtier._guard import non_empty_text, non_negative_int, non_negative_or_none
from govtier.dossier._header import DossierHeader, Outcome, StepPlan
from govtier.errors import (
    InvalidInputError,
)

# --------------------------------------------------------------------------------------------
# Events

_T = TypeVar("_T")
_EVOLVERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _make_evolver(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """A copy-with-changes function for an attrs class, generated once (no loop, no getattr).

    The fold creates several values per event; the generic ``attrs.evolve`` (or a loop over the
    fields) was the fold's largest cost in the profile.
    """
    fields = [f for f in attrs.fields(cls) if f.init]
    args = ", ".join(f"{f.alias}=get({f.alias!r}, inst.{f.name})" for f in fields)
    source = f"def evolve(inst, changes):\n    get = changes.get\n    return cls({args})\n"
    # As attrs does for its generated methods: a file name of its own, registered in linecache,
    # so tracebacks, debuggers and profilers show the generated line instead of "<string>".
    filename = f"<govtier generated evolve {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace: dict[str, Any] = {"cls": cls}
    code = compile(source, filename, "exec")
    exec(code, namespace)  # noqa: S102  (field names of our own attrs classes only)
    evolver: Callable[[Any, dict[str, Any]], Any] = namespace["evolve"]
    return evolver


def _evolve(inst: _T, **changes: Any) -> _T:
    """``attrs.evolve`` for the fold's hot path (a generated function per class)."""
    cls = type(inst)
    evolver = _EVOLVERS.get(cls)
    if evolver is None:
        evolver = _EVOLVERS[cls] = _make_evolver(cls)
    result: _T = evolver(inst, changes)
    return result


def _aware(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    check_aware(value, attribute.name)


def _aware_or_none(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_aware(value, attribute.name)


def _to_local(value: Any) -> Any:
    """Aware datetimes are kept in Asia/Ho_Chi_Minh; anything else is left for the validator."""
    if type(value) is dt.datetime and value.tzinfo is VIETNAM_TZ:
        return value  # (astimezone would give it back unchanged)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        with contextlib.suppress(OverflowError):  # out of range: the validator says so
            return value.astimezone(VIETNAM_TZ)
    return value


def _to_local_or_none(value: Any) -> Any:
    return None if value is None else _to_local(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Event:
    """Something that happened to a dossier, at an aware moment, by an actor.

    Attributes:
        at: when (timezone-aware; stored in Asia/Ho_Chi_Minh).
        actor: who did it (a clerk's id, an agency, ``"applicant"``, ``"system"``).
    """

    kind: ClassVar[str] = "event"
    at: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    actor: str = attrs.field(validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Submitted(Event):
    """Filed online or by post, not yet accepted (portal status 1)."""

    kind: ClassVar[str] = "submitted"
    header: DossierHeader


@attrs.frozen(kw_only=True)
class Received(Event):
    """Accepted as complete: the receipt and appointment slip (Form 01) is issued.

    ``header`` is given when the dossier starts here (in person); after :class:`Submitted` it
    is ``None``. ``appointment`` is the due moment written on the slip.
    """

    kind: ClassVar[str] = "received"
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    components: tuple[str, ...] = attrs.field(default=(), converter=_names)
    header: DossierHeader | None = None
    intake_exception: str | None = None
    """Why the dossier was received although outside its intake scope (``None``: it was not)."""


@attrs.frozen(kw_only=True)
class Refused(Event):
    """Refused at intake (Form 03): outside the counter's scope or not eligible."""

    kind: ClassVar[str] = "refused"
    reason: str = attrs.field(validator=non_empty_text)
    legal_basis: str | None = None
    header: DossierHeader | None = None


@attrs.frozen(kw_only=True)
class SupplementRequested(Event):
    """A written request to supplement or complete the dossier (Form 02)."""

    kind: ClassVar[str] = "supplement_requested"
    components: tuple[str, ...] = attrs.field(converter=_names)
    reason: str = attrs.field(validator=non_empty_text)

    def __attrs_post_init__(self) -> None:
        if not self.components or not all(c.strip() for c in self.components):
            msg = "a supplement request must name the components to supplement"
            raise InvalidInputError(msg, field="components", value=self.components)


@attrs.frozen(kw_only=True)
class Supplemented(Event):
    """The applicant supplied what was asked; the clock restarts or resumes.

    ``appointment`` is the new due moment (``None`` when the clock had not started);
    ``step_due`` the open inter-agency step's new sub-deadline, if a step is open.
    """

    kind: ClassVar[str] = "supplemented"
    components: tuple[str, ...] = attrs.field(default=(), converter=_names)
    appointment: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class Transferred(Event):
    """Handed to the next agency or step (process-control slip, Form 06).

    ``step`` is the index of the step in the header's plan (0 for the first); ``step_due`` its
    sub-deadline.
    """

    kind: ClassVar[str] = "transferred"
    step: int = attrs.field(validator=non_negative_int)
    to: str = attrs.field(validator=non_empty_text)
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class PaymentRequested(Event):
    """The applicant must pay fees, charges or other financial obligations (portal status 6)."""

    kind: ClassVar[str] = "payment_requested"
    amount: int | None = attrs.field(default=None, validator=non_negative_or_none)
    reason: str = attrs.field(default="financial obligations", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Paid(Event):
    """The financial obligations are met; the clock resumes (or restarts) to ``appointment``.

    ``step_due`` is the open inter-agency step's new sub-deadline, if a step is open.
    """

    kind: ClassVar[str] = "paid"
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)
    step_due: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


@attrs.frozen(kw_only=True)
class Apologised(Event):
    """An apology with a new appointment (Form 04: reason and new date)."""

    kind: ClassVar[str] = "apologised"
    reason: str = attrs.field(validator=non_empty_text)
    appointment: dt.datetime = attrs.field(converter=_to_local, validator=_aware)


@attrs.frozen(kw_only=True)
class Stopped(Event):
    """Processing stopped (Form 05, portal status 8)."""

    kind: ClassVar[str] = "stopped"
    reason: str = attrs.field(validator=non_empty_text)
    legal_basis: str | None = None


@attrs.frozen(kw_only=True)
class Decided(Event):
    """The competent authority decided: granted or denied, with the result document."""

    kind: ClassVar[str] = "decided"
    outcome: Outcome
    document: str = attrs.field(validator=non_empty_text)
    reason: str | None = None


@attrs.frozen(kw_only=True)
class Returned(Event):
    """The result was returned to the applicant (in person, by post, electronically)."""

    kind: ClassVar[str] = "returned"
    method: str = attrs.field(default="in person", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class Withdrawn(Event):
    """The applicant withdrew the dossier (portal status 7)."""

    kind: ClassVar[str] = "withdrawn"
    reason: str = attrs.field(default="applicant's request", validator=non_empty_text)


@attrs.frozen(kw_only=True)
class HandedOver(Event):
    """Handed over to the authority competent after an administrative reorganisation.

    Written by :func:`govtier.handover.apply_plan`. The dossier's header takes the new receiving
    and subject units, competent authority, place of return and (when given) steps; the clock and
    the appointment are kept unless ``appointment`` gives a new one (a rule said otherwise).

    Attributes:
        from_agency: the authority that handed it over (abolished or no longer competent).
        to_agency: the authority now competent.
        receiving_unit: the unit code of the new receiving point.
        subject_unit: the unit code the procedure now concerns.
        returns_at: where the result is now returned, in words.
        legal_basis: the act that reorganised the units or the competence.
        plan_id: the identifier of the handover plan that wrote the event.
        reason: why it was handed over, in words.
        steps: the inter-agency steps under the new rules (``None``: unchanged).
        appointment: a new appointment a rule sets (``None``: the appointment is kept).
    """

    kind: ClassVar[str] = "handed_over"
    from_agency: str = attrs.field(validator=non_empty_text)
    to_agency: str = attrs.field(validator=non_empty_text)
    receiving_unit: str = attrs.field(validator=non_empty_text)
    subject_unit: str = attrs.field(validator=non_empty_text)
    returns_at: str
    legal_basis: str = attrs.field(validator=non_empty_text)
    plan_id: str = attrs.field(validator=non_empty_text)
    reason: str = ""
    steps: tuple[StepPlan, ...] | None = None
    appointment: dt.datetime | None = attrs.field(
        default=None, converter=_to_local_or_none, validator=_aware_or_none
    )


EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    Submitted,
    Received,
    Refused,
    SupplementRequested,
    Supplemented,
    Transferred,
    PaymentRequested,
    Paid,
    Apologised,
    Stopped,
    Decided,
    Returned,
    Withdrawn,
    HandedOver,
)

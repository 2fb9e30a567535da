"""A seeded generator of realistic dossier journeys: a year of a province's one-stop work.

:func:`journeys` streams :class:`Journey` values — each a dossier's full history, valid by
construction, with the outcome it was built to reach (:class:`Intended`) — for load tests,
benchmarks and report checks:

- procedures are drawn from the bundled catalogue with a skewed mix (:data:`PROCEDURE_WEIGHTS`:
  the three busiest carry 60% of the volume), communes of the chosen province with skewed weights
  (some wards are much busier than others), and the competent authority is resolved with the
  bundled rules on the day of receipt;
- arrivals are spread over the working hours (08:00–12:00, 13:00–17:00) of the working days of
  the real calendar (weekends, Tết and the year's swapped days are skipped);
- channels, refusals, supplements, transfers, payments, apologies, withdrawals, stops, denials and
  late decisions come in the proportions of a :class:`Mix`.

Journeys are built as events, with every appointment computed on the working calendar exactly as
the lifecycle's commands compute it, so a store's fold (or :attr:`Journey.dossier`) is the only
fold. The same seed gives the same journeys; the generator holds one day of state at a time.

>>> from govtier.testing.generator import journeys
>>> first = next(journeys(10, seed=7))
>>> first.dossier.status is first.intended.status
True
>>> first.dossier.timeliness is first.intended.timeliness
True
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Iterator, Mapping
from typing import Final

import attrs

from govtier.calendar import VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Catalogue, Channel, Procedure
from govtier.deadlines import WaitRule, add_working_time, working_time_between
from govtier.dossier import (
    Apologised,
    Applicant,
    Decided,
    Dossier,
    DossierHeader,
    Event,
    Outcome,
    Paid,
    PaymentRequested,
    Received,
    Refused,
    Returned,
    Status,
    Stopped,
    Submitted,
    Supplemented,
    SupplementRequested,
    Timeliness,
    Transferred,
    Withdrawn,
)
from govtier.errors import GovtierError, InvalidInputError
from govtier.jurisdiction import IntakeScope, RuleSet
from govtier.storage.ports import Append
from govtier.units import UnitRegistry

__all__ = [
    "HANOI_YEARLY_DOSSIERS",
    "PROCEDURE_WEIGHTS",
    "YEAR_START",
    "Intended",
    "Journey",
    "Mix",
    "journeys",
]

HANOI_YEARLY_DOSSIERS: Final = 1_100_000
"""About a year of Hà Nội's dossiers at the one-stop counters (the scale target of issue 9)."""

YEAR_START: Final = dt.date(2025, 7, 1)
"""The first day of the two-tier model: the default start of a generated year."""

PROCEDURE_WEIGHTS: Final[Mapping[str, float]] = {
    "certification.copy": 34,
    "civil-status.birth": 14,
    "residence.temporary": 12,
    "residence.permanent": 9,
    "certification.signature": 8,
    "land.change-registration": 6,
    "civil-status.death": 4,
    "civil-status.marriage": 4,
    "business-household.registration": 3,
    "judicial-record.certificate": 3,
    "land.first-certificate": 2,
    "construction.permit-house": 1,
}
"""The default procedure mix, in percent of the volume: a few procedures carry most of it
(certified copies, births and residence registrations are 60%, as at a commune counter)."""

_PAYING_FIELDS: Final = frozenset({"land", "construction", "business-household"})
_DAY: Final = 480  # working minutes per day: 08:00-12:00 and 13:00-17:00
_MORNING: Final = 240
_CLERKS: Final = ("clerk-1", "clerk-2", "clerk-3", "clerk-4")
_NAMES: Final = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")


def _share(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        msg = f"{attribute.name} is a share between 0 and 1, got {value!r}"
        raise InvalidInputError(msg, field=attribute.name, value=value)


@attrs.frozen(kw_only=True)
class Mix:
    """The proportions of a generated year. Every share is between 0 and 1.

    Attributes:
        procedures: procedure id -> weight (ids missing from the catalogue are left out).
        online: share submitted online, where the procedure offers it (then accepted later).
        post: share submitted by post, where offered.
        other_counter: share received at another commune's counter of the province.
        refused: share refused at intake.
        withdrawn: share withdrawn by the applicant while being handled.
        stopped: share whose processing is stopped.
        supplement: share asked to supplement the dossier (the clock restarts when supplied).
        unanswered: of those, the share whose applicant never supplies (then withdraws).
        payment: share of land, construction and business dossiers asked to pay (clock paused).
        apology: share given an apology with a new appointment (then decided by it).
        third_transfer: share passing through a third hand before the decision.
        denied: share of decisions that deny.
        early: share of decisions made before the appointment day.
        late: share of decisions made after the appointment.
        not_returned: share of decided dossiers whose result is not yet collected.
    """

    procedures: Mapping[str, float] = attrs.field(factory=lambda: dict(PROCEDURE_WEIGHTS))
    online: float = attrs.field(default=0.30, validator=_share)
    post: float = attrs.field(default=0.02, validator=_share)
    other_counter: float = attrs.field(default=0.05, validator=_share)
    refused: float = attrs.field(default=0.02, validator=_share)
    withdrawn: float = attrs.field(default=0.015, validator=_share)
    stopped: float = attrs.field(default=0.005, validator=_share)
    supplement: float = attrs.field(default=0.08, validator=_share)
    unanswered: float = attrs.field(default=0.10, validator=_share)
    payment: float = attrs.field(default=0.50, validator=_share)
    apology: float = attrs.field(default=0.03, validator=_share)
    third_transfer: float = attrs.field(default=0.50, validator=_share)
    denied: float = attrs.field(default=0.02, validator=_share)
    early: float = attrs.field(default=0.55, validator=_share)
    late: float = attrs.field(default=0.05, validator=_share)
    not_returned: float = attrs.field(default=0.04, validator=_share)


@attrs.frozen(kw_only=True)
class Intended:
    """The outcome a journey was built to reach (what its folded dossier must show).

    Attributes:
        path: ``"returned"``, ``"result_ready"``, ``"refused"``, ``"withdrawn"`` or ``"stopped"``.
        status: the final status.
        timeliness: early, on time or late for a decided dossier, else ``None``.
        outcome: granted or denied for a decided dossier, else ``None``.
    """

    path: str
    status: Status
    timeliness: Timeliness | None = None
    outcome: Outcome | None = None


@attrs.frozen(kw_only=True)
class Journey:
    """One generated dossier: its history and the outcome it was built to reach.

    Attributes:
        code: the dossier code (``agency-YYMMDD-NNNN``; the agency names the receiving commune).
        province: the province code.
        procedure_id: the procedure.
        events: the full history, oldest first (valid by construction).
        intended: the outcome the history reaches.
    """

    code: str
    province: str
    procedure_id: str
    events: tuple[Event, ...]
    intended: Intended

    @property
    def dossier(self) -> Dossier:
        """The folded dossier (folds the events each time it is read)."""
        return Dossier.from_events(self.events)

    def to_append(self) -> Append:
        """The store append that imports this journey as a new dossier."""
        return Append(code=self.code, events=self.events, expected_version=0)


class _Timeline:
    """Working minutes as integers: tick ``k`` is minute ``k % 480`` of working day ``k // 480``."""

    def __init__(self, calendar: WorkingCalendar, first: dt.date, last: dt.date) -> None:
        self.days = list(calendar.working_days(first, last))
        self.index = {day: i for i, day in enumerate(self.days)}
        self.starts = [dt.datetime.combine(d, dt.time(8), tzinfo=VIETNAM_TZ) for d in self.days]
        self._minutes = [dt.timedelta(minutes=m if m < _MORNING else m + 60) for m in range(_DAY)]

    def moment(self, tick: int) -> dt.datetime:
        day, minute = divmod(tick, _DAY)
        return self.starts[day] + self._minutes[minute]

    def day_of(self, moment: dt.datetime) -> int:
        """The index of the working day of ``moment``, or of the next one if it is not one."""
        day = moment.date()
        found = self.index.get(day)
        if found is not None:
            return found
        return bisect.bisect_left(self.days, day)

    def after(self, moment: dt.datetime) -> int:
        """The first tick whose moment is later than ``moment``."""
        day = moment.date()
        index = self.index.get(day)
        if index is None:
            return bisect.bisect_left(self.days, day) * _DAY
        minutes = moment.hour * 60 + moment.minute - 480
        if minutes < 0:
            return index * _DAY
        if minutes >= _MORNING:
            minutes = max(_MORNING, minutes - 60)
        tick = index * _DAY + min(minutes, _DAY)
        return tick + 1 if self.moment(tick) <= moment else tick


def _cumulative(weights: list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _pick(rng: random.Random, items: list[str], cumulative: list[float]) -> str:
    return items[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


def journeys(
    count: int,
    *,
    seed: int = 0,
    province: str = "01",
    start: dt.date = YEAR_START,
    days: int = 365,
    mix: Mix | None = None,
    calendar: WorkingCalendar | None = None,
    rules: RuleSet | None = None,
    units: UnitRegistry | None = None,
) -> Iterator[Journey]:
    """Stream ``count`` journeys received over ``days`` days from ``start`` in ``province``.

    Args:
        count: how many dossiers (spread evenly over the working days).
        seed: the random seed: the same seed gives the same journeys.
        province: the province code (``"01"``: Hà Nội).
        start: the first day.
        days: how many calendar days the arrivals span.
        mix: the proportions (default :class:`Mix`).
        calendar: the working calendar (default ``WorkingCalendar.vietnam()``).
        rules: the competent-authority rules (default ``RuleSet.bundled()``).
        units: the unit registry (default ``UnitRegistry.bundled()``).

    Raises:
        InvalidInputError: a count or span below 1, an unknown province, no procedure of the mix
            in the catalogue, or more than 9,999 dossiers for one counter on one day.
    """
    if count < 0 or days < 1:
        msg = f"count must be >= 0 and days >= 1, got {count} and {days}"
        raise InvalidInputError(msg, field="count", value=count)
    return _Generator(
        seed=seed,
        province=province,
        start=start,
        days=days,
        mix=mix or Mix(),
        calendar=calendar or WorkingCalendar.vietnam(),
        rules=rules or RuleSet.bundled(),
        units=units or UnitRegistry.bundled(),
    ).run(count)


class _Generator:
    def __init__(
        self,
        *,
        seed: int,
        province: str,
        start: dt.date,
        days: int,
        mix: Mix,
        calendar: WorkingCalendar,
        rules: RuleSet,
        units: UnitRegistry,
    ) -> None:
        self.rng = random.Random(seed)  # noqa: S311  (test data, reproducible by seed)
        self.mix = mix
        self.calendar = calendar
        self.rules = rules
        self.province = province
        try:
            units.get(province)
        except GovtierError as exc:
            msg = f"unknown province code {province!r}"
            raise InvalidInputError(msg, field="province", value=province) from exc
        communes = sorted(
            u.code for u in units.communes() if units.province_of(u.code).code == province
        )
        if not communes:
            msg = f"{province!r} is not a province code with communes"
            raise InvalidInputError(msg, field="province", value=province)
        self.communes = communes
        self.commune_weights = _cumulative([self.rng.lognormvariate(0, 0.6) for _ in communes])
        catalogue: Catalogue = rules.catalogue
        known = set(catalogue.ids)
        self.procedures = [p for p in mix.procedures if p in known and mix.procedures[p] > 0]
        if not self.procedures:
            msg = "none of the mix's procedures is in the catalogue"
            raise InvalidInputError(msg, field="procedures", value=tuple(mix.procedures))
        self.end = start + dt.timedelta(days=days)
        self.timeline = _Timeline(
            calendar, start - dt.timedelta(days=14), self.end + dt.timedelta(days=400)
        )
        self.first_day = self.timeline.day_of(
            dt.datetime.combine(start, dt.time(8), tzinfo=VIETNAM_TZ)
        )
        self.arrival_days = [i for i, d in enumerate(self.timeline.days) if start <= d < self.end]
        self.catalogue = catalogue
        self.serial = 0

    # -- the stream -------------------------------------------------------------------------

    def run(self, count: int) -> Iterator[Journey]:
        days = self.arrival_days
        if not days:
            return
        rng = self.rng
        for n, day in enumerate(days):
            today = count * (n + 1) // len(days) - count * n // len(days)
            if not today:
                continue
            on = self.timeline.days[day]
            valid: list[tuple[str, Procedure]] = []
            for pid in self.procedures:
                try:
                    valid.append((pid, self.catalogue.get(pid, on)))
                except GovtierError:
                    continue
            if not valid:
                continue
            names = [pid for pid, _ in valid]
            weights = _cumulative([self.mix.procedures[pid] for pid in names])
            procs = dict(valid)
            sequences: dict[str, int] = {}
            ticks = sorted(day * _DAY + rng.randrange(_DAY) for _ in range(today))
            for tick in ticks:
                pid = _pick(rng, names, weights)
                yield self.journey(tick, on, procs[pid], sequences)

    def journey(
        self, tick: int, on: dt.date, proc: Procedure, sequences: dict[str, int]
    ) -> Journey:
        rng, mix = self.rng, self.mix
        subject = _pick(rng, self.communes, self.commune_weights)
        channels = proc.channels
        roll = rng.random()
        if roll < mix.online and Channel.ONLINE in channels:
            channel = Channel.ONLINE
        elif roll < mix.online + mix.post and Channel.POST in channels:
            channel = Channel.POST
        else:
            channel = (
                Channel.IN_PERSON
                if Channel.IN_PERSON in channels
                else sorted(channels, key=lambda c: c.value)[0]
            )
        assignment = self.rules.resolve(proc, subject, on, channel)
        receiving = subject
        if rng.random() < mix.other_counter and assignment.intake is IntakeScope.ANY_IN_PROVINCE:
            receiving = _pick(rng, self.communes, self.commune_weights)
        seq = sequences.get(receiving, 0) + 1
        if seq > 9999:
            msg = f"more than 9,999 dossiers for counter {receiving} on {on}; spread them out"
            raise InvalidInputError(msg, field="count", value=seq)
        sequences[receiving] = seq
        code = f"H{self.province}.{receiving}-{on:%y%m%d}-{seq:04d}"
        self.serial += 1
        applicant = Applicant(
            name=_NAMES[self.serial % len(_NAMES)], id_number=f"{self.serial:012d}"
        )
        header = DossierHeader.from_assignment(
            assignment, code=code, applicant=applicant, receiving_unit=receiving
        )
        events, intended = self.history(tick, header, paying=proc.field in _PAYING_FIELDS)
        return Journey(
            code=code,
            province=self.province,
            procedure_id=proc.id,
            events=tuple(events),
            intended=intended,
        )

    # -- one history ------------------------------------------------------------------------

    def history(
        self, tick: int, header: DossierHeader, *, paying: bool
    ) -> tuple[list[Event], Intended]:
        rng, mix, tl, cal = self.rng, self.mix, self.timeline, self.calendar
        clerk = _CLERKS[tick % len(_CLERKS)]
        events: list[Event] = []
        at = tl.moment(tick)
        online = header.channel is not Channel.IN_PERSON
        if online:
            filed = tl.moment(max(0, tick - 1 - rng.randrange(600)))
            events.append(Submitted(at=filed, actor="applicant", header=header))
        if rng.random() < mix.refused:
            events.append(
                Refused(
                    at=at,
                    actor=clerk,
                    reason="outside the counter's scope",
                    header=None if online else header,
                )
            )
            return events, Intended(path="refused", status=Status.REFUSED)
        due = cal.due_at(at, header.time_limit, header.policy)
        events.append(
            Received(at=at, actor=clerk, appointment=due, header=None if online else header)
        )
        roll = rng.random()
        if roll < mix.withdrawn:
            tick += 1 + rng.randrange(2 * _DAY)
            events.append(Withdrawn(at=tl.moment(tick), actor="applicant"))
            return events, Intended(path="withdrawn", status=Status.WITHDRAWN)
        if rng.random() < mix.supplement:
            tick += 1 + rng.randrange(_DAY)
            events.append(
                SupplementRequested(
                    at=tl.moment(tick),
                    actor=clerk,
                    components=("giấy tờ còn thiếu",),
                    reason="hồ sơ chưa đầy đủ",
                )
            )
            if rng.random() < mix.unanswered:
                tick += _DAY + rng.randrange(10 * _DAY)
                events.append(Withdrawn(at=tl.moment(tick), actor="applicant"))
                return events, Intended(path="withdrawn", status=Status.WITHDRAWN)
            tick += _DAY // 2 + rng.randrange(4 * _DAY)
            at = tl.moment(tick)
            # supplement and restart (Decree 118/2025 and the bundled clock rules)
            if header.clock.on_supplement is WaitRule.RESTART:
                due = cal.due_at(at, header.time_limit, header.policy)
            else:  # pragma: no cover  (no bundled procedure pauses on supplement)
                events.append(Supplemented(at=at, actor="applicant"))
                return events, Intended(path="withdrawn", status=Status.WITHDRAWN)
            events.append(
                Supplemented(
                    at=at, actor="applicant", components=("giấy tờ bổ sung",), appointment=due
                )
            )
        # transfers: the planned inter-agency steps, or to the specialist then the signer
        step_due: dt.datetime | None = None
        hands = max(len(header.steps), 3 if rng.random() < mix.third_transfer else 2)
        for step in range(hands):
            tick += 1 + rng.randrange(20)
            at = tl.moment(tick)
            if step < len(header.steps):
                plan = header.steps[step]
                step_due = cal.due_at(at, plan.share, header.policy)
                to = plan.agency
            else:
                step_due, to = None, header.competent
            events.append(Transferred(at=at, actor=clerk, step=step, to=to, step_due=step_due))
            if step == 0 and paying and rng.random() < mix.payment:
                tick += 1 + rng.randrange(60)
                asked = tl.moment(tick)
                events.append(PaymentRequested(at=asked, actor=clerk, amount=100_000))
                tick += _DAY // 2 + rng.randrange(3 * _DAY)
                at = tl.moment(tick)
                due, step_due = _resume(
                    cal, asked, at, due, step_due, header.clock.on_payment, header
                )
                events.append(Paid(at=at, actor="applicant", appointment=due, step_due=step_due))
        if rng.random() < mix.stopped:
            tick += 1 + rng.randrange(_DAY)
            events.append(Stopped(at=tl.moment(tick), actor=clerk, reason="không đủ điều kiện"))
            return events, Intended(path="stopped", status=Status.STOPPED)
        due_tick = tl.after(due)
        due_day = tl.day_of(due) * _DAY
        if rng.random() < mix.apology and tick + 1 < due_tick:
            tick += 1 + rng.randrange(due_tick - tick - 1)
            new_tick = due_tick + _DAY * (1 + rng.randrange(5))
            new_due = tl.moment(new_tick - 1)  # the last working minute of a later day
            new_due = max(new_due, due + dt.timedelta(minutes=1))
            events.append(
                Apologised(
                    at=tl.moment(tick), actor=clerk, reason="cần xác minh", appointment=new_due
                )
            )
            due, due_tick, due_day = new_due, tl.after(new_due), tl.day_of(new_due) * _DAY
        aim = rng.random()
        wanted = (
            Timeliness.EARLY
            if aim < mix.early
            else Timeliness.LATE
            if aim >= 1.0 - mix.late
            else Timeliness.ON_TIME
        )
        decided, timeliness = _decision_tick(rng, tick, due_day, due_tick, wanted)
        tick = decided
        at = tl.moment(tick)
        outcome = Outcome.DENIED if rng.random() < mix.denied else Outcome.GRANTED
        events.append(
            Decided(
                at=at,
                actor="lãnh đạo",
                outcome=outcome,
                document=f"QĐ-{header.code}",
                reason="không đủ điều kiện" if outcome is Outcome.DENIED else None,
            )
        )
        if rng.random() < mix.not_returned:
            return events, Intended(
                path="result_ready",
                status=Status.RESULT_READY,
                timeliness=timeliness,
                outcome=outcome,
            )
        tick += 1 + rng.randrange(2 * _DAY)
        events.append(Returned(at=tl.moment(tick), actor=clerk))
        return events, Intended(
            path="returned", status=Status.RETURNED, timeliness=timeliness, outcome=outcome
        )


def _resume(
    cal: WorkingCalendar,
    asked: dt.datetime,
    at: dt.datetime,
    due: dt.datetime,
    step_due: dt.datetime | None,
    rule: WaitRule,
    header: DossierHeader,
) -> tuple[dt.datetime, dt.datetime | None]:
    """The appointment and open step's sub-deadline after a wait, as ``Dossier.pay`` sets them."""
    if rule is WaitRule.RESTART:
        appointment = cal.due_at(at, header.time_limit, header.policy)
        new_step = None
        if step_due is not None and header.steps:
            new_step = cal.due_at(at, header.steps[0].share, header.policy)
        return appointment, new_step
    paused = working_time_between(cal, asked, at)
    if not paused:
        return due, step_due
    moved = None if step_due is None else add_working_time(cal, step_due, paused)
    return add_working_time(cal, due, paused), moved


def _decision_tick(
    rng: random.Random, last: int, due_day: int, due_tick: int, wanted: Timeliness
) -> tuple[int, Timeliness]:
    """A decision minute after ``last`` meeting ``wanted`` if it still can (else the next best).

    ``due_day`` is the first minute of the appointment's day, ``due_tick`` the first minute after
    the appointment.
    """
    first = last + 1
    if wanted is Timeliness.EARLY and first < due_day:
        return first + rng.randrange(due_day - first), Timeliness.EARLY
    if wanted is not Timeliness.LATE:
        low = max(first, due_day)
        if low < due_tick:
            return low + rng.randrange(due_tick - low), Timeliness.ON_TIME
        if first < due_day:  # pragma: no cover  (on time impossible but early possible)
            return first + rng.randrange(due_day - first), Timeliness.EARLY
    low = max(first, due_tick)
    return low + rng.randrange(5 * _DAY), Timeliness.LATE

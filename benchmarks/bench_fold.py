"""Events applied per second: govtier's fold against an equivalent python-statemachine loop.

    python benchmarks/bench_fold.py [--seconds S] [--rows]

Both sides run the same 6-event journey, side by side in the same process: received ->
transferred -> supplement requested -> supplemented -> decided -> returned. govtier folds the
six prebuilt events from an empty dossier (``Dossier.from_events``: each event checked against
the transition table and the clock rules, the clock updated, a new immutable dossier per event);
python-statemachine (``pip install python-statemachine``, the ``bench`` extra) builds a machine
with the same six states and sends the six events. Prints events per second and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from collections.abc import Callable

from govtier import VIETNAM_TZ, WorkingCalendar
from govtier.catalogue import Channel
from govtier.dossier import Applicant, Dossier, DossierHeader, Event, Outcome
from govtier.jurisdiction import RuleSet

KINDS = ("receive", "transfer", "request_supplement", "supplement", "decide", "return_result")


def journey() -> tuple[Event, ...]:
    """The six events, built once with the lifecycle's commands."""
    cal = WorkingCalendar.vietnam()
    assignment = RuleSet.bundled().resolve(
        "residence.permanent", "00004", dt.date(2026, 3, 9), Channel.IN_PERSON
    )
    header = DossierHeader.from_assignment(
        assignment, code="G01-260309-0001", applicant=Applicant(name="A")
    )
    at = dt.datetime(2026, 3, 9, 9, tzinfo=VIETNAM_TZ)
    hour = dt.timedelta(hours=1)
    d = Dossier.receive(header, at=at, actor="clerk", calendar=cal)
    d = d.transfer(at=at + hour, actor="clerk", calendar=cal)
    d = d.request_supplement(at=at + 2 * hour, actor="clerk", components=["x"], reason="r")
    d = d.supplement(at=at + dt.timedelta(days=1), actor="applicant", calendar=cal)
    d = d.decide(
        at=at + dt.timedelta(days=2), actor="chair", outcome=Outcome.GRANTED, document="QĐ"
    )
    d = d.return_result(at=at + dt.timedelta(days=3), actor="clerk")
    return d.events


def statemachine_loop() -> Callable[[], object] | None:
    try:
        from statemachine import State, StateMachine
    except ImportError:
        return None

    class DossierMachine(StateMachine):  # type: ignore[misc]
        new = State(initial=True)
        received = State()
        in_progress = State()
        awaiting_supplement = State()
        result_ready = State()
        returned = State(final=True)

        receive = new.to(received)
        transfer = received.to(in_progress) | in_progress.to(in_progress)
        request_supplement = in_progress.to(awaiting_supplement)
        supplement = awaiting_supplement.to(in_progress)
        decide = in_progress.to(result_ready)
        return_result = result_ready.to(returned)

    def run() -> object:
        machine = DossierMachine()
        for kind in KINDS:
            machine.send(kind)
        return machine

    return run


def rate(work: Callable[[], object], seconds: float) -> float:
    """Events per second over about ``seconds`` (best of three slices)."""
    best = 0.0
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 3:
            for _ in range(50):
                work()
            count += 50
        best = max(best, count * len(KINDS) / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rows", action="store_true")
    args = parser.parse_args()
    events = journey()
    assert Dossier.from_events(events).version == len(KINDS)  # noqa: S101
    govtier_rate = rate(lambda: Dossier.from_events(events), args.seconds)
    loop = statemachine_loop()
    machine_rate = None if loop is None else rate(loop, args.seconds)
    rows = {"govtier_events_per_s": govtier_rate, "statemachine_events_per_s": machine_rate}
    if args.rows:
        print("ROWS " + json.dumps(rows))
        return
    print(f"govtier fold            {govtier_rate:>12,.0f} events/s")
    if machine_rate is None:
        print("python-statemachine     not installed (pip install python-statemachine)")
    else:
        print(f"python-statemachine     {machine_rate:>12,.0f} events/s")
        print(f"govtier / statemachine  {govtier_rate / machine_rate:>12.1f}x")


if __name__ == "__main__":
    main()

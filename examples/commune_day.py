"""A day at a commune centre: 300 dossiers through their lifecycle into SQLite, then the report.

Phường Ba Đình's one-stop centre (Hà Nội, commune 00004) receives the day's dossiers on Monday
9 March 2026 for the high-volume procedures. Each is resolved (who decides, in how long), received
with a code from the store's daily sequence, and followed through its life over the next weeks:
most are decided and returned, some wait for a supplement or a payment, a few are late (with an
apology), withdrawn or stopped. Everything is saved to `commune-day.db`; then the report as of
10 April 2026 counts early, on time, late and overdue, by procedure.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from govtier import VIETNAM_TZ, Outcome, RuleSet, SQLiteStore, WorkingCalendar, report
from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader

DAY = dt.date(2026, 3, 9)
AGENCY = "G01.20.01"
MIX = {  # procedure id: share of the day's dossiers (a few carry most of the volume)
    "certification.copy": 40,
    "civil-status.birth": 15,
    "residence.temporary": 12,
    "residence.permanent": 10,
    "certification.signature": 8,
    "civil-status.marriage": 5,
    "business-household.registration": 4,
    "land.change-registration": 3,
    "land.first-certificate": 2,
    "civil-status.death": 1,
}


def live(dossier: Dossier, rng: random.Random, cal: WorkingCalendar) -> Dossier:
    """Follow one dossier from receipt to an outcome drawn at random."""
    received = dossier.received_at
    due = dossier.appointment
    assert received is not None and due is not None
    roll = rng.random()
    if roll < 0.03:
        return dossier.withdraw(at=received + dt.timedelta(hours=2), actor="applicant")
    if roll < 0.05:
        return dossier.stop(
            at=received + dt.timedelta(days=1), actor="clerk", reason="not eligible"
        )
    if roll < 0.13:
        dossier = dossier.request_supplement(
            at=received + dt.timedelta(minutes=30),
            actor="clerk",
            components=["Bản sao giấy tờ tùy thân"],
            reason="the copy is unreadable",
        )
        if rng.random() < 0.2:  # never came back: still waiting when the report is made
            return dossier
        back = cal.close_of_business(cal.add_working_days(received.date(), rng.randint(1, 4)))
        dossier = dossier.supplement(
            at=back - dt.timedelta(hours=2), actor="applicant", calendar=cal
        )
        due = dossier.appointment
        assert due is not None
    dossier = dossier.transfer(at=max(received, dossier.events[-1].at), actor="clerk", calendar=cal)
    if rng.random() < 0.04:  # forgotten in a drawer: overdue on the report date
        return dossier
    if rng.random() < 0.08:  # late: apologise with a new date, then decide after the old one
        new = cal.close_of_business(cal.add_working_days(due.date(), 2))
        dossier = dossier.apologise(
            at=due - dt.timedelta(hours=1), actor="ubnd", reason="verification", new_appointment=new
        )
        decided = new - dt.timedelta(hours=rng.choice([1, -20]))  # on the new date, or late
    else:
        decided = due - dt.timedelta(hours=rng.choice([1, 3, 30, 60]))
    decided = max(decided, dossier.events[-1].at + dt.timedelta(minutes=5))
    if decided > dt.datetime(2026, 4, 10, tzinfo=VIETNAM_TZ) and rng.random() < 0.5:
        return dossier  # still open on the report date
    dossier = dossier.decide(at=decided, actor="ubnd", outcome=Outcome.GRANTED, document="KQ")
    return dossier.return_result(at=decided + dt.timedelta(hours=20), actor="clerk")


def main(path: str = "commune-day.db", count: int = 300) -> int:
    rng = random.Random(20260309)
    cal = WorkingCalendar.vietnam()
    rules = RuleSet.bundled()
    Path(path).unlink(missing_ok=True)
    store = SQLiteStore(path)
    try:
        procedures = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
        for index, procedure in enumerate(procedures):
            minute = index * (8 * 60 - 30) // count  # spread over the working day
            at = dt.datetime.combine(DAY, dt.time(8), tzinfo=VIETNAM_TZ) + dt.timedelta(
                minutes=minute + (60 if minute >= 4 * 60 else 0)  # lunch 12:00-13:00
            )
            assignment = rules.resolve(procedure, "00004", on=DAY)
            code = DossierCode(
                agency=AGENCY, received_on=DAY, sequence=store.next_sequence(AGENCY, DAY)
            )
            header = DossierHeader.from_assignment(
                assignment, code=code, applicant=Applicant(name=f"Công dân {index}")
            )
            dossier = Dossier.receive(header, at=at, actor="clerk", calendar=cal)
            dossier = live(dossier, rng, cal)
            store.save(dossier, expected_version=0)
        as_of = dt.datetime(2026, 4, 10, 17, tzinfo=VIETNAM_TZ)
        print(f"Stored {len(store.find())} dossiers received on {DAY:%d/%m/%Y} in {path}.\n")
        print(report(store.find(), as_of=as_of, group_by="procedure"))
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

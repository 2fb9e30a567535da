"""govtier quick start: the civil-service calendar at work (run with `make demo`).

For a dossier received now, and at a few fixed moments around Tết and 30/4, print the appointment
(the statutory due moment) for 1-, 3-, 7- and 20-working-day procedures, with the days skipped and
why.
"""

from __future__ import annotations

import datetime as dt

from govtier import VIETNAM_TZ, Duration, ReasonKind, WorkingCalendar

LIMITS = (1, 3, 7, 20)


def show(calendar: WorkingCalendar, received: dt.datetime, label: str) -> None:
    print(f"\n=== {label}: received {received:%a %d/%m/%Y %H:%M} ===")
    deadlines = [calendar.deadline(received, Duration.working_days(n)) for n in LIMITS]
    for deadline in deadlines:
        print(f"  {deadline.duration!s:>16} -> appointment {deadline.due_at:%a %d/%m/%Y %H:%M}")
    for note in deadlines[0].notes[:-1]:
        print(f"  note: {note}")
    holidays = [
        i for i in deadlines[-1].skipped_days() if i.reasons[-1].kind is not ReasonKind.WEEKEND
    ]
    if holidays:
        print("  Days skipped besides weekends, and why:")
        for info in holidays:
            print(f"    - {info}")


def main() -> None:
    calendar = WorkingCalendar.vietnam()
    now = dt.datetime.now(VIETNAM_TZ).replace(second=0, microsecond=0)
    show(calendar, now, "Now")
    show(calendar, dt.datetime(2026, 2, 12, 16, 30, tzinfo=VIETNAM_TZ), "Just before Tết 2026")
    show(calendar, dt.datetime(2026, 4, 28, 9, 15, tzinfo=VIETNAM_TZ), "Before 30/4-1/5 2026")
    show(
        calendar,
        dt.datetime(2025, 12, 31, 17, 45, tzinfo=VIETNAM_TZ),
        "New Year 2026 swap, after hours",
    )
    print("\nThe full explanation for a 3-working-day limit received before 30/4:")
    before_holiday = dt.datetime(2026, 4, 28, 9, 15, tzinfo=VIETNAM_TZ)
    print(calendar.deadline(before_holiday, Duration.working_days(3)).explanation)
    print("\nCertified copy (same day, 15:00 cutoff), received Fri 13/02/2026 15:20:")
    late = calendar.deadline(
        dt.datetime(2026, 2, 13, 15, 20, tzinfo=VIETNAM_TZ), Duration.same_day()
    )
    print(f"  due {late.due_at:%a %d/%m/%Y %H:%M}: {late.notes[-1]}")


if __name__ == "__main__":
    main()

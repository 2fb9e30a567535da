"""Apologies (Form 04): a new appointment at a working moment, given as a moment or a duration.

Hand-computed on the 2026 calendar, sessions 08:00-12:00 and 13:00-17:00. The dossier is received
Mon 09/03/2026 09:00 with 3 working days: appointment Thu 12/03 17:00 (the 3rd working day after
receipt, Civil Code Art. 147; close of business, the convention for working days).
Sources: Circular 03/2025/TT-VPCP Form 04 ("Văn bản xin lỗi và đề nghị gia hạn thời gian giải
quyết"); the report option's default, see ``govtier.reporting.ApologyCount``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from govtier import VIETNAM_TZ, Duration, InvalidInputError, WorkingCalendar
from govtier.dossier import Dossier, Outcome
from govtier.errors import GovtierError
from govtier.reporting import ApologyCount, report
from govtier.storage import MemoryStore
from govtier.testing.contract import sample_header

CAL = WorkingCalendar.vietnam()


def at(d: int, hh: int = 9, mm: int = 0, m: int = 3) -> dt.datetime:
    return dt.datetime(2026, m, d, hh, mm, tzinfo=VIETNAM_TZ)


def received() -> Dossier:
    header = sample_header("G01-260309-0001", time_limit=Duration.working_days(3))
    dossier = Dossier.receive(header, at=at(9), actor="clerk", calendar=CAL)
    assert dossier.appointment == at(12, 17)
    return dossier


EXTENSIONS = [
    # apology Thu 12/03 15:00, before the appointment: counted from Thu 12/03 17:00
    pytest.param(at(12, 15), Duration.working_days(2), at(16, 17), id="+2 working days"),
    pytest.param(at(12, 15), Duration.working_hours(4), at(13, 12), id="+4 working hours"),
    # 12/03 + 3 days = Sun 15/03 -> Mon 16/03 (Art. 148), at the close of business
    pytest.param(at(12, 15), Duration.calendar_days(3), at(16, 17), id="+3 days, rolled"),
    # apology Fri 13/03 10:00, after the appointment passed: counted from the apology
    pytest.param(at(13, 10), Duration.working_days(2), at(17, 17), id="late: from the apology"),
]


@pytest.mark.parametrize(("apology", "extension", "new"), EXTENSIONS)
def test_extension_added_on_the_calendar(
    apology: dt.datetime, extension: Duration, new: dt.datetime
) -> None:
    dossier = received().apologise(
        at=apology, actor="chair", reason="verification", extension=extension, calendar=CAL
    )
    assert dossier.appointment == new
    assert CAL.is_working_moment(new)
    assert dossier.clock.history[-1].before == at(12, 17)


MOMENTS = [
    pytest.param(at(15, 17), False, id="Sunday 15/03 17:00 (the issue)"),
    pytest.param(at(13, 12, 30), False, id="lunch break"),
    pytest.param(at(16, 18), False, id="after the close"),
    pytest.param(at(30, 10, m=4), False, id="30/4, a holiday"),
    pytest.param(at(13, 17), True, id="Fri close of business"),
    pytest.param(at(13, 8), True, id="Fri opening"),
    pytest.param(at(16, 12), True, id="end of the morning session"),
]


@pytest.mark.parametrize(("new", "accepted"), MOMENTS)
def test_the_new_appointment_must_be_a_working_moment(new: dt.datetime, accepted: bool) -> None:
    dossier = received()
    if accepted:
        after = dossier.apologise(at=at(12, 15), actor="c", reason="r", new_appointment=new)
        assert after.appointment == new
        return
    with pytest.raises(InvalidInputError, match="not a working moment") as caught:
        dossier.apologise(at=at(12, 15), actor="c", reason="r", new_appointment=new, calendar=CAL)
    assert caught.value.field == "new_appointment"
    assert isinstance(caught.value, GovtierError)


def test_one_way_to_give_the_appointment() -> None:
    dossier = received()
    with pytest.raises(InvalidInputError, match="one of them"):
        dossier.apologise(at=at(12, 15), actor="c", reason="r")
    with pytest.raises(InvalidInputError, match="one of them"):
        dossier.apologise(
            at=at(12, 15),
            actor="c",
            reason="r",
            new_appointment=at(13, 17),
            extension=Duration.working_days(1),
        )
    with pytest.raises(InvalidInputError, match="Duration"):
        dossier.apologise(at=at(12, 15), actor="c", reason="r", extension="2 days")  # type: ignore[arg-type]


def _apologised_and_decided() -> list[Dossier]:
    """A: apologised to Mon 16/03 17:00, decided Mon 16/03 10:00; B: apologised, still open."""
    base = received()
    a = base.apologise(at=at(12, 15), actor="c", reason="r", extension=Duration.working_days(2))
    a = a.decide(at=at(16, 10), actor="chair", outcome=Outcome.GRANTED, document="QĐ-1")
    header = sample_header("G01-260309-0002", time_limit=Duration.working_days(3))
    b = Dossier.receive(header, at=at(9), actor="clerk", calendar=CAL)
    b = b.apologise(at=at(12, 15), actor="c", reason="r", extension=Duration.working_days(2))
    return [a, b]


# as of, option -> (on_time, late, within_time, overdue)
REPORTS = [
    pytest.param(at(11, 10), ApologyCount.LATE, (0, 0, 2, 0), id="before the apology: LATE"),
    pytest.param(at(11, 10), ApologyCount.NEW_APPOINTMENT, (0, 0, 2, 0), id="before: NEW"),
    pytest.param(at(13, 10), ApologyCount.NEW_APPOINTMENT, (0, 0, 2, 0), id="13/03: NEW"),
    pytest.param(at(13, 10), ApologyCount.LATE, (0, 0, 0, 2), id="13/03: LATE"),
    pytest.param(
        at(16, 12), ApologyCount.NEW_APPOINTMENT, (1, 0, 1, 0), id="16/03: NEW"
    ),  # B due today
    pytest.param(at(16, 12), ApologyCount.LATE, (0, 1, 0, 1), id="16/03: LATE"),
]


@pytest.mark.parametrize(("as_of", "option", "expected"), REPORTS)
def test_report_option_for_apologised_dossiers(
    as_of: dt.datetime, option: ApologyCount, expected: tuple[int, int, int, int]
) -> None:
    dossiers = _apologised_and_decided()
    store = MemoryStore()
    for d in dossiers:
        store.save(d, expected_version=0)
    figures = report(dossiers, as_of=as_of, apologies=option).total
    got = (figures.on_time, figures.late, figures.within_time + figures.due_today, figures.overdue)
    assert got == expected
    assert report(store.stream_summaries(), as_of=as_of, apologies=option).total == figures


def test_the_default_counts_against_the_new_appointment() -> None:
    dossiers = _apologised_and_decided()
    as_of = at(16, 12)
    assert report(dossiers, as_of=as_of) == report(
        dossiers, as_of=as_of, apologies=ApologyCount.NEW_APPOINTMENT
    )
    with pytest.raises(InvalidInputError, match="ApologyCount"):
        report(dossiers, as_of=as_of, apologies="late")  # type: ignore[arg-type]


def test_the_cli_report_takes_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from govtier.cli import main
    from govtier.storage import SQLiteStore

    path = str(tmp_path / "apology.db")
    store = SQLiteStore(path)
    for d in _apologised_and_decided():
        store.save(d, expected_version=0)
    store.close()
    lines = {}
    for option in ("new appointment", "late"):
        args = ["report", "--store", path, "--as-of", "2026-03-16T12:00", "--json"]
        assert main([*args, "--apologies", option]) == 0
        lines[option] = capsys.readouterr().out
    by_option = {k: json.loads(v)[0] for k, v in lines.items()}
    assert (by_option["new appointment"]["on_time"], by_option["new appointment"]["late"]) == (1, 0)
    assert (by_option["late"]["on_time"], by_option["late"]["late"]) == (0, 1)

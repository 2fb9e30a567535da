"""A portal sync export: the request bodies a local system posts to the National Public Service
Portal for one day's dossiers, and the round trip back.

govtier builds the bodies; sending them (authentication, HTTP, retries) belongs to the portal
software. The envelope and field names follow the OpenCPS integration code (partial confidence:
no official specification was found; see docs/portal.md). The session token here is a placeholder.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from govtier import VIETNAM_TZ, Outcome, RuleSet, WorkingCalendar, parse_sync_record
from govtier.dossier import Applicant, Dossier, DossierCode, DossierHeader
from govtier.interop import (
    PROGRESS_SERVICE,
    SYNC_SERVICE,
    PortalFormat,
    progress_records,
    request_body,
    sync_record,
)


def day_of_dossiers(cal: WorkingCalendar) -> list[Dossier]:
    """Three dossiers at Phường Ba Đình: returned on time, waiting for a supplement, in progress."""
    rules = RuleSet.bundled()
    day = dt.date(2026, 3, 9)
    dossiers = []
    for seq, procedure in enumerate(
        ["residence.temporary", "residence.permanent", "land.change-registration"], 1
    ):
        assignment = rules.resolve(procedure, "00004", on=day)
        code = DossierCode(agency="G01.20.01", received_on=day, sequence=seq)
        header = DossierHeader.from_assignment(
            assignment,
            code=code,
            applicant=Applicant(
                name=f"Công dân {seq}", email=f"cong.dan{seq}@example.vn", phone="0900000000"
            ),
        )
        at = dt.datetime(2026, 3, 9, 8 + seq, tzinfo=VIETNAM_TZ)
        dossiers.append(Dossier.receive(header, at=at, actor="clerk", calendar=cal))
    done, waiting, open_ = dossiers
    done = done.transfer(
        at=dt.datetime(2026, 3, 9, 14, tzinfo=VIETNAM_TZ), actor="clerk", calendar=cal
    )
    done = done.decide(
        at=dt.datetime(2026, 3, 11, 10, tzinfo=VIETNAM_TZ),
        actor="police",
        outcome=Outcome.GRANTED,
        document="XN",
    )
    done = done.return_result(at=dt.datetime(2026, 3, 12, 9, tzinfo=VIETNAM_TZ), actor="clerk")
    waiting = waiting.request_supplement(
        at=dt.datetime(2026, 3, 10, 9, tzinfo=VIETNAM_TZ),
        actor="clerk",
        components=["Giấy tờ chứng minh chỗ ở"],
        reason="missing",
    )
    open_ = open_.transfer(
        at=dt.datetime(2026, 3, 9, 15, tzinfo=VIETNAM_TZ), actor="clerk", calendar=cal
    )
    return [done, waiting, open_]


def main() -> int:
    cal = WorkingCalendar.vietnam()
    fmt = PortalFormat()
    dossiers = day_of_dossiers(cal)
    sync = request_body(
        SYNC_SERVICE,
        [sync_record(d, fmt, field_code="G09-CA", field_name="Công an") for d in dossiers],
        unit_code="G01.20.01",
        session="<session token from the portal's login>",
    )
    print(f"{SYNC_SERVICE}: {len(sync['data'])} dossiers")
    print(json.dumps(sync["data"][0], ensure_ascii=False, indent=2))
    progress = [body for d in dossiers for body in progress_records(d, fmt)]
    envelope = request_body(
        PROGRESS_SERVICE, progress, unit_code="G01.20.01", session="<token>", updating=True
    )
    print(f"\n{PROGRESS_SERVICE}: {len(envelope['data'])} status updates, e.g.")
    print(json.dumps(envelope["data"][-1], ensure_ascii=False, indent=2))
    print("\nRound trip: parse each sync body back")
    for dossier, body in zip(dossiers, sync["data"], strict=True):
        record = parse_sync_record(body, fmt)
        assert record.status is dossier.status, (record.status, dossier.status)
        status = f"{record.status.portal_code} ({record.status.name})"
        print(f"  {record.code}: status {status}, appointment {body['NgayHenTra'] or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

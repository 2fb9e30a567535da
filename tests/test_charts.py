"""The on-time chart: parse the SVG and check the bars against the report's figures."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.charts import PLOT_HEIGHT, ontime_bars, ontime_chart_svg, write_ontime_chart
from govtier.dossier import Applicant, Dossier, DossierHeader, Outcome
from govtier.errors import InvalidInputError
from govtier.reporting import report

SVG = "{http://www.w3.org/2000/svg}"
CAL = WorkingCalendar.vietnam()
AS_OF = dt.datetime(2026, 5, 1, 12, tzinfo=VIETNAM_TZ)


def at(m: int, d: int, hh: int = 9) -> dt.datetime:
    return dt.datetime(2026, m, d, hh, tzinfo=VIETNAM_TZ)


def dossier(n: int, commune: str, received: dt.datetime, decided: dt.datetime) -> Dossier:
    h = DossierHeader(
        code=f"C{n}",
        procedure_id="civil-status.birth",
        procedure_version=1,
        procedure_code=None,
        procedure_name="Đăng ký khai sinh",
        receiving_unit=commune,
        subject_unit=commune,
        competent="UBND",
        returns_at="UBND",
        channel=Channel.ONLINE,
        applicant=Applicant(name="Lê Văn C"),
        time_limit=Duration.working_days(3),
    )
    d = Dossier.receive(h, at=received, actor="clerk", calendar=CAL)
    return d.decide(at=decided, actor="chair", outcome=Outcome.GRANTED, document="KS")


def sample() -> list[Dossier]:
    # 3 working days: received 02/03 09:00 is due 05/03 17:00
    return [
        dossier(1, "00004", at(3, 2), at(3, 3)),  # early
        dossier(2, "00004", at(3, 2), at(3, 9)),  # late
        dossier(3, "00004", at(4, 6), at(4, 7)),  # early
        dossier(4, "25747", at(3, 2), at(3, 5, 16)),  # on time
        dossier(5, "25747", at(4, 6), at(4, 20)),  # late
        dossier(6, "25747", at(4, 6), at(4, 21)),  # late
        dossier(7, "25747", at(4, 6), at(4, 7)),  # early
    ]


def bars(svg: str) -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314  (our own output)
    found = {}
    for rect in root.iter(f"{SVG}rect"):
        if rect.get("class") == "bar":
            found[rect.get("data-category"), rect.get("data-series")] = rect
    return found


def test_bars_match_the_report(tmp_path: Path) -> None:
    r = report(sample(), as_of=AS_OF, group_by=("commune", "month"))
    expected = {
        ("00004", "2026-03"): 50.0,
        ("00004", "2026-04"): 100.0,
        ("25747", "2026-03"): 100.0,
        ("25747", "2026-04"): 33.3,
    }
    assert {(row["commune"], row["month"]): row["on_time_rate"] for row in r.to_rows()} == expected
    path = write_ontime_chart(r, tmp_path / "ontime.svg")
    svg = path.read_text(encoding="utf-8")
    found = bars(svg)
    assert set(found) == set(expected)
    for key, rate in expected.items():
        rect = found[key]
        assert float(rect.get("data-rate", "")) == rate
        assert float(rect.get("height", "")) == pytest.approx(PLOT_HEIGHT * rate / 100, abs=0.01)
        tip = rect.find(f"{SVG}title")
        assert tip is not None
        assert tip.text is not None
        assert tip.text.endswith(f"{rate:.1f}%")
    root = ET.fromstring(svg)  # noqa: S314
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "33.3%" in texts
    assert "100%" in texts  # the y axis
    assert any(t and t.startswith("On-time rate by commune and month") for t in texts)
    # bars of one month share a colour
    assert found["00004", "2026-03"].get("fill") == found["25747", "2026-03"].get("fill")
    assert found["00004", "2026-03"].get("fill") != found["00004", "2026-04"].get("fill")


def test_rows_labels_and_escaping() -> None:
    rows = [
        {"commune": "A<&>", "month": "2026-03", "on_time_rate": 80.0},
        {"commune": "B", "month": "2026-03", "on_time_rate": None},
    ]
    svg = ontime_chart_svg(rows, title='Tỷ lệ "đúng hạn" <&>', label_of=lambda c: f"Xã {c}")
    root = ET.fromstring(svg)  # noqa: S314
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Tỷ lệ "đúng hạn" <&>'
    found = bars(svg)
    assert list(found) == [("A<&>", "2026-03")]  # no bar without a rate
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Xã A<&>" in texts
    assert "n/a" in texts


def test_single_series() -> None:
    r = report(sample(), as_of=AS_OF, group_by="commune")
    found = bars(ontime_chart_svg(r, by=("commune",)))
    assert {k: float(v.get("data-rate", "")) for k, v in found.items()} == {
        ("00004", "on time"): 66.7,
        ("25747", "on time"): 50.0,
    }


def test_bad_data() -> None:
    with pytest.raises(InvalidInputError, match="has no month"):
        ontime_bars([{"commune": "A", "on_time_rate": 1.0}])
    with pytest.raises(InvalidInputError, match="percentage"):
        ontime_bars([{"commune": "A", "month": "m", "on_time_rate": 120}])
    with pytest.raises(InvalidInputError, match="by names"):
        ontime_bars([], by=())

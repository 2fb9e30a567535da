"""The on-time chart: parse the SVG and check the dots against the report's figures."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from govtier import VIETNAM_TZ, Duration, WorkingCalendar
from govtier.catalogue import Channel
from govtier.charts import ontime_bars, ontime_chart_svg, ontime_chart_vegalite, write_ontime_chart
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


def dots(svg: str, cls: str = "point") -> dict[tuple[str, str], ET.Element]:
    root = ET.fromstring(svg)  # noqa: S314  (our own output)
    found = {}
    for circle in root.iter(f"{SVG}circle"):
        if circle.get("class") == cls:
            found[circle.get("data-category"), circle.get("data-series")] = circle
    return found


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_dots_match_the_report(tmp_path: Path) -> None:
    r = report(sample(), as_of=AS_OF, group_by=("commune", "month"))
    expected = {
        ("00004", "2026-03"): 50.0,
        ("00004", "2026-04"): 100.0,
        ("25747", "2026-03"): 100.0,
        ("25747", "2026-04"): 33.3,
    }
    assert {
        (row["commune"], row["month"]): row["on_time_percent"] for row in r.to_rows()
    } == expected
    path = write_ontime_chart(r, tmp_path / "ontime.svg")
    svg = path.read_text(encoding="utf-8")
    found = dots(svg)
    assert set(found) == set(expected)
    for key, rate in expected.items():
        circle = found[key]
        assert float(circle.get("data-rate", "")) == rate
        tip = circle.find(f"{SVG}title")
        assert tip is not None
        assert tip.text is not None
        assert tip.text.endswith(f"{rate:.1f}%")
    # the large dots: each commune over both months, pooled from the counts (2/3 and 2/4)
    overall = {k[0]: float(v.get("data-rate", "")) for k, v in dots(svg, "overall").items()}
    assert overall == {"00004": 66.7, "25747": 50.0}
    words = texts(svg)
    assert "50.0%" in words
    assert "66.7%" in words
    assert "100%" in words  # the x axis
    assert "0%" in words  # 33.3% is low: the axis starts at 0
    assert any(t.startswith("On-time rate by commune, as of 01/05/2026") for t in words)
    # dots of one month share a colour
    assert found["00004", "2026-03"].get("fill") == found["25747", "2026-03"].get("fill")
    assert found["00004", "2026-03"].get("fill") != found["00004", "2026-04"].get("fill")
    # ranked: the lowest rate first, so 25747 (50%) is drawn above 00004 (66.7%)
    ys = {k[0]: float(v.get("cy", "")) for k, v in dots(svg, "overall").items()}
    assert ys["25747"] < ys["00004"]
    # a position on the x axis is proportional to the rate
    xs = {k: float(v.get("cx", "")) for k, v in found.items()}
    zero_to_100 = xs["00004", "2026-04"] - xs["00004", "2026-03"]  # 100% - 50%
    assert xs["25747", "2026-04"] - xs["00004", "2026-03"] == pytest.approx(
        -zero_to_100 * (50 - 33.3) / 50, abs=0.1
    )
    # the Vega-Lite spec beside the SVG holds the same figures
    spec = json.loads((tmp_path / "ontime.vl.json").read_text(encoding="utf-8"))
    assert spec["$schema"].endswith("vega-lite/v5.json")
    values = {(v["category"], v["series"]): v["rate"] for v in spec["data"]["values"]}
    assert values == {**expected, ("00004", "all"): 66.7, ("25747", "all"): 50.0}


def test_rows_labels_and_escaping() -> None:
    rows = [
        {"commune": "A<&>", "month": "2026-03", "on_time_percent": 80.0},
        {"commune": "B", "month": "2026-03", "on_time_percent": None},
    ]
    svg = ontime_chart_svg(rows, title='Tỷ lệ "đúng hạn" <&>', label_of=lambda c: f"Xã {c}")
    root = ET.fromstring(svg)  # noqa: S314
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'Tỷ lệ "đúng hạn" <&>'
    found = dots(svg)
    assert list(found) == [("A<&>", "2026-03")]  # no dot without a rate
    words = texts(svg)
    assert "Xã A<&>" in words
    assert "n/a" in words


def test_single_series() -> None:
    r = report(sample(), as_of=AS_OF, group_by="commune")
    found = dots(ontime_chart_svg(r, by=("commune",)), "overall")
    assert {k: float(v.get("data-rate", "")) for k, v in found.items()} == {
        ("00004", "*"): 66.7,
        ("25747", "*"): 50.0,
    }


def test_a_province_fits_one_screen() -> None:
    """126 communes x 7 months: the 25 lowest, by name, on a page; title and legend in view."""
    rows = []
    for c in range(126):
        for m in range(1, 8):
            rate = round(60 + (c * 7 + m * 13) % 40 + 0.5, 1)
            rows.append({"commune": f"{c:05d}", "month": f"2026-{m:02d}", "on_time_percent": rate})
    svg = ontime_chart_svg(rows, label_of=lambda c: f"Phường Thử Nghiệm Số {int(c)} ({c})")
    root = ET.fromstring(svg)  # noqa: S314
    width, height = float(root.get("width", "")), float(root.get("height", ""))
    assert width <= 1200
    assert height <= 800
    labels = [t for t in root.iter(f"{SVG}text") if t.get("class") == "category"]
    assert len(labels) == 25
    assert all((t.text or "").startswith("Phường Thử Nghiệm Số") for t in labels)
    ys = sorted(float(t.get("y", "")) for t in labels)
    assert min(b - a for a, b in itertools.pairwise(ys)) >= 16  # labels do not overlap
    assert "The 25 lowest of 126 communes" in " ".join(texts(svg))
    for element in root.iter():  # nothing is drawn off the picture
        for attr in ("x", "cx", "x1", "x2"):
            if element.get(attr) is not None:
                assert 0 <= float(element.get(attr, "")) <= width
    rates = [float(c.get("data-rate", "")) for c in dots(svg, "overall").values()]
    assert rates == sorted(rates)  # the lowest first
    assert len(ontime_chart_vegalite(rows, top=None)["data"]["values"]) == 126 * 8


def test_bad_data() -> None:
    with pytest.raises(InvalidInputError, match="has no month"):
        ontime_bars([{"commune": "A", "on_time_percent": 1.0}])
    with pytest.raises(InvalidInputError, match="percentage"):
        ontime_bars([{"commune": "A", "month": "m", "on_time_percent": 120}])
    with pytest.raises(InvalidInputError, match="by names"):
        ontime_bars([], by=())
    with pytest.raises(InvalidInputError, match="top"):
        ontime_chart_svg([], top=0)


def test_every_rate_at_100_percent() -> None:
    """All communes on time: the axis still spans a width (from 90%) and every dot is drawn."""
    rows = [{"commune": c, "month": "2026-03", "on_time_percent": 100.0} for c in ("A", "B")]
    svg = ontime_chart_svg(rows)
    assert {k[0] for k in dots(svg, "overall")} == {"A", "B"}
    assert "90%" in texts(svg)


def test_the_legend_title_is_in_the_chosen_language() -> None:
    """The series key heads the legend as a word of the chosen language, not the key itself."""
    from govtier.charts import ontime_chart_svg, ontime_chart_vegalite

    rows = [
        {"commune": "00004", "month": "2026-01", "on_time_percent": 80.0, "resolved": 5},
        {"commune": "00004", "month": "2026-02", "on_time_percent": 100.0, "resolved": 2},
    ]
    vi = ontime_chart_svg(rows, lang="vi")
    assert "tháng</text>" in vi
    assert "month</text>" not in vi
    assert "month</text>" in ontime_chart_svg(rows, lang="en")
    spec = ontime_chart_vegalite(rows, lang="vi")
    assert "tháng" in json.dumps(spec, ensure_ascii=False)

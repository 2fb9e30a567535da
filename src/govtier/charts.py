"""On-time rates as an SVG bar chart, written by hand (no plotting dependency).

:func:`ontime_chart_svg` draws one group of bars per category (by default the commune) and one bar
per series within it (by default the month of receipt), each as tall as its on-time rate, with the
rate written above it as a percentage. :func:`write_ontime_chart` writes the picture to a file.

Each bar is a ``<rect class="bar">`` carrying ``data-category``, ``data-series`` and
``data-rate`` (the percentage), so a program or a test can read the figures back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final
from xml.sax.saxutils import escape, quoteattr

import attrs

from govtier.errors import InvalidInputError
from govtier.reporting import Report

__all__ = ["PLOT_HEIGHT", "Bar", "ontime_bars", "ontime_chart_svg", "write_ontime_chart"]

PLOT_HEIGHT: Final = 240.0
"""The height of the plot area, in SVG units: a 100% bar is this tall."""

_BAR_WIDTH: Final = 22.0
_BAR_GAP: Final = 4.0
_GROUP_GAP: Final = 26.0
_LEFT: Final = 70.0
_TOP: Final = 64.0
_BOTTOM: Final = 96.0
_LEGEND: Final = 150.0
_PALETTE: Final = (
    "#1b6ca8",
    "#e07b39",
    "#3b9c5a",
    "#c44e52",
    "#8172b2",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
)


@attrs.frozen(kw_only=True)
class Bar:
    """One bar: a category (e.g. a commune), a series (e.g. a month) and its on-time rate.

    Attributes:
        category: the group of bars it stands in.
        series: the bar within the group.
        rate: the on-time rate as a percentage, or ``None`` when nothing was resolved.
    """

    category: str
    series: str
    rate: float | None


def _rate(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where}: on_time_rate is a percentage or None, got {value!r}"
        raise InvalidInputError(msg, field="on_time_rate", value=value)
    if not 0 <= value <= 100:
        msg = f"{where}: on_time_rate is a percentage in [0, 100], got {value!r}"
        raise InvalidInputError(msg, field="on_time_rate", value=value)
    return float(value)


def ontime_bars(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
) -> tuple[Bar, ...]:
    """The bars to draw: from a report or from its :meth:`~Report.to_rows`.

    Args:
        data: a report grouped by ``by[0]`` (and ``by[1]``, if given), or rows holding those keys
            and ``on_time_rate`` (a percentage or ``None``).
        by: the category key, then optionally the series key.

    Raises:
        InvalidInputError: ``by`` is empty or too long, a row lacks a key, or a rate is not a
            percentage.
    """
    names = tuple(by)
    if not 1 <= len(names) <= 2:
        msg = f"by names a category key and optionally a series key; got {names!r}"
        raise InvalidInputError(msg, field="by", value=names)
    rows = data.to_rows() if isinstance(data, Report) else list(data)
    bars = []
    for i, row in enumerate(rows):
        missing = [n for n in names if n not in row]
        if missing:
            msg = f"row {i} has no {', '.join(missing)}; it has {', '.join(map(str, row))}"
            raise InvalidInputError(msg, field="by", value=missing)
        series = str(row[names[1]]) if len(names) == 2 else "on time"
        bars.append(
            Bar(
                category=str(row[names[0]]),
                series=series,
                rate=_rate(row.get("on_time_rate"), f"row {i}"),
            )
        )
    return tuple(bars)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def ontime_chart_svg(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
    title: str | None = None,
    label_of: Callable[[str], str] | None = None,
) -> str:
    """An SVG bar chart of on-time rates: one group per category, one bar per series.

    Args:
        data: a report or rows (see :func:`ontime_bars`).
        by: the category key, then optionally the series key.
        title: the chart's title; by default it names the report's moment and basis.
        label_of: gives the label of a category (e.g. a commune's name for its code).

    Raises:
        InvalidInputError: see :func:`ontime_bars`.
    """
    bars = ontime_bars(data, by=by)
    if title is None:
        title = "On-time rate"
        if isinstance(data, Report):
            title += (
                f" by {' and '.join(by)}, as of {data.as_of:%Y-%m-%d}"
                f" (over {data.basis.value} dossiers)"
            )
    categories = sorted({b.category for b in bars})
    series = sorted({b.series for b in bars})
    colour = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(series)}
    rate = {(b.category, b.series): b.rate for b in bars}
    group_width = len(series) * (_BAR_WIDTH + _BAR_GAP) - _BAR_GAP
    plot_width = max(len(categories) * (group_width + _GROUP_GAP) + _GROUP_GAP, 160.0)
    # wide enough for the title (about 8 units a character at 15 px)
    plot_width = max(plot_width, 8.0 * len(title) + 40 - _LEFT - _LEGEND)
    width = _LEFT + plot_width + _LEGEND
    height = _TOP + PLOT_HEIGHT + _BOTTOM
    base = _TOP + PLOT_HEIGHT
    label = label_of or (lambda code: code)

    out = [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
            'font-family="Helvetica, Arial, sans-serif" font-size="11">'
        ),
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        (
            f'<text class="title" x="{_num(width / 2)}" y="28" text-anchor="middle" '
            f'font-size="15" font-weight="bold">{escape(title)}</text>'
        ),
    ]
    # the y axis: gridlines every 25%
    out.append('<g class="y-axis">')
    for pct in (0, 25, 50, 75, 100):
        y = base - PLOT_HEIGHT * pct / 100
        out.append(
            f'<line x1="{_num(_LEFT)}" y1="{_num(y)}" x2="{_num(_LEFT + plot_width)}" '
            f'y2="{_num(y)}" stroke="#dddddd"/>'
        )
        out.append(f'<text x="{_num(_LEFT - 6)}" y="{_num(y + 4)}" text-anchor="end">{pct}%</text>')
    out.append(
        f'<line x1="{_num(_LEFT)}" y1="{_num(_TOP)}" x2="{_num(_LEFT)}" y2="{_num(base)}" '
        'stroke="#333333"/>'
    )
    mid = _TOP + PLOT_HEIGHT / 2
    out.append(
        f'<text class="axis-label" x="18" y="{_num(mid)}" text-anchor="middle" '
        f'transform="rotate(-90 18 {_num(mid)})">On-time rate (%)</text>'
    )
    out.append("</g>")
    # the x axis and the bars
    out.append(
        f'<line x1="{_num(_LEFT)}" y1="{_num(base)}" x2="{_num(_LEFT + plot_width)}" '
        f'y2="{_num(base)}" stroke="#333333"/>'
    )
    out.append('<g class="bars">')
    for i, category in enumerate(categories):
        left = _LEFT + _GROUP_GAP + i * (group_width + _GROUP_GAP)
        for j, name in enumerate(series):
            if (category, name) not in rate:
                continue
            value = rate[category, name]
            x = left + j * (_BAR_WIDTH + _BAR_GAP)
            centre = x + _BAR_WIDTH / 2
            if value is None:
                out.append(
                    f'<text class="no-rate" x="{_num(centre)}" y="{_num(base - 4)}" '
                    f'text-anchor="middle" fill="#777777">n/a</text>'
                )
                continue
            h = PLOT_HEIGHT * value / 100
            tip = f"{label(category)}, {name}: {value:.1f}%"
            out.append(
                f'<rect class="bar" x="{_num(x)}" y="{_num(base - h)}" width="{_num(_BAR_WIDTH)}" '
                f'height="{_num(h)}" fill="{colour[name]}" data-category={quoteattr(category)} '
                f"data-series={quoteattr(name)} "
                f'data-rate="{_num(value)}"><title>{escape(tip)}</title></rect>'
            )
            out.append(
                f'<text class="rate" x="{_num(centre)}" y="{_num(base - h - 4)}" '
                f'text-anchor="middle" font-size="9">{value:.1f}%</text>'
            )
        x_label = left + group_width / 2
        out.append(
            f'<text class="category" x="{_num(x_label)}" y="{_num(base + 16)}" '
            f'text-anchor="end" transform="rotate(-30 {_num(x_label)} {_num(base + 16)})">'
            f"{escape(label(category))}</text>"
        )
    out.append("</g>")
    # the legend
    legend_x = _LEFT + plot_width + 20
    out.append('<g class="legend">')
    for j, name in enumerate(series):
        y = _TOP + j * 18
        out.append(
            f'<rect x="{_num(legend_x)}" y="{_num(y)}" width="12" height="12" '
            f'fill="{colour[name]}"/>'
        )
        out.append(f'<text x="{_num(legend_x + 18)}" y="{_num(y + 10)}">{escape(name)}</text>')
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_ontime_chart(
    data: Report | Iterable[Mapping[str, object]],
    path: str | Path,
    *,
    by: Sequence[str] = ("commune", "month"),
    title: str | None = None,
    label_of: Callable[[str], str] | None = None,
) -> Path:
    """Write :func:`ontime_chart_svg` to ``path`` (UTF-8) and return the path.

    Raises:
        InvalidInputError: see :func:`ontime_bars`.
        OSError: the file cannot be written.
    """
    svg = ontime_chart_svg(data, by=by, title=title, label_of=label_of)
    target = Path(path)
    target.write_text(svg, encoding="utf-8")
    return target

"""On-time rates as a ranked dot plot, readable at a province's size (no plotting library).

A province has a hundred communes or more and a report covers months: one bar per commune and month
does not fit a page. :func:`ontime_chart_svg` draws instead one row per category (by default the
commune), ranked from the lowest on-time rate, and only the ``top`` lowest (25 by default): a
large dot for the category's rate over the whole period and a small dot for each series (by
default the month of receipt), joined by a line from its worst to its best month. The figure is
written after each row, and the chart says how many categories it leaves out.

:func:`ontime_chart_vegalite` gives the same picture as a Vega-Lite specification (plain JSON, the
data inline) for a portal that renders charts itself; :func:`write_ontime_chart` writes the SVG
and, beside it, that specification (``rates.svg`` and ``rates.vl.json``).

Each dot is a ``<circle>`` of class ``overall`` or ``point`` carrying ``data-category``,
``data-series`` (``"*"`` for the overall dot) and ``data-rate`` (the percentage), so a program or a
test can read the figures back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final
from xml.sax.saxutils import escape, quoteattr

import attrs

from govtier._data import write_text_file
from govtier.errors import InvalidInputError
from govtier.i18n import format_date, language, resolve_language, tr
from govtier.reporting import Figures, Report, column_label

__all__ = [
    "DEFAULT_TOP",
    "PLOT_WIDTH",
    "Bar",
    "RankedRow",
    "ontime_bars",
    "ontime_chart_svg",
    "ontime_chart_vegalite",
    "ranked_rows",
    "vegalite_path",
    "write_ontime_chart",
]

PLOT_WIDTH: Final = 420.0
"""The width of the plot area, in SVG units: a 100% dot sits this far right of a 0% one."""

DEFAULT_TOP: Final = 25
"""How many categories the chart shows by default: the lowest-ranked ones."""

_ROW: Final = 22.0
_LEFT_MIN: Final = 140.0
_RIGHT: Final = 70.0
_TOP: Final = 84.0
_BOTTOM: Final = 64.0
_CHAR: Final = 7.0  # about the width of a character at 12 px
_OVERALL_COLOUR: Final = "#1b4f8a"
_PALETTE: Final = (
    "#e07b39",
    "#3b9c5a",
    "#c44e52",
    "#8172b2",
    "#937860",
    "#da8bc3",
    "#8c8c8c",
    "#ccb974",
    "#64b5cd",
    "#4c72b0",
    "#55a868",
    "#dd8452",
)


@attrs.frozen(kw_only=True)
class Bar:
    """One figure: a category (e.g. a commune), a series (e.g. a month) and its on-time rate.

    Attributes:
        category: the row it stands in.
        series: the series within the row.
        rate: the on-time rate as a percentage, or ``None`` when nothing was resolved.
    """

    category: str
    series: str
    rate: float | None


@attrs.frozen(kw_only=True)
class RankedRow:
    """One row of the chart: a category, its overall rate and its rate in each series.

    Attributes:
        category: the category's key (e.g. a commune code).
        label: what the chart writes for it (e.g. ``Phường Ba Đình (00004)``).
        rate: the rate over all series, as a percentage (``None``: nothing resolved).
        points: ``(series, rate)`` for each series with a rate, in series order.
    """

    category: str
    label: str
    rate: float | None
    points: tuple[tuple[str, float], ...]


def _rate(value: object, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{where}: on_time_percent is a percentage or None, got {value!r}"
        raise InvalidInputError(msg, field="on_time_percent", value=value)
    if not 0 <= value <= 100:
        msg = f"{where}: on_time_percent is a percentage in [0, 100], got {value!r}"
        raise InvalidInputError(msg, field="on_time_percent", value=value)
    return float(value)


def _names(by: Sequence[str]) -> tuple[str, ...]:
    names = tuple(by)
    if not 1 <= len(names) <= 2:
        msg = f"by names a category key and optionally a series key; got {names!r}"
        raise InvalidInputError(msg, field="by", value=names)
    return names


def ontime_bars(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
) -> tuple[Bar, ...]:
    """The figures to draw: from a report or from its :meth:`~Report.to_rows`.

    Args:
        data: a report grouped by ``by[0]`` (and ``by[1]``, if given), or rows holding those keys
            and ``on_time_percent`` (a percentage or ``None``).
        by: the category key, then optionally the series key.

    Raises:
        InvalidInputError: ``by`` is empty or too long, a row lacks a key, or a rate is not a
            percentage.
    """
    names = _names(by)
    rows = data.to_rows() if isinstance(data, Report) else list(data)
    bars = []
    for i, row in enumerate(rows):
        missing = [n for n in names if n not in row]
        if missing:
            msg = f"row {i} has no {', '.join(missing)}; it has {', '.join(map(str, row))}"
            raise InvalidInputError(msg, field="by", value=missing)
        series = str(row[names[1]]) if len(names) == 2 else "all"
        bars.append(
            Bar(
                category=str(row[names[0]]),
                series=series,
                rate=_rate(row.get("on_time_percent"), f"row {i}"),
            )
        )
    return tuple(bars)


def _pooled(data: Report, names: tuple[str, ...]) -> dict[str, float | None]:
    """Each category's rate over all its groups, from the counts (not an average of rates)."""
    position = data.group_by.index(names[0])
    totals: dict[str, Figures] = {}
    for group in data.groups:
        key = group.key[position]
        totals[key] = totals.get(key, Figures()) + group.figures
    return {
        key: None if (r := f.on_time_rate(data.basis)) is None else round(100 * r, 1)
        for key, f in totals.items()
    }


def ranked_rows(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
    label_of: Callable[[str], str | None] | None = None,
) -> tuple[RankedRow, ...]:
    """Every category, lowest on-time rate first (categories without a rate come last).

    With a report, a category's overall rate is computed from its counts over all series; with
    rows, it is the mean of its series' rates (rows carry no counts per category).

    Raises:
        InvalidInputError: see :func:`ontime_bars`.
    """
    names = _names(by)
    bars = ontime_bars(data, by=names)
    label = label_of or (lambda code: code)
    points: dict[str, list[tuple[str, float]]] = {}
    for bar in bars:
        points.setdefault(bar.category, [])
        if bar.rate is not None:
            points[bar.category].append((bar.series, bar.rate))
    if isinstance(data, Report) and names[0] in data.group_by:
        overall = _pooled(data, names)
    else:
        overall = {
            c: round(sum(r for _, r in p) / len(p), 1) if p else None for c, p in points.items()
        }
    rows = [
        RankedRow(
            category=c,
            label=label(c) or c,  # a label_of such as dict.get may know no name
            rate=overall.get(c),
            points=tuple(sorted(p)),
        )
        for c, p in points.items()
    ]
    rows.sort(key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0.0, r.category))
    return tuple(rows)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _axis_start(rows: Sequence[RankedRow]) -> float:
    """Where the x axis starts: 0%, or a round 10% below the lowest dot when all are high.

    Dots, unlike bars, need no zero: starting the axis near the data spreads a province's
    communes (often all above 80%) over the width instead of crowding them at the right.
    """
    rates = [r.rate for r in rows if r.rate is not None]
    rates += [rate for r in rows for _, rate in r.points]
    if not rates:
        return 0.0
    start = min((min(rates) // 10) * 10, 90)  # all at 100%: the axis still has a width
    return float(start) if start >= 50 else 0.0


# the texts are in the default language (see govtier.i18n); the public functions take lang=


def _key(name: str) -> str:
    """A group key as the chart names it: the key itself in English, its heading in Vietnamese."""
    return column_label(name) if resolve_language() == "vi" else name


def _axis_title(low: float) -> str:
    if low == 0:
        return tr("On-time rate (%)")
    return tr("On-time rate (%), axis from {low}%", low=format(low, ".0f"))


def _title(data: Report | Iterable[Mapping[str, object]], by: Sequence[str]) -> str:
    if isinstance(data, Report):
        return tr(
            "On-time rate by {key}, as of {date} (over {basis})",
            key=_key(by[0]),
            date=format_date(data.as_of.date()),
            basis=data.basis.label(),
        )
    return tr("On-time rate by {key}", key=_key(by[0]))


def _subtitle(shown: int, total: int, by: Sequence[str], series: Sequence[str]) -> str:
    vi = resolve_language() == "vi"
    noun = _key(by[0]) if vi else (f"{by[0]}s" if total != 1 else by[0])
    head = (
        tr("The {shown} lowest of {total} {noun}", shown=shown, total=total, noun=noun)
        if shown < total
        else tr("All {total} {noun}", total=total, noun=noun)
    )
    if len(by) == 2 and series:
        span = (
            series[0]
            if len(series) == 1
            else tr("{first} to {last}", first=series[0], last=series[-1])
        )
        return tr(
            "{head}, ranked. Large dot: the whole period; small dots: each {key} ({span}).",
            head=head,
            key=_key(by[1]),
            span=span,
        )
    return tr("{head}, ranked.", head=head)


def ontime_chart_svg(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
    title: str | None = None,
    label_of: Callable[[str], str | None] | None = None,
    top: int | None = DEFAULT_TOP,
    lang: str | None = None,
) -> str:
    """An SVG ranked dot plot of on-time rates: one row per category, the lowest first.

    Args:
        data: a report or rows (see :func:`ontime_bars`).
        by: the category key, then optionally the series key.
        title: the chart's title; by default it names the report's moment and basis.
        label_of: gives the label of a category (e.g. a commune's name for its code).
        top: how many of the lowest-ranked categories to show (``None``: all of them).
        lang: ``"vi"`` or ``"en"`` for the titles, axis and notes (default: see
            :mod:`govtier.i18n`).

    Raises:
        InvalidInputError: see :func:`ontime_bars`; ``top`` is below 1; an unknown ``lang``.
    """
    if lang is not None:  # the titles, axis and notes in ``lang``; the default otherwise
        with language(lang):
            return ontime_chart_svg(data, by=by, title=title, label_of=label_of, top=top)
    names, ranked, rows, series = _plotted(data, by, label_of, top)
    colour = {s: _PALETTE[i % len(_PALETTE)] for i, s in enumerate(series)}
    title = _title(data, names) if title is None else title
    subtitle = _subtitle(len(rows), len(ranked), names, series)

    left = max(_LEFT_MIN, 28 + _CHAR * max((len(r.label) for r in rows), default=0))
    legend_width = 90.0 if series else 0.0
    width = left + PLOT_WIDTH + _RIGHT + legend_width
    width = max(width, 8.0 * len(title) + 40, _CHAR * len(subtitle) + 40)
    height = _TOP + _ROW * max(len(rows), 1) + _BOTTOM

    low = _axis_start(rows)

    def x_of(rate: float) -> float:
        return left + PLOT_WIDTH * (rate - low) / (100 - low)

    out = [
        (
            '<svg xmlns="http://www.w3.org/2000/svg" '
            f'width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
            'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">'
        ),
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        (
            f'<text class="title" x="16" y="28" font-size="16" font-weight="bold">'
            f"{escape(title)}</text>"
        ),
        f'<text class="subtitle" x="16" y="48" fill="#555555">{escape(subtitle)}</text>',
    ]
    plot_bottom = _TOP + _ROW * max(len(rows), 1)
    # the x axis: gridlines every 25%
    out.append('<g class="x-axis">')
    for pct in range(int(low), 101, 10 if low >= 50 else 25):
        x = x_of(pct)
        out.append(
            f'<line x1="{_num(x)}" y1="{_num(_TOP - 8)}" x2="{_num(x)}" '
            f'y2="{_num(plot_bottom)}" stroke="#dddddd"/>'
        )
        out.append(
            f'<text x="{_num(x)}" y="{_num(plot_bottom + 16)}" text-anchor="middle">{pct}%</text>'
        )
    out.append(
        f'<text class="axis-label" x="{_num(left + PLOT_WIDTH / 2)}" y="{_num(plot_bottom + 36)}"'
        f' text-anchor="middle">{escape(_axis_title(low))}</text>'
    )
    out.append("</g>")
    out.append('<g class="rows">')
    for i, row in enumerate(rows):
        y = _TOP + _ROW * i + _ROW / 2
        if i % 2 == 0:
            out.append(
                f'<rect x="{_num(left - 8)}" y="{_num(y - _ROW / 2)}" '
                f'width="{_num(PLOT_WIDTH + 16)}" height="{_num(_ROW)}" fill="#f6f6f6"/>'
            )
        out.append(
            f'<text class="category" x="{_num(left - 12)}" y="{_num(y + 4)}" '
            f'text-anchor="end">{escape(row.label)}</text>'
        )
        if row.points:
            worst = min(r for _, r in row.points)
            best = max(r for _, r in row.points)
            out.append(
                f'<line x1="{_num(x_of(worst))}" y1="{_num(y)}" x2="{_num(x_of(best))}" '
                f'y2="{_num(y)}" stroke="#bbbbbb" stroke-width="2"/>'
            )
        for name, rate in row.points if series else ():
            tip = f"{row.label}, {name}: {rate:.1f}%"
            out.append(
                f'<circle class="point" cx="{_num(x_of(rate))}" cy="{_num(y)}" r="3.5" '
                f'fill="{colour[name]}" fill-opacity="0.85" '
                f"data-category={quoteattr(row.category)} "
                f'data-series={quoteattr(name)} data-rate="{_num(rate)}">'
                f"<title>{escape(tip)}</title></circle>"
            )
        if row.rate is None:
            out.append(
                f'<text class="no-rate" x="{_num(left + PLOT_WIDTH + 12)}" y="{_num(y + 4)}" '
                'fill="#777777">n/a</text>'
            )
            continue
        tip = f"{row.label}: {row.rate:.1f}%"
        out.append(
            f'<circle class="overall" cx="{_num(x_of(row.rate))}" cy="{_num(y)}" r="6" '
            f'fill="{_OVERALL_COLOUR}" data-category={quoteattr(row.category)} data-series="*" '
            f'data-rate="{_num(row.rate)}"><title>{escape(tip)}</title></circle>'
        )
        out.append(
            f'<text class="rate" x="{_num(left + PLOT_WIDTH + 12)}" y="{_num(y + 4)}" '
            f'font-weight="bold">{row.rate:.1f}%</text>'
        )
    if not rows:
        no_dossiers = tr("no dossiers")
        out.append(
            f'<text class="no-rate" x="{_num(left)}" y="{_num(_TOP + 14)}" fill="#777777">'
            f"{escape(no_dossiers)}</text>"
        )
    out.append("</g>")
    if series:
        legend_x = left + PLOT_WIDTH + _RIGHT + 8
        out.append('<g class="legend">')
        out.append(f'<text x="{_num(legend_x)}" y="{_num(_TOP - 2)}" font-weight="bold">')
        out.append(f"{escape(column_label(names[1]))}</text>")
        for j, name in enumerate(series):
            y = _TOP + 10 + j * 18
            out.append(
                f'<circle cx="{_num(legend_x + 5)}" cy="{_num(y)}" r="4" fill="{colour[name]}"/>'
            )
            out.append(f'<text x="{_num(legend_x + 14)}" y="{_num(y + 4)}">{escape(name)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def ontime_chart_vegalite(
    data: Report | Iterable[Mapping[str, object]],
    *,
    by: Sequence[str] = ("commune", "month"),
    title: str | None = None,
    label_of: Callable[[str], str | None] | None = None,
    top: int | None = DEFAULT_TOP,
    lang: str | None = None,
) -> dict[str, Any]:
    """The same ranked dot plot as a Vega-Lite v5 specification, its data inline.

    Each datum has ``category``, ``label``, ``series`` (``"all"`` for the whole period), ``rate``
    (a percentage) and ``rank`` (1 = the lowest rate).

    Raises:
        InvalidInputError: see :func:`ontime_chart_svg`.
    """
    if lang is not None:
        with language(lang):
            return ontime_chart_vegalite(data, by=by, title=title, label_of=label_of, top=top)
    names, ranked, rows, series = _plotted(data, by, label_of, top)
    values: list[dict[str, object]] = []
    for rank, row in enumerate(rows, 1):
        base = {"category": row.category, "label": row.label, "rank": rank}
        if row.rate is not None:
            values.append({**base, "series": "all", "rate": row.rate})
        values.extend({**base, "series": s, "rate": r} for s, r in row.points if series)
    y = {
        "field": "label",
        "type": "nominal",
        "sort": {"field": "rank", "op": "min", "order": "ascending"},
        "title": None,
    }
    low = _axis_start(rows)
    x = {"field": "rate", "type": "quantitative", "scale": {"domain": [low, 100]}}
    x["title"] = _axis_title(low)
    tooltip = [{"field": "label"}, {"field": "series"}, {"field": "rate", "format": ".1f"}]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {
            "text": _title(data, names) if title is None else title,
            "subtitle": _subtitle(len(rows), len(ranked), names, series),
        },
        "data": {"values": values},
        "width": PLOT_WIDTH,
        "layer": [
            {
                "transform": [{"filter": "datum.series !== 'all'"}],
                "mark": {"type": "circle", "size": 40, "opacity": 0.85},
                "encoding": {
                    "y": y,
                    "x": x,
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": column_label(names[-1]),
                        "scale": {"range": list(_PALETTE)},  # the SVG's colours
                    },
                    "tooltip": tooltip,
                },
            },
            {
                "transform": [{"filter": "datum.series === 'all'"}],
                "mark": {"type": "circle", "size": 140, "color": _OVERALL_COLOUR, "opacity": 1},
                "encoding": {"y": y, "x": x, "tooltip": tooltip},
            },
        ],
    }


def write_ontime_chart(
    data: Report | Iterable[Mapping[str, object]],
    path: str | Path,
    *,
    by: Sequence[str] = ("commune", "month"),
    title: str | None = None,
    label_of: Callable[[str], str | None] | None = None,
    top: int | None = DEFAULT_TOP,
    vegalite: bool = True,
    lang: str | None = None,
) -> Path:
    """Write :func:`ontime_chart_svg` to ``path`` (UTF-8) and return the path.

    With ``vegalite`` (the default), :func:`ontime_chart_vegalite` is written beside it, with the
    suffix ``.vl.json`` in place of ``.svg`` (``rates.svg`` → ``rates.vl.json``).

    Raises:
        InvalidInputError: see :func:`ontime_chart_svg`; also when a file cannot be written
            (a directory, a missing folder, no space left).
    """
    svg = ontime_chart_svg(data, by=by, title=title, label_of=label_of, top=top, lang=lang)
    target = write_text_file(path, svg, field="chart")
    if vegalite:
        spec = ontime_chart_vegalite(
            data, by=by, title=title, label_of=label_of, top=top, lang=lang
        )
        text = json.dumps(spec, ensure_ascii=False, indent=2) + "\n"
        write_text_file(vegalite_path(target), text, field="chart")
    return target


def vegalite_path(svg_path: str | Path) -> Path:
    """Where :func:`write_ontime_chart` writes the Vega-Lite spec for the SVG at ``svg_path``."""
    target = Path(svg_path)
    stem = target.name.removesuffix(".svg") if target.suffix == ".svg" else target.name
    return target.with_name(stem + ".vl.json")


def _plotted(
    data: Report | Iterable[Mapping[str, object]],
    by: Sequence[str],
    label_of: Callable[[str], str | None] | None,
    top: int | None,
) -> tuple[tuple[str, ...], tuple[RankedRow, ...], tuple[RankedRow, ...], list[str]]:
    """What both renderings plot: the keys, every ranked row, the rows shown, the series."""
    if top is not None and top < 1:
        msg = f"top is the number of categories to show (at least 1) or None, got {top!r}"
        raise InvalidInputError(msg, field="top", value=top)
    names = _names(by)
    ranked = ranked_rows(data, by=names, label_of=label_of)
    rows = ranked if top is None else ranked[:top]
    series = sorted({s for r in ranked for s, _ in r.points}) if len(names) == 2 else []
    return names, ranked, rows, series

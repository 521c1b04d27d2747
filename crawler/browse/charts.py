"""Charts drawn on the server as small SVG: no JavaScript, nothing fetched from elsewhere (the archive is
read behind firewalls), every label escaped by ElementTree (site names and columns come from config
and the web). Pure: data in, ``Markup`` out.

- ``stacked_bars``: counts per day (or month) stacked by series — events per site by day, releases
  by month (live / removed).
- ``meters``: shares 0…100 % as labelled bars — a site's health.

Each bar carries ``data-x``, ``data-series`` and ``data-count`` and a ``<title>`` (the tooltip and what
screen readers say); a table of the same numbers sits beside each chart for anyone who cannot see it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

SVG = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 440, 190
LEFT, RIGHT, TOP, BOTTOM = 30, 18, 8, 34
FONT = 11


@dataclass(frozen=True)
class Series:
    key: str  # css class suffix and data-series
    label: str  # shown in the legend and tooltips
    color: str
    counts: dict[str, int]  # x value → count


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(math.ceil(value / (magnitude * step)) * magnitude * step)
        if top >= value and top / value < 1.6:
            return top
    return value


def _ticks(top: int) -> list[int]:
    """Grid lines: every whole number up to 5, else 0, the middle (when whole) and the top."""
    if top <= 5:
        return list(range(top + 1))
    return sorted({0, top, *([top // 2] if top % 2 == 0 else [])})


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _svg(label: str, height: int = HEIGHT) -> ET.Element:
    return ET.Element(
        "svg",
        {
            "xmlns": SVG,
            "viewBox": f"0 0 {WIDTH} {height}",
            "role": "img",
            "aria-label": label,
            "class": "gw-chart-svg",
            "preserveAspectRatio": "xMinYMin meet",
        },
    )


def _tick_labels(xs: Sequence[str]) -> list[str]:
    """Day labels shortened to ``MM-DD``; months stay ``YYYY-MM``."""
    return [x[5:] if len(x) == 10 else x for x in xs]


def legend(series: Sequence[Series]) -> Markup:
    items = "".join(
        f'<li><span class="gw-swatch" style="background:{escape(s.color)}"></span>{escape(s.label)}</li>'
        for s in series
    )
    return Markup(f'<ul class="gw-legend">{items}</ul>')


def stacked_bars(xs: Sequence[str], series: Sequence[Series], label: str) -> Markup:
    """Bars over ``xs`` (dates or months, in order), each stacked by ``series``."""
    svg = _svg(label)
    totals = [sum(s.counts.get(x, 0) for s in series) for x in xs]
    top = _nice_max(max(totals, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(xs), 1)
    bar_w = max(step * 0.72, 1.0)
    axis = _el(svg, "g", class_="gw-axis", font_size=FONT)
    for value in _ticks(top):
        y = TOP + plot_h - plot_h * value / top
        _el(axis, "line", x1=LEFT, x2=WIDTH - RIGHT, y1=f"{y:.1f}", y2=f"{y:.1f}", class_="gw-grid")
        _el(axis, "text", str(value), x=LEFT - 4, y=f"{y + 4:.1f}", text_anchor="end")
    ticks = _tick_labels(xs)
    every = max(1, math.ceil(len(xs) / (10 if len(ticks[0] if ticks else "") <= 5 else 7)))
    for i, tick in enumerate(ticks):
        if i % every == 0:
            x = LEFT + step * i + step / 2
            _el(axis, "text", tick, x=f"{x:.1f}", y=HEIGHT - BOTTOM + 14, text_anchor="middle")
    bars = _el(svg, "g", class_="gw-bars")
    for i, x_value in enumerate(xs):
        y = TOP + plot_h
        x = LEFT + step * i + (step - bar_w) / 2
        for s in series:
            count = s.counts.get(x_value, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            rect = _el(
                bars,
                "rect",
                x=f"{x:.1f}",
                y=f"{y:.1f}",
                width=f"{bar_w:.1f}",
                height=f"{max(h, 0.5):.1f}",
                fill=s.color,
                class_=f"gw-bar gw-bar-{s.key}",
                data_x=x_value,
                data_series=s.key,
                data_count=count,
            )
            _el(rect, "title", f"{x_value} {s.label}: {count}")
    return Markup(ET.tostring(svg, encoding="unicode"))


def data_table(xs: Sequence[str], series: Sequence[Series], first: str) -> Markup:
    """The numbers of a chart as a small table (inside a ``<details>`` on the page)."""
    head = "".join(f"<th>{escape(s.label)}</th>" for s in series)
    rows = []
    for x in xs:
        if not any(s.counts.get(x) for s in series):
            continue
        cells = "".join(f"<td>{s.counts.get(x, 0)}</td>" for s in series)
        rows.append(f"<tr><th scope='row'>{escape(x)}</th>{cells}</tr>")
    return Markup(
        f'<table class="gw-chart-data"><thead><tr><th>{escape(first)}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


@dataclass(frozen=True)
class Meter:
    key: str
    label: str
    share: float | None  # 0…1, None when there is nothing to measure
    detail: str  # e.g. "19 / 20"


def meters(items: Sequence[Meter], label: str) -> Markup:
    """One labelled bar per item (HTML rows, each bar a tiny SVG): wraps on a phone."""
    rows = []
    for m in items:
        if m.share is None:
            bar = '<svg class="gw-meter-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"></svg>'
            value = "—"
        else:
            pct = max(0.0, min(1.0, m.share)) * 100
            tone = "good" if pct >= 95 else "fair" if pct >= 80 else "poor"
            bar = (
                f'<svg class="gw-meter-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">'
                f'<rect width="100" height="8" class="gw-meter-bg"/>'
                f'<rect width="{pct:.1f}" height="8" class="gw-meter-fill gw-{tone}" '
                f'data-meter="{escape(m.key)}" data-share="{pct:.1f}"/></svg>'
            )
            value = f"{pct:.0f}%"
        rows.append(
            f'<div class="gw-meter" data-key="{escape(m.key)}"><span class="gw-meter-label">{escape(m.label)}</span>'
            f'{bar}<span class="gw-meter-value">{escape(value)}'
            f" <small>{escape(m.detail)}</small></span></div>"
        )
    return Markup(f'<div class="gw-meters" role="list" aria-label="{escape(label)}">{"".join(rows)}</div>')

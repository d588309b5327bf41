"""Server-side SVG charts for valuation reports: pure functions from numbers and labels to SVG text.

No Flask here: the caller passes labels in the page's language, a money formatter and how to
punctuate label–value pairs. Charts use presentation attributes (no inline style, so the CSP
holds), carry a <title> and <desc>, print every figure as text, and tell series apart by pattern
and shape as well as colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from xml.sax.saxutils import escape

Fmt = Callable[[float], str]
# (label, value) pairs as one line of the chart's description, punctuated for the page's language
Pairs = Callable[[Iterable[tuple[str, object]]], str]
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#cbd2d9"
UP = "#2f6f9f"
DOWN = "#b44d12"
RANGE = "#2f6f9f"
FONT = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif"


def _e(text: object) -> str:
    return escape(str(text), {'"': "&quot;"})


def _text(
    x: float,
    y: float,
    text: object,
    *,
    anchor: str = "start",
    size: int = 12,
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}">{_e(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, **extra: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{_e(v)}"' for k, v in extra.items())
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" height="{max(h, 0.0):.1f}" fill="{fill}"{attrs}/>'


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str = INK, width: float = 1, dash: str = ""
) -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{dashed}/>'


def _hatch(pid: str, colour: str) -> str:
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{colour}" '
        f'stroke-width="3"/></pattern>'
    )


def _doc(
    chart_id: str, width: int, height: int, title: str, desc: str, body: Sequence[str], defs: str = ""
) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{_e(FONT)}">'
        f'<title id="{chart_id}-t">{_e(title)}</title><desc id="{chart_id}-d">{_e(desc)}</desc>'
        f'<defs>{defs}</defs><rect width="{width}" height="{height}" fill="#ffffff"/>{"".join(body)}</svg>'
    )


def _scale(lo: float, hi: float, x0: float, x1: float) -> Callable[[float], float]:
    span = hi - lo or 1.0
    return lambda v: x0 + (v - lo) / span * (x1 - x0)


def range_chart(
    chart_id: str,
    low: float,
    mid: float,
    high: float,
    fmt: Fmt,
    labels: Mapping[str, str],
    floor: float | None = None,
    ask: float | None = None,
) -> str:
    """The fair value range as a band with P10/P50/P90 marked, plus the cost floor and the ask if any."""
    width, height = 640, 150
    marks = [v for v in (low, high, floor, ask) if v is not None]
    lo, hi = min(0.0, *marks), max(marks) * 1.08 or 1.0
    x = _scale(lo, hi, 30, width - 30)
    body = [
        _line(30, 90, width - 30, 90, GRID, 2),
        _rect(x(low), 70, x(high) - x(low), 40, RANGE, fill_opacity="0.25", stroke=RANGE, stroke_width="2"),
        _line(x(mid), 62, x(mid), 118, INK, 3),
    ]
    body += [
        _text(x(low), 132, f"{labels['low']} {fmt(low)}", anchor="middle", size=12),
        _text(x(mid), 54, f"{labels['mid']} {fmt(mid)}", anchor="middle", size=14, weight="bold"),
        _text(x(high), 132, f"{labels['high']} {fmt(high)}", anchor="middle", size=12),
    ]
    if floor is not None:
        body += [
            _line(x(floor), 66, x(floor), 114, DOWN, 2, "4 3"),
            _text(x(floor), 28, f"{labels['floor']} {fmt(floor)}", anchor="middle", size=11, fill=DOWN),
        ]
    if ask is not None:
        body += [
            _line(x(ask), 62, x(ask), 118, INK, 2, "1 3"),
            _text(x(ask), 146, f"{labels['ask']} {fmt(ask)}", anchor="middle", size=11),
        ]
    desc = f"{labels['low']} {fmt(low)}, {labels['mid']} {fmt(mid)}, {labels['high']} {fmt(high)}"
    return _doc(chart_id, width, height, labels["title"], desc, body)


def waterfall(
    chart_id: str,
    steps: Sequence[tuple[str, float]],
    total_label: str,
    fmt: Fmt,
    title: str,
    pairs: Pairs,
    max_bars: int = 12,
    other_label: str = "…",
) -> str:
    """Additive drivers as a waterfall ending in the total; decreases are hatched and signed."""
    steps = list(steps)
    if len(steps) > max_bars:
        steps = [*steps[: max_bars - 1], (other_label, sum(v for _k, v in steps[max_bars - 1 :]))]
    total = sum(v for _k, v in steps)
    row_h, left, width = 30, 230, 680
    height = row_h * (len(steps) + 1) + 30
    running, points = 0.0, []
    for label, value in steps:
        points.append((label, running, running + value, value))
        running += value
    values = [0.0, total] + [p[1] for p in points] + [p[2] for p in points]
    x = _scale(min(values), max(values) or 1.0, left, width - 110)
    body = [_line(x(0), 10, x(0), height - 10, GRID, 1)]
    for i, (label, start, end, value) in enumerate(points):
        y = 12 + i * row_h
        fill = UP if value >= 0 else "url(#" + chart_id + "-neg)"
        body += [
            _text(left - 8, y + 17, label, anchor="end", size=12),
            _rect(
                min(x(start), x(end)),
                y + 4,
                abs(x(end) - x(start)) or 1.0,
                row_h - 10,
                fill,
                stroke=UP if value >= 0 else DOWN,
            ),
            _text(
                max(x(start), x(end)) + 6,
                y + 17,
                ("+" if value >= 0 else "−") + fmt(abs(value)),
                size=11,
                fill=MUTED,
            ),
        ]
    y = 12 + len(points) * row_h
    body += [
        _text(left - 8, y + 17, total_label, anchor="end", size=12, weight="bold"),
        _rect(min(x(0), x(total)), y + 4, abs(x(total) - x(0)) or 1.0, row_h - 10, INK),
        _text(max(x(0), x(total)) + 6, y + 17, fmt(total), size=12, weight="bold"),
    ]
    desc = pairs([*((label, fmt(value)) for label, value in steps), (total_label, fmt(total))])
    return _doc(chart_id, width, height, title, desc, body, _hatch(chart_id + "-neg", DOWN))


def tornado(
    chart_id: str,
    bars: Sequence[tuple[str, float, float]],
    base: float,
    fmt: Fmt,
    title: str,
    low_label: str,
    high_label: str,
    pairs: Pairs,
    max_bars: int = 10,
) -> str:
    """One bar per input: value at its low setting (hatched) and high setting (solid) around the base value."""
    bars = list(bars)[:max_bars]
    row_h, label_right, width = 32, 250, 760
    height = row_h * len(bars) + 70
    values = [base] + [v for _l, lo, hi in bars for v in (lo, hi)]
    x = _scale(min(values), max(values) or 1.0, label_right + 95, width - 95)
    body = [
        _line(x(base), 30, x(base), height - 24, INK, 2),
        _text(x(base), 22, fmt(base), anchor="middle", size=11, fill=MUTED),
    ]
    for i, (label, lo_v, hi_v) in enumerate(bars):
        y = 34 + i * row_h
        body.append(_text(label_right, y + 18, label, anchor="end", size=12))
        for value, low in ((lo_v, True), (hi_v, False)):
            x0, x1 = sorted((x(base), x(value)))
            fill = f"url(#{chart_id}-low)" if low else UP
            body.append(_rect(x0, y + 4, (x1 - x0) or 1.0, row_h - 12, fill, stroke=DOWN if low else UP))
            right = x(value) >= x(base)
            body.append(
                _text(
                    x1 + 4 if right else x0 - 4,
                    y + 18,
                    fmt(value),
                    anchor="start" if right else "end",
                    size=10,
                    fill=MUTED,
                )
            )
    legend_y = height - 8
    body += [
        _rect(label_right + 95, legend_y - 10, 14, 10, f"url(#{chart_id}-low)", stroke=DOWN),
        _text(label_right + 115, legend_y, low_label, size=11),
        _rect(label_right + 275, legend_y - 10, 14, 10, UP),
        _text(label_right + 295, legend_y, high_label, size=11),
    ]
    desc = pairs((label, f"{fmt(lo)} – {fmt(hi)}") for label, lo, hi in bars)
    return _doc(chart_id, width, height, title, desc, body, _hatch(chart_id + "-low", DOWN))


def histogram(
    chart_id: str,
    edges: Sequence[float],
    counts: Sequence[int],
    fmt: Fmt,
    title: str,
    markers: Mapping[str, float] | None = None,
    count_label: str = "",
) -> str:
    """Monte Carlo draws as bars, with the percentiles drawn and labelled as dashed lines."""
    width, height, left, bottom = 680, 260, 50, 210
    x = _scale(float(edges[0]), float(edges[-1]), left, width - 20)
    top = max(counts) or 1
    body = [_line(left, bottom, width - 20, bottom, INK, 1)]
    for i, count in enumerate(counts):
        h = (bottom - 40) * count / top
        body.append(
            _rect(x(edges[i]) + 0.5, bottom - h, x(edges[i + 1]) - x(edges[i]) - 1, h, UP, fill_opacity="0.7")
        )
    for k, value in enumerate((edges[0], (edges[0] + edges[-1]) / 2, edges[-1])):
        body.append(
            _text(
                x(value), bottom + 18, fmt(value), anchor=("start", "middle", "end")[k], size=11, fill=MUTED
            )
        )
    for j, (label, value) in enumerate((markers or {}).items()):
        body += [
            _line(x(value), 30, x(value), bottom, INK, 1.5, "5 3"),
            _text(x(value), 22 + (j % 2) * 0, label, anchor="middle", size=11, weight="bold"),
        ]
    body.append(_text(left - 6, 40, f"{top}", anchor="end", size=10, fill=MUTED))
    if count_label:
        body.append(_text(left - 6, 54, count_label, anchor="end", size=10, fill=MUTED))
    desc = ", ".join(f"{label} {fmt(v)}" for label, v in (markers or {}).items())
    return _doc(chart_id, width, height, title, desc or title, body)


def backtest_plot(
    chart_id: str,
    points: Sequence[tuple[float, float, float, float]],
    fmt: Fmt,
    title: str,
    labels: Mapping[str, str],
    pairs: Pairs,
) -> str:
    """Predicted P50 (with P10-P90 whiskers) against realised price on log scales; y = x drawn dashed.

    points: (p10, p50, p90, price). Deals inside the band are filled circles, outside hollow squares.
    """
    width, height, left, bottom = 560, 420, 70, 370
    values = [v for p in points for v in p if v > 0] or [1.0, 10.0]
    lo, hi = math.log10(min(values)) - 0.1, math.log10(max(values)) + 0.1
    sx, sy = _scale(lo, hi, left, width - 20), _scale(lo, hi, bottom, 20)
    body = [
        _line(left, bottom, width - 20, bottom, INK),
        _line(left, bottom, left, 20, INK),
        _line(sx(lo), sy(lo), sx(hi), sy(hi), MUTED, 1, "6 4"),
    ]
    for tick in range(math.ceil(lo), math.floor(hi) + 1):
        body += [
            _text(sx(tick), bottom + 16, fmt(10**tick), anchor="middle", size=10, fill=MUTED),
            _text(left - 6, sy(tick) + 4, fmt(10**tick), anchor="end", size=10, fill=MUTED),
        ]
    for p10, p50, p90, price in points:
        px = sx(math.log10(price))
        body.append(_line(px, sy(math.log10(p10)), px, sy(math.log10(p90)), GRID, 2))
        inside = p10 <= price <= p90
        y = sy(math.log10(p50))
        body.append(
            f'<circle cx="{px:.1f}" cy="{y:.1f}" r="4" fill="{UP}"/>'
            if inside
            else _rect(px - 4, y - 4, 8, 8, "#ffffff", stroke=DOWN, stroke_width="2")
        )
    body += [
        _text((left + width) / 2, height - 8, labels["x"], anchor="middle", size=12),
        f'<text x="16" y="{(bottom + 20) / 2:.1f}" transform="rotate(-90 16 {(bottom + 20) / 2:.1f})" '
        f'text-anchor="middle" font-size="12" fill="{INK}">{_e(labels["y"])}</text>',
        f'<circle cx="{left + 16}" cy="30" r="4" fill="{UP}"/>',
        _text(left + 26, 34, labels["inside"], size=11),
        _rect(left + 12, 42, 8, 8, "#ffffff", stroke=DOWN, stroke_width="2"),
        _text(left + 26, 50, labels["outside"], size=11),
    ]
    inside_n = sum(1 for p in points if p[0] <= p[3] <= p[2])
    desc = pairs([(labels["inside"], inside_n), (labels["outside"], len(points) - inside_n)])
    return _doc(chart_id, width, height, title, desc, body)

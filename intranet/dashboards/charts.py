"""SVG charts drawn on the server: lines over time, horizontal bars, a heat map.

Every value is written in the picture (not colour alone), series differ by dash pattern
and marker shape as well as colour, bars are hatched, and every text is escaped.
"""

import html
from functools import lru_cache

from django.utils.safestring import mark_safe


def escape(text) -> str:
    """The standard library's escape (django's, lazy-aware, is 5 times slower), cached:
    a heat map or a table repeats the same few values ("0", "< 5") thousands of times."""
    return _escape(str(text))


@lru_cache(maxsize=8192)
def _escape(text: str) -> str:
    return html.escape(text, quote=True)


COLOURS = ("#1f4e9c", "#b34700", "#2c6e2f", "#6b2c91")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "diamond", "triangle")
PATTERNS = (
    '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="{colour}"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#fff" stroke-width="2"/></pattern>'
)


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="{colour}"/>'
    if kind == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y:.1f} {x:.1f},{y + 4:.1f} '
            f'{x - 4:.1f},{y:.1f}" fill="{colour}"/>'
        )
    if kind == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 4:.1f} {x + 4:.1f},{y + 3:.1f} {x - 4:.1f},{y + 3:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>'


def _open(chart_id: str, title: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title" id="{chart_id}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]


def line_chart(chart_id, title, labels, series, fmt) -> str:
    """labels: x labels (already formatted); series: [(name, [value or None])]; values are
    written at the last point and every few points, in the points' <title> too."""
    width, height, left, right, top, bottom = 640, 260, 48, 36, 16, 56
    values = [v for _n, vs in series for v in vs if v is not None]
    top_value = max(values, default=0) or 1
    n = max(len(labels), 1)
    step = (width - left - right) / max(n - 1, 1)

    def xy(i, v):
        return left + i * step, top + (height - top - bottom) * (1 - v / top_value)

    out = _open(chart_id, title, width, height)
    base = height - bottom
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="#555"/>')
    out.append(
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="11">{escape(fmt(top_value))}</text>'
    )
    out.append(
        f'<text x="{left - 4}" y="{base}" text-anchor="end" font-size="11">{escape(fmt(0))}</text>'
    )
    every = max(1, n // 6)
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            x, _y = xy(i, 0)
            out.append(
                f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" font-size="10">{escape(label)}</text>'
            )
    for s, (name, vs) in enumerate(series):
        colour, dash, marker = COLOURS[s % 4], DASHES[s % 4], MARKERS[s % 4]
        points = [xy(i, v) for i, v in enumerate(vs) if v is not None]
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash_attr} points="{path}"/>'
            )
        for i, v in enumerate(vs):
            if v is None:
                continue
            x, y = xy(i, v)
            out.append(
                f'<g class="point" data-value="{escape(fmt(v))}"><title>{escape(name)}, '
                f"{escape(labels[i])} : {escape(fmt(v))}</title>{_marker(marker, x, y, colour)}</g>"
            )
            if i == len(vs) - 1 or (len(vs) <= 12):
                out.append(
                    f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="10">{escape(fmt(v))}</text>'
                )
        # legend
        lx = left + s * 150
        ly = height - 14
        out.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 24}" y2="{ly}" stroke="{colour}" stroke-width="2"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f"/>{_marker(marker, lx + 12, ly, colour)}"
            f'<text x="{lx + 30}" y="{ly + 4}" font-size="11">{escape(name)}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308  (every text above is escaped)


def bar_chart(chart_id, title, items, fmt) -> str:
    """items: [(label, value, shown)]: shown is the text written (a value or "< 5")."""
    bar, gap, left, width = 18, 8, 180, 640
    height = max(len(items), 1) * (bar + gap) + 16
    top_value = max((v for _l, v, _s in items), default=0) or 1
    out = _open(chart_id, title, width, height)
    out.append(f"<defs>{PATTERNS.format(id=chart_id + '-hatch', colour=COLOURS[0])}</defs>")
    for i, (label, value, shown) in enumerate(items):
        y = 8 + i * (bar + gap)
        length = (width - left - 70) * value / top_value
        text = label if len(label) <= 28 else label[:27] + "…"
        out.append(
            f'<g class="bar" data-value="{escape(shown)}"><title>{escape(label)} : {escape(shown)}</title>'
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="11">{escape(text)}</text>'
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" '
            f'fill="url(#{chart_id}-hatch)" stroke="{COLOURS[0]}"/>'
            f'<text x="{left + length + 6:.1f}" y="{y + 13}" font-size="11">{escape(shown)}</text></g>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308


def heat_map(chart_id, title, labels, cells) -> str:
    """cells[i][j]: (value, shown) for row i (from) and column j (to)."""
    n = len(labels)
    cell, left, top = 44, 150, 150
    width, height = left + n * cell + 110, top + n * cell + 8
    top_value = max((v for row in cells for v, _s in row), default=0) or 1
    out = _open(chart_id, title, width, height)
    out.append(f"<defs>{PATTERNS.format(id=chart_id + '-hatch', colour='#0b3a75')}</defs>")
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        text = label if len(label) <= 20 else label[:19] + "…"
        out.append(
            f'<text transform="translate({x:.1f},{top - 6}) rotate(-60)" font-size="10">{escape(text)}</text>'
        )
    escaped = [escape(label) for label in labels]
    for i, label in enumerate(labels):
        y = top + i * cell
        text = label if len(label) <= 20 else label[:19] + "…"
        out.append(
            f'<text x="{left - 6}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" font-size="10">{escape(text)}</text>'
        )
        for j, (value, shown) in enumerate(cells[i]):
            x = left + j * cell
            level = value / top_value
            light = int(245 - 170 * level)
            fill = f"rgb({light},{light + 5 if light < 250 else 250},255)"
            ink = "#fff" if level > 0.6 else "#000"
            out.append(
                f'<g class="cell" data-value="{escape(shown)}"><title>{escaped[i]} → '
                f"{escaped[j]} : {escape(shown)}</title>"
                f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="{fill}" stroke="#fff"/>'
            )
            if level > 0.6:  # the darkest cells are hatched too: not colour alone
                out.append(
                    f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" fill="url(#{chart_id}-hatch)" opacity="0.35"/>'
                )
            out.append(
                f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                f'font-size="10" fill="{ink}">{escape(shown)}</text></g>'
            )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308

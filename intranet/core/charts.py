"""Horizontal bar charts drawn on the server (a poll's results, a survey's answers): an SVG
that needs no JavaScript, its values written in (or beside) the bars so colour carries no
meaning alone. The page puts the same figures in a table for screen readers (the SVG is
hidden from them). Domain-free: a bar is a label, a count and a percentage."""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360  # drawn at about its size on a phone; a page's CSS caps it on a desktop
BAR_HEIGHT = 28
ROW = 64
INSIDE_MIN = 100  # a bar narrower than this has its value written after it
LABEL_MAX = 44  # longer labels are cut in the chart (with …); the table keeps them whole


@dataclass(frozen=True)
class Bar:
    label: str
    votes: int
    percent: int


def bars(choices, voters: int) -> list[Bar]:
    """Bars of objects with .label and .votes, each a percentage of voters."""
    return [Bar(c.label, c.votes, round(100 * c.votes / voters) if voters else 0) for c in choices]


def counted_bars(counts: list[tuple[str, int]], total: int) -> list[Bar]:
    """Bars of (label, count) pairs, each a percentage of total."""
    return [Bar(label, n, round(100 * n / total) if total else 0) for label, n in counts]


def value_text(bar: Bar) -> str:
    return f"{bar.votes} ({bar.percent}\u00a0%)"


def bar_chart(items: list[Bar]) -> SafeString:
    top = max((b.votes for b in items), default=0) or 1
    height = ROW * len(items) + 8
    parts = [
        f'<svg class="poll-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} '
        f'{height}" width="100%" aria-hidden="true" focusable="false">'
    ]
    for i, bar in enumerate(items):
        y = i * ROW
        width = round((WIDTH - 2) * bar.votes / top)
        value = escape(value_text(bar))
        label = bar.label if len(bar.label) <= LABEL_MAX else bar.label[: LABEL_MAX - 1] + "…"
        parts.append(
            f'<g class="poll-chart__bar" data-votes="{bar.votes}" data-percent="{bar.percent}">'
            f'<text x="0" y="{y + 18}" class="poll-chart__label">{escape(label)}</text>'
            f'<rect x="0" y="{y + 26}" width="{WIDTH}" height="{BAR_HEIGHT}" '
            f'class="poll-chart__track"/>'
            f'<rect x="0" y="{y + 26}" width="{width}" height="{BAR_HEIGHT}" '
            f'class="poll-chart__fill"/>'
        )
        if width >= INSIDE_MIN:
            parts.append(
                f'<text x="{width - 8}" y="{y + 45}" text-anchor="end" '
                f'class="poll-chart__value poll-chart__value--in">{value}</text>'
            )
        else:
            parts.append(
                f'<text x="{width + 8}" y="{y + 45}" class="poll-chart__value">{value}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

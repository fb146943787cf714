"""Template tags of sessions: `{% event_when event %}`, a session's start and end in the
agent's time zone and language.

It replaces an include with six `date` filters: each filter converted the datetime to the
current time zone and looked its format up again, and the include pushed a context, once
per session of the calendar's list. Here each end is converted once and formatted with
the same format strings (month and day names still come from the active language).
"""

from django import template
from django.utils import timezone
from django.utils.dateformat import DateFormat
from django.utils.html import format_html

register = template.Library()

LONG = "l j F Y, H:i"  # "lundi 7 décembre 2026, 09:30"
SAME_DAY_END = "H:i"
OTHER_DAY_END = "j F Y, H:i"


@register.simple_tag
def event_when(event) -> str:
    """<time>start</time>–<time>end</time> (zone), the end's date only when it differs."""
    zone = timezone.get_current_timezone()
    starts = DateFormat(timezone.localtime(event.starts_at, zone))
    ends_local = timezone.localtime(event.ends_at, zone)
    ends = DateFormat(ends_local)
    same_day = ends_local.date() == starts.data.date()
    return format_html(
        '<time datetime="{}">{}</time>–<time datetime="{}">{}</time> '
        '<span class="event__zone muted">({})</span>',
        starts.data.isoformat(),
        starts.format(LONG),
        ends_local.isoformat(),
        ends.format(SAME_DAY_END if same_day else OTHER_DAY_END),
        timezone.get_current_timezone_name(),
    )

"""{% chat_unread_total %}: the header badge's number."""

from django import template

from intranet.chat.selectors import unread_total

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_unread_total(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    try:
        return unread_total(user)
    except Exception:  # a header badge must never break a page
        return 0

"""{% chat_unread_total %}: the header badge's number. {% chat_message_button %}: the
"Envoyer un message" form of a profile and of every agent card."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from intranet.chat.selectors import unread_total
from intranet.core.request_cache import request_cached

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


def _button_parts(token) -> tuple[str, str, str]:
    """What the buttons of a page share: the form's start with the page's CSRF token (as
    Django's {% csrf_token %} writes it), the label, and "to %(name)s" translated."""
    start = format_html(
        '<form method="post" action="{}" class="inline-form">',
        reverse("chat:conversation-start-direct"),
    )
    if token and token != "NOTPROVIDED":  # noqa: S105 - the csrf processor's "no token"
        start += format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    label = format_html(
        '<button type="submit" class="button button--quiet">{}<span class="visually-hidden"> ',
        gettext("Send a message"),
    )
    return start, label, gettext("to %(name)s")


@register.simple_tag(takes_context=True)
def chat_message_button(context, recipient):
    """The form that opens (or creates) the direct conversation with recipient.

    A directory page shows it on each of its dozens of cards, and a template per card
    (its url, csrf_token, translate and blocktranslate nodes) cost a sixth of the page:
    what the cards share is written once per request, each card adds its agent. The markup
    is the template's that tests/chat/test_message_button.py keeps beside it.
    """
    token = context.get("csrf_token")
    start, label, to_name = request_cached(
        ("chat_message_button", get_language(), str(token)), lambda: _button_parts(token)
    )
    # As blocktranslate: the name is escaped, the translated sentence around it is not.
    to = to_name % {"name": conditional_escape(recipient.display_name)}
    username = format_html('<input type="hidden" name="username" value="{}">', recipient.username)
    return mark_safe(f"{start}{username}{label}{to}</span></button></form>")  # noqa: S308 - escaped above

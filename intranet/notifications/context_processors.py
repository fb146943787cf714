"""The unread count in the header, checked against the access model like the list."""

from intranet.notifications.selectors import unread_count


def notification_badge(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": lambda: unread_count(user)}

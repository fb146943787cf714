"""Whether to show the moderation link in the header (staff and group animators)."""

from intranet.moderation.access import can_moderate_anything


def moderation_link(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"may_moderate": lambda: can_moderate_anything(user)}

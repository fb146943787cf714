"""The notification list and the notification settings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.notifications import selectors, services
from intranet.notifications.forms import PreferencesForm
from intranet.notifications.models import Preference


@require_GET
def notification_list(request):
    items = selectors.notification_list(request.user)
    services.notifications_mark_seen(request.user)  # after the read: the list shows what is new
    return render(request, "notifications/notification_list.html", {"items": items})


@require_POST
def notification_read_all(request):
    services.notifications_mark_read(request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:notification-list")


@require_GET
def notification_open(request, notification_id):
    """Mark one notification as read and go to what it is about (if still visible)."""
    notification = selectors.visible_notifications(request.user).filter(pk=notification_id).first()
    if notification is None:
        return redirect("notifications:notification-list")
    services.notifications_mark_read(request.user, ids=[notification.pk])
    return redirect(selectors.target_url(notification))


def notification_settings(request):
    current = dict(Preference.objects.filter(agent=request.user).values_list("kind", "channel"))
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.preferences_set(request.user, form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
        return redirect("notifications:notification-settings")
    return render(request, "notifications/notification_settings.html", {"form": form})

"""Notifications: delivery choices, e-mail at once, daily digest, and re-checked visibility."""

import pytest
from django.core import mail

from intranet.groups import services as group_services
from intranet.notifications import services
from intranet.notifications.models import Notification
from intranet.notifications.selectors import notification_list, unread_count
from intranet.notifications.tasks import send_daily_digests, send_notification_email
from intranet.stream.services import posts

pytestmark = pytest.mark.usefixtures("english")


def test_default_is_the_digest_for_mentions(alice, carol):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    (notification,) = Notification.objects.filter(recipient=carol)
    assert notification.channel == "digest"


def test_turned_off_kind_is_not_created(alice, carol):
    services.preferences_set(carol, {"mention": "off"})
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    assert not Notification.objects.exists()


def test_email_at_once_goes_after_commit_and_only_once(
    alice, carol, django_capture_on_commit_callbacks
):
    services.preferences_set(carol, {"mention": "email"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posts.post_create(alice, body="Merci @carol", visibility="organisation")
    assert callbacks and mail.outbox == []  # queued for after commit, not sent yet
    notification = Notification.objects.get(recipient=carol)
    assert send_notification_email.call(notification.pk) is True
    assert send_notification_email.call(notification.pk) is False
    (message,) = mail.outbox
    assert message.to == [carol.email] and "vous a mentionné" in message.subject


def test_email_is_not_sent_once_the_post_became_invisible(alice, carol, group, carol_member):
    services.preferences_set(carol, {"mention": "email"})
    posts.post_create(alice, body="Avis @carol ?", visibility="group", group=group)
    notification = Notification.objects.get(recipient=carol)
    group_services.group_member_remove(alice, group, carol)
    assert send_notification_email.call(notification.pk) is False
    assert mail.outbox == []


def test_in_app_list_and_count_follow_access(alice, carol, group, carol_member):
    posts.post_create(alice, body="Avis @carol ?", visibility="group", group=group)
    assert unread_count(carol) == 1 and len(notification_list(carol)) == 1
    group_services.group_leave(carol, group)
    assert unread_count(carol) == 0 and notification_list(carol) == []


def test_daily_digest_gathers_and_marks(alice, carol):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    posts.post_create(alice, body="Encore merci @carol", visibility="organisation")
    assert send_daily_digests.call() == 1
    (message,) = mail.outbox
    assert message.body.count("vous a mentionné") == 2  # e-mails speak the site's language
    assert send_daily_digests.call() == 0


def test_mark_read(alice, carol, client):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    client.force_login(carol)
    notification = Notification.objects.get()
    response = client.get(f"/notifications/{notification.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/posts/")
    assert unread_count(carol) == 0


def test_someone_elses_notification_is_not_reachable(alice, carol, client):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    client.force_login(alice)
    notification = Notification.objects.get()
    client.get(f"/notifications/{notification.pk}/")
    notification.refresh_from_db()
    assert notification.read_at is None


def test_settings_page_saves_choices(carol, client):
    client.force_login(carol)
    data = dict.fromkeys([k for k, _ in Notification._meta.get_field("kind").choices], "in_app")
    data["mention"] = "email"
    assert client.post("/notifications/settings/", data).status_code == 302
    assert services.channel_for(carol, "mention") == "email"
    data["mention"] = "carrier-pigeon"
    assert client.post("/notifications/settings/", data).status_code == 200

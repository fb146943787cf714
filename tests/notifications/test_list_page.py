"""The notification list page: visiting it clears the header badge, and invitations are
answered on their own line (group and ambassador), through the owners' services."""

import datetime
import re

import pytest
from django.urls import reverse

from intranet.experts.models import Ambassador
from intranet.experts.services import ambassador_invite, theme_create
from intranet.groups.models import Invitation, Membership
from intranet.groups.services import department_group_sync, group_invite, group_member_role_set
from intranet.notifications.models import Notification
from intranet.notifications.selectors import unread_count
from intranet.stream.services import posts

LIST = reverse("notifications:notification-list")


def badge(client) -> str:
    """The header's notification badge count on the home page, "" when none."""
    html = client.get(reverse("home")).content.decode()
    link = re.search(r'class="site-tools__notifications"[^>]*>(.*?)</a>', html, re.S).group(1)
    found = re.search(r'class="count-badge">(\d+)', link)
    return found.group(1) if found else ""


def test_visiting_the_list_clears_the_badge_but_keeps_lines_unread(alice, carol, client):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    posts.post_create(alice, body="Encore @carol", visibility="organisation")
    client.force_login(carol)
    assert badge(client) == "2"
    page = client.get(LIST).content.decode()
    assert page.count("notification--unread") == 2  # still told apart from the read ones
    assert badge(client) == ""
    assert unread_count(carol) == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert client.get(LIST).content.decode().count("notification--unread") == 2


def test_a_new_notification_after_the_visit_shows_again(alice, carol, client):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    client.force_login(carol)
    client.get(LIST)
    posts.post_create(alice, body="Et encore @carol", visibility="organisation")
    assert badge(client) == "1"


def test_visiting_marks_only_ones_own(alice, carol, bob, client):
    posts.post_create(alice, body="Merci @carol et @bob", visibility="organisation")
    client.force_login(carol)
    client.get(LIST)
    assert unread_count(bob) == 1


def test_opening_one_marks_it_seen_too(alice, carol, client):
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    notification = Notification.objects.get()
    client.force_login(carol)
    client.get(reverse("notifications:notification-open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at and notification.seen_at


# --- Invitations answered inline ------------------------------------------------------


def answer_forms(html) -> list[str]:
    return re.findall(
        r'<form method="post" action="([^"]+)" class="inline-form notification__answer">', html
    )


def test_group_invitation_is_accepted_from_the_list(alice, carol, group, client):
    (invitation,) = group_invite(alice, group, agents=[carol])
    client.force_login(carol)
    page = client.get(LIST).content.decode()
    action = reverse("groups:invitation-answer", args=[invitation.pk])
    assert answer_forms(page) == [action]
    assert 'name="csrfmiddlewaretoken"' in page
    response = client.post(action, {"decision": "accept", "next": LIST})
    assert response.status_code == 302 and response["Location"] == LIST
    assert Membership.objects.filter(group=group, agent=carol).exists()
    assert answer_forms(client.get(LIST).content.decode()) == []  # answered: no more buttons


def test_group_invitation_is_declined_from_the_list(alice, carol, group, client):
    (invitation,) = group_invite(alice, group, agents=[carol])
    client.force_login(carol)
    action = reverse("groups:invitation-answer", args=[invitation.pk])
    assert client.post(action, {"decision": "decline", "next": LIST})["Location"] == LIST
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.DECLINED
    assert not Membership.objects.filter(group=group, agent=carol).exists()


def test_someone_else_cannot_answer_and_next_stays_local(alice, carol, bob, group, client):
    (invitation,) = group_invite(alice, group, agents=[carol])
    action = reverse("groups:invitation-answer", args=[invitation.pk])
    client.force_login(bob)
    assert client.post(action, {"decision": "accept", "next": LIST}).status_code == 404
    assert not Membership.objects.filter(group=group, agent__in=[bob, carol]).exists()
    client.force_login(carol)
    response = client.post(action, {"decision": "accept", "next": "https://evil.example/"})
    assert not response["Location"].startswith("https://evil")


@pytest.fixture
def ambassador(staff, rgpd, finance, alice, bob, dave):
    """alice, invited by bob (animator of Finance's department group) as RGPD ambassador."""
    department_group = department_group_sync(finance, [alice, bob, dave])
    group_member_role_set(staff, department_group, bob, role=Membership.Role.ANIMATOR)
    theme = theme_create(staff, name="RGPD", description="Données", skills=[rgpd])
    return ambassador_invite(
        bob, theme=theme, department=finance, agent=alice, starts_on=datetime.date.today()
    )


def test_ambassador_invitation_is_answered_from_the_list(ambassador, alice, client):
    client.force_login(alice)
    page = client.get(LIST).content.decode()
    action = reverse("experts:ambassador-respond", args=[ambassador.pk])
    assert answer_forms(page) == [action]
    response = client.post(action, {"accept": "1", "next": LIST})
    assert response["Location"] == LIST
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.ACTIVE


def test_ambassador_invitation_cannot_be_answered_by_someone_else(ambassador, dave, client):
    client.force_login(dave)
    action = reverse("experts:ambassador-respond", args=[ambassador.pk])
    assert client.post(action, {"accept": "1", "next": LIST}).status_code in (403, 404)
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.INVITED


def test_list_query_count_does_not_grow_with_invitations(
    alice, staff, carol, client, django_assert_max_num_queries
):
    from tests.factories import GroupFactory

    client.force_login(carol)
    group_invite(alice, GroupFactory(created_by=alice), agents=[carol])
    client.get(LIST)
    with django_assert_max_num_queries(40) as few:
        client.get(LIST)
    for _ in range(5):
        group_invite(alice, GroupFactory(created_by=alice), agents=[carol])
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(LIST).content.decode()
    assert len(answer_forms(page)) == 6

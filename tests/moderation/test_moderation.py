"""Reports, the moderation queue per role, and the charter."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.moderation import services
from intranet.moderation.access import visible_reports
from intranet.moderation.models import Report
from intranet.stream.services import comments, posts
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def scene(alice, carol, staff):
    group = group_services.group_create(alice, name="Atelier", policy=Group.Policy.OPEN)
    group_services.group_join(carol, group)
    post = posts.post_create(carol, body="Un message limite", visibility="group", group=group)
    comment = comments.comment_create(carol, post.pk, body="Commentaire limite")
    return {"group": group, "post": post, "comment": comment}


def test_report_once_and_animators_see_their_groups_only(scene, alice, carol, staff):
    reporter = UserFactory(username="reporter")
    report = services.report_create(reporter, reason="offensive", comment_id=scene["comment"].pk)
    again = services.report_create(reporter, reason="spam", comment_id=scene["comment"].pk)
    assert again.pk == report.pk
    assert list(visible_reports(alice)) == [report]
    assert list(visible_reports(staff)) == [report]
    assert list(visible_reports(carol)) == []


@pytest.mark.django_db(transaction=True)
def test_database_keeps_one_open_report_per_reporter_and_target(scene):
    """The constraint holds on SQLite too, so two racing requests cannot both insert."""
    reporter = UserFactory(username="racer")
    for target in ({"post": scene["post"]}, {"comment": scene["comment"], "post": None}):
        Report.objects.create(reporter=reporter, reason="spam", **target)
        with pytest.raises(IntegrityError), transaction.atomic():
            Report.objects.create(reporter=reporter, reason="other", **target)
    # A settled report does not block a new one.
    Report.objects.filter(reporter=reporter).update(status=Report.Status.DISMISSED)
    Report.objects.create(reporter=reporter, reason="spam", post=scene["post"])


def test_hide_then_restore(scene, alice, carol):
    report = services.report_create(carol, reason="spam", post_id=scene["post"].pk)
    services.report_decide(alice, report.pk, decision="hide")
    viewer = Client()
    viewer.force_login(UserFactory())
    assert viewer.get(f"/posts/{scene['post'].pk}/").status_code == 404
    services.report_decide(alice, report.pk, decision="restore")
    assert viewer.get(f"/posts/{scene['post'].pk}/").status_code == 200


def test_outsider_cannot_decide(scene, carol):
    report = services.report_create(carol, reason="spam", post_id=scene["post"].pk)
    client = Client()
    client.force_login(carol)
    assert client.post(f"/moderation/{report.pk}/", {"decision": "hide"}).status_code == 404
    assert client.get("/moderation/").status_code == 404
    assert Report.objects.get().status == "open"


def test_reporting_invisible_content_is_404(alice, carol):
    secret = group_services.group_create(alice, name="Secret", policy=Group.Policy.SECRET)
    post = posts.post_create(alice, body="caché", visibility="group", group=secret)
    client = Client()
    client.force_login(carol)
    assert client.get(f"/report/?post={post.pk}").status_code == 404


def test_report_through_the_page(scene, carol):
    client = Client()
    client.force_login(carol)
    response = client.post(
        f"/report/?comment={scene['comment'].pk}", {"reason": "personal_data", "details": "tel"}
    )
    assert response.status_code == 302
    assert Report.objects.get().reason == "personal_data"
    assert (
        client.post(f"/report/?comment={scene['comment'].pk}", {"reason": "x"}).status_code == 200
    )


def test_charter_versions_and_acceptance(alice, staff):
    first = services.charter_publish(staff, body="v1")
    client = Client()
    client.force_login(alice)
    page = client.get("/charter/").content.decode()
    assert "v1" in page
    assert client.post("/charter/", {"version": first.pk, "accept": "on"}).status_code == 302
    second = services.charter_publish(staff, body="v2")
    response = client.post("/charter/", {"version": first.pk, "accept": "on"})
    assert response.status_code == 302
    from intranet.moderation.charter import charter_accepted

    assert not charter_accepted(alice)
    client.post("/charter/", {"version": second.pk, "accept": "on"})
    assert charter_accepted(alice)


def test_composer_asks_for_the_charter_and_keeps_the_text(alice, staff):
    version = services.charter_publish(staff, body="Charte")
    client = Client()
    client.force_login(alice)
    response = client.post(
        "/posts/new/", {"body": "Mon texte précieux", "visibility": "organisation"}
    )
    assert response.status_code == 400 and "Mon texte précieux" in response.content.decode()
    response = client.post(
        "/posts/new/",
        {
            "body": "Mon texte précieux",
            "visibility": "organisation",
            "accept_charter": "on",
            "charter_version": version.pk,
        },
    )
    assert response.status_code == 302


def test_only_staff_edit_the_charter(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/charter/edit/").status_code == 403

"""Leavers: anonymisation (content stays, the person goes) and erasure on request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from intranet.accounts.models import AgentSession, User
from intranet.accounts.services import agents_deactivate
from intranet.chat import services as chat_services
from intranet.chat.models import Message
from intranet.privacy import services
from intranet.privacy.models import DataExport, Erasure
from intranet.skills.models import SkillClaim
from intranet.skills.services import agent_skills_set
from intranet.stream.models import Comment, Post
from intranet.stream.services import comments, posts
from tests.search.conftest import index_now


def former_agent() -> str:
    """The name an anonymised agent gets, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Former agent")


@pytest.fixture
def leaver(alice, bob, staff, client):
    """alice, who wrote a post, a comment and a chat message, declared a skill, has a photo
    and a session, then left (deactivated by staff)."""
    post = posts.post_create(alice, body="zqxleaver budget", visibility="organisation")
    comments.comment_create(alice, post.pk, body="zqxleaver comment")
    conversation = chat_services.conversation_named_create(alice, name="Point", agents=[bob])
    upload = SimpleUploadedFile("leaver.txt", b"bytes", content_type="text/plain")
    chat_services.message_send(
        alice,
        conversation.pk,
        body="zqxleaver says",
        idempotency_key="leaver-01",
        attachment=upload,
    )
    agent_skills_set(alice, alice, labels=["Marchés publics"])
    alice.photo.save("alice.png", ContentFile(b"\x89PNG fake"), save=True)
    client.force_login(alice)
    agents_deactivate(staff, [alice.pk])
    alice.refresh_from_db()
    return alice


def test_confirmation_page_says_what_will_be_removed(leaver, staff, client):
    client.force_login(staff)
    html = client.get(reverse("privacy:agent-data", args=[leaver.pk])).content.decode()
    assert "Alice Lefèvre" in html
    counts = {item["name"]: item for item in services.personal_data_counts(leaver)}
    assert counts["stream"]["count"] == 2  # a post and a comment
    assert counts["chat"]["count"] == 1
    assert counts["skills"]["count"] == 1
    assert f"<td>{str(counts['chat']['label']).capitalize()}</td><td>1</td>" in html


def test_anonymisation_keeps_content_and_removes_the_person(
    leaver, staff, client, private_index, django_capture_on_commit_callbacks
):
    photo = leaver.photo.path
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:agent-anonymise", args=[leaver.pk]))
    assert response.status_code == 302
    agent = User.objects.get(pk=leaver.pk)
    assert agent.display_name == former_agent()
    assert (agent.email, agent.phone, agent.directory_dn, agent.photo.name) == ("", "", "", "")
    assert not agent.has_usable_password()
    assert not SkillClaim.objects.filter(agent=agent).exists()
    assert not AgentSession.objects.filter(agent=agent).exists()
    assert Post.objects.filter(author=agent, body="zqxleaver budget").exists()
    assert Erasure.objects.get(agent=agent).kind == Erasure.Kind.ANONYMISE
    import os

    assert not os.path.exists(photo)


def test_anonymised_agent_leaves_pages_and_search(leaver, staff, bob, client, private_index):
    post = Post.objects.get(author=leaver)
    page = reverse("stream:post-detail", args=[post.pk])
    search = reverse("search:search-results")
    index_now()
    client.force_login(bob)
    assert "Lefèvre" in client.get(page).content.decode()  # a leaver still signs their posts
    assert "Lefèvre" in client.get(search, {"q": "zqxleaver"}).content.decode()

    services.agent_anonymise(staff, leaver)
    index_now()

    html = client.get(page).content.decode()
    assert "zqxleaver budget" in html and "Lefèvre" not in html and "Alice" not in html
    assert former_agent() in html
    found = client.get(search, {"q": "zqxleaver"}).content.decode()
    assert "zqxleaver" in found and "Lefèvre" not in found
    assert "Lefèvre" not in client.get(search, {"q": "Lefevre"}).content.decode()
    assert client.get(reverse("people:agent-detail", args=["alice"])).status_code == 404


def test_erasure_needs_a_reason_and_removes_content_and_files(
    leaver, staff, client, django_capture_on_commit_callbacks
):
    attachment = Message.objects.get(sender=leaver).attachment.path
    client.force_login(staff)
    url = reverse("privacy:agent-erase", args=[leaver.pk])
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 400
    assert Post.objects.get(author=leaver).body == "zqxleaver budget"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Demande n° 42 du 1er décembre"})
    assert response.status_code == 302
    assert Post.objects.get(author=leaver).deleted_at is not None
    assert Post.objects.get(author=leaver).body == ""
    assert Comment.objects.get(author=leaver).body == ""
    message = Message.objects.get(sender=leaver)
    assert (message.body, message.attachment.name) == ("", "")
    import os

    assert not os.path.exists(attachment)
    erasure = Erasure.objects.get(agent=leaver)
    assert erasure.kind == Erasure.Kind.ERASE and erasure.reason.startswith("Demande")
    assert User.objects.get(pk=leaver.pk).display_name == former_agent()


def test_active_agent_is_not_anonymised(alice, staff, client):
    client.force_login(staff)
    client.post(reverse("privacy:agent-anonymise", args=[alice.pk]))
    assert User.objects.get(pk=alice.pk).last_name == "Lefèvre"
    assert not Erasure.objects.exists()


def test_non_staff_cannot_anonymise_or_erase(leaver, bob, client):
    client.force_login(bob)
    assert client.post(reverse("privacy:agent-anonymise", args=[leaver.pk])).status_code == 404
    erase = reverse("privacy:agent-erase", args=[leaver.pk])
    assert client.post(erase, {"reason": "x"}).status_code == 404
    assert User.objects.get(pk=leaver.pk).last_name == "Lefèvre"


def test_anonymisation_removes_the_agents_exports(leaver, staff):
    export = services.export_request(staff, agent=leaver)
    services.export_build(export.pk)
    services.agent_anonymise(staff, leaver)
    assert not DataExport.objects.filter(agent=leaver).exists()


@pytest.mark.parametrize(
    "agent_id", ["abc", "0", "-1", "99999999999999999999999", "1 OR 1=1", "%2e%2e"]
)
def test_hostile_agent_ids_are_404(staff, client, agent_id):
    client.force_login(staff)
    assert client.get(f"/my-data/agents/{agent_id}/").status_code == 404
    assert client.post(f"/my-data/agents/{agent_id}/erase/", {"reason": "x"}).status_code == 404


def test_hostile_reason_is_refused_cleanly(leaver, staff, client):
    client.force_login(staff)
    url = reverse("privacy:agent-erase", args=[leaver.pk])
    response = client.post(url, {"reason": "<script>x</script>" * 200})
    assert response.status_code == 400
    assert "<script>x" not in response.content.decode()
    assert client.post(url, {"reason": "\x00"}).status_code == 400


def test_directory_leavers_are_anonymised_after_the_setting(settings, staff, finance):
    from tests.factories import UserFactory

    long_gone = UserFactory(
        username="gone", source="directory", is_active=False,
        left_at=timezone.now() - timedelta(days=40),
    )  # fmt: skip
    recent = UserFactory(
        username="recent", source="directory", is_active=False,
        left_at=timezone.now() - timedelta(days=5),
    )  # fmt: skip
    assert services.leavers_anonymise() == 0  # off by default
    settings.TRANSVERSE_ANONYMISE_LEAVERS_AFTER_DAYS = 30
    assert services.leavers_anonymise() == 1
    assert User.objects.get(pk=long_gone.pk).display_name == former_agent()
    assert User.objects.get(pk=recent.pk).username == "recent"
    assert services.leavers_anonymise() == 0  # done once


def test_sessions_are_ended(alice, staff, client):
    client.force_login(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    alice.refresh_from_db()
    assert Session.objects.exists()
    services.agent_anonymise(staff, alice)
    assert not Session.objects.exists()


def test_anonymisation_and_erasure_are_audited_without_the_name(leaver, staff, client):
    from intranet.audit import kinds
    from intranet.audit.models import AuditEntry

    client.force_login(staff)
    client.post(reverse("privacy:agent-erase", args=[leaver.pk]), {"reason": "Demande 42"})
    (entry,) = AuditEntry.objects.filter(kind=kinds.DATA_ERASED)
    assert entry.actor == staff and entry.target_id == str(leaver.pk)
    assert entry.details["counts"]["stream"] == 2
    assert "Lefèvre" not in str(AuditEntry.objects.values_list("target_label", "actor_label"))


def test_staff_find_departed_agents_to_act_on(leaver, bob, staff, client):
    client.force_login(bob)
    assert client.get(reverse("privacy:leaver-list")).status_code == 404
    client.force_login(staff)
    url = reverse("privacy:leaver-list")
    html = client.get(url, {"q": "lefevre"}).content.decode()
    assert reverse("privacy:agent-data", args=[leaver.pk]) in html
    assert "Lefèvre" not in client.get(url, {"q": "martin"}).content.decode()
    hostile = client.get(url, {"q": "%' OR 1=1 --" * 20 + "\x00"})
    assert hostile.status_code == 200
    services.agent_anonymise(staff, leaver)
    assert "Lefèvre" not in client.get(url).content.decode()  # done: off the list

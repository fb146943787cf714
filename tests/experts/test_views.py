"""Pages of the experts app: who may open what (404 like missing, 403 for read-only),
forms with bad input, and the finder page."""

import datetime

import pytest
from django.urls import reverse

from intranet.experts import services
from intranet.experts.models import Ambassador
from intranet.skills.models import SkillClaim
from intranet.skills.services import skill_claim_add


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["expert-finder", "theme-list", "coverage", "invitation-list"])
def test_agent_pages_open_for_agents_and_redirect_visitors(client, alice, rgpd_theme, name):
    assert client.get(reverse(f"experts:{name}")).status_code == 302
    assert login(client, alice).get(reverse(f"experts:{name}")).status_code == 200


def test_staff_pages_are_forbidden_to_agents(client, alice, rgpd_theme):
    login(client, alice)
    for url in (
        reverse("experts:theme-create"),
        reverse("experts:theme-edit", args=[rgpd_theme.slug]),
        reverse("experts:ambassador-invite"),
    ):
        assert client.get(url).status_code == 403, url


def test_inactive_theme_is_404_for_agents(client, staff, alice, rgpd_theme):
    rgpd_theme.is_active = False
    rgpd_theme.save()
    url = reverse("experts:theme-detail", args=[rgpd_theme.slug])
    assert login(client, alice).get(url).status_code == 404
    assert login(client, staff).get(url).status_code == 200


def test_finder_page_explains_and_escapes(client, alice, carol, rgpd):
    skill_claim_add(alice, alice, label="RGPD", level=SkillClaim.Level.EXPERT)
    response = login(client, carol).get(reverse("experts:expert-finder"), {"q": "GDPR"})
    assert response.status_code == 200
    assert "Alice Lefèvre" in response.content.decode()
    response = client.get(reverse("experts:expert-finder"), {"q": "<script>x</script>"})
    assert response.status_code == 200
    assert b"<script>x</script>" not in response.content
    response = client.get(reverse("experts:expert-finder"), {"q": "x" * 5000, "level": "9"})
    assert response.status_code == 200


def test_staff_create_theme_with_unknown_skill_gets_a_message(client, staff, rgpd):
    response = login(client, staff).post(
        reverse("experts:theme-create"),
        {"name": "Données", "skills": "GDPR, Astrophysique", "topics": "rgpd"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Compétences inconnues" in page and "Astrophysique" in page
    response = client.post(
        reverse("experts:theme-create"), {"name": "Données", "skills": "GDPR", "topics": "rgpd"}
    )
    assert response.status_code == 302


def test_animator_invites_then_agent_accepts_through_pages(client, bob, alice, rgpd_theme):
    login(client, bob)
    response = client.post(
        reverse("experts:ambassador-invite"),
        {
            "theme": rgpd_theme.slug,
            "department": alice.department_id,
            "agent": "ALICE",
            "starts_on": datetime.date.today().isoformat(),
        },
    )
    assert response.status_code == 302
    ambassador = Ambassador.objects.get()
    login(client, alice)
    assert "RGPD" in client.get(reverse("experts:invitation-list")).content.decode()
    client.post(reverse("experts:ambassador-respond", args=[ambassador.pk]), {"accept": "1"})
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.ACTIVE
    page = client.get(reverse("experts:theme-detail", args=[rgpd_theme.slug])).content.decode()
    assert "Alice Lefèvre" in page
    profile = client.get(reverse("people:agent-detail", args=["alice"])).content.decode()
    assert reverse("experts:theme-detail", args=[rgpd_theme.slug]) in profile


def test_invite_form_refuses_bad_input(client, bob, alice, rgpd_theme):
    login(client, bob)
    for data in (
        {"theme": "nope", "department": alice.department_id, "agent": "alice", "starts_on": "x"},
        {
            "theme": rgpd_theme.slug,
            "department": 999999,
            "agent": "alice",
            "starts_on": "2026-01-01",
        },
        {
            "theme": rgpd_theme.slug,
            "department": alice.department_id,
            "agent": "nobody\x00",
            "starts_on": "2026-01-01",
        },
    ):
        assert client.post(reverse("experts:ambassador-invite"), data).status_code == 200
    assert not Ambassador.objects.exists()


def test_someone_else_cannot_end_or_answer(client, bob, alice, carol, rgpd_theme):
    ambassador = services.ambassador_invite(
        bob,
        theme=rgpd_theme,
        department=alice.department,
        agent=alice,
        starts_on=datetime.date.today(),
    )
    login(client, carol)
    assert client.get(reverse("experts:ambassador-end", args=[ambassador.pk])).status_code == 404
    response = client.post(reverse("experts:ambassador-respond", args=[ambassador.pk]))
    assert response.status_code == 404
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.INVITED


def test_admin_lists_themes_and_ambassadors(client, staff, rgpd_theme):
    login(client, staff)
    for url in ("/admin/experts/theme/", "/admin/experts/ambassador/"):
        assert client.get(url).status_code == 200, url


def test_profile_lists_accepted_answers_the_reader_may_see(client, alice, carol, rgpd_theme):
    from django.utils import timezone

    from intranet.groups.models import Group
    from intranet.groups.services import group_create
    from intranet.questions.models import Answer, Question

    secret = group_create(alice, name="Cellule", policy=Group.Policy.SECRET)
    for title, group, asker in (
        ("Durée de conservation ?", None, carol),
        ("Dossier confidentiel ?", secret, alice),
    ):
        question = Question.objects.create(author=asker, theme=rgpd_theme, title=title, group=group)
        Answer.objects.create(
            question=question, author=alice, body="!", is_accepted=True, accepted_at=timezone.now()
        )
    page = login(client, carol).get(reverse("people:agent-detail", args=["alice"])).content
    assert "Durée de conservation" in page.decode()
    assert "Dossier confidentiel" not in page.decode()


def test_theme_page_offers_to_end_a_mandate_only_to_who_may(client, bob, alice, dave, rgpd_theme):
    ambassador = services.ambassador_invite(
        bob,
        theme=rgpd_theme,
        department=alice.department,
        agent=alice,
        starts_on=datetime.date.today(),
    )
    services.ambassador_respond(alice, ambassador.pk, accept=True)
    end_url = reverse("experts:ambassador-end", args=[ambassador.pk])
    page_url = reverse("experts:theme-detail", args=[rgpd_theme.slug])
    assert end_url in login(client, bob).get(page_url).content.decode()
    assert end_url in login(client, alice).get(page_url).content.decode()
    assert end_url not in login(client, dave).get(page_url).content.decode()
    assert client.get(end_url).status_code == 403
    login(client, bob).post(end_url)
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.ENDED


def test_theme_page_leads_to_asking_and_to_its_faq(client, alice, rgpd_theme):
    page = login(client, alice).get(reverse("experts:theme-detail", args=[rgpd_theme.slug]))
    html = page.content.decode()
    assert reverse("questions:theme-faq", args=[rgpd_theme.slug]) in html
    assert f"{reverse('questions:question-ask')}?theme={rgpd_theme.slug}" in html

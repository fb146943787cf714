"""Skill pages: an agent's own claims, endorsing from a profile, staff curation (403 for
agents), with the paths they had before skills had an app of their own."""

import pytest
from django.urls import reverse

from intranet.skills.models import Endorsement, Skill, SkillClaim
from intranet.skills.services import skill_claim_add


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "args", "path"),
    [
        ("skill-claims", ["alice"], "/people/alice/skills/"),
        ("skill-claim-update", ["alice", 7], "/people/alice/skills/7/"),
        ("skill-claim-endorse", ["alice", 7], "/people/alice/skills/7/endorse/"),
        ("skill-list", [], "/experts/skills/"),
        ("skill-create", [], "/experts/skills/new/"),
        ("skill-edit", [7], "/experts/skills/7/"),
        ("skill-merge", [7], "/experts/skills/7/merge/"),
    ],
)
def test_skill_pages_keep_their_paths(name, args, path):
    assert reverse(f"skills:{name}", args=args) == path


def test_curation_pages_are_forbidden_to_agents(client, alice, rgpd):
    login(client, alice)
    for url in (
        reverse("skills:skill-list"),
        reverse("skills:skill-edit", args=[rgpd.pk]),
        reverse("skills:skill-merge", args=[rgpd.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("skills:skill-create"), {"label": "Budget"}).status_code == 403
    assert Skill.objects.count() == 1


def test_endorse_and_withdraw_from_the_profile(client, alice, carol, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    login(client, carol)
    url = reverse("skills:skill-claim-endorse", args=["alice", claim.pk])
    assert client.post(url, {"endorse": "1"}).status_code == 302
    assert client.post(url, {"endorse": "1"}).status_code == 302
    assert Endorsement.objects.count() == 1
    page = client.get(reverse("people:agent-detail", args=["alice"])).content.decode()
    assert 'aria-pressed="true"' in page
    client.post(url, {"endorse": "0"})
    assert not Endorsement.objects.exists()


def test_self_endorsement_through_the_page_is_refused(client, alice, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    login(client, alice)
    client.post(reverse("skills:skill-claim-endorse", args=["alice", claim.pk]))
    assert not Endorsement.objects.exists()


def test_agent_manages_own_skills_only(client, alice, carol, rgpd):
    login(client, alice)
    url = reverse("skills:skill-claims", args=["alice"])
    response = client.post(url, {"label": "gdpr", "level": "3", "accepts_requests": "on"})
    assert response.status_code == 302
    claim = SkillClaim.objects.get(agent=alice)
    assert (claim.skill, claim.level, claim.accepts_requests) == (rgpd, 3, True)
    assert client.get(reverse("skills:skill-claims", args=["carol"])).status_code == 403
    login(client, carol)
    update = reverse("skills:skill-claim-update", args=["alice", claim.pk])
    assert client.post(update, {"remove": "1"}).status_code == 403
    assert SkillClaim.objects.filter(pk=claim.pk).exists()


def test_staff_merge_needs_confirmation(client, staff, alice, rgpd):
    proposed = skill_claim_add(alice, alice, label="Données perso").skill
    login(client, staff)
    url = reverse("skills:skill-merge", args=[proposed.pk])
    assert client.post(url, {"into": "GDPR"}).status_code == 200
    assert Skill.objects.filter(pk=proposed.pk).exists()
    assert client.post(url, {"into": "GDPR", "confirm": "on"}).status_code == 302
    assert not Skill.objects.filter(pk=proposed.pk).exists()
    assert SkillClaim.objects.get(agent=alice).skill == rgpd


def test_staff_rename_and_synonym_collision_message(client, staff, rgpd):
    budget = Skill.objects.create(label="Budget", key="budget")
    budget.aliases.create(label="Budget", key="budget")
    login(client, staff)
    response = client.post(
        reverse("skills:skill-edit", args=[budget.pk]), {"label": "Budget", "synonyms": "GDPR"}
    )
    assert "désigne déjà la compétence" in response.content.decode()
    response = client.post(
        reverse("skills:skill-edit", args=[budget.pk]),
        {"label": "Finances publiques", "synonyms": "Budget public"},
    )
    assert response.status_code == 302
    assert client.get(reverse("skills:skill-list"), {"q": "budget"}).status_code == 200


def test_admin_lists_skills_under_their_app(client, staff, rgpd):
    login(client, staff)
    for url in ("/admin/skills/skill/", f"/admin/skills/skill/{rgpd.pk}/change/"):
        assert client.get(url).status_code == 200, url

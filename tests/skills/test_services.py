"""Skills taxonomy: spellings and synonyms resolve to one skill, claims with levels,
proposals, staff curation (rename, synonyms, merge) and endorsement rules."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from intranet.experts.services import theme_create
from intranet.skills.models import Endorsement, Skill, SkillAlias, SkillClaim
from intranet.skills.services import (
    agent_skills_set,
    curation,
    endorsement_add,
    endorsement_remove,
    skill_claim_add,
    skill_claim_remove,
    skill_claim_update,
    skill_resolve,
)
from tests.factories import UserFactory

Level = SkillClaim.Level


@pytest.mark.parametrize(
    "spelling",
    [
        "RGPD",
        "rgpd",
        " Rgpd ",
        "GDPR",
        "gdpr",
        "protection des donnees personnelles",
        "PROTECTION DES DONNÉES   PERSONNELLES",
    ],
)
def test_every_spelling_and_synonym_resolves_to_one_skill(rgpd, spelling):
    assert skill_resolve(spelling) == rgpd


def test_unknown_spelling_resolves_to_nothing(rgpd):
    assert skill_resolve("Comptabilité") is None
    assert skill_resolve("") is None


def test_claiming_a_synonym_claims_the_canonical_skill(alice, rgpd):
    claim = skill_claim_add(alice, alice, label="gdpr", level=Level.EXPERT, accepts_requests=True)
    assert (claim.skill, claim.level, claim.accepts_requests) == (rgpd, Level.EXPERT, True)
    assert Skill.objects.count() == 1


def test_claiming_again_updates_the_same_claim(alice, rgpd):
    skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    skill_claim_add(alice, alice, label="GDPR", level=Level.EXPERT)
    assert list(SkillClaim.objects.values_list("level", flat=True)) == [Level.EXPERT]


def test_unknown_label_becomes_a_proposed_skill(alice):
    claim = skill_claim_add(alice, alice, label="  Cybersécurité  ", level=Level.PRACTICE)
    assert claim.skill.label == "Cybersécurité"
    assert claim.skill.status == Skill.Status.PROPOSED
    assert claim.skill.proposed_by == alice
    assert skill_resolve("cybersecurite") == claim.skill


def test_empty_label_is_refused_with_a_message(alice, english):
    with pytest.raises(ValidationError) as error:
        skill_claim_add(alice, alice, label=" \x00 ", level=Level.PRACTICE)
    assert error.value.messages == ["Name the skill."]
    assert not Skill.objects.exists()


def test_unknown_level_is_refused(alice, rgpd):
    with pytest.raises(ValueError):
        skill_claim_add(alice, alice, label="RGPD", level=7)
    assert not SkillClaim.objects.exists()


def test_agent_cannot_claim_for_someone_else(alice, carol, rgpd):
    with pytest.raises(PermissionDenied):
        skill_claim_add(alice, carol, label="RGPD")


def test_only_the_claimant_changes_or_removes_a_claim(alice, carol, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    with pytest.raises(PermissionDenied):
        skill_claim_update(carol, claim.pk, level=Level.NOTIONS, accepts_requests=False)
    with pytest.raises(PermissionDenied):
        skill_claim_remove(carol, claim.pk)
    skill_claim_update(alice, claim.pk, level=Level.NOTIONS, accepts_requests=True)
    claim.refresh_from_db()
    assert (claim.level, claim.accepts_requests) == (Level.NOTIONS, True)
    skill_claim_remove(alice, claim.pk)
    assert not SkillClaim.objects.exists()


# Endorsements


def test_colleague_endorses_once_whatever_the_clicks(alice, carol, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    first = endorsement_add(carol, claim.pk)
    second = endorsement_add(carol, claim.pk)
    assert first == second
    assert Endorsement.objects.count() == 1


def test_nobody_endorses_themselves(alice, rgpd, english):
    claim = skill_claim_add(alice, alice, label="RGPD")
    with pytest.raises(ValidationError) as error:
        endorsement_add(alice, claim.pk)
    assert error.value.messages == ["You cannot endorse your own skill."]
    assert not Endorsement.objects.exists()


def test_endorsement_is_removable(alice, carol, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    endorsement_add(carol, claim.pk)
    endorsement_remove(carol, claim.pk)
    assert not Endorsement.objects.exists()


def test_claims_of_agents_one_may_not_see_answer_404(alice, former, rgpd):
    """A former agent's claims are invisible (accounts access model): no endorsement."""
    claim = SkillClaim.objects.create(agent=former, skill=rgpd)
    with pytest.raises(Http404):
        endorsement_add(alice, claim.pk)
    with pytest.raises(Http404):
        endorsement_add(alice, "not-a-number")


def test_inactive_agent_cannot_endorse(alice, former, rgpd):
    claim = skill_claim_add(alice, alice, label="RGPD")
    with pytest.raises(Http404):
        endorsement_add(former, claim.pk)


# Curation by staff


def test_only_staff_curate(alice, rgpd):
    with pytest.raises(PermissionDenied):
        curation.skill_create(alice, label="Budget")
    with pytest.raises(PermissionDenied):
        curation.skill_rename(alice, rgpd, label="Données")
    with pytest.raises(PermissionDenied):
        curation.skill_merge(alice, rgpd, into=rgpd)


def test_synonym_already_used_by_another_skill_is_refused(staff, rgpd, english):
    budget = curation.skill_create(staff, label="Budget")
    with pytest.raises(ValidationError) as error:
        curation.skill_synonyms_set(staff, budget, labels=["gdpr"])
    assert error.value.messages == [
        "“gdpr” already stands for the skill “RGPD”: merge them instead."
    ]
    assert skill_resolve("GDPR") == rgpd


def test_creating_a_skill_twice_is_refused(staff, rgpd):
    with pytest.raises(ValidationError):
        curation.skill_create(staff, label="Rgpd")
    with pytest.raises(ValidationError):
        curation.skill_create(staff, label="GDPR")
    assert Skill.objects.count() == 1


def test_rename_keeps_the_former_label_as_a_synonym(staff, rgpd):
    curation.skill_rename(staff, rgpd, label="Protection des données (RGPD)")
    assert skill_resolve("rgpd") == rgpd
    assert skill_resolve("protection des donnees (rgpd)") == rgpd
    rgpd.refresh_from_db()
    assert rgpd.label == "Protection des données (RGPD)"


def test_synonyms_set_replaces_the_previous_ones_but_keeps_the_label(staff, rgpd):
    curation.skill_synonyms_set(staff, rgpd, labels=["DSGVO"])
    assert set(SkillAlias.objects.values_list("key", flat=True)) == {"rgpd", "dsgvo"}


def test_accepting_a_proposed_skill(staff, alice):
    claim = skill_claim_add(alice, alice, label="Cybersécurité")
    curation.skill_accept(staff, claim.skill)
    claim.skill.refresh_from_db()
    assert claim.skill.status == Skill.Status.ACCEPTED


def test_merge_moves_claims_spellings_and_themes(staff, alice, carol, rgpd):
    proposed = skill_claim_add(carol, carol, label="Données perso", level=Level.EXPERT).skill
    theme = theme_create(staff, name="Données", skills=[proposed])
    curation.skill_merge(staff, proposed, into=rgpd)
    assert not Skill.objects.filter(pk=proposed.pk).exists()
    assert skill_resolve("donnees perso") == rgpd
    assert SkillClaim.objects.get(agent=carol).skill == rgpd
    assert list(theme.skills.all()) == [rgpd]


def test_merge_collapses_duplicates_keeping_the_highest_level_and_endorsements(
    staff, alice, carol, rgpd
):
    dave = UserFactory(username="dave")
    other = curation.skill_create(staff, label="Données personnelles")
    kept = skill_claim_add(alice, alice, label="RGPD", level=Level.NOTIONS)
    merged = skill_claim_add(
        alice, alice, label="Données personnelles", level=Level.EXPERT, accepts_requests=True
    )
    endorsement_add(carol, kept.pk)
    endorsement_add(carol, merged.pk)  # the same colleague on both: one endorsement stays
    endorsement_add(dave, merged.pk)
    curation.skill_merge(staff, other, into=rgpd)
    claim = SkillClaim.objects.get(agent=alice)
    assert (claim.pk, claim.skill, claim.level, claim.accepts_requests) == (
        kept.pk,
        rgpd,
        Level.EXPERT,
        True,
    )
    endorsers = set(claim.endorsements.values_list("endorser__username", flat=True))
    assert endorsers == {"carol", "dave"}
    assert Endorsement.objects.count() == 2


def test_merge_into_itself_is_refused(staff, rgpd):
    with pytest.raises(ValidationError):
        curation.skill_merge(staff, rgpd, into=rgpd)


def test_hostile_labels_are_stored_as_text(alice):
    label = "<script>alert(1)</script>" + "x" * 200
    claim = skill_claim_add(alice, alice, label=label)
    assert claim.skill.label == label[:80]
    assert skill_resolve(label) == claim.skill


def test_claimant_is_notified_of_an_endorsement_while_the_claim_exists(alice, carol, rgpd, english):
    from intranet.notifications.selectors import notification_list, visible_notifications

    claim = skill_claim_add(alice, alice, label="RGPD")
    endorsement_add(carol, claim.pk)
    endorsement_add(carol, claim.pk)  # a second click notifies nobody again
    (item,) = notification_list(alice)
    assert item.text == "Carol N'Diaye endorses your skill: RGPD"
    assert item.url == "/people/alice/#skills-heading"
    skill_claim_remove(alice, claim.pk)
    assert not visible_notifications(alice).exists()


# Skills set from the profile form


def test_skill_spellings_fold_into_one_skill(alice):
    agent_skills_set(alice, alice, labels=["RGPD", "rgpd", "Rgpd ", "  Marchés   publics"])
    assert list(Skill.objects.values_list("label", flat=True)) == ["Marchés publics", "RGPD"]
    assert SkillClaim.objects.filter(agent=alice).count() == 2


def test_skills_are_shared_between_agents_whatever_the_spelling(alice, carol):
    agent_skills_set(alice, alice, labels=["RGPD"])
    agent_skills_set(carol, carol, labels=["rgpd"])
    assert Skill.objects.count() == 1
    assert SkillClaim.objects.count() == 2


def test_setting_skills_replaces_the_previous_ones(alice):
    agent_skills_set(alice, alice, labels=["RGPD", "Budget"])
    agent_skills_set(alice, alice, labels=["budget", "Paie"])
    claimed = set(SkillClaim.objects.filter(agent=alice).values_list("skill__key", flat=True))
    assert claimed == {"budget", "paie"}

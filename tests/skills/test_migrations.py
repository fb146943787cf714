"""The skill models moved from people to their own app without losing anything: a database
holding skills, synonyms, related skills, claims, endorsements, a theme, a granted
permission and a notification, as the people app left them, is migrated across the move
(Django's MigrationExecutor, as in Django's own migration tests) and every row, relation
and reference is found again, under the new tables; and the move can be undone."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from tests.factories import UserFactory
from tests.migrating import latest, migrate, tables, world_before

# The last migrations before the move, and none of the skills app.
BEFORE = [("people", "0003_skill_taxonomy"), ("experts", "0001_initial"), ("skills", None)]
OLD_TABLES = {
    "people_skill",
    "people_skillalias",
    "people_skillclaim",
    "people_endorsement",
    "people_skill_related",
}
NEW_TABLES = {
    "skills_skill",
    "skills_skillalias",
    "skills_skillclaim",
    "skills_endorsement",
    "skills_skill_related",
}

pytestmark = pytest.mark.django_db(transaction=True)


old_world = world_before(BEFORE)


def fill(apps):
    """Rows as the people app wrote them, through the models of that time."""
    Skill = apps.get_model("people", "Skill")
    SkillAlias = apps.get_model("people", "SkillAlias")
    SkillClaim = apps.get_model("people", "SkillClaim")
    Endorsement = apps.get_model("people", "Endorsement")
    Theme = apps.get_model("experts", "Theme")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Notification = apps.get_model("notifications", "Notification")

    alice, carol, clerk = (UserFactory(username=name) for name in ("alice", "carol", "clerk"))
    rgpd = Skill.objects.create(label="RGPD", key="rgpd")
    budget = Skill.objects.create(label="Budget", key="budget")
    proposed = Skill.objects.create(
        label="Données perso", key="donnees perso", status="proposed", proposed_by_id=carol.pk
    )
    for skill, label in (
        (rgpd, "RGPD"),
        (rgpd, "GDPR"),
        (budget, "Budget"),
        (proposed, "Données perso"),
    ):
        SkillAlias.objects.create(skill=skill, label=label, key=label.lower())
    rgpd.related.add(budget)  # both ways, as the symmetrical field of the app writes it
    budget.related.add(rgpd)
    claim = SkillClaim.objects.create(agent_id=alice.pk, skill=rgpd, level=3, accepts_requests=True)
    SkillClaim.objects.create(agent_id=carol.pk, skill=proposed, level=1)
    Endorsement.objects.create(claim=claim, endorser_id=carol.pk)
    Theme.objects.create(name="Données", slug="donnees").skills.add(rgpd, proposed)
    claim_type = ContentType.objects.get(app_label="people", model="skillclaim")
    skill_type = ContentType.objects.get(app_label="people", model="skill")
    permission = Permission.objects.get(content_type=skill_type, codename="change_skill")
    apps.get_model("accounts", "User").objects.get(pk=clerk.pk).user_permissions.add(permission)
    Notification.objects.create(
        recipient_id=alice.pk,
        actor_id=carol.pk,
        kind="endorsement_received",
        target_type=claim_type,
        target_id=claim.pk,
        channel="digest",
    )
    return {"rgpd": rgpd.pk, "budget": budget.pk, "proposed": proposed.pk, "claim": claim.pk}


def test_every_row_relation_and_reference_survives_the_move(old_world):
    """(Migrating back takes seconds: one test reads the whole moved world.)"""
    assert tables() >= OLD_TABLES and not NEW_TABLES & tables()
    ids = fill(old_world)
    migrate(latest())
    assert tables() >= NEW_TABLES and not OLD_TABLES & tables()
    check_rows_and_relations(ids)
    check_notifications_and_permissions(ids)
    check_new_rows_under_the_constraints(ids)


def check_rows_and_relations(ids):
    from intranet.experts.models import Theme
    from intranet.skills.models import Endorsement, Skill, SkillAlias, SkillClaim

    rgpd, proposed = Skill.objects.get(pk=ids["rgpd"]), Skill.objects.get(pk=ids["proposed"])
    assert (rgpd.label, rgpd.status) == ("RGPD", "accepted")
    assert (proposed.status, proposed.proposed_by.username) == ("proposed", "carol")
    assert [s.pk for s in rgpd.related.all()] == [ids["budget"]]
    assert [s.pk for s in Skill.objects.get(pk=ids["budget"]).related.all()] == [ids["rgpd"]]
    assert set(SkillAlias.objects.values_list("key", "skill_id")) == {
        ("rgpd", ids["rgpd"]),
        ("gdpr", ids["rgpd"]),
        ("budget", ids["budget"]),
        ("données perso", ids["proposed"]),
    }
    claim = SkillClaim.objects.get(pk=ids["claim"])
    assert (claim.agent.username, claim.skill, claim.level, claim.accepts_requests) == (
        "alice",
        rgpd,
        3,
        True,
    )
    assert SkillClaim.objects.count() == 2
    assert [e.endorser.username for e in claim.endorsements.all()] == ["carol"]
    assert Endorsement.objects.count() == 1
    assert set(Theme.objects.get(slug="donnees").skills.all()) == {rgpd, proposed}


def check_notifications_and_permissions(ids):
    """Both point at content types by id: the rows keep their ids and change app label."""
    from intranet.accounts.models import User
    from intranet.notifications.models import Notification
    from intranet.notifications.selectors import visible_notifications
    from intranet.skills.models import SkillClaim

    assert not ContentType.objects.filter(app_label="people").exists()
    notification = Notification.objects.get()
    assert notification.target == SkillClaim.objects.get(pk=ids["claim"])
    alice = User.objects.get(username="alice")
    assert list(visible_notifications(alice)) == [notification]
    assert User.objects.get(username="clerk").has_perm("skills.change_skill")


def check_new_rows_under_the_constraints(ids):
    from intranet.skills.models import Endorsement, Skill, SkillClaim
    from intranet.skills.services import skill_claim_add, skill_resolve

    dave = UserFactory(username="dave")
    claim = skill_claim_add(dave, dave, label="gdpr")
    assert claim.skill.pk == ids["rgpd"] and claim.pk > ids["claim"]
    assert skill_resolve("Budget") == Skill.objects.get(pk=ids["budget"])
    with pytest.raises(IntegrityError), transaction.atomic():
        SkillClaim.objects.create(agent=dave, skill_id=ids["rgpd"])
    carol_endorsement = Endorsement.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Endorsement.objects.create(
            claim_id=carol_endorsement.claim_id, endorser_id=carol_endorsement.endorser_id
        )


def test_the_move_can_be_undone_keeping_every_row(old_world):
    ids = fill(old_world)
    migrate(latest())
    apps = migrate(BEFORE)

    assert tables() >= OLD_TABLES and not NEW_TABLES & tables()
    claim = apps.get_model("people", "SkillClaim").objects.get(pk=ids["claim"])
    assert (claim.skill_id, claim.level, claim.endorsements.count()) == (ids["rgpd"], 3, 1)
    assert apps.get_model("people", "Skill").objects.count() == 3
    notification = apps.get_model("notifications", "Notification").objects.get()
    assert (notification.target_type.app_label, notification.target_type.model) == (
        "people",
        "skillclaim",
    )

"""Skills: resolving spellings and synonyms, agents' claims with their level, endorsements.

Every label goes through fold() and the alias table, so "GDPR", "gdpr" and "RGPD" lead to
the same skill once staff made GDPR a synonym. A label nobody knows becomes a proposed
skill (services.curation lets staff accept, rename or merge it).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intranet.accounts.access import access_agent
from intranet.accounts.models import User
from intranet.core.text import fold, without_nul
from intranet.notifications.models import Kind
from intranet.notifications.services import notify
from intranet.search.services import search_index_later
from intranet.skills.access import access_skill_claim, can_endorse_claim
from intranet.skills.models import Endorsement, Skill, SkillAlias, SkillClaim

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 80


def skill_labels_normalise(labels) -> list[str]:
    """Trim, drop empties and keep the first spelling of each folded skill."""
    seen, result = set(), []
    for raw in labels:
        label = " ".join(without_nul(str(raw)).split())[:MAX_SKILL_LENGTH]
        key = fold(label)
        if key and key not in seen:
            seen.add(key)
            result.append(label)
    return result


def skill_key(label) -> str:
    """The folded key a label is stored and looked up under (trimmed like stored labels)."""
    return fold(" ".join(without_nul(str(label)).split())[:MAX_SKILL_LENGTH])


def skills_resolve(labels) -> dict[str, Skill]:
    """skill_key -> skill for every label that is a skill's label or one of its synonyms."""
    keys = {skill_key(label) for label in labels} - {""}
    aliases = SkillAlias.objects.filter(key__in=keys).select_related("skill")
    return {alias.key: alias.skill for alias in aliases}


def skill_resolve(label: str) -> Skill | None:
    """The one skill any spelling or synonym of label stands for, or None."""
    return skills_resolve([label]).get(skill_key(label))


def skills_get_or_create(labels, *, status=Skill.Status.ACCEPTED, proposed_by=None) -> list[Skill]:
    """Skills for labels (synonyms resolved); unknown labels become new skills with status."""
    labels = skill_labels_normalise(labels)
    keys = {fold(label): label for label in labels}
    found = skills_resolve(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        Skill.objects.bulk_create(
            [Skill(key=k, label=keys[k], status=status, proposed_by=proposed_by) for k in missing],
            ignore_conflicts=True,
        )
        created = Skill.objects.filter(key__in=missing)
        SkillAlias.objects.bulk_create(
            [SkillAlias(skill=skill, key=skill.key, label=skill.label) for skill in created],
            ignore_conflicts=True,
        )
        found = skills_resolve(keys)
    result, seen = [], set()
    for key in keys:
        skill = found[key]
        if skill.pk not in seen:  # "RGPD, GDPR" is one skill
            seen.add(skill.pk)
            result.append(skill)
    return result


@transaction.atomic
def agent_skills_set(actor, agent: User, *, labels) -> list[Skill]:
    """Replace agent's skills by labels; kept claims keep their level and endorsements."""
    access_agent(actor, agent.username, for_write=True)
    skills = skills_get_or_create(labels, status=Skill.Status.PROPOSED, proposed_by=agent)
    wanted = {s.pk for s in skills}
    SkillClaim.objects.filter(agent=agent).exclude(skill_id__in=wanted).delete()
    have = set(SkillClaim.objects.filter(agent=agent).values_list("skill_id", flat=True))
    SkillClaim.objects.bulk_create(
        [SkillClaim(agent=agent, skill_id=pk) for pk in wanted - have], ignore_conflicts=True
    )
    search_index_later(agent)
    return skills


@transaction.atomic
def skill_claim_add(
    actor,
    agent: User,
    *,
    label: str,
    level: int = SkillClaim.Level.PRACTICE,
    accepts_requests: bool = False,
) -> SkillClaim:
    """agent claims the skill label stands for (proposed if unknown), or updates the claim."""
    agent = access_agent(actor, agent.username, for_write=True)
    labels = skill_labels_normalise([label])
    if not labels:
        raise ValidationError(_("Name the skill."))
    level = SkillClaim.Level(int(level))
    (skill,) = skills_get_or_create(labels, status=Skill.Status.PROPOSED, proposed_by=agent)
    claim = SkillClaim.objects.filter(agent=agent, skill=skill).first()
    if claim is None:
        if SkillClaim.objects.filter(agent=agent).count() >= MAX_SKILLS:
            raise ValidationError(_("At most %(max)d skills, please."), params={"max": MAX_SKILLS})
        claim = SkillClaim(agent=agent, skill=skill)
    claim.level, claim.accepts_requests = level, bool(accepts_requests)
    claim.save()
    search_index_later(agent)
    return claim


@transaction.atomic
def skill_claim_update(actor, claim_id, *, level: int, accepts_requests: bool) -> SkillClaim:
    claim = access_skill_claim(actor, claim_id, for_write=True)
    claim.level, claim.accepts_requests = SkillClaim.Level(int(level)), bool(accepts_requests)
    claim.save(update_fields=["level", "accepts_requests"])
    return claim


@transaction.atomic
def skill_claim_remove(actor, claim_id) -> None:
    claim = access_skill_claim(actor, claim_id, for_write=True)
    claim.delete()  # its endorsements go with it
    search_index_later(claim.agent)


@transaction.atomic
def endorsement_add(actor, claim_id) -> Endorsement:
    """actor vouches for a colleague's claim; a second click changes nothing."""
    claim = access_skill_claim(actor, claim_id)
    if claim.agent_id == actor.pk:
        raise ValidationError(_("You cannot endorse your own skill."))
    if not can_endorse_claim(actor, claim):
        raise PermissionDenied
    existing = Endorsement.objects.filter(claim=claim, endorser=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(claim=claim, endorser=actor)
    except IntegrityError:  # the same click twice at once
        return Endorsement.objects.get(claim=claim, endorser=actor)
    notify(claim.agent, Kind.ENDORSEMENT_RECEIVED, actor=actor, target=claim)
    return endorsement


@transaction.atomic
def endorsement_remove(actor, claim_id) -> None:
    claim = access_skill_claim(actor, claim_id)
    Endorsement.objects.filter(claim=claim, endorser=actor).delete()

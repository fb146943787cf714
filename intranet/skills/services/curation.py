"""Staff curate the skills taxonomy: create, accept, rename, synonyms, related, merge.

Every synonym is a row of SkillAlias with a unique folded key, so a spelling can never
point at two skills; a collision is refused with a message naming the skill that owns it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from intranet.core.text import fold
from intranet.search.services import search_index_later
from intranet.skills.access import can_curate_skills
from intranet.skills.models import Endorsement, Skill, SkillAlias, SkillClaim
from intranet.skills.services.claims import skill_labels_normalise

MAX_SYNONYMS = 30


def _require_curator(actor) -> None:
    if not can_curate_skills(actor):
        raise PermissionDenied


def _one_label(label: str) -> str:
    labels = skill_labels_normalise([label])
    if not labels:
        raise ValidationError(_("Name the skill."))
    return labels[0]


def _check_free(keys: dict[str, str], skill: Skill | None) -> None:
    """Refuse spellings that already stand for another skill."""
    taken = SkillAlias.objects.filter(key__in=keys).select_related("skill")
    for alias in taken:
        if skill is None or alias.skill_id != skill.pk:
            raise ValidationError(
                _("“%(label)s” already stands for the skill “%(skill)s”: merge them instead."),
                params={"label": keys[alias.key], "skill": alias.skill.label},
            )


@transaction.atomic
def skill_create(actor, *, label: str, synonyms=()) -> Skill:
    _require_curator(actor)
    label = _one_label(label)
    _check_free({fold(label): label}, None)
    skill = Skill.objects.create(label=label, key=fold(label), status=Skill.Status.ACCEPTED)
    SkillAlias.objects.create(skill=skill, label=label, key=skill.key)
    return skill_synonyms_set(actor, skill, labels=synonyms)


@transaction.atomic
def skill_accept(actor, skill: Skill) -> Skill:
    _require_curator(actor)
    Skill.objects.filter(pk=skill.pk).update(status=Skill.Status.ACCEPTED)
    skill.status = Skill.Status.ACCEPTED
    return skill


@transaction.atomic
def skill_rename(actor, skill: Skill, *, label: str) -> Skill:
    """A new label; the former one stays as a synonym so old spellings still resolve."""
    _require_curator(actor)
    label = _one_label(label)
    key = fold(label)
    _check_free({key: label}, skill)
    SkillAlias.objects.update_or_create(key=key, defaults={"skill": skill, "label": label})
    Skill.objects.filter(pk=skill.pk).update(label=label, key=key)
    skill.label, skill.key = label, key
    _reindex_claimants(skill)
    return skill


@transaction.atomic
def skill_synonyms_set(actor, skill: Skill, *, labels) -> Skill:
    """Replace the synonyms of skill (its own label always stays)."""
    _require_curator(actor)
    labels = skill_labels_normalise(labels)
    if len(labels) > MAX_SYNONYMS:
        raise ValidationError(_("At most %(max)d synonyms, please."), params={"max": MAX_SYNONYMS})
    keys = {fold(label): label for label in labels if fold(label) != skill.key}
    _check_free(keys, skill)
    skill.aliases.exclude(key=skill.key).exclude(key__in=keys).delete()
    have = set(skill.aliases.values_list("key", flat=True))
    SkillAlias.objects.bulk_create(
        [SkillAlias(skill=skill, key=k, label=v) for k, v in keys.items() if k not in have]
    )
    return skill


@transaction.atomic
def skill_related_set(actor, skill: Skill, *, skills) -> Skill:
    _require_curator(actor)
    skill.related.set([s for s in skills if s.pk != skill.pk])
    return skill


@transaction.atomic
def skill_merge(actor, source: Skill, *, into: Skill) -> Skill:
    """source disappears into `into`: its spellings, claims and the rows that list it
    (other apps' many-to-many fields, such as experts' themes) follow.

    An agent who claimed both keeps one claim with the higher level, "accepts requests"
    if either said so, and the endorsements of both (one per colleague).
    """
    _require_curator(actor)
    if source.pk == into.pk:
        raise ValidationError(_("A skill cannot be merged into itself."))
    for claim in SkillClaim.objects.filter(skill=source).select_for_update():
        kept = SkillClaim.objects.filter(agent_id=claim.agent_id, skill=into).first()
        if kept is None:
            SkillClaim.objects.filter(pk=claim.pk).update(skill=into)
            continue
        kept.level = max(kept.level, claim.level)
        kept.accepts_requests = kept.accepts_requests or claim.accepts_requests
        kept.save(update_fields=["level", "accepts_requests"])
        already = set(kept.endorsements.values_list("endorser_id", flat=True))
        Endorsement.objects.filter(claim=claim).exclude(endorser_id__in=already).update(claim=kept)
        claim.delete()
    SkillAlias.objects.filter(skill=source).update(skill=into)
    _listings_follow(source, into)
    into.related.add(*source.related.exclude(pk=into.pk))
    if into.is_proposed and not source.is_proposed:
        skill_accept(actor, into)
    source.delete()
    _reindex_claimants(into)
    return into


def _listings_follow(source: Skill, into: Skill) -> None:
    """What lists source lists into, found through the model's relations so that the
    taxonomy names none of the (higher) apps that tag skills."""
    for relation in Skill._meta.related_objects:
        if relation.many_to_many and relation.related_model is not Skill and not relation.hidden:
            for row in getattr(source, relation.get_accessor_name()).all():
                getattr(row, relation.field.name).add(into)


def _reindex_claimants(skill: Skill) -> None:
    """Agents' search documents list their skills' labels."""
    from intranet.accounts.models import User

    for agent in User.objects.filter(skill_claims__skill=skill, is_active=True).iterator():
        search_index_later(agent)

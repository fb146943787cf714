"""Reads of skills: an agent's claims for their profile, frequent skills, the curation list,
and the one matching of what an agent types against the skills' spellings (the expert
finder and the people directory both use skills_matching and skill_suggestions)."""

import re
from difflib import SequenceMatcher

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.search.analysis import STOP_WORDS
from intranet.skills.models import Endorsement, Skill, SkillAlias, SkillClaim
from intranet.skills.services import skill_key

# What a typed word may follow inside a spelling to count as the start of a word there:
# "information" is a word of "système d'information", "administration" of "e-administration".
WORD_STARTS = (" ", "'", "’", "-", "/", "(")
MIN_PREFIX = 2  # one letter would match half the taxonomy
MAX_WORDS = 6
MAX_MATCHES = 12
# "Did you mean": the spellings compared (the taxonomy is curated: a few thousand at most)
# and how alike a spelling, or one of its words, must be to be suggested.
MAX_SPELLINGS = 5_000
SUGGESTION_CUTOFF = 0.72
WORD = re.compile(r"[^\W_]+")


def agent_skills(agent: User) -> list[Skill]:
    return list(Skill.objects.filter(claims__agent=agent).order_by("key"))


def popular_skills(actor, *, limit: int = 40) -> list[Skill]:
    """Skills claimed by visible agents, most claimed first (for the directory filter)."""
    visible = visible_agents(actor)
    return list(
        Skill.objects.annotate(n=Count("claims", filter=Q(claims__agent__in=visible)))
        .filter(n__gt=0)
        .order_by("-n", "key")[:limit]
    )


def agent_skill_claims(actor, agent: User) -> list[SkillClaim]:
    """agent's claims for their profile, best level first, each with `n_endorsements` (by
    agents actor may see) and `endorsed_by_me`. Two queries."""
    visible = visible_agents(actor)
    claims = (
        SkillClaim.objects.filter(agent=agent, agent__in=visible)
        .select_related("skill")
        .annotate(
            n_endorsements=Count(
                "endorsements", filter=Q(endorsements__endorser__in=visible), distinct=True
            )
        )
        .order_by("-level", "skill__key")
    )
    claims = list(claims)
    mine = set(
        Endorsement.objects.filter(claim__in=claims, endorser_id=actor.pk).values_list(
            "claim_id", flat=True
        )
    )
    for claim in claims:
        claim.endorsed_by_me = claim.pk in mine
    return claims


def skills_for_curation(*, status: str = "", query: str = "") -> QuerySet[Skill]:
    """Skills for staff: proposed first, with their synonyms and the number of claims."""
    skills = Skill.objects.annotate(n_claims=Count("claims", distinct=True))
    if status:
        skills = skills.filter(status=status)
    if query:
        skills = skills.filter(aliases__key__contains=fold(query)).distinct()
    return skills.prefetch_related("aliases").order_by("-status", "key")


def _match_words(key: str) -> list[str]:
    """The words of a folded query that must each start a word of a spelling: stop words
    ("de", "l'") are left out unless nothing else is left, one-letter words always."""
    words = [w for w in WORD.findall(key) if len(w) >= MIN_PREFIX]
    meaningful = [w for w in words if w not in STOP_WORDS]
    return (meaningful or words)[:MAX_WORDS]


def _starts_a_word(word: str) -> Q:
    condition = Q(key__startswith=word)
    for before in WORD_STARTS:
        condition |= Q(key__contains=before + word)
    return condition


def skills_matching(query: str) -> QuerySet[Skill]:
    """Skills query stands for, by the key of one of their spellings (label or synonym):
    the skill spelled exactly so if there is one ("RGPD" is RGPD, not "RGPD avancé"),
    otherwise those with a spelling in which every word of query starts a word, accents
    and case aside ("access" and "Accessibilité" find "Accessibilité numérique", "marches"
    finds "Marchés publics").

    A lazy queryset of one statement (LIKE on the folded keys, with % and _ escaped by
    Django), so a caller can slice it or use it as a sub-query; by key.
    """
    key = skill_key(query)
    if not key:
        return Skill.objects.none()
    exact = SkillAlias.objects.filter(key=key)
    condition = Exists(exact.filter(skill=OuterRef("pk")))
    words = _match_words(key)
    if words:
        spelled = SkillAlias.objects.filter(skill=OuterRef("pk"))
        for word in words:
            spelled = spelled.filter(_starts_a_word(word))
        condition |= Exists(spelled) & ~Exists(exact)
    return Skill.objects.filter(condition).order_by("key")


def _similarity(matcher: SequenceMatcher, spelling: str, cutoff: float) -> float:
    """How alike the query (matcher's second sequence) and spelling, or its best word, are."""
    best = 0.0
    for candidate in (spelling, *(w for w in WORD.findall(spelling) if len(w) > MIN_PREFIX)):
        matcher.set_seq1(candidate)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            best = max(best, matcher.ratio())
    return best


def skill_suggestions(query: str, *, limit: int = 5) -> list[Skill]:
    """The skills nearest to query ("Did you mean…"), most alike first: those whose label,
    a synonym or one of their words is alike enough (difflib's ratio), among the skills an
    active agent claims, so that a suggestion leads somewhere. One query."""
    key = skill_key(query)
    if len(key) < MIN_PREFIX:
        return []
    claimed = SkillClaim.objects.filter(skill=OuterRef("skill_id"), agent__is_active=True)
    spellings = (
        SkillAlias.objects.filter(Exists(claimed))
        .select_related("skill")
        .only("key", "skill__label", "skill__key")
        .order_by("pk")[:MAX_SPELLINGS]
    )
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    best: dict[int, tuple[float, Skill]] = {}
    for spelling in spellings:
        ratio = _similarity(matcher, spelling.key, SUGGESTION_CUTOFF)
        if ratio >= SUGGESTION_CUTOFF and ratio > best.get(spelling.skill_id, (0.0,))[0]:
            best[spelling.skill_id] = (ratio, spelling.skill)
    ranked = sorted(best.values(), key=lambda found: (-found[0], found[1].key))
    return [skill for _ratio, skill in ranked[:limit]]

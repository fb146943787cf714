"""Demo content for experts: skill synonyms, themes, levels, endorsements, ambassadors.

Runs after the demo organisation (intranet.people.demo) and through the same services as
the pages. Running it again does nothing: the "Numérique" theme is the marker.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.experts.models import Ambassador, Theme
from intranet.experts.services import ambassador_invite, ambassador_respond, theme_create
from intranet.skills.models import SkillClaim
from intranet.skills.services import (
    curation,
    endorsement_add,
    skill_claim_add,
    skill_claim_update,
    skill_resolve,
    skills_get_or_create,
)
from intranet.topics.services import topics_get_or_create

SYNONYMS = {
    "RGPD": ["GDPR", "Protection des données personnelles", "Données personnelles"],
    "Marchés publics": ["Commande publique", "Achats publics"],
    "Accessibilité numérique": ["RGAA", "a11y"],
    "Transition écologique": ["Développement durable", "Écologie"],
    "Accueil des usagers": ["Relation usagers", "Accueil du public"],
    "Data": ["Science des données", "Données"],
    "SIG": ["Cartographie", "Système d'information géographique"],
    "Cybersécurité": ["Sécurité informatique", "SSI"],
}
THEMES = [
    (
        "Numérique",
        "Outils, accessibilité, données et sécurité des services numériques.",
        ["Accessibilité numérique", "Data", "Python", "SIG", "Cybersécurité"],
        ["numerique", "accessibilite"],
    ),
    ("RGPD", "Protection des données personnelles des usagers et des agents.", ["RGPD"], ["rgpd"]),
    (
        "Marchés publics",
        "Préparer, passer et suivre un marché.",
        ["Marchés publics"],
        ["marches-publics", "achats"],
    ),
    (
        "Transition écologique",
        "Sobriété, mobilités, achats responsables.",
        ["Transition écologique"],
        ["transition-ecologique", "climat"],
    ),
    (
        "Accueil des usagers",
        "Accueil physique et téléphonique, langue des signes.",
        ["Accueil des usagers", "Langue des signes"],
        ["accueil"],
    ),
]
MARKER = "Numérique"

# The personas of the README are what they say: experts of their theme who take questions,
# and its ambassadors in their direction. (login, skill, theme)
PERSONA_EXPERTISE = [
    ("fndiaye", "Marchés publics", "Marchés publics"),
    ("jlefevre", "Accessibilité numérique", "Numérique"),
    ("plgarnierdupre", "Transition écologique", "Transition écologique"),
]


def seed(stdout, *, seed: int = 2026) -> None:
    """Add the experts demo content once; say what was done on stdout."""
    if Theme.objects.filter(name=MARKER).exists():
        stdout.write("Experts demo already present: nothing to do.\n")
        return
    staff = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if staff is None:
        stdout.write("Experts demo skipped: no site administrator to curate the skills.\n")
        return
    rng = random.Random(seed)  # noqa: S311  (reproducible demo data, not a secret)
    with transaction.atomic():
        _taxonomy(staff)
        themes = _themes(staff)
        claims = _levels(rng)
        _persona_expertise()
        endorsements = _endorsements(rng, claims)
        ambassadors = _persona_ambassadors(staff, themes)
        ambassadors += _ambassadors(rng, staff, themes)
    stdout.write(
        f"Experts demo: {len(themes)} themes, {len(claims)} skill levels, "
        f"{endorsements} endorsements, {ambassadors} ambassadors.\n"
    )


def _taxonomy(staff) -> None:
    skills_get_or_create(SYNONYMS)
    for label, synonyms in SYNONYMS.items():
        skill = skill_resolve(label)
        try:
            curation.skill_synonyms_set(staff, skill, labels=synonyms)
        except ValidationError:
            continue  # a spelling already taken on this site: leave it where it is
    curation.skill_related_set(
        staff, skill_resolve("RGPD"), skills=[skill_resolve("Cybersécurité")]
    )


def _themes(staff) -> list[Theme]:
    themes = []
    for name, description, skills, topics in THEMES:
        theme = Theme.objects.filter(name=name).first() or theme_create(
            staff,
            name=name,
            description=description,
            skills=[skill_resolve(label) for label in skills],
            topics=topics_get_or_create(topics),
        )
        themes.append(theme)
    return themes


def _levels(rng) -> list[SkillClaim]:
    """Give the organisation's claims varied levels; some agents accept questions."""
    claims = list(SkillClaim.objects.select_related("agent").filter(agent__is_active=True))
    for claim in claims:
        level = rng.choices([1, 2, 3], weights=[3, 5, 2])[0]
        skill_claim_update(claim.agent, claim.pk, level=level, accepts_requests=rng.random() < 0.5)
    agents = [c.agent for c in claims]
    if agents:
        proposer = rng.choice(agents)
        skill_claim_add(proposer, proposer, label="Intelligence artificielle", level=2)
    return claims


def _persona_expertise() -> None:
    """The personas master their skill and accept questions on it."""
    for username, label, _theme in PERSONA_EXPERTISE:
        claim = SkillClaim.objects.filter(
            agent__username=username, skill=skill_resolve(label)
        ).select_related("agent")
        for found in claim:
            skill_claim_update(found.agent, found.pk, level=3, accepts_requests=True)


def _direction(department: Department) -> Department:
    """The department's direction (depth 1), or itself at the top of the chart."""
    if department.depth <= 1:
        return department
    return Department.objects.get(pk=department.ancestor_ids()[1])


def _persona_ambassadors(staff, themes) -> int:
    """Each persona carries their theme in their direction, from three months ago."""
    starts = timezone.localdate() - datetime.timedelta(days=90)
    by_name = {t.name: t for t in themes}
    count = 0
    for username, _label, theme_name in PERSONA_EXPERTISE:
        agent = User.objects.filter(username=username, is_active=True).first()
        theme = by_name.get(theme_name)
        if agent is None or theme is None or agent.department is None:
            continue
        ambassador = ambassador_invite(
            staff,
            theme=theme,
            department=_direction(agent.department),
            agent=agent,
            starts_on=starts,
        )
        ambassador_respond(agent, ambassador.pk, accept=True)
        count += 1
    return count


def _endorsements(rng, claims) -> int:
    by_department: dict[int, list[User]] = {}
    for claim in claims:
        by_department.setdefault(claim.agent.department_id, []).append(claim.agent)
    count = 0
    for claim in claims:
        colleagues = [a for a in set(by_department[claim.agent.department_id]) if a != claim.agent]
        for endorser in rng.sample(colleagues, min(len(colleagues), rng.randint(0, 3))):
            endorsement_add(endorser, claim.pk)
            count += 1
    return count


def _ambassadors(rng, staff, themes) -> int:
    """Most top departments get ambassadors; a few invitations stay waiting for an answer."""
    starts = timezone.localdate() - datetime.timedelta(days=90)
    count = 0
    for department in Department.objects.filter(is_active=True, depth__lte=1).order_by("path"):
        agents = list(
            User.objects.filter(
                is_active=True, department__path__startswith=department.path
            ).order_by("pk")
        )
        for theme in themes:
            if not agents or rng.random() < 0.35:
                continue
            if Ambassador.objects.filter(theme=theme, department=department).exists():
                continue  # a persona carries it here already
            experts = [a for a in agents if a.skill_claims.filter(skill__themes=theme).exists()]
            agent = rng.choice(experts or agents)
            ambassador = ambassador_invite(
                staff, theme=theme, department=department, agent=agent, starts_on=starts
            )
            if rng.random() < 0.85:
                ambassador_respond(agent, ambassador.pk, accept=True)
                count += 1
    return count

"""Demo and benchmark data: a realistic organisation of French civil servants.

Everything is drawn from a seeded random generator, so the same arguments always give
the same data. Writes go in bulk (one INSERT per batch) so that 10,000 agents take
seconds, not minutes; the password hash is computed once and shared.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.departments.models import Department
from intranet.departments.services import department_create
from intranet.skills.models import SkillClaim
from intranet.skills.services import skills_get_or_create

DEMO_PASSWORD = "transverse-demo"  # noqa: S105  (documented demo login, refused outside demo mode)
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "transverse-admin"  # noqa: S105

# Not reformatted: a list of names reads better packed than one a line.
FIRST_NAMES = [
    "Anne", "Julien", "Fatou", "Hélène", "François", "Zoé", "Jean-Baptiste", "Anaïs",
    "Chloé", "Maëlle", "Noël", "Éloïse", "Gaëlle", "Léa", "Mathéo", "Inès", "Rémi",
    "Camille", "Sébastien", "Océane", "Jérôme", "Bérénice", "Loïc", "Marie-Hélène",
    "Yannick", "Aïcha", "Thierry", "Nathalie", "Grégoire", "Solène", "Amélie", "Karim",
    "Pierre-Louis", "Clémence", "Hugo", "Émilie", "Benoît", "Françoise", "Mathilde", "Yves",
]  # fmt: skip
# Not reformatted: a list of names reads better packed than one a line.
LAST_NAMES = [
    "Martin", "Lefèvre", "N'Diaye", "Dubois", "Le Goff", "Moreau", "Girard", "Roussel",
    "D'Almeida", "Fontaine", "Chevalier", "Lemaître", "Garnier-Dupré", "Faure", "Mercier",
    "Bonnet", "Lambert", "Rousseau", "Benoît", "Boyer", "Gauthier", "Perrin", "Morel",
    "Le Bihan", "Ménard", "Hoarau", "Kerbrat", "Etcheverry", "Nguyen", "Haddad",
    "Castaña", "Brûlé", "Lacroix", "Dufresne", "Œuvrard", "Marchal", "Texier", "Joly",
]  # fmt: skip
# Not reformatted: a list of names reads better packed than one a line.
SKILLS = [
    "RGPD", "Marchés publics", "Conduite du changement", "Gestion de projet", "Python",
    "Accessibilité numérique", "Paie", "Formation de formateurs", "Droit public",
    "Comptabilité publique", "Transition écologique", "Urbanisme", "Communication",
    "Accueil des usagers", "Animation de réseau", "SIG", "Data", "Management",
    "Langue des signes", "Budget", "Subventions européennes", "Archives",
]  # fmt: skip
# Job titles as each person signs them: (feminine, masculine), or one neutral form. No
# median dots ("Chargé·e"): screen readers spell them out and the State's writing guidance
# avoids them.
# Not reformatted: a list of names reads better packed than one a line.
TITLES = [
    ("Chargée de mission", "Chargé de mission"),
    ("Gestionnaire administrative", "Gestionnaire administratif"),
    ("Cheffe de projet", "Chef de projet"), ("Assistante de direction", "Assistant de direction"),
    ("Juriste",), ("Responsable de la qualité",), ("Conseillère", "Conseiller"),
    ("Technicienne", "Technicien"), ("Ingénieure", "Ingénieur"),
    ("Instructrice", "Instructeur"), ("Chargée d'études", "Chargé d'études"),
    ("Gestionnaire de dossiers",), ("Secrétaire de direction",),
]  # fmt: skip
# First names the demo gives to women (the others are men's, or either: "Camille").
FEMININE = {
    "Anne", "Fatou", "Hélène", "Zoé", "Anaïs", "Chloé", "Maëlle", "Éloïse", "Gaëlle", "Léa",
    "Inès", "Océane", "Bérénice", "Marie-Hélène", "Aïcha", "Nathalie", "Solène", "Amélie",
    "Clémence", "Émilie", "Françoise", "Mathilde", "Administratrice",
}  # fmt: skip
EITHER = {"Camille"}


def title_for(first_name: str, forms: tuple[str, ...]) -> str:
    """The title's form for this person: feminine, masculine, or the neutral one."""
    if len(forms) == 1:
        return forms[0]
    if first_name in EITHER:
        return ""  # no gendered guess: the caller picks a neutral title
    return forms[0] if first_name in FEMININE else forms[1]


def _title(rng: random.Random, first_name: str) -> str:
    title = title_for(first_name, rng.choice(TITLES))
    return title or rng.choice([t[0] for t in TITLES if len(t) == 1])


def head_title(department: Department, first_name: str) -> str:
    """A head's title from the department's name ("Direction du numérique" → "Directeur du
    numérique", "Service formation" → "Cheffe du service formation")."""
    woman = first_name in FEMININE
    name = department.name
    if name == "Direction générale des services":
        return "Directrice générale des services" if woman else "Directeur général des services"
    if name.startswith("Direction "):
        return ("Directrice " if woman else "Directeur ") + name[len("Direction ") :]
    if name.startswith("Service "):
        return ("Cheffe du service " if woman else "Chef du service ") + name[len("Service ") :]
    return f"Responsable, {name}"


LANGUAGES = ["fr", "en", "de", "es", "it", "br", "oc", "ar", "fsl"]

# Not reformatted: the packed layout shows the chart's tree.
# The demo organisation chart: (name, acronym, children).
DEMO_CHART = (
    "Direction générale des services", "DGS", [
        ("Direction des ressources humaines", "DRH", [
            ("Service formation", "", []),
            ("Service paie et carrières", "", []),
        ]),
        ("Direction des finances et de la commande publique", "DFCP", [
            ("Service des marchés publics", "", []),
        ]),
        ("Direction du numérique", "DNUM", []),
        ("Direction de l'éducation et de la jeunesse", "DEJ", []),
        ("Direction de l'aménagement et de l'environnement", "DAE", []),
    ],
)  # fmt: skip

# Fixed demo agents, so the README can give their logins:
# (username, first, last, title, department).
DEMO_AGENTS = [
    ("amartin", "Anne", "Martin", "Responsable du service formation", "Service formation"),
    ("jlefevre", "Julien", "Lefèvre", "Chef de projet numérique", "Direction du numérique"),
    ("fndiaye", "Fatou", "N'Diaye", "Juriste marchés publics", "Service des marchés publics"),
    (
        "plgarnierdupre",
        "Pierre-Louis",
        "Garnier-Dupré",
        "Chargé de mission transition écologique",
        "Direction de l'aménagement et de l'environnement",
    ),
    (
        "hdalmeida",
        "Hélène",
        "D'Almeida",
        "Directrice des ressources humaines",
        "Direction des ressources humaines",
    ),
]

# What the README says of each persona, made true: the skills they declare, and the
# departments they head (every other department's head gets a head's title).
PERSONA_SKILLS = {
    "amartin": ["Formation de formateurs", "Management", "Conduite du changement"],
    "jlefevre": ["Gestion de projet", "Accessibilité numérique", "Python"],
    "fndiaye": ["Marchés publics", "Droit public", "Commande publique responsable"],
    "plgarnierdupre": ["Transition écologique", "Urbanisme"],
    "hdalmeida": ["Management", "Conduite du changement", "Paie"],
}
PERSONA_HEADS = {"amartin": "Service formation", "hdalmeida": "Direction des ressources humaines"}

Progress = Callable[[int], None]


@dataclass
class SeedReport:
    departments: int = 0
    agents: int = 0
    skipped: bool = False


def _username(first: str, last: str, taken: set[str], suffix: str = "") -> str:
    base = (fold(first)[:1] + fold(last)).replace(" ", "").replace("'", "").replace("-", "")
    base = "".join(ch for ch in base if ch.isalnum()) + suffix
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def _build_chart(node, parent=None) -> list[Department]:
    name, acronym, children = node
    department = department_create(name=name, acronym=acronym, parent=parent)
    created = [department]
    for child in children:
        created += _build_chart(child, department)
    return created


def _generated_chart(rng: random.Random, count: int) -> list[Department]:
    """count departments: a DGS, directions under it, services under the directions."""
    root = department_create(name="Direction générale des services", acronym="DGS")
    themes = [s for s in SKILLS if s not in {"Python", "Data", "SIG", "Management"}]
    directions, created = [], [root]
    n_directions = max(1, min(count - 1, round(count**0.5)))
    for i in range(n_directions):
        theme = themes[i % len(themes)]
        directions.append(department_create(name=f"Direction {theme.lower()} {i + 1}", parent=root))
    created += directions
    for i in range(count - 1 - n_directions):
        parent = directions[i % len(directions)]
        created.append(
            department_create(name=f"Service {rng.choice(themes).lower()} {i + 1}", parent=parent)
        )
    return created


def _agent(rng, username, first, last, title, department, password_hash) -> User:
    agent = User(
        username=username,
        first_name=first,
        last_name=last,
        email=f"{username}@exemple.gouv.fr",
        title=title,
        department=department,
        phone="01 " + " ".join(str(rng.randint(10, 99)) for _ in range(4)),
        office=f"Bâtiment {rng.choice('ABCD')}, bureau {rng.randint(1, 5)}{rng.randint(10, 60)}",
        languages=["fr", *rng.sample(LANGUAGES[1:], rng.randint(0, 2))],
        password=password_hash,
        date_joined=timezone.now(),
    )
    agent.sort_name = agent.compute_sort_name()
    return agent


def _bulk_insert_agents(agents: list[User], progress: Progress | None, batch: int = 1000):
    for start in range(0, len(agents), batch):
        User.objects.bulk_create(agents[start : start + batch])
        if progress:
            progress(len(agents[start : start + batch]))


def _assign_managers_and_skills(rng, agents: list[User], heads: dict[int, User]) -> None:
    for agent in agents:
        head = heads.get(agent.department_id)
        if head is not None and head.pk != agent.pk:
            agent.manager_id = head.pk
    User.objects.bulk_update([a for a in agents if a.manager_id], ["manager"], batch_size=1000)
    skills = skills_get_or_create(SKILLS)
    claims = [
        SkillClaim(agent_id=agent.pk, skill_id=skill.pk)
        for agent in agents
        for skill in rng.sample(skills, rng.randint(1, 4))
    ]
    SkillClaim.objects.bulk_create(claims, batch_size=2000, ignore_conflicts=True)


@transaction.atomic
def seed_demo(*, seed: int = 2026, progress: Progress | None = None) -> SeedReport:
    """The demo organisation: about 60 agents in a realistic chart, and a site administrator."""
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return SeedReport(skipped=True)
    rng = random.Random(seed)
    departments = _build_chart(DEMO_CHART)
    by_name = {d.name: d for d in departments}
    password_hash = make_password(DEMO_PASSWORD)
    taken = {u.lower() for u in User.objects.values_list("username", flat=True)}
    agents = []
    for username, first, last, title, department in DEMO_AGENTS:
        taken.add(username)
        agents.append(_agent(rng, username, first, last, title, by_name[department], password_hash))
    while len(agents) < 60:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        department = rng.choice(departments)
        agents.append(
            _agent(
                rng,
                _username(first, last, taken),
                first,
                last,
                _title(rng, first),
                department,
                password_hash,
            )
        )
    # The personas have been here a while (the first-visit welcome is behind them); every
    # other demo agent signs in for the first time, and is welcomed.
    for agent in agents[: len(DEMO_AGENTS)]:
        agent.welcomed_at = timezone.now()
    _bulk_insert_agents(agents, progress)
    agents = list(User.objects.filter(username__in=[a.username for a in agents]))
    heads = _choose_heads(agents, departments)
    _assign_managers_and_skills(rng, agents, heads)
    _persona_skills(agents)
    User.objects.create_superuser(
        ADMIN_USERNAME,
        "admin@exemple.gouv.fr",
        ADMIN_PASSWORD,
        first_name="Administratrice",
        last_name="du site",
        welcomed_at=timezone.now(),
    )
    return SeedReport(departments=len(departments), agents=len(agents) + 1)


def _choose_heads(agents: list[User], departments: list[Department]) -> dict[int, User]:
    """Each department's head: its persona head if any, else its first agent in name order
    who is not a persona (a persona keeps the title the README gives them); heads who are
    not personas take a head's title ("Directrice du numérique", "Chef du service...")."""
    by_name = {d.name: d for d in departments}
    personas = {d[0] for d in DEMO_AGENTS}
    heads: dict[int, User] = {}
    for agent in agents:
        department = by_name.get(PERSONA_HEADS.get(agent.username, ""))
        if department is not None and agent.department_id == department.pk:
            heads[department.pk] = agent
    for agent in sorted(agents, key=lambda a: (a.username in personas, a.sort_name)):
        heads.setdefault(agent.department_id, agent)
    retitled = []
    for department in departments:
        head = heads.get(department.pk)
        if head is not None:
            department.head = head
            if head.username not in personas:
                head.title = head_title(department, head.first_name)
                retitled.append(head)
    Department.objects.bulk_update(departments, ["head"])
    User.objects.bulk_update(retitled, ["title"], batch_size=1000)
    return heads


def _persona_skills(agents: list[User]) -> None:
    """The personas declare the skills the README and the demo's content give them."""
    claims = [
        SkillClaim(agent_id=agent.pk, skill_id=skill.pk)
        for agent in agents
        if agent.username in PERSONA_SKILLS
        for skill in skills_get_or_create(PERSONA_SKILLS[agent.username])
    ]
    SkillClaim.objects.bulk_create(claims, ignore_conflicts=True)


@transaction.atomic
def seed_generated(
    *, agents: int, departments: int, seed: int = 2026, progress: Progress | None = None
) -> SeedReport:
    """A large generated organisation for benchmarks: agents spread over a department tree."""
    marker = f"gen{seed}"
    if User.objects.filter(username__startswith=marker).exists():
        return SeedReport(skipped=True)
    rng = random.Random(seed)
    chart = _generated_chart(rng, max(1, departments))
    password_hash = make_password(DEMO_PASSWORD)
    rows = []
    for i in range(agents):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        username = f"{marker}.{i:06d}"
        row = _agent(
            rng, username, first, last, _title(rng, first), rng.choice(chart), password_hash
        )
        row.welcomed_at = row.date_joined  # benchmark agents: the welcome is behind them
        rows.append(row)
    _bulk_insert_agents(rows, progress)
    created = list(
        User.objects.filter(username__startswith=marker).only(
            "pk", "username", "first_name", "department_id", "sort_name", "title"
        )
    )
    heads = _choose_heads(created, chart)
    _assign_managers_and_skills(rng, created, heads)
    return SeedReport(departments=len(chart), agents=len(created))

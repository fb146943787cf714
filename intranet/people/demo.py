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
# Not reformatted: a list of names reads better packed than one a line.
TITLES = [
    "Chargé·e de mission", "Gestionnaire administratif·ve", "Chef·fe de projet",
    "Assistant·e de direction", "Juriste", "Responsable de service", "Conseiller·ère",
    "Technicien·ne", "Ingénieur·e", "Instructeur·rice", "Chargé·e d'études",
]  # fmt: skip
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
                rng.choice(TITLES),
                department,
                password_hash,
            )
        )
    _bulk_insert_agents(agents, progress)
    agents = list(User.objects.filter(username__in=[a.username for a in agents]))
    heads = _choose_heads(agents, departments)
    _assign_managers_and_skills(rng, agents, heads)
    User.objects.create_superuser(
        ADMIN_USERNAME,
        "admin@exemple.gouv.fr",
        ADMIN_PASSWORD,
        first_name="Administratrice",
        last_name="du site",
    )
    return SeedReport(departments=len(departments), agents=len(agents) + 1)


def _choose_heads(agents: list[User], departments: list[Department]) -> dict[int, User]:
    """The first agent of each department (in name order) heads it; directors are named."""
    heads: dict[int, User] = {}
    for agent in sorted(
        agents, key=lambda a: (a.title != "Directrice des ressources humaines", a.sort_name)
    ):
        heads.setdefault(agent.department_id, agent)
    for department in departments:
        head = heads.get(department.pk)
        if head is not None:
            department.head = head
    Department.objects.bulk_update(departments, ["head"])
    return heads


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
        rows.append(
            _agent(rng, username, first, last, rng.choice(TITLES), rng.choice(chart), password_hash)
        )
    _bulk_insert_agents(rows, progress)
    created = list(
        User.objects.filter(username__startswith=marker).only(
            "pk", "department_id", "sort_name", "title"
        )
    )
    heads = _choose_heads(created, chart)
    _assign_managers_and_skills(rng, created, heads)
    return SeedReport(departments=len(chart), agents=len(created))

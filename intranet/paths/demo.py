"""Demo content for learning paths: in the demo training space (slug SPACE_SLUG, made
here with the groups' training template when seed_demo has not made it yet, owned by
amartin), a path of 5 steps (the welcome page, a wiki page, a session, a poll, a page of
the site) and a cohort of agents who have joined the space. Through the same services as
the pages; it reuses the space's first session and poll when another demo made them.
Running it again does nothing: the path's title is the marker.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from intranet.accounts.models import User
from intranet.events import services as event_services
from intranet.events.models import Event
from intranet.groups import services as group_services
from intranet.groups.access import is_member
from intranet.groups.models import Group
from intranet.paths import services
from intranet.paths.models import LearningPath
from intranet.polls import services as poll_services
from intranet.polls.models import Poll
from intranet.wiki import services as wiki_services
from intranet.wiki.models import WikiPage

SPACE_SLUG = "espace-formation-outil-courrier"  # intranet.events.demo.DEMO_SLUG
SPACE_NAME = "Espace formation Transverse"
OWNER = "amartin"
TITLE = "Parcours « Accueillir le public »"
COHORT = ["jlefevre", "fndiaye", "plgarnierdupre", "hdalmeida"]


def training_space(owner: User) -> Group:
    """The demo training space: found by its slug, or created with the training template
    (every tool on, the wiki's welcome page) and given the slug the demos share."""
    group = Group.objects.filter(slug=SPACE_SLUG).first()
    if group is None:
        group = group_services.group_create(
            owner,
            name=SPACE_NAME,
            description="Formations et accompagnement du changement : pages, sessions, "
            "sondages et parcours.",
            policy=Group.Policy.OPEN,
            template=group_services.TEMPLATE_TRAINING,
        )
        Group.objects.filter(pk=group.pk).update(slug=SPACE_SLUG)
        group.slug = SPACE_SLUG
    return group


def _page(owner, group) -> WikiPage:
    page = WikiPage.objects.filter(group=group, title="Charte d’accueil du public").first()
    return page or wiki_services.page_create(
        owner,
        group,
        title="Charte d’accueil du public",
        body="## Nos engagements\n\n- Accueillir chaque usager dans les 5 minutes.\n"
        "- Répondre aux courriers sous 15 jours.\n- Orienter vers le bon service.",
    )


def _session(owner, group) -> Event:
    event = Event.objects.filter(group=group).order_by("starts_at").first()
    if event is not None:
        return event
    start = timezone.localtime() + datetime.timedelta(days=10)
    return event_services.event_create(
        owner,
        group,
        title="Atelier « Accueil des publics en difficulté »",
        starts_at=start.replace(hour=9, minute=30, second=0, microsecond=0),
        duration_minutes=180,
        place="Salle 204, hôtel de ville",
        capacity=12,
    )


def _poll(owner, group) -> Poll:
    poll = Poll.objects.filter(group=group).order_by("created_at").first()
    return poll or poll_services.poll_create(
        owner,
        group,
        question="Quelle situation d’accueil vous semble la plus difficile ?",
        choices=["Un usager en colère", "Une démarche en ligne bloquée", "Une langue étrangère"],
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )


@transaction.atomic
def seed(stdout) -> None:
    owner = User.objects.filter(username=OWNER, is_active=True).first()
    if owner is None:
        stdout.write("Learning paths demo: no amartin in this organisation, nothing to do.")
        return
    group = training_space(owner)
    if LearningPath.objects.filter(group=group, title=TITLE).exists():
        stdout.write("Learning paths demo already present: nothing to do.")
        return
    keys = {"wiki", "events", "polls", "paths"} | set(group.tools.values_list("key", flat=True))
    group_services.group_tools_set(owner, group, keys=keys)
    path = services.path_create(
        owner,
        group,
        title=TITLE,
        description="Cinq étapes pour les agents d’accueil : lire, se former, donner son avis.",
    )
    welcome = WikiPage.objects.filter(group=group).order_by("pk").first()
    if welcome is not None:
        services.step_add(owner, path, kind="wiki", target_id=welcome.pk)
    services.step_add(owner, path, kind="wiki", target_id=_page(owner, group).pk)
    services.step_add(owner, path, kind="event", target_id=_session(owner, group).pk)
    services.step_add(owner, path, kind="poll", target_id=_poll(owner, group).pk)
    site = settings.TRANSVERSE_SITE_URL.rstrip("/")
    services.step_add(
        owner,
        path,
        kind="link",
        url=site + reverse("site-page", args=["accessibility"]),
        label="Lire la déclaration d’accessibilité du site",
    )
    members = []
    for agent in User.objects.filter(username__in=COHORT, is_active=True).order_by("username"):
        if not is_member(agent, group):
            group_services.group_join(agent, group)
        members.append(agent)
    cohort = services.cohort_create(
        owner,
        path,
        name="Agents d’accueil, vague de janvier",
        starts_on=(timezone.localdate() + datetime.timedelta(days=7)),
        members=members,
    )
    steps = list(path.steps.all())
    for agent in members[:2]:
        for step in steps[:2]:
            services.progress_set(agent, step, done=True)
    stdout.write(
        f"Learning paths demo: {len(steps)} steps, cohort of {cohort.memberships.count()}."
    )

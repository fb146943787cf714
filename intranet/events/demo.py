"""The demo training space (issue 19): a group made from the "space for training and
change" template, owned by amartin (head of the training service), with wiki pages, past
and upcoming sessions (one full with a waiting list, one ended with attendance marked
and survey answers); intranet.polls.demo adds a poll. Called by `manage.py seed_demo`
after the other demo modules, through the same services as the pages. The group's
address is stable (DEMO_SLUG) so other demo modules (the learning path) find it; running
this again does nothing once the group exists.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from intranet.accounts.models import User
from intranet.events import services
from intranet.events.models import Event, Survey
from intranet.groups import services as group_services
from intranet.groups.models import Group

DEMO_SLUG = "espace-formation-outil-courrier"
NAME = "Nouvel outil courrier : espace de formation"
DESCRIPTION = (
    "Le programme d'accompagnement du passage au nouvel outil de gestion du courrier : "
    "pages de référence, sessions de prise en main, sondages et parcours."
)
PAGES = [
    (
        "Calendrier du déploiement",
        "## Les étapes\n\n1. Janvier : services pilotes (DRH, DNUM).\n"
        "2. Mars : toutes les directions.\n3. Juin : arrêt de l'ancien outil.\n\n"
        "Voir aussi le [[Guide de prise en main]].",
        None,
    ),
    (
        "Guide de prise en main",
        "## Enregistrer un courrier\n\nScannez, choisissez le service destinataire, "
        "validez.\n\n## Affecter et suivre\n\nChaque courrier a un responsable et une "
        "échéance. Questions fréquentes : [[Foire aux questions]].",
        None,
    ),
    (
        "Foire aux questions",
        "**Puis-je encore utiliser l'ancien outil ?** Jusqu'en juin, en lecture seule.\n\n"
        "**Qui contacter ?** Le service formation (Anne Martin).",
        "Guide de prise en main",
    ),
]
COMMENTS = [
    "Très clair, merci pour les exercices pratiques.",
    "Un peu rapide sur l'affectation des courriers.",
    "",
    "J'aimerais une seconde séance sur les tableaux de bord.",
]


def _members(owner) -> list[User]:
    """Up to 14 demo agents besides the owner: the training service first."""
    agents = (
        User.objects.filter(is_active=True, is_staff=False)
        .exclude(pk=owner.pk)
        .exclude(username__contains=".")  # not the generated benchmark agents
        .select_related("department")
        .order_by("department__name", "username")
    )
    return list(agents[:14])


def _session(owner, group, *, title, days, capacity=None, **fields) -> Event:
    return services.event_create(
        owner,
        group,
        title=title,
        starts_at=(timezone.localtime() + timedelta(days=days)).replace(
            hour=10, minute=0, second=0, microsecond=0
        ),
        duration_minutes=fields.pop("duration_minutes", 120),
        capacity=capacity,
        **fields,
    )


def _ended_session(owner, group, people) -> Event:
    """A workshop held ten days ago: six registered, five present, four answers."""
    event = _session(
        owner, group, title="Atelier de découverte", days=2, capacity=8, place="Salle 204"
    )
    for agent in people[:6]:
        services.event_register(agent, event)
    services.attendance_set(owner, event, [str(a.pk) for a in people[:5]])
    starts = event.starts_at - timedelta(days=12)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts, ends_at=starts + timedelta(minutes=event.duration_minutes)
    )
    event.refresh_from_db()
    Event.objects.filter(pk=event.pk).update(ended_hook_at=timezone.now())
    survey = services.survey_send(event, people[:5])
    scores = [(5, 4, "right", True), (4, 5, "fast", True), (3, 3, "right", True),
              (5, 5, "right", True)]  # fmt: skip
    for agent, (satisfaction, usefulness, pace, recommend), comment in zip(
        people[:4], scores, COMMENTS, strict=True
    ):
        services.survey_answer(
            agent,
            Survey.objects.select_related("event").get(pk=survey.pk),
            satisfaction=satisfaction,
            usefulness=usefulness,
            pace=pace,
            recommend=recommend,
            comment=comment,
        )
    return event


@transaction.atomic
def seed(stdout) -> None:
    if Group.objects.filter(slug=DEMO_SLUG).exists():
        stdout.write("Training space demo already present: nothing to do.")
        return
    owner = User.objects.filter(username="amartin", is_active=True).first()
    if owner is None:
        stdout.write("Training space demo skipped: no amartin in this organisation.")
        return
    group = group_services.group_create(
        owner, name=NAME, description=DESCRIPTION, policy="open", template="training"
    )
    Group.objects.filter(pk=group.pk).update(slug=DEMO_SLUG)
    group.refresh_from_db()
    people = _members(owner)
    for agent in people:
        group_services.group_join(agent, group)
    if people:  # a second animator, as a training team has
        group_services.group_member_role_set(owner, group, people[0], role="animator")
    _wiki_pages(owner, group)
    sessions = 0
    if len(people) >= 6:
        _ended_session(owner, group, people)
        sessions += 1
    full = _session(owner, group, title="Prise en main – groupe 1", days=5, capacity=4,
                    place="Salle de formation, bâtiment B",
                    description="Deux heures de pratique sur poste.")  # fmt: skip
    for agent in people[4:10]:  # four seats, then two on the waiting list
        services.event_register(agent, full)
    _session(
        owner,
        group,
        title="Questions-réponses en visio",
        days=12,
        video_url="https://visio.exemple.gouv.fr/outil-courrier",
        duration_minutes=60,
    )
    sessions += 2
    stdout.write(f"Training space demo: group {DEMO_SLUG}, {sessions} sessions.")


def _wiki_pages(owner, group) -> None:
    from intranet.wiki.models import WikiPage
    from intranet.wiki.services import page_create

    for title, body, parent_title in PAGES:
        parent = WikiPage.objects.filter(group=group, title=parent_title).first()
        page_create(owner, group, title=title, body=body, parent=parent, announce=False)

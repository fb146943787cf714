"""Demo content: groups, a charter, posts, comments, reactions and follows.

Called by `manage.py seed_demo` after the organisation is loaded. Everything a person
does goes through the same services as the site (access rules, mentions, notifications,
search queue entries are real); only the crowd's plain memberships and follows, which
carry no permission and notify nobody, are inserted in bulk so that 10,000 agents take
seconds. Running it again does nothing: the first demo group is the marker.
"""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.groups import services as groups
from intranet.groups.models import Group, Membership
from intranet.moderation.services import charter_accept, charter_publish
from intranet.stream.models import Follow, Post, ReactionKind, Visibility
from intranet.stream.services import comments, posts, reactions
from intranet.topics.access import can_see_topic
from intranet.topics.models import Topic, TopicFollow
from intranet.topics.services import topic_follow

SEED = 2026

# The cast: who does what, by their place in the list of fixed demo agents
# (amartin, jlefevre, fndiaye, plgarnierdupre, hdalmeida in the demo organisation).
FORMATION, NUMERIQUE, MARCHES, ECOLOGIE, DRH = range(5)

# (key, name, policy, owner, themes, description, parent key)
GROUPS = [
    (
        "numerique",
        "Communauté numérique responsable",
        Group.Policy.OPEN,
        NUMERIQUE,
        ["Numérique", "Accessibilité"],
        "Partager les bonnes pratiques d'un **numérique sobre et accessible** : outils, "
        "retours d'expérience, veille.\n\n- un atelier par mois\n- une boîte à outils commune",
        None,
    ),
    (
        "rgaa",
        "Atelier accessibilité RGAA",
        Group.Policy.OPEN,
        NUMERIQUE,
        ["Accessibilité"],
        "Sous-groupe de la communauté numérique : audits RGAA des sites de la collectivité.",
        "numerique",
    ),
    (
        "acheteurs",
        "Réseau des acheteurs publics",
        Group.Policy.CLOSED,
        MARCHES,
        ["Marchés publics", "Commande publique"],
        "Entre acheteurs : clauses types, jurisprudence, calendrier des consultations. "
        "L'adhésion est validée par les animateurs.",
        None,
    ),
    (
        "sobriete",
        "Plan de sobriété énergétique",
        Group.Policy.OPEN,
        ECOLOGIE,
        ["Transition écologique"],
        "Suivi du plan de sobriété : chauffage, éclairage, mobilités. Toutes les idées "
        "sont bienvenues.",
        None,
    ),
    (
        "formateurs",
        "Formateurs internes",
        Group.Policy.CLOSED,
        FORMATION,
        ["Formation"],
        "Le réseau des agents qui animent des formations internes.",
        None,
    ),
    (
        "reorganisation",
        "Comité de pilotage – réorganisation des services",
        Group.Policy.SECRET,
        DRH,
        ["Ressources humaines"],
        "Groupe restreint du comité de pilotage. Les documents de travail restent ici.",
        None,
    ),
]
MARKER = GROUPS[0][1]
# Topics of public posts the crowd follows (keys).
CROWD_TOPICS = ["accessibilite", "transitionecologique", "numerique", "sobriete", "formation"]

CHARTER = """# Charte d'utilisation de Transverse

1. **Respect** : on s'adresse à ses collègues comme en réunion.
2. **Discrétion** : pas de données personnelles d'usagers, pas d'information classifiée.
3. **Bienveillance** : on critique les idées, jamais les personnes.

Les animateurs et l'équipe du site peuvent masquer un contenu qui ne respecte pas la charte.
"""

# (author, place, text): place is a group key, "department" or "organisation".
# {name} placeholders are the cast's usernames, so @mentions are real in every mode.
POSTS = [
    (
        NUMERIQUE,
        "numerique",
        "Bienvenue dans la **communauté numérique responsable** ! "
        "Présentez-vous en commentaire et dites-nous ce que vous attendez du groupe. #numérique",
    ),
    (
        NUMERIQUE,
        "numerique",
        "Retour sur l'atelier de mardi :\n\n- 40 % des PDF publiés ne sont "
        "pas accessibles\n- les formulaires en ligne passent presque tous\n\n"
        "@{formation} pourrait-on prévoir une formation *Rédiger un document accessible* ? "
        "#accessibilité",
    ),
    (
        NUMERIQUE,
        "rgaa",
        "Premier audit RGAA du site des inscriptions scolaires : 62 % de "
        "conformité. Le détail par critère arrive la semaine prochaine. #accessibilité #RGAA",
    ),
    (
        MARCHES,
        "acheteurs",
        "Nouvelle clause type sur l'**insertion sociale** validée par le "
        "service juridique. Elle est à utiliser dans toutes les consultations au-dessus de "
        "40 000 € HT. #marchéspublics",
    ),
    (
        MARCHES,
        "acheteurs",
        "Qui a déjà utilisé la plateforme de dématérialisation pour un "
        "marché à procédure adaptée ? @{numerique} avait évoqué une intégration avec nos outils.",
    ),
    (
        ECOLOGIE,
        "sobriete",
        "Bilan du premier hiver : **-12 %** de consommation de chauffage "
        "sur les bâtiments administratifs. Merci à toutes et tous ! #sobriété "
        "#transitionécologique",
    ),
    (
        ECOLOGIE,
        "sobriete",
        "Idée : un challenge « À vélo au travail » en juin, par direction. "
        "Qui serait partant pour l'organiser ? #mobilité",
    ),
    (
        FORMATION,
        "formateurs",
        "Le calendrier des formations du second semestre est en ligne. "
        "Pensez à proposer vos modules avant la fin du mois. #formation",
    ),
    (
        DRH,
        "reorganisation",
        "Ordre du jour du prochain comité : périmètre des futurs pôles, "
        "calendrier de concertation avec les représentants du personnel.",
    ),
    (
        FORMATION,
        "department",
        "L'équipe formation déménage au bâtiment B la semaine prochaine : "
        "les permanences du jeudi sont maintenues.",
    ),
    (
        NUMERIQUE,
        "organisation",
        "La messagerie sera indisponible **samedi de 8 h à 12 h** pour "
        "une mise à jour. Rien à faire de votre côté. #numérique",
    ),
    (
        DRH,
        "organisation",
        "Les entretiens professionnels commencent le mois prochain. Le "
        "guide est disponible auprès de votre encadrant. #RH",
    ),
    (
        ECOLOGIE,
        "organisation",
        "Rappel : la fresque du climat est ouverte à tous les agents, "
        "inscriptions auprès de @{formation}. #transitionécologique",
    ),
]

# Images of some posts, drawn here (no file to ship): (post index, drawing, description);
# a None description marks the image as decorative (alt="").
IMAGES = [
    (0, "banner", None),
    (
        5,
        "bars",
        "Histogramme de la consommation de chauffage des cinq bâtiments administratifs, "
        "avant et après le plan : chaque barre baisse, de 8 à 15 %.",
    ),
    (
        6,
        "bicycle",
        "Affiche du challenge « À vélo au travail » : un vélo stylisé vert sur fond clair.",
    ),
    (
        2,
        "gauge",
        "Jauge de conformité RGAA du site des inscriptions scolaires, remplie à 62 %.",
    ),
]

# (post index, author, text, reply to comment index or None)
COMMENTS = [
    (0, FORMATION, "Bonjour ! Je m'occupe des formations : j'attends des idées de modules.", None),
    (0, MARCHES, "Ravie de rejoindre le groupe, j'aimerais parler d'achats responsables.", None),
    (0, NUMERIQUE, "Excellente idée @{marches}, on en fait le thème du prochain atelier ?", 1),
    (1, FORMATION, "Oui, je l'inscris au catalogue. Une demi-journée suffirait ?", None),
    (1, NUMERIQUE, "Une demi-journée, parfait. Merci !", 3),
    (3, ECOLOGIE, "Très utile. Existe-t-il une version pour les clauses environnementales ?", None),
    (3, MARCHES, "Elle est en préparation avec ton service, @{ecologie}.", 5),
    (5, DRH, "Bravo à toutes les équipes des bâtiments.", None),
    (6, NUMERIQUE, "Partant ! La direction du numérique relève le défi.", None),
    (6, FORMATION, "Le service formation aussi.", None),
    (10, MARCHES, "Merci pour l'information.", None),
    (12, NUMERIQUE, "Inscrit pour la session de mars.", None),
    (5, FORMATION, "Quels bâtiments ont le plus baissé ?", None),
    (5, ECOLOGIE, "Le bâtiment C : -15 %, grâce aux nouveaux thermostats.", 12),
    (7, DRH, "Je propose un module « Conduire un entretien professionnel ».", None),
    (11, ECOLOGIE, "Le guide est-il disponible en version accessible ?", None),
    (11, DRH, "Oui, en PDF balisé et en HTML sur l'intranet.", 15),
]

# (post index, reacting cast member, kind)
REACTIONS = [
    (0, FORMATION, "like"),
    (0, MARCHES, "like"),
    (0, ECOLOGIE, "celebrate"),
    (1, FORMATION, "idea"),
    (1, DRH, "agree"),
    (3, ECOLOGIE, "thanks"),
    (5, NUMERIQUE, "celebrate"),
    (5, DRH, "celebrate"),
    (5, FORMATION, "like"),
    (6, NUMERIQUE, "idea"),
    (6, FORMATION, "agree"),
    (10, DRH, "thanks"),
    (11, FORMATION, "like"),
    (12, NUMERIQUE, "like"),
    (2, FORMATION, "idea"),
    (7, DRH, "thanks"),
    (11, NUMERIQUE, "agree"),
    (11, ECOLOGIE, "thanks"),
]

ANNOUNCEMENT = (
    "**Nouvelle charte du télétravail** : elle s'applique à partir du 1er du mois prochain.\n\n"
    "1. jusqu'à deux jours par semaine ;\n2. des jours fixes convenus avec l'encadrant ;\n"
    "3. une journée de présence commune par service.\n\n"
    "Merci de confirmer votre lecture avec le bouton « J'ai lu ». #télétravail"
)


def _drawing(kind: str):
    """A small PNG drawn with Pillow, as an upload (the demo ships no image file)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 360), (246, 248, 252))
    draw = ImageDraw.Draw(image)
    if kind == "bars":
        for n, (before, after) in enumerate(
            [(260, 230), (220, 190), (300, 255), (180, 160), (240, 210)]
        ):
            x = 60 + n * 110
            draw.rectangle([x, 330 - before, x + 40, 330], fill=(150, 160, 180))
            draw.rectangle([x + 45, 330 - after, x + 85, 330], fill=(0, 99, 203))
        draw.line([40, 330, 600, 330], fill=(30, 30, 30), width=3)
    elif kind == "bicycle":
        draw.ellipse([120, 180, 260, 320], outline=(23, 102, 58), width=10)
        draw.ellipse([380, 180, 520, 320], outline=(23, 102, 58), width=10)
        draw.line([190, 250, 300, 150, 450, 250, 300, 250, 190, 250], fill=(23, 102, 58), width=10)
        draw.line([300, 150, 280, 110, 330, 110], fill=(23, 102, 58), width=8)
    elif kind == "gauge":
        draw.arc([170, 60, 470, 360], start=180, end=360, fill=(200, 205, 215), width=40)
        draw.arc(
            [170, 60, 470, 360], start=180, end=180 + int(180 * 0.62), fill=(0, 99, 203), width=40
        )
    else:  # banner: a decorative band of soft waves
        image = Image.new("RGB", (640, 120), (232, 240, 252))
        draw = ImageDraw.Draw(image)
        for n in range(0, 640, 80):
            draw.ellipse([n - 20, 40, n + 60, 160], fill=(205, 222, 245))
            draw.ellipse([n + 20, 70, n + 100, 170], fill=(214, 236, 222))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"demo-{kind}.png", buffer.getvalue(), content_type="image/png")


def _image_of(index: int) -> dict:
    for position, kind, description in IMAGES:
        if position == index:
            return {
                "image": _drawing(kind),
                "image_alt": description or "",
                "image_decorative": description is None,
            }
    return {}


def _cast() -> list[User]:
    """The five people who write the demo: the fixed demo agents, else the first agents."""
    from intranet.people.demo import DEMO_AGENTS

    agents = User.objects.filter(is_active=True, is_superuser=False).select_related("department")
    by_name = {a.username: a for a in agents.filter(username__in=[d[0] for d in DEMO_AGENTS])}
    cast = [by_name[d[0]] for d in DEMO_AGENTS if d[0] in by_name]
    if len(cast) < len(DEMO_AGENTS):
        cast = list(agents.order_by("pk")[: len(DEMO_AGENTS)])
    return cast


def _crowd_memberships(rng: random.Random, created: dict[str, Group], agent_ids) -> int:
    """Plain memberships of everyone else in the open and closed groups, in bulk.

    A plain member holds no guardian permission and nobody is notified when they join,
    so bulk rows are what group_join would write (less the live refresh of agents who
    have never signed in, hence have no open page to refresh).
    """
    weights = {
        "numerique": 0.6,
        "rgaa": 0.15,
        "sobriete": 0.6,
        "acheteurs": 0.08,
        "formateurs": 0.06,
    }
    rows = [
        Membership(group_id=created[key].pk, agent_id=pk)
        for pk in agent_ids
        for key, share in weights.items()
        if rng.random() < share
    ]
    Membership.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def _seed_groups(rng, cast, staff, agent_ids) -> dict[str, Group]:
    created: dict[str, Group] = {}
    for key, name, policy, owner, themes, description, parent in GROUPS:
        created[key] = groups.group_create(
            cast[owner],
            name=name,
            description=description,
            policy=policy,
            themes=themes,
            parent=created[parent] if parent else None,
        )
    if staff is not None:
        groups.group_mark_official(staff, created["numerique"], official=True)
    # Animators: each group's owner names a colleague from the cast.
    for key, helper in [
        ("numerique", FORMATION),
        ("sobriete", NUMERIQUE),
        ("acheteurs", ECOLOGIE),
        ("formateurs", DRH),
    ]:
        group = created[key]
        if group.policy == Group.Policy.OPEN:
            groups.group_join(cast[helper], group)
        else:
            owner = cast[next(g[3] for g in GROUPS if g[0] == key)]
            groups.group_invite(owner, group, agents=[cast[helper]])
            invitation = cast[helper].group_invitations.get(group=group, status="pending")
            groups.invitation_answer(cast[helper], invitation, accept=True)
        owner = cast[next(g[3] for g in GROUPS if g[0] == key)]
        groups.group_member_role_set(owner, group, cast[helper], role=Membership.Role.ANIMATOR)
    # The cast in the open groups; a request to join a closed group, approved.
    for member in (MARCHES, ECOLOGIE, DRH):
        groups.group_join(cast[member], created["numerique"])
    for member in (MARCHES, DRH, FORMATION):
        groups.group_join(cast[member], created["sobriete"])
    request = groups.group_request_join(
        cast[NUMERIQUE], created["acheteurs"], message="Pour suivre les achats numériques."
    )
    groups.join_request_decide(cast[MARCHES], request, approve=True)
    groups.group_invite(cast[DRH], created["reorganisation"], agents=[cast[FORMATION]])
    invitation = cast[FORMATION].group_invitations.get(group=created["reorganisation"])
    groups.invitation_answer(cast[FORMATION], invitation, accept=True)
    others = [pk for pk in agent_ids if pk not in {a.pk for a in cast}]
    if others:
        # One pending request, so that an animator has something to decide.
        groups.group_request_join(User.objects.get(pk=others[0]), created["formateurs"])
    _crowd_memberships(rng, created, others)
    return created


def _place(key: str, created: dict[str, Group]) -> dict:
    if key == "organisation":
        return {"visibility": Visibility.ORGANISATION}
    if key == "department":
        return {"visibility": Visibility.DEPARTMENT}
    return {"visibility": Visibility.GROUP, "group": created[key]}


def _names(cast) -> dict[str, str]:
    keys = ("formation", "numerique", "marches", "ecologie", "drh")
    return {key: agent.username for key, agent in zip(keys, cast, strict=True)}


def _seed_stream(cast, staff, created) -> list[Post]:
    names = _names(cast)
    written = [
        posts.post_create(
            cast[author], body=text.format(**names), **_place(place, created), **_image_of(n)
        )
        for n, (author, place, text) in enumerate(POSTS)
    ]
    said = []
    for index, author, text, reply_to in COMMENTS:
        said.append(
            comments.comment_create(
                cast[author],
                written[index].pk,
                body=text.format(**names),
                parent_id=said[reply_to].pk if reply_to is not None else None,
            )
        )
    for index, agent, kind in REACTIONS:
        reactions.reaction_toggle(cast[agent], kind=ReactionKind(kind), post_id=written[index].pk)
    reactions.reaction_toggle(cast[MARCHES], kind=ReactionKind.THANKS, comment_id=said[3].pk)
    posts.post_pin(cast[NUMERIQUE], written[0].pk)
    if staff is not None:
        announcement = posts.post_create(
            staff, body=ANNOUNCEMENT, visibility=Visibility.ORGANISATION, requires_ack=True
        )
    else:
        announcement = posts.post_create(
            cast[NUMERIQUE],
            body=ANNOUNCEMENT,
            visibility=Visibility.GROUP,
            group=created["numerique"],
            requires_ack=True,
        )
    for agent in (cast[FORMATION], cast[MARCHES]):
        posts.post_acknowledge(agent, announcement.pk)
    written.append(announcement)
    return written


def _spread_in_time(written: list[Post]) -> None:
    """Dates over the last two weeks, oldest first, so the feed reads like a real one."""
    now = timezone.now()
    step = timedelta(days=14) / max(1, len(written))
    for n, post in enumerate(written):
        Post.objects.filter(pk=post.pk).update(created_at=now - step * (len(written) - n))


def _seed_follows(rng: random.Random, cast, agent_ids) -> None:
    """The cast follows each other (services); every other agent follows two of them (bulk)."""
    for agent in cast:
        for other in cast:
            if other.pk != agent.pk and rng.random() < 0.6:
                reactions.agent_follow(agent, other.username)
    cast_ids = {a.pk for a in cast}
    rows = [
        Follow(follower_id=pk, followed_id=followed.pk)
        for pk in agent_ids
        if pk not in cast_ids
        for followed in rng.sample(cast, 2)
    ]
    Follow.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    for agent in cast[:3]:
        for key in ("accessibilite", "transitionecologique"):
            topic = Topic.objects.filter(key=key).first()
            if topic is not None and can_see_topic(agent, topic):  # not a secret group's only
                topic_follow(agent, topic)
    # The crowd follows a popular #topic or two (bulk: following notifies nobody), so
    # that the topics a newcomer is offered are the ones colleagues follow.
    public = list(
        Topic.objects.filter(key__in=CROWD_TOPICS).order_by("key").values_list("pk", flat=True)
    )
    if public:
        rows = [
            TopicFollow(agent_id=pk, topic_id=topic_id)
            for pk in agent_ids
            if pk not in cast_ids and rng.random() < 0.5
            for topic_id in rng.sample(public, min(len(public), rng.randint(1, 2)))
        ]
        TopicFollow.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


@transaction.atomic
def seed(stdout) -> None:
    """Load the demo content once (a second run reports that it is already there)."""
    if Group.objects.filter(name=MARKER, kind=Group.Kind.THEMATIC).exists():
        stdout.write("Demo content already present: nothing to do.")
        return
    cast = _cast()
    if len(cast) < 5:
        stdout.write("Demo content needs at least five agents: skipped.")
        return
    rng = random.Random(SEED)  # noqa: S311  (reproducible demo data, not a secret)
    staff = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    agent_ids = list(
        User.objects.filter(is_active=True, is_superuser=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    stdout.write("Demo content: department groups…")
    groups.department_groups_sync(Department.objects.values_list("pk", flat=True))
    writers = [*cast, staff] if staff is not None else cast
    if staff is not None:
        stdout.write("Demo content: charter…")
        version = charter_publish(staff, body=CHARTER)
        for agent in writers:
            charter_accept(agent, version_id=version.pk)
    stdout.write("Demo content: thematic groups and memberships…")
    created = _seed_groups(rng, cast, staff, agent_ids)
    stdout.write("Demo content: posts, comments, reactions…")
    written = _seed_stream(cast, staff, created)
    _spread_in_time(written)
    stdout.write("Demo content: follows…")
    _seed_follows(rng, cast, agent_ids)
    stdout.write(f"Demo content: {len(created)} groups, {len(written)} posts.")

"""Demo content for chat: a conversation in group rooms and a direct one, so that the chat
pages show what they are for. Called by `manage.py seed_demo` after the stream's demo
(which creates the groups); through the same services as the pages. Running it again does
nothing: the first message's idempotency key is the marker.
"""

from django.db import transaction

from intranet.accounts.models import User
from intranet.chat import services
from intranet.chat.models import Message
from intranet.groups.access import is_member
from intranet.groups.models import Group

# (group name, [(login, text), ...]): the personas' exchanges in their groups' rooms.
ROOMS = [
    (
        "Communauté numérique responsable",
        [
            ("jlefevre", "Bonjour à tous ! L'atelier du mois aura lieu jeudi à 14 h, salle 204."),
            ("amartin", "Merci ! Je viendrai avec le catalogue des formations numériques."),
            ("fndiaye", "Je pourrai présenter les clauses d'accessibilité des marchés."),
            ("jlefevre", "Parfait, je vous réserve 15 minutes chacune."),
            ("plgarnierdupre", "Je ne pourrai pas venir : un compte rendu serait précieux."),
            ("jlefevre", "Je le publierai dans le fil du groupe vendredi."),
        ],
    ),
    (
        "Plan de sobriété énergétique",
        [
            ("plgarnierdupre", "Les relevés de novembre sont arrivés : -9 % sur l'hôtel de ville."),
            ("hdalmeida", "Bravo ! On pourra le dire en comité de direction."),
            ("amartin", "Et le bâtiment B ? On a froid le lundi matin."),
            ("plgarnierdupre", "Le chauffage y redémarre plus tôt dès la semaine prochaine."),
        ],
    ),
]
DIRECT = [
    ("amartin", "fndiaye", "Bonjour Fatou, aurais-tu une heure pour relire le cahier des charges "
     "de la formation « Acheter responsable » ?"),
    ("fndiaye", "amartin", "Avec plaisir, envoie-le-moi : je te fais un retour jeudi."),
]  # fmt: skip
MARKER = "demo-chat-0"


@transaction.atomic
def seed(stdout) -> None:
    if Message.objects.filter(idempotency_key=MARKER).exists():
        stdout.write("Chat demo already present: nothing to do.")
        return
    people = {u.username: u for u in User.objects.filter(is_active=True)}
    sent = 0
    for name, lines in ROOMS:
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        for login, text in lines:
            agent = people.get(login)
            if agent is None or not is_member(agent, group):
                continue  # not in this organisation's group: the line is skipped
            room = services.group_room(agent, group)
            services.message_send(agent, room.pk, body=text, idempotency_key=f"demo-chat-{sent}")
            sent += 1
    if "amartin" in people and "fndiaye" in people:
        conversation = services.conversation_direct_open(people["amartin"], other=people["fndiaye"])
        for login, _other, text in DIRECT:
            services.message_send(
                people[login], conversation.pk, body=text, idempotency_key=f"demo-chat-{sent}"
            )
            sent += 1
    stdout.write(f"Chat demo: {sent} messages.")

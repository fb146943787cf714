"""Demo content for questions: a few answered and unanswered questions on the demo themes.

Runs after the experts demo (themes, ambassadors, skill claims) and through the same
services as the pages, so routing notifications, time to first answer and search queue
entries are real. Running it again does nothing: the first demo question is the marker.
Without themes (the experts demo not loaded), it says so and does nothing.
"""

from django.db import transaction

from intranet.accounts.models import User
from intranet.experts.models import Theme
from intranet.experts.selectors import serving_ambassadors, theme_experts
from intranet.moderation.charter import charter_accepted, charter_current
from intranet.moderation.services import charter_accept
from intranet.questions import services
from intranet.questions.models import Question

# (theme name, question, details, answer or None, accepted)
QUESTIONS = [
    (
        "RGPD",
        "Combien de temps pouvons-nous garder les CV des candidats non retenus ?",
        "Nous recrutons un chargé de mission et avons reçu **80 candidatures**.",
        "La CNIL recommande **deux ans** au plus après le dernier contact, sauf accord du "
        "candidat pour une durée plus longue. Pensez à l'indiquer dans l'accusé de réception.",
        True,
    ),
    (
        "RGPD",
        "Faut-il une analyse d'impact pour le nouveau registre des visiteurs ?",
        "Le registre contient les noms, l'organisme et l'heure d'arrivée.",
        "Non, tant qu'il n'y a ni données sensibles ni surveillance systématique ; inscrivez "
        "simplement le traitement au registre des activités.",
        True,
    ),
    (
        "Numérique",
        "Quel outil pour organiser un sondage interne accessible ?",
        "",
        "Le service de formulaires du ministère est conforme RGAA ; évitez les outils "
        "hébergés hors de l'Union européenne.",
        True,
    ),
    (
        "Marchés publics",
        "À partir de quel montant faut-il publier un avis de marché ?",
        "Pour une prestation de services de formation.",
        None,
        False,
    ),
    (
        "Transition écologique",
        "Existe-t-il un guide des achats de véhicules à faibles émissions ?",
        "",
        "Oui, la fiche « véhicules propres » de la direction des achats : je vous la transmets.",
        False,
    ),
    ("Accueil des usagers", "Comment organiser un accueil en langue des signes ?", "", None, False),
]
MARKER = QUESTIONS[0][1]


def _writer(agent):
    """Demo agents accept the charter in force before writing, as they would on the site."""
    current = charter_current()
    if current is not None and not charter_accepted(agent):
        charter_accept(agent, version_id=current.pk)
    return agent


def _answerer(theme, asker):
    ambassador = serving_ambassadors(theme, department=asker.department).first()
    if ambassador is not None:
        return ambassador.agent
    return theme_experts(theme).exclude(pk=asker.pk).first()


def seed(stdout) -> None:
    if Question.objects.filter(title=MARKER).exists():
        stdout.write("Questions demo already present: nothing to do.\n")
        return
    themes = {t.name: t for t in Theme.objects.filter(is_active=True)}
    if not themes:
        stdout.write("Questions demo skipped: no theme yet (load the experts demo first).\n")
        return
    askers = list(
        User.objects.filter(is_active=True, is_staff=False, department__isnull=False).order_by(
            "pk"
        )[:40]
    )
    asked = answered = 0
    with transaction.atomic():
        for index, (name, title, body, reply, accepted) in enumerate(QUESTIONS):
            theme = themes.get(name)
            if theme is None or not askers:
                continue
            asker = _writer(askers[(index * 7) % len(askers)])
            question = services.question_ask(asker, theme=theme, title=title, body=body)
            asked += 1
            answerer = _answerer(theme, asker)
            if reply and answerer is not None:
                answer = services.answer_create(_writer(answerer), question.pk, body=reply)
                answered += 1
                if accepted:
                    services.answer_accept(asker, answer.pk)
    stdout.write(f"Questions demo: {asked} questions, {answered} answered.\n")

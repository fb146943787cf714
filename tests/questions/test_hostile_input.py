"""The XSS corpus in every place questions let people write: nothing executable comes out
of the question page, the lists, the FAQ, the notifications or the search results."""

from django.urls import reverse

from intranet.notifications.models import Kind
from intranet.notifications.services import notify
from intranet.questions import services
from tests.test_hostile_input import PAYLOADS, executable_parts


def test_payloads_in_questions_and_answers(alice, alice_client, carol, theme):
    questions = []
    for payload in PAYLOADS:
        question = services.question_ask(
            alice, theme=theme, title=payload[:200].strip() or "vide", body=payload
        )
        answer = services.answer_create(carol, question.pk, body=payload)
        services.answer_accept(alice, answer.pk)
        notify(alice, Kind.QUESTION_ESCALATED, target=question)
        questions.append(question)
    pages = [reverse("questions:question-detail", args=[q.pk]) for q in questions] + [
        reverse("questions:question-list"),
        reverse("questions:question-list") + "?show=mine&page=2",
        reverse("questions:theme-faq", args=["rgpd"]),
        reverse("questions:answer-edit", args=[answer.pk]),
        reverse("notifications:notification-list"),
    ]
    for url in pages:
        response = alice_client.get(url)
        assert response.status_code in (200, 403), url
        assert executable_parts(response.content.decode()) == [], url

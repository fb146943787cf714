"""Answers a notification's line offers in the list (accept / decline an invitation): a
registry the apps that own the invitations fill in their own `notifications.py`:

    answer_register(Answer(
        kind=Kind.INVITATION,
        template="groups/_invitation_answer.html",
        pending=lambda actor, notifications: {n.pk: invitation, ...},
    ))

`pending(actor, notifications)` gets the list's notifications of that kind and returns,
for those still waiting for actor's answer, the object the template's form answers
(`answerable`), in a bounded number of queries. The form posts to the owner's view, whose
service checks access: the list only shows the buttons.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    kind: str
    template: str
    pending: Callable[[object, list], dict[int, object]]


_answers: dict[str, Answer] = {}


def answer_register(answer: Answer) -> None:
    _answers[str(answer.kind)] = answer


def answers_attach(actor, items) -> None:
    """Give each list item (selectors.NotificationItem) its inline answer, if any."""
    for kind, answer in _answers.items():
        notifications = [i.notification for i in items if i.notification.kind == kind]
        if not notifications:
            continue
        pending = answer.pending(actor, notifications)
        for item in items:
            answerable = pending.get(item.notification.pk)
            if answerable is not None:
                item.answer_template, item.answerable = answer.template, answerable

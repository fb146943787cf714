"""E-mails are written in each recipient's language, whatever language is active when they go.

Roles: `alice` writes; `carol` kept the site's language (French); `dave` chose English.
"""

import pytest
from django.core import mail
from django.utils import translation

from intranet.accounts.services import agent_language_set
from intranet.notifications import services
from intranet.notifications.models import Notification
from intranet.notifications.tasks import send_daily_digests, send_notification_email
from intranet.stream.services import posts


@pytest.fixture
def dave(dave):
    """dave (tests/conftest.py), who chose English on the language switch."""
    return agent_language_set(dave, language="en")


def by_recipient() -> dict:
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.parametrize("active", ["fr", "en"])
def test_at_once_email_speaks_each_recipients_language(alice, carol, dave, active):
    for agent in (carol, dave):
        services.preferences_set(agent, {"mention": "email"})
    posts.post_create(alice, body="Merci @carol et @dave", visibility="organisation")
    with translation.override(active):  # the language of whatever runs the task
        for notification in Notification.objects.order_by("pk"):
            assert send_notification_email.call(notification.pk) is True
    sent = by_recipient()
    french, english = sent[carol.email], sent[dave.email]
    assert french.subject == "[Transverse] Alice Lefèvre vous a mentionné·e"
    assert french.body.startswith("Bonjour Carol N'Diaye,")
    assert "Vous recevez ce courriel en raison de vos préférences" in french.body
    assert english.subject == "[Transverse] Alice Lefèvre mentioned you"
    assert english.body.startswith("Hello Dave Martin,")
    assert "You receive this e-mail because of your notification settings" in english.body
    assert "mentionné" not in english.body and "mentioned" not in french.body


@pytest.mark.parametrize("active", ["fr", "en"])
def test_digest_speaks_each_recipients_language(alice, carol, dave, active):
    posts.post_create(alice, body="Merci @carol et @dave", visibility="organisation")
    posts.post_create(alice, body="Encore merci @carol et @dave", visibility="organisation")
    with translation.override(active):
        assert send_daily_digests.call() == 2
    sent = by_recipient()
    french, english = sent[carol.email], sent[dave.email]
    assert french.subject == "[Transverse] Votre récapitulatif quotidien sur Transverse"
    assert "Voici ce qui s’est passé pour vous" in french.body
    assert french.body.count("Alice Lefèvre vous a mentionné·e") == 2
    assert english.subject == "[Transverse] Your daily summary on Transverse"
    assert "Here is what happened for you:" in english.body
    assert english.body.count("Alice Lefèvre mentioned you") == 2


def test_a_language_no_longer_offered_falls_back_to_the_sites(alice, carol, settings):
    from intranet.accounts.models import User

    User.objects.filter(pk=carol.pk).update(language="de")
    services.preferences_set(carol, {"mention": "email"})
    posts.post_create(alice, body="Merci @carol", visibility="organisation")
    with translation.override("en"):
        assert send_notification_email.call(Notification.objects.get().pk) is True
    (message,) = mail.outbox
    assert message.subject == "[Transverse] Alice Lefèvre vous a mentionné·e"

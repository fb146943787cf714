"""The "Envoyer un message" button of profiles and agent cards (chat.sections): written by
the chat_message_button tag, with the markup of the template it replaces, the page's own
CSRF token, and only for an agent the viewer may message."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from intranet.core.sections import sections_for
from tests.factories import UserFactory

# templates/chat/_message_button.html as it was written with template tags.
TEMPLATE_MARKUP = (
    '{% load i18n %}<form method="post" action="{% url \'chat:conversation-start-direct\' %}"'
    ' class="inline-form">{% csrf_token %}<input type="hidden" name="username"'
    ' value="{{ recipient.username }}"><button type="submit" class="button button--quiet">'
    '{% translate "Send a message" %}<span class="visually-hidden"> {% blocktranslate with'
    " name=recipient.display_name %}to {{ name }}{% endblocktranslate %}</span></button>"
    "</form>\n"
)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def rendered(source: str, viewer, **context) -> str:
    request = RequestFactory().get("/people/")
    request.user = viewer
    return engines["django"].from_string(source).render(context, request)


def masked(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value="TOKEN"', html)


def card_actions(viewer, agent) -> list[str]:
    request = RequestFactory().get("/people/")
    request.user = viewer
    return [template for template, _context in sections_for("agent.card.actions", request, agent)]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_button_writes_the_templates_markup(alice, language):
    odd = UserFactory(username="o'neil", first_name="Zoé <b>\"&'", last_name="%(name)s %s")
    with translation.override(language):
        for agent in (odd, UserFactory(first_name="", last_name="")):
            ours = rendered('{% include "chat/_message_button.html" %}', alice, recipient=agent)
            theirs = rendered(TEMPLATE_MARKUP, alice, recipient=agent)
            assert masked(ours) == masked(theirs)
            assert TOKEN.search(ours)
        html = rendered('{% include "chat/_message_button.html" %}', alice, recipient=odd)
        assert " Zoé &lt;b&gt;&quot;&amp;&#x27; %(name)s %s</span>" in html
        assert 'value="o&#x27;neil"' in html


def test_every_button_of_a_page_carries_the_pages_token(alice_client, alice, finance):
    for n in range(3):
        UserFactory(username=f"colleague{n}", department=finance)
    page = alice_client.get(reverse("people:agent-directory")).content.decode()
    assert page.count('name="username" value="colleague') == 3
    assert len(set(TOKEN.findall(page))) == 1


def test_no_button_for_oneself_nor_for_a_former_agent(alice, bob, former):
    assert card_actions(alice, bob) == ["chat/_message_button.html"]
    assert card_actions(alice, alice) == []
    assert card_actions(alice, former) == []
    tag = "{% load people %}{% agent_card agent %}"
    assert 'name="username" value="bob"' in rendered(tag, alice, agent=bob)
    assert 'name="username"' not in rendered(tag, alice, agent=alice)
    assert 'name="username"' not in rendered(tag, alice, agent=former)


def test_former_agents_profile_has_no_button(alice_client, former, bob):
    action = f'action="{reverse("chat:conversation-start-direct")}"'
    assert action in alice_client.get(reverse("people:agent-detail", args=["bob"])).content.decode()
    page = alice_client.get(reverse("people:agent-detail", args=["former"])).content.decode()
    assert action not in page

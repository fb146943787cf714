"""The agent card and avatar tags (intranet.people.templatetags.people) write the markup
of people/_agent_card.html and people/_avatar.html, which other pages still include:
the same HTML, but for the whitespace between tags, for every kind of agent."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from intranet.people.selectors import with_card_data
from tests.factories import SkillClaimFactory, SkillFactory, UserFactory


def squeezed(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def both(source_tag: str, source_include: str, viewer, **context):
    engine = engines["django"]
    request = RequestFactory().get("/people/")
    request.user = viewer
    tag = engine.from_string("{% load people %}" + source_tag).render(context, request)
    include = engine.from_string(source_include).render(context, request)
    return squeezed(tag), squeezed(include)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_card_tag_writes_the_cards_template(alice, bob, finance, language):
    skills = [SkillFactory(label=f"Compétence <{n}> & co") for n in range(6)]
    for skill in skills:
        SkillClaimFactory(agent=bob, skill=skill)
    bob.title = 'Chargé <d\'études> & "budget"'
    bob.save()
    bare = UserFactory(first_name="", last_name="", department=None, title="")
    former = UserFactory(first_name="Zoé", last_name="Ancienne", is_active=False)
    agents = with_card_data(type(bob).objects.filter(pk__in=[alice.pk, bob.pk, bare.pk, former.pk]))
    with translation.override(language):
        for agent in agents:
            tag, include = both(
                "{% agent_card agent %}",
                '{% include "people/_agent_card.html" %}',
                alice,
                agent=agent,
            )
            assert tag == include
    assert "Send a message" in tag or "Envoyer un message" in tag or not former.is_active


def test_avatar_tag_writes_the_avatars_template(alice, bob):
    bob.photo = "photos/bob.jpg"
    for agent in (alice, bob, UserFactory(first_name="", last_name="")):
        for size in ("", "large", "small"):
            tag, include = both(
                f'{{% agent_avatar agent "{size}" %}}',
                f'{{% include "people/_avatar.html" with agent=agent size="{size}" %}}',
                alice,
                agent=agent,
            )
            assert tag == include

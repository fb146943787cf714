"""Agent cards and avatars, rendered in Python: a directory page shows dozens of cards,
and `{% include %}` in a loop costs a template's nodes, a context and a lookup per card
(about a third of the directory's CPU). The markup is people/_agent_card.html's and
people/_avatar.html's, which stay for single uses; tests/people/test_cards.py keeps
them identical."""

import html

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from intranet.core.templatetags.transverse import page_sections

register = template.Library()

CARD_SKILLS = 4  # a card lists the agent's first skills only


def _text(value) -> str:
    """conditional_escape() for the cards' plain strings, without the check for lazy
    arguments Django's escape() makes on each call (a third of a card's CPU)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


@register.simple_tag
def agent_avatar(agent, size="medium"):
    """people/_avatar.html: the photo, or the initials on a tone chosen by the id."""
    size = _text(size or "medium")
    if agent.photo:
        url = _text(reverse("people:agent-photo", args=[agent.username]))
        return mark_safe(f'<img class="avatar avatar--{size}" src="{url}" alt="">')  # noqa: S308
    tone = "1" if agent.pk % 2 == 0 else "2"
    return mark_safe(  # noqa: S308 - escaped above
        f'<span class="avatar avatar--{size} avatar--initials avatar--tone{tone}" '
        f'aria-hidden="true">{_text(agent.initials)}</span>'
    )


@register.simple_tag(takes_context=True)
def agent_card(context, agent):
    """people/_agent_card.html: avatar, name, title, department, the first skills (from
    the prefetched claims: people.selectors.with_card_data) and the "agent.card.actions"
    sections, rendered as the page's own would be."""
    url = _text(reverse("people:agent-detail", args=[agent.username]))
    parts = [
        '<li class="card agent-card">',
        agent_avatar(agent),
        f'<div><h3 class="agent-card__name"><a href="{url}">{_text(agent.display_name)}</a></h3>',
    ]
    if agent.title:
        parts.append(f'<p class="agent-card__title">{_text(agent.title)}</p>')
    if agent.department:
        parts.append(f'<p class="agent-card__department">{_text(agent.department.label)}</p>')
    claims = agent.skill_claims.all()
    if claims:
        tags = "".join(f'<li class="tag">{_text(c.skill.label)}</li>' for c in claims[:CARD_SKILLS])
        parts.append(f'<ul class="tags" aria-label="{_text(gettext("Skills"))}">{tags}</ul>')
    with context.push(agent=agent):
        parts.append(page_sections(context, "agent.card.actions", agent))
    parts.append("</div></li>")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped

"""Agent cards and avatars, rendered in Python: a directory page shows dozens of cards,
and `{% include %}` in a loop costs a template's nodes, a context and a lookup per card
(about a third of the directory's CPU). The markup is people/_agent_card.html's and
people/_avatar.html's, which stay for single uses; tests/people/test_cards.py keeps
them identical."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from intranet.core.templatetags.transverse import page_sections

register = template.Library()

CARD_SKILLS = 4  # a card lists the agent's first skills only


@register.simple_tag
def agent_avatar(agent, size="medium"):
    """people/_avatar.html: the photo, or the initials on a tone chosen by the id."""
    size = size or "medium"
    if agent.photo:
        url = reverse("people:agent-photo", args=[agent.username])
        return format_html('<img class="avatar avatar--{}" src="{}" alt="">', size, url)
    tone = "1" if agent.pk % 2 == 0 else "2"
    return format_html(
        '<span class="avatar avatar--{} avatar--initials avatar--tone{}" aria-hidden="true">'
        "{}</span>",
        size,
        tone,
        agent.initials,
    )


@register.simple_tag(takes_context=True)
def agent_card(context, agent):
    """people/_agent_card.html: avatar, name, title, department, the first skills (from
    the prefetched claims: people.selectors.with_card_data) and the "agent.card.actions"
    sections, rendered as the page's own would be."""
    url = reverse("people:agent-detail", args=[agent.username])
    parts = [
        '<li class="card agent-card">',
        agent_avatar(agent),
        format_html(
            '<div><h3 class="agent-card__name"><a href="{}">{}</a></h3>', url, agent.display_name
        ),
    ]
    if agent.title:
        parts.append(format_html('<p class="agent-card__title">{}</p>', agent.title))
    if agent.department:
        parts.append(
            format_html('<p class="agent-card__department">{}</p>', agent.department.label)
        )
    claims = agent.skill_claims.all()
    if claims:
        tags = format_html_join(
            "", '<li class="tag">{}</li>', ((c.skill.label,) for c in claims[:CARD_SKILLS])
        )
        parts.append(
            format_html('<ul class="tags" aria-label="{}">{}</ul>', gettext("Skills"), tags)
        )
    with context.push(agent=agent):
        parts.append(page_sections(context, "agent.card.actions", agent))
    parts.append("</div></li>")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped

"""Turning a post's Markdown into stored HTML, with @mentions and #topics as links."""

import re

from django.urls import reverse

from intranet.accounts.access import visible_agents
from intranet.core.markdown import render_markdown
from intranet.topics.services import TOPIC_PATTERN, topic_key, topics_get_or_create, topics_in_text

MENTION_PATTERN = re.compile(r"(?<![\w@/])@([A-Za-z0-9][\w.-]{0,149})")
MAX_MENTIONS = 50


def mentioned_agents(actor, text: str):
    names = {m.group(1).rstrip(".").lower() for m in MENTION_PATTERN.finditer(text or "")}
    if not names:
        return []
    names = list(names)[:MAX_MENTIONS]
    return list(visible_agents(actor).filter(username__in=names))


def render_post_body(actor, text: str) -> tuple[str, list, list]:
    """(html, mentioned agents, topics) for text written by actor."""
    agents = mentioned_agents(actor, text)
    by_name = {a.username.lower(): a for a in agents}
    topics = topics_get_or_create(topics_in_text(text))

    def link_mention(match):
        agent = by_name.get(match.group(1).rstrip(".").lower())
        if agent is None:
            return match.group(0)
        url = reverse("people:agent-detail", args=[agent.username])
        return f"[@{agent.username}]({url})" + match.group(1)[len(agent.username) :]

    def link_topic(match):
        key = topic_key(match.group(1))
        if not key:
            return match.group(0)
        return f"[#{match.group(1)}]({reverse('topics:topic-detail', args=[key])})"

    linked = MENTION_PATTERN.sub(link_mention, text)
    linked = TOPIC_PATTERN.sub(link_topic, linked)
    return str(render_markdown(linked)), agents, topics

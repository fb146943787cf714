"""Writes on topics: turning labels into topics, following and unfollowing."""

import re

from django.db import transaction
from django.http import Http404

from intranet.core.text import fold, without_nul
from intranet.topics.access import can_see_topic
from intranet.topics.models import Topic, TopicFollow

# A #topic in text: a hash not preceded by a word character or "&" (HTML entities),
# followed by letters, digits, "_" or "-" (accents included).
TOPIC_PATTERN = re.compile(r"(?<![\w&/])#([^\W_][\w-]{0,58})", re.UNICODE)
MAX_TOPICS = 20


def topic_key(label: str) -> str:
    """URL-safe folded key: "#Réunion d'équipe" -> "reunion-d-equipe"."""
    return re.sub(r"[^a-z0-9_]+", "-", fold(label.strip().lstrip("#"))).strip("-")[:60]


def topics_in_text(text: str) -> list[str]:
    seen, labels = set(), []
    for match in TOPIC_PATTERN.finditer(text or ""):
        key = topic_key(match.group(1))
        if key and key not in seen:
            seen.add(key)
            labels.append(match.group(1))
    return labels[:MAX_TOPICS]


def topics_get_or_create(labels) -> list[Topic]:
    wanted = {}
    for label in (without_nul(label) for label in labels):
        key = topic_key(label)
        if key:
            wanted.setdefault(key, label.strip().lstrip("#")[:60])
    if not wanted:
        return []
    existing = {t.key: t for t in Topic.objects.filter(key__in=wanted)}
    missing = [Topic(key=k, label=v) for k, v in wanted.items() if k not in existing]
    if missing:
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.key: t for t in Topic.objects.filter(key__in=wanted)}
    return [existing[k] for k in wanted]


@transaction.atomic
def topic_follow(actor, topic: Topic) -> TopicFollow:
    """Follow a topic actor may see; any other answers 404, like an unknown one."""
    if not can_see_topic(actor, topic):
        raise Http404
    follow, _created = TopicFollow.objects.get_or_create(agent=actor, topic=topic)
    return follow


@transaction.atomic
def topic_unfollow(actor, topic: Topic) -> None:
    TopicFollow.objects.filter(agent=actor, topic=topic).delete()

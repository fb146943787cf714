"""Reads about topics that are not decisions of access (topics.access decides those)."""

from intranet.topics.models import Topic, TopicFollow


def is_following(agent, topic: Topic) -> bool:
    return TopicFollow.objects.filter(agent=agent, topic=topic).exists()

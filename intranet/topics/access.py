"""Who may see a #topic. The only place that decides it.

A topic is visible to an active agent when something they may see carries it: a live post,
a group (its themes), an expert theme, a question. A topic nothing visible carries answers
404, exactly like an unknown key, on its page, for following it and in the home feed's
filter: a #topic used only in secret groups says nothing to outsiders.

The carriers live in higher apps. Each one that attaches topics to its objects declares
them in its own topics.py (discovered at start-up, as search.py modules are): a function
giving, for an agent, the (object, topic) rows that agent may see, through its own app's
access model (a queryset with a `topic_id` column).
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from intranet.topics.models import Topic, TopicFollow

# name -> (actor -> queryset of visible rows with a topic_id column)
CARRIERS: dict[str, Callable[[object], QuerySet]] = {}


def topic_carrier_register(name: str, rows: Callable[[object], QuerySet]) -> None:
    """Declare what carries topics in an app (called from its topics.py)."""
    CARRIERS[name] = rows


def _is_active_agent(actor) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def visible_topics(actor) -> QuerySet[Topic]:
    """Topics carried by something actor may see. Each carrier is probed per topic
    (EXISTS on its topic index), so filtering a few topics never reads a whole table."""
    if not _is_active_agent(actor) or not CARRIERS:
        return Topic.objects.none()
    carried = Q(pk__in=[])
    for rows in CARRIERS.values():
        carried |= Q(Exists(rows(actor).filter(topic_id=OuterRef("pk"))))
    return Topic.objects.filter(carried)


def can_see_topic(actor, topic: Topic) -> bool:
    return visible_topics(actor).filter(pk=topic.pk).exists()


def visible_topic(actor, key: str) -> Topic | None:
    """The topic at key if actor may see it, else None (for filters that ignore a bad key)."""
    key = str(key)[:60]
    if "\x00" in key:  # no key has one, and PostgreSQL refuses it in a query
        return None
    return visible_topics(actor).filter(key=key).first()


def access_topic(actor, key: str, *, to_unfollow: bool = False) -> Topic:
    """The topic at key if actor may see it; 404 otherwise, like an unknown key.

    to_unfollow: a topic actor follows stays reachable even when nothing they may see
    carries it any more (its posts deleted, a group turned secret), so they can stop
    following it; that tells them nothing they did not know.
    """
    key = str(key)[:60]
    topic = visible_topic(actor, key)
    if topic is None and to_unfollow and _is_active_agent(actor) and "\x00" not in key:
        follows = TopicFollow.objects.filter(agent_id=actor.pk)
        topic = Topic.objects.filter(key=key, pk__in=follows.values("topic_id")).first()
    if topic is None:
        raise Http404
    return topic

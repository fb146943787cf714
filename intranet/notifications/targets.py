"""What a notification may point to besides a group, a post or a comment: a registry.

Each app declares its notification targets in its own `notifications.py` (imported at
start-up, like search.py), for example:

    from intranet.notifications.targets import Target, target_register

    target_register(Target(
        model=Ambassador,
        visible=lambda actor: Ambassador.objects.filter(agent_id=actor.pk),
        url=lambda ambassador: reverse("experts:invitation-list"),
        label=lambda ambassador: f"{ambassador.theme} – {ambassador.department}",
        related=("theme", "department"),
    ))

The apps that own a notification's group, post and comment register the same re-check for
those relations (`relation_register("post", visible_posts)`): notifications stand below
them and never import them.

`visible(actor)` is the access re-check: a notification is shown, counted and e-mailed
only while its target is in `visible(actor)` (a QuerySet of the target's model, read at
display or sending time). A notification whose target's model is not registered, or whose
target was deleted, is shown to nobody.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Exists, Model, OuterRef, Q, QuerySet


@dataclass(frozen=True)
class Target:
    model: type[Model]
    visible: Callable[[object], QuerySet]  # the targets actor may see now
    url: Callable[[Model], str]  # where the notification leads
    label: Callable[[Model], str]  # a short text naming the target, "%(target)s" in texts
    related: tuple[str, ...] = ()  # what url and label read (select_related), for lists


_targets: dict[str, Target] = {}
_relations: dict[str, Callable[[object], QuerySet]] = {}


def _key(model) -> str:
    return model._meta.label_lower


def target_register(target: Target) -> None:
    _targets[_key(target.model)] = target


def target_for(obj) -> Target | None:
    return _targets.get(_key(type(obj)))


def targets() -> dict[str, Target]:
    return dict(_targets)


def targets_prefetch() -> GenericPrefetch:
    """Prefetch notifications' targets with what their url and label read (no N+1)."""
    return GenericPrefetch(
        "target",
        [target.model.objects.select_related(*target.related) for target in _targets.values()],
    )


def visible_targets_q(actor, *, type_ids=None) -> Q:
    """A Q on Notification keeping notifications without target or with a visible one.

    type_ids (content type ids) limits the re-checks to these kinds of target: a
    notification pointing to another kind is then kept by none (hidden, never shown
    unchecked)."""
    q = Q(target_type__isnull=True)
    for target in _targets.values():
        content_type = ContentType.objects.get_for_model(target.model)
        if type_ids is not None and content_type.pk not in type_ids:
            continue
        q |= Q(target_type_id=content_type.pk, target_id__in=target.visible(actor).values("pk"))
    return q


def relation_register(field: str, visible: Callable[[object], QuerySet]) -> None:
    """The access re-check of a relation of Notification (a FK such as "post"): a
    notification pointing to it is shown only while the object is in visible(actor)."""
    _relations[field] = visible


def visible_relations_q(actor, fields: tuple[str, ...]) -> Q:
    """A Q on Notification keeping notifications whose every relation in fields is empty
    or visible to actor; a relation no app registered a re-check for is visible to nobody."""
    q = Q()
    for field in fields:
        visible = _relations.get(field)
        # Correlated EXISTS, not IN (subquery): PostgreSQL would otherwise hash every post
        # the agent may see (hundreds of thousands) to check a handful of notifications.
        allowed = Q(**{f"{field}__isnull": True})
        if visible is not None:
            allowed |= Exists(visible(actor).filter(pk=OuterRef(f"{field}_id")))
        q &= allowed
    return q

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

`visible(actor)` is the access re-check: a notification is shown, counted and e-mailed
only while its target is in `visible(actor)` (a QuerySet of the target's model, read at
display or sending time). A notification whose target's model is not registered, or whose
target was deleted, is shown to nobody.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Target:
    model: type[Model]
    visible: Callable[[object], QuerySet]  # the targets actor may see now
    url: Callable[[Model], str]  # where the notification leads
    label: Callable[[Model], str]  # a short text naming the target, "%(target)s" in texts
    related: tuple[str, ...] = ()  # what url and label read (select_related), for lists


_targets: dict[str, Target] = {}


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


def visible_targets_q(actor) -> Q:
    """A Q on Notification keeping notifications without target or with a visible one."""
    q = Q(target_type__isnull=True)
    for target in _targets.values():
        content_type = ContentType.objects.get_for_model(target.model)
        q |= Q(target_type_id=content_type.pk, target_id__in=target.visible(actor).values("pk"))
    return q

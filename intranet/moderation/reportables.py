"""What agents may report: a registry filled by the apps that own the content.

Moderation stands below the apps whose content it moderates (docs/architecture.md), so it
never imports them. Each app declares its reportable kinds in its own `moderation.py`
(imported at start-up, like search.py and notifications.py), for example:

    reportable_register(Reportable(
        field="post",
        access=access_post,
        group_id=lambda post: post.group_id,
        url=lambda post: reverse("stream:post-detail", args=[post.pk]),
        visibility_changed=lambda post, visible: ...,
    ))

`field` names the Report's foreign key to that content; `access(actor, id)` is the
owner's access function (404 for what the actor may not see); `visibility_changed` lets
the owner update what depends on the content being shown (counts, feeds) after a
moderator hid or restored it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


def _nothing(obj, visible: bool) -> None:
    return None


@dataclass(frozen=True)
class Reportable:
    field: str  # the Report foreign key pointing to this kind
    access: Callable[..., Model]  # access(actor, id): the object, or Http404
    group_id: Callable[[Model], int | None]  # the group whose moderators handle it
    url: Callable[[Model], str]  # the page showing it
    visibility_changed: Callable[[Model, bool], None] = _nothing


_reportables: dict[str, Reportable] = {}


def reportable_register(reportable: Reportable) -> None:
    _reportables[reportable.field] = reportable


def reportable(field: str) -> Reportable:
    """The registered kind for a Report field; KeyError for a kind nobody registered."""
    return _reportables[field]

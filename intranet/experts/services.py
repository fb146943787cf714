"""Every write on themes and ambassadors: staff define themes; animators or staff invite
ambassadors; the invited agent accepts or declines; a mandate ends."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from intranet.accounts.access import visible_agents
from intranet.core.text import fold, without_nul
from intranet.experts import access
from intranet.experts.models import Ambassador, Theme
from intranet.notifications.models import Kind
from intranet.notifications.services import notify
from intranet.topics.services import topics_get_or_create

MAX_NAME = 120
MAX_DESCRIPTION = 5_000


def _unique_slug(name: str, exclude_pk=None) -> str:
    base = slugify(fold(name))[:110] or "theme"
    slug, n = base, 1
    while Theme.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _clean_name(name: str) -> str:
    name = " ".join(without_nul(str(name)).split())[:MAX_NAME]
    if not name:
        raise ValidationError(_("Name the theme."))
    return name


def _theme_topics(topics) -> list:
    """Topics given as Topic objects or labels; missing labels are created as topics."""
    labels = [t for t in topics if isinstance(t, str)]
    return [t for t in topics if not isinstance(t, str)] + topics_get_or_create(labels)


@transaction.atomic
def theme_create(actor, *, name: str, description: str = "", skills=(), topics=()) -> Theme:
    if not access.can_manage_themes(actor):
        raise PermissionDenied
    name = _clean_name(name)
    if any(fold(t.name) == fold(name) for t in Theme.objects.all()):
        raise ValidationError(_("A theme called “%(name)s” already exists."), params={"name": name})
    theme = Theme.objects.create(
        name=name,
        slug=_unique_slug(name),
        description=without_nul(description or "")[:MAX_DESCRIPTION],
    )
    theme.skills.set(skills)
    theme.topics.set(_theme_topics(topics))
    return theme


@transaction.atomic
def theme_update(
    actor, theme: Theme, *, name: str, description: str, skills, topics, is_active: bool = True
) -> Theme:
    """Change a theme; its address (slug) stays, so links keep working."""
    theme = access.access_theme(actor, theme.slug, for_write=True)
    name = _clean_name(name)
    if any(fold(t.name) == fold(name) for t in Theme.objects.exclude(pk=theme.pk)):
        raise ValidationError(_("A theme called “%(name)s” already exists."), params={"name": name})
    theme.name, theme.is_active = name, bool(is_active)
    theme.description = without_nul(description or "")[:MAX_DESCRIPTION]
    theme.save(update_fields=["name", "description", "is_active"])
    theme.skills.set(skills)
    theme.topics.set(_theme_topics(topics))
    return theme


@transaction.atomic
def ambassador_invite(
    actor,
    *,
    theme: Theme,
    department,
    agent,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Ambassador:
    """Invite agent to carry theme in department; they become ambassador once they accept."""
    if not access.can_designate_ambassadors(actor, department):
        raise PermissionDenied
    if not department.is_active or not theme.is_active:
        raise ValidationError(_("This theme or department is no longer active."))
    if not visible_agents(actor).filter(pk=agent.pk).exists():
        raise ValidationError(_("Choose an active agent."))
    if agent.department is None or not agent.department.path.startswith(department.path):
        raise ValidationError(
            _("%(agent)s does not work in %(department)s."),
            params={"agent": agent.display_name, "department": department.name},
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The end date must come after the start date."))
    try:
        with transaction.atomic():
            ambassador = Ambassador.objects.create(
                theme=theme,
                department=department,
                agent=agent,
                invited_by=actor,
                starts_on=starts_on,
                ends_on=ends_on,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(agent)s is already invited or ambassador for this theme here."),
            params={"agent": agent.display_name},
        ) from None
    notify(agent, Kind.AMBASSADOR_INVITATION, actor=actor, target=ambassador)
    return ambassador


@transaction.atomic
def ambassador_respond(actor, ambassador_id, *, accept: bool) -> Ambassador:
    """The invited agent accepts or declines; nobody can consent for them."""
    ambassador = access.access_ambassador(actor, ambassador_id)
    if ambassador.agent_id != actor.pk:
        raise PermissionDenied
    ambassador = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    if ambassador.status != Ambassador.Status.INVITED:
        raise ValidationError(_("This invitation has already been answered."))
    ambassador.status = Ambassador.Status.ACTIVE if accept else Ambassador.Status.DECLINED
    ambassador.responded_at = timezone.now()
    ambassador.save(update_fields=["status", "responded_at"])
    return ambassador


@transaction.atomic
def ambassador_end(actor, ambassador_id, *, on: datetime.date | None = None) -> Ambassador:
    """End a mandate (or withdraw an unanswered invitation) from `on`, today by default."""
    ambassador = access.access_ambassador(actor, ambassador_id, for_write=True)
    on = on or timezone.localdate()
    ambassador.status = Ambassador.Status.ENDED
    ambassador.ends_on = max(on, ambassador.starts_on)
    ambassador.save(update_fields=["status", "ends_on"])
    return ambassador

"""Who may see and change agents' accounts and profiles. The only place that decides it."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from intranet.accounts.models import User, login_is


def is_active_agent(actor) -> bool:
    """A signed-in agent whose account is active: the first condition of every access rule."""
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def visible_agents_q(actor, field: str = "") -> Q:
    """visible_agents as a Q on `field` (a FK to User; the agent itself when empty), for
    queries that already join the agent and should not read the table twice."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return Q(pk__in=[])
    return Q(**{f"{field}__is_active" if field else "is_active": True})


def visible_agents(actor) -> QuerySet[User]:
    """Agents listed to actor: every active agent, for any signed-in active agent."""
    return User.objects.filter(visible_agents_q(actor))


def can_edit_profile(actor, agent: User) -> bool:
    if not (actor and actor.is_authenticated and actor.is_active):
        return False
    return actor.pk == agent.pk or actor.is_superuser


def access_agent(actor, username: str, *, for_write: bool = False) -> User:
    """The agent called username as actor may see them (404 otherwise; 403 if read-only).

    Former agents keep a profile page, marked as such, so that links from their content
    still lead somewhere; unknown and former-agent lookups by outsiders are both 404.
    """
    if not (actor and actor.is_authenticated and actor.is_active):
        raise Http404
    agent = (
        User.objects.select_related("department", "manager")
        .filter(login_is(username[:150]))
        .first()
    )
    if agent is None:
        raise Http404
    if for_write and not can_edit_profile(actor, agent):
        raise PermissionDenied
    return agent

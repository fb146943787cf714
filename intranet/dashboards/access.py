"""Who may see which dashboard. The only place that decides it.

- a group's dashboard: its animators and owner, and staff; anyone else gets 404, like a
  missing group;
- the list of a group's dormant members: the group's own animators and owner only;
- the network dashboard and the silo indicators: staff only (404 for anyone else).
"""

from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.groups.access import access_group, membership_of
from intranet.groups.models import Group, Membership

ANIMATING = (Membership.Role.ANIMATOR, Membership.Role.OWNER)


def is_group_animator(actor, group: Group) -> bool:
    membership = membership_of(actor, group)
    return membership is not None and membership.role in ANIMATING


def can_see_network_dashboards(actor) -> bool:
    return is_active_agent(actor) and actor.is_staff


def can_see_group_dashboard(actor, group: Group) -> bool:
    return is_active_agent(actor) and (actor.is_staff or is_group_animator(actor, group))


def can_list_dormant_members(actor, group: Group) -> bool:
    return is_active_agent(actor) and is_group_animator(actor, group)


def access_group_dashboard(actor, slug: str) -> Group:
    group = access_group(actor, slug)
    if not can_see_group_dashboard(actor, group):
        raise Http404
    return group


def access_network_dashboards(actor) -> None:
    if not can_see_network_dashboards(actor):
        raise Http404

"""Groups carry #topics as their themes: a group's themes are visible with the group."""

from intranet.groups.access import visible_groups
from intranet.groups.models import Group
from intranet.topics.access import topic_carrier_register


def visible_theme_links(actor):
    """(group, topic) rows of the groups actor may see (a secret group's only to members)."""
    return Group.themes.through.objects.filter(group__in=visible_groups(actor))


topic_carrier_register("groups", visible_theme_links)

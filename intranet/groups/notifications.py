"""What notifications about a group may show: the group only while the recipient sees it."""

from intranet.groups.access import visible_groups
from intranet.notifications.targets import relation_register

relation_register("group", visible_groups)

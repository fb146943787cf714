"""What notifications about posts and comments may show: only what the recipient may read."""

from intranet.notifications.targets import relation_register
from intranet.stream.access import visible_comments, visible_posts

relation_register("post", visible_posts)
relation_register("comment", visible_comments)

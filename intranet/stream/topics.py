"""Posts carry #topics: a post's topics are visible with the post (stream.access)."""

from intranet.stream.access import visible_tagged_posts
from intranet.topics.access import topic_carrier_register

topic_carrier_register("posts", visible_tagged_posts)

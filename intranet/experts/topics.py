"""Expert themes carry #topics: a theme's topics are visible with the theme."""

from intranet.experts.access import visible_themes
from intranet.experts.models import Theme
from intranet.topics.access import topic_carrier_register


def visible_theme_topics(actor):
    """(theme, topic) rows of the themes actor may see (inactive ones: staff only)."""
    return Theme.topics.through.objects.filter(theme__in=visible_themes(actor))


topic_carrier_register("themes", visible_theme_topics)

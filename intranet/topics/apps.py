"""Topics: the #tags of posts and the themes of groups, which agents can follow."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "intranet.topics"
    label = "topics"
    verbose_name = _("Topics")

"""Topics: the #tags of posts and the themes of groups, which agents can follow."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "intranet.topics"
    label = "topics"
    verbose_name = _("Topics")

    def ready(self):
        # Each app that attaches #topics to its objects declares them in its topics.py, so
        # that topic pages show only topics something visible carries (topics.access).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("topics")

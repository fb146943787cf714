"""The activity stream: posts, comments, reactions, follows and acknowledgements."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreamConfig(AppConfig):
    name = "intranet.stream"
    label = "stream"
    verbose_name = _("Activity stream")

"""One row per open socket of a signed-in agent."""

from django.conf import settings
from django.db import models


class Presence(models.Model):
    """One open socket of an agent, so presence is right across tabs and processes.

    The process serving the socket refreshes `seen_at` (realtime.heartbeat). Rows of a
    crashed process are ignored once `seen_at` is older than the heartbeat timeout, and
    swept by a live process (at most once a minute per process: services.presence_sweep).
    """

    channel_name = models.CharField(max_length=200, unique=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    away = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        # The index keeps the name it was created with in the chat app: renaming it would
        # rebuild nothing but cost a migration step on every site.
        indexes = [models.Index(fields=["agent", "seen_at"], name="chat_presence_agent")]

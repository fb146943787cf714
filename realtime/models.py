"""The outbox of the embedded mode: channel-layer messages published outside daphne.

Without Redis the channel layer lives in the memory of daphne's process; the worker and
manage.py commands write what they publish here, and daphne's process forwards it to its
sockets (realtime.relay). Rows live for a second or so; none in production (Redis).
"""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    group = models.CharField(max_length=200)
    message = models.TextField()  # the channel-layer message, as JSON
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.group} #{self.pk}"

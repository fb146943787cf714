"""Conversations, their participants and messages.

Two counters per conversation give the delivery guarantee:
- `last_seq` numbers messages in the order they were written (Message.seq, never reused);
- `last_rev` numbers every change (a new message, an edit, a deletion, a reaction):
  Message.rev is the revision of its last change. A client keeps, per conversation, the
  highest rev it has seen and replays `rev > cursor` after a reconnection.
Both are taken under a lock on the conversation row, so revisions become visible in order.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MAX_NAMED_PARTICIPANTS = 50
MAX_ALT_CHARS = 500


class Conversation(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("group room")
        DIRECT = "direct", _("direct messages")
        NAMED = "named", _("conversation")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    group = models.OneToOneField(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="room"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    # "small_pk:large_pk" for direct conversations: one per pair of agents.
    direct_key = models.CharField(max_length=41, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_rev = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="group") & Q(group__isnull=False))
                | (~Q(kind="group") & Q(group__isnull=True)),
                name="chat_room_iff_group",
            ),
            models.CheckConstraint(
                condition=Q(kind="direct", direct_key__isnull=False) | ~Q(kind="direct"),
                name="chat_direct_has_key",
            ),
        ]
        indexes = [models.Index(fields=["-last_message_at"], name="chat_conv_recent")]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} {self.pk}"


class Participant(models.Model):
    """An agent in a conversation, with their read position.

    For group rooms the group's membership decides access; the row only keeps the read
    position. For direct and named conversations the row is the access (left_at null).
    """

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_participations"
    )
    last_read_seq = models.PositiveBigIntegerField(default=0)
    # The conversation's last_seq when the agent was last told of messages they missed
    # (chat.services.notices): one notification per conversation until they read it.
    notified_seq = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "agent"], name="chat_one_participant")
        ]
        indexes = [models.Index(fields=["agent", "conversation"], name="chat_part_agent")]


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveBigIntegerField()
    rev = models.PositiveBigIntegerField()
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chat_messages"
    )
    idempotency_key = models.CharField(max_length=64)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    attachment = models.FileField(upload_to="chat/", blank=True, max_length=200)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveBigIntegerField(default=0)
    # An image's text alternative, written by its sender; empty when marked decorative.
    attachment_alt = models.CharField(max_length=MAX_ALT_CHARS, blank=True)
    attachment_decorative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"], name="chat_message_idempotent"
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "rev"], name="chat_message_rev"),
            # The dashboards' daily run reads one day (docs/dashboards.md, Performance).
            models.Index(fields=["created_at"], name="chat_message_created"),
        ]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", _("I like")
        THANKS = "thanks", _("Thank you")
        IDEA = "idea", _("Good idea")
        AGREE = "agree", _("I agree")
        CELEBRATE = "celebrate", _("Bravo")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "agent", "kind"], name="chat_reaction_once")
        ]


# Kept for plain-text places (e-mails, notifications); pages draw the site's own icons
# (static transverse/icons/reactions.svg), which need no colour-emoji font.
REACTION_SYMBOLS = {"like": "👍", "thanks": "🙏", "idea": "💡", "agree": "✅", "celebrate": "🎉"}


class SendCount(models.Model):
    """The chat rate limit's counter: how many messages an agent stored in the current
    minute. One row per agent, counted by the statement that stores the message (so
    the limit holds across tabs and processes, with no cache involved)."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    minute = models.BigIntegerField()  # Unix time // 60
    sent = models.PositiveIntegerField()

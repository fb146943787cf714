"""A notification to one agent, and each agent's delivery choices per kind.

Besides the group, post and comment it may concern, a notification may point to any object
an app registered as a target (intranet.notifications.targets), through `target`.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MENTION = "mention", _("someone mentions me")
    REPLY = "reply", _("a reply to my post or comment")
    REACTION = "reaction", _("a reaction to my content")
    MEMBERSHIP_REQUEST = "membership_request", _("a request to join a group I animate")
    MEMBERSHIP_APPROVED = "membership_approved", _("my request to join a group is approved")
    MEMBERSHIP_DECLINED = "membership_declined", _("my request to join a group is declined")
    INVITATION = "invitation", _("an invitation to a group")
    OWNERSHIP_RECEIVED = "ownership_received", _("I become the owner of a group")
    GROUP_POST = "group_post", _("a new post in a group I follow closely")
    ANNOUNCEMENT = "announcement", _("an announcement asking for acknowledgement")
    QUESTION_ROUTED = "question_routed", _("a question on a theme I cover (ambassador or expert)")
    ANSWER_RECEIVED = "answer_received", _("an answer to my question")
    ANSWER_ACCEPTED = "answer_accepted", _("my answer is accepted")
    QUESTION_ESCALATED = "question_escalated", _("a question left without answer is passed to me")
    AMBASSADOR_INVITATION = "ambassador_invitation", _("an invitation to be an ambassador")
    ENDORSEMENT_RECEIVED = "endorsement_received", _("a colleague endorses one of my skills")
    CHAT_MESSAGE = "chat_message", _("a chat message I missed while away")
    DATA_EXPORT_READY = "data_export_ready", _("the export of my data is ready")
    EVENT_PROMOTED = "event_promoted", _("a seat frees up for a session I wait for")
    EVENT_REMINDER = "event_reminder", _("a reminder the day before a session I attend")
    EVENT_SURVEY = "event_survey", _("a satisfaction survey after a session I attended")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("on the site only")
    EMAIL = "email", _("on the site and by e-mail at once")
    DIGEST = "digest", _("on the site and in the daily digest")
    OFF = "off", _("off")


# Digests rather than floods: only what asks for action goes out at once.
DEFAULT_CHANNELS = {
    Kind.MENTION: Channel.DIGEST,
    Kind.REPLY: Channel.DIGEST,
    Kind.REACTION: Channel.IN_APP,
    Kind.MEMBERSHIP_REQUEST: Channel.DIGEST,
    Kind.MEMBERSHIP_APPROVED: Channel.IN_APP,
    Kind.MEMBERSHIP_DECLINED: Channel.IN_APP,
    Kind.INVITATION: Channel.DIGEST,
    Kind.OWNERSHIP_RECEIVED: Channel.EMAIL,
    Kind.GROUP_POST: Channel.DIGEST,
    Kind.ANNOUNCEMENT: Channel.EMAIL,
    Kind.QUESTION_ROUTED: Channel.EMAIL,
    Kind.ANSWER_RECEIVED: Channel.EMAIL,
    Kind.ANSWER_ACCEPTED: Channel.IN_APP,
    # Escalations reach every other department's ambassadors: a digest, not a flood.
    Kind.QUESTION_ESCALATED: Channel.DIGEST,
    Kind.AMBASSADOR_INVITATION: Channel.EMAIL,
    Kind.ENDORSEMENT_RECEIVED: Channel.DIGEST,
    Kind.CHAT_MESSAGE: Channel.IN_APP,
    Kind.DATA_EXPORT_READY: Channel.EMAIL,
    Kind.EVENT_PROMOTED: Channel.EMAIL,
    Kind.EVENT_REMINDER: Channel.EMAIL,
    Kind.EVENT_SURVEY: Channel.EMAIL,
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.ForeignKey("groups.Group", null=True, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("stream.Post", null=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "stream.Comment", null=True, on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Seen in the list (the header's badge counts the unseen); read once opened.
    seen_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["recipient", "seen_at"]),
            models.Index(fields=["channel", "emailed_at"]),
            models.Index(fields=["target_type", "target_id"], name="notifications_target"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_type__isnull=True, target_id__isnull=True)
                | models.Q(target_type__isnull=False, target_id__isnull=False),
                name="notifications_target_complete",
            )
        ]


class Preference(models.Model):
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "kind"], name="notifications_one_pref_per_kind"
            )
        ]

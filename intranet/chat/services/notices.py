"""Notifications of chat messages an agent missed: written to them in a direct or named
conversation, and still unread a while later (not connected, or not reading that
conversation: an open conversation page marks what it shows as read at once).

One notification per conversation until the agent reads it (Participant.notified_seq),
whatever the number of messages; reading the conversation marks it read. Group rooms
notify through @mentions only: a busy room would otherwise notify every member of the
group for every burst. The periodic job (chat.tasks) runs chat_missed_notify.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intranet.chat.models import Conversation, Message, Participant
from intranet.notifications.models import Kind, Notification
from intranet.notifications.services import notifications_mark_read, notify

# A message unread this long was missed; conversations quiet for longer than LOOK_BACK
# were looked at by earlier runs already.
MISSED_AFTER = timedelta(minutes=1)
LOOK_BACK = timedelta(days=1)


def _first_unread(participant: Participant, before) -> Message | None:
    return (
        Message.objects.filter(
            conversation_id=participant.conversation_id,
            seq__gt=participant.last_read_seq,
            deleted_at__isnull=True,
            created_at__lte=before,
        )
        .exclude(sender_id=participant.agent_id)
        .select_related("sender")
        .order_by("seq")
        .first()
    )


def chat_missed_notify(*, now=None) -> int:
    """Notify every participant who missed messages and was not told yet; how many were."""
    now = now or timezone.now()
    before = now - MISSED_AFTER
    candidates = Participant.objects.filter(
        left_at__isnull=True,
        agent__is_active=True,
        conversation__last_message_at__gte=now - LOOK_BACK,
        last_read_seq__lt=F("conversation__last_seq"),
        notified_seq__lte=F("last_read_seq"),
    ).exclude(conversation__kind=Conversation.Kind.GROUP)
    told = 0
    for participant in candidates.select_related("agent", "conversation"):
        message = _first_unread(participant, before)
        if message is None:
            continue
        with transaction.atomic():
            # Claim the row: a second run at the same moment finds it told already.
            claimed = Participant.objects.filter(
                pk=participant.pk, notified_seq__lte=F("last_read_seq")
            ).update(notified_seq=participant.conversation.last_seq)
            if claimed and notify(
                participant.agent,
                Kind.CHAT_MESSAGE,
                actor=message.sender,
                target=participant.conversation,
            ):
                told += 1
    return told


def missed_notices_clear(agent, conversation: Conversation) -> int:
    """The agent read the conversation: its missed-message notifications are read too."""
    content_type = ContentType.objects.get_for_model(Conversation)
    ids = list(
        Notification.objects.filter(
            recipient=agent,
            kind=Kind.CHAT_MESSAGE,
            target_type=content_type,
            target_id=conversation.pk,
            read_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    return notifications_mark_read(agent, ids=ids) if ids else 0

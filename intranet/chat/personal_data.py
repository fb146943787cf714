"""Chat's personal data: the messages an agent sent and their attachments
(intranet.accounts.personal_data). Never the others' messages of a conversation."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.chat.models import Message, Participant, Reaction
from intranet.search.services import search_index_many_later

BATCH = 2000


def _sent(agent):
    return Message.objects.filter(sender=agent).order_by("pk")


def _export(agent, archive) -> None:
    archive.write_json(
        "messages.json",
        _sent(agent)
        .values(
            "pk", "conversation_id", "parent_id", "created_at", "edited_at", "deleted_at",
            "body", "attachment_name",
        )
        .iterator(chunk_size=BATCH),
    )  # fmt: skip
    archive.write_json(
        "conversations.json",
        Participant.objects.filter(agent=agent).values("conversation_id", "joined_at", "left_at"),
    )
    archive.write_json(
        "reactions.json",
        Reaction.objects.filter(agent=agent).values("message_id", "kind", "created_at"),
    )
    attached = _sent(agent).exclude(attachment="").only("pk", "attachment", "attachment_name")
    for message in attached.iterator(chunk_size=BATCH):
        name = message.attachment_name or message.attachment.name.rsplit("/", 1)[-1]
        archive.write_file(f"attachments/{message.pk}-{name}", message.attachment)


def _count(agent) -> int:
    return _sent(agent).filter(deleted_at__isnull=True).count()


def _anonymise(agent) -> None:
    search_index_many_later("chat", _sent(agent).values_list("pk", flat=True))


def _erase(agent) -> None:
    """Messages keep their place in the sequence (replay by seq), emptied and deleted."""
    sent = _sent(agent)
    files = list(sent.exclude(attachment="").values_list("attachment", flat=True))
    storage = Message._meta.get_field("attachment").storage
    sent.update(
        body="", body_html="", attachment="", attachment_name="", attachment_type="",
        attachment_size=0, deleted_at=timezone.now(),
    )  # fmt: skip
    Reaction.objects.filter(agent=agent).delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


provider_register(
    Provider(
        name="chat",
        label=_("chat messages sent"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
        erase=_erase,
    )
)

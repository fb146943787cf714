"""The audit trail's part of an agent's data (intranet.accounts.personal_data): the events
they did and the events about them go into their export; anonymising keeps the entries
(a security record) but removes the name and login they carry.

Declared here rather than in intranet.audit: the audit trail stands below accounts (it
records sign-ins), so it cannot fill accounts' registry; privacy already writes to it."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.audit.kinds import kind_label
from intranet.audit.models import AuditEntry

BATCH = 2000


def _about(agent):
    agent_type = ContentType.objects.get_for_model(type(agent), for_concrete_model=False)
    return AuditEntry.objects.filter(
        Q(actor_id=agent.pk) | Q(target_type=agent_type, target_id=str(agent.pk))
    )


def _rows(agent):
    entries = (
        _about(agent)
        .order_by("pk")
        .values("created_at", "kind", "actor_id", "address", "target_label", "details")
    )
    for entry in entries.iterator(chunk_size=BATCH):
        own = entry.pop("actor_id") == agent.pk
        yield {
            "created_at": entry["created_at"],
            "event": kind_label(entry["kind"]),
            "by_you": own,
            "address": entry["address"] if own else "",  # others' addresses stay out
            "object": entry["target_label"],
            "details": entry["details"],
        }


def _export(agent, archive) -> None:
    archive.write_json("audit.json", _rows(agent))


def _anonymise(agent) -> None:
    agent_type = ContentType.objects.get_for_model(type(agent), for_concrete_model=False)
    AuditEntry.objects.filter(actor_id=agent.pk).update(actor_label=f"former-{agent.pk}")
    AuditEntry.objects.filter(target_type=agent_type, target_id=str(agent.pk)).update(
        target_label=f"former-{agent.pk}"
    )


provider_register(
    Provider(name="audit", label=_("audit trail"), export=_export, anonymise=_anonymise)
)

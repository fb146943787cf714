"""Writes on personal data: exports asked and built, leavers anonymised, content erased."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.personal_data import providers
from intranet.audit import kinds
from intranet.audit.services import audit_record
from intranet.privacy.access import can_manage_personal_data
from intranet.privacy.archive import build_zip, private_storage
from intranet.privacy.models import EXPORT_LIFETIME, DataExport, Erasure

logger = logging.getLogger(__name__)


@transaction.atomic
def export_request(actor, *, agent=None) -> DataExport:
    """Queue an export of agent's data (actor's own by default; staff for anyone).

    One export at a time: a pending one is returned instead of a second."""
    agent = agent or actor
    if agent.pk != actor.pk and not can_manage_personal_data(actor):
        raise PermissionDenied
    pending = DataExport.objects.filter(agent=agent, status=DataExport.Status.PENDING).first()
    if pending is not None:
        return pending
    export = DataExport.objects.create(
        agent=agent, requested_by=actor if actor.pk != agent.pk else None
    )
    from intranet.privacy.tasks import privacy_export_build

    transaction.on_commit(lambda: privacy_export_build.enqueue(export.pk))
    return export


def _write_everything(agent):
    def write(archive):
        for provider in providers():
            if provider.export is not None:
                provider.export(agent, archive.within(provider.name))

    return write


def export_build(export_id: int) -> DataExport | None:
    """Build the zip of a pending export, mark it ready and tell the agent."""
    export = DataExport.objects.select_related("agent").filter(pk=export_id).first()
    if export is None or export.status != DataExport.Status.PENDING:
        return None
    name = f"exports/{export.agent_id}/{export.pk}-{timezone.now():%Y%m%d%H%M%S}.zip"
    try:
        stored, size = build_zip(name, _write_everything(export.agent))
    except Exception:
        logger.exception("data export %s failed", export.pk)
        DataExport.objects.filter(pk=export.pk).update(status=DataExport.Status.FAILED)
        raise
    now = timezone.now()
    export.file_name, export.size, export.status = stored, size, DataExport.Status.READY
    export.ready_at, export.expires_at = now, now + EXPORT_LIFETIME
    with transaction.atomic():
        export.save(update_fields=["file_name", "size", "status", "ready_at", "expires_at"])
        _notify_ready(export)
        audit_record(
            kinds.DATA_EXPORTED,
            actor=export.requested_by or export.agent,
            target=export.agent,
            export=export.pk,
            size=size,
        )
    return export


def _notify_ready(export: DataExport) -> None:
    from intranet.notifications.models import Kind
    from intranet.notifications.services import notify

    for recipient in {export.agent, export.requested_by} - {None}:
        if recipient.is_active:
            notify(recipient, Kind.DATA_EXPORT_READY, target=export)


def exports_purge(now=None) -> int:
    """Remove the files of expired exports (and failed ones' leftovers); mark them expired."""
    now = now or timezone.now()
    expired = DataExport.objects.filter(
        status=DataExport.Status.READY, expires_at__lte=now
    ) | DataExport.objects.filter(
        status__in=[DataExport.Status.FAILED, DataExport.Status.PENDING],
        created_at__lte=now - EXPORT_LIFETIME,
    )
    storage, done = private_storage(), 0
    for export in expired.only("pk", "file_name"):
        if export.file_name:
            storage.delete(export.file_name)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.EXPIRED, file_name=""
        )
        done += 1
    return done


def personal_data_counts(agent) -> list[dict]:
    """{name, label, count} per provider that counts: shown before anonymising or erasing."""
    return [
        {"name": p.name, "label": p.label, "count": p.count(agent)}
        for p in providers()
        if p.count is not None
    ]


def _counts(agent) -> dict[str, int]:
    return {item["name"]: item["count"] for item in personal_data_counts(agent)}


def _require_staff(actor, agent) -> None:
    if not can_manage_personal_data(actor):
        raise PermissionDenied
    if agent.pk == actor.pk:
        raise ValidationError(_("You cannot anonymise or erase your own account."))
    if agent.is_active:
        raise ValidationError(
            _("This agent is still active: deactivate the account before anonymising it.")
        )


def _delete_exports(agent) -> None:
    names = list(
        DataExport.objects.filter(agent=agent)
        .exclude(file_name="")
        .values_list("file_name", flat=True)
    )
    DataExport.objects.filter(agent=agent).delete()
    storage = private_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


def _anonymise(agent) -> None:
    for provider in providers():
        if provider.anonymise is not None:
            provider.anonymise(agent)
    _delete_exports(agent)


@transaction.atomic
def agent_anonymise(actor, agent, *, request=None) -> Erasure:
    """Remove what identifies a departed agent; their content stays, as "former agent".

    actor None: the scheduled anonymisation of directory leavers (no permission check)."""
    if actor is not None:
        _require_staff(actor, agent)
    counts = _counts(agent)
    _anonymise(agent)
    erasure = Erasure.objects.create(
        agent=agent, kind=Erasure.Kind.ANONYMISE, performed_by=actor, counts=counts
    )
    # After the change: the entry names the former agent by id, not by name.
    audit_record(kinds.AGENT_ANONYMISED, actor=actor, target=agent, request=request, counts=counts)
    return erasure


@transaction.atomic
def agent_erase(actor, agent, *, reason: str, request=None) -> Erasure:
    """Erase a departed agent's content on a justified request, then anonymise them."""
    _require_staff(actor, agent)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the content is erased (the request it answers)."))
    counts = _counts(agent)
    for provider in providers():
        if provider.erase is not None:
            provider.erase(agent)
    _anonymise(agent)
    erasure = Erasure.objects.create(
        agent=agent, kind=Erasure.Kind.ERASE, performed_by=actor, reason=reason, counts=counts
    )
    audit_record(
        kinds.DATA_ERASED, actor=actor, target=agent, request=request, reason=reason, counts=counts
    )
    return erasure


def leavers_anonymise(now=None) -> int:
    """Anonymise directory agents deactivated for more than the setting's days (0: off)."""
    days = getattr(settings, "TRANSVERSE_ANONYMISE_LEAVERS_AFTER_DAYS", 0)
    if not days:
        return 0
    now = now or timezone.now()
    done = Erasure.objects.filter(kind__in=Erasure.Kind.values).values("agent_id")
    leavers = (
        get_user_model()
        .objects.filter(
            is_active=False,
            source="directory",
            left_at__lte=now - timedelta(days=days),
        )
        .exclude(pk__in=done)
    )
    count = 0
    for agent in leavers.iterator():
        agent_anonymise(None, agent)
        count += 1
    return count

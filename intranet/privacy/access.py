"""Who may see an export and who may act on another agent's personal data."""

from django.http import Http404
from django.utils import timezone

from intranet.privacy.models import DataExport


def can_manage_personal_data(actor) -> bool:
    """Staff produce exports for agents and anonymise or erase leavers."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def visible_exports(actor):
    """The agent's own exports, and those a staff member produced for someone."""
    if not getattr(actor, "is_authenticated", False):
        return DataExport.objects.none()
    from django.db.models import Q

    return DataExport.objects.filter(Q(agent_id=actor.pk) | Q(requested_by_id=actor.pk))


def access_export_download(actor, export_id) -> DataExport:
    """A ready, unexpired export of actor's (or produced by actor): 404 for anyone else."""
    try:
        export_id = int(export_id)
    except (TypeError, ValueError):
        raise Http404 from None
    export = (
        visible_exports(actor)
        .filter(pk=export_id, status=DataExport.Status.READY, expires_at__gt=timezone.now())
        .first()
    )
    if export is None or not export.file_name:
        raise Http404
    return export

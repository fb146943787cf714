"""Background jobs of the libraries (django-tasks): analysing each new version, the
daily purge of the trash and the daily clean-up of uploads left pending."""

import contextlib
import logging
import os
import shutil
import tempfile
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost
from intranet.documents.models import DocumentVersion, documents_storage

logger = logging.getLogger(__name__)
PURGE_JOB = "documents.trash_purge"
CLEANUP_JOB = "documents.pending_cleanup"


@contextlib.contextmanager
def local_path(name: str):
    """A path on this machine holding the stored file (a copy when the storage is remote)."""
    storage = documents_storage()
    try:
        yield storage.path(name)
        return
    except NotImplementedError:
        pass
    handle, path = tempfile.mkstemp(prefix="transverse-document-")
    try:
        with os.fdopen(handle, "wb") as copy, storage.open(name, "rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        yield path
    finally:
        os.unlink(path)


@task()
@rerun_if_lost
def version_analyse(version_id: int) -> str:
    """Scan a new version, then extract its text; it becomes ready or suspicious."""
    from intranet.documents import extraction, scanning
    from intranet.documents.services import version_mark

    version = DocumentVersion.objects.select_related("blob").filter(pk=version_id).first()
    if version is None or version.state not in (
        DocumentVersion.State.PENDING,
        DocumentVersion.State.ANALYSING,
    ):
        return "skipped"
    version_mark(version_id, DocumentVersion.State.ANALYSING)
    with local_path(version.blob.file.name) as path:
        if scanning.scanner_enabled():
            result = scanning.scan_file(path)
            if result.verdict == "infected":
                version_mark(
                    version_id,
                    DocumentVersion.State.SUSPICIOUS,
                    scan_signature=(result.signature or "")[:200],
                    analysed_at=timezone.now(),
                )
                return DocumentVersion.State.SUSPICIOUS
            if result.verdict != "clean":
                # The scanner is away: left pending, the daily clean-up queues it again.
                version_mark(version_id, DocumentVersion.State.PENDING)
                return "scan-error"
        outcome = extraction.extract_text(path, version.mime)
    version_mark(
        version_id,
        DocumentVersion.State.READY,
        extraction=outcome.status,
        extracted_text=outcome.text or "",
        analysed_at=timezone.now(),
    )
    return DocumentVersion.State.READY


def next_purge_time(now):
    """Every night at 3:30, local time."""
    local = timezone.localtime(now)
    when = local.replace(hour=3, minute=30, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


def next_cleanup_time(now):
    """Every night at 4:00, local time."""
    local = timezone.localtime(now)
    when = local.replace(hour=4, minute=0, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


@task(takes_context=True)
@rerun_if_lost
def trash_purge_periodic(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next
    from intranet.documents.services import trash_purge

    task_id = str(context.task_result.id)
    if not schedule_claim(PURGE_JOB, task_id):
        return 0
    try:
        return trash_purge()
    finally:
        schedule_next(PURGE_JOB, task_id)


@task(takes_context=True)
@rerun_if_lost
def pending_cleanup_periodic(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next
    from intranet.documents.services import pending_cleanup

    task_id = str(context.task_result.id)
    if not schedule_claim(CLEANUP_JOB, task_id):
        return 0
    try:
        return pending_cleanup()
    finally:
        schedule_next(CLEANUP_JOB, task_id)

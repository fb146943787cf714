"""Document libraries: every group's folders, documents, versions and trash."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "intranet.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from intranet.core.schedule import Periodic, periodic_register
        from intranet.documents.tasks import (
            CLEANUP_JOB,
            PURGE_JOB,
            next_cleanup_time,
            next_purge_time,
        )

        periodic_register(
            Periodic(PURGE_JOB, "intranet.documents.tasks.trash_purge_periodic", next_purge_time)
        )
        periodic_register(
            Periodic(
                CLEANUP_JOB, "intranet.documents.tasks.pending_cleanup_periodic", next_cleanup_time
            )
        )

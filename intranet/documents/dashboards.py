"""Documents' activity for the dashboards (intranet.core.activity, docs/dashboards.md).

A contribution is an upload: a new document or a new version, counted on the day it was
uploaded, for its author, in the document's group. Only ready versions of documents not
in the trash count (a version refused by the scan is not a contribution). Only
identifiers cross: never a file name or a byte.
"""

from django.utils.translation import gettext_lazy as _

from intranet.core.activity import ActivitySource, activity_register
from intranet.documents.models import Document, DocumentVersion


def uploads(start, end):
    return DocumentVersion.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        state=Document.State.READY,
        author__isnull=False,
        document__deleted_at__isnull=True,
    ).values_list("document__group_id", "author_id")


activity_register(ActivitySource("documents", _("documents uploaded"), uploads, order=70))

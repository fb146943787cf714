"""The wiki's activity for the dashboards (intranet.core.activity, docs/dashboards.md).

A contribution is a saved version of a page (its creation, an edit or a restoration),
counted on the day it was saved, for its author, in the page's group. Only identifiers
cross: never a title or a body.
"""

from django.utils.translation import gettext_lazy as _

from intranet.core.activity import ActivitySource, activity_register
from intranet.wiki.models import WikiVersion


def edits(start, end):
    return WikiVersion.objects.filter(
        created_at__gte=start, created_at__lt=end, author__isnull=False
    ).values_list("page__group_id", "author_id")


activity_register(ActivitySource("wiki_edits", _("wiki edits"), edits, order=80))

"""The search index's lag, for /metrics (registered with intranet.core.metrics).

Services queue an IndexEntry in the same transaction as their change; the indexer marks
it done once applied. The entries still pending, and the age of the oldest, say how far
the index trails the database.
"""

from django.db.models import Count, Min
from django.utils import timezone

from intranet.core.metrics import gauge, scrape_collector
from intranet.search.models import IndexEntry


@scrape_collector
def search_index_queue():
    pending = IndexEntry.objects.filter(done_at__isnull=True).aggregate(
        entries=Count("id"), oldest=Min("created_at")
    )
    entries = gauge("transverse_search_index_pending", "Index changes not yet applied.")
    entries.add_metric([], pending["entries"])
    yield entries
    oldest = pending["oldest"]
    lag = gauge(
        "transverse_search_index_lag_seconds",
        "Age of the oldest index change not yet applied (0 when none is pending).",
    )
    lag.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
    yield lag

"""Full-text search over agents, groups, posts and comments (and what later apps declare)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "intranet.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self):
        # Each indexed app declares its documents in its own search.py (see docs/search.md).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("search")

        from intranet.accounts.leavers import leaver_hook_register
        from intranet.core.health import health_check_register
        from intranet.core.worker import worker_maintenance_register
        from intranet.search.selectors import search_index_health
        from intranet.search.services import agents_reindex_later
        from intranet.search.tasks import search_drain_ensure

        health_check_register("search", search_index_health)
        worker_maintenance_register(search_drain_ensure)
        leaver_hook_register(agents_reindex_later)

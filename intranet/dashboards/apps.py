"""Animation dashboards: is the network alive, and does it break the silos?"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "intranet.dashboards"
    label = "dashboards"
    verbose_name = _("Animation dashboards")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from intranet.core.schedule import Periodic, periodic_register
        from intranet.dashboards import sources  # noqa: F401  (the existing apps' sources)
        from intranet.dashboards.tasks import AGGREGATION_JOB, next_aggregation

        autodiscover_modules("dashboards")  # later apps' own sources
        periodic_register(
            Periodic(
                AGGREGATION_JOB,
                "intranet.dashboards.tasks.dashboards_aggregate_periodic",
                next_aggregation,
            )
        )

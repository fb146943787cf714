"""The dashboards' working table's retention (intranet.core.retention):
TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS (120 days by default).

ActiveDay says which agent contributed in which group on which day: personal data, kept
only as long as the rolling windows need it (the 90 days of "dormant"). A setting below
that window is raised to it, so the daily run never counts an active member as dormant;
0 keeps the rows for ever. The daily figures (GroupDay, DepartmentDay, PairDay,
NetworkDay) hold counts only and are not personal data.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.core.retention import RetentionRule, retention_register
from intranet.dashboards.aggregation import DORMANT_AFTER_DAYS
from intranet.dashboards.models import ActiveDay

# The windows need the DORMANT_AFTER_DAYS days up to yesterday: keep one more.
MINIMUM_DAYS = DORMANT_AFTER_DAYS + 2


def activity_expired(before):
    floor = timezone.localtime(timezone.now()).date() - timedelta(days=MINIMUM_DAYS)
    return ActiveDay.objects.filter(day__lt=min(timezone.localtime(before).date(), floor))


retention_register(
    RetentionRule(
        name="dashboards_activity",
        label=_("Daily activity behind the animation dashboards"),
        setting="TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS",
        expired=activity_expired,
    )
)

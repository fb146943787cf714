"""Pre-aggregated daily figures: the pages read these rows, never the raw tables.

One row per day and per group, department, department pair and for the whole network,
computed by the daily task (see aggregation.py) and docs/dashboards.md for every measure.
ActiveDay is the aggregation's working table (who contributed in which group on a day):
no page shows it; it lets the rolling windows (7, 30, 90 days) be counted without reading
the raw tables again.
"""

from django.conf import settings
from django.db import models


class ActiveDay(models.Model):
    day = models.DateField()
    group = models.ForeignKey("groups.Group", null=True, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "departments.Department", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["day", "group"], name="dashboards_active_day"),
            models.Index(fields=["group", "day"], name="dashboards_active_group_day"),
            # a member's last 90 days in a group (dormant members)
            models.Index(fields=["group", "agent", "day"], name="dashboards_active_member"),
        ]


class GroupDay(models.Model):
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    members = models.PositiveIntegerField(default=0)
    new_members = models.PositiveIntegerField(default=0)
    leaving_members = models.PositiveIntegerField(default=0)
    members_observed = models.BooleanField(default=False)  # counted by the daily run itself
    active_7d = models.PositiveIntegerField(default=0)
    active_30d = models.PositiveIntegerField(default=0)
    active_departments_30d = models.PositiveIntegerField(default=0)
    dormant = models.PositiveIntegerField(default=0)
    contributions = models.JSONField(default=dict)  # {kind: n}
    members_by_department = models.JSONField(default=dict)  # {department id: n}
    contributions_by_department = models.JSONField(default=dict)  # {department id: n}
    questions = models.PositiveIntegerField(default=0)
    answer_delays = models.JSONField(default=list)  # minutes to the first answer
    # {completion source kind: [enrolled, completed]} (core.activity.completion_register)
    completion = models.JSONField(default=dict)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "day"], name="dashboards_one_group_day")
        ]
        indexes = [models.Index(fields=["day"], name="dashboards_groupday_day")]


class DepartmentDay(models.Model):
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    agents = models.PositiveIntegerField(default=0)
    active_30d = models.PositiveIntegerField(default=0)
    interactions = models.PositiveIntegerField(default=0)
    cross_interactions = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day"], name="dashboards_one_department_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="dashboards_departmentday_day")]


class PairDay(models.Model):
    """Interactions made on a day by agents of `source` with agents of `target`."""

    day = models.DateField()
    source = models.ForeignKey("departments.Department", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("departments.Department", on_delete=models.CASCADE, related_name="+")
    interactions = models.PositiveIntegerField(default=0)
    # From the first aggregated day through this one: a period's total is the difference
    # of two days' rows. Every pair that ever interacted has a row on every later day.
    cumulative = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "target"], name="dashboards_one_pair_day"
            )
        ]


class NetworkDay(models.Model):
    day = models.DateField(unique=True)
    agents = models.PositiveIntegerField(default=0)
    active_7d = models.PositiveIntegerField(default=0)
    active_30d = models.PositiveIntegerField(default=0)
    signins = models.PositiveIntegerField(default=0)
    contributions = models.JSONField(default=dict)
    interactions = models.PositiveIntegerField(default=0)
    cross_interactions = models.PositiveIntegerField(default=0)
    questions = models.PositiveIntegerField(default=0)
    answer_delays = models.JSONField(default=list)
    escalated = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    groups = models.PositiveIntegerField(default=0)
    dormant_groups = models.PositiveIntegerField(default=0)
    ambassador_coverage = models.JSONField(default=list)  # [[theme, departments covered]]
    departments = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

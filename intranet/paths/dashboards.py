"""Learning-path completion for the dashboards (intranet.core.activity, docs/dashboards.md,
"Learning-path completion").

For the end of a computed day, each group with a counted path gives (group, agents
enrolled, agents who completed):
- a path counts from the day it was created, once it has a step, while the group's paths
  tool is on;
- an agent is enrolled in a path from the start date of a cohort of the path they belong
  to, or from their first ticked step of it, whichever comes first;
- an agent completed a path once every one of its steps is ticked (by them, a session's
  attendance or a poll's vote) by the end of the day;
- a group with several paths counts each agent once: enrolled in at least one of its
  paths, completed at least one of them.
Deactivated agents are left out. Three queries whatever the number of paths, steps,
cohorts or agents; only identifiers and counts cross, never a title or a name.
"""

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.core.activity import CompletionSource, completion_register
from intranet.groups.models import GroupTool
from intranet.paths.access import TOOL
from intranet.paths.models import CohortMember, LearningPath, Progress


def counted_paths(end: datetime):
    tool_on = GroupTool.objects.filter(group=OuterRef("group"), key=TOOL)
    return (
        LearningPath.objects.filter(created_at__lt=end)
        .filter(Exists(tool_on))
        .annotate(step_count=Count("steps"))
        .filter(step_count__gt=0)
    )


def completion(end: datetime):
    """(group_id, enrolled, completed) for each group with a counted path at `end`."""
    paths = {
        pk: (group_id, steps)
        for pk, group_id, steps in counted_paths(end).values_list("pk", "group_id", "step_count")
    }
    if not paths:
        return []
    ids = counted_paths(end).values("pk")
    enrolled: dict[int, set[int]] = defaultdict(set)
    completed: dict[int, set[int]] = defaultdict(set)
    ticked = (
        Progress.objects.filter(step__path__in=ids, done_at__lt=end, agent__is_active=True)
        .values("step__path_id", "agent_id")
        .annotate(done=Count("pk"))
        .values_list("step__path_id", "agent_id", "done")
    )
    for path_id, agent_id, done in ticked.iterator(chunk_size=5000):
        group_id, steps = paths[path_id]
        enrolled[group_id].add(agent_id)
        if done >= steps:
            completed[group_id].add(agent_id)
    # A cohort starting on the computed day enrols its members that day.
    first_day_after = timezone.localtime(end, timezone.get_default_timezone()).date()
    in_cohorts = (
        CohortMember.objects.filter(
            cohort__path__in=ids, cohort__starts_on__lt=first_day_after, agent__is_active=True
        )
        .values_list("cohort__path_id", "agent_id")
        .distinct()
    )
    for path_id, agent_id in in_cohorts.iterator(chunk_size=5000):
        enrolled[paths[path_id][0]].add(agent_id)
    groups = sorted({group_id for group_id, _steps in paths.values()})
    return [(g, len(enrolled[g]), len(completed[g])) for g in groups]


completion_register(CompletionSource("paths", _("learning paths"), completion))

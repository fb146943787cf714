"""Who sees and runs a group's learning paths. A path follows its group: whoever may read
the group's content sees its paths while the group's paths tool is on
(intranet.groups.tools), anybody else gets a 404; the group's animators build them and
manage their cohorts; members tick their own progress."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.groups.access import can_moderate_group, is_member, readable_group_ids_q
from intranet.groups.models import Group, GroupTool
from intranet.groups.tools import tool_enabled
from intranet.paths.models import Cohort, LearningPath, Step

TOOL = "paths"


def visible_paths(actor) -> QuerySet[LearningPath]:
    """The paths actor may see: groups whose content they read, with the tool on."""
    if not is_active_agent(actor):
        return LearningPath.objects.none()
    tool_on = GroupTool.objects.filter(group=OuterRef("group"), key=TOOL)
    return LearningPath.objects.filter(readable_group_ids_q(actor)).filter(Exists(tool_on))


def can_manage_paths(actor, group: Group) -> bool:
    """Animators (owners, staff) create paths, edit steps, manage cohorts, see progress."""
    return not group.is_archived and tool_enabled(group, TOOL) and can_moderate_group(actor, group)


def can_follow_path(actor, path: LearningPath) -> bool:
    """Members tick their own progress (readers of an open group only read the path)."""
    return not path.group.is_archived and is_member(actor, path.group)


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**31:
        raise Http404
    return pk


def access_path(actor, group: Group, path_id, *, for_write: bool = False) -> LearningPath:
    """The path path_id of group (opened with access_group_tool): 404 when missing, 403
    with for_write when actor sees it but may not manage it."""
    path = visible_paths(actor).filter(group=group, pk=_pk(path_id)).first()
    if path is None:
        raise Http404
    if for_write and not can_manage_paths(actor, group):
        raise PermissionDenied
    path.group = group
    return path


def access_step(actor, path: LearningPath, step_id) -> Step:
    step = Step.objects.filter(path=path, pk=_pk(step_id)).first()
    if step is None:
        raise Http404
    step.path = path
    return step


def access_cohort(actor, path: LearningPath, cohort_id) -> Cohort:
    cohort = Cohort.objects.filter(path=path, pk=_pk(cohort_id)).first()
    if cohort is None:
        raise Http404
    cohort.path = path
    return cohort

"""Writes of learning paths: paths, steps (add, edit, move, remove), progress (ticked by
the member, or by the sessions' attendance and the polls' votes), cohorts.

Every service checks access itself. Moving a step swaps two positions inside one
transaction, the path's row locked, so two animators moving at once never break the
(path, position) uniqueness. Progress rows are unique per (step, agent): a second tick,
or two at once, is a no-op.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from intranet.core.text import without_nul
from intranet.groups.access import is_member
from intranet.groups.models import Membership
from intranet.paths import access, targets
from intranet.paths.models import (
    MAX_DESCRIPTION,
    MAX_STEPS,
    MAX_TITLE,
    MAX_URL,
    Cohort,
    CohortMember,
    LearningPath,
    Progress,
    Step,
)


def _line(text, *, limit: int, empty: str) -> str:
    text = " ".join(without_nul(str(text or "")).split())
    if not text:
        raise ValidationError(empty)
    if len(text) > limit:
        raise ValidationError(_("This text is too long (%(n)d characters at most).") % {"n": limit})
    return text


def _require_manage(actor, group) -> None:
    if not access.can_manage_paths(actor, group):
        raise PermissionDenied


@transaction.atomic
def path_create(actor, group, *, title: str, description: str = "") -> LearningPath:
    _require_manage(actor, group)
    description = without_nul(str(description or "")).strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(_("The description is too long."))
    return LearningPath.objects.create(
        group=group,
        title=_line(title, limit=MAX_TITLE, empty=_("Give the path a title.")),
        description=description,
        created_by=actor,
    )


@transaction.atomic
def path_update(actor, path: LearningPath, *, title: str, description: str = "") -> LearningPath:
    _require_manage(actor, path.group)
    description = without_nul(str(description or "")).strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(_("The description is too long."))
    path.title = _line(title, limit=MAX_TITLE, empty=_("Give the path a title."))
    path.description = description
    path.save(update_fields=["title", "description"])
    return path


def path_delete(actor, path: LearningPath) -> None:
    _require_manage(actor, path.group)
    path.delete()


def _target_fields(actor, group, *, kind: str, target_id=None, url: str = "", label: str = ""):
    if kind == Step.Kind.LINK:
        if len(str(url)) > MAX_URL:
            raise ValidationError(_("This address is too long."))
        return {
            "target_id": None,
            "url": targets.check_link(url),
            "label": _line(label, limit=MAX_TITLE, empty=_("Give the link a label.")),
        }
    return {
        "target_id": targets.check_target(actor, group, kind, target_id),
        "url": "",
        "label": "",
    }


def _locked(path: LearningPath) -> LearningPath:
    LearningPath.objects.select_for_update().filter(pk=path.pk).first()
    return path


@transaction.atomic
def step_add(actor, path: LearningPath, *, kind: str, target_id=None, url="", label="") -> Step:
    """A new last step of path (the target checked in the path's group, as actor sees it)."""
    _require_manage(actor, path.group)
    fields = _target_fields(actor, path.group, kind=kind, target_id=target_id, url=url, label=label)
    _locked(path)
    steps = Step.objects.filter(path=path)
    if steps.count() >= MAX_STEPS:
        raise ValidationError(_("A path has at most %(n)d steps.") % {"n": MAX_STEPS})
    last = steps.aggregate(last=Max("position"))["last"]
    return Step.objects.create(path=path, kind=kind, position=(last or 0) + 1, **fields)


@transaction.atomic
def step_update(actor, step: Step, *, kind: str, target_id=None, url="", label="") -> Step:
    group = step.path.group
    _require_manage(actor, group)
    fields = _target_fields(actor, group, kind=kind, target_id=target_id, url=url, label=label)
    changed = kind != step.kind or fields["target_id"] != step.target_id
    step.kind = kind
    for name, value in fields.items():
        setattr(step, name, value)
    step.save(update_fields=["kind", "target_id", "url", "label"])
    if changed:  # progress on the former target says nothing about the new one
        Progress.objects.filter(step=step).exclude(source=Progress.Source.TICKED).delete()
    return step


@transaction.atomic
def step_move(actor, step: Step, *, direction: str) -> Step:
    """Swap step with the one before ("up") or after ("down"); at an end, nothing moves."""
    _require_manage(actor, step.path.group)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a step up or down."))
    _locked(step.path)
    step.refresh_from_db(fields=["position"])
    siblings = Step.objects.filter(path_id=step.path_id)
    if direction == "up":
        other = siblings.filter(position__lt=step.position).order_by("-position").first()
    else:
        other = siblings.filter(position__gt=step.position).order_by("position").first()
    if other is None:
        return step
    mine, theirs = step.position, other.position
    # Through a free position, so the unique (path, position) holds after each statement.
    free = (siblings.aggregate(last=Max("position"))["last"] or 0) + 1
    Step.objects.filter(pk=step.pk).update(position=free)
    Step.objects.filter(pk=other.pk).update(position=mine)
    Step.objects.filter(pk=step.pk).update(position=theirs)
    step.position = theirs
    return step


@transaction.atomic
def step_remove(actor, step: Step) -> None:
    _require_manage(actor, step.path.group)
    _locked(step.path)
    step.delete()


def _tick(step_ids, agent_ids, source: str) -> int:
    rows = [Progress(step_id=s, agent_id=a, source=source) for s in step_ids for a in agent_ids]
    before = Progress.objects.filter(step_id__in=step_ids, agent_id__in=agent_ids).count()
    Progress.objects.bulk_create(rows, ignore_conflicts=True)
    return Progress.objects.filter(step_id__in=step_ids, agent_id__in=agent_ids).count() - before


def progress_set(actor, step: Step, *, done: bool) -> bool:
    """actor ticks (or unticks) their own progress on step: members of the path's group."""
    if not access.can_follow_path(actor, step.path):
        raise PermissionDenied
    if done:
        try:
            with transaction.atomic():
                Progress.objects.get_or_create(step=step, agent=actor)
        except IntegrityError:  # the same tick at the same time: it is there
            pass
    else:
        Progress.objects.filter(step=step, agent=actor).delete()
    return done


def attendance_ticks(event, present_ids) -> None:
    """Sessions' attendance hook: a step on this session is done for the agents present
    (members of the group), and no longer for those marked absent after all."""
    steps = list(
        Step.objects.filter(
            kind=Step.Kind.EVENT, target_id=event.pk, path__group_id=event.group_id
        ).values_list("pk", flat=True)
    )
    if not steps:
        return
    members = list(
        Membership.objects.filter(group_id=event.group_id, agent_id__in=present_ids).values_list(
            "agent_id", flat=True
        )
    )
    Progress.objects.filter(step_id__in=steps, source=Progress.Source.ATTENDED).exclude(
        agent_id__in=members
    ).delete()
    _tick(steps, members, Progress.Source.ATTENDED)


def vote_ticks(poll, agent) -> None:
    """Polls' vote hook: a step on this poll is done for the voter."""
    steps = list(
        Step.objects.filter(
            kind=Step.Kind.POLL, target_id=poll.pk, path__group_id=poll.group_id
        ).values_list("pk", flat=True)
    )
    if steps and is_member(agent, poll.group):
        _tick(steps, [agent.pk], Progress.Source.VOTED)


@transaction.atomic
def cohort_create(actor, path: LearningPath, *, name: str, starts_on, members=()) -> Cohort:
    _require_manage(actor, path.group)
    name = _line(name, limit=MAX_TITLE, empty=_("Give the cohort a name."))
    if Cohort.objects.filter(path=path, name=name).exists():
        raise ValidationError(_("This path already has a cohort of that name."))
    cohort = Cohort.objects.create(path=path, name=name, starts_on=starts_on)
    _cohort_members_set(cohort, members)
    return cohort


@transaction.atomic
def cohort_update(actor, cohort: Cohort, *, name: str, starts_on, members=()) -> Cohort:
    _require_manage(actor, cohort.path.group)
    name = _line(name, limit=MAX_TITLE, empty=_("Give the cohort a name."))
    if Cohort.objects.filter(path_id=cohort.path_id, name=name).exclude(pk=cohort.pk).exists():
        raise ValidationError(_("This path already has a cohort of that name."))
    cohort.name, cohort.starts_on = name, starts_on
    cohort.save(update_fields=["name", "starts_on"])
    _cohort_members_set(cohort, members)
    return cohort


def cohort_delete(actor, cohort: Cohort) -> None:
    _require_manage(actor, cohort.path.group)
    cohort.delete()


def _cohort_members_set(cohort: Cohort, members) -> None:
    """A cohort holds members of the path's group only: others are refused by name."""
    group = cohort.path.group
    outsiders = [a for a in members if not is_member(a, group)]
    if outsiders:
        raise ValidationError(
            _("Not members of the group: %(names)s.")
            % {"names": ", ".join(a.get_full_name() or a.username for a in outsiders)}
        )
    wanted = {a.pk for a in members}
    CohortMember.objects.filter(cohort=cohort).exclude(agent_id__in=wanted).delete()
    CohortMember.objects.bulk_create(
        [CohortMember(cohort=cohort, agent_id=pk) for pk in wanted], ignore_conflicts=True
    )

"""Reporting content, handling reports, publishing and accepting the charter."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.access import is_active_agent
from intranet.audit import kinds
from intranet.audit.services import audit_record
from intranet.core.text import without_nul
from intranet.moderation import access
from intranet.moderation.charter import charter_current
from intranet.moderation.models import CharterAcceptance, CharterVersion, Report
from intranet.moderation.reportables import reportable
from intranet.search.services import search_index_later


@transaction.atomic
def report_create(
    actor, *, reason: str, details: str = "", post_id=None, comment_id=None
) -> Report:
    """Report a post or a comment actor can see; reporting twice keeps one open report."""
    if not is_active_agent(actor):
        raise PermissionDenied
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason."))
    field, target_id = ("comment", comment_id) if comment_id is not None else ("post", post_id)
    kind = reportable(field)
    content = kind.access(actor, target_id)
    target = {"post": None, "comment": None, field: content}
    group_id = kind.group_id(content)
    existing = Report.objects.filter(reporter=actor, status=Report.Status.OPEN, **target).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Report.objects.create(
                reporter=actor,
                reason=reason,
                details=without_nul(details)[:1000],
                group_id=group_id,
                **target,
            )
    except IntegrityError:
        return Report.objects.get(reporter=actor, status=Report.Status.OPEN, **target)


def _target(report: Report):
    """The reported content and its registered kind."""
    field = "comment" if report.comment_id else "post"
    return getattr(report, field), reportable(field)


@transaction.atomic
def report_decide(actor, report_id, *, decision: str) -> Report:
    """hide: the content disappears for everyone; dismiss: it stays; restore: it comes back."""
    report = access.access_report(actor, report_id)
    target, kind = _target(report)
    now = timezone.now()
    if decision == "hide":
        type(target).objects.filter(pk=target.pk).update(hidden_at=now)
        kind.visibility_changed(target, False)
        status = Report.Status.HIDDEN
    elif decision == "restore":
        type(target).objects.filter(pk=target.pk).update(hidden_at=None)
        kind.visibility_changed(target, True)
        status = Report.Status.RESTORED
    elif decision == "dismiss":
        status = Report.Status.DISMISSED
    else:
        raise ValidationError(_("Unknown decision."))
    search_index_later(target)
    # Every open report on the same content is settled by the same decision.
    same = Report.objects.filter(post_id=report.post_id, comment_id=report.comment_id)
    same.filter(status__in=[Report.Status.OPEN, Report.Status.HIDDEN]).update(
        status=status, handled_by=actor, handled_at=now
    )
    report.refresh_from_db()
    # Each decision is its own entry: a report's whole history, not its last state.
    audit_record(
        kinds.MODERATION_DECIDED,
        actor=actor,
        target=report,
        decision=decision,
        reported=f"{'post' if report.post_id else 'comment'}:{report.post_id or report.comment_id}",
    )
    return report


@transaction.atomic
def charter_publish(actor, *, body: str) -> CharterVersion:
    if not access.can_edit_charter(actor):
        raise PermissionDenied
    body = without_nul(body or "").strip()
    if not body:
        raise ValidationError(_("The charter cannot be empty."))
    version = CharterVersion.objects.create(body=body, published_by=actor)
    audit_record(kinds.CHARTER_PUBLISHED, actor=actor, target=version)
    return version


@transaction.atomic
def charter_accept(actor, *, version_id) -> CharterAcceptance:
    if not is_active_agent(actor):
        raise PermissionDenied
    current = charter_current()
    if current is None or str(current.pk) != str(version_id):
        raise ValidationError(_("The charter has changed: please read the current version."))
    acceptance, _created = CharterAcceptance.objects.get_or_create(agent=actor, version=current)
    return acceptance

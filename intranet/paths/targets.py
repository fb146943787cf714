"""What a step points to, read through the target app's own access functions.

`resolve(actor, group, steps)` gives each step's title and address as actor may see them,
or None (shown as "unavailable", the title never read); a handful of queries whatever the
number of steps (one per kind present). `check_target` is the same test for one target
when an animator adds a step: it must be in the path's group (a question may also be
asked outside groups) and visible to the animator.

External links: http(s) only, on the site's own host or a host listed in
TRANSVERSE_PATHS_LINK_HOSTS (".example.gouv.fr" also allows its subdomains).
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from intranet.documents.access import visible_documents
from intranet.events.access import visible_events
from intranet.paths.models import Step
from intranet.polls.access import visible_polls
from intranet.questions.access import visible_questions
from intranet.wiki.access import visible_pages


@dataclass(frozen=True)
class Target:
    title: str
    url: str


def _wiki(actor, group, ids):
    rows = visible_pages(actor).filter(group=group, pk__in=ids).values_list("pk", "title", "slug")
    return {
        pk: Target(title, reverse("wiki:page-detail", args=[group.slug, slug]))
        for pk, title, slug in rows
    }


def _documents(actor, group, ids):
    rows = visible_documents(actor).filter(group=group, pk__in=ids).values_list("pk", "name")
    return {pk: Target(name, reverse("documents:document-detail", args=[pk])) for pk, name in rows}


def _events(actor, group, ids):
    rows = visible_events(actor).filter(group=group, pk__in=ids).values_list("pk", "title")
    return {
        pk: Target(title, reverse("events:event-detail", args=[group.slug, pk]))
        for pk, title in rows
    }


def _polls(actor, group, ids):
    rows = visible_polls(actor, group).filter(pk__in=ids).values_list("pk", "question")
    return {
        pk: Target(question, reverse("polls:poll-detail", args=[group.slug, pk]))
        for pk, question in rows
    }


def _questions(actor, group, ids):
    rows = (
        visible_questions(actor)
        .filter(Q(group=group) | Q(group__isnull=True), pk__in=ids)
        .values_list("pk", "title")
    )
    return {
        pk: Target(title, reverse("questions:question-detail", args=[pk])) for pk, title in rows
    }


READERS = {
    Step.Kind.WIKI: _wiki,
    Step.Kind.DOCUMENT: _documents,
    Step.Kind.EVENT: _events,
    Step.Kind.POLL: _polls,
    Step.Kind.QUESTION: _questions,
}


def resolve(actor, group, steps) -> dict[int, Target | None]:
    """step id -> its target as actor may see it, or None when actor may not."""
    wanted: dict[str, set[int]] = {}
    for step in steps:
        if step.kind != Step.Kind.LINK and step.target_id and step.target_id < 2**63:
            wanted.setdefault(step.kind, set()).add(step.target_id)
    found = {kind: READERS[kind](actor, group, ids) for kind, ids in wanted.items()}
    result: dict[int, Target | None] = {}
    for step in steps:
        if step.kind == Step.Kind.LINK:
            result[step.pk] = Target(step.label or step.url, step.url)
        else:
            result[step.pk] = found.get(step.kind, {}).get(step.target_id)
    return result


def check_target(actor, group, kind: str, target_id) -> int:
    """target_id as an int when actor may see that target in group, else a clear refusal."""
    if kind not in READERS:
        raise ValidationError(_("Choose what the step points to."))
    try:
        pk = int(target_id)
    except (TypeError, ValueError):
        raise ValidationError(_("Choose the step’s target in the list.")) from None
    if not 0 < pk < 2**31 or pk not in READERS[kind](actor, group, [pk]):
        raise ValidationError(_("This target does not exist in this group, or you may not see it."))
    return pk


def allowed_hosts() -> list[str]:
    site = urlsplit(settings.TRANSVERSE_SITE_URL).hostname or ""
    extra = getattr(settings, "TRANSVERSE_PATHS_LINK_HOSTS", [])
    return [h.lower() for h in [site, *extra] if h]


def _host_allowed(host: str) -> bool:
    for allowed in allowed_hosts():
        if allowed.startswith("."):
            if host == allowed[1:] or host.endswith(allowed):
                return True
        elif host == allowed:
            return True
    return False


def check_link(url: str) -> str:
    """url, when it is an http(s) address on an allowed host; a clear refusal otherwise."""
    url = str(url).strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ValidationError(_("This address is not valid.")) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationError(_("Only web addresses (http or https) are allowed."))
    if parts.username or parts.password or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationError(_("This address is not valid."))
    if not _host_allowed(host):
        raise ValidationError(
            _("Links may only point to the administration’s own sites (allowed: %(hosts)s).")
            % {"hosts": ", ".join(allowed_hosts())}
        )
    return url

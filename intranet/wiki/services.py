"""Every write to the wiki: create, edit (optimistic locking on the version number),
restore a version. Each keeps a version; creation and meaningful changes are announced
in the group's stream through stream's own service."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from intranet.core.text import without_nul
from intranet.groups import access as group_access
from intranet.groups.models import Group
from intranet.moderation.charter import charter_accepted
from intranet.search.services import search_index_later
from intranet.stream.models import Visibility
from intranet.stream.services.posts import post_create
from intranet.wiki import access
from intranet.wiki.diff import changed_chars
from intranet.wiki.models import MAX_BODY, MAX_TITLE, WikiPage, WikiVersion
from intranet.wiki.rendering import title_key

# A change is announced in the group's stream when it is not marked minor, touches at
# least this many characters (or the title), and the page was not announced this hour.
MEANINGFUL_CHARS = 80
ANNOUNCE_EVERY = timedelta(hours=1)
MAX_VERSION = 2**31 - 1
TRANSLATABLE_MARKDOWN = str.maketrans({c: f"\\{c}" for c in "\\`*_{}[]()#+-.!<>|~"})


class EditConflict(ValidationError):
    """The page moved on since the editor opened it: nothing is saved."""

    def __init__(self, page: WikiPage, base: int):
        self.page = page
        super().__init__(
            _(
                "Someone else saved this page while you were editing it (it is now at "
                "version %(current)d, you started from version %(base)d). Nothing is lost: "
                "your text is kept below. Compare it with the current version, then save again."
            )
            % {"current": page.version, "base": base}
        )


def clean_title(title: str) -> str:
    title = " ".join(without_nul(title or "").split())
    if not title:
        raise ValidationError(_("Give the page a title."))
    if len(title) > MAX_TITLE:
        raise ValidationError(
            _("The title is too long (%(max)d characters at most).") % {"max": MAX_TITLE}
        )
    if "[[" in title or "]]" in title:
        raise ValidationError(_("A title cannot contain [[ or ]]."))
    return title


def clean_body(body: str) -> str:
    body = without_nul(body or "").replace("\r\n", "\n")
    if len(body) > MAX_BODY:
        raise ValidationError(
            _("The page is too long (%(max)d characters at most).") % {"max": MAX_BODY}
        )
    return body


def _check_title_free(group: Group, title: str, page: WikiPage | None = None) -> str:
    key = title_key(title)
    taken = WikiPage.objects.filter(group=group, title_key=key)
    if page is not None:
        taken = taken.exclude(pk=page.pk)
    if taken.exists():
        raise ValidationError(_("A page with this title already exists in this group."))
    return key


def _check_parent(group: Group, parent: WikiPage | None, page: WikiPage | None = None) -> None:
    if parent is None:
        return
    if parent.group_id != group.pk:
        raise ValidationError(_("The parent page must be in the same group."))
    ancestor, seen = parent, set()
    while ancestor is not None and ancestor.pk not in seen:
        if page is not None and ancestor.pk == page.pk:
            raise ValidationError(
                _("A page cannot be placed under itself or one of its sub-pages.")
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent


def _unique_slug(group: Group, title: str) -> str:
    base = slugify(title)[:200] or "page"
    if base == "new":  # the address of the creation form
        base = "new-page"
    slug, n = base, 1
    while WikiPage.objects.filter(group=group, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _announce(actor, page: WikiPage, *, created: bool) -> None:
    """A post in the group's stream, when the actor may post there (members who accepted
    the charter); staff editing a group they are not in announce nothing."""
    group = page.group
    if not group_access.can_post_in_group(actor, group) or not charter_accepted(actor):
        return
    url = reverse("wiki:page-detail", args=[group.slug, page.slug])
    title = page.title.translate(TRANSLATABLE_MARKDOWN)
    if created:
        body = _("New wiki page: [%(title)s](%(url)s)") % {"title": title, "url": url}
    else:
        body = _("Wiki page updated: [%(title)s](%(url)s)") % {"title": title, "url": url}
    post_create(actor, body=body, visibility=Visibility.GROUP, group=group)
    WikiPage.objects.filter(pk=page.pk).update(announced_at=timezone.now())


@transaction.atomic
def page_create(
    actor,
    group: Group,
    *,
    title: str,
    body: str = "",
    parent: WikiPage | None = None,
    editors: str = WikiPage.Editors.MEMBERS,
    comment: str = "",
    announce: bool = True,
) -> WikiPage:
    if not access.can_create_page(actor, group):
        raise PermissionDenied
    if editors == WikiPage.Editors.ANIMATORS and not group_access.can_moderate_group(actor, group):
        raise PermissionDenied
    editors = WikiPage.Editors(editors)
    title, body = clean_title(title), clean_body(body)
    key = _check_title_free(group, title)
    _check_parent(group, parent)
    try:
        with transaction.atomic():
            page = WikiPage.objects.create(
                group=group,
                parent=parent,
                title=title,
                title_key=key,
                slug=_unique_slug(group, title),
                body=body,
                editors=editors,
                created_by=actor,
                updated_by=actor,
            )
    except IntegrityError:
        raise ValidationError(_("A page with this title already exists in this group.")) from None
    WikiVersion.objects.create(
        page=page,
        number=1,
        title=title,
        body=body,
        author=actor,
        comment=without_nul(comment)[:200],
    )
    search_index_later(page)
    if announce:
        _announce(actor, page, created=True)
    return page


@transaction.atomic
def page_edit(
    actor,
    page: WikiPage,
    *,
    base_version: int,
    title: str,
    body: str,
    parent: WikiPage | None = None,
    editors: str | None = None,
    comment: str = "",
    minor: bool = False,
    restored_from: int | None = None,
) -> WikiPage:
    """Save a new version of page, started from base_version: EditConflict when someone
    saved in between (the conditional UPDATE is the lock: one of two editors wins)."""
    if not access.can_edit_page(actor, page):
        raise PermissionDenied
    group = page.group
    title, body = clean_title(title), clean_body(body)
    key = _check_title_free(group, title, page)
    _check_parent(group, parent, page)
    if editors is None or editors == page.editors:
        editors = page.editors
    elif not access.can_change_editors(actor, page):
        raise PermissionDenied
    editors = WikiPage.Editors(editors)
    before = WikiPage.objects.get(pk=page.pk)
    number = base_version + 1
    updated = WikiPage.objects.filter(pk=page.pk, version=base_version).update(
        title=title,
        title_key=key,
        body=body,
        parent=parent,
        editors=editors,
        version=number,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        raise EditConflict(before, base_version)
    WikiVersion.objects.create(
        page=page,
        number=number,
        title=title,
        body=body,
        author=actor,
        comment=without_nul(comment)[:200],
        restored_from=restored_from,
    )
    page.refresh_from_db()
    page.group = group
    search_index_later(page)
    meaningful = not minor and (
        before.title != title or changed_chars(before.body, body) >= MEANINGFUL_CHARS
    )
    recent = before.announced_at and timezone.now() - before.announced_at < ANNOUNCE_EVERY
    if meaningful and not recent:
        _announce(actor, page, created=False)
    return page


def page_restore(actor, page: WikiPage, *, number: int, base_version: int) -> WikiPage:
    """A new version holding version `number`'s title and text (nothing is erased)."""
    old = None
    if 1 <= number <= MAX_VERSION:
        old = WikiVersion.objects.filter(page=page, number=number).first()
    if old is None:
        raise ValidationError(_("This version does not exist."))
    return page_edit(
        actor,
        page,
        base_version=base_version,
        title=old.title,
        body=old.body,
        parent=page.parent,
        comment=_("Restored version %(number)d") % {"number": number},
        restored_from=number,
    )

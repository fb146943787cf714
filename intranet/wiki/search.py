"""Wiki pages as search documents: readable like their group's content ("g:<id>"), and
only while the group's wiki is on (the re-check, wiki.access.visible_pages)."""

from django.utils.translation import gettext_lazy as _

from intranet.groups import access as group_access
from intranet.groups.models import Group
from intranet.search.registry import Document, DocumentType, register
from intranet.wiki import access
from intranet.wiki.models import WikiPage


@register
class WikiPageDocuments(DocumentType):
    kind = "wikipage"
    label = _("Wiki pages")
    model = WikiPage
    markdown = True

    def indexable(self):
        return WikiPage.objects.select_related("group")

    def document(self, page) -> Document:
        return Document(
            kind=self.kind,
            pk=page.pk,
            title=page.title,
            body=page.body,
            acl=(f"g:{page.group_id}",),
            author_id=page.created_by_id,
            group_id=page.group_id,
            created_at=page.created_at,
        )

    def visible(self, actor):
        return access.visible_pages(actor).select_related("group")

    def actor_tokens(self, actor) -> set[str]:
        readable = set(group_access.member_group_ids(actor))
        readable.update(
            group_access.visible_groups(actor)
            .filter(policy=Group.Policy.OPEN)
            .values_list("pk", flat=True)
        )
        return {f"g:{pk}" for pk in readable}

    def url_name(self, page):
        return "wiki:page-detail", [page.group.slug, page.slug]

    def result_title(self, page) -> str:
        return page.title

    def result_meta(self, page) -> str:
        return page.group.name

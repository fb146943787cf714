"""Groups as search documents. Secret groups are found by their members only.

Tokens: "g:<id>" is held by whoever may read group id's content (its members, and every
agent for an open group); it is read from the database at each search.
"""

from django.utils.translation import gettext_lazy as _

from intranet.groups import access
from intranet.groups.models import Group
from intranet.search.registry import TOKEN_EVERYONE, Document, DocumentType, register


def group_token(group_id: int) -> str:
    return f"g:{group_id}"


@register
class GroupDocuments(DocumentType):
    kind = "group"
    label = _("Groups")
    model = Group

    def indexable(self):
        return Group.objects.select_related("department").prefetch_related("themes")

    def document(self, group) -> Document:
        themes = " ".join(str(theme) for theme in group.themes.all())
        secret = group.policy == Group.Policy.SECRET
        return Document(
            kind=self.kind,
            pk=group.pk,
            title=group.name,
            body=f"{group.description} {themes}".strip(),
            acl=(group_token(group.pk),) if secret else (TOKEN_EVERYONE,),
            group_id=group.pk,
            department_id=group.department_id,
            created_at=group.created_at,
        )

    def visible(self, actor):
        return access.visible_groups(actor)

    def actor_tokens(self, actor) -> set[str]:
        readable = set(access.member_group_ids(actor))
        readable.update(
            access.visible_groups(actor)
            .filter(policy=Group.Policy.OPEN)
            .values_list("pk", flat=True)
        )
        return {group_token(pk) for pk in readable}

    def url_name(self, group):
        return "groups:group-detail", [group.slug]

    def result_title(self, group) -> str:
        return group.name

    def result_meta(self, group) -> str:
        return str(group.get_policy_display())

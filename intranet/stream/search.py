"""Posts and comments as search documents; a comment's access follows its post.

Tokens (see intranet.search.registry): "all" for the whole organisation, "d:<id>" for a
department's posts (held by agents of that department and of those below it), "a:<id>"
for an author's own posts outside groups, "g:<id>" for posts in group id.
"""

from django.utils.translation import gettext_lazy as _

from intranet.search.registry import (
    TOKEN_EVERYONE,
    Document,
    DocumentType,
    markdown_excerpt,
    register,
)
from intranet.stream import access
from intranet.stream.models import Comment, Post, Visibility


def post_tokens(post: Post) -> tuple[str, ...]:
    if post.visibility == Visibility.GROUP:
        return (f"g:{post.group_id}",)
    if post.visibility == Visibility.DEPARTMENT:
        return (f"d:{post.department_id}", f"a:{post.author_id}")
    return (TOKEN_EVERYONE,)


@register
class PostDocuments(DocumentType):
    kind = "post"
    label = _("Posts")
    model = Post
    markdown = True

    def indexable(self):
        return Post.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True).select_related(
            "author"
        )

    def document(self, post) -> Document:
        return Document(
            kind=self.kind,
            pk=post.pk,
            title="",
            body=post.body,
            acl=post_tokens(post),
            author_id=post.author_id,
            group_id=post.group_id,
            department_id=post.department_id or post.author.department_id,
            created_at=post.created_at,
        )

    def visible(self, actor):
        return access.visible_posts(actor).select_related("author", "group")

    def actor_tokens(self, actor) -> set[str]:
        tokens = {f"d:{pk}" for pk in access.department_scope_ids(actor)}
        tokens.add(f"a:{actor.pk}")
        return tokens

    def dependents(self, post):
        return [("comment", pk) for pk in post.comments.values_list("pk", flat=True)]

    def url_name(self, post):
        return "stream:post-detail", [post.pk]

    def result_title(self, post) -> str:
        return markdown_excerpt(post.body)

    def result_meta(self, post) -> str:
        where = post.group.name if post.group_id else post.get_visibility_display()
        return f"{post.author.display_name} · {where}"


@register
class CommentDocuments(DocumentType):
    kind = "comment"
    label = _("Comments")
    model = Comment
    markdown = True

    def indexable(self):
        return Comment.objects.filter(
            deleted_at__isnull=True,
            hidden_at__isnull=True,
            post__deleted_at__isnull=True,
            post__hidden_at__isnull=True,
        ).select_related("post__author")

    def document(self, comment) -> Document:
        post = comment.post
        return Document(
            kind=self.kind,
            pk=comment.pk,
            title="",
            body=comment.body,
            acl=post_tokens(post),
            author_id=comment.author_id,
            group_id=post.group_id,
            department_id=post.department_id or post.author.department_id,
            created_at=comment.created_at,
        )

    def visible(self, actor):
        return access.visible_comments(actor).select_related("author", "post__group")

    def url(self, comment):
        url = PostDocuments().url(comment.post)
        return f"{url}#comment-{comment.pk}" if url else None

    def result_title(self, comment) -> str:
        return markdown_excerpt(comment.body)

    def result_meta(self, comment) -> str:
        return str(comment.author.display_name)

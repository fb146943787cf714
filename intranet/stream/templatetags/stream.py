"""{% post_articles posts %}: a page of posts, each rendered once and then served from cache.

A post's article is cached under a digest of everything it prints (the post's text and
flags, its author, group, topics, dates and labels as this viewer's language shows them,
reaction counts and the viewer's own reactions, comment and acknowledgement counts, the
shared original the viewer may see). Any change to one of them is a new key, so the
cache is never stale; nothing here decides who sees a post: the posts given were already
filtered by the access model. Per-request bits (the CSRF token, the return address) stay
out of the article: the reaction buttons submit the page's one reaction form.
"""

import hashlib

from django import template
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from intranet.stream.models import REACTION_SYMBOLS, Post, ReactionKind

register = template.Library()

# Bump when stream/_post.html changes, so that no cached article of the old markup is used.
ARTICLE_VERSION = 5
ARTICLE_TTL = 24 * 3600


def _digest(post, hide_group: bool, language: str) -> str:
    author, original = post.author, post.visible_original
    printed = (
        ARTICLE_VERSION,
        language,
        hide_group,
        post.pk,
        post.visibility,
        post.body_html,
        post.is_announcement,
        post.requires_ack,
        bool(post.edited_at),
        bool(post.pinned_at),
        post.image_url,
        post.image_alt_text,
        post.created_iso,
        post.created_label,
        author.pk,
        author.username,
        author.display_name,
        author.initials,
        author.is_active,
        post.author_photo_url,
        post.group_url,
        post.group.name if post.group_id else "",
        post.topic_links,
        post.shared_from_id,
        original.pk if original else None,
        original.author.display_name if original else "",
        original.body_html if original else "",
        post.reaction_buttons,
        post.comment_label,
        getattr(post, "ack_label", ""),
        tuple(card.digest for card in getattr(post, "document_cards", ())),
    )
    return "stream:article:" + hashlib.blake2b(repr(printed).encode(), digest_size=16).hexdigest()


@register.simple_tag(takes_context=True)
def post_articles(context, posts, hide_group=False):
    """The articles of posts (decorated by stream.selectors.decorate_posts), in order."""
    return mark_safe("".join(_article_parts(context, posts, hide_group)))  # noqa: S308  (rendered, escaped templates)


def _article_parts(context, posts, hide_group) -> list[str]:
    language = get_language() or ""
    keys = [_digest(post, bool(hide_group), language) for post in posts]
    found = cache.get_many(keys)
    missing = {}
    article = get_template("stream/_post.html")
    for post, key in zip(posts, keys, strict=True):
        if key not in found:
            # No request: an article prints the post only (a RequestContext ran every
            # context processor of the site for each article).
            found[key] = missing[key] = article.render({"post": post, "hide_group": hide_group})
    if missing:
        cache.set_many(missing, ARTICLE_TTL)
    return [found[key] for key in keys]


@register.simple_tag(takes_context=True)
def feed_entries(context, feed, hide_group=False):
    """A feed page's posts (cached articles) and other entries (a group's document
    uploads: rendered for this viewer, never cached), newest first."""
    entries = feed.entries
    posts = [entry for entry in entries if isinstance(entry, Post)]
    articles = iter(_article_parts(context, posts, hide_group))
    parts = []
    for entry in entries:
        if isinstance(entry, Post):
            parts.append(next(articles))
        else:
            parts.append(
                get_template(entry.template).render({"batch": entry}, context.get("request"))
            )
    return mark_safe("".join(parts))  # noqa: S308  (rendered, escaped templates)


# Rendered blocks of unbound composer fields, by language and field variant (a handful).
_composer_fields: dict[tuple, str] = {}
_COMPOSER_FIELDS_MAX = 64


@register.simple_tag
def composer_field(field):
    """{% composer_field post_form.body %}: the field's block (_field.html), the same as
    `{% include "_field.html" %}`. An unbound field prints the same for every agent (its
    label, help text and initial value), so it is rendered once per process for each
    language and variant: the widgets' templates were a large part of a home page."""
    template = get_template("_field.html")
    form, bound = field.form, field.field
    if form.is_bound:
        return template.render({"field": field})
    key = (
        get_language(),
        type(form),
        form.prefix,
        form.auto_id,
        field.name,
        type(bound.widget),
        repr(bound.widget.attrs),
        bound.required,
        repr(field.value()),
        repr(getattr(bound, "choices", None)),
    )
    html = _composer_fields.get(key)
    if html is None:
        if len(_composer_fields) >= _COMPOSER_FIELDS_MAX:
            _composer_fields.clear()
        html = _composer_fields[key] = template.render({"field": field})
    return html


@register.filter
def reaction_symbol(kind):
    return REACTION_SYMBOLS.get(kind, "")


@register.simple_tag
def reaction_kinds():
    return ReactionKind.choices

"""A wiki page as HTML: the project's one Markdown renderer, then [[Title]] links.

Links are resolved after rendering and cleaning, on the text the renderer escaped: a
title is looked up among the group's pages (one query for all the links of a page); a
missing page becomes a link to create it (for those who may) or plain text.
"""

import html
import re
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from intranet.core.markdown import render_markdown
from intranet.core.text import fold
from intranet.wiki.models import MAX_TITLE, WikiPage

LINK = re.compile(r"\[\[([^\[\]<>\n]{1," + str(MAX_TITLE) + r"})\]\]")


def title_key(title: str) -> str:
    return fold(" ".join(title.split()))[:MAX_TITLE]


def render_page(page: WikiPage, *, can_create: bool = False) -> SafeString:
    rendered = str(render_markdown(page.body))
    titles = {html.unescape(m.group(1)).strip() for m in LINK.finditer(rendered)}
    if not titles:
        return mark_safe(rendered)  # noqa: S308  (the renderer's cleaned output)
    keys = {title_key(t) for t in titles}
    slugs = dict(
        WikiPage.objects.filter(group_id=page.group_id, title_key__in=keys).values_list(
            "title_key", "slug"
        )
    )
    group_slug = page.group.slug

    def link(match) -> str:
        title = html.unescape(match.group(1)).strip()
        slug = slugs.get(title_key(title))
        if slug:
            url = reverse("wiki:page-detail", args=[group_slug, slug])
            return f'<a href="{escape(url)}">{escape(title)}</a>'
        if can_create:
            url = reverse("wiki:page-create", args=[group_slug])
            url = f"{url}?{urlencode({'title': title})}"
            return f'<a class="wiki-missing" href="{escape(url)}">{escape(title)}</a>'
        return f'<span class="wiki-missing">{escape(title)}</span>'

    return mark_safe(LINK.sub(link, rendered))  # noqa: S308  (every inserted part escaped)

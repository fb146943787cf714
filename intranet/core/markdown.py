"""The one Markdown renderer for user content.

markdown-it-py's js-default preset keeps raw HTML out; links are limited to http, https,
mailto and relative URLs and get rel="noopener noreferrer nofollow"; nh3 then cleans the
output again as a second line of defence.
"""

from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_SCHEMES = {"http", "https", "mailto"}
# Not reformatted: a list of names reads better packed than one a line.
ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
MAX_SOURCE_CHARS = 100_000


def _validate_link(url: str) -> bool:
    candidate = url.strip()
    if ":" not in candidate.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return True  # relative URL, fragment or query
    scheme = candidate.split(":", 1)[0].lower()
    return scheme in ALLOWED_SCHEMES


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("js-default", {"linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    md.validateLink = _validate_link
    return md


def render_markdown(source: str) -> SafeString:
    """Render user Markdown to HTML that is safe to put in a page."""
    html = _parser().render((source or "")[:MAX_SOURCE_CHARS])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308  (cleaned by nh3 just above)

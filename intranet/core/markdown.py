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
# Tokens whose content is what a reader reads (html_*: only if raw HTML were ever enabled).
TEXT_TOKENS = {"text", "code_inline", "code_block", "fence", "html_inline", "html_block"}


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


def markdown_text(source: str) -> str:
    """The words a reader sees once source is rendered, as one line of plain text: for
    titles, snippets and previews. The same parser as render_markdown decides what is
    markup ("## Formation **RGAA**" gives "Formation RGAA"); raw HTML, which it never
    renders, stays as the characters typed, for the caller to escape like any text."""
    parts: list[str] = []

    def walk(tokens):
        for token in tokens:
            if token.children:
                walk(token.children)
            elif token.type in TEXT_TOKENS:
                parts.append(token.content)
            elif token.type in ("softbreak", "hardbreak") or (token.block and token.nesting < 0):
                parts.append(" ")

    walk(_parser().parse((source or "")[:MAX_SOURCE_CHARS]))
    return " ".join("".join(parts).split())

"""The one Markdown renderer: formatting works, nothing executable ever comes out."""

from html.parser import HTMLParser

import pytest

from intranet.core.markdown import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<iframe src=javascript:alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](&#106;avascript:alert(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](vbscript:msgbox(1))",
    "[clic](file:///etc/passwd)",
    "![img](javascript:alert(1))",
    '![img](x" onerror="alert(1))',
    '[a](https://ok.example "title" onmouseover="alert(1)")',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<base href=javascript:alert(1)//>",
    "<input autofocus onfocus=alert(1)>",
    "[x](javascript&colon;alert(1))",
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "[x]( javascript:alert(1) )",
    '<http://evil.example/"onmouseover="alert(1)>',
    "<javascript:alert(1)>",
    "www.example.fr/<script>alert(1)</script>",
    "[x](//evil.example/%0Ajavascript:alert(1))",
    "\u0000<script>alert(1)</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
]
EVENT_PREFIX = "on"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        # Not reformatted: a list of names reads better packed than one a line.
        if tag in {"script", "iframe", "object", "embed", "style", "img", "svg", "form", "input",
                   "meta", "base", "details", "math", "body", "noscript"}:  # fmt: skip
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name.startswith(EVENT_PREFIX):
                self.problems.append(f"attribute {name}")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
                if scheme and scheme not in {"http", "https", "mailto"} and "/" not in scheme:
                    self.problems.append(f"{name}={value}")


def executable_parts(html: str) -> list[str]:
    collector = _Collector()
    collector.feed(html)
    return collector.problems


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_markdown_renders_nothing_executable(payload):
    assert executable_parts(render_markdown(payload)) == []


def test_formatting_and_allowed_links_survive():
    html = render_markdown(
        "**gras** *italique*\n\n- un\n- deux\n\n"
        "[site](https://exemple.gouv.fr) [mail](mailto:a@b.fr) [page](/people/)"
    )
    assert "<strong>gras</strong>" in html and "<em>italique</em>" in html
    assert "<li>un</li>" in html
    assert 'href="https://exemple.gouv.fr"' in html
    assert 'href="mailto:a@b.fr"' in html
    assert 'href="/people/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_bare_urls_become_links():
    assert 'href="https://exemple.gouv.fr"' in render_markdown("voir https://exemple.gouv.fr")


def test_huge_input_is_bounded():
    html = render_markdown("a" * 1_000_000)
    assert len(html) < 200_000

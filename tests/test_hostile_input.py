"""Hostile input: a corpus of XSS payloads in every place users write, and bad requests.

Every rendered page is parsed: nothing executable may come out (no script but ours, no
event handler attribute, no javascript:/data:/vbscript: URL, no embedding tag).
"""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.people import services as people_services
from intranet.stream.models import Post
from intranet.stream.services import comments, posts

CORPUS = Path(__file__).parent / "fixtures" / "xss_payloads.txt"
# Not reformatted: a list of names reads better packed than one a line.
DANGEROUS_TAGS = {"iframe", "object", "embed", "svg", "math", "base", "style", "frameset",
                  "frame", "applet", "portal", "template", "xss", "layer", "bgsound"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcset", "poster"}


def load_payloads() -> list[str]:
    escapes = {"\\": "\\", "n": "\n", "t": "\t", "0": "\x00"}
    payloads = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        out, i = [], 0
        while i < len(line):
            if line[i] == "\\" and i + 1 < len(line):
                out.append(escapes.get(line[i + 1], line[i + 1]))
                i += 2
            else:
                out.append(line[i])
                i += 1
        payloads.append("".join(out))
    return payloads


PAYLOADS = load_payloads()


# The one inline <svg> the site's templates write: a reaction icon drawing from the site's
# own sprite. The Markdown sanitiser never lets a class attribute through, so no payload can
# dress up as one.
SITE_ICON = "reaction-icon"


class ExecutableFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg" and dict(attrs).get("class") == SITE_ICON:
            pass  # the site's own icon (templates/_reaction_icon.html); its <use> is checked
        elif tag in DANGEROUS_TAGS:
            self.found.append(f"<{tag}>")
        if tag == "use" and not (dict(attrs).get("href") or "").startswith("/static/"):
            self.found.append("<use> of something other than the site's static icons")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                self.found.append("inline or foreign <script>")
        if tag == "meta" and dict(attrs).get("http-equiv"):
            self.found.append("<meta http-equiv>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES and value:
                scheme = "".join(value.split()).split(":", 1)[0].lower() if ":" in value else ""
                if scheme in {"javascript", "data", "vbscript", "file"}:
                    self.found.append(f"{tag}[{name}={value[:40]}]")


def executable_parts(html: str) -> list[str]:
    finder = ExecutableFinder()
    finder.feed(html)
    return finder.found


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 100


def test_payloads_in_posts_and_comments(alice_client, alice, group):
    post = posts.post_create(alice, body="Hôte", visibility="group", group=group)
    for payload in PAYLOADS:
        created = posts.post_create(alice, body=payload or "x", visibility="group", group=group)
        comments.comment_create(alice, post.pk, body=payload or "x")
        html = alice_client.get(f"/posts/{created.pk}/").content.decode()
        assert executable_parts(html) == [], payload
    html = alice_client.get(f"/posts/{post.pk}/").content.decode()
    assert executable_parts(html) == []
    for url in ["/", f"/groups/{group.slug}/", "/people/alice/"]:
        assert executable_parts(alice_client.get(url).content.decode()) == [], url


def test_payloads_in_group_names_and_descriptions(alice_client, alice):
    for payload in PAYLOADS:
        name = ("G " + payload)[:120]
        group = group_services.group_create(
            alice, name=name, description=payload, policy=Group.Policy.OPEN, themes=[payload[:50]]
        )
        html = alice_client.get(f"/groups/{group.slug}/").content.decode()
        assert executable_parts(html) == [], payload
    for page in (1, 2, 3, 4, 5):
        html = alice_client.get("/groups/", {"page": page}).content.decode()
        assert executable_parts(html) == []


def test_payloads_in_profile_fields(alice_client, alice):
    for payload in PAYLOADS:
        people_services.profile_update(
            alice,
            alice,
            about=payload,
            title=payload[:200],
            office=payload[:200],
            first_name=payload[:150],
            skills=[payload[:80]],
        )
        html = alice_client.get("/people/alice/").content.decode()
        assert executable_parts(html) == [], payload
    assert executable_parts(alice_client.get("/people/").content.decode()) == []


def test_double_submission_creates_one_post(alice_client, alice):
    data = {"body": "Une seule fois", "visibility": "organisation", "idempotency_key": "abc123"}
    alice_client.post("/posts/new/", data)
    alice_client.post("/posts/new/", data)
    assert Post.objects.filter(body="Une seule fois").count() == 1


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example"],
)
def test_open_redirects_are_refused(alice_client, alice, next_url):
    response = alice_client.post(
        "/posts/new/", {"body": "x", "visibility": "organisation", "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    login = alice_client.get("/accounts/login/", {"next": next_url})
    assert next_url not in login.content.decode() or login.status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/posts/999999/",
        "/posts/999999/edit/",
        "/groups/nope/",
        "/topics/nope/",
        "/report/?post=abc",
        "/report/?comment=999999",
        "/notifications/999999/",
    ],
)
def test_forged_ids_are_404_or_handled(alice_client, alice, url):
    assert alice_client.get(url).status_code in (302, 404)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/posts/new/", {"body": "", "visibility": "organisation"}),
        ("/posts/new/", {"body": "x" * 20_001, "visibility": "organisation"}),
        ("/posts/new/", {"body": "x", "visibility": "nowhere"}),
        ("/posts/new/", {"body": "x", "visibility": "group", "group": "abc"}),
        ("/posts/new/", {"body": "x", "visibility": "group", "group": "999999"}),
        ("/posts/999999/react/", {"kind": "like"}),
        ("/posts/999999/comments/", {"body": "x"}),
        ("/comments/999999/delete/", {}),
        ("/groups/nope/join/", {}),
        ("/moderation/999999/", {"decision": "hide"}),
    ],
)
def test_bad_posts_never_500(alice_client, alice, url, data):
    response = alice_client.post(url, data)
    assert response.status_code in (302, 400, 403, 404)

"""Images carry their author's description: a post's image and a group's logo are
described (required unless decorative, then alt=""), and the text shows wherever the image
does; hostile descriptions are escaped or refused, never a 500."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from intranet.groups import services as groups
from intranet.stream.models import Post
from intranet.stream.services import posts


def png(name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def image_alts(html: str, css_class: str) -> list[str]:
    return re.findall(rf'<img class="{css_class}"[^>]*? alt="([^"]*)"', html)


def test_a_post_image_needs_a_description_unless_decorative(alice):
    with pytest.raises(ValidationError) as error:
        posts.post_create(alice, body="Photo", visibility="organisation", image=png())
    assert error.value.messages == [
        "Décrivez l’image pour qui ne peut pas la voir, ou indiquez qu’elle est décorative."
    ]
    assert not Post.objects.exists()
    decorative = posts.post_create(
        alice, body="Photo", visibility="organisation", image=png(), image_decorative=True
    )
    assert (decorative.image_alt, decorative.image_decorative) == ("", True)


def test_the_description_shows_in_the_feed_the_post_and_the_profile(client, alice, carol):
    post = posts.post_create(
        alice,
        body="Atelier",
        visibility="organisation",
        image=png(),
        image_alt="  Douze agents   autour d'une fresque du climat ",
    )
    for agent, url in [
        (alice, "/"),
        (carol, f"/posts/{post.pk}/"),
        (carol, f"/people/{alice.username}/"),
    ]:
        client.force_login(agent)
        html = client.get(url).content.decode()
        assert image_alts(html, "post__image") == [
            "Douze agents autour d&#x27;une fresque du climat"
        ]


def test_a_decorative_image_has_an_empty_alt(client, alice):
    posts.post_create(
        alice, body="Déco", visibility="organisation", image=png(), image_decorative=True
    )
    client.force_login(alice)
    assert image_alts(client.get("/").content.decode(), "post__image") == [""]


def test_the_composer_refuses_a_missing_or_huge_description_and_escapes_script(client, alice):
    client.force_login(alice)
    base = {"body": "Photo", "visibility": "organisation"}
    response = client.post("/posts/new/", {**base, "image": png()})
    assert response.status_code == 400 and not Post.objects.exists()
    assert "Décrivez l’image" in response.content.decode()
    response = client.post("/posts/new/", {**base, "image": png(), "image_alt": "x" * 10_000})
    assert response.status_code == 400 and not Post.objects.exists()
    response = client.post(
        "/posts/new/",
        {**base, "image": png(), "image_alt": '"><script>alert(1)</script>\x00', "next": "/"},
    )
    assert response.status_code == 400  # a NUL is refused by the form, not a 500
    response = client.post(
        "/posts/new/",
        {**base, "image": png(), "image_alt": '"><script>alert(1)</script>', "next": "/"},
    )
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert image_alts(html, "post__image") == ["&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"]


def test_posts_without_image_ignore_a_description(alice):
    post = posts.post_create(alice, body="Texte", visibility="organisation", image_alt="rien")
    assert (post.image_alt, post.image_decorative) == ("", False)


def test_a_group_logo_is_described_at_creation_and_on_edit(client, alice, carol):
    group = groups.group_create(
        alice, name="Veille", policy="open", image=png(), image_alt="Logo : une loupe"
    )
    client.force_login(carol)
    for url in (f"/groups/{group.slug}/", "/groups/"):
        html = client.get(url).content.decode()
        assert "Logo : une loupe" in image_alts(html, "group-(?:head|card)__image")
    groups.group_image_describe(alice, group, image_alt="", decorative=True)
    html = client.get(f"/groups/{group.slug}/").content.decode()
    assert image_alts(html, "group-head__image") == [""]
    with pytest.raises(ValidationError):
        groups.group_image_describe(alice, group, image_alt=" ", decorative=False)
    with pytest.raises(ValidationError):
        groups.group_create(alice, name="Sans", policy="open", image=png())


def test_the_group_forms_refuse_a_missing_or_huge_logo_description(client, alice):
    client.force_login(alice)
    data = {"name": "Logo", "policy": "open", "confirm_distinct": "on"}
    response = client.post("/groups/new/", {**data, "image": png()})
    assert response.status_code == 200 and "Décrivez l’image" in response.content.decode()
    response = client.post("/groups/new/", {**data, "image": png(), "image_alt": "y" * 10_000})
    assert response.status_code == 200
    response = client.post(
        "/groups/new/", {**data, "image": png(), "image_alt": "<b>Logo</b>", "themes": ""}
    )
    assert response.status_code == 302
    slug = response["Location"].split("/")[2]
    response = client.post(
        f"/groups/{slug}/edit/",
        {"name": "Logo", "policy": "open", "themes": "", "image_alt": "z" * 10_000},
    )
    assert response.status_code == 200  # refused, shown again
    response = client.post(
        f"/groups/{slug}/edit/",
        {"name": "Logo", "policy": "open", "themes": "", "image_alt": "Un logo"},
    )
    assert response.status_code == 302
    html = client.get(f"/groups/{slug}/").content.decode()
    assert image_alts(html, "group-head__image") == ["Un logo"]

"""Every social page renders for a member, with real data behind it."""

import pytest

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.moderation.services import charter_publish, report_create
from intranet.stream.services import comments, posts, reactions


@pytest.fixture
def world(alice, carol, staff):
    group = group_services.group_create(
        alice, name="Réseau RGPD", policy=Group.Policy.CLOSED, themes=["RGPD"], description="**Hi**"
    )
    post = posts.post_create(alice, body="Bonjour @carol #RGPD", visibility="group", group=group)
    org = posts.post_create(alice, body="Pour tous #numérique", visibility="organisation")
    comment = comments.comment_create(alice, post.pk, body="Premier commentaire")
    comments.comment_create(alice, post.pk, body="Réponse", parent_id=comment.pk)
    reactions.reaction_toggle(alice, kind="like", post_id=post.pk)
    charter_publish(staff, body="# Charte\n\nSoyez courtois.")
    report_create(alice, reason="spam", post_id=org.pk)
    return {"group": group, "post": post, "org": org, "comment": comment}


def test_member_pages_render(alice_client, world):
    g, p = world["group"], world["post"]
    for url in [
        "/",
        "/?show=groups",
        "/?show=mentions",
        "/?topic=rgpd",
        f"/?after={p.pk}",
        "/groups/",
        "/groups/?mine=on&kind=thematic",
        "/groups/new/",
        f"/groups/{g.slug}/",
        f"/groups/{g.slug}/members/",
        f"/groups/{g.slug}/edit/",
        "/groups/invitations/",
        f"/posts/{p.pk}/",
        f"/posts/{p.pk}/edit/",
        f"/posts/{world['org'].pk}/share/",
        f"/posts/{p.pk}/revisions/",
        "/topics/rgpd/",
        "/notifications/",
        "/notifications/settings/",
        "/moderation/",
        "/charter/",
        f"/report/?post={p.pk}",
        f"/comments/{world['comment'].pk}/edit/",
        "/mentions/?q=car",
    ]:
        response = alice_client.get(url)
        assert response.status_code == 200, url


def test_staff_pages_render(client, staff, world):
    client.force_login(staff)
    for url in ["/moderation/", "/charter/edit/", f"/groups/{world['group'].slug}/"]:
        assert client.get(url).status_code == 200, url

"""The access model as a generated matrix: actor × group kind × surface.

Each case plants a unique token in a post of the group (and a comment under it) and
checks every surface: the post page, the group page, the group feed, the topic page,
the author's profile activity, the home feed, notifications, comment and reaction
writes, the member list and the group directory. Visible means shown; invisible means
404 (exactly like a missing object) and the token, the group's name and its counts
appearing nowhere.
"""

import pytest
from django.test import Client

from intranet.departments.services import department_create
from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.stream.services import comments, posts
from tests.factories import UserFactory

ACTORS = [
    "member",
    "animator",
    "outsider",
    "invited",
    "former_member",
    "deactivated",
    "anonymous",
    "staff",
]
KINDS = ["open", "closed", "secret", "department", "archived"]


def expected_visible(actor: str, kind: str) -> bool:
    if actor in {"anonymous", "deactivated"}:
        return False
    if actor in {"member", "animator", "staff"}:
        return True
    return kind == "open"


def group_visible(actor: str, kind: str) -> bool:
    if actor in {"anonymous", "deactivated"}:
        return False
    return kind != "secret" or actor in {"member", "animator", "staff"}


@pytest.fixture
def scene(db):
    department = department_create(name="Direction de la matrice")
    owner = UserFactory(username="owner", department=department)
    agents = {
        name: UserFactory(username=name, department=department)
        for name in ["member", "animator", "outsider", "invited", "former_member", "deactivated"]
    }
    agents["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return {"owner": owner, "agents": agents, "department": department}


def build_group(scene, kind):
    owner, agents = scene["owner"], scene["agents"]
    policy = {"open": "open", "secret": "secret"}.get(kind, "closed")
    group = group_services.group_create(
        owner, name=f"Groupe {kind} zqx", policy=policy, themes=["matrice"]
    )
    if kind == "department":
        Group.objects.filter(pk=group.pk).update(
            kind=Group.Kind.DEPARTMENT, department=scene["department"]
        )
    for name in ["member", "animator", "former_member", "deactivated"]:
        group_services._add_member(group, agents[name])
    group_services.group_member_role_set(owner, group, agents["animator"], role="animator")
    token = f"tok{kind}secretword"
    post = posts.post_create(
        owner,
        body=f"{token} #matrice @member @outsider @invited @staffer",
        visibility="group",
        group=group,
    )
    comment = comments.comment_create(owner, post.pk, body=f"comment{token}")
    group_services.group_invite(owner, group, agents=[agents["invited"]])
    group_services.group_leave(agents["former_member"], group)
    agents["deactivated"].is_active = False
    agents["deactivated"].save()
    if kind == "archived":
        group_services.group_archive(owner, group)
    group.refresh_from_db()
    return group, post, comment, token


def client_for(scene, actor):
    client = Client()
    if actor != "anonymous":
        client.force_login(scene["agents"][actor])
    return client


def body(response) -> str:
    return response.content.decode() if response.status_code == 200 else ""


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix(scene, actor, kind):
    group, post, comment, token = build_group(scene, kind)
    client = client_for(scene, actor)
    visible, see_group = expected_visible(actor, kind), group_visible(actor, kind)
    signed_in = actor not in {"anonymous", "deactivated"}

    post_page = client.get(f"/posts/{post.pk}/")
    if not signed_in:
        assert post_page.status_code == 302 and "/accounts/login/" in post_page["Location"]
        return
    assert post_page.status_code == (200 if visible else 404)
    assert (f"comment{token}" in body(post_page)) is visible

    group_page = client.get(f"/groups/{group.slug}/")
    assert group_page.status_code == (200 if see_group else 404)
    assert (token in body(group_page)) is visible

    for url in ["/topics/matrice/", "/people/owner/", "/?show=all", "/?show=mentions"]:
        assert token not in body(client.get(url)) or visible, url
    assert (token in body(client.get("/topics/matrice/"))) is visible
    # The group's theme and its post carry #matrice: out of sight with them, like unknown.
    assert client.get("/topics/matrice/").status_code == (200 if see_group else 404)

    directory = body(client.get("/groups/"))
    assert (group.name in directory) is see_group
    members = client.get(f"/groups/{group.slug}/members/")
    assert members.status_code == (200 if visible else 404)

    notifications = body(client.get("/notifications/"))
    if actor in {"outsider", "invited"} and not visible:
        assert "mentioned you" not in notifications and "vous a mentionné" not in notifications

    comment_post = client.post(f"/posts/{post.pk}/comments/", {"body": "hello"})
    react = client.post(f"/posts/{post.pk}/react/", {"kind": "like"})
    if not visible:
        assert comment_post.status_code == 404 and react.status_code == 404
    report = client.get(f"/report/?comment={comment.pk}")
    assert report.status_code == (200 if visible else 404)


@pytest.mark.parametrize("actor", ["outsider", "invited", "former_member"])
def test_secret_group_leaks_nowhere(scene, actor):
    group, _post, _comment, token = build_group(scene, "secret")
    client = client_for(scene, actor)
    pages = [
        "/",
        "/groups/",
        "/groups/?q=zqx",
        "/topics/matrice/",
        "/people/owner/",
        "/notifications/",
        "/people/",
        "/mentions/?q=own",
    ]
    for url in pages:
        html = body(client.get(url))
        assert group.name not in html and token not in html, url


def test_member_who_leaves_loses_access_at_once(scene):
    group, post, _comment, token = build_group(scene, "closed")
    member = scene["agents"]["member"]
    client = client_for(scene, "member")
    assert client.get(f"/posts/{post.pk}/").status_code == 200
    group_services.group_leave(member, group)
    assert client.get(f"/posts/{post.pk}/").status_code == 404
    assert token not in body(client.get("/topics/matrice/"))


@pytest.mark.parametrize("visibility", ["department", "organisation"])
def test_department_and_organisation_posts(scene, visibility):
    owner = scene["owner"]
    other_department = department_create(name="Autre direction")
    sub = department_create(name="Sous-service", parent=scene["department"])
    insider = UserFactory(username="insider", department=sub)
    outsider = UserFactory(username="farout", department=other_department)
    post = posts.post_create(owner, body="annonce zqx", visibility=visibility)
    for agent, expected in [(insider, True), (outsider, visibility == "organisation")]:
        client = Client()
        client.force_login(agent)
        assert client.get(f"/posts/{post.pk}/").status_code == (200 if expected else 404)

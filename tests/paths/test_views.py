"""Learning-path pages: the access matrix (not visible = 404, visible but not the
animator's = 403, a tool that is off = 404), unavailable steps that never show their
title, hostile input never a 500 nor a script, the keyboard's up/down buttons, the CSV
export, the profile section for oneself only."""

import pytest
from django.urls import reverse
from django.utils import translation

from intranet.documents.models import Document, Restriction
from intranet.groups import services as group_services
from intranet.paths import services
from intranet.paths.models import Progress, Step
from tests.factories import GroupFactory
from tests.paths.conftest import TOOLS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_pages(client):
    """Pages in English, so the tests can state their texts exactly."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def urls(path, step=None, cohort=None):
    slug, pk = path.group.slug, path.pk
    step = step or path.steps.first()
    result = {
        "list": reverse("paths:path-list", args=[slug]),
        "detail": reverse("paths:path-detail", args=[slug, pk]),
        "edit": reverse("paths:path-edit", args=[slug, pk]),
        "progress": reverse("paths:path-progress", args=[slug, pk]),
        "step-add": reverse("paths:step-add", args=[slug, pk]),
        "step-edit": reverse("paths:step-edit", args=[slug, pk, step.pk]),
        "step-move": reverse("paths:step-move", args=[slug, pk, step.pk]),
        "step-progress": reverse("paths:step-progress", args=[slug, pk, step.pk]),
        "cohorts": reverse("paths:cohort-list", args=[slug, pk]),
    }
    if cohort:
        result["cohort"] = reverse("paths:cohort-edit", args=[slug, pk, cohort.pk])
    result["step-remove"] = reverse("paths:step-remove", args=[slug, pk, step.pk])  # last
    return result


READ = {"list", "detail"}
POST_ONLY = {"step-move", "step-remove", "step-progress"}


@pytest.mark.parametrize("policy", ["open", "closed", "secret"])
@pytest.mark.parametrize("who", ["owner", "member", "outsider", "staff"])
def test_access_matrix(client, alice, bob, carol, staff, policy, who):
    from intranet.groups.models import Membership

    group = GroupFactory(created_by=bob, name=f"Espace {policy}", policy=policy)
    Membership.objects.get_or_create(group=group, agent=alice)
    group_services.group_tools_set(bob, group, keys=TOOLS)
    path = services.path_create(bob, group, title="Parcours")
    services.step_add(bob, path, kind="link", url="http://127.0.0.1:8000/aide", label="Aide")
    cohort = services.cohort_create(bob, path, name="Vague", starts_on="2027-01-04")
    actor = {"owner": bob, "member": alice, "outsider": carol, "staff": staff}[who]
    client.force_login(actor)
    may_read = who != "outsider" or policy == "open"
    may_manage = who in ("owner", "staff")
    for name, url in urls(path, cohort=cohort).items():
        if name in POST_ONLY:
            response = client.post(url, {"direction": "down", "done": "1"})
        else:
            response = client.get(url)
        if not may_read:
            assert response.status_code == 404, (name, who, policy)
        elif name not in READ and not may_manage and name != "step-progress":
            assert response.status_code == 403, (name, who, policy)  # sees, may not change
        elif name == "step-progress" and who in ("outsider", "staff"):
            assert response.status_code == 403, (name, who)  # reads, but is no member
        else:
            assert response.status_code in (200, 302), (name, who, policy, response.status_code)


def test_tool_off_is_404_and_no_tab(client, path, alice, staff):
    client.force_login(alice)
    detail = urls(path)["detail"]
    assert client.get(detail).status_code == 200
    group_services.group_tools_set(staff, path.group, keys=["wiki"])
    assert client.get(detail).status_code == 404
    page = client.get(reverse("groups:group-detail", args=[path.group.slug])).content.decode()
    assert reverse("paths:path-list", args=[path.group.slug]) not in page


def test_unavailable_step_never_shows_its_title(client, path, bob, alice):
    hidden = Document.objects.create(
        group=path.group, name="Plan social confidentiel", state="ready",
        restriction=Restriction.ANIMATORS,
    )  # fmt: skip
    services.step_add(bob, path, kind="document", target_id=hidden.pk)
    client.force_login(alice)
    with translation.override("en"):
        html = client.get(urls(path)["detail"]).content.decode()
    assert "Plan social confidentiel" not in html
    assert "Unavailable step" in html
    client.force_login(bob)
    assert "Plan social confidentiel" in client.get(urls(path)["detail"]).content.decode()


def test_hostile_titles_are_escaped(client, tools_on, bob, alice):
    path = services.path_create(bob, tools_on, title='<script>alert("x")</script><img src=x>')
    services.step_add(
        bob, path, kind="link", url="http://127.0.0.1:8000/?q=<b>", label="<svg onload=alert(1)>"
    )
    client.force_login(alice)
    for url in (urls(path)["list"], urls(path)["detail"]):
        html = client.get(url).content.decode()
        assert (
            "<script>alert" not in html and "<svg onload" not in html and "<img src=x>" not in html
        )
        assert "&lt;script&gt;" in html


def test_javascript_link_is_refused_with_a_message(client, path, bob):
    client.force_login(bob)
    with translation.override("en"):
        response = client.post(
            urls(path)["step-add"], {"url": "javascript:alert(1)", "label": "Clique"}
        )
    assert response.status_code == 400
    assert "Only web addresses (http or https) are allowed." in response.content.decode()
    assert not Step.objects.filter(kind="link").exists()


def test_foreign_target_by_form_is_refused(client, path, bob):
    from intranet.wiki import services as wiki_services

    other = GroupFactory(created_by=bob, name="Ailleurs", policy="secret")
    group_services.group_tools_set(bob, other, keys=TOOLS)
    foreign = wiki_services.page_create(bob, other, title="Page secrète", body="")
    client.force_login(bob)
    response = client.post(urls(path)["step-add"], {"target": f"wiki:{foreign.pk}"})
    assert response.status_code == 400
    assert path.steps.count() == 3


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"target": "wiki:abc"},
        {"target": "wiki:99999999999999999999"},
        {"target": "x" * 5000},
        {"url": "http://127.0.0.1:8000/" + "a" * 600, "label": "long"},
        {"url": "http://127.0.0.1:8000/\x00", "label": "nul"},
        {"target": "wiki:1", "url": "http://127.0.0.1:8000/", "label": "both"},
    ],
)
def test_hostile_step_forms_never_500(client, path, bob, data):
    client.force_login(bob)
    response = client.post(urls(path)["step-add"], data)
    assert response.status_code == 400
    assert path.steps.count() == 3


@pytest.mark.parametrize("bad", ["0", "99999999999", "-1"])
def test_hostile_ids_are_404(client, path, bob, bad):
    client.force_login(bob)
    slug = path.group.slug
    assert client.get(f"/groups/{slug}/paths/{bad}/").status_code == 404
    assert client.post(
        f"/groups/{slug}/paths/{path.pk}/steps/{bad}/move", {"direction": "up"}
    ).status_code == 404  # fmt: skip


def test_step_of_another_path_is_404(client, path, bob, tools_on):
    other = services.path_create(bob, tools_on, title="Autre")
    step = services.step_add(bob, other, kind="link", url="http://127.0.0.1:8000/", label="L")
    client.force_login(bob)
    url = reverse("paths:step-move", args=[path.group.slug, path.pk, step.pk])
    assert client.post(url, {"direction": "up"}).status_code == 404


def test_move_buttons_reorder_by_keyboard_forms(client, path, bob):
    first, second, third = path.steps.all()
    client.force_login(bob)
    with translation.override("en"):
        html = client.get(urls(path)["detail"]).content.decode()
    assert html.count("Move up") == 2 and html.count("Move down") == 2
    response = client.post(urls(path, step=third)["step-move"], {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{third.pk}")
    assert list(path.steps.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]


def test_member_ticks_and_double_submission_keeps_one_row(client, path, alice):
    client.force_login(alice)
    url = urls(path)["step-progress"]
    assert client.post(url, {"done": "1"}).status_code == 302
    assert client.post(url, {"done": "1"}).status_code == 302
    assert Progress.objects.filter(agent=alice).count() == 1
    client.post(url, {"done": "0"})
    assert not Progress.objects.filter(agent=alice).exists()


def test_progress_page_and_csv_neutralise_formulas(client, path, bob, alice):
    alice.first_name = "=HYPERLINK(1)"
    alice.save()
    services.progress_set(alice, path.steps.first(), done=True)
    client.force_login(bob)
    html = client.get(urls(path)["progress"]).content.decode()
    assert "<svg" in html and "<table" in html
    response = client.get(urls(path)["progress"] + "?format=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in text
    assert client.get(urls(path)["progress"] + "?format=xml").status_code == 404


def test_cohort_by_the_person_picker(client, path, bob, alice, carol):
    client.force_login(bob)
    url = urls(path)["cohorts"]
    response = client.post(url, {"name": "Vague 1", "starts_on": "2027-01-04", "members": "carol"})
    assert response.status_code == 400  # carol is no member of the group
    response = client.post(
        url, {"name": "Vague 1", "starts_on": "2027-01-04", "members": "alice, bob"}
    )
    assert response.status_code == 302
    cohort = path.cohorts.get()
    assert set(cohort.members.values_list("username", flat=True)) == {"alice", "bob"}


def test_profile_shows_own_progress_to_oneself_only(client, path, alice, bob):
    services.progress_set(alice, path.steps.first(), done=True)
    profile = reverse("people:agent-detail", args=[alice.username])
    client.force_login(alice)
    with translation.override("en"):
        html = client.get(profile).content.decode()
    assert "My learning paths" in html and "Accueil du public" in html
    assert "1 of 3 steps done" in html
    client.force_login(bob)
    with translation.override("en"):
        html = client.get(profile).content.decode()
    assert "My learning paths" not in html


def test_secret_path_is_not_on_outsider_profile_nor_pages(client, bob, carol):
    secret = GroupFactory(created_by=bob, name="Cellule secrète", policy="secret")
    group_services.group_tools_set(bob, secret, keys=TOOLS)
    path = services.path_create(bob, secret, title="Parcours confidentiel")
    services.step_add(bob, path, kind="link", url="http://127.0.0.1:8000/", label="L")
    client.force_login(carol)
    html = client.get(reverse("people:agent-detail", args=[carol.username])).content.decode()
    assert "Parcours confidentiel" not in html
    assert client.get(urls(path)["detail"]).status_code == 404


def test_detail_query_count_does_not_grow_with_steps(
    client, path, bob, alice, django_assert_max_num_queries
):
    client.force_login(alice)
    client.get(urls(path)["detail"])
    for i in range(15):
        services.step_add(bob, path, kind="link", url=f"http://127.0.0.1:8000/{i}", label=str(i))
    with django_assert_max_num_queries(40):
        assert client.get(urls(path)["detail"]).status_code == 200

"""Permission matrix for questions asked in a group: every actor × group policy × surface.

Not visible answers 404 exactly like a missing question; anonymous visitors (and a
deactivated agent's old session) are sent to the sign-in page, for existing and missing
questions alike.
"""

import pytest
from django.urls import reverse

from intranet.groups import services as group_services
from intranet.notifications.models import Kind
from intranet.notifications.services import notify
from intranet.questions import services
from intranet.search.indexer import drain
from intranet.search.selectors import search
from tests.factories import UserFactory, make_department

ACTORS = ["member", "outsider", "former", "deactivated", "anonymous", "staff"]
POLICIES = ["open", "closed", "secret"]


def may_see(actor: str, policy: str) -> bool:
    if actor in ("anonymous", "deactivated"):
        return False
    return actor in ("member", "staff") or policy == "open"


@pytest.fixture
def world(db, settings, tmp_path, theme):
    """owner asks in a group of each policy; member answers; owner accepts.

    member: in the group; outsider: another department, in no group; former: was a member,
    left; deactivated: was a member, then left the administration; staff: site admin.
    Each of them got a notification about the question while they could see it.
    """
    settings.TRANSVERSE_SEARCH_INDEX_DIR = tmp_path / "index"
    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"
    finance = make_department("Finances", acronym="FI")
    hr = make_department("Ressources humaines", acronym="RH")
    people = {
        "owner": UserFactory(username="owner", department=finance),
        "member": UserFactory(username="member", department=finance),
        "outsider": UserFactory(username="outsider", department=hr),
        "former": UserFactory(username="former", department=hr),
        "deactivated": UserFactory(username="deactivated", department=finance),
        "staff": UserFactory(username="siteadmin", is_staff=True, is_superuser=True),
    }
    owner, questions = people["owner"], {}
    for policy in POLICIES:
        group = group_services.group_create(owner, name=f"Groupe {policy}", policy=policy)
        for name in ("member", "former", "deactivated"):
            group_services._add_member(group, people[name])
        question = services.question_ask(
            owner, theme=theme, title=f"Question zqx{policy}question", group=group
        )
        answer = services.answer_create(people["member"], question.pk, body=f"zqx{policy}answer")
        services.answer_accept(owner, answer.pk)
        for name in ("member", "outsider", "former", "deactivated", "staff"):
            notify(people[name], Kind.QUESTION_ROUTED, actor=owner, target=question)
        group_services.group_leave(people["former"], group)
        questions[policy] = (question, answer)
    people["deactivated"].is_active = False
    people["deactivated"].save()
    drain(lock_timeout=30)
    return people, questions


@pytest.fixture(params=ACTORS)
def actor(request, world, client):
    people, _questions = world
    if request.param != "anonymous":
        client.force_login(people[request.param])
    return request.param, people.get(request.param)


@pytest.mark.parametrize("policy", POLICIES)
def test_pages(actor, policy, world, client):
    name, _user = actor
    question, _answer = world[1][policy]
    token, seen = f"zqx{policy}question", may_see(name, policy)
    signed_out = name in ("anonymous", "deactivated")
    detail = client.get(reverse("questions:question-detail", args=[question.pk]))
    missing = client.get(reverse("questions:question-detail", args=[question.pk + 1000]))
    if signed_out:
        assert detail.status_code == missing.status_code == 302
        assert detail["Location"].startswith(reverse("accounts:login"))
        return
    assert missing.status_code == 404
    assert detail.status_code == (200 if seen else 404)
    listing = client.get(reverse("questions:question-list")).content.decode()
    assert (token in listing) is seen
    faq = client.get(reverse("questions:theme-faq", args=["rgpd"])).content.decode()
    assert (token in faq) is seen and (f"zqx{policy}answer" in faq) is seen
    notifications = client.get(reverse("notifications:notification-list")).content.decode()
    assert (token in notifications) is seen


@pytest.mark.parametrize("policy", POLICIES)
def test_writes(actor, policy, world, client):
    name, _user = actor
    question, answer = world[1][policy]
    seen = may_see(name, policy)
    answered = client.post(
        reverse("questions:answer-create", args=[question.pk]), {"body": "Mon avis"}
    )
    accepted = client.post(reverse("questions:answer-accept", args=[answer.pk]))
    if name in ("anonymous", "deactivated"):
        assert answered.status_code == accepted.status_code == 302
        assert answered["Location"].startswith(reverse("accounts:login"))
        assert question.answers.count() == 1
        return
    assert answered.status_code == (302 if seen else 404)
    expected_accept = 404 if not seen else (302 if name == "staff" else 403)
    assert accepted.status_code == expected_accept
    assert question.answers.count() == (2 if seen else 1)


@pytest.mark.parametrize("policy", POLICIES)
def test_search(actor, policy, world):
    name, user = actor
    seen = may_see(name, policy)
    if user is None:
        return  # anonymous: the search page itself asks to sign in (tested by the search app)
    for token, kind in ((f"zqx{policy}question", "question"), (f"zqx{policy}answer", "answer")):
        hits = search(user, token).hits
        assert bool([h for h in hits if h.kind == kind]) is seen, (token, kind)

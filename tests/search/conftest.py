"""Search fixtures: a private index folder per test, the engine choice, a small world.

The `engine` fixture runs a test once per engine; the PostgreSQL engine needs the suite to
run on PostgreSQL (DATABASE_URL=postgres://...) and is skipped on SQLite. Whoosh and Tantivy
(file indexes) run on both databases.
"""

import pytest
from django.db import connection

from intranet.groups import services as group_services
from intranet.search.indexer import drain
from intranet.stream.services import comments, posts
from tests.factories import UserFactory, make_department

ENGINES = ["whoosh", "postgres", "tantivy"]


@pytest.fixture(autouse=True)
def _private_index(private_index):
    """Every search test gets its own index folder (tests/conftest.py)."""


@pytest.fixture(params=ENGINES)
def engine(request, settings):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL engine runs when the suite runs on PostgreSQL")
    settings.TRANSVERSE_SEARCH_ENGINE = request.param
    return request.param


def index_now() -> int:
    """What the indexer task does after each commit, run here and now."""
    return drain(lock_timeout=30)


@pytest.fixture
def world(db, engine):
    """A small organisation with a unique token planted in each kind of content.

    owner: Finance, owns the open, closed and secret groups and writes every post;
    member: Finance, member of the three groups;
    outsider: Human resources, in no group;
    former: Human resources, was a member of the three groups and left them;
    budget: the Budget office, under Finance (sees Finance's department posts);
    deactivated: was a member of the three groups, then left the administration;
    staff: the site administrator.
    """
    dgs = make_department("Direction générale", acronym="DG")
    finance = make_department("Direction des finances", parent=dgs, acronym="DF")
    budget_office = make_department("Bureau du budget", parent=finance, acronym="BB")
    hr = make_department("Ressources humaines", parent=dgs, acronym="RH")
    people = {
        "owner": UserFactory(username="owner", department=finance),
        "member": UserFactory(username="member", department=finance),
        "outsider": UserFactory(username="outsider", department=hr),
        "former": UserFactory(username="former", department=hr),
        "budget": UserFactory(username="budget", department=budget_office),
        "deactivated": UserFactory(username="deactivated", department=finance),
        "staff": UserFactory(username="siteadmin", is_staff=True, is_superuser=True),
    }
    owner = people["owner"]
    groups, items = {}, {}
    for policy in ("open", "closed", "secret"):
        group = group_services.group_create(
            owner, name=f"Groupe {policy}", description=f"zqx{policy}group commun", policy=policy
        )
        groups[policy] = group
        for name in ("member", "former", "deactivated"):
            group_services._add_member(group, people[name])
        post = posts.post_create(
            owner, body=f"Compte rendu zqx{policy}post commun", visibility="group", group=group
        )
        items[f"{policy}_post"] = post
        items[f"{policy}_comment"] = comments.comment_create(
            owner, post.pk, body=f"Réponse zqx{policy}comment commun"
        )
    items["department_post"] = posts.post_create(
        owner, body="Note de service zqxdepartmentpost commun", visibility="department"
    )
    items["organisation_post"] = posts.post_create(
        owner, body="Annonce générale zqxorganisationpost commun", visibility="organisation"
    )
    deleted = posts.post_create(
        owner, body="Brouillon zqxdeletedpost commun", visibility="organisation"
    )
    items["deleted_post"] = posts.post_delete(owner, deleted.pk)
    for policy in ("open", "closed", "secret"):
        group_services.group_leave(people["former"], groups[policy])
    people["deactivated"].is_active = False
    people["deactivated"].save()
    index_now()
    return {"people": people, "groups": groups, "items": items, "finance": finance}

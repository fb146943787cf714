"""The permission matrix for search: every actor × every kind of content × every way in.

Each item carries a unique planted token. Visible means: found by word, prefix and phrase,
and counted in totals and facets; invisible means: absent from hits, totals, facets,
snippets and suggestions, including right after a change and before any re-indexing.
"""

import pytest

from intranet.groups import services as group_services
from intranet.search.selectors import Filters, search
from intranet.stream.services import posts
from tests.search.conftest import index_now

ALL = {
    "open_post",
    "open_comment",
    "closed_post",
    "closed_comment",
    "secret_post",
    "secret_comment",
    "department_post",
    "organisation_post",
}
EVERYONE = {"open_post", "open_comment", "organisation_post"}
EXPECTED = {
    "member": ALL,
    "owner": ALL,
    "staff": ALL,
    "outsider": EVERYONE,
    "former": EVERYONE,
    "budget": EVERYONE | {"department_post"},
    "deactivated": set(),
}
GROUPS_SEEN = {
    "member": {"open", "closed", "secret"},
    "owner": {"open", "closed", "secret"},
    "staff": {"open", "closed", "secret"},
    "outsider": {"open", "closed"},
    "former": {"open", "closed"},
    "budget": {"open", "closed"},
    "deactivated": set(),
}


def token(item: str) -> str:
    return "zqx" + item.replace("_", "")


def found(actor, q, **filters) -> set[str]:
    outcome = search(actor, q, Filters(**filters))
    return {f"{hit.kind}:{hit.obj.pk}" for hit in outcome.hits}


@pytest.mark.parametrize("actor_name", sorted(EXPECTED))
def test_each_item_is_found_exactly_by_those_who_may_see_it(world, actor_name):
    actor = world["people"][actor_name]
    items = world["items"]
    problems = []
    for item, obj in items.items():
        key = f"{'comment' if item.endswith('comment') else 'post'}:{obj.pk}"
        visible = item in EXPECTED[actor_name]
        for how, q in (
            ("word", token(item)),
            ("prefix", token(item)[:-2] + "*"),
            ("phrase", f'"{token(item)} commun"'),
            ("upper case", token(item).upper()),
        ):
            hits = found(actor, q)
            if (key in hits) != visible:
                problems.append(f"{item} by {how}: expected visible={visible}, hits={hits}")
    assert problems == []


@pytest.mark.parametrize("actor_name", sorted(EXPECTED))
def test_totals_and_facets_count_only_visible_items(world, actor_name):
    actor = world["people"][actor_name]
    outcome = search(actor, "commun")
    groups_seen = {world["groups"][p].pk for p in GROUPS_SEEN[actor_name]}
    expected_total = len(EXPECTED[actor_name]) + len(GROUPS_SEEN[actor_name])
    assert outcome.total == expected_total
    facet_groups = {int(v.value) for v in outcome.facets.get("group", [])}
    assert facet_groups <= groups_seen
    assert sum(v.count for v in outcome.facets.get("kind", [])) == expected_total
    secret = world["groups"]["secret"]
    if "secret" not in GROUPS_SEEN[actor_name]:
        assert not search(actor, "zqxsecretgroup").hits
        assert all(secret.name not in v.label for v in outcome.facets.get("group", []))


def test_facet_for_a_group_one_cannot_read_gives_only_what_is_visible(world):
    outsider, closed, secret = (
        world["people"]["outsider"],
        world["groups"]["closed"],
        world["groups"]["secret"],
    )
    # A closed group is listed to everyone, its content is not.
    outcome = search(outsider, "commun", Filters(group=closed.pk))
    assert [(hit.kind, hit.obj.pk) for hit in outcome.hits] == [("group", closed.pk)]
    assert outcome.total == 1
    outcome = search(outsider, "commun", Filters(group=secret.pk))
    assert outcome.total == 0 and outcome.hits == [] and not outcome.facets.get("group")


def test_field_filter_on_a_secret_group_reveals_nothing(world):
    outsider = world["people"]["outsider"]
    assert search(outsider, "groupe:secret commun").total == 0
    assert search(outsider, "groupe:groupe-secret").total == 0


def test_suggestion_never_points_to_an_invisible_word(world):
    outsider, member = world["people"]["outsider"], world["people"]["member"]
    assert search(outsider, "zqxsecretpots").suggestion == ""
    assert search(member, "zqxsecretpots").suggestion == "zqxsecretpost"


def test_leaving_a_group_hides_its_content_at_once(world):
    member, closed = world["people"]["member"], world["groups"]["closed"]
    group_services.group_leave(member, closed)
    # No re-indexing in between: access is read from the database at query time.
    assert found(member, "zqxclosedpost") == set()
    assert search(member, "zqxclosedpost").total == 0


def test_a_deleted_post_disappears_before_the_indexer_runs(world):
    owner, member = world["people"]["owner"], world["people"]["member"]
    post = world["items"]["organisation_post"]
    posts.post_delete(owner, post.pk)
    outcome = search(member, "zqxorganisationpost")
    assert outcome.hits == [] and outcome.total == 0
    index_now()
    assert search(member, "zqxorganisationpost").total == 0


def test_a_group_closed_after_indexing_hides_its_posts_from_outsiders_at_once(world):
    owner, outsider = world["people"]["owner"], world["people"]["outsider"]
    group = world["groups"]["open"]
    assert search(outsider, "zqxopenpost").total == 1
    group_services.group_update(
        owner, group, name=group.name, description=group.description, policy="closed", themes=()
    )
    assert search(outsider, "zqxopenpost").total == 0
    assert search(outsider, "zqxopencomment").total == 0


def test_deactivated_agents_find_nothing_and_are_not_found(world):
    deactivated = world["people"]["deactivated"]
    assert search(deactivated, "commun").total == 0
    from intranet.search.services import search_index_later

    search_index_later(deactivated)
    index_now()
    assert search(world["people"]["member"], "deactivated").total == 0

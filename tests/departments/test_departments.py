"""The organisation chart: paths, moves, the tree page and department pages."""

import pytest
from django.http import Http404

from intranet.departments.access import access_department
from intranet.departments.models import Department
from intranet.departments.selectors import department_breadcrumb, department_tree
from intranet.departments.services import department_move
from tests.factories import UserFactory, make_department


def test_paths_follow_the_tree(finance):
    assert finance.parent.path.count("/") == 1
    assert finance.path.startswith(finance.parent.path)
    assert finance.depth == 1


def test_moving_a_department_moves_its_subtree(finance):
    bureau = make_department("Bureau du budget", parent=finance)
    hr = make_department("DRH")
    department_move(finance, parent=hr)
    bureau.refresh_from_db()
    assert bureau.path.startswith(hr.path) and bureau.depth == 2
    assert [d.name for d in department_breadcrumb(bureau)] == [
        "DRH",
        finance.name,
        "Bureau du budget",
    ]


def test_a_department_cannot_move_under_itself(finance):
    bureau = make_department("Bureau du budget", parent=finance)
    with pytest.raises(ValueError, match="under itself"):
        department_move(finance, parent=bureau)


def test_tree_counts_active_agents_only(alice, former, finance):
    (root,) = department_tree()
    (node,) = root.children
    assert node.department == finance and node.agent_count == 1


def test_tree_page_and_department_page(alice_client, alice, finance):
    finance.head = alice
    finance.save()
    tree = alice_client.get("/departments/").content.decode()
    assert "Direction des finances (DF)" in tree
    page = alice_client.get(f"/departments/{finance.pk}/").content.decode()
    assert "Lefèvre" in page and 'aria-current="location"' in page


def test_inactive_or_unknown_department_is_404(alice, finance):
    Department.objects.filter(pk=finance.pk).update(is_active=False)
    with pytest.raises(Http404):
        access_department(alice, finance.pk)
    with pytest.raises(Http404):
        access_department(alice, 999_999)


def test_department_page_query_count_is_constant(
    alice_client, finance, django_assert_max_num_queries
):
    UserFactory.create_batch(30, department=finance)
    with django_assert_max_num_queries(16):  # the page, plus the header's badges
        alice_client.get(f"/departments/{finance.pk}/")


def test_department_agents_are_a_section_the_page_does_not_name(
    alice_client, alice, finance, monkeypatch
):
    """people fills the slot "department.main"; without it the page still answers."""
    from intranet.core import sections

    UserFactory(username="zoe", department=finance)
    assert "/people/zoe/" in alice_client.get(f"/departments/{finance.pk}/").content.decode()
    monkeypatch.setitem(sections._sections, "department.main", [])
    response = alice_client.get(f"/departments/{finance.pk}/")
    assert response.status_code == 200 and "/people/zoe/" not in response.content.decode()

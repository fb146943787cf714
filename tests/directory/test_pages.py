"""Department pages after a sync: the tree, and each department's head, units and agents."""

import pytest

from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.directory.services.sync import directory_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced_client(slapd_server, directory_settings, client):
    directory_settings(slapd_server)
    directory_sync()
    client.force_login(User.objects.get(username="jdupont"))
    return client


def test_tree_lists_every_unit(synced_client):
    page = synced_client.get("/departments/").content.decode()
    for name in ("Direction générale des services", "Bureau d&#x27;études et de la formation"):
        assert name in page


def test_department_page_shows_head_sub_departments_and_agents(synced_client):
    drh = Department.objects.get(name="Direction des ressources humaines")
    page = synced_client.get(f"/departments/{drh.pk}/").content.decode()
    assert "Marie Lefèvre" in page  # head, from the unit's `manager`
    assert "Bureau d&#x27;études et de la formation" in page  # sub-department
    assert "Jean Dupont" in page and "Paul Martin" in page  # agents
    assert "Fatou" not in page  # she is in the sub-department, not here


def test_former_agent_is_not_listed(synced_client):
    drh = Department.objects.get(name="Direction des ressources humaines")
    User.objects.filter(username="pmartin1").update(is_active=False)
    page = synced_client.get(f"/departments/{drh.pk}/").content.decode()
    assert "Paul Martin" not in page


def test_staff_read_the_sync_history_in_the_admin(synced_client, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="siteadmin", is_staff=True, is_superuser=True))
    page = client.get("/admin/directory/syncrun/")
    assert page.status_code == 200
    assert "full" in page.content.decode()

"""The training template's learning-path content: a welcome path whose one step is the
wiki's welcome page, in the creator's language; no path without the template."""

from django.utils import translation

from intranet.groups import services as group_services
from intranet.paths.models import LearningPath, Step
from intranet.wiki.models import WikiPage
from tests.factories import UserFactory


def test_training_template_creates_a_welcome_path_to_the_welcome_page(db):
    tess = UserFactory(username="tess")
    with translation.override("en"):
        group = group_services.group_create(
            tess, name="Nouvel outil", policy="open", template="training"
        )
    (path,) = LearningPath.objects.filter(group=group)
    assert path.title == "Welcome path" and path.created_by == tess
    (step,) = path.steps.all()
    welcome = WikiPage.objects.get(group=group)
    assert (step.kind, step.target_id, step.position) == (Step.Kind.WIKI, welcome.pk, 1)


def test_the_welcome_path_in_french(db):
    with translation.override("fr"):
        group = group_services.group_create(
            UserFactory(), name="Accueil", policy="secret", template="training"
        )
    path = LearningPath.objects.get(group=group)
    assert path.title in {"Parcours d’accueil", "Welcome path"}  # before the catalogue merge


def test_no_path_without_the_template(db):
    group = group_services.group_create(UserFactory(), name="Simple", policy="open")
    group_services.group_tools_set(group.created_by, group, keys=["paths", "wiki"])
    assert not LearningPath.objects.filter(group=group).exists()


def test_members_see_the_welcome_step_as_a_link_to_the_page(client, db):
    tess, agent = UserFactory(username="tess"), UserFactory(username="agent")
    group = group_services.group_create(tess, name="Accueil", policy="open", template="training")
    group_services.group_join(agent, group)
    path = LearningPath.objects.get(group=group)
    client.force_login(agent)
    response = client.get(f"/groups/{group.slug}/paths/{path.pk}/")
    assert response.status_code == 200
    page = WikiPage.objects.get(group=group)
    assert f"/groups/{group.slug}/wiki/{page.slug}/" in response.content.decode()

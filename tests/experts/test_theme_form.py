"""The theme form validates only: topics are created by the service, once the theme is saved."""

from django.urls import reverse

from intranet.experts.models import Theme
from intranet.topics.models import Topic


def test_a_refused_theme_form_creates_no_topic(client, staff, rgpd):
    client.force_login(staff)
    response = client.post(
        reverse("experts:theme-create"),
        {"name": "Données", "skills": "skill nobody declared", "topics": "opendata, cnil"},
    )
    assert response.status_code == 200  # the form again, with the unknown skill named
    assert not Theme.objects.filter(name="Données").exists()
    assert not Topic.objects.filter(key__in=["opendata", "cnil"]).exists()


def test_a_saved_theme_gets_its_topics_created(client, staff, rgpd):
    client.force_login(staff)
    response = client.post(
        reverse("experts:theme-create"),
        {"name": "Données", "skills": rgpd.label, "topics": "#OpenData, cnil, , #"},
    )
    assert response.status_code == 302
    theme = Theme.objects.get(name="Données")
    assert sorted(t.key for t in theme.topics.all()) == ["cnil", "opendata"]

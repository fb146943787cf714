"""Profile pages, profile editing, photos and the people directory, over HTTP."""

import re

import pytest
from django.urls import reverse

from intranet.people import services
from intranet.skills.services import agent_skills_set
from tests.factories import UserFactory, make_department
from tests.people.test_services import png_upload


def listed(response) -> list[str]:
    """Logins of the agent cards on a directory page, in order."""
    return re.findall(r'agent-card__name"><a href="/people/([^/]+)/"', response.content.decode())


def edit_data(**overrides):
    data = {
        "first_name": "Alice",
        "last_name": "Lefèvre",
        "title": "Cheffe de bureau",
        "department": "",
        "manager": "",
        "phone": "01 23 45 67 89",
        "office": "B 12",
        "about": "J'aime **les tableaux**.",
        "skills": "RGPD, rgpd, Budget",
        "languages": ["fr", "en"],
    }
    data.update(overrides)
    return data


def test_profile_page_shows_profile_and_markdown(alice_client, alice):
    services.profile_update(alice, alice, about="**Bonjour** <script>alert(1)</script>")
    response = alice_client.get(reverse("people:agent-detail", args=["alice"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Bonjour</strong>" in html
    assert "<script>alert(1)</script>" not in html


def test_profile_lookup_is_case_insensitive(alice_client):
    assert alice_client.get("/people/ALICE/").status_code == 200


def test_unknown_profile_is_404(alice_client):
    assert alice_client.get("/people/nobody/").status_code == 404


def test_editing_someone_else_is_403(alice_client, carol):
    assert alice_client.get("/people/carol/edit/").status_code == 403
    response = alice_client.post("/people/carol/edit/", edit_data(first_name="Hacked"))
    assert response.status_code == 403
    carol.refresh_from_db()
    assert carol.first_name == "Carol"


def test_visitor_is_sent_to_sign_in_for_profiles_and_photos(client, alice):
    for url in ["/people/alice/", "/people/alice/photo/", "/people/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_edit_profile_saves_everything(alice_client, alice, finance, carol):
    response = alice_client.post(
        "/people/alice/edit/",
        edit_data(department=finance.pk, manager="CAROL", photo=png_upload()),
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.title == "Cheffe de bureau" and alice.manager == carol
    assert alice.languages == ["fr", "en"] and alice.photo
    assert sorted(
        s.label for s in alice.skill_claims.all().select_related("skill") for s in [s.skill]
    ) == ["Budget", "RGPD"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "This field is required."),
        ({"manager": "ghost"}, "No active agent has the login"),
        ({"manager": "alice"}, "You cannot be your own manager."),
        ({"department": "999999"}, "Select a valid choice."),
        ({"languages": ["xx"]}, "Select a valid choice."),
        ({"about": "x" * 10_001}, "Ensure this value has at most 10000 characters"),
        ({"skills": ",".join(f"s{i}" for i in range(31))}, "At most 30 skills, please."),
    ],
)
def test_bad_profile_input_gets_a_clear_message_and_changes_nothing(
    alice_client, alice, overrides, message
):
    alice_client.cookies["django_language"] = "en"
    response = alice_client.post(
        "/people/alice/edit/", edit_data(**overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.title == ""


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"<svg onload=alert(1)></svg>", "x.svg", "This file is not an image that can be read."),
        (
            b"<html><script>alert(1)</script>",
            "x.png",
            "This file is not an image that can be read.",
        ),
        (b"GIF89a" + b"\x00" * 20, "x.gif", "This file is not an image that can be read."),
        (b"", "empty.png", "The submitted file is empty."),
    ],
)
def test_hostile_photos_are_refused(alice_client, alice, content, name, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = alice_client.post(
        "/people/alice/edit/", edit_data(photo=upload), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert not alice.photo


def test_oversized_photo_is_refused_with_the_limit(alice_client, alice, settings):
    settings.TRANSVERSE_MAX_PHOTO_BYTES = 2048
    response = alice_client.post(
        "/people/alice/edit/",
        edit_data(photo=png_upload(size=(900, 900))),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "The file is too large" in response.content.decode()


def test_directory_fields_are_read_only_in_the_form(alice_client, alice):
    alice.directory_fields = ["title", "phone"]
    alice.title = "Directrice"
    alice.save()
    page = alice_client.get("/people/alice/edit/").content.decode()
    assert 'name="title" value="Directrice" maxlength="200" disabled' in page or (
        'name="title"' in page and "disabled" in page
    )
    alice_client.post("/people/alice/edit/", edit_data(title="Pirate"))
    alice.refresh_from_db()
    assert alice.title == "Directrice"


def test_photo_is_served_only_through_the_authorising_view(alice_client, alice, client):
    services.profile_photo_set(alice, alice, upload=png_upload())
    response = alice_client.get("/people/alice/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert alice_client.get("/people/carol-unknown/photo/").status_code == 404


def test_directory_search_ignores_accents_and_case(alice_client, alice, carol):
    assert listed(alice_client.get("/people/", {"q": "LEFEVRE"})) == ["alice"]
    assert listed(alice_client.get("/people/", {"q": "n'diaye"})) == ["carol"]
    assert listed(alice_client.get("/people/", {"q": "alice lefevre"})) == ["alice"]
    assert listed(alice_client.get("/people/", {"q": "alice diaye"})) == []


def test_directory_filters_by_department_subtree(alice_client, alice, carol, finance):
    sub = make_department("Bureau du budget", parent=finance)
    UserFactory(username="bob", first_name="Bob", last_name="Budget", department=sub)
    response = alice_client.get("/people/", {"department": finance.parent_id})
    assert listed(response) == ["bob", "alice"]
    assert listed(alice_client.get("/people/", {"department": sub.pk})) == ["bob"]


def test_directory_filters_by_skill_whatever_the_spelling(alice_client, alice, carol):
    agent_skills_set(carol, carol, labels=["RGPD"])
    assert listed(alice_client.get("/people/", {"skill": "rgpd"})) == ["carol"]


def test_directory_hides_former_agents(alice_client, former):
    assert listed(alice_client.get("/people/")) == ["alice"]


def test_directory_is_sorted_and_paginated(alice_client, alice):
    UserFactory.create_batch(30)
    page1, page2 = alice_client.get("/people/"), alice_client.get("/people/", {"page": 2})
    assert 'rel="next"' in page1.content.decode() and 'rel="prev"' in page2.content.decode()
    assert len(listed(page1)) == 24 and len(listed(page2)) == 7
    assert set(listed(page1)).isdisjoint(listed(page2))
    assert alice_client.get("/people/", {"page": "abc"}).status_code == 200


def test_directory_query_count_does_not_grow_with_agents(alice_client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get("/people/").status_code == 200
        return len(captured)

    for agent in UserFactory.create_batch(3):
        agent_skills_set(agent, agent, labels=["RGPD"])
    queries_for_page()  # warm the per-process caches (branding)
    few = queries_for_page()
    for agent in UserFactory.create_batch(20):
        agent_skills_set(agent, agent, labels=["RGPD", "Budget"])
    assert queries_for_page() == few


@pytest.mark.parametrize("query", ["*", "%", "_", "' OR 1=1 --", "\\", "\x00", "é" * 500])
def test_hostile_directory_queries_are_harmless(alice_client, alice, query):
    response = alice_client.get("/people/", {"q": query, "department": "x", "skill": query})
    assert response.status_code == 200


def test_directory_skill_filter_understands_synonyms(alice_client, carol, rgpd):
    agent_skills_set(carol, carol, labels=["RGPD"])
    response = alice_client.get("/people/", {"skill": "gdpr"})
    assert 'href="/people/carol/"' in response.content.decode()
    response = alice_client.get("/people/", {"skill": "astrophysique"})
    assert 'href="/people/carol/"' not in response.content.decode()


def test_directory_skill_filter_matches_words_of_names_and_synonyms(
    alice_client, carol, dave, staff
):
    """The expert finder's matching (skills.selectors.skills_matching), in the directory."""
    from intranet.skills.services import curation

    curation.skill_create(staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"])
    curation.skill_create(staff, label="Marchés publics")
    agent_skills_set(carol, carol, labels=["a11y"])
    agent_skills_set(dave, dave, labels=["Marchés publics"])
    for skill in ("accessibilité", "ACCESS", "numériq", "rgaa"):
        assert listed(alice_client.get("/people/", {"skill": skill})) == ["carol"], skill
    for skill in ("marchés", "marches", "march pub"):
        assert listed(alice_client.get("/people/", {"skill": skill})) == ["dave"], skill
    assert listed(alice_client.get("/people/", {"skill": "a"})) == []


def test_directory_suggests_the_nearest_skills_keeping_the_other_filters(
    alice_client, carol, staff
):
    from intranet.skills.services import curation

    curation.skill_create(staff, label="Accessibilité numérique")
    agent_skills_set(carol, carol, labels=["Accessibilité numérique"])
    response = alice_client.get("/people/", {"q": "car", "skill": "acessibilite"})
    assert listed(response) == []
    assert response.context["skill_suggestions"] == [
        ("Accessibilité numérique", "q=car&skill=Accessibilit%C3%A9+num%C3%A9rique")
    ]
    assert 'href="?q=car&amp;skill=Accessibilit%C3%A9+num%C3%A9rique"' in response.content.decode()
    response = alice_client.get("/people/", {"skill": "<script>acessibilite"})
    assert "<script>acessibilite" not in response.content.decode()

"""The person picker: its suggestions endpoint (who is listed, hostile queries) and the
fields that take a name or a login, with and without JavaScript."""

import pytest
from django import forms
from django.urls import reverse

from intranet.accounts.fields import AgentField, AgentFieldsMixin, AgentsField, agent_lookup
from intranet.chat.models import Conversation
from intranet.experts.models import Ambassador
from intranet.groups.models import Invitation
from intranet.people.selectors import SUGGESTION_LIMIT
from tests.factories import UserFactory

URL = reverse("people:agent-suggestions")


def suggest(client, q) -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return [r["login"] for r in response.json()["results"]]


@pytest.fixture
def anne(carol):
    """anne: "Anne Martin", procurement lawyer in carol's department (DRH)."""
    return UserFactory(
        username="amartin",
        first_name="Anne",
        last_name="Martin",
        title="Juriste marchés publics",
        department=carol.department,
    )


# --- The endpoint: who is listed -------------------------------------------------------


def test_suggestions_by_name_accent_and_case_insensitive(alice_client, anne, bob, dave):
    assert suggest(alice_client, "anne") == ["amartin"]
    assert suggest(alice_client, "LEFEV") == []  # alice herself is never suggested
    assert set(suggest(alice_client, "martin")) == {"amartin", "bob", "dave"}
    assert suggest(alice_client, "martin anne") == ["amartin"]


def test_suggestions_by_title_and_department(alice_client, anne, carol, bob):
    assert suggest(alice_client, "juriste") == ["amartin"]
    assert set(suggest(alice_client, "ressources humaines")) == {"amartin", "carol"}
    assert set(suggest(alice_client, "DRH")) == {"amartin", "carol"}
    # Name matches come before title and department matches.
    namesake = UserFactory(username="drh1", first_name="Marc", last_name="Ressources")
    assert suggest(alice_client, "ressources")[0] == namesake.username


def test_suggestion_payload_names_the_agent(alice_client, anne):
    result = alice_client.get(URL, {"q": "anne"}).json()["results"][0]
    assert result == {
        "login": "amartin",
        "name": "Anne Martin",
        "title": "Juriste marchés publics",
        "department": "Direction des ressources humaines (DRH)",
        "value": "Anne Martin (amartin)",
    }


def test_former_agents_are_never_suggested(alice_client, former):
    assert suggest(alice_client, "ancien") == []
    assert suggest(alice_client, "former") == []


def test_deactivated_actor_and_visitors_get_nothing(client, alice, bob):
    assert client.get(URL, {"q": "bob"}).status_code == 302  # sign-in first
    client.force_login(alice)
    alice.is_active = False
    alice.save()
    response = client.get(URL, {"q": "bob"})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_suggestions_are_bounded(alice_client, finance):
    for n in range(SUGGESTION_LIMIT + 5):
        UserFactory(username=f"fin{n}", last_name=f"Finot{n}", department=finance)
    assert len(suggest(alice_client, "finot")) == SUGGESTION_LIMIT


@pytest.mark.parametrize(
    "q",
    [
        "",
        "a",
        "%",
        "%%",
        "_",
        "\\",
        "'; DROP TABLE accounts_user; --",
        "nul\x00byte",
        "x" * 10_000,
        " ".join(["a b"] * 500),
        "<script>alert(1)</script>",
        "😀😀",
    ],
)
def test_hostile_queries_answer_json_without_error(alice_client, bob, q):
    response = alice_client.get(URL, {"q": q})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    assert len(response.json()["results"]) <= SUGGESTION_LIMIT


def test_invalid_utf8_and_repeated_parameters_answer_json(alice_client, bob):
    for raw in ("q=%ED%A0%80%FF", "q=bo&q=b&q=%00", "q[]=bob", "q=%25bo%5F"):
        response = alice_client.get(f"{URL}?{raw}")
        assert response.status_code == 200, raw
        assert isinstance(response.json()["results"], list)


def test_wildcards_are_literal(alice_client, bob, dave):
    assert suggest(alice_client, "%%") == []
    assert suggest(alice_client, "__") == []


def test_suggestion_query_count_does_not_grow(alice_client, finance, django_assert_max_num_queries):
    for n in range(12):
        UserFactory(username=f"q{n}", last_name=f"Quentin{n}", department=finance)
    with django_assert_max_num_queries(4):  # session, agent, suggestions
        suggest(alice_client, "quentin")


def test_suggestions_refuse_other_methods(alice_client):
    assert alice_client.post(URL, {"q": "bob"}).status_code == 405


# --- The fields: a name, a login or the picker's choice --------------------------------


class OneForm(AgentFieldsMixin, forms.Form):
    agent = AgentField()


class ManyForm(AgentFieldsMixin, forms.Form):
    agents = AgentsField(max_agents=3)


@pytest.mark.parametrize(
    "text",
    ["amartin", "@AMARTIN", "Anne Martin", "anne  martin", "Martin Anne", "Anne Martin (amartin)"],
)
def test_field_takes_a_name_or_a_login(alice, anne, text):
    form = OneForm({"agent": text}, actor=alice)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["agent"] == anne


def test_field_refuses_unknown_former_and_ambiguous(alice, anne, former, english):
    with pytest.raises(forms.ValidationError, match="No active agent has the login “former”"):
        agent_lookup(alice, "former")
    with pytest.raises(forms.ValidationError, match="No active agent is called “Ancien Agent”"):
        agent_lookup(alice, "Ancien Agent")
    UserFactory(username="amartin2", first_name="Anne", last_name="Martin")
    with pytest.raises(forms.ValidationError, match="Several agents are called “Anne Martin”"):
        agent_lookup(alice, "Anne Martin")
    assert agent_lookup(alice, "Anne Martin (amartin2)").username == "amartin2"


def test_field_finds_nobody_for_a_deactivated_or_missing_actor(alice, anne):
    assert not OneForm({"agent": "amartin"}).is_valid()
    alice.is_active = False
    assert not OneForm({"agent": "amartin"}, actor=alice).is_valid()


def test_field_for_several_agents(alice, anne, bob, english):
    form = ManyForm({"agents": "Anne Martin (amartin), bob; @bob, "}, actor=alice)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["agents"] == [anne, bob]
    form = ManyForm({"agents": "bob, nobody, Jean Personne"}, actor=alice)
    assert not form.is_valid()
    assert "“nobody”" in str(form.errors) and "“Jean Personne”" in str(form.errors)
    assert not ManyForm({"agents": "a, b, c, d"}, actor=alice).is_valid()
    assert not ManyForm({"agents": "bob\x00"}, actor=alice).is_valid()


def test_picker_input_carries_its_endpoint(alice):
    html = str(ManyForm(actor=alice)["agents"])
    assert 'data-person-picker="multiple"' in html
    assert f'data-picker-url="{URL}"' in html
    assert 'autocomplete="off"' in html


# --- The forms without JavaScript: a name typed in the plain field ----------------------


def test_direct_conversation_by_name_without_js(alice_client, alice, anne):
    response = alice_client.post(
        reverse("chat:conversation-start-direct"), {"username": "Anne Martin"}
    )
    conversation = Conversation.objects.get(kind=Conversation.Kind.DIRECT)
    assert response.status_code == 302
    assert response["Location"] == reverse("chat:conversation-detail", args=[conversation.pk])
    assert set(conversation.participants.values_list("agent__username", flat=True)) == {
        "alice",
        "amartin",
    }


def test_named_conversation_by_names_without_js(alice_client, anne, bob):
    data = {"name": "Marchés", "usernames": "Anne Martin, Bob Martin (bob)"}
    assert alice_client.post(reverse("chat:conversation-create"), data).status_code == 302
    conversation = Conversation.objects.get(kind=Conversation.Kind.NAMED)
    assert set(conversation.participants.values_list("agent__username", flat=True)) == {
        "alice",
        "amartin",
        "bob",
    }


def test_direct_conversation_with_a_former_agent_is_refused(alice_client, former):
    response = alice_client.post(
        reverse("chat:conversation-start-direct"), {"username": "Ancien Agent"}, follow=True
    )
    assert "Ancien Agent" in response.content.decode()  # the error names what was typed
    assert not Conversation.objects.filter(kind=Conversation.Kind.DIRECT).exists()


def test_group_invitation_by_name_without_js(alice_client, group, anne, carol):
    url = reverse("groups:group-invite", args=[group.slug])
    response = alice_client.post(url, {"logins": "Anne Martin, Carol N'Diaye"})
    assert response.status_code == 302
    invited = set(Invitation.objects.filter(group=group).values_list("agent__username", flat=True))
    assert invited == {"amartin", "carol"}


def test_ambassador_invitation_by_name_without_js(client, bob, alice, rgpd_theme):
    import datetime

    client.force_login(bob)
    data = {
        "theme": rgpd_theme.slug,
        "department": alice.department_id,
        "agent": "Alice Lefèvre",
        "starts_on": datetime.date.today().isoformat(),
    }
    assert client.post(reverse("experts:ambassador-invite"), data).status_code == 302
    assert Ambassador.objects.get().agent == alice


def test_profile_manager_by_name(alice_client, alice, anne):
    from tests.people.test_views import edit_data

    response = alice_client.post(
        reverse("people:profile-edit", args=["alice"]), edit_data(manager="Anne Martin")
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.manager == anne
    page = alice_client.get(reverse("people:profile-edit", args=["alice"])).content.decode()
    assert 'value="Anne Martin (amartin)"' in page


# --- "Envoyer un message" and "Discuter" ----------------------------------------------


def test_message_button_on_profiles_and_cards_but_not_ones_own(alice_client, anne, former):
    action = reverse("chat:conversation-start-direct")
    profile = alice_client.get(reverse("people:agent-detail", args=["amartin"])).content.decode()
    assert f'action="{action}"' in profile and 'value="amartin"' in profile
    own = alice_client.get(reverse("people:agent-detail", args=["alice"])).content.decode()
    assert f'action="{action}"' not in own
    gone = alice_client.get(reverse("people:agent-detail", args=["former"])).content.decode()
    assert f'action="{action}"' not in gone
    directory = alice_client.get(reverse("people:agent-directory")).content.decode()
    assert 'name="username" value="amartin"' in directory
    assert 'name="username" value="alice"' not in directory


def test_department_page_cards_keep_their_query_count(
    alice_client, finance, django_assert_max_num_queries
):
    url = reverse("departments:department-detail", args=[finance.pk])
    alice_client.get(url)
    with django_assert_max_num_queries(30) as few:
        alice_client.get(url)
    for n in range(10):
        UserFactory(username=f"f{n}", department=finance)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = alice_client.get(url).content.decode()
    assert page.count('name="username"') >= 10


def test_group_page_has_a_discuss_button_for_members(alice_client, client, group, carol):
    page = alice_client.get(reverse("groups:group-detail", args=[group.slug])).content.decode()
    # A clear button in the page's actions, not a quiet link.
    assert f'class="button" href="{reverse("chat:group-room", args=[group.slug])}"' in page
    client.force_login(carol)
    page = client.get(reverse("groups:group-detail", args=[group.slug])).content.decode()
    assert reverse("chat:group-room", args=[group.slug]) not in page


@pytest.fixture
def rgpd_theme(staff, rgpd):
    from intranet.experts.services import theme_create

    return theme_create(staff, name="RGPD", description="Données personnelles", skills=[rgpd])


@pytest.fixture
def bob(bob, finance, alice, dave, staff):
    """bob, animator of Finance's department group (he may designate its ambassadors)."""
    from intranet.groups.models import Membership
    from intranet.groups.services import department_group_sync, group_member_role_set

    department_group = department_group_sync(finance, [alice, bob, dave])
    group_member_role_set(staff, department_group, bob, role=Membership.Role.ANIMATOR)
    return bob

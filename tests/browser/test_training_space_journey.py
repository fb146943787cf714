"""The whole story of issue 19 in one browser journey, with axe on every page reached:
Tess, of the training team, creates a group from the "space for training and change"
template and builds it through the forms (a wiki page, a session with one seat, a poll, a
learning path whose steps are the page, the session and the poll). Alice registers and is
seated; Nina registers and is wait-listed; Alice cancels and Nina is promoted and sees the
notification. The session ends, Tess marks Nina present, Nina answers the satisfaction
survey, finds the session's step ticked for her, ticks the page's step with the keyboard,
votes with the keyboard (the poll's step ticks itself) and Tess reads the progress per
member.

Two things happen outside the browser, as they do outside the pages in production: the
agents join the open group through the service (the join button has its own journeys), and
the session's end is brought into the past through the ORM (a session cannot be planned in
the past through its form), after which the scheduled "sessions ended" job runs once, as
the worker would. Names are matched in French and English (the catalogue of the newest
strings comes with the lead's merge)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.events.models import Event, Registration, SurveyAnswer
from intranet.events.tasks import run_sessions_ended
from intranet.groups import services as groups
from intranet.groups.models import Group
from intranet.notifications.models import Notification
from intranet.paths.models import Progress
from tests.factories import PASSWORD, UserFactory, make_department

SUBMIT = "form.stack button[type=submit]"


@pytest.fixture
def agents(transactional_db):
    """tess: training team (creates the space); alice and nina: agents of another service."""
    training = make_department("Mission formation", acronym="MF")
    finance = make_department("Direction des finances", acronym="DF")
    UserFactory(username="tess", first_name="Tess", last_name="Durand", department=training)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    nina = UserFactory(username="nina", first_name="Nina", last_name="Morel", department=finance)
    return alice, nina


def tab(page, group_name: str, label: str):
    """The group's tab of a tool, reached from the group page."""
    tabs = page.get_by_role("navigation", name=re.compile(re.escape(group_name)))
    tabs.get_by_role("link", name=re.compile(label)).click()


def build_the_space(tess, sign_in, axe_check) -> tuple[Group, str, str, str]:
    """Tess creates the space and its content; returns the group and the urls of the
    session, the poll and the path."""
    sign_in(tess, "tess", PASSWORD)
    tess.goto("/groups/new/")
    axe_check(tess)
    tess.locator("#id_name").fill("Nouvel outil courrier")
    tess.get_by_label(re.compile("Ouvert|Open", re.I)).first.check()
    tess.get_by_label(re.compile("formation|training", re.I)).check()
    tess.get_by_role("button", name=re.compile("Créer le groupe|Create the group")).click()
    group = Group.objects.get(name="Nouvel outil courrier")
    expect(tess).to_have_url(re.compile(f"/groups/{group.slug}/"))
    axe_check(tess)

    tab(tess, group.name, "^Wiki$")
    axe_check(tess)
    tess.get_by_role("link", name=re.compile("Nouvelle page|New page")).click()
    tess.get_by_label(re.compile("^(Titre|Title)")).fill("Guide <i>du courrier</i>")
    tess.get_by_label(re.compile("^(Texte|Text)")).fill("Lire [[Bienvenue]] puis ce guide.")
    axe_check(tess)
    tess.get_by_role("button", name=re.compile("Créer la page|Create the page")).click()
    expect(tess.get_by_role("heading", name="Guide <i>du courrier</i>")).to_be_visible()
    axe_check(tess)

    start = timezone.localtime(timezone.now() + timedelta(days=3))
    tess.goto(f"/groups/{group.slug}/")
    tab(tess, group.name, "Sessions|Séances")
    axe_check(tess)
    tess.locator("#id_title").fill("Atelier prise en main")
    tess.locator("#id_date").fill(start.strftime("%Y-%m-%d"))
    tess.locator("#id_time").fill("09:30")
    tess.locator("#id_duration_minutes").fill("90")
    tess.locator("#id_place").fill("Salle 204")
    tess.locator("#id_capacity").fill("1")
    tess.locator(SUBMIT).click()
    expect(tess).to_have_url(re.compile(rf"/groups/{group.slug}/events/\d+/$"))
    session_url = tess.url
    axe_check(tess)

    tess.goto(f"/groups/{group.slug}/")
    tab(tess, group.name, "^(Polls|Sondages)$")
    axe_check(tess)
    tess.get_by_label(re.compile("^Question")).fill("Le guide vous a-t-il servi ?")
    tess.get_by_label(re.compile("(Choices|Choix)")).fill("Oui\nEn partie\nNon")
    tess.get_by_label(re.compile("(Closes on|Clôture)")).fill("2099-06-01T10:00")
    tess.get_by_role("button", name=re.compile("(Publish the poll|Publier le sondage)")).click()
    expect(
        tess.get_by_role("heading", level=2, name="Le guide vous a-t-il servi ?")
    ).to_be_visible()
    poll_url = tess.url
    axe_check(tess)

    tess.goto(f"/groups/{group.slug}/")
    tab(tess, group.name, "^(Learning paths|Parcours)$")
    # The template's welcome path is there already; Tess builds the programme's own.
    expect(
        tess.get_by_role("link", name=re.compile("Welcome path|Parcours d’accueil"))
    ).to_be_visible()
    axe_check(tess)
    tess.get_by_label(re.compile("^(Title|Titre)")).fill("Prendre en main l’outil")
    tess.get_by_role("button", name=re.compile("(Create the path|Créer le parcours)")).click()
    expect(tess.get_by_role("heading", level=2, name="Prendre en main l’outil")).to_be_visible()
    path_url = tess.url
    for option in ("Guide <i>du courrier</i>", "Atelier prise en main", poll_label()):
        tess.get_by_label(re.compile("(Content of the group|Contenu du groupe)")).select_option(
            label=option
        )
        tess.get_by_role("button", name=re.compile("^(Add the step|Ajouter l’étape)$")).click()
    expect(tess.locator("ol.path-steps > li > a")).to_have_text(
        ["Guide <i>du courrier</i>", "Atelier prise en main", poll_label()]
    )
    axe_check(tess)
    return group, session_url, poll_url, path_url


def poll_label() -> str:
    return "Le guide vous a-t-il servi ?"


def register(page, session_url: str, axe_check):
    page.goto(session_url)
    axe_check(page)
    page.locator("article form button[type=submit]").click()
    expect(page.locator("article .note").first).to_be_visible()
    axe_check(page)


def test_training_space_whole_story(agents, new_page, sign_in, axe_check):
    alice, nina = agents
    tess = new_page()
    group, session_url, poll_url, path_url = build_the_space(tess, sign_in, axe_check)
    event = Event.objects.get(group=group, title="Atelier prise en main")
    for agent in (alice, nina):
        groups.group_join(agent, group)

    # Registration: one seat, a waiting list, promotion on cancellation.
    first, second = new_page(), new_page()
    sign_in(first, "alice", PASSWORD)
    register(first, session_url, axe_check)
    sign_in(second, "nina", PASSWORD)
    register(second, session_url, axe_check)
    assert Registration.objects.get(event=event, agent=alice).status == "registered"
    assert Registration.objects.get(event=event, agent=nina).status == "waiting"
    first.get_by_role(
        "button", name=re.compile("Cancel my registration|Annuler mon inscription")
    ).click()
    expect(
        first.get_by_role(
            "button", name=re.compile("Cancel my registration|Annuler mon inscription")
        )
    ).to_have_count(0)
    assert not Registration.objects.filter(event=event, agent=alice).exists()
    assert Registration.objects.get(event=event, agent=nina).status == "registered"
    second.goto("/notifications/")
    promoted = second.get_by_role("link", name=re.compile("Atelier prise en main")).first
    expect(promoted).to_be_visible()
    axe_check(second)
    promoted.click()
    expect(second).to_have_url(re.compile(rf"/groups/{group.slug}/events/{event.pk}/"))

    # The session ends (through the ORM: a form refuses a date in the past) and the
    # scheduled job runs once, as the worker would.
    starts = timezone.now() - timedelta(hours=3)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=1))
    assert run_sessions_ended() == 1

    tess.goto(session_url)
    tess.get_by_role("checkbox", name="Nina Morel").check()
    tess.get_by_role("button", name=re.compile("attendance|présence", re.I)).click()
    expect(tess.get_by_role("checkbox", name="Nina Morel")).to_be_checked()
    assert Registration.objects.get(event=event, agent=nina).attended
    axe_check(tess)

    # Nina answers the survey from her notification, with the keyboard.
    assert Notification.objects.filter(recipient=nina, kind="event_survey").exists()
    second.goto("/notifications/")
    second.get_by_role("link", name=re.compile("Atelier prise en main")).first.click()
    expect(second).to_have_url(re.compile(rf"/groups/{group.slug}/events/{event.pk}/survey/$"))
    axe_check(second)
    second.locator("#id_satisfaction_0").focus()
    for _ in range(4):
        second.keyboard.press("ArrowRight")  # 1 → 5
    second.keyboard.press("Tab")
    for _ in range(3):
        second.keyboard.press("ArrowRight")  # usefulness 1 → 4
    second.locator("#id_pace_1").focus()
    second.keyboard.press("Space")
    second.locator("#id_recommend_0").focus()
    second.keyboard.press("Space")
    second.locator("#id_comment").fill("Clair et concret.")
    second.get_by_role("button", name=re.compile("Send my answers|Envoyer mes réponses")).focus()
    second.keyboard.press("Enter")
    expect(second.locator(".messages")).to_be_visible()
    answer = SurveyAnswer.objects.get(survey__event=event)
    assert (answer.satisfaction, answer.usefulness, answer.pace) == (5, 4, "right")
    axe_check(second)

    # The path: the session's step was ticked by the attendance; Nina ticks the page.
    second.goto(path_url)
    steps = second.locator("ol.path-steps > li")
    expect(steps.nth(1)).to_have_class(re.compile("done"))
    expect(steps.nth(0)).not_to_have_class(re.compile("done"))
    axe_check(second)
    steps.nth(0).get_by_role(
        "button", name=re.compile("^(Mark as done|Marquer comme faite)")
    ).focus()
    second.keyboard.press("Enter")
    expect(second.locator("ol.path-steps > li").nth(0)).to_have_class(re.compile("done"))
    axe_check(second)

    # The poll, with the keyboard: voting ticks the poll's step.
    second.goto(poll_url)
    axe_check(second)
    second.locator("input[name=choice]").first.focus()
    second.keyboard.press("Space")
    expect(second.get_by_label("Oui")).to_be_checked()
    second.keyboard.press("Tab")
    second.keyboard.press("Enter")
    expect(second.locator("svg.poll-chart")).to_be_visible()
    axe_check(second)
    second.goto(path_url)
    expect(second.locator("ol.path-steps > li.path-step--done")).to_have_count(3)
    expect(second.locator("#path-progress-summary")).to_contain_text("3")
    assert Progress.objects.filter(agent=nina, step__path__group=group).count() == 3
    axe_check(second)
    second.goto("/people/nina/")
    expect(second.locator(".profile-paths")).to_contain_text("Prendre en main l’outil")
    axe_check(second)

    # Tess reads the progress per member.
    tess.goto(path_url + "progress/")
    members = tess.locator("#members-table")
    expect(members.locator("tr", has_text="Nina Morel")).to_contain_text("100")
    expect(members.locator("tr", has_text="Alice Lefèvre")).to_contain_text("0")
    axe_check(tess)

"""Question pages: asking through the form, answering, lists, FAQ; hostile input never 500s."""

import pytest
from django.test import Client
from django.urls import reverse

from intranet.notifications.models import Kind, Notification
from intranet.questions import services
from intranet.questions.models import Answer, Question

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _pages_in_english(client):
    """Pages in English too, so tests can state their texts."""
    client.cookies["django_language"] = "en"


@pytest.fixture
def other():
    """A second browser, for the colleague of the agent signed in through alice_client."""
    browser = Client()
    browser.cookies["django_language"] = "en"
    return browser


def test_ask_through_the_form_routes_the_question(
    alice_client, theme, ambassador, django_capture_on_commit_callbacks
):
    page = alice_client.get(reverse("questions:question-ask") + "?theme=rgpd")
    assert page.status_code == 200 and f'value="{theme.pk}" selected' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("questions:question-ask"),
            {"theme": theme.pk, "title": "Registre ?", "body": "Où est-il ?"},
        )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "questions:question-detail", args=[question.pk]
    )
    assert Notification.objects.get(kind=Kind.QUESTION_ROUTED).recipient == ambassador


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"theme": "abc", "title": "Q ?"},
        {"theme": "999999", "title": "Q ?"},
        {"theme": "{theme}", "title": ""},
        {"theme": "{theme}", "title": "x" * 5000},
        {"theme": "{theme}", "title": "Q ?", "group": "not-a-group"},
        {"theme": "{theme}", "title": "Q ?", "group": "999999"},
        {"theme": "{theme}", "title": "Q ?", "body": "x" * 30000},
    ],
)
def test_bad_question_input_gets_a_form_with_errors(alice_client, theme, data):
    data = {k: v.replace("{theme}", str(theme.pk)) for k, v in data.items()}
    response = alice_client.post(reverse("questions:question-ask"), data)
    assert response.status_code == 400 and b"error-summary" in response.content
    assert not Question.objects.exists()


def test_asking_in_a_group_one_is_not_member_of_is_refused(alice_client, carol, theme):
    from intranet.groups import services as group_services

    group = group_services.group_create(carol, name="Autre", policy="open")
    response = alice_client.post(
        reverse("questions:question-ask"), {"theme": theme.pk, "title": "Q ?", "group": group.pk}
    )
    assert response.status_code == 400 and not Question.objects.exists()


def test_title_and_body_are_escaped_on_every_page(alice, alice_client, theme, carol):
    question = services.question_ask(
        alice, theme=theme, title='<img src=x onerror="alert(1)">', body="<script>x</script>"
    )
    answer = services.answer_create(carol, question.pk, body="<b onclick=1>gras</b>")
    services.answer_accept(alice, answer.pk)
    for url in (
        reverse("questions:question-detail", args=[question.pk]),
        reverse("questions:question-list"),
        reverse("questions:theme-faq", args=["rgpd"]),
    ):
        html = alice_client.get(url).content.decode()
        assert "<img src=x" not in html and "<script>x" not in html and "<b onclick" not in html


def test_answer_form_and_accept_flow(alice, alice_client, carol, other, theme):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    other.force_login(carol)
    empty = other.post(reverse("questions:answer-create", args=[question.pk]), {"body": " "})
    assert empty.status_code == 400 and not Answer.objects.exists()
    created = other.post(reverse("questions:answer-create", args=[question.pk]), {"body": "Oui"})
    answer = Answer.objects.get()
    assert created["Location"].endswith(f"#answer-{answer.pk}")
    page = alice_client.get(reverse("questions:question-detail", args=[question.pk]))
    assert "Accept this answer" in page.content.decode()
    alice_client.post(reverse("questions:answer-accept", args=[answer.pk]))
    assert Answer.objects.get().is_accepted
    faq = alice_client.get(reverse("questions:theme-faq", args=["rgpd"])).content.decode()
    assert "Q ?" in faq and "Oui" in faq


def test_lists_mine_routed_unanswered_and_by_theme(
    alice, alice_client, theme, ambassador, other, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.question_ask(alice, theme=theme, title="En attente zq1")
        answered = services.question_ask(alice, theme=theme, title="Répondue zq2")
    services.answer_create(ambassador, answered.pk, body="Voilà")
    url = reverse("questions:question-list")
    mine = alice_client.get(url + "?show=mine").content.decode()
    assert "zq1" in mine and "zq2" in mine
    unanswered = alice_client.get(url + "?show=unanswered&theme=rgpd").content.decode()
    assert "zq1" in unanswered and "zq2" not in unanswered
    other.force_login(ambassador)
    routed = other.get(url + "?show=routed").content.decode()
    assert "zq1" in routed and "zq2" in routed
    assert "zq1" not in other.get(url + "?show=mine").content.decode()
    assert waiting.pk


@pytest.mark.parametrize("query", ["?show=bogus", "?theme=../../etc", "?theme=nope", "?show=%00"])
def test_odd_list_filters_never_fail(alice_client, theme, query):
    response = alice_client.get(reverse("questions:question-list") + query)
    assert response.status_code in (200, 404)


def test_unknown_theme_faq_is_404(alice_client, theme):
    assert alice_client.get(reverse("questions:theme-faq", args=["inconnu"])).status_code == 404


def test_edit_pages(alice, alice_client, carol, other, theme):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    answer = services.answer_create(carol, question.pk, body="Oui")
    edit_url = reverse("questions:question-edit", args=[question.pk])
    assert alice_client.post(edit_url, {"title": "Q modifiée ?"}).status_code == 302
    assert alice_client.post(edit_url, {"title": ""}).status_code == 200  # form with errors
    answer_url = reverse("questions:answer-edit", args=[answer.pk])
    assert alice_client.get(answer_url).status_code == 403  # visible, not hers
    other.force_login(carol)
    assert other.get(edit_url).status_code == 403
    assert other.post(answer_url, {"body": "Non"}).status_code == 302
    detail = other.get(reverse("questions:question-detail", args=[question.pk])).content.decode()
    assert "Q modifiée ?" in detail and "edited" in detail


def test_delete_pages(alice, alice_client, carol, theme):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    response = alice_client.post(reverse("questions:question-delete", args=[question.pk]))
    assert response.status_code == 302
    assert (
        alice_client.get(reverse("questions:question-detail", args=[question.pk])).status_code
        == 404
    )


def test_notification_opens_the_question(
    alice, theme, ambassador, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_ask(alice, theme=theme, title="Q ?")
    client.force_login(ambassador)
    notification = Notification.objects.get(recipient=ambassador, kind=Kind.QUESTION_ROUTED)
    response = client.get(reverse("notifications:notification-open", args=[notification.pk]))
    assert response["Location"] == reverse("questions:question-detail", args=[question.pk])


def test_list_pages_through_every_question(
    alice, alice_client, theme, django_assert_max_num_queries
):
    for n in range(35):
        services.question_ask(alice, theme=theme, title=f"Question zq{n:02d}")
    url = reverse("questions:question-list") + "?show=mine&theme=rgpd"
    alice_client.get(url)  # warm the per-process caches (content types)
    with django_assert_max_num_queries(12):
        first = alice_client.get(url).content.decode()
    assert "zq34" in first and "zq04" not in first and "page=2" in first
    second = alice_client.get(url + "&page=2").content.decode()
    assert "zq04" in second and "zq34" not in second


def test_faq_and_detail_queries_do_not_grow_with_answers(
    alice, alice_client, carol, theme, django_assert_max_num_queries
):
    for n in range(12):
        question = services.question_ask(alice, theme=theme, title=f"Q{n} ?")
        answer = services.answer_create(carol, question.pk, body=f"R{n}")
        services.answer_accept(alice, answer.pk)
        services.answer_create(alice, question.pk, body="Merci")
    faq_url = reverse("questions:theme-faq", args=["rgpd"])
    detail_url = reverse("questions:question-detail", args=[question.pk])
    alice_client.get(faq_url)  # warm the per-process caches (content types)
    with django_assert_max_num_queries(12):
        assert alice_client.get(faq_url).content.decode().count('id="faq-') == 12
    with django_assert_max_num_queries(12):
        assert alice_client.get(detail_url).content.decode().count('id="answer-') == 2


def test_staff_review_questions_read_only_in_the_admin(alice, staff, theme, other):
    question = services.question_ask(alice, theme=theme, title="Q admin ?")
    other.force_login(staff)
    listing = other.get("/admin/questions/question/")
    assert listing.status_code == 200 and "Q admin ?" in listing.content.decode()
    assert other.get(f"/admin/questions/question/{question.pk}/change/").status_code == 200
    assert other.get("/admin/questions/question/add/").status_code == 403

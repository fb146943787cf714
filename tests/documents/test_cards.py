"""Document cards in posts, comments, answers and chat messages: the name, type and size
for those who may see the document, nothing of it for anyone else (the link stays)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intranet.chat import services as chat_services
from intranet.documents.cards import cards_attach, document_ids, document_url
from intranet.stream.services import comments, posts
from tests.documents.rows import make_document
from tests.factories import AnswerFactory, QuestionFactory
from tests.realtime import conftest as realtime_sockets

SECRET_NAME = "Plan social confidentiel"
connect_as = realtime_sockets.connect_as  # sockets through intranet.asgi, as a browser opens them


@pytest.fixture
def secret_document(budget, bob):
    """A document of budget restricted to its animators (bob): alice, a plain member, and
    carol, an outsider, may not see it."""
    return make_document(budget, bob, f"{SECRET_NAME}.pdf", restriction="animators", size=123456)


@pytest.fixture
def open_document(budget, bob):
    """A document every member of budget may see (alice, bob; not carol)."""
    return make_document(budget, bob, "Budget primitif 2027.ods", mime="application/x", size=2048)


def client_for(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def link(document) -> str:
    return f"[le document]({document_url(document.pk)})"


def test_links_are_read_from_the_rendered_html_only():
    html = (
        '<p><a href="/documents/12/">x</a> <a href="https://evil.example/documents/13/">y</a>'
        '<a href="http://testserver/documents/14/">z</a> <a href="/documents/12/">again</a>'
        '<code>/documents/15/</code> <a href="/documents/0/">zero</a></p>'
    )
    assert document_ids(html) == [12, 14]


def test_post_card_shows_name_to_a_reader_and_nothing_to_others(
    budget, bob, alice, carol, secret_document, open_document
):
    post = posts.post_create(
        bob,
        body=f"À lire : {link(secret_document)} et {link(open_document)}",
        visibility="organisation",
    )
    url = reverse("stream:post-detail", args=[post.pk])
    as_bob = client_for(bob).get(url).content.decode()
    assert SECRET_NAME in as_bob and "Budget primitif 2027.ods" in as_bob
    assert ("ODS" in as_bob and "120,6" in as_bob) or "120.6" in as_bob
    as_alice = client_for(alice).get(url).content.decode()
    assert SECRET_NAME not in as_alice and "Budget primitif 2027.ods" in as_alice
    as_carol = client_for(carol).get(url).content.decode()
    assert SECRET_NAME not in as_carol and "Budget primitif" not in as_carol
    assert "document-card" not in as_carol
    # The same cached article is never served to a viewer with other cards.
    home = client_for(carol).get(reverse("home")).content.decode()
    assert SECRET_NAME not in home and "Budget primitif" not in home


def test_comment_card_follows_the_viewer(budget, bob, alice, carol, secret_document):
    post = posts.post_create(bob, body="Une question", visibility="organisation")
    comments.comment_create(bob, post.pk, body=f"Voici {link(secret_document)}")
    url = reverse("stream:post-detail", args=[post.pk])
    assert SECRET_NAME in client_for(bob).get(url).content.decode()
    assert SECRET_NAME not in client_for(alice).get(url).content.decode()
    assert SECRET_NAME not in client_for(carol).get(url).content.decode()


def test_answer_card_follows_the_viewer(budget, bob, alice, carol, secret_document):
    question = QuestionFactory(author=carol)
    AnswerFactory(question=question, author=bob, body=f"Regardez {link(secret_document)}")
    url = reverse("questions:question-detail", args=[question.pk])
    assert SECRET_NAME in client_for(bob).get(url).content.decode()
    page = client_for(carol).get(url).content.decode()
    assert SECRET_NAME not in page and document_url(secret_document.pk) in page


def test_chat_page_and_card_endpoint_follow_the_reader(room, bob, alice, secret_document):
    chat_services.message_send(
        bob, room.pk, body=f"Le plan : {link(secret_document)}", idempotency_key="card-00001"
    )
    page = reverse("chat:conversation-detail", args=[room.pk])
    assert SECRET_NAME in client_for(bob).get(page).content.decode()
    assert SECRET_NAME not in client_for(alice).get(page).content.decode()
    cards = reverse("chat:message-cards", args=[room.pk])
    ids = f"{secret_document.pk},abc,-3,99999999999999999999"
    as_bob = client_for(bob).get(cards, {"ids": ids}).json()
    assert SECRET_NAME in as_bob["cards"][str(secret_document.pk)]
    assert client_for(alice).get(cards, {"ids": ids}).json() == {"cards": {}}


def test_card_endpoint_is_404_outside_the_conversation(room, carol, secret_document):
    cards = reverse("chat:message-cards", args=[room.pk])
    assert client_for(carol).get(cards, {"ids": str(secret_document.pk)}).status_code == 404


def test_deactivated_agent_gets_no_card(budget, bob, secret_document):
    html = f'<a href="{document_url(secret_document.pk)}">x</a>'
    items = [type("Item", (), {"body_html": html})()]
    cards_attach(bob, items)
    assert [card.name for card in items[0].document_cards] == [f"{SECRET_NAME}.pdf"]
    bob.is_active = False
    bob.save()
    cards_attach(bob, items)
    assert items[0].document_cards == []


@pytest.mark.django_db(transaction=True)
async def test_the_websocket_never_carries_a_document_name(
    connect_as, room, alice, bob, secret_document
):
    expect = realtime_sockets.expect
    watcher, sender = await connect_as(alice), await connect_as(bob)
    await sender.send_json_to(
        {
            "action": "send",
            "conversation": room.pk,
            "body": f"Le plan : {link(secret_document)}",
            "key": "ws-card-0001",
        }
    )
    ack = await expect(sender, "ack")
    event = await expect(watcher, "message.created")
    for frame in (ack, event):
        assert frame["message"]["documents"] == [secret_document.pk]
        assert SECRET_NAME not in json.dumps(frame, ensure_ascii=False)
    for socket in (watcher, sender):
        await socket.disconnect()


def test_a_feed_page_with_cards_costs_the_same_queries_whatever_its_size(budget, bob):
    documents = [make_document(budget, bob, f"Pièce {n}.pdf") for n in range(12)]

    posted = []

    def home_queries(count):
        for document in documents[len(posted) : count]:
            posted.append(document)
            posts.post_create(
                bob, body=f"Pièce : {link(document)}", visibility="group", group=budget
            )
        client = client_for(bob)
        client.get(reverse("home"))  # the session and the caches, warm as on any later page
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("home")).content.decode()
        assert page.count("document-card__name") == count
        return len(queries)

    assert home_queries(2) == home_queries(10)

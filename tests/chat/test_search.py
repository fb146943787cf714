"""Chat messages in search: found by the conversation's current readers only."""

import pytest
from django.urls import reverse

from intranet.chat import services
from intranet.groups import services as group_services
from intranet.search.indexer import drain
from intranet.search.selectors import search

pytestmark = pytest.mark.usefixtures("private_index")


def say(actor, conversation, body, key):
    message, _created = services.message_send(
        actor, conversation.pk, body=body, idempotency_key=key
    )
    drain(lock_timeout=30)
    return message


def chat_hits(actor, q):
    return [hit.obj.pk for hit in search(actor, q).hits if hit.kind == "chat"]


def test_member_finds_a_room_message_outsider_does_not(room, alice, bob, carol):
    message = say(alice, room, "Le zqxbudget annuel est prêt", "search-0001")
    assert chat_hits(bob, "zqxbudget") == [message.pk]
    assert chat_hits(carol, "zqxbudget") == []
    assert search(carol, "zqxbudget").total == 0


def test_former_member_no_longer_finds_the_room(room, budget, alice, bob):
    say(bob, room, "zqxconfidentiel pour l'équipe", "search-0002")
    assert chat_hits(alice, "zqxconfidentiel")
    group_services.group_member_remove(bob, budget, alice)
    assert chat_hits(alice, "zqxconfidentiel") == []
    assert search(alice, "zqxconfidentiel").total == 0


def test_direct_messages_are_found_by_the_two_agents_only(alice, bob, carol):
    direct = services.conversation_direct_open(alice, other=bob)
    message = say(alice, direct, "zqxprivé entre nous", "search-0003")
    assert chat_hits(bob, "zqxprivé") == [message.pk]
    assert chat_hits(carol, "zqxprivé") == []


def test_left_participant_no_longer_finds_a_named_conversation(alice, bob):
    named = services.conversation_named_create(alice, name="Projet", agents=[bob])
    say(alice, named, "zqxprojet secret", "search-0004")
    services.conversation_leave(bob, named.pk)
    assert chat_hits(bob, "zqxprojet") == []
    assert chat_hits(alice, "zqxprojet")


def test_deleted_and_edited_messages_follow_in_the_index(room, alice, bob):
    message = say(alice, room, "zqxancien texte", "search-0005")
    services.message_edit(alice, message.pk, body="zqxnouveau texte")
    drain(lock_timeout=30)
    assert chat_hits(bob, "zqxancien") == []
    assert chat_hits(bob, "zqxnouveau") == [message.pk]
    services.message_delete(alice, message.pk)
    drain(lock_timeout=30)
    assert chat_hits(bob, "zqxnouveau") == []


def test_hostile_message_text_is_escaped_in_results(room, alice, bob, client):
    say(
        alice, room, "zqxhostile <script>alert(1)</script> <img src=x onerror=alert(2)>", "s-000006"
    )
    client.force_login(bob)
    response = client.get(reverse("search:search-results"), {"q": "zqxhostile"})
    html = response.content.decode()
    assert response.status_code == 200 and "zqxhostile" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html


@pytest.mark.parametrize("engine", ["whoosh", "tantivy", "postgres"])
def test_staff_read_only_their_own_conversations_in_search(engine, settings, alice, bob, staff):
    """Staff read every post, not private conversations: no hit, total or facet counts them."""
    from django.db import connection

    if engine == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL engine runs when the suite runs on PostgreSQL")
    settings.TRANSVERSE_SEARCH_ENGINE = engine
    direct = services.conversation_direct_open(alice, other=bob)
    say(alice, direct, "zqxstaffpasla entre nous", "search-0005")
    named = services.conversation_named_create(alice, name="Avec la DSI", agents=[staff])
    mine = say(alice, named, "zqxstaffla pour la DSI", "search-0006")
    outcome = search(staff, "zqxstaffpasla")
    assert (outcome.total, outcome.hits) == (0, [])
    assert all(value.count == 0 for values in outcome.facets.values() for value in values)
    assert chat_hits(staff, "zqxstaffla") == [mine.pk]


def test_type_filter_names_conversations_in_french(room, alice, bob):
    message = say(alice, room, "zqxtypefiltre au programme", "search-0007")
    for name in ("discussion", "Discussions", "chat"):
        assert [hit.obj.pk for hit in search(bob, f"zqxtypefiltre type:{name}").hits] == [
            message.pk
        ]
    assert search(bob, "zqxtypefiltre type:publication").total == 0

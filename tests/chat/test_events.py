"""Chat events as published after commit: kind, payload and audience (docs/realtime.md).

message.created is checked in test_services.py; here the kinds no other test looked at:
message.updated (edit, tombstone, reaction), conversation.read, typing, and the
subscriptions.refresh that makes sockets join a new room or leave a conversation.
"""

from intranet.chat import services
from tests.factories import ConversationFactory, MessageFactory, UserFactory


def room_message(room, alice):
    return MessageFactory(conversation=room, sender=alice, body="Réunion à 10 h")


def test_edit_publishes_the_message_to_the_room_readers(
    room, alice, bob, staff, carol, published_events
):
    message = room_message(room, alice)
    with published_events.committing():
        services.message_edit(alice, message.pk, body="Réunion à 11 h")
    (sent,) = published_events.sent
    assert (sent.group, sent.kind) == (f"conv.{room.pk}", "message.updated")
    payload = sent.event["message"]
    assert (payload["id"], payload["body"], payload["edited"]) == (
        message.pk,
        "Réunion à 11 h",
        True,
    )
    assert payload["rev"] == message.rev + 1
    assert sent.audience == sorted([alice.pk, bob.pk, staff.pk])  # carol is no member


def test_deletion_publishes_a_tombstone_without_content(room, alice, published_events):
    message = room_message(room, alice)
    with published_events.committing():
        services.message_delete(alice, message.pk)
    (sent,) = published_events.of_kind("message.updated")
    payload = sent.event["message"]
    assert payload["deleted"] is True
    assert (payload["body"], payload["html"], payload["reactions"]) == ("", "", {})


def test_reaction_publishes_the_message_with_its_reactions(room, alice, bob, published_events):
    message = room_message(room, alice)
    with published_events.committing():
        services.reaction_toggle(bob, message.pk, kind="thanks")
    (sent,) = published_events.of_kind("message.updated")
    assert sent.event["message"]["reactions"] == {"thanks": [bob.pk]}
    assert bob.pk in sent.audience


def test_read_position_goes_to_the_reader_only_in_a_group_room(room, alice, bob, published_events):
    MessageFactory(conversation=room, sender=bob)
    with published_events.committing():
        services.conversation_mark_read(alice, room.pk, seq=1)
    (sent,) = published_events.sent
    assert (sent.group, sent.kind) == (f"agent.{alice.pk}", "conversation.read")
    assert sent.event == {
        "type": "conversation.read",
        "conversation": room.pk,
        "agent": alice.pk,
        "seq": 1,
    }


def test_read_position_is_shown_to_the_participants_of_a_direct_conversation(
    alice, bob, published_events
):
    direct = services.conversation_direct_open(alice, other=bob)
    MessageFactory(conversation=direct, sender=bob)
    with published_events.committing():
        services.conversation_mark_read(alice, direct.pk, seq=1)
    to_agent, to_conversation = published_events.of_kind("conversation.read")
    assert to_agent.group == f"agent.{alice.pk}"
    assert to_conversation.group == f"conv.{direct.pk}"
    assert to_conversation.audience == sorted([alice.pk, bob.pk])


def test_typing_names_the_agent_to_the_readers(room, alice, bob, staff, published_events):
    services.typing_announce(alice, room.pk)  # not stored: published at once
    (sent,) = published_events.sent
    assert (sent.group, sent.kind) == (f"conv.{room.pk}", "typing")
    assert sent.event["agent"] == {
        "id": alice.pk,
        "name": alice.display_name,
        "username": alice.username,
        "initials": alice.initials,
    }
    assert sent.audience == sorted([alice.pk, bob.pk, staff.pk])


def test_a_new_room_makes_its_members_sockets_subscribe(budget, alice, published_events):
    with published_events.committing():
        services.group_room(alice, budget)
    (sent,) = published_events.sent
    assert (sent.group, sent.message) == (f"group.{budget.pk}", {"type": "subscriptions.refresh"})


def test_added_and_leaving_participants_resubscribe(alice, bob, published_events):
    dave = UserFactory(username="dave")
    conversation = ConversationFactory(created_by=alice, agents=[bob])
    with published_events.committing():
        services.conversation_participants_add(alice, conversation.pk, agents=[dave])
        services.conversation_leave(bob, conversation.pk)
    assert [(p.group, p.kind) for p in published_events.sent] == [
        (f"agent.{dave.pk}", "subscriptions.refresh"),
        (f"agent.{bob.pk}", "subscriptions.refresh"),
    ]

"""Chat services: sending, idempotency, edits, tombstones, reactions, read positions."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F
from django.http import Http404
from django.utils import translation

from intranet.accounts.models import User
from intranet.chat import selectors, services
from intranet.chat.models import Conversation, Message, SendCount
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.notifications.models import Notification
from intranet.search.models import IndexEntry
from realtime import publish
from tests.factories import UserFactory


def send(actor, conversation, body="Bonjour", key="cle-00000001", **kwargs):
    return services.message_send(actor, conversation.pk, body=body, idempotency_key=key, **kwargs)[
        0
    ]


def test_messages_get_increasing_seq_and_rev(room, alice, bob):
    first = send(alice, room, key="k-000000001")
    second = send(bob, room, key="k-000000002")
    assert (first.seq, second.seq) == (1, 2)
    assert second.rev > first.rev
    room.refresh_from_db()
    assert (room.last_seq, room.last_rev) == (2, 2)


def test_same_key_twice_creates_one_message(room, alice):
    first, created = services.message_send(alice, room.pk, body="a", idempotency_key="dup-0000001")
    again, created_again = services.message_send(
        alice, room.pk, body="a", idempotency_key="dup-0000001"
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert Message.objects.count() == 1


def test_same_key_in_another_conversation_is_refused(room, alice, bob):
    direct = services.conversation_direct_open(alice, other=bob)
    send(alice, room, key="reused-0001")
    with pytest.raises(ValidationError) as exc:
        send(alice, direct, key="reused-0001")
    assert exc.value.code == "key_reused"


def test_outsider_gets_404_for_a_group_room(room, carol):
    with pytest.raises(Http404):
        send(carol, room)


def test_open_group_reader_is_not_a_room_member(staff, carol, alice):
    group = group_services.group_create(staff, name="Ouvert", policy="open")
    room = services.group_room(staff, group)
    with pytest.raises(Http404):
        send(carol, room)


def test_archived_group_room_is_read_only(room, budget, alice, staff):
    group_services.group_archive(staff, budget)
    with pytest.raises(PermissionDenied):
        send(alice, room)


def test_deactivated_agent_cannot_send(room, alice):
    alice.is_active = False
    alice.save()
    with pytest.raises(Http404):
        send(alice, room)


def test_stale_copy_of_a_deactivated_agent_cannot_send(room, alice):
    """A socket keeps its agent from connection time: the database still decides."""
    User = type(alice)
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert alice.is_active  # the stale copy a socket would hold
    with pytest.raises(Http404):
        send(alice, room)
    assert not Message.objects.exists()


def test_stale_copy_of_a_removed_member_cannot_send(room, budget, alice, bob):
    send(alice, room, key="before-0001")
    group_services.group_member_remove(bob, budget, alice)
    with pytest.raises(Http404):
        send(alice, room, key="after-00001")
    room.refresh_from_db()
    assert (room.last_seq, room.last_rev) == (1, 1)  # the refused send took no number


def test_former_participant_cannot_send_to_a_named_conversation(alice, bob):
    named = services.conversation_named_create(alice, name="Projet", agents=[bob])
    services.conversation_leave(bob, named.pk)
    with pytest.raises(Http404):
        send(bob, named)


def test_send_costs_a_fixed_number_of_queries(room, alice, bob, django_assert_max_num_queries):
    send(alice, room, key="warm-000001")
    # The rate counter's upsert, UPDATE (authorise + number, RETURNING), INSERT, read
    # position, and the savepoint around them inside the test's transaction, and the
    # search queue row (the audience is read after commit).
    with django_assert_max_num_queries(7):
        send(alice, room, key="counted-0001")


def test_plain_message_is_stored_in_one_statement_on_postgresql(
    alice, bob, django_assert_num_queries
):
    """Numbers, message, read position, search queue row and the event's audience in one
    statement (with its savepoint inside the test's transaction)."""
    if connection.vendor != "postgresql":
        pytest.skip("data-modifying CTEs are PostgreSQL's; SQLite sends in a transaction")
    direct = services.conversation_direct_open(alice, other=bob)
    send(alice, direct, key="warm-000002")
    send(bob, direct, key="warm-000003")
    # SAVEPOINT, the statement (the audience of the event included), RELEASE.
    with django_assert_num_queries(3) as captured:
        message = send(alice, direct, body="Un **seul** ordre", key="single-0001")
    statement = next(q["sql"] for q in captured.captured_queries if q["sql"].startswith("WITH"))
    assert "INSERT INTO" in statement and "search_indexentry" in statement
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.rev, stored.sender_id) == (3, 3, alice.pk)
    assert stored.body_html == message.body_html and "<strong>seul</strong>" in stored.body_html
    assert stored.created_at == message.created_at
    read = dict(direct.participants.values_list("agent_id", "last_read_seq"))
    assert read == {alice.pk: 3, bob.pk: 2}
    assert IndexEntry.objects.filter(kind="chat", object_id=message.pk).exists()


@pytest.mark.parametrize("kind", ["group", "direct"])
def test_event_audience_is_who_may_read_the_conversation_when_stored(
    kind, room, budget, alice, bob, carol, staff, django_capture_on_commit_callbacks
):
    """Read by the same statement on PostgreSQL, after commit on SQLite: the room's
    active members (staff created the group; a deactivated member is left out), or the
    direct conversation's two participants; never an outsider (carol)."""
    dave = UserFactory(username="dave", department=alice.department)
    Membership.objects.create(group=budget, agent=dave)
    User.objects.filter(pk=dave.pk).update(is_active=False)
    target = room if kind == "group" else services.conversation_direct_open(alice, other=bob)
    with publish.collected() as pending, django_capture_on_commit_callbacks(execute=True):
        message = send(alice, target, body="Qui lit ?", key=f"aud-{kind}-0001")
    [(group, event)] = pending
    assert group == f"conv.{target.pk}" and event["event"]["message"]["id"] == message.pk
    readers = [staff, alice, bob] if kind == "group" else [alice, bob]
    assert event["audience"] == sorted(agent.pk for agent in readers)
    assert message.broadcast is True


@pytest.mark.parametrize("body", ["Bonjour @bob", "Bonjour"])
def test_mentions_and_replies_take_the_transaction_path(room, alice, bob, body):
    """The one-statement path leaves out what needs more than one statement: the
    mentioned agent is notified, a reply is attached to its thread."""
    first = send(alice, room, key="thread-0001")
    reply = send(alice, room, body=body, key="thread-0002", parent_id=first.pk)
    assert Message.objects.get(pk=reply.pk).parent_id == first.pk
    notified = Notification.objects.filter(recipient=bob, kind="mention").exists()
    assert notified == ("@bob" in body)


@pytest.mark.django_db(transaction=True)
def test_one_statement_send_outside_a_transaction(finance):
    """As in production (autocommit, no savepoint): stored, numbered, a retry answered
    from the stored message, and a refused sender changes nothing."""
    alice = UserFactory(username="alice3", department=finance)
    bob = UserFactory(username="bob3", department=finance)
    carol = UserFactory(username="carol3")
    conversation = services.conversation_direct_open(alice, other=bob)
    first, created = services.message_send(
        alice, conversation.pk, body="un", idempotency_key="auto-000001"
    )
    again, created_again = services.message_send(
        alice, conversation.pk, body="deux", idempotency_key="auto-000001"
    )
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(Http404):
        services.message_send(carol, conversation.pk, body="intrus", idempotency_key="auto-000002")
    conversation.refresh_from_db()
    assert (conversation.last_seq, conversation.last_rev) == (1, 1)
    assert list(Message.objects.values_list("body", flat=True)) == ["un"]
    assert not connection.in_atomic_block


def test_retry_costs_no_number_and_returns_the_stored_message(room, alice):
    first = send(alice, room, key="retry-00001")
    again = send(alice, room, body="autre", key="retry-00001")
    room.refresh_from_db()
    assert again.pk == first.pk and (room.last_seq, room.last_rev) == (1, 1)


@pytest.mark.parametrize(
    ("body", "key", "code"),
    [
        ("", "k-000000001", "empty"),
        ("x" * 10_001, "k-000000001", "message_too_long"),
        ("ok", "short", "bad_key"),
        ("ok", "bad key with spaces", "bad_key"),
    ],
)
def test_invalid_messages_are_refused_with_their_code(room, alice, body, key, code):
    with pytest.raises(ValidationError) as exc:
        send(alice, room, body=body, key=key)
    assert exc.value.code == code


def test_rate_limit_per_agent(room, alice, bob, settings):
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 3
    for n in range(3):
        send(alice, room, key=f"rate-{n:08d}")
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        send(alice, room, key="rate-99999999")
    assert exc.value.code == "rate_limited"
    assert str(exc.value.messages[0]) == "You are sending messages too quickly; wait a moment."
    assert Message.objects.count() == 3
    room.refresh_from_db()
    assert (room.last_seq, room.last_rev) == (3, 3)  # the refused one took no number
    send(bob, room, key="rate-bob-0001")  # per agent: Bob is not limited by Alice


def test_rate_limit_counts_per_minute_and_not_the_refused(room, alice, settings):
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 2
    send(alice, room, key="slide-0000001")
    send(alice, room, key="slide-0000002")
    for attempt in range(3):  # refused sends are not counted
        with pytest.raises(ValidationError):
            send(alice, room, key=f"slide-refused-{attempt}")
    assert SendCount.objects.get(agent=alice).sent == 2
    SendCount.objects.filter(agent=alice).update(minute=F("minute") - 1)  # a minute later
    send(alice, room, key="slide-0000003")
    send(alice, room, key="slide-0000004")
    with pytest.raises(ValidationError):
        send(alice, room, key="slide-0000005")
    assert Message.objects.filter(sender=alice).count() == 4


def test_rate_limit_costs_the_same_whatever_was_sent_before(room, alice, settings):
    """One counter row per agent: no scan of the agent's messages, however many."""
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 10**6
    for n in range(30):
        send(alice, room, key=f"many-{n:08d}")
    assert SendCount.objects.get(agent=alice).sent == 30
    assert SendCount.objects.count() == 1


def test_rate_limit_holds_without_the_cache(room, alice, settings):
    """Counted in the database: a cache that is down neither blocks nor lifts it."""
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 1
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
        }
    }
    send(alice, room, key="nocache-00001")
    with pytest.raises(ValidationError) as exc:
        send(alice, room, key="nocache-00002")
    assert exc.value.code == "rate_limited"


def test_rate_limit_refusal_of_a_stranger_is_still_404(room, alice, settings):
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 1
    stranger = UserFactory()
    send(alice, room, key="own-000000001")
    with pytest.raises(Http404):
        send(stranger, room, key="own-000000002")


def test_retry_is_not_counted_by_the_rate_limit(room, alice, settings):
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 1
    send(alice, room, key="once-0000001")
    assert send(alice, room, key="once-0000001").seq == 1


def test_markdown_goes_through_the_one_renderer(room, alice):
    message = send(alice, room, body="**gras** <script>alert(1)</script>")
    assert "<strong>gras</strong>" in message.body_html
    assert "<script>" not in message.body_html


def test_reply_threads_are_one_level_deep(room, alice, bob):
    root = send(alice, room, key="root-0000001")
    reply = send(bob, room, key="repl-0000001", parent_id=root.pk)
    nested = send(alice, room, key="nest-0000001", parent_id=reply.pk)
    assert reply.parent_id == root.pk and nested.parent_id == root.pk


def test_reply_to_a_message_of_another_conversation_is_refused(room, alice, bob):
    direct = services.conversation_direct_open(alice, other=bob)
    elsewhere = send(alice, direct, key="else-0000001")
    with pytest.raises(ValidationError) as exc:
        send(alice, room, key="repl-0000002", parent_id=elsewhere.pk)
    assert exc.value.code == "bad_parent"


def test_edit_marks_and_bumps_revision(room, alice):
    message = send(alice, room)
    edited = services.message_edit(alice, message.pk, body="Corrigé")
    assert edited.edited_at is not None and edited.rev > message.rev
    assert "Corrigé" in edited.body_html


def test_only_the_sender_edits(room, alice, bob):
    message = send(alice, room)
    with pytest.raises(PermissionDenied):
        services.message_edit(bob, message.pk, body="pirate")


def test_delete_leaves_a_tombstone_without_content(room, alice):
    message = send(alice, room, body="secret")
    services.reaction_toggle(alice, message.pk, kind="like")
    deleted = services.message_delete(alice, message.pk)
    assert deleted.deleted_at is not None
    assert (deleted.body, deleted.body_html) == ("", "")
    payload = selectors.message_payloads([deleted])[0]
    assert payload["deleted"] and payload["body"] == "" and payload["reactions"] == {}


def test_group_moderator_deletes_others_messages_members_do_not(room, alice, bob):
    message = send(alice, room)
    other = send(bob, room, key="bob-00000001")
    with pytest.raises(PermissionDenied):
        services.message_delete(alice, other.pk)
    assert services.message_delete(bob, message.pk).is_deleted


def test_reaction_toggles(room, alice, bob):
    message = send(alice, room)
    services.reaction_toggle(bob, message.pk, kind="like")
    assert selectors.reactions_by_message([message.pk]) == {message.pk: {"like": [bob.pk]}}
    services.reaction_toggle(bob, message.pk, kind="like")
    assert selectors.reactions_by_message([message.pk]) == {}
    with pytest.raises(ValidationError):
        services.reaction_toggle(bob, message.pk, kind="<script>")


def test_unread_counts_follow_read_position(room, alice, bob):
    services.conversation_mark_read(alice, room.pk, seq=0)
    for n in range(3):
        send(bob, room, key=f"unr-{n:08d}")
    assert selectors.unread_total(alice) == 3
    services.conversation_mark_read(alice, room.pk, seq=2)
    assert selectors.unread_total(alice) == 1
    services.conversation_mark_read(alice, room.pk, seq=1)  # never goes back
    assert selectors.unread_total(alice) == 1
    assert selectors.unread_total(bob) == 0


def _unread_by_the_orm(actor) -> int:
    """The unread total as conversation_list counts it, the reference of unread_total."""
    return sum(c.unread for c in selectors.conversation_list(actor))


def test_unread_total_is_one_query_and_follows_the_access_rules(room, alice, bob, carol, dave):
    """unread_total's compiled statement agrees with the ORM's rules: rooms of the
    actor's groups only, conversations left or deleted messages not counted, nothing
    for a deactivated agent, and the actor's id is never another agent's."""
    from django.test.utils import CaptureQueriesContext

    from intranet.chat.services.conversations import conversation_leave

    services.conversation_mark_read(alice, room.pk, seq=0)
    services.conversation_mark_read(bob, room.pk, seq=0)
    direct = services.conversation_direct_open(alice, other=bob)
    named = services.conversation_named_create(alice, name="Trio", agents=[bob, carol])
    for conversation in (direct, named):
        services.conversation_mark_read(alice, conversation.pk, seq=0)
    send(bob, room, key="u-room-0001")
    gone = send(bob, room, key="u-room-0002")
    send(alice, room, key="u-room-0003")
    send(bob, direct, key="u-dir-00001")
    send(bob, named, key="u-named-001")
    send(carol, named, key="u-named-002")
    services.message_delete(bob, gone.pk)
    agents = (alice, bob, carol)
    for agent in agents:
        assert selectors.unread_total(agent) == _unread_by_the_orm(agent)
    # The room counts 0: alice's own message moved her read position past bob's.
    assert selectors.unread_total(alice) == 3  # direct 1, named 2
    with CaptureQueriesContext(connection) as queries:
        selectors.unread_total(alice)
    assert len(queries) == 1
    conversation_leave(carol, named.pk)
    assert selectors.unread_total(carol) == 0 == _unread_by_the_orm(carol)
    Membership.objects.filter(group=room.group, agent=alice).delete()
    send(bob, room, key="u-room-0004")
    assert selectors.unread_total(alice) == 3 == _unread_by_the_orm(alice)
    assert selectors.unread_total(dave) == 0
    User.objects.filter(pk=bob.pk).update(is_active=False)
    bob.refresh_from_db()
    assert selectors.unread_total(bob) == 0


def test_a_room_never_opened_counts_as_read(room, alice, bob):
    send(bob, room)
    assert selectors.unread_total(alice) == 0


def test_conversation_list_orders_by_last_activity(room, alice, bob):
    direct = services.conversation_direct_open(alice, other=bob)
    send(bob, room, key="first-000001")
    send(bob, direct, key="second-00001")
    titles = [c.title for c in selectors.conversation_list(alice)]
    assert titles[:2] == ["Bob Martin", "Budget"]


def test_direct_conversation_is_one_per_pair(alice, bob):
    one = services.conversation_direct_open(alice, other=bob)
    two = services.conversation_direct_open(bob, other=alice)
    assert one.pk == two.pk
    with pytest.raises(ValidationError):
        services.conversation_direct_open(alice, other=alice)


def test_named_conversation_holds_at_most_50(alice, finance):
    agents = [UserFactory(username=f"n{n}", department=finance) for n in range(50)]
    with pytest.raises(ValidationError) as exc:
        services.conversation_named_create(alice, name="Trop", agents=agents)
    assert exc.value.code == "too_many_participants"
    conversation = services.conversation_named_create(alice, name="Projet", agents=agents[:49])
    assert conversation.participants.count() == 50


def test_leaving_a_named_conversation_ends_access(alice, bob):
    conversation = services.conversation_named_create(alice, name="Projet", agents=[bob])
    services.conversation_leave(bob, conversation.pk)
    with pytest.raises(Http404):
        send(bob, conversation)


def test_mentions_notify_readers_only(room, alice, bob, carol):
    send(alice, room, body="Bonjour @bob et @carol")
    assert Notification.objects.filter(recipient=bob, kind="mention").count() == 1
    assert not Notification.objects.filter(recipient=carol).exists()


def test_removed_member_loses_the_room_at_once(room, budget, alice, bob):
    group_services.group_member_remove(bob, budget, alice)
    alice.refresh_from_db()
    assert room.pk not in selectors.subscription_targets(alice)[0]
    with pytest.raises(Http404):
        send(alice, room)


def test_audience_is_the_current_members(room, budget, alice, bob, carol):
    assert sorted(selectors.conversation_audience(room)) == sorted(
        [alice.pk, bob.pk, budget.created_by_id]
    )


def test_audience_of_a_named_conversation_is_its_active_current_participants(alice, bob, carol):
    """conversation_audience's SQL is compiled once per process: the right ids still
    reach it (a left participant and a deactivated one are out)."""
    conversation = services.conversation_named_create(alice, name="Projet", agents=[bob, carol])
    services.conversation_leave(bob, conversation.pk)
    carol.is_active = False
    carol.save()
    assert selectors.conversation_audience(conversation) == [alice.pk]
    other = services.conversation_direct_open(bob, other=carol.__class__.objects.get(pk=alice.pk))
    assert sorted(selectors.conversation_audience(other)) == sorted([alice.pk, bob.pk])


def test_replay_returns_changes_after_the_cursor(room, alice, bob):
    one = send(alice, room, key="rep-00000001")
    send(bob, room, key="rep-00000002")
    services.message_edit(alice, one.pk, body="modifié")
    rows, truncated = selectors.messages_since(room, 1)
    assert [m.rev for m in rows] == [2, 3] and not truncated
    assert rows[-1].pk == one.pk


def test_last_page_costs_one_query(room, alice, django_assert_num_queries):
    for n in range(60):
        send(alice, room, key=f"page-{n:07d}")
    with django_assert_num_queries(1):
        page = selectors.message_page(room)
    assert [m.seq for m in page] == list(range(11, 61))


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_with_one_key_store_one_message(finance):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the test SQLite is in-memory, shared-cache)")
    alice = UserFactory(username="alice2", department=finance)
    bob = UserFactory(username="bob2", department=finance)
    conversation = services.conversation_direct_open(alice, other=bob)
    results, errors = [], []

    def retry():
        try:
            results.append(
                services.message_send(
                    alice, conversation.pk, body="une fois", idempotency_key="parallel-0001"
                )[0].pk
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 8
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert Conversation.objects.get(pk=conversation.pk).last_seq == 1


def test_send_statement_is_planned_once_per_connection(room, alice):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement send path is PostgreSQL's")
    for n in range(3):
        send(alice, room, key=f"plan-{n:08d}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert len([s for s in statements if s.startswith("WITH rate AS")]) == 1
    assert [m.seq for m in Message.objects.order_by("seq")] == [1, 2, 3]

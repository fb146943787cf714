"""Retention: the dry run counts exactly what the run then removes, across the database,
the search index's remove queue and files; what is recent stays; 0 days keeps for ever.

Roles: `alice` and `bob` (agents of Finance)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record
from intranet.chat.models import Message
from intranet.core.retention import retention_apply, retention_plan
from intranet.notifications.models import Notification
from intranet.search.models import IndexEntry
from tests.factories import ConversationFactory, MessageFactory

pytestmark = pytest.mark.django_db
OLD = timezone.now() - timedelta(days=40)


@pytest.fixture
def limits(settings):
    settings.TRANSVERSE_RETENTION_CHAT_DAYS = 30
    settings.TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS = 30
    settings.TRANSVERSE_RETENTION_AUDIT_DAYS = 30
    settings.TRANSVERSE_RETENTION_TASKS_DAYS = 30


@pytest.fixture
def data(alice, bob):
    conversation = ConversationFactory(created_by=alice, agents=[bob])
    old, new = MessageFactory(conversation=conversation), MessageFactory(conversation=conversation)
    name = default_storage.save("chat/old.txt", ContentFile(b"old file"))
    Message.objects.filter(pk=old.pk).update(created_at=OLD, attachment=name)
    for _ in range(2):
        Notification.objects.create(recipient=bob, kind="mention")
    Notification.objects.filter(pk=Notification.objects.first().pk).update(created_at=OLD)
    audit_record("accounts.sign_in", actor=alice)
    audit_record("accounts.sign_in", actor=bob)
    AuditEntry.objects.filter(actor=alice).update(created_at=OLD)
    expired = SessionStore()
    expired["x"] = 1
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(expire_date=OLD)
    return {"old": old, "new": new, "file": name}


def test_the_dry_run_counts_what_the_run_removes(limits, data, django_capture_on_commit_callbacks):
    now = timezone.now()
    planned = {rule.name: count for rule, _, count in retention_plan(now)}
    assert planned["chat"] == 1 and planned["notifications"] == 1
    assert planned["audit"] == 1 and planned["sessions"] == 1
    with django_capture_on_commit_callbacks(execute=True):  # files go after commit
        removed = retention_apply(now)
    assert removed == planned
    assert list(Message.objects.values_list("pk", flat=True)) == [data["new"].pk]
    assert not default_storage.exists(data["file"])
    assert IndexEntry.objects.filter(
        kind="chat", object_id=data["old"].pk, action=IndexEntry.Action.REMOVE
    ).exists()
    assert Notification.objects.count() == 1 and AuditEntry.objects.count() == 1
    assert {rule.name: count for rule, _, count in retention_plan()}["chat"] == 0


def test_zero_days_keeps_for_ever(limits, settings, data):
    settings.TRANSVERSE_RETENTION_CHAT_DAYS = 0
    assert retention_apply()["chat"] == 0
    assert Message.objects.count() == 2 and default_storage.exists(data["file"])


def test_finished_tasks_go_pending_ones_stay(limits):
    from django_tasks import TaskResultStatus

    old = timezone.now() - timedelta(days=40)
    for status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY):
        DBTaskResult.objects.create(
            task_path="intranet.core.retention.retention_daily_periodic",
            status=status,
            finished_at=old if status == TaskResultStatus.SUCCESSFUL else None,
            args_kwargs={"args": [], "kwargs": {}},
            queue_name="default",
            backend_name="default",
            priority=0,
        )
    pending_before = DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
    assert retention_apply()["tasks"] == 1
    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == pending_before


def test_the_command_dry_run_removes_nothing(limits, data, capsys):
    call_command("retention", "--dry-run")
    out = capsys.readouterr().out
    assert "chat: 1 to remove" in out and "nothing removed" in out
    assert Message.objects.count() == 2
    call_command("retention")
    assert "done: " in capsys.readouterr().out and Message.objects.count() == 1


# --- The set-based path (chat in SQL, batches by key ranges) ---------------------------


def test_nothing_points_at_a_message_that_the_sql_path_would_miss():
    """chat's messages_remove deletes reactions and clears replies' parent in SQL instead
    of Django's collector: a new relation or a delete signal must be handled there."""
    from django.db.models import CASCADE, SET_NULL
    from django.db.models.signals import post_delete, pre_delete

    from intranet.chat.models import Reaction

    relations = {
        (rel.related_model, rel.field.name, rel.on_delete) for rel in Message._meta.related_objects
    }
    assert relations == {(Reaction, "message", CASCADE), (Message, "parent", SET_NULL)}
    for model in (Message, Reaction):
        assert not pre_delete.has_listeners(model) and not post_delete.has_listeners(model)
    assert not Reaction._meta.related_objects


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr("intranet.core.retention.BATCH", 3)


def test_batches_by_key_range_keep_the_recent_rows_between_old_ones(
    limits, small_batches, alice, bob, django_capture_on_commit_callbacks
):
    """Old and recent rows interleaved: each batch's key range spans kept rows, which
    must stay; the dry run still counts exactly what goes, over several batches."""
    conversation = ConversationFactory(created_by=alice, agents=[bob])
    messages = [MessageFactory(conversation=conversation) for _ in range(10)]
    old = [m.pk for i, m in enumerate(messages) if i % 3 != 1]
    Message.objects.filter(pk__in=old).update(created_at=OLD)
    for _ in range(10):
        Notification.objects.create(recipient=bob, kind="mention")
    notes = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    Notification.objects.filter(pk__in=notes[::2]).update(created_at=OLD)
    now = timezone.now()
    planned = {rule.name: count for rule, _, count in retention_plan(now)}
    assert planned["chat"] == len(old) == 7 and planned["notifications"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        removed = retention_apply(now)
    assert removed["chat"] == 7 and removed["notifications"] == 5
    assert set(Message.objects.values_list("pk", flat=True)) == {
        m.pk for m in messages if m.pk not in old
    }
    assert set(Notification.objects.values_list("pk", flat=True)) == set(notes[1::2])


def test_a_message_goes_with_its_reactions_and_its_replies_stay(
    limits, alice, bob, django_capture_on_commit_callbacks
):
    from intranet.chat.models import Reaction

    conversation = ConversationFactory(created_by=alice, agents=[bob])
    old, reply = (
        MessageFactory(conversation=conversation),
        MessageFactory(conversation=conversation),
    )
    Message.objects.filter(pk=reply.pk).update(parent=old)
    Message.objects.filter(pk=old.pk).update(created_at=OLD)
    Reaction.objects.create(message=old, agent=bob, kind="like")
    kept = Reaction.objects.create(message=reply, agent=bob, kind="like")
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply()["chat"] == 1
    assert list(Reaction.objects.values_list("pk", flat=True)) == [kept.pk]
    reply.refresh_from_db()
    assert reply.parent_id is None


def test_a_chat_batch_costs_the_same_queries_whatever_its_size(
    limits, alice, bob, django_assert_max_num_queries
):
    """No per-message statement: 40 messages with reactions and files, one batch."""
    from intranet.chat.models import Reaction

    conversation = ConversationFactory(created_by=alice, agents=[bob])
    messages = [MessageFactory(conversation=conversation) for _ in range(40)]
    for message in messages:
        Reaction.objects.create(message=message, agent=bob, kind="like")
    Message.objects.update(created_at=OLD, attachment="chat/none.txt")
    from intranet.chat.retention import messages_remove

    pks = sorted(m.pk for m in messages)
    with django_assert_max_num_queries(8):
        assert messages_remove(pks) == 40
    assert not Message.objects.exists() and not Reaction.objects.exists()
    assert IndexEntry.objects.filter(kind="chat", action=IndexEntry.Action.REMOVE).count() == 40


@pytest.mark.usefixtures("private_index")
def test_the_search_index_no_longer_holds_removed_messages(
    limits, alice, bob, django_capture_on_commit_callbacks
):
    from intranet.search.engines import get_engine
    from intranet.search.indexer import drain

    conversation = ConversationFactory(created_by=alice, agents=[bob])
    old, new = MessageFactory(conversation=conversation), MessageFactory(conversation=conversation)
    drain(lock_timeout=30)
    keys = set(get_engine().digests())
    assert {f"chat:{old.pk}", f"chat:{new.pk}"} <= keys
    Message.objects.filter(pk=old.pk).update(created_at=OLD)
    with django_capture_on_commit_callbacks(execute=True):
        assert retention_apply()["chat"] == 1
    drain(lock_timeout=30)
    keys = set(get_engine().digests())
    assert f"chat:{old.pk}" not in keys and f"chat:{new.pk}" in keys


def test_every_kind_without_its_own_removal_goes_in_one_delete_per_batch(limits):
    """The default removal stays set-based only while Django can delete the rows without
    loading them (no cascade, no delete signal): a kind that loses that needs its own
    `remove`, as chat has."""
    from django.db.models.deletion import Collector

    from intranet.core.retention import retention_rules

    now = timezone.now()
    for rule in retention_rules():
        if rule.remove is None:
            assert Collector("default").can_fast_delete(rule.expired(now)), rule.name

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

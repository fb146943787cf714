"""Notifications pointing at registered targets: stored generically, re-checked when shown."""

import pytest
from django.core import mail

from intranet.experts.models import Theme
from intranet.groups import services as group_services
from intranet.notifications import services
from intranet.notifications.models import Kind, Notification
from intranet.notifications.selectors import describe, unread_count, visible_notifications
from intranet.notifications.tasks import send_notification_email
from intranet.questions.models import Question

pytestmark = pytest.mark.usefixtures("english")


def _question(author, group=None):
    theme = Theme.objects.get_or_create(name="RGPD", slug="rgpd")[0]
    return Question.objects.create(
        author=author, theme=theme, title="Durée de conservation ?", group=group
    )


def test_target_is_stored_and_described(alice, carol):
    question = _question(alice)
    notification = services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    assert notification.target == question
    assert describe(notification) == (
        "Alice Lefèvre asks a question you may answer: Durée de conservation ?"
    )


def test_unregistered_target_is_refused(alice, carol, finance):
    with pytest.raises(LookupError):
        services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=finance)
    assert not Notification.objects.exists()


def test_target_no_longer_visible_hides_the_notification_everywhere(
    alice, carol, group, carol_member
):
    question = _question(alice, group=group)
    services.preferences_set(carol, {Kind.QUESTION_ROUTED: "email"})
    notification = services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    assert unread_count(carol) == 1
    group_services.group_leave(carol, group)
    assert unread_count(carol) == 0
    assert not visible_notifications(carol).exists()
    assert send_notification_email.call(notification.pk) is False and mail.outbox == []


def test_deleted_target_hides_the_notification(alice, carol):
    question = _question(alice)
    services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    Question.objects.filter(pk=question.pk).delete()
    assert unread_count(carol) == 0


def test_notify_many_with_target(alice, carol, staff):
    question = _question(alice)
    from intranet.accounts.models import User

    count = services.notify_many(
        User.objects.all(), Kind.QUESTION_ESCALATED, actor=alice, target=question
    )
    assert count == 2  # carol and staff; never the actor
    assert {n.target for n in Notification.objects.all()} == {question}


def test_list_reads_targets_in_a_fixed_number_of_queries(
    alice, carol, django_assert_max_num_queries
):
    from intranet.notifications.selectors import notification_list
    from intranet.questions.models import Answer

    for n in range(6):
        question = _question(alice)
        answer = Answer.objects.create(question=question, author=carol, body=f"R{n}", body_html="")
        services.notify(alice, Kind.ANSWER_RECEIVED, actor=carol, target=answer)
        services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    with django_assert_max_num_queries(8):
        items = notification_list(alice)
        texts = [item.text for item in items] + [item.url for item in items]
    assert len(items) == 6 and all("Durée de conservation" in t for t in texts[:6])


def test_unread_count_with_nothing_unseen_is_one_query(alice, carol, django_assert_num_queries):
    """The badge of every page and socket: no unseen notification, one indexed query (the
    visibility rules of each target kind only when there is something to count)."""
    question = _question(alice)
    notification = services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    assert unread_count(carol) == 1
    Notification.objects.filter(pk=notification.pk).update(seen_at=notification.created_at)
    with django_assert_num_queries(1):
        assert unread_count(carol) == 0
    services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    assert unread_count(carol) == 1


def test_list_rechecks_only_the_kinds_received_and_agrees_with_visible(
    alice, carol, group, carol_member
):
    """The list re-checks only what carol's notifications point to (listed_notifications),
    and shows exactly what visible_notifications keeps, as access changes."""
    from intranet.notifications.selectors import listed_notifications

    assert not listed_notifications(carol).exists()  # nothing received: no rule at all
    question = _question(alice, group=group)
    asked = services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    services.notify(carol, Kind.MEMBERSHIP_APPROVED, group=group)

    def same() -> set:
        listed = set(listed_notifications(carol).values_list("pk", flat=True))
        assert listed == set(visible_notifications(carol).values_list("pk", flat=True))
        return listed

    assert len(same()) == 2
    group_services.group_leave(carol, group)
    assert asked.pk not in same()


def test_unread_count_rechecks_only_the_kinds_unseen_and_agrees_with_visible(
    alice, carol, group, carol_member
):
    """The badge (every page and socket) builds only the rules of what carol's unseen
    notifications point to, and counts exactly what visible_notifications keeps unseen."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intranet.events.models import Event

    question = _question(alice, group=group)
    services.notify(carol, Kind.QUESTION_ROUTED, actor=alice, target=question)
    services.notify(carol, Kind.MEMBERSHIP_APPROVED, group=group)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            count = unread_count(carol)
        expected = visible_notifications(carol).filter(seen_at__isnull=True).count()
        assert count == expected
        # The sessions' rule (a registered kind nobody here points to) is not built.
        assert not any(Event._meta.db_table in q["sql"] for q in queries.captured_queries)
        return count

    assert counted() == 2
    group_services.group_leave(carol, group)
    assert counted() == 1  # the question in a group carol left is no longer counted

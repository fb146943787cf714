"""The presence model moved from chat to its own app without losing a row: a database
holding sockets' rows, as the chat app left them, is migrated across the move (Django's
MigrationExecutor) and every row is found again under the new table, with its content
type's id; and the move can be undone."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from tests.factories import UserFactory
from tests.migrating import latest, migrate, tables, world_before

BEFORE = [("chat", "0002_sendcount"), ("presence", None)]
SEEN = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db(transaction=True)


old_world = world_before(BEFORE)


def fill(apps) -> tuple[dict, int]:
    """Rows as the chat app wrote them, and the id of the model's content type."""
    Presence = apps.get_model("chat", "Presence")
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    rows = {}
    for name, agent, away in (("tab.1", alice, False), ("tab.2", alice, True), ("t.b", bob, False)):
        row = Presence.objects.create(channel_name=name, agent_id=agent.pk, away=away, seen_at=SEEN)
        rows[row.pk] = (name, agent.pk, away)
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="chat", model="presence"
    )[0]
    return rows, content_type.pk


def stored(model) -> dict:
    return {
        row.pk: (row.channel_name, row.agent_id, row.away)
        for row in model.objects.filter(seen_at=SEEN)
    }


def test_every_row_survives_the_move_and_its_undoing(old_world):
    assert "chat_presence" in tables() and "presence_presence" not in tables()
    rows, content_type_id = fill(old_world)
    migrate(latest())
    assert "presence_presence" in tables() and "chat_presence" not in tables()
    from intranet.presence.models import Presence

    assert stored(Presence) == rows
    assert ContentType.objects.get_for_model(Presence).pk == content_type_id
    Presence.objects.create(channel_name="tab.3", agent_id=rows[min(rows)][1], seen_at=SEEN)

    back = migrate(BEFORE)
    assert "chat_presence" in tables() and "presence_presence" not in tables()
    assert len(stored(back.get_model("chat", "Presence"))) == 4
    assert ContentType.objects.get(app_label="chat", model="presence").pk == content_type_id

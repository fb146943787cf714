"""Presence takes over the model born in the chat app, with its table and rows.

State only: the table stays where it is (chat_presence), so no row is copied and nothing
is locked; 0002 renames it after its new app. The content type changes app label but
keeps its id, so what points at it by id (permissions, the admin log) stays attached.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    # A content type already under the new label (made by a post_migrate run in between)
    # is left alone: two rows cannot share a label, and the old one holds the references.
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    if not rows.filter(app_label=new, model="presence").exists():
        rows.filter(app_label=old, model="presence").update(app_label=new)


def content_type_to_presence(apps, schema_editor):
    _relabel(apps, schema_editor, old="chat", new="presence")


def content_type_to_chat(apps, schema_editor):
    _relabel(apps, schema_editor, old="presence", new="chat")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("chat", "0002_sendcount"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Presence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel_name", models.CharField(max_length=200, unique=True)),
                ("away", models.BooleanField(default=False)),
                ("seen_at", models.DateTimeField()),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "chat_presence",
                "indexes": [models.Index(fields=["agent", "seen_at"], name="chat_presence_agent")],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_type_to_presence, content_type_to_chat),
    ]

"""Presence moves to its own app (intranet.presence, whose 0001 takes the model over with
its table): state only here, so the table and its rows stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0002_sendcount"),
        ("presence", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Presence")]
        ),
    ]

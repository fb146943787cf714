"""The presence table takes its app's name: chat_presence becomes presence_presence. A
rename only: PostgreSQL and SQLite rename in place, rows and ids stay. The index keeps
its name (see models.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("presence", "0001_initial"),
        ("chat", "0003_presence_moves_out"),
    ]

    operations = [
        migrations.AlterModelTable(name="presence", table=None),
    ]

"""The seats held on each session's row: registering takes one with a conditional UPDATE
instead of counting under a lock (the registration burst of issue 19)."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_seats(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Registration = apps.get_model("events", "Registration")
    taken = (
        Registration.objects.filter(event=OuterRef("pk"), status="registered")
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Event.objects.update(seats_taken=Coalesce(Subquery(taken), 0))


class Migration(migrations.Migration):
    dependencies = [("events", "0002_satisfaction_survey")]

    operations = [
        migrations.AddField(
            model_name="event",
            name="seats_taken",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_seats, migrations.RunPython.noop),
    ]

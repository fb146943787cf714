"""Themes list skills of the skills app (state only: the link table and its rows stay)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("experts", "0001_initial"),
        ("skills", "0001_initial"),
    ]
    # Before people forgets the skill models: the lower app's migration need not name experts.
    run_before = [("people", "0004_skills_move_to_their_app")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="theme",
                    name="skills",
                    field=models.ManyToManyField(
                        blank=True, related_name="themes", to="skills.skill", verbose_name="skills"
                    ),
                )
            ]
        )
    ]

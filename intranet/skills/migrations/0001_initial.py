"""Skills take over the models born in the people app, with their tables and rows.

State only: the tables stay where they are (people_*), so no row is copied and nothing is
locked; 0002 renames them after their new app. The content types of the four models
change app label but keep their ids, so what points at them by id stays attached:
notifications whose target is a skill claim, permissions granted on skills, the admin log.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("skill", "skillalias", "skillclaim", "endorsement")


def _relabel(apps, schema_editor, *, old: str, new: str) -> None:
    # A content type already under the new label (made by a post_migrate run in between)
    # is left alone: two rows cannot share a label, and the old one holds the references.
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=new, model=model).exists():
            rows.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_skills(apps, schema_editor):
    _relabel(apps, schema_editor, old="people", new="skills")


def content_types_to_people(apps, schema_editor):
    _relabel(apps, schema_editor, old="skills", new="people")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("people", "0003_skill_taxonomy"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name="Skill",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(max_length=80, verbose_name="label")),
                ("key", models.CharField(editable=False, max_length=80, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("proposed", "proposed"), ("accepted", "accepted")],
                        default="accepted",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "proposed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "related",
                    models.ManyToManyField(
                        blank=True, to="skills.skill", verbose_name="related skills"
                    ),
                ),
            ],
            options={
                "verbose_name": "skill",
                "verbose_name_plural": "skills",
                "ordering": ["key"],
                "db_table": "people_skill",
            },
        ),
        migrations.CreateModel(
            name="SkillAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("label", models.CharField(max_length=80, verbose_name="label")),
                ("key", models.CharField(max_length=80, unique=True)),
                (
                    "skill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="skills.skill",
                    ),
                ),
            ],
            options={
                "verbose_name": "skill synonym",
                "verbose_name_plural": "skill synonyms",
                "ordering": ["key"],
                "db_table": "people_skillalias",
            },
        ),
        migrations.CreateModel(
            name="SkillClaim",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "level",
                    models.PositiveSmallIntegerField(
                        choices=[(1, "notions"), (2, "practice"), (3, "expert")],
                        default=2,
                        verbose_name="level",
                    ),
                ),
                (
                    "accepts_requests",
                    models.BooleanField(default=False, verbose_name="happy to be asked about this"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "agent",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="skill_claims",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "skill",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="claims",
                        to="skills.skill",
                    ),
                ),
            ],
            options={
                "verbose_name": "skill claim",
                "verbose_name_plural": "skill claims",
                "db_table": "people_skillclaim",
                "indexes": [
                    models.Index(fields=["skill", "agent"], name="people_skil_skill_i_2acba1_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agent", "skill"), name="people_one_claim_per_skill"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Endorsement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "claim",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="endorsements",
                        to="skills.skillclaim",
                    ),
                ),
                (
                    "endorser",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="endorsements_given",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "endorsement",
                "verbose_name_plural": "endorsements",
                "db_table": "people_endorsement",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("claim", "endorser"), name="people_endorse_once"
                    )
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(content_types_to_skills, content_types_to_people),
    ]

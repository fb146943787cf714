"""The skill tables take their app's name: people_skill becomes skills_skill, and so on
(with the related-skills link table). Renames only: PostgreSQL and SQLite rename in place,
rows, ids and the foreign keys pointing at these tables stay. The two unique constraints
keep their names (see models.py); the claims index takes its new default name."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="skill", table=None),
        migrations.AlterModelTable(name="skillalias", table=None),
        migrations.AlterModelTable(name="skillclaim", table=None),
        migrations.AlterModelTable(name="endorsement", table=None),
        migrations.RenameIndex(
            model_name="skillclaim",
            new_name="skills_skil_skill_i_b41a1d_idx",
            old_name="people_skil_skill_i_2acba1_idx",
        ),
    ]

"""The skill models leave the people app's state for the skills app (skills 0001), which
keeps their tables and rows: nothing is dropped here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_skill_taxonomy"),
        ("skills", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Endorsement"),
                migrations.DeleteModel(name="SkillClaim"),
                migrations.DeleteModel(name="SkillAlias"),
                migrations.DeleteModel(name="Skill"),
            ]
        )
    ]

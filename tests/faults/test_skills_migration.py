"""The skills move is all or nothing: when renaming the tables fails half-way (a table of
the new name is in the way), no table is left renamed and no row is lost, and migrating
again once the obstacle is gone completes the move."""

import pytest
from django.db import DatabaseError, connection

from tests.skills.test_migrations import (
    BEFORE,
    NEW_TABLES,
    OLD_TABLES,
    fill,
    latest,
    migrate,
    tables,
)

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def old_world():
    """The database as it stood before the move; the latest schema again afterwards."""
    yield migrate(BEFORE)
    migrate(latest())


def test_a_failed_rename_leaves_the_old_tables_and_can_be_run_again(old_world):
    ids = fill(old_world)
    with connection.cursor() as cursor:  # the last table of 0002 cannot take its new name
        cursor.execute("CREATE TABLE skills_endorsement (id integer)")
    try:
        with pytest.raises(DatabaseError):
            migrate(latest())
        assert tables() >= OLD_TABLES and not (NEW_TABLES - {"skills_endorsement"}) & tables()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT skill_id, level FROM people_skillclaim WHERE id = %s", [ids["claim"]]
            )
            assert cursor.fetchone() == (ids["rgpd"], 3)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE skills_endorsement")

    migrate(latest())
    from intranet.skills.models import SkillClaim

    assert tables() >= NEW_TABLES and not OLD_TABLES & tables()
    assert SkillClaim.objects.get(pk=ids["claim"]).endorsements.count() == 1

"""intranet.core.prepared: hot statements planned once per connection on PostgreSQL, still
logged and still raising Django's exceptions; Django's usual cursor elsewhere."""

import pytest
from django.db import IntegrityError, connection, transaction

from intranet.accounts.models import User
from intranet.core.prepared import prepared_cursor

pytestmark = pytest.mark.django_db


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_results_are_those_of_the_statement(django_assert_num_queries):
    with django_assert_num_queries(3) as captured:  # logged like any query
        for n in range(3):
            with prepared_cursor() as cursor:
                cursor.execute("SELECT %s + 1, %s", [n, "texte"])
                assert cursor.fetchone() == (n + 1, "texte")
    assert all("+ 1" in q["sql"] for q in captured.captured_queries)


def test_statement_is_prepared_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter (SQLite plans are cheap)")
    sql = "SELECT count(*) FROM accounts_user WHERE id > %s"
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [n])
    assert prepared_statements().count("SELECT count(*) FROM accounts_user WHERE id > $1") == 1


def test_django_cursors_are_not_prepared_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter")
    with prepared_cursor() as cursor:
        cursor.execute("SELECT 1 + %s", [1])
    for _ in range(10):
        list(User.objects.filter(username="personne"))
    assert not [s for s in prepared_statements() if "accounts_user" in s]


def test_errors_are_djangos(alice):
    table = connection.ops.quote_name(User._meta.db_table)
    with pytest.raises(IntegrityError), transaction.atomic(), prepared_cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (id, username, password, is_superuser, first_name, "  # noqa: S608
            "last_name, email, is_staff, is_active, date_joined) "
            "SELECT id, username, password, is_superuser, first_name, last_name, email, "
            f"is_staff, is_active, date_joined FROM {table} WHERE id = %s",
            [alice.pk],
        )

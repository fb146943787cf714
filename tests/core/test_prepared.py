"""intranet.core.prepared: hot statements planned once per connection on PostgreSQL, still
logged and still raising Django's exceptions; Django's usual cursor elsewhere."""

import pytest
from django.core.exceptions import ImproperlyConfigured
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


@pytest.mark.django_db(transaction=True)
def test_a_statement_prepared_before_a_schema_change_is_prepared_again():
    """A migration run while daphne serves: the prepared plan's result type changed
    ("cached plan must not change result type"); the statement runs again, prepared
    anew, instead of failing on this connection until it closes."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE transverse_prepared_probe (a integer)")
        cursor.execute("INSERT INTO transverse_prepared_probe VALUES (1)")
    try:
        sql = "SELECT * FROM transverse_prepared_probe WHERE a = %s"
        with prepared_cursor() as cursor:
            cursor.execute(sql, [1])
            assert cursor.fetchone() == (1,)
        # From another connection, as `migrate` would (psycopg forgets its prepared
        # statements when it sees an ALTER on its own connection).
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("prepare_threshold", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("ALTER TABLE transverse_prepared_probe ADD COLUMN b integer")
        with prepared_cursor() as cursor:
            cursor.execute(sql, [1])
            assert cursor.fetchone() == (1, None)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE transverse_prepared_probe")


def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(settings):
    """TRANSVERSE_DB_PREPARED_STATEMENTS=false (PgBouncer in transaction mode before 1.21):
    the same statements, results and errors, and nothing prepared on the server."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL matter")
    settings.TRANSVERSE_DB_PREPARED_STATEMENTS = False
    sql = "SELECT count(*) FROM accounts_user WHERE id > %s AND is_staff"
    for n in range(3):
        with prepared_cursor() as cursor:
            cursor.execute(sql, [n])
            assert cursor.fetchone() == (0,)
    assert not [s for s in prepared_statements() if "id > $1 AND is_staff" in s]


def test_the_switch_is_read_from_the_environment(monkeypatch):
    from intranet.core.database import prepared_statements_enabled

    monkeypatch.delenv("TRANSVERSE_DB_PREPARED_STATEMENTS", raising=False)
    assert prepared_statements_enabled() is True
    monkeypatch.setenv("TRANSVERSE_DB_PREPARED_STATEMENTS", "false")
    assert prepared_statements_enabled() is False
    monkeypatch.setenv("TRANSVERSE_DB_PREPARED_STATEMENTS", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_DB_PREPARED_STATEMENTS"):
        prepared_statements_enabled()

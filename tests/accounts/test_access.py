"""An agent found by login (a profile, a photo, the person picker, sign-in): whatever the
case, through the unique index on lower(username), not by reading every agent."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from intranet.accounts.access import access_agent
from intranet.accounts.fields import agent_lookup

INDEX = "accounts_user_username_ci_unique"


def plan(sql: str) -> str:
    """The database's plan of sql, with sequential scans discouraged (a small test table
    would be scanned anyway): the index shows only where the filter can use it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join(str(row) for row in cursor.fetchall())


def login_queries(find) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        find()
    return [q["sql"] for q in captured.captured_queries if "accounts_user" in q["sql"]]


def test_agents_are_found_by_login_whatever_its_case(alice, bob):
    assert access_agent(bob, "ALICE") == alice
    assert agent_lookup(bob, "Alice") == alice
    assert get_user_model().objects.get_by_natural_key("aLiCe") == alice
    with pytest.raises(Http404):
        access_agent(bob, "alic")


@pytest.mark.parametrize(
    "find",
    [
        lambda bob: access_agent(bob, "ALICE"),
        lambda bob: agent_lookup(bob, "Alice"),
        lambda bob: get_user_model().objects.get_by_natural_key("ALICE"),
    ],
    ids=["profile", "picker", "sign-in"],
)
def test_login_lookups_use_the_unique_index(alice, bob, find):
    (sql,) = login_queries(lambda: find(bob))
    assert INDEX in plan(sql)

"""A full rebuild gives the index the indexer's batches give: same rows, same permissions.

The PostgreSQL engine rebuilds by chunks (COPY into a staging table, one INSERT ... SELECT
computing the vectors, the key and indexes built after the load); the indexer writes row
by row. Both must leave the same rows, vectors included, and the same answers to everyone.
"""

import pytest
from django.db import connection

from intranet.search.engines import get_engine, postgres_engine
from intranet.search.indexer import all_documents, rebuild
from intranet.search.selectors import search

ROWS = (
    "SELECT key, kind, object_id, acl, vector::text, author_id, group_id, department_id, "
    "created_at, digest, period::text FROM search_document ORDER BY key"
)
QUERIES = ["commun", "zqxsecretpost", "zqxclosedcomment", "zqxdepartmentpost", "compte rendu"]


def _rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(ROWS)
        return cursor.fetchall()


def _words() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM search_word")
        return {row[0] for row in cursor.fetchall()}


def _answers(people) -> dict:
    return {
        (name, q): (outcome.total, sorted((h.kind, h.obj.pk) for h in outcome.hits))
        for name, person in people.items()
        for q in QUERIES
        for outcome in [search(person, q)]
    }


@pytest.fixture
def postgres_world(world, engine):
    if engine != "postgres":
        pytest.skip("the chunked rebuild is the PostgreSQL engine's")
    return world


def test_chunked_rebuild_writes_the_rows_the_indexer_writes(postgres_world, monkeypatch):
    """Chunks of 2 documents: many COPY and INSERT rounds, the same table as the indexer's
    row-by-row writes of every document (what the rebuild did before it was chunked)."""
    people = postgres_world["people"]
    engine = get_engine()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_document, search_word")
    engine.apply(list(all_documents()), [])
    indexed, words, answers = _rows(), _words(), _answers(people)
    assert len(indexed) > 10 and any("zqxsecretpost" in row[4] for row in indexed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE search_document, search_word")
    monkeypatch.setattr(postgres_engine, "REBUILD_CHUNK", 2)
    calls = []
    assert rebuild(progress=calls.append) == len(indexed)
    assert len(calls) == len(indexed)  # the progress bar moves document by document
    assert _rows() == indexed
    assert _words() == words
    assert _answers(people) == answers


def test_rebuilt_table_has_its_key_and_indexes_and_no_staging_table_is_left(postgres_world):
    rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'search_document' ORDER BY 1"
        )
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT to_regclass(%s)", [postgres_engine.STAGE])
        stage = cursor.fetchone()[0]
    assert any("UNIQUE" in d and "(key)" in d for d in definitions)
    assert any("gin (vector, period)" in d for d in definitions)
    assert any("(created_at DESC NULLS LAST)" in d for d in definitions)
    assert stage is None


def test_outsider_finds_no_secret_group_content_after_a_rebuild(postgres_world):
    people = postgres_world["people"]
    rebuild()
    assert search(people["outsider"], "zqxsecretpost").total == 0
    assert search(people["former"], "zqxsecretcomment").total == 0
    assert search(people["member"], "zqxsecretpost").total == 1

"""The multi-node engine: PostgreSQL full-text search in the shared database.

Documents live in the search_document table (created by migration 0002 on PostgreSQL
only): a tsvector in the transverse_french configuration (french stemming after unaccent)
with a GIN index, and the access tokens in a GIN-indexed array. Applying a batch and
marking its queue entries done happen in one transaction. The one-writer rule uses a
PostgreSQL advisory lock, which holds across nodes.
"""

import json
import logging
import re
import time
import uuid
from contextlib import contextmanager

from django.db import connection, transaction

from intranet.core.text import fold
from intranet.search.analysis import STOP_WORDS, analyze, words
from intranet.search.engines import (
    FACETS,
    PERIODS,
    EngineQuery,
    EngineResult,
    SearchEngine,
    SearchUnavailable,
)
from intranet.search.registry import Document

logger = logging.getLogger(__name__)
CONFIG = "transverse_french"
LOCK_KEY = 72153301
TABLE = "search_document"
COLUMNS = (
    "key, kind, object_id, acl, vector, author_id, group_id, department_id, created_at, digest"
)
VALUES = (
    f"(%s, %s, %s, %s, setweight(to_tsvector('{CONFIG}', %s), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', %s), 'B'), %s, %s, %s, %s, %s)"
)
UPSERT = (
    f"INSERT INTO {{table}} ({COLUMNS}) VALUES {VALUES} ON CONFLICT (key) DO UPDATE SET "  # noqa: S608
    "kind = EXCLUDED.kind, object_id = EXCLUDED.object_id, acl = EXCLUDED.acl, "
    "vector = EXCLUDED.vector, author_id = EXCLUDED.author_id, group_id = EXCLUDED.group_id, "
    "department_id = EXCLUDED.department_id, created_at = EXCLUDED.created_at, "
    "digest = EXCLUDED.digest"
)
MATCH_CAP = 1000  # matches ranked, counted and faceted (= the pages a person can reach)
FREQUENT_SHARE = 0.02  # words expected in this share of rows are read newest first
SAFE_WORD = re.compile(r"^\w+$", re.UNICODE)
FACET_COLUMNS = {"kind": "kind", "department": "department_id", "group": "group_id",
                 "author": "author_id"}  # fmt: skip


def _clean(text: str) -> str:
    return (text or "").replace("\x00", " ")


def _row(doc: Document) -> tuple:
    return (
        doc.key, doc.kind, doc.pk, list(doc.acl), _clean(doc.title), _clean(doc.body),
        doc.author_id, doc.group_id, doc.department_id, doc.created_at, doc.digest,
    )  # fmt: skip


def _spelling_words(documents) -> list[str]:
    seen = set()
    for doc in documents:
        for word in words(f"{doc.title} {doc.body}"):
            if 3 <= len(word) <= 40 and not word.isdigit() and word not in STOP_WORDS:
                seen.add(word)
    return sorted(seen)


class PostgresEngine(SearchEngine):
    name = "postgres"
    transactional = True  # apply() and marking entries done share one transaction

    @contextmanager
    def writer_lock(self, timeout: float):
        deadline = time.monotonic() + timeout
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                if cursor.fetchone()[0]:
                    break
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])

    def exists(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE])
            return bool(cursor.fetchone()[0])

    def _write(self, table: str, documents, removed_keys) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if removed_keys:
                cursor.execute(f"DELETE FROM {table} WHERE key = ANY(%s)", [list(removed_keys)])  # noqa: S608
            if documents:
                cursor.executemany(UPSERT.format(table=table), [_row(d) for d in documents])
                spelling = _spelling_words(documents)
                cursor.execute(
                    "INSERT INTO search_word (word) SELECT unnest(%s::varchar[]) "
                    "ON CONFLICT DO NOTHING",
                    [spelling],
                )

    def apply(self, documents: list[Document], removed_keys: list[str]) -> None:
        self._write(TABLE, documents, removed_keys)

    def rebuild(self, documents, *, catch_up) -> int:
        suffix = uuid.uuid4().hex[:8]
        new = f"search_document_{suffix}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            cursor.execute(f"ALTER TABLE {new} ADD PRIMARY KEY (key)")
        count, batch = 0, []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= 1000:
                self._write(new, batch, [])
                count += len(batch)
                batch = []
        self._write(new, batch, [])
        count += len(batch)
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE INDEX {new}_vector ON {new} USING gin (vector)")
            cursor.execute(f"CREATE INDEX {new}_acl ON {new} USING gin (acl)")
            cursor.execute(f"CREATE INDEX {new}_created ON {new} (created_at DESC NULLS LAST)")
            cursor.execute(f"ANALYZE {new}")
        with self.writer_lock(timeout=600) as locked:
            if not locked:
                raise RuntimeError("the indexer lock stayed taken: rebuild abandoned")
            with transaction.atomic(), connection.cursor() as cursor:
                catch_up(lambda docs, removed: self._write(new, docs, removed))
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cursor.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
        return count

    # --- reading ---
    @staticmethod
    def _tsquery(clauses) -> tuple[list[str], list, list[str], list]:
        positive, pos_params, negative, neg_params = [], [], [], []
        for clause in clauses:
            if clause.prefix:
                parts = [w for w in words(clause.text) if SAFE_WORD.match(w)]
                if not parts:
                    continue
                sql = f"to_tsquery('{CONFIG}', %s)"
                param = " <-> ".join([*parts[:-1], parts[-1] + ":*"])
            elif not analyze(clause.text):
                if not clause.negated:
                    positive.append("NULL")  # only stop words: nothing matches
                continue
            elif clause.phrase or len(analyze(clause.text)) > 1:
                sql, param = f"phraseto_tsquery('{CONFIG}', %s)", fold(clause.text)
            else:
                sql, param = f"plainto_tsquery('{CONFIG}', %s)", fold(clause.text)
            if clause.negated:
                negative.append(sql)
                neg_params.append(param)
            else:
                positive.append(sql)
                pos_params.append(param)
        return positive, pos_params, negative, neg_params

    def _where(self, query: EngineQuery) -> tuple[str, list, str, list] | None:
        positive, pos_params, negative, neg_params = self._tsquery(query.clauses)
        if "NULL" in positive:
            return None
        conditions, params = [], []
        rank_sql, rank_params = "0", []
        if positive:
            tsq = " && ".join(positive)
            conditions.append(f"vector @@ ({tsq})")
            params += pos_params
            rank_sql, rank_params = f"ts_rank(vector, {tsq})", list(pos_params)
        if negative:
            conditions.append(f"NOT (vector @@ ({' || '.join(negative)}))")
            params += neg_params
        if query.tokens is not None:
            # coalesce() (acl is never NULL) keeps the planner off the acl GIN index: an
            # agent's tokens open a third of the table, and ANDing that bitmap cost more
            # than checking the rows the words found (0.87 s of 0.91 s at 1,000,000 rows).
            if query.open_kinds:
                conditions.append("(coalesce(acl, '{}') && %s::varchar[] OR kind = ANY(%s))")
                params += [sorted(query.tokens), list(query.open_kinds)]
            else:
                conditions.append("coalesce(acl, '{}') && %s::varchar[]")
                params.append(sorted(query.tokens))
        for column, values in (
            ("kind", query.kinds),
            ("author_id", query.author_ids),
            ("group_id", query.group_ids),
            ("department_id", query.department_ids),
        ):
            if values:
                conditions.append(f"{column} = ANY(%s)")
                params.append(list(values))
        if query.since is not None:
            conditions.append("created_at >= %s")
            params.append(query.since)
        if query.exclude_keys:
            conditions.append("NOT (key = ANY(%s))")
            params.append(sorted(query.exclude_keys))
        return " AND ".join(conditions) or "TRUE", params, rank_sql, rank_params

    def search(self, query: EngineQuery) -> EngineResult:
        """One query: the most recent MATCH_CAP matches, then rank, page and count them.

        A frequent word matches a large share of the table; ranking and counting all of it
        costs hundreds of milliseconds at a million rows. Matches are therefore collected
        newest first (a backward scan of the date index stops after MATCH_CAP rows; rare
        words go through the GIN index) and ranked, counted and faceted among those. When
        there are at most MATCH_CAP matches, as for most queries, everything is exact;
        beyond, the total is a lower bound and relevance applies to the most recent ones.
        """
        where = self._where(query)
        if where is None:
            return EngineResult(hits=[], total=0)
        condition, params, rank_sql, rank_params = where
        # Newest first through the date index only when the words are frequent enough for
        # that scan to meet MATCH_CAP matches soon; otherwise the GIN index finds them all
        # and they are sorted (the planner, seeing LIMIT, would scan the date index anyway).
        date_key = (
            "created_at"
            if self._frequent(query, rank_sql, rank_params)
            else ("(created_at + interval '0 s')")
        )
        if query.sort == "date" or rank_sql == "0":
            order, order_params = "created_at DESC NULLS LAST, key", []
        else:
            order, order_params = f"{rank_sql} DESC, created_at DESC NULLS LAST", rank_params
        window = min(query.limit, max(0, MATCH_CAP - query.offset))
        matches = (
            f"WITH m AS MATERIALIZED (SELECT key, kind, object_id, vector, author_id, "  # noqa: S608
            f"group_id, department_id, created_at FROM {TABLE} WHERE {condition} "
            f"ORDER BY {date_key} DESC NULLS LAST LIMIT {MATCH_CAP + 1}) "
        )
        # One statement, so the matches are collected once: the page (part 0, numbered),
        # the count (part 2) and, when asked, the facet groups (part 1).
        sql = (
            f"{matches}, page AS (SELECT kind, object_id, "  # noqa: S608
            f"row_number() OVER (ORDER BY {order}) AS n FROM m ORDER BY n LIMIT %s OFFSET %s) "
            "SELECT 0, kind, object_id, NULL::bigint, NULL::bigint, NULL::int, n, "
            "NULL::bigint, NULL::bigint, NULL::bigint FROM page UNION ALL "
            "SELECT 2, NULL, NULL, NULL, NULL, NULL, count(*), NULL, NULL, NULL FROM m"
        )
        sql_params = [*params, *order_params, window, query.offset]
        if query.facets:
            facet_sql, facet_params = self._facet_sql(query)
            sql += f" UNION ALL {facet_sql}"
            sql_params += facet_params
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, sql_params)
                rows = cursor.fetchall()
        except Exception as exc:
            logger.exception("PostgreSQL search failed")
            raise SearchUnavailable(str(exc)) from exc
        page = sorted((row[6], row[1], int(row[2])) for row in rows if row[0] == 0)
        hits = [(kind, pk) for _n, kind, pk in page]
        total = next(row[6] for row in rows if row[0] == 2)
        facets = (
            self._facet_counts([row[1:] for row in rows if row[0] == 1]) if query.facets else {}
        )
        capped = total > MATCH_CAP
        if capped:
            total = MATCH_CAP
        return EngineResult(hits=hits, total=total, facets=facets, total_is_lower_bound=capped)

    @staticmethod
    def _frequent(query: EngineQuery, rank_sql: str, rank_params: list) -> bool:
        """Whether the planner expects the words to match FREQUENT_SHARE of the table."""
        if rank_sql == "0":
            return True  # filters only: newest first is the order anyway
        tsquery = rank_sql.removeprefix("ts_rank(vector, ").removesuffix(")")
        text = f"vector @@ ({tsquery})"
        with connection.cursor() as cursor:
            sql = f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE {text}"  # noqa: S608
            cursor.execute(sql, rank_params)
            plan = cursor.fetchone()[0]
            if isinstance(plan, str):
                plan = json.loads(plan)
            expected = plan[0]["Plan"]["Plan Rows"]
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [TABLE])
            row = cursor.fetchone()
        rows = max(row[0] if row else 0, 1)
        return expected >= FREQUENT_SHARE * rows and expected > MATCH_CAP * 10

    @staticmethod
    def _facet_sql(query) -> tuple[str, list]:
        """Part 1 rows: kind, department, group, author, grouping bits, count, periods."""
        from datetime import timedelta

        from django.utils import timezone

        now = query.now or timezone.now()
        period_sql = ", ".join("count(*) FILTER (WHERE created_at >= %s)" for _ in PERIODS)
        period_params = [now - timedelta(days=days) for days in PERIODS.values()]
        columns = ", ".join(FACET_COLUMNS.values())
        sets = ", ".join(f"({c})" for c in FACET_COLUMNS.values())
        sql = (
            f"SELECT 1, {columns}, GROUPING({columns}), count(*), {period_sql} "  # noqa: S608
            f"FROM (SELECT * FROM m LIMIT {MATCH_CAP}) capped "
            f"GROUP BY GROUPING SETS ({sets}, ())"
        )
        return sql, period_params

    @staticmethod
    def _facet_counts(rows) -> dict[str, dict[str, int]]:
        facets = {name: {} for name in (*FACETS, "period")}
        width = len(FACET_COLUMNS)
        for row in rows:
            values, grouping, count = row[:width], row[width], row[width + 1]
            if grouping == (1 << width) - 1:  # the () set: totals
                for name, n in zip(PERIODS, row[width + 2 :], strict=True):
                    if n:
                        facets["period"][name] = n
                continue
            for name, value, bit in zip(FACETS, values, range(width - 1, -1, -1), strict=True):
                if not grouping & (1 << bit) and value is not None:
                    facets[name][str(value)] = count
        return facets

    def similar_words(self, word: str, limit: int = 3) -> list[str]:
        word = fold(word)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM search_word WHERE word %% %s AND word <> %s "
                "ORDER BY similarity(word, %s) DESC, word LIMIT %s",
                [word, word, word, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def digests(self) -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key, digest FROM {TABLE}")  # noqa: S608
            return dict(cursor.fetchall())

    def size_bytes(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [TABLE])
            return int(cursor.fetchone()[0] or 0)

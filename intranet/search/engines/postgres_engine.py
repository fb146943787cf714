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
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

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
    "key, kind, object_id, acl, vector, author_id, group_id, department_id, created_at, "
    "digest, period"
)
VALUES = (
    f"(%s, %s, %s, %s, setweight(to_tsvector('{CONFIG}', %s), 'A') || "
    f"setweight(to_tsvector('{CONFIG}', %s), 'B'), %s, %s, %s, %s, %s, "
    "array_to_tsvector(%s::text[]))"
)
UPSERT = (
    f"INSERT INTO {{table}} ({COLUMNS}) VALUES {VALUES} ON CONFLICT (key) DO UPDATE SET "  # noqa: S608
    "kind = EXCLUDED.kind, object_id = EXCLUDED.object_id, acl = EXCLUDED.acl, "
    "vector = EXCLUDED.vector, author_id = EXCLUDED.author_id, group_id = EXCLUDED.group_id, "
    "department_id = EXCLUDED.department_id, created_at = EXCLUDED.created_at, "
    "digest = EXCLUDED.digest, period = EXCLUDED.period"
)
# A rebuild's staging table (temporary: this session's), in _row()'s order.
STAGE = "search_document_stage"
STAGE_COLUMNS = (
    "key varchar(80), kind varchar(40), object_id bigint, acl varchar(40)[], title text, "
    "body text, author_id bigint, group_id bigint, department_id bigint, "
    "created_at timestamptz, digest varchar(32), period text[]"
)
REBUILD_CHUNK = 5000  # documents a rebuild copies and inserts at once
MATCH_CAP = 1000  # matches ranked, counted and faceted (= the pages a person can reach)
FREQUENT_SHARE = 0.02  # words expected in this share of rows are read newest first
WEEK = 7 * 24 * 3600
ACL_PROBES = 2  # access tokens per document checked by hash look-ups (longer lists: overlap)
WINDOW_CANDIDATES = 5000  # rows holding the words read in a recent window (see search())
WINDOW_MAX_WEEKS = 520  # a longer window is no window: everything is searched
SAFE_WORD = re.compile(r"^\w+$", re.UNICODE)
FACET_COLUMNS = {
    "kind": "kind",
    "department": "department_id",
    "group": "group_id",
    "author": "author_id",
}


def _clean(text: str) -> str:
    return (text or "").replace("\x00", " ")


def _week(moment) -> int:
    return int(moment.timestamp() // WEEK)


def _week_lexeme(week: int) -> str:
    """The creation week as a lexeme (migration 0004): its space keeps typed words off it."""
    return f"~w {week}"


def _row(doc: Document) -> tuple:
    period = [_week_lexeme(_week(doc.created_at))] if doc.created_at else []
    return (
        doc.key,
        doc.kind,
        doc.pk,
        list(doc.acl),
        _clean(doc.title),
        _clean(doc.body),
        doc.author_id,
        doc.group_id,
        doc.department_id,
        doc.created_at,
        doc.digest,
        period,
    )


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
        """The documents into a new table by chunks (COPY into a staging table, then one
        set-based INSERT computing the vectors), its key and indexes built after the load,
        caught up under the writer lock and swapped in.

        Per-row INSERTs cost a round trip and a primary-key insertion per document: at a
        million posts the rebuild ran for hours. The rows are those apply() writes (the
        same expressions, in SQL rather than per-row parameters).
        """
        new = f"search_document_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({STAGE_COLUMNS})")
        count, batch, seen_words = 0, [], set()
        try:
            for doc in documents:
                batch.append(doc)
                if len(batch) >= REBUILD_CHUNK:
                    count += self._load(new, batch, seen_words)
                    batch = []
            count += self._load(new, batch, seen_words)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        with transaction.atomic(), connection.cursor() as cursor:
            # A sort of the whole table is faster than an insertion per row, and the GIN
            # index builds in far fewer passes with more memory (this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(f"ALTER TABLE {new} ADD PRIMARY KEY (key)")
            cursor.execute(f"CREATE INDEX {new}_vector_period ON {new} USING gin (vector, period)")
            cursor.execute(f"CREATE INDEX {new}_created ON {new} (created_at DESC NULLS LAST)")
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {new}")
        with self.writer_lock(timeout=600) as locked:
            if not locked:
                raise RuntimeError("the indexer lock stayed taken: rebuild abandoned")
            with transaction.atomic(), connection.cursor() as cursor:
                catch_up(lambda docs, removed: self._write(new, docs, removed))
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cursor.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
        return count

    @staticmethod
    def _load(table: str, documents: list[Document], seen_words: set[str]) -> int:
        """One chunk of a rebuild: COPY, one INSERT ... SELECT, the new spelling words."""
        if not documents:
            return 0
        spelling = [w for w in _spelling_words(documents) if w not in seen_words]
        seen_words.update(spelling)
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's has no copy()
            with raw.copy(f"COPY {STAGE} FROM STDIN") as copy:
                for doc in documents:
                    copy.write_row(_row(doc))
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}) SELECT key, kind, object_id, acl, "  # noqa: S608
                f"setweight(to_tsvector('{CONFIG}', title), 'A') || "
                f"setweight(to_tsvector('{CONFIG}', body), 'B'), author_id, group_id, "
                f"department_id, created_at, digest, array_to_tsvector(period) FROM {STAGE}"
            )
            cursor.execute(f"TRUNCATE {STAGE}")
            if spelling:
                cursor.execute(
                    "INSERT INTO search_word (word) SELECT unnest(%s::varchar[]) "
                    "ON CONFLICT DO NOTHING",
                    [spelling],
                )
        return len(documents)

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

    @staticmethod
    def _acl(tokens: list[str]) -> tuple[str, list]:
        """acl && tokens, written so that each row costs a hash look-up per token it holds.

        `acl && tokens` compares every pair, and an agent holds a couple of hundred tokens
        (open groups, own groups): 2.5 µs a row, 40 of the 60 ms of a word matching 15,000
        rows at 1,000,000. `acl[i] = ANY(constant list)` is hashed by PostgreSQL (14+).
        Documents hold one or two tokens; longer lists are checked by the overlap operator.
        Neither form lets the planner AND the acl GIN index, which opens a third of the
        table to an agent and cost more than checking the rows the words found.
        """
        probes = " OR ".join(f"acl[{i}] = ANY(%s::varchar[])" for i in range(1, ACL_PROBES + 1))
        sql = f"({probes} OR (cardinality(acl) > {ACL_PROBES} AND acl && %s::varchar[]))"
        return sql, [tokens] * (ACL_PROBES + 1)

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
            acl_sql, acl_params = self._acl(sorted(query.tokens))
            if query.open_kinds:
                conditions.append(f"({acl_sql} OR kind = ANY(%s))")
                params += [*acl_params, list(query.open_kinds)]
            else:
                conditions.append(acl_sql)
                params += acl_params
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
        newest first and ranked, counted and faceted among those. When there are at most
        MATCH_CAP matches, as for most queries, everything is exact; beyond, the total is
        a lower bound and relevance applies to the most recent ones (recency is the
        tie-break for very common words).

        Every match must be read from the table (its access tokens and date are there,
        a few µs each), so how matches are collected depends on how many rows the
        planner expects to hold the words (from the column statistics):
        - up to 2 * WINDOW_CANDIDATES: the GIN index finds them all, and they are sorted;
        - more: the GIN index finds those created in the most recent weeks, chosen so that
          about WINDOW_CANDIDATES rows hold the words (`period`, migration 0004). When
          that window holds MATCH_CAP visible matches or fewer, the query runs again on
          the whole table (a backward scan of the date index for very common words), so
          the answer is the same as without the window.
        A phrase is checked on the positions of its words, row by row, and the planner
        only knows how many rows hold all its words, not the phrase: beyond 2 *
        WINDOW_CANDIDATES such rows, a rare phrase of common words would mean reading
        them all. The phrase is then looked for within the window only, and the result
        says from which date (`searched_since`).
        """
        where = self._where(query)
        if where is None:
            return EngineResult(hits=[], total=0)
        condition, params, rank_sql, rank_params = where
        expected, rows = self._expected(rank_sql, rank_params)
        positional = self._positional(query.clauses)
        if expected > 2 * WINDOW_CANDIDATES:
            window = self._window(WINDOW_CANDIDATES / expected, query.since)
            if window:
                since, weeks = window
                condition_in_window = f"{condition} AND period @@ %s::tsquery"
                result = self._collect(
                    query, condition_in_window, [*params, weeks], False, rank_sql, rank_params
                )
                if positional:
                    result.searched_since = since
                    return result
                if result.total_is_lower_bound:
                    return result  # the MATCH_CAP newest matches are all in the window
        # The date index only when the words are frequent enough for that scan to meet
        # MATCH_CAP matches soon, never for a phrase (a rare phrase of common words would
        # read the whole table).
        frequent = rank_sql == "0" or (
            not positional and expected >= FREQUENT_SHARE * rows and expected > MATCH_CAP * 10
        )
        return self._collect(query, condition, params, frequent, rank_sql, rank_params)

    def _collect(self, query, condition, params, frequent, rank_sql, rank_params):
        """The page, the count and the facets of the MATCH_CAP newest matches: one statement."""
        date_key = "created_at" if frequent else "(created_at + interval '0 s')"
        if query.sort == "date" or rank_sql == "0":
            order, order_params = "created_at DESC NULLS LAST, key", []
        else:
            order, order_params = f"{rank_sql} DESC, created_at DESC NULLS LAST", rank_params
        window = min(query.limit, max(0, MATCH_CAP - query.offset))
        # The matches are collected once: the page (part 0, numbered), the count (part 2)
        # and, when asked, the facet groups (part 1).
        sql = (
            f"WITH m AS MATERIALIZED (SELECT key, kind, object_id, vector, author_id, "  # noqa: S608
            f"group_id, department_id, created_at FROM {TABLE} WHERE {condition} "
            f"ORDER BY {date_key} DESC NULLS LAST LIMIT {MATCH_CAP + 1}), "
            f"page AS (SELECT kind, object_id, "
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
        total = next(row[6] for row in rows if row[0] == 2)
        facets = (
            self._facet_counts([row[1:] for row in rows if row[0] == 1]) if query.facets else {}
        )
        return EngineResult(
            hits=[(kind, pk) for _n, kind, pk in page],
            total=min(total, MATCH_CAP),
            facets=facets,
            total_is_lower_bound=total > MATCH_CAP,
        )

    @staticmethod
    def _positional(clauses) -> bool:
        """Whether a positive clause is a phrase (words in order, checked on positions)."""
        for clause in clauses:
            if clause.negated:
                continue
            if clause.prefix:
                if len([w for w in words(clause.text) if SAFE_WORD.match(w)]) > 1:
                    return True
            elif clause.phrase or len(analyze(clause.text)) > 1:
                return True
        return False

    @staticmethod
    def _expected(rank_sql: str, rank_params: list) -> tuple[float, float]:
        """The planner's count of rows with the words (all of a phrase's), and of all rows."""
        if rank_sql == "0":
            return 0, 0
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
        return expected, max(row[0] if row else 0, 1)

    @staticmethod
    def _window(share: float, asked_since) -> tuple[datetime, str] | None:
        """The most recent weeks holding about `share` of the documents (from ANALYZE).

        Returns the first day of the window and the tsquery of its weeks, or None: when the
        statistics are missing (a table just built and not analysed yet), when the window
        would be too long, or when the period asked for is narrower already.
        """
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (bounds)[greatest(1, ceil(cardinality(bounds) * (1 - %s)))::int], "
                "bounds[cardinality(bounds)] "
                "FROM (SELECT histogram_bounds::text::timestamptz[] AS bounds FROM pg_stats "
                "WHERE tablename = %s AND attname = 'created_at' "
                "AND schemaname = current_schema()) stats",
                [share, TABLE],
            )
            row = cursor.fetchone()
        if not row or row[0] is None:
            return None
        first = _week(row[0])
        since = datetime.fromtimestamp(first * WEEK, tz=UTC)
        last = _week(max(row[1], timezone.now())) + 1
        if last - first > WINDOW_MAX_WEEKS or (asked_since and asked_since >= since):
            return None
        weeks = " | ".join(f"'{_week_lexeme(week)}'" for week in range(first, last + 1))
        return since, weeks

    @staticmethod
    def _facet_sql(query) -> tuple[str, list]:
        """Part 1 rows: kind, department, group, author, grouping bits, count, periods."""
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

"""The feeds' SQL, written by hand once per process from the models' metadata.

A feed page (home, a group, a profile, a #topic) is read in two statements: its posts
(chosen by the feed's condition and the access model's rule, then read with their
author, group, shared original and counts), and their #topics and reactions. Built with
the ORM, the first alone cost about 12 ms of Python a page to compile (five joins, two
counts, the access rule): more than PostgreSQL spends running it (issue 21). Here the
text is written once; each value is a parameter. A list is one PostgreSQL array (one
statement text whatever its length, so the statement is prepared once per connection:
intranet.core.prepared) or an expanded IN on SQLite. Who may see what is not decided
here: the condition comes from stream.access.visible_posts_sql.
"""

import functools

from django.db import connection

from intranet.accounts.models import User
from intranet.core.prepared import prepared_cursor
from intranet.groups.models import Group
from intranet.stream.models import Acknowledgement, Comment, Post, Reaction
from intranet.topics.models import Topic

# The columns a page of posts shows (the post partial, decorate_posts, can_see_post on a
# shared original): loading only these halves the time spent building the rows.
POST_FIELDS = frozenset({"id", "author_id", "visibility", "group_id", "department_id",
    "body_html", "image", "image_alt", "image_decorative", "shared_from_id",
    "is_announcement", "requires_ack", "created_at", "edited_at", "pinned_at",
    "deleted_at", "hidden_at"})  # fmt: skip
AUTHOR_FIELDS = frozenset({"id", "username", "first_name", "last_name", "is_active", "photo"})
GROUP_FIELDS = frozenset({"id", "name", "slug", "policy", "kind", "archived_at"})
# The largest id: the cursor of a first page (the statement's text stays the same).
NO_CURSOR = 2**63 - 1


def sql_in(column: str, values) -> tuple[str, list]:
    """`column` is one of values: (condition, params)."""
    values = list(values)
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [values]
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@functools.cache
def _part(model, names: frozenset) -> list:
    """The fields of model among names, in the model's order (what from_db expects)."""
    return [f for f in model._meta.concrete_fields if f.attname in names]


@functools.cache
def _parts() -> list[tuple]:
    """A page's row: (model, fields, their names, the alias they are read under), in
    SELECT order: the post, its author and group, its shared original with its own."""
    parts = []
    for model, names, alias in (
        (Post, POST_FIELDS, "p"),
        (User, AUTHOR_FIELDS, "a"),
        (Group, GROUP_FIELDS, "g"),
        (Post, POST_FIELDS, "s"),
        (User, AUTHOR_FIELDS, "sa"),
        (Group, GROUP_FIELDS, "sg"),
    ):
        fields = _part(model, names)
        parts.append((model, fields, frozenset(f.attname for f in fields), alias))
    return parts


@functools.cache
def _posts_select(vendor: str) -> str:
    """The page's rows and counts, for the posts whose ids `{ids}` selects."""
    columns = [f"{alias}.{f.column}" for _model, fields, _names, alias in _parts() for f in fields]
    post, user, group = _table(Post), _table(User), _table(Group)
    return (
        f"SELECT {', '.join(columns)}, "  # noqa: S608 - names from the models, values are params
        f"(SELECT COUNT(*) FROM {_table(Comment)} c WHERE c.post_id = p.id "
        "AND c.deleted_at IS NULL AND c.hidden_at IS NULL), "
        f"(SELECT COUNT(*) FROM {_table(Acknowledgement)} k WHERE k.post_id = p.id) "
        f"FROM {post} p JOIN {user} a ON a.id = p.author_id "
        f"LEFT JOIN {group} g ON g.id = p.group_id "
        f"LEFT JOIN {post} s ON s.id = p.shared_from_id "
        f"LEFT JOIN {user} sa ON sa.id = s.author_id "
        f"LEFT JOIN {group} sg ON sg.id = s.group_id "
        "WHERE p.id IN ({ids}) ORDER BY {order}"
    )


def posts_where(where: str, params: list, *, cursor=None, limit: int, pinned=False):
    """The posts of stream_post AS q matching `where` (a condition on q): the newest
    `limit` before the cursor id, or the `limit` last pinned; with author, group, shared
    original (.shared_from, with its author and group) and .comment_count, .ack_count."""
    post = _table(Post)
    if pinned:
        ids = (f"SELECT q.id FROM {post} q WHERE {where} AND q.pinned_at IS NOT NULL "  # noqa: S608
               "ORDER BY q.pinned_at DESC LIMIT %s")  # fmt: skip
        order, params = "p.pinned_at DESC", [*params, limit]
    else:
        ids = f"SELECT q.id FROM {post} q WHERE {where} AND q.id < %s ORDER BY q.id DESC LIMIT %s"  # noqa: S608
        # A cursor past every id (a made-up one) is a first page.
        order, params = "p.id DESC", [*params, min(cursor or NO_CURSOR, NO_CURSOR), limit]
    return _read(_posts_select(connection.vendor).format(ids=ids, order=order), params)


def posts_in(ids_sql: str, params, *, order: str = "p.id DESC") -> list[Post]:
    """The posts whose ids the SELECT ids_sql returns (a compiled queryset), read as
    posts_where reads them."""
    sql = _posts_select(connection.vendor).format(ids=ids_sql, order=order)
    # Not prepared: a compiled queryset's text changes with its lists' lengths.
    return _read(sql, list(params), prepared=False)


def _read(sql: str, params: list, *, prepared: bool = True) -> list[Post]:
    with prepared_cursor() if prepared else connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _posts_from_rows(rows)


@functools.cache
def _converters(vendor: str) -> list:
    """(index, converters, column) of each column of _parts() that the database returns
    in another form than the field's Python value (SQLite's dates and booleans; none on
    PostgreSQL). Kept per process: what they do depends on the settings only."""
    found, index = [], 0
    for _model, fields, _names, alias in _parts():
        for field in fields:
            column = field.get_col(alias)
            converters = [
                *connection.ops.get_db_converters(column),
                *column.get_db_converters(connection),
            ]
            if converters:
                found.append((index, converters, column))
            index += 1
    return found


def _posts_from_rows(rows) -> list[Post]:
    parts = _parts()
    converters = _converters(connection.vendor) if rows else ()
    alias = connection.alias
    posts = []
    for row in rows:
        row = list(row)
        for index, functions, column in converters:
            for function in functions:
                row[index] = function(row[index], column, connection)
        objects, start = [], 0
        for model, fields, names, _alias in parts:
            values = row[start : start + len(fields)]
            start += len(fields)
            # No group, no shared original: the LEFT JOIN's columns are all NULL.
            objects.append(None if values[0] is None else model.from_db(alias, names, values))
        post, author, group, original, original_author, original_group = objects
        _attach(post, author, group)
        Post.shared_from.field.set_cached_value(post, original)
        if original is not None:
            _attach(original, original_author, original_group)
        post.comment_count, post.ack_count = row[start], row[start + 1]
        posts.append(post)
    return posts


def _attach(post: Post, author, group) -> None:
    Post.author.field.set_cached_value(post, author)
    Post.group.field.set_cached_value(post, group)


def decorations(actor, ids: list[int]) -> tuple[dict, dict, dict]:
    """({post id: [Topic]}, {post id: {kind: count}}, {post id: {kinds of actor's}}) of
    the posts ids, in one statement: their #topics, then their reactions per kind."""
    topics, counts, mine = {}, {}, {}
    if not ids:
        return topics, counts, mine
    linked, linked_params = sql_in("pt.post_id", ids)
    reacted, reacted_params = sql_in("r.post_id", ids)
    sql = (
        f"SELECT pt.post_id, t.id, t.label, t.key, 0, 0 FROM {_table(Post.topics.through)} pt "  # noqa: S608
        f"JOIN {_table(Topic)} t ON t.id = pt.topic_id WHERE {linked} "
        "UNION ALL "
        "SELECT r.post_id, NULL, NULL, r.kind, COUNT(*), "
        "SUM(CASE WHEN r.agent_id = %s THEN 1 ELSE 0 END) "
        f"FROM {_table(Reaction)} r WHERE {reacted} GROUP BY r.post_id, r.kind"
    )
    with prepared_cursor() as cursor:
        cursor.execute(sql, [*linked_params, actor.pk, *reacted_params])
        rows = cursor.fetchall()
    alias = connection.alias
    for post_id, topic_id, label, key, n, me in rows:
        if topic_id is not None:
            topic = Topic.from_db(alias, ["id", "label", "key"], [topic_id, label, key])
            topics.setdefault(post_id, []).append(topic)
        else:
            counts.setdefault(post_id, {})[key] = n
            if me:
                mine.setdefault(post_id, set()).add(key)
    return topics, counts, mine

"""Fast bulk inserts: one prepared INSERT, many rows, sent with executemany().

Django's bulk_create() builds a model instance per row and compiles every value of every
row into the SQL text; for tens of thousands of rows (a directory's agents, their
department memberships, their search-queue entries) that costs far more than the
database's own work. Here text, integers and booleans go as they are, other values
(JSON, dates) through their field's get_db_prep_save() as the ORM would, and identical
values are prepared once. Works on SQLite and PostgreSQL alike.

No signals are sent and save() is not called: use it only for models whose save() has
no side effect (as the style guide requires anyway).
"""

import functools
from datetime import date
from itertools import chain

from django.db import connection, models
from django.utils import timezone

# Fields whose Python value (str, int, bool, None) is already what the database takes.
_PLAIN = (models.CharField, models.TextField, models.BooleanField, models.ForeignKey)


def _plain(value, _connection):
    return value


def _preparer(field):
    if isinstance(field, (*_PLAIN, models.IntegerField, models.FileField)):
        return _plain  # file fields hold their name here
    return field.get_db_prep_save


def _defaults(fields, given: set[str]) -> dict:
    """Each column's value for a row that does not give it: defaults, auto_now_add (now).

    Columns no row gives are prepared here, once; the others go through the row converter
    like given values (a JSON default must not be encoded twice).
    """
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            # Now, as save() would set it.
            value = timezone.now() if isinstance(field, models.DateTimeField) else date.today()
        else:
            value = field.get_default()
        if field.attname not in given:
            value = field.get_db_prep_save(value, connection)
        defaults[field.attname] = value
    return defaults


def rows_insert(
    model, rows: list[dict], *, batch_size: int = 2000, ignore_conflicts: bool = False
) -> int:
    """Insert rows given as {attname: value}; absent columns take their default.

    ignore_conflicts skips rows a unique constraint refuses (ON CONFLICT DO NOTHING), as
    bulk_create(ignore_conflicts=True) does. Returns the number of rows sent.
    """
    if not rows:
        return 0
    given = set(chain.from_iterable(rows))  # every column some row gives
    fields = [f for f in model._meta.concrete_fields if f.attname in given or not f.primary_key]
    defaults = _defaults(fields, given)
    quote = connection.ops.quote_name
    # Only quoted identifiers from the model go into the SQL text; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}){}".format(  # noqa: S608
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        " ON CONFLICT DO NOTHING" if ignore_conflicts else "",
    )
    convert = _converter([f for f in fields if f.attname in given])
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    convert([row.get(name, defaults[name]) for name in names], names)
                    for row in rows[start : start + batch_size]
                ],
            )
    return len(rows)


def _converter(fields):
    """A function converting, in place, the columns of a row that need it (JSON...).

    Converted values are remembered: bulk rows repeat the same few values.
    """
    needed = {f.attname: f.get_db_prep_save for f in fields if _preparer(f) is not _plain}
    if not needed:
        return lambda values, _names: values
    memo: dict = {}

    def convert(values: list, names: list[str]) -> list:
        for index, name in enumerate(names):
            prep = needed.get(name)
            if prep is None:
                continue
            value = values[index]
            key = (name, repr(value))
            if key not in memo:
                memo[key] = prep(value, connection)
            values[index] = memo[key]
        return values

    return convert


def rows_prepared(model, names: list[str], rows: list[dict]):
    """Each row's values for the columns names, prepared for the database (for UPDATEs)."""
    prepare = [(name, _preparer(model._meta.get_field(name))) for name in names]
    for row in rows:
        yield [prep(row[name], connection) for name, prep in prepare]


def insert_select_sql(instance, computed: dict[str, str], source: str) -> tuple[str, list]:
    """`INSERT INTO <table> (...) SELECT ... FROM <source>` for one unsaved instance.

    For a data-modifying statement on PostgreSQL that creates a row from another part of
    the same statement (a CTE named `source`): the columns in `computed` ({attname: SQL
    expression over source}, written by the caller, never user input) come from there,
    the others are the instance's values prepared as save() would (defaults,
    auto_now_add, which is set on the instance). Returns (sql, params); no RETURNING.
    The SQL is built once per model, columns and source (a hot path: every chat message).
    """
    sql, fields = _insert_select(type(instance), tuple(computed.items()), source, connection.vendor)
    params = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    return sql, params


@functools.cache
def _insert_select(model, computed: tuple, source: str, vendor: str) -> tuple[str, tuple]:
    """(sql, the fields whose values are parameters, in order) for insert_select_sql."""
    computed = dict(computed)
    quote = connection.ops.quote_name
    columns, selects, fields = [], [], []
    for field in model._meta.local_concrete_fields:
        if field.primary_key and field.attname not in computed:
            continue
        columns.append(quote(field.column))
        if field.attname in computed:
            selects.append(computed[field.attname])
        else:
            selects.append("%s")
            fields.append(field)
    sql = "INSERT INTO {} ({}) SELECT {} FROM {}".format(  # noqa: S608 (identifiers only)
        quote(model._meta.db_table), ", ".join(columns), ", ".join(selects), source
    )
    return sql, tuple(fields)

"""PostgreSQL only: each document's creation week, indexed with its words in one GIN index.

A query whose words are in many rows is answered within the most recent weeks first (see
PostgresEngine.search): `vector @@ words AND period @@ (week | week | ...)` is resolved
inside one GIN index, where a range on the date index had to list every row of the window
(14 ms for a third of 1,000,000 rows) before the words could narrow it. The week lexemes
('~w 2917': weeks since 1970) hold a space, so no text a person types or writes can match
them. The acl GIN index goes: the engine never uses it (an agent's tokens open a third of
the table, and checking the rows the words found costs less than ANDing that).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE search_document ADD COLUMN IF NOT EXISTS period tsvector NOT NULL DEFAULT '';
UPDATE search_document
  SET period = array_to_tsvector(
    ARRAY['~w ' || floor(extract(epoch FROM created_at) / 604800)::bigint])
  WHERE created_at IS NOT NULL;
DO $$ DECLARE old record; BEGIN
  -- search_rebuild names its indexes after the new table: find them by definition.
  FOR old IN SELECT indexname FROM pg_indexes
      WHERE tablename = 'search_document'
        AND (indexdef ~ 'USING gin [(]vector[)]$' OR indexdef ~ 'USING gin [(]acl[)]$') LOOP
    EXECUTE 'DROP INDEX ' || quote_ident(old.indexname);
  END LOOP;
END $$;
CREATE INDEX IF NOT EXISTS search_document_vector_period
  ON search_document USING gin (vector, period);
"""

BACKWARD = """
DROP INDEX IF EXISTS search_document_vector_period;
CREATE INDEX IF NOT EXISTS search_document_vector ON search_document USING gin (vector);
CREATE INDEX IF NOT EXISTS search_document_acl ON search_document USING gin (acl);
ALTER TABLE search_document DROP COLUMN IF EXISTS period;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_created_nulls_last")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

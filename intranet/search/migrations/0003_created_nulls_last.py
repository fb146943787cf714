"""PostgreSQL only: the date index in the order searches read it (newest first, undated last).

The engine collects matches with ORDER BY created_at DESC NULLS LAST; an index declared
(created_at DESC) sorts NULLs first, so PostgreSQL could not read it in that order and
sorted every match of a frequent word instead.
"""

from django.db import migrations

FORWARD = """
DO $$ DECLARE old record; BEGIN
  -- search_rebuild names its indexes after the new table: find them by definition.
  FOR old IN SELECT indexname FROM pg_indexes
      WHERE tablename = 'search_document' AND indexdef ~ '[(]created_at DESC[)]$' LOOP
    EXECUTE 'DROP INDEX ' || quote_ident(old.indexname);
  END LOOP;
END $$;
CREATE INDEX IF NOT EXISTS search_document_created
  ON search_document (created_at DESC NULLS LAST);
"""

BACKWARD = """
DROP INDEX IF EXISTS search_document_created;
CREATE INDEX search_document_created ON search_document (created_at DESC);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

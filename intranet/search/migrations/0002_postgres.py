"""PostgreSQL only: unaccent, trigrams, a French configuration without accents, the tables.

Other databases (SQLite in embedded mode) skip this migration's work: there the Whoosh
engine is the only choice and these tables are never used.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'transverse_french') THEN
    CREATE TEXT SEARCH CONFIGURATION transverse_french (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION transverse_french
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
  END IF;
END $$;
CREATE TABLE search_document (
  key varchar(80) PRIMARY KEY,
  kind varchar(40) NOT NULL,
  object_id bigint NOT NULL,
  acl varchar(40)[] NOT NULL,
  vector tsvector NOT NULL,
  author_id bigint NULL,
  group_id bigint NULL,
  department_id bigint NULL,
  created_at timestamptz NULL,
  digest varchar(32) NOT NULL
);
CREATE INDEX search_document_vector ON search_document USING gin (vector);
CREATE INDEX search_document_acl ON search_document USING gin (acl);
CREATE INDEX search_document_created ON search_document (created_at DESC);
CREATE TABLE search_word (word varchar(60) PRIMARY KEY);
CREATE INDEX search_word_trgm ON search_word USING gin (word gin_trgm_ops);
"""

BACKWARD = """
DROP TABLE IF EXISTS search_word;
DROP TABLE IF EXISTS search_document;
DROP TEXT SEARCH CONFIGURATION IF EXISTS transverse_french;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]

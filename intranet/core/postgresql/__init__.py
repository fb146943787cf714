"""Django's PostgreSQL backend with the pool check of intranet.core.database."""

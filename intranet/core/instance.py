"""The instance's name: what keeps its Redis cache keys and channels apart from another's.

Redis pub/sub ignores the database number of the URL, so two sites on one Redis server
(production and a restored staging copy, say) hear each other's channel layer messages
unless their channel names differ; the cache's keys collide too when both use the same
database number. TRANSVERSE_INSTANCE_NAME names the instance; by default the name is
derived from the database the site uses (engine, host, port and name, or the SQLite
file), so two sites on two databases differ without any setting. A copy restored into a
database of the same name on another server would derive the same name: give it its own.
"""

import hashlib
import re

from django.core.exceptions import ImproperlyConfigured

from intranet.core.env import env_str

VALID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def instance_name(database: dict) -> str:
    """TRANSVERSE_INSTANCE_NAME, or a name derived from database (a DATABASES entry)."""
    chosen = env_str("TRANSVERSE_INSTANCE_NAME")
    if chosen:
        if not VALID.fullmatch(chosen):
            raise ImproperlyConfigured(
                "TRANSVERSE_INSTANCE_NAME must be 1 to 64 letters, digits, '.', '_' or '-', "
                f"not {chosen!r}."
            )
        return chosen
    where = "|".join(str(database.get(part) or "") for part in ("ENGINE", "HOST", "PORT", "NAME"))
    # The database's own name (a SQLite file's name without its folder), to be read in
    # redis-cli, and a digest of where it is, to tell apart two databases of one name.
    base = str(database.get("NAME") or "").replace("\\", "/").rsplit("/", 1)[-1]
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-.")[:40] or "transverse"
    return f"{readable}-{hashlib.blake2b(where.encode(), digest_size=5).hexdigest()}"

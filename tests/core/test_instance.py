"""Two sites on one Redis server: each its own prefix, so neither hears the other's chat.

Redis pub/sub ignores the database number of REDIS_URL: a restored staging copy pointed
at another database number of production's Redis received production's messages. The
instance name (TRANSVERSE_INSTANCE_NAME, or derived from the database) prefixes the
channel layer's channels and the cache's keys.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from intranet.core.instance import instance_name
from intranet.core.redis_cache import FailSoftRedisCache
from realtime.layers import RedisPubSubChannelLayer
from tests.services import require_executable

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

PRODUCTION = "postgres://transverse@db.example.fr:5432/transverse"
STAGING = "postgres://transverse@staging.example.fr:5432/transverse"


def site_settings(**environ) -> dict:
    """TRANSVERSE_INSTANCE_NAME, CACHES and CHANNEL_LAYERS of intranet.settings, imported
    in a fresh interpreter with exactly these variables (as a daphne process would)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL"} and not key.startswith("TRANSVERSE_")
    }
    env.update(TRANSVERSE_VAR_DIR=tempfile.mkdtemp(prefix="transverse-instance-"), **environ)
    script = (
        "import json; from intranet import settings as s; print(json.dumps(["
        "s.TRANSVERSE_INSTANCE_NAME, s.CACHES['default'], s.CHANNEL_LAYERS['default']]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise ImproperlyConfigured(done.stderr.strip().splitlines()[-1])
    name, cache, layer = json.loads(done.stdout)
    return {"name": name, "cache": cache, "layer": layer}


@pytest.fixture(scope="module")
def redis_server():
    require_executable("redis-server", "apt-get install redis-server")
    from bench.realtime.cluster import Redis

    server = Redis(Path(tempfile.mkdtemp(prefix="transverse-instance-redis-")))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def two_sites(redis_server):
    """Production and a restored staging copy: another database, another Redis number."""
    base = redis_server.url.rsplit("/", 1)[0]
    production = site_settings(DATABASE_URL=PRODUCTION, REDIS_URL=f"{base}/0")
    staging = site_settings(DATABASE_URL=STAGING, REDIS_URL=f"{base}/1")
    return production, staging


def layer_of(site) -> RedisPubSubChannelLayer:
    assert site["layer"]["BACKEND"] == "realtime.layers.RedisPubSubChannelLayer"
    return RedisPubSubChannelLayer(**site["layer"]["CONFIG"])


def cache_of(site, location=None) -> FailSoftRedisCache:
    config = site["cache"]
    assert config["BACKEND"] == "intranet.core.redis_cache.FailSoftRedisCache"
    return FailSoftRedisCache(location or config["LOCATION"], config)


async def _no_crosstalk(production, staging):
    prod_layer, staging_layer = layer_of(production), layer_of(staging)
    prod_socket = await prod_layer.new_channel()
    staging_socket = await staging_layer.new_channel()
    # The same group name on both sites: the conversation with id 1 exists in each.
    await prod_layer.group_add("conversation.1", prod_socket)
    await staging_layer.group_add("conversation.1", staging_socket)
    await staging_layer.group_add("marker", staging_socket)
    secret = {"type": "relay", "event": {"kind": "message.created", "body": "confidentiel"}}
    await prod_layer.group_send("conversation.1", secret)
    assert await asyncio.wait_for(prod_layer.receive(prod_socket), 5) == secret
    # Published after production's message on the same server: once the marker is in,
    # production's message would have been in before it.
    await staging_layer.group_send("marker", {"type": "marker"})
    assert await asyncio.wait_for(staging_layer.receive(staging_socket), 5) == {"type": "marker"}
    assert staging_layer.receive_nowait(staging_socket) is None
    # And the other way round.
    await staging_layer.group_send("conversation.1", {"type": "relay", "event": {}})
    assert (await asyncio.wait_for(staging_layer.receive(staging_socket), 5))["type"] == "relay"
    await prod_layer.group_add("marker", prod_socket)
    await prod_layer.group_send("marker", {"type": "marker"})
    assert await asyncio.wait_for(prod_layer.receive(prod_socket), 5) == {"type": "marker"}
    assert prod_layer.receive_nowait(prod_socket) is None
    await prod_layer.flush()
    await staging_layer.flush()


def test_two_sites_on_one_redis_server_do_not_hear_each_other(two_sites):
    production, staging = two_sites
    assert production["name"] != staging["name"]
    asyncio.run(_no_crosstalk(production, staging))


def test_two_sites_on_one_redis_database_keep_their_own_cache_keys(two_sites, redis_server):
    production, staging = two_sites
    same_database = f"{redis_server.url.rsplit('/', 1)[0]}/0"
    prod_cache = cache_of(production, same_database)
    staging_cache = cache_of(staging, same_database)
    prod_cache.set("transverse:branding:v1", "Production", 60)
    staging_cache.set("transverse:branding:v1", "Recette", 60)
    assert prod_cache.get("transverse:branding:v1") == "Production"
    assert staging_cache.get("transverse:branding:v1") == "Recette"


def test_the_processes_of_one_site_share_their_name():
    """daphne processes and the worker read one environment file: one name."""
    first = site_settings(DATABASE_URL=PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0")
    second = site_settings(DATABASE_URL=PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0")
    assert first["name"] == second["name"]
    assert first["name"].startswith("transverse-")
    assert first["cache"]["KEY_PREFIX"] == first["name"]
    assert first["layer"]["CONFIG"]["prefix"] == f"{first['name']}."


def test_the_instance_name_setting_wins():
    site = site_settings(
        DATABASE_URL=PRODUCTION,
        REDIS_URL="redis://127.0.0.1:6379/0",
        TRANSVERSE_INSTANCE_NAME="recette-2026",
    )
    assert site["name"] == "recette-2026"
    assert site["layer"]["CONFIG"]["prefix"] == "recette-2026."


@pytest.mark.parametrize("value", ["a/b", "a b", "é", "x" * 65, "prod:1", "*"])
def test_a_bad_instance_name_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("TRANSVERSE_INSTANCE_NAME", value)
    with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_INSTANCE_NAME"):
        instance_name({"NAME": "transverse"})


@pytest.mark.parametrize(
    ("database", "readable"),
    [
        (
            {"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/t/transverse.sqlite3"},
            "transverse.sqlite3",
        ),
        (
            {"ENGINE": "django.db.backends.postgresql", "NAME": "intranet recette"},
            "intranet-recette",
        ),
        ({"ENGINE": "django.db.backends.postgresql", "NAME": ""}, "transverse"),
        ({"ENGINE": "django.db.backends.postgresql", "NAME": "../../<é>"}, "transverse"),
    ],
)
def test_derived_names_are_readable_and_valid(monkeypatch, database, readable):
    monkeypatch.delenv("TRANSVERSE_INSTANCE_NAME", raising=False)
    name = instance_name(database)
    assert name.rsplit("-", 1)[0] == readable
    monkeypatch.setenv("TRANSVERSE_INSTANCE_NAME", name)
    assert instance_name({}) == name  # a derived name is a valid setting too

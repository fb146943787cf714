"""The working day's data: the stream benchmark's agents, groups, follows, posts, comments
and reactions (bench/stream/run.py's generator, seeded, COPY), plus chat history (a room per
group, direct conversations, messages by COPY) and a signed-in session per agent.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_workday_l \\
        .venv/bin/python -m bench.workday.data --size L

Kept between runs: a database that already has the posts is reused, and the agents'
sessions and the ids the swarm needs are written to bench/results/tmp/workday-<db>.json.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import RAW, copy_rows, setup_django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
os.environ.setdefault("TRANSVERSE_DEMO", "true")

# agents, groups, posts, comments+reactions (as bench/stream), direct conversations per
# agent, chat messages in all
SIZES = {
    "S": {"agents": 1_000, "groups": 100, "posts": 50_000, "extras": 150_000, "messages": 50_000},
    "M": {
        "agents": 10_000,
        "groups": 500,
        "posts": 100_000,
        "extras": 300_000,
        "messages": 200_000,
    },
    "L": {
        "agents": 10_000,
        "groups": 500,
        "posts": 1_000_000,
        "extras": 3_000_000,
        "messages": 1_000_000,
    },
}
DIRECTS_PER_AGENT = 3
SEED = 2121


def chat_history(size: dict) -> None:
    from django.db import connection

    from intranet.accounts.models import User
    from intranet.chat.models import Conversation, Participant
    from intranet.groups.models import Group

    if Conversation.objects.exists():
        print("reusing the chat history already generated")
        return
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    groups = list(Group.objects.values_list("pk", flat=True))
    Conversation.objects.bulk_create(
        [Conversation(kind="group", group_id=g) for g in groups], batch_size=1000
    )
    agents = list(User.objects.values_list("pk", flat=True))
    pairs = set()
    for a in agents:
        for _ in range(DIRECTS_PER_AGENT):
            b = rng.choice(agents)
            if a != b:
                pairs.add((min(a, b), max(a, b)))
    Conversation.objects.bulk_create(
        [Conversation(kind="direct", direct_key=f"{a}:{b}") for a, b in sorted(pairs)],
        batch_size=5000,
    )
    directs = dict(Conversation.objects.filter(kind="direct").values_list("direct_key", "pk"))
    Participant.objects.bulk_create(
        [
            Participant(conversation_id=directs[f"{a}:{b}"], agent_id=x)
            for a, b in pairs
            for x in (a, b)
        ],
        batch_size=5000,
    )
    members: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, m.agent_id FROM chat_conversation c "
            "JOIN groups_membership m ON m.group_id = c.group_id"
        )
        for conv, agent in cursor.fetchall():
            members.setdefault(conv, []).append(agent)
    for key, conv in directs.items():
        members[conv] = [int(x) for x in key.split(":")]
    convs = sorted(members)
    seqs = dict.fromkeys(convs, 0)
    start = now - timedelta(days=60)
    step = timedelta(days=60) / size["messages"]
    words = ["bonjour", "réunion", "dossier", "merci", "demain", "budget", "ok", "point"]

    def messages():
        for i in range(size["messages"]):
            conv = rng.choice(convs)
            seqs[conv] += 1
            n = seqs[conv]
            body = " ".join(rng.choice(words) for _ in range(rng.randint(2, 15)))
            yield (
                *(conv, n, n, rng.choice(members[conv]), f"seed-{i}", body, f"<p>{body}</p>"),
                *(start + step * i, "", "", "", 0, "", False),
            )

    columns = [
        *("conversation_id", "seq", "rev", "sender_id", "idempotency_key", "body"),
        *("body_html", "created_at", "attachment", "attachment_name", "attachment_type"),
        *("attachment_size", "attachment_alt", "attachment_decorative"),
    ]
    copy_rows("chat_message", columns, messages(), size["messages"], "messages")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE chat_conversation c SET last_seq = s.n, last_rev = s.n, "
            "last_message_at = s.at FROM (SELECT conversation_id, max(seq) n, "
            "max(created_at) at FROM chat_message GROUP BY conversation_id) s "
            "WHERE s.conversation_id = c.id"
        )
        cursor.execute("ANALYZE")


def search_index() -> None:
    """The search page on the engine for several nodes (TRANSVERSE_SEARCH_ENGINE=postgres,
    set by the run for its servers): its index built once."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from intranet.search.models import SearchDocument

    if SearchDocument.objects.exists():
        return
    with override_settings(TRANSVERSE_SEARCH_ENGINE="postgres"):
        call_command("search_rebuild")  # progress on stderr: long at size L


def sessions(path: Path) -> dict:
    """A session per agent (bulk: the session store's own encoding), and what the swarm
    needs to act as each agent: its groups and their rooms, its conversations."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from intranet.accounts.models import User

    if path.exists():
        data = json.loads(path.read_text())
        if Session.objects.filter(session_key=data["agents"][0]["session"]).exists():
            return data
    User.objects.filter(welcomed_at__isnull=True).update(welcomed_at=timezone.now())
    store = SessionStore()
    expiry = timezone.now() + timedelta(days=30)
    agents, rows = [], []
    users = User.objects.filter(is_active=True, is_superuser=False).order_by("pk")
    for user in users.only("pk", "username", "password"):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        payload = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(
            Session(session_key=key, session_data=store.encode(payload), expire_date=expiry)
        )
        agents.append({"id": user.pk, "username": user.username, "session": key})
    Session.objects.bulk_create(rows, batch_size=5000)
    by_id = {a["id"]: a for a in agents}
    for a in agents:
        a["groups"], a["directs"] = [], []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.agent_id, g.slug, c.id, g.id FROM groups_membership m "
            "JOIN groups_group g ON g.id = m.group_id "
            "JOIN chat_conversation c ON c.group_id = g.id"
        )
        for agent, slug, room, group in cursor.fetchall():
            if agent in by_id:
                by_id[agent]["groups"].append([slug, room, group])
        cursor.execute(
            "SELECT p.agent_id, p.conversation_id FROM chat_participant p "
            "JOIN chat_conversation c ON c.id = p.conversation_id WHERE c.kind = 'direct'"
        )
        for agent, conv in cursor.fetchall():
            if agent in by_id:
                by_id[agent]["directs"].append(conv)
        cursor.execute(
            "SELECT c.id, array_agg(m.agent_id) FROM chat_conversation c "
            "JOIN groups_membership m ON m.group_id = c.group_id GROUP BY c.id"
        )
        rooms = dict(cursor.fetchall())
        cursor.execute(
            "SELECT conversation_id, array_agg(agent_id) FROM chat_participant "
            "GROUP BY conversation_id"
        )
        rooms.update(dict(cursor.fetchall()))
        cursor.execute("SELECT id FROM stream_post ORDER BY id DESC LIMIT 2000")
        recent = [r[0] for r in cursor.fetchall()]
    data = {"agents": agents, "members": {str(k): v for k, v in rooms.items()}, "posts": recent}
    path.write_text(json.dumps(data))
    return data


def prepare(size: str) -> Path:
    """Generate (or reuse) the data of `size` in DATABASE_URL; the swarm's JSON path."""
    setup_django()
    from django.db import connection

    from bench.stream.run import generate

    spec = SIZES[size]
    with connection.cursor() as cursor:
        # Columns added to stream_post after bench/stream's COPY column list was written
        # (NOT NULL, a Django-side default only): a database default lets its COPY run.
        cursor.execute(
            "ALTER TABLE stream_post ALTER COLUMN image_alt SET DEFAULT '', "
            "ALTER COLUMN image_decorative SET DEFAULT false"
        )
    path = RAW / f"workday-{connection.settings_dict['NAME']}.json"
    for name, stage in (
        ("stream", lambda: generate(spec)),
        ("chat", lambda: chat_history(spec)),
        ("search", search_index),
        ("sessions", lambda: sessions(path)),
    ):
        started = time.perf_counter()
        stage()
        print(f"stage {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    print(prepare(parser.parse_args().size))

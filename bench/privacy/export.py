"""A personal-data export of a prolific agent: time and peak memory, streamed into the zip.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_privacy \
        .venv/bin/python bench/privacy/export.py --posts 10000 --messages 50000 --pairs 3

Creates (once: rows are kept between runs) an agent with `--posts` posts and `--messages`
chat messages in one conversation, then, `--pairs` times in turn:

- baseline: the same rows read with the same queries (`.values().iterator()`) and encoded
  as JSON, written nowhere: what any export of that data pays at least;
- candidate: intranet.privacy.services.export_build(), i.e. every provider's rows streamed
  into a deflated zip in a temporary file, then saved through the private storage.

Peak memory is the process's peak resident set (VmHWM, reset before each call through
/proc/self/clear_refs) above its resident set before the call: flat means it does not
grow with the number of rows. Medians of the pairs; the machine is shared.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import Run, add_result_arguments, setup_django  # noqa: E402


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measured(function) -> tuple[float, int]:
    """(seconds, peak KiB above the resident set before the call)."""
    Path("/proc/self/clear_refs").write_text("5")
    start = status_kb("VmRSS")
    began = time.perf_counter()
    function()
    return time.perf_counter() - began, status_kb("VmHWM") - start


def populate(posts: int, messages: int):
    from django.db import transaction
    from django.utils import timezone

    from intranet.accounts.models import User
    from intranet.chat.models import Conversation, Message
    from intranet.stream.models import Post

    agent, _created = User.objects.get_or_create(
        username="bench-prolific", defaults={"first_name": "Pro", "last_name": "Lifique"}
    )
    have_posts = Post.objects.filter(author=agent).count()
    have_messages = Message.objects.filter(sender=agent).count()
    text = "Un compte rendu de réunion du comité de pilotage, avec ses décisions. " * 4
    with transaction.atomic():
        Post.objects.bulk_create(
            Post(author=agent, visibility="organisation", body=f"{i} {text}", body_html=text)
            for i in range(have_posts, posts)
        )
        if have_messages < messages:
            conversation = Conversation.objects.filter(created_by=agent).first()
            if conversation is None:
                conversation = Conversation.objects.create(
                    kind="named", name="Bench", created_by=agent
                )
            Message.objects.bulk_create(
                (
                    Message(
                        conversation=conversation, seq=i + 1, rev=i + 1, sender=agent,
                        idempotency_key=f"bench-{i:08d}", body=f"{i} {text[:120]}",
                        body_html=text[:120], created_at=timezone.now(),
                    )
                    for i in range(have_messages, messages)
                ),
                batch_size=5000,
            )  # fmt: skip
    return agent


def baseline(agent):
    from django.core.serializers.json import DjangoJSONEncoder

    from intranet.chat.models import Message
    from intranet.stream.models import Post

    encoder = DjangoJSONEncoder(ensure_ascii=False)
    for rows in (
        Post.objects.filter(author=agent).order_by("pk").values().iterator(chunk_size=2000),
        Message.objects.filter(sender=agent).order_by("pk").values().iterator(chunk_size=2000),
    ):
        for row in rows:
            encoder.encode(row)


def candidate(agent):
    from intranet.privacy import services
    from intranet.privacy.archive import private_storage

    export = services.export_build(services.export_request(agent).pk)
    private_storage().delete(export.file_name)
    export.delete()
    return export.size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--pairs", type=int, default=3)
    add_result_arguments(parser)
    args = parser.parse_args()
    os.environ.setdefault("TRANSVERSE_PRIVATE_ROOT", tempfile.mkdtemp(prefix="bench-privacy-"))
    setup_django()
    agent = populate(args.posts, args.messages)
    size = f"{args.posts}p-{args.messages}m"
    run = Run("privacy", size, label=args.label, history=not args.no_history)
    measured(lambda: baseline(agent)), measured(lambda: candidate(agent))  # warm up
    base, cand = [], []
    for _ in range(args.pairs):
        base.append(measured(lambda: baseline(agent)))
        cand.append(measured(lambda: candidate(agent)))
    zip_size = candidate(agent)
    rss_kib = status_kb("VmRSS")
    med = {
        "baseline_s": statistics.median(t for t, _ in base),
        "export_s": statistics.median(t for t, _ in cand),
        "baseline_peak_kib": statistics.median(m for _, m in base),
        "export_peak_kib": statistics.median(m for _, m in cand),
    }
    med["ratio"] = med["export_s"] / med["baseline_s"]
    run.add({"size": size, "pairs": args.pairs, "zip_bytes": zip_size, "rss_kib": rss_kib, **med})
    run.finish(
        f"# Privacy export, {size}\n\n"
        f"| | baseline (read + JSON) | export (zip) |\n|---|---|---|\n"
        f"| median time (s) | {med['baseline_s']:.2f} | {med['export_s']:.2f} |\n"
        f"| median peak RSS above start (KiB) | {med['baseline_peak_kib']:.0f} | "
        f"{med['export_peak_kib']:.0f} |\n\n"
        f"Ratio export / baseline: {med['ratio']:.2f}; zip {zip_size / 1e6:.1f} MB; "
        f"{args.pairs} interleaved pairs; process resident set {rss_kib / 1024:.0f} MiB.\n"
    )


if __name__ == "__main__":
    main()

"""The group library page with 10,000 documents in 500 folders, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_documents \\
        .venv/bin/python bench/documents/library.py --requests 40 --pairs 5

One closed group holds 500 folders (50 at the root, 9 under each) and 10,000 documents
(200 at the root, 19 or 20 in each folder, one version each), generated in bulk and kept between
runs. Two of the folders are restricted (to the animators, to a named agent), so the
access model's restriction checks have rows to read. The measured agent is a plain
member. Pages are fetched through Django's test client in this process, interleaved with
a bare "hello" view (bench/stream/urls.py), p50/p95 reported; queries per page counted
(they must not grow with the data). Target (issue 18): p95 <= 100 ms.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import Run, add_result_arguments, interleaved, percentile_ms, setup_django  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
FOLDERS, DOCUMENTS = 500, 10_000


def generate():
    from intranet.accounts.models import User
    from intranet.documents import services
    from intranet.documents.models import Blob, Document, DocumentVersion, Folder
    from intranet.groups import services as group_services
    from intranet.groups.models import Group

    group = Group.objects.filter(slug="bibliotheque-bench").first()
    if group is not None and Document.objects.filter(group=group).count() >= DOCUMENTS:
        print("reusing the library already generated")
        return group, User.objects.get(username="bench-member")
    owner = User.objects.create_user(username="bench-owner", password="x" * 20)
    member = User.objects.create_user(username="bench-member", password="x" * 20)
    group = group_services.group_create(owner, name="Bibliothèque bench", policy="closed")
    Group.objects.filter(pk=group.pk).update(slug="bibliotheque-bench")
    group.refresh_from_db()
    group_services._add_member(group, member)
    roots = [Folder(group=group, name=f"Dossier {i:02d}", created_by=owner) for i in range(50)]
    Folder.objects.bulk_create(roots)
    children = [
        Folder(group=group, parent=root, name=f"Sous-dossier {j}", created_by=owner)
        for root in Folder.objects.filter(group=group, parent=None)
        for j in range(9)
    ]
    Folder.objects.bulk_create(children)
    folders = list(Folder.objects.filter(group=group).select_related("parent"))
    for folder in folders:
        folder.path = (f"/{folder.parent_id}" if folder.parent_id else "") + f"/{folder.pk}/"
    Folder.objects.bulk_update(folders, ["path"], batch_size=500)
    services.folder_restrict(owner, folders[3], restriction="animators")
    services.folder_restrict(owner, folders[7], restriction="named", agents=[member])
    blob = Blob.objects.create(sha256="0" * 64, size=123_456, file="documents/00/bench")
    places = [None] * 200 + [f for f in folders for _ in range(20)]  # 10,200: cut at 10,000
    documents = [
        Document(
            group=group,
            folder=place,
            name=f"Document {n:05d}.pdf",
            created_by=owner,
            state=Document.State.READY,
        )
        for n, place in enumerate(places[:DOCUMENTS])
    ]
    Document.objects.bulk_create(documents, batch_size=2000)
    versions = [
        DocumentVersion(
            document=d,
            number=1,
            blob=blob,
            filename=d.name,
            size=blob.size,
            mime="application/pdf",
            author=owner,
            state="ready",
        )
        for d in Document.objects.filter(group=group)
    ]
    DocumentVersion.objects.bulk_create(versions, batch_size=2000)
    for version in DocumentVersion.objects.filter(document__group=group).only("pk", "document_id"):
        Document.objects.filter(pk=version.document_id).update(current_version=version.pk)
    return group, member


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--pairs", type=int, default=5)
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.test.utils import override_settings

    from intranet.documents.models import Folder

    group, member = generate()
    from django.db import connection

    with connection.cursor() as cursor:  # statistics of the bulk-made rows (the planner)
        cursor.execute("ANALYZE")
    folder = Folder.objects.filter(group=group, parent__isnull=False).order_by("pk")[20]
    run = Run("documents", "library", label=args.label, history=not args.no_history)
    lines = []
    with override_settings(ROOT_URLCONF="bench.stream.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(member)
        pages = {
            "group page (a full page of the site, for comparison)": f"/groups/{group.slug}/",
            "library root (50 folders, 200 documents)": f"/groups/{group.slug}/documents/",
            "a folder (20 documents)": f"/groups/{group.slug}/documents/folders/{folder.pk}/",
        }
        for label, url in pages.items():

            def page(url=url):
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            def hello():
                client.get("/bench-hello/")

            times = interleaved(hello, page, calls=args.requests, pairs=args.pairs)
            figure = {
                "page": label,
                "p50_ms": percentile_ms(times.candidate, 0.5),
                "p95_ms": percentile_ms(times.candidate, 0.95),
                "hello_p50_ms": percentile_ms(times.baseline, 0.5),
                "queries": times.queries,
            }
            run.add(figure)
            lines.append(
                f"| {label} | {figure['p50_ms']} | {figure['p95_ms']} | "
                f"{figure['hello_p50_ms']} | {figure['queries']} |"
            )
    summary = (
        f"# documents library page, {DOCUMENTS:,} documents in {FOLDERS} folders (PostgreSQL)\n\n"
        "| page | p50 ms | p95 ms | hello p50 ms | queries |\n|---|---|---|---|---|\n"
        + "\n".join(lines)
        + "\n"
    )
    run.finish(summary, load_average=[round(x, 2) for x in os.getloadavg()])


if __name__ == "__main__":
    main()

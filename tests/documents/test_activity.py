"""Uploads in a group's stream (one entry per batch, only what the viewer may see) and the
"recent documents" lists of the group page and the home page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intranet.documents.activity import document_batches, recent_documents
from intranet.stream.services import posts
from tests.documents.rows import make_document, make_folder, version_add


def client_for(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def group_page(agent, group) -> str:
    return client_for(agent).get(reverse("groups:group-detail", args=[group.slug])).content.decode()


@pytest.fixture
def minutes_ago():
    now = timezone.now()
    return lambda n: now - timedelta(minutes=n)


def test_three_files_dropped_together_make_one_entry(budget, bob, alice, minutes_ago):
    folder = make_folder(budget, "Comptes rendus")
    for n, name in enumerate(("Janvier.pdf", "Février.pdf", "Mars.pdf")):
        make_document(budget, bob, name, folder=folder, at=minutes_ago(3 - n))
    (batch,) = document_batches(alice, budget)
    assert [item.document.name for item in batch.items] == [
        "Mars.pdf",
        "Février.pdf",
        "Janvier.pdf",
    ]
    page = group_page(alice, budget)
    assert page.count('class="card post document-activity"') == 1
    entry = page[page.index("document-activity") :]
    entry = entry[: entry.index("</article>")]
    assert "Comptes rendus" in entry
    assert all(name in entry for name in ("Janvier.pdf", "Février.pdf", "Mars.pdf"))


def test_batches_split_by_agent_folder_and_time(budget, bob, alice, minutes_ago):
    one, other = make_folder(budget, "Un"), make_folder(budget, "Deux")
    make_document(budget, bob, "a.pdf", folder=one, at=minutes_ago(60))
    make_document(budget, bob, "b.pdf", folder=one, at=minutes_ago(2))  # an hour later
    make_document(budget, bob, "c.pdf", folder=other, at=minutes_ago(2))  # another folder
    make_document(budget, alice, "d.pdf", folder=one, at=minutes_ago(1))  # another agent
    batches = document_batches(bob, budget)
    assert [[i.document.name for i in b.items] for b in batches] == [
        ["d.pdf"],
        ["c.pdf"],
        ["b.pdf"],
        ["a.pdf"],
    ]


def test_an_entry_lists_only_the_documents_the_viewer_may_see(budget, bob, alice, minutes_ago):
    make_document(budget, bob, "Public.pdf", at=minutes_ago(3))
    make_document(budget, bob, "Réservé animateurs.pdf", restriction="animators", at=minutes_ago(2))
    (batch,) = document_batches(alice, budget)
    assert [item.document.name for item in batch.items] == ["Public.pdf"]
    (batch,) = document_batches(bob, budget)
    assert len(batch.items) == 2
    assert "Réservé animateurs" not in group_page(alice, budget)


def test_a_batch_with_nothing_visible_is_no_entry(budget, bob, alice, minutes_ago):
    private = make_folder(budget, "Direction", restriction="animators")
    make_document(budget, bob, "Secret 1.pdf", folder=private, at=minutes_ago(2))
    make_document(budget, bob, "Secret 2.pdf", folder=private, at=minutes_ago(1))
    assert document_batches(alice, budget) == []
    page = group_page(alice, budget)
    assert "document-activity" not in page and "Secret 1" not in page
    assert len(document_batches(bob, budget)) == 1


def test_outsiders_removed_and_deactivated_agents_see_no_entry(budget, bob, alice, carol):
    make_document(budget, bob, "Compte rendu.pdf")
    assert document_batches(carol, budget) == []
    assert "Compte rendu.pdf" not in group_page(carol, budget)
    from intranet.groups import services as group_services

    group_services.group_member_remove(bob, budget, alice)
    assert document_batches(alice, budget) == []
    bob.is_active = False
    bob.save()
    assert document_batches(bob, budget) == []


def test_pending_and_suspicious_uploads_are_no_entry(budget, bob, alice):
    make_document(budget, bob, "En analyse.pdf", state="pending")
    make_document(budget, bob, "Douteux.pdf", state="suspicious")
    assert document_batches(alice, budget) == []
    assert document_batches(bob, budget) == []


def test_a_new_version_is_an_entry_of_its_own(budget, bob, alice, minutes_ago):
    document = make_document(budget, bob, "Budget.ods", at=minutes_ago(120))
    version_add(document, alice, text="v2", at=minutes_ago(1))
    newest, first = document_batches(bob, budget)
    assert newest.author == alice and newest.items[0].is_new_version
    assert not first.items[0].is_new_version
    assert "version 2" in group_page(bob, budget)


def test_entries_sit_among_the_posts_by_date(budget, bob, alice, minutes_ago):
    make_document(budget, bob, "Ancien.pdf", at=minutes_ago(600))
    posts.post_create(bob, body="Dernière nouvelle", visibility="group", group=budget)
    page = group_page(alice, budget)
    assert page.index("Dernière nouvelle") < page.index("Ancien.pdf", page.index("feed-heading"))


def test_recent_documents_on_the_group_and_home_pages(budget, bob, alice, carol):
    make_document(budget, bob, "Note de cadrage.pdf")
    make_document(budget, bob, "Réservé.pdf", restriction="animators")
    assert [d.name for d in recent_documents(alice, group=budget)] == ["Note de cadrage.pdf"]
    assert 'class="recent-documents"' in group_page(alice, budget)
    home = client_for(alice).get(reverse("home")).content.decode()
    assert "Note de cadrage.pdf" in home and "Réservé.pdf" not in home
    assert "Note de cadrage.pdf" not in client_for(carol).get(reverse("home")).content.decode()
    assert recent_documents(carol) == []


def test_group_documents_q_sees_exactly_what_visible_documents_sees(budget, bob, alice, dave):
    """The group page's shortcut (the blocking folders read first) and the general rule."""
    from intranet.documents.access import group_documents_q, visible_documents
    from intranet.documents.models import Document
    from intranet.groups.models import Membership

    Membership.objects.create(group=budget, agent=dave)
    animators = make_folder(budget, "Direction", restriction="animators")
    named = make_folder(budget, "Nommés", restriction="named", named=[dave])
    below = make_folder(budget, "Sous", parent=named)
    trashed = make_folder(budget, "Vieux")
    trashed.deleted_at = timezone.now()
    trashed.save()
    for folder in (None, animators, named, below, trashed):
        where = folder.name if folder else "racine"
        make_document(budget, bob, f"{where}.pdf", folder=folder)
        make_document(budget, bob, f"{where} anim.pdf", folder=folder, restriction="animators")
    make_document(budget, bob, "nommé.pdf", restriction="named", named=[alice])
    for actor in (alice, bob, dave):
        expected = set(visible_documents(actor).filter(group=budget).values_list("pk", flat=True))
        shortcut = Document.objects.filter(group_documents_q(actor, budget))
        assert set(shortcut.values_list("pk", flat=True)) == expected, actor.username
        assert expected  # each sees something

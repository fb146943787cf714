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

    _matrix_library(budget, bob, alice, dave)
    for actor in (alice, bob, dave):
        expected = set(visible_documents(actor).filter(group=budget).values_list("pk", flat=True))
        shortcut = Document.objects.filter(group_documents_q(actor, budget))
        assert set(shortcut.values_list("pk", flat=True)) == expected, actor.username
        assert expected  # each sees something


def _matrix_library(budget, bob, alice, dave):
    """Every reason a document of budget is hidden from someone, plus visible ones."""
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
    make_document(budget, alice, "en analyse.pdf", state="pending")
    gone = make_document(budget, bob, "jeté.pdf")
    gone.deleted_at = timezone.now()
    gone.save()


def _by_the_access_model(actor, groups) -> list[int]:
    """What the lists show, by visible_documents: the newest first."""
    from intranet.documents.activity import shown_documents

    documents = shown_documents(actor).filter(group_id__in=groups).order_by("-updated_at", "-pk")
    return list(documents.values_list("pk", flat=True))


def _batch_digest(batches) -> list:
    return [
        (b.author and b.author.pk, b.folder and b.folder.pk, [i.document.pk for i in b.items])
        for b in batches
    ]


def test_the_compiled_statements_see_exactly_what_visible_documents_sees(
    budget, bob, alice, carol, dave, staff
):
    """recent_documents and document_batches (statements compiled once per process, with
    the agent's facts read by the statement) agree with visible_documents for a member,
    an animator, an agent named on a folder, an outsider and staff, in a closed group and
    in an open one; the first page of batches agrees with the ORM's query of later pages."""
    from intranet.groups import services as group_services
    from intranet.groups.access import member_group_ids

    _matrix_library(budget, bob, alice, dave)
    open_group = group_services.group_create(staff, name="Ouvert", policy="open")
    make_document(open_group, staff, "ouvert.pdf")
    make_document(open_group, staff, "ouvert anim.pdf", restriction="animators")
    hidden = make_folder(open_group, "Réservé", restriction="named", named=[carol])
    make_document(open_group, staff, "réservé.pdf", folder=hidden)
    later = timezone.now() + timedelta(days=1)
    for actor in (alice, bob, carol, dave, staff):
        for group in (budget, open_group):
            expected = _by_the_access_model(actor, [group.pk])
            shown = [d.pk for d in recent_documents(actor, group=group, limit=50)]
            assert shown == expected, (actor.username, group.name)
            batches = document_batches(actor, group)
            assert {i.document.pk for b in batches for i in b.items} == set(expected)
            by_the_orm = document_batches(actor, group, until=later)
            assert _batch_digest(batches) == _batch_digest(by_the_orm)
        home = [d.pk for d in recent_documents(actor, limit=50)]
        assert home == _by_the_access_model(actor, member_group_ids(actor)), actor.username
    names = {d.name for d in recent_documents(carol, group=open_group, limit=50)}
    assert names == {"ouvert.pdf", "réservé.pdf"}  # carol is named on the folder


def test_an_outsider_never_sees_a_restricted_document_in_the_section_or_stream(staff, alice, carol):
    """An open group's page shows carol (no member) its documents, never one restricted
    to the animators or to named agents, nor one in a folder restricted to them."""
    from intranet.groups import services as group_services

    open_group = group_services.group_create(staff, name="Ouvert", policy="open")
    make_document(open_group, staff, "Public.pdf")
    make_document(open_group, staff, "Animateurs.pdf", restriction="animators")
    make_document(open_group, staff, "Nommée.pdf", restriction="named", named=[alice])
    direction = make_folder(open_group, "Direction", restriction="animators")
    make_document(open_group, staff, "Dans la direction.pdf", folder=direction)
    secret = ("Animateurs.pdf", "Nommée.pdf", "Dans la direction.pdf")
    assert [d.name for d in recent_documents(carol, group=open_group)] == ["Public.pdf"]
    (batch,) = document_batches(carol, open_group)
    assert [item.document.name for item in batch.items] == ["Public.pdf"]
    page = group_page(carol, open_group)
    assert 'class="recent-documents"' in page and "Public.pdf" in page
    assert not any(name in page for name in secret)
    assert len(recent_documents(alice, group=open_group)) == 2  # named on one


def test_the_section_and_the_batches_are_one_query_each(
    budget, bob, alice, carol, staff, django_assert_num_queries, django_assert_max_num_queries
):
    """The agent's animated libraries and named permissions are read by the statement
    itself (they were read before it: three to five queries); the home page's list reads
    the agent's groups (once per request, the page frame has them) then one statement."""
    folder = make_folder(budget, "Direction", restriction="animators")
    make_document(budget, bob, "Public.pdf")
    make_document(budget, bob, "Réservé.pdf", folder=folder)
    for actor in (alice, bob, carol, staff):
        with django_assert_num_queries(1):
            recent_documents(actor, group=budget)
        with django_assert_max_num_queries(2):  # the memberships, once per request
            recent_documents(actor)
        with django_assert_num_queries(1):
            document_batches(actor, budget)

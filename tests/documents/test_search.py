"""Documents in the one search: found by name, folder path and extracted text, exactly by
those the access model lets see them, on each engine (Whoosh, Tantivy, PostgreSQL)."""

import pytest
from django.db import connection
from django.utils import timezone

from intranet.documents.search import document_index_later, folder_index_later
from intranet.groups import services as group_services
from intranet.search.indexer import drain
from intranet.search.selectors import Filters, search
from intranet.search.services import search_index_many_later
from tests.documents.rows import make_document, make_folder
from tests.factories import UserFactory, make_department

ENGINES = ["whoosh", "tantivy", "postgres"]


@pytest.fixture(params=ENGINES)
def engine(request, settings, private_index):
    if request.param == "postgres" and connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL engine runs when the suite runs on PostgreSQL")
    settings.TRANSVERSE_SEARCH_ENGINE = request.param
    return request.param


def index_now():
    return drain(lock_timeout=30)


@pytest.fixture
def world(db, engine):
    """owner animates three groups (open, closed, secret); member and colleague belong to
    them; former was a member and was removed; deactivated left the administration;
    outsider is in no group; staff administers the site. Each document carries a unique
    word in its extracted text."""
    finance = make_department("Direction des finances", acronym="DF")
    people = {
        name: UserFactory(username=name, department=finance)
        for name in ("owner", "member", "colleague", "outsider", "former", "deactivated")
    }
    people["staff"] = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    owner, member = people["owner"], people["member"]
    groups, docs = {}, {}
    for policy in ("open", "closed", "secret"):
        group = group_services.group_create(owner, name=f"Groupe {policy}", policy=policy)
        groups[policy] = group
        for name in ("member", "colleague", "former", "deactivated"):
            group_services._add_member(group, people[name])
        docs[f"{policy}_plain"] = make_document(
            group, owner, f"Rapport {policy}.pdf", text=f"Compte rendu zqx{policy}plain budget"
        )
    closed = groups["closed"]
    docs["animators"] = make_document(
        closed, owner, "Notes RH.odt", text="zqxanimators budget", restriction="animators"
    )
    docs["named"] = make_document(
        closed, owner, "Dossier.odt", text="zqxnamed budget", restriction="named", named=[member]
    )
    private = make_folder(closed, "Privé", restriction="animators")
    docs["in_private_folder"] = make_document(
        closed, owner, "Salaires.xlsx", text="zqxprivatefolder budget", folder=private
    )
    trashed = make_document(closed, owner, "Ancien.pdf", text="zqxtrashed budget")
    trashed.deleted_at = timezone.now()
    trashed.save()
    docs["trashed"] = trashed
    docs["suspicious"] = make_document(
        closed, owner, "Piège.pdf", text="zqxsuspicious budget", state="suspicious"
    )
    bin_folder = make_folder(closed, "Corbeille")
    docs["in_trashed_folder"] = make_document(
        closed, owner, "Oublié.pdf", text="zqxtrashedfolder budget", folder=bin_folder
    )
    bin_folder.deleted_at = timezone.now()
    bin_folder.save()
    search_index_many_later("document", [d.pk for d in docs.values()])
    for policy in ("closed", "secret"):
        group_services.group_member_remove(owner, groups[policy], people["former"])
    people["deactivated"].is_active = False
    people["deactivated"].save()
    index_now()
    return {"people": people, "groups": groups, "docs": docs}


WORDS = {
    "open_plain": "zqxopenplain",
    "closed_plain": "zqxclosedplain",
    "secret_plain": "zqxsecretplain",
    "animators": "zqxanimators",
    "named": "zqxnamed",
    "in_private_folder": "zqxprivatefolder",
    "trashed": "zqxtrashed",
    "suspicious": "zqxsuspicious",
    "in_trashed_folder": "zqxtrashedfolder",
}
ALL_GROUP_READERS = {"open_plain", "closed_plain", "secret_plain"}
EXPECTED = {
    "owner": ALL_GROUP_READERS | {"animators", "named", "in_private_folder"},
    "staff": ALL_GROUP_READERS | {"animators", "named", "in_private_folder"},
    "member": ALL_GROUP_READERS | {"named"},
    "colleague": ALL_GROUP_READERS,
    "outsider": {"open_plain"},
    "former": {"open_plain"},  # removed from closed and secret; open is open to all
    "deactivated": set(),
}


def found(actor, q, **filters) -> set[int]:
    outcome = search(actor, q, Filters(**filters))
    return {hit.obj.pk for hit in outcome.hits if hit.kind == "document"}


@pytest.mark.parametrize("actor_name", sorted(EXPECTED))
def test_each_document_is_found_exactly_by_those_who_may_see_it(world, actor_name):
    actor = world["people"][actor_name]
    problems = []
    for item, word in WORDS.items():
        visible = item in EXPECTED[actor_name]
        if (world["docs"][item].pk in found(actor, word)) != visible:
            problems.append(f"{item}: expected visible={visible}")
    assert problems == []


@pytest.mark.parametrize("actor_name", sorted(EXPECTED))
def test_totals_and_facets_count_only_visible_documents(world, actor_name):
    actor = world["people"][actor_name]
    outcome = search(actor, "budget", Filters(kind="document"))
    assert outcome.total == len(EXPECTED[actor_name])
    kinds = {facet.value: facet.count for facet in outcome.facets.get("kind", [])}
    assert kinds.get("document", 0) == len(EXPECTED[actor_name])


def test_a_document_is_found_by_its_name_and_folder_path(world):
    member = world["people"]["member"]
    closed = world["groups"]["closed"]
    folder = make_folder(closed, "Comptabilité analytique")
    document = make_document(closed, member, "Prévisions trimestrielles.ods", folder=folder)
    document_index_later(document)
    index_now()
    assert document.pk in found(member, "prévisions")
    assert document.pk in found(member, "analytique")
    assert document.pk in found(member, "ods")
    hit = next(h for h in search(member, "trimestrielles").hits if h.kind == "document")
    assert hit.meta == "Groupe closed › Comptabilité analytique"
    assert hit.url.endswith(f"/{document.pk}/")


def test_the_snippet_highlights_a_passage_deep_in_a_long_text(world):
    member = world["people"]["member"]
    text = (
        "Introduction générale. " * 4000
        + "La dématérialisation des factures zqxdeep. "
        + ("Annexe. " * 100)
    )
    document = make_document(world["groups"]["closed"], member, "Long.pdf", text=text)
    document_index_later(document)
    index_now()
    hit = next(h for h in search(member, "zqxdeep").hits if h.kind == "document")
    assert "<mark>zqxdeep</mark>" in hit.snippet
    assert "factures" in hit.snippet
    assert len(hit.snippet) < 2000


def test_restricting_a_folder_after_indexing_hides_its_documents(world):
    people, closed = world["people"], world["groups"]["closed"]
    folder = make_folder(closed, "Projets")
    document = make_document(closed, people["owner"], "Projet.pdf", text="zqxlater", folder=folder)
    document_index_later(document)
    index_now()
    assert document.pk in found(people["member"], "zqxlater")
    folder.restriction = "animators"
    folder.save()
    folder_index_later(folder)
    # Pending entries keep the document out even before the indexer runs.
    assert document.pk not in found(people["member"], "zqxlater")
    index_now()
    assert document.pk not in found(people["member"], "zqxlater")
    assert document.pk in found(people["owner"], "zqxlater")


def test_a_removed_member_finds_nothing_of_the_group_at_once(world):
    people, closed = world["people"], world["groups"]["closed"]
    assert world["docs"]["closed_plain"].pk in found(people["colleague"], "zqxclosedplain")
    group_services.group_member_remove(people["owner"], closed, people["colleague"])
    assert found(people["colleague"], "zqxclosedplain") == set()


def test_trashing_then_restoring_follows_the_index(world):
    people = world["people"]
    document = world["docs"]["closed_plain"]
    document.deleted_at = timezone.now()
    document.save()
    document_index_later(document)
    index_now()
    assert found(people["owner"], "zqxclosedplain") == set()
    document.deleted_at = None
    document.save()
    document_index_later(document)
    index_now()
    assert found(people["owner"], "zqxclosedplain") == {document.pk}


def test_type_filter_by_french_name(world):
    member = world["people"]["member"]
    assert world["docs"]["closed_plain"].pk in found(member, "type:fichiers budget")


def test_the_services_keep_the_index_in_step(world):
    """Renaming, trashing, restoring, restricting and purging through the services
    re-index the document, with no explicit call from the caller."""
    from intranet.documents import services as document_services

    people, closed = world["people"], world["groups"]["closed"]
    owner, member = people["owner"], people["member"]
    document = world["docs"]["closed_plain"]
    document_services.document_rename(owner, document, name="Synthèse zqxrenamed.pdf")
    index_now()
    assert found(member, "zqxrenamed") == {document.pk}
    document_services.document_restrict(owner, document, restriction="animators")
    index_now()
    assert found(member, "zqxrenamed") == set()
    assert found(owner, "zqxrenamed") == {document.pk}
    document_services.document_restrict(owner, document, restriction="group")
    document_services.document_delete(owner, document)
    index_now()
    assert found(owner, "zqxrenamed") == set()
    document_services.document_restore(owner, document)
    index_now()
    assert found(owner, "zqxrenamed") == {document.pk}
    folder = document_services.folder_create(owner, group=closed, name="Archives")
    document_services.document_move(owner, document, folder=folder)
    document_services.folder_rename(owner, folder, name="Archives zqxfolder")
    index_now()
    assert found(member, "zqxfolder") == {document.pk}

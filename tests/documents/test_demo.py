"""seed_demo's documents: real files of each kind in the demo groups, ready and searchable,
loaded once."""

import io
import time

import pytest
from django.core.management import call_command

from intranet.documents.models import Document, DocumentVersion
from intranet.groups.models import Group
from intranet.search.models import IndexEntry

KINDS = {".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".md", ".txt", ".png"}


@pytest.fixture
def demo(settings, db):
    settings.TRANSVERSE_DEMO = True
    started = time.monotonic()
    call_command("seed_demo", no_progress=True, stdout=io.StringIO())
    return time.monotonic() - started


def test_demo_has_a_ready_document_of_each_kind_in_the_demo_groups(demo):
    documents = Document.objects.select_related("current_version", "group")
    assert {d.name[d.name.rindex(".") :] for d in documents} == KINDS
    assert all(d.state == Document.State.READY and d.current_version for d in documents)
    assert {d.group.kind for d in documents} == {Group.Kind.THEMATIC}
    pdf = documents.get(name="Guide du numérique responsable.pdf")
    assert "durée de vie" in pdf.current_version.extracted_text
    for name, words in (
        ("Rapport d'audit du site.odt", "conformité"),
        ("Clauses types environnementales.docx", "Clauses"),
        ("Inventaire du parc informatique.xlsx", "écrans"),
        ("Réforme de la commande publique.pptx", "Réforme"),
        ("Plan de sobriété – présentation.odp", "chauffage"),
        ("Grille d'audit RGAA.ods", "contrastes"),
    ):
        assert words in documents.get(name=name).current_version.extracted_text, name
    assert IndexEntry.objects.filter(kind="document").count() >= documents.count()


def test_demo_uploads_share_a_batch_per_folder_and_one_folder_is_restricted(demo):
    toolbox = DocumentVersion.objects.filter(document__folder__name="Boîte à outils")
    assert toolbox.count() == 5 and toolbox.values("batch").distinct().count() == 1
    confidential = Document.objects.get(name="Organigramme cible.pdf")
    assert confidential.folder.restriction == "animators"


def test_demo_documents_are_loaded_once(demo):
    count = Document.objects.count()
    out = io.StringIO()
    call_command("seed_demo", no_progress=True, stdout=out)
    assert Document.objects.count() == count
    assert "Demo documents already present" in out.getvalue()

"""Demo documents: a few real files of each kind in the demo groups' libraries.

Called by `manage.py seed_demo` after the groups exist (intranet.stream.demo). The files
are generated here with the libraries that read them (pypdf, odfpy, python-docx, openpyxl,
python-pptx, Pillow), uploaded through the library's own services (type sniffing, names,
quota, one batch per folder), then analysed by the same task the worker runs, here and
now, so that they are ready, previewable and searchable as soon as the command ends.
Running it again does nothing: the first demo document is the marker.
"""

import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from intranet.documents.models import Document, DocumentVersion
from intranet.documents.search import document_index_later
from intranet.groups.models import Group, Membership

# (group name, folder name or None, restricted to the animators, [(file name, maker, text)])
PDF_TEXT = "Guide du numérique responsable : allonger la durée de vie des équipements."
LIBRARY = [
    (
        "Communauté numérique responsable",
        "Boîte à outils",
        False,
        [
            ("Guide du numérique responsable.pdf", "pdf", PDF_TEXT),
            (
                "Checklist éco-conception.md",
                "markdown",
                "# Checklist éco-conception\n\n- alléger les pages\n- limiter les vidéos",
            ),
            (
                "Inventaire du parc informatique.xlsx",
                "xlsx",
                "Inventaire ordinateurs portables écrans",
            ),
            ("Logo de la communauté.png", "png", ""),
            (
                "Notes de l'atelier de mars.txt",
                "text",
                "Atelier de mars : sobriété des messageries, tri des pièces jointes.",
            ),
        ],
    ),
    (
        "Atelier accessibilité RGAA",
        "Audits",
        False,
        [
            ("Grille d'audit RGAA.ods", "ods", "Critère contrastes navigation clavier"),
            ("Rapport d'audit du site.odt", "odt", "Rapport d'audit : conformité partielle"),
        ],
    ),
    (
        "Réseau des acheteurs publics",
        "Modèles",
        False,
        [
            ("Clauses types environnementales.docx", "docx", "Clauses types environnementales"),
            ("Réforme de la commande publique.pptx", "pptx", "Réforme de la commande publique"),
        ],
    ),
    (
        "Plan de sobriété énergétique",
        None,
        False,
        [("Plan de sobriété – présentation.odp", "odp", "Plan de sobriété : chauffage à 19 °C")],
    ),
    (
        "Comité de pilotage – réorganisation des services",
        "Documents de travail",
        True,
        [("Organigramme cible.pdf", "pdf", "Organigramme cible : projet confidentiel")],
    ),
]
MARKER = LIBRARY[0][3][0][0]


def _pdf(text: str) -> bytes:
    """A one-page PDF of text, written by hand and rewritten by pypdf's writer."""
    from pypdf import PdfReader, PdfWriter

    line = text.encode("cp1252", "replace").replace(b"(", b"\\(").replace(b")", b"\\)")
    stream = b"BT /F1 12 Tf 72 720 Td (" + line + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bytes(out))))
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


def _odf(kind: str, text: str) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import (
        OpenDocumentPresentation,
        OpenDocumentSpreadsheet,
        OpenDocumentText,
    )
    from odf.style import MasterPage, PageLayout
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    if kind == "odt":
        document = OpenDocumentText()
        document.text.addElement(P(text=text))
    elif kind == "ods":
        document = OpenDocumentSpreadsheet()
        table, row = Table(name="Feuille 1"), TableRow()
        for word in text.split():
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=word))
            row.addElement(cell)
        table.addElement(row)
        document.spreadsheet.addElement(table)
    else:
        document = OpenDocumentPresentation()
        layout = PageLayout(name="Mise en page")
        document.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        document.masterstyles.addElement(master)
        page, frame, box = Page(masterpagename=master), Frame(), TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _office(kind: str, text: str) -> bytes:
    out = io.BytesIO()
    if kind == "docx":
        import docx

        document = docx.Document()
        document.add_heading(text, level=1)
        document.save(out)
    elif kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        workbook.active.append(text.split())
        workbook.save(out)
    else:
        import pptx

        presentation = pptx.Presentation()
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
        presentation.save(out)
    return out.getvalue()


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (96, 96), (29, 78, 137))
    ImageDraw.Draw(image).ellipse((20, 20, 76, 76), fill=(255, 191, 71))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def file_bytes(kind: str, text: str) -> bytes:
    """The bytes of a real file of kind ("pdf", "odt", "docx", "png", "text"...)."""
    if kind == "pdf":
        return _pdf(text)
    if kind in ("odt", "ods", "odp"):
        return _odf(kind, text)
    if kind in ("docx", "xlsx", "pptx"):
        return _office(kind, text)
    if kind == "png":
        return _png()
    return text.encode()


def _uploader(group: Group):
    """The group's owner (or an animator): the one who fills its library."""
    memberships = Membership.objects.filter(group=group, agent__is_active=True).select_related(
        "agent"
    )
    for role in (Membership.Role.OWNER, Membership.Role.ANIMATOR):
        membership = memberships.filter(role=role).order_by("pk").first()
        if membership is not None:
            return membership.agent
    return None


def _fill(group: Group, folder_name, restricted: bool, files) -> list[Document]:
    from intranet.documents import services

    actor = _uploader(group)
    if actor is None:
        return []
    folder = None
    if folder_name:
        folder = services.folder_create(actor, group=group, name=folder_name)
        if restricted:
            folder = services.folder_restrict(actor, folder, restriction="animators")
    batch = uuid.uuid4()  # dropped together: one entry in the group's stream
    return [
        services.document_upload(
            actor,
            group=group,
            folder=folder,
            upload=SimpleUploadedFile(name, file_bytes(kind, text)),
            batch=batch,
        )
        for name, kind, text in files
    ]


def _analyse(documents: list[Document]) -> None:
    """What the worker does after each upload (scan, extraction), here and now."""
    from intranet.documents.tasks import version_analyse

    versions = DocumentVersion.objects.filter(
        document__in=documents, state=DocumentVersion.State.PENDING
    ).values_list("pk", flat=True)
    for pk in versions:
        version_analyse.call(pk)
    for document in Document.objects.filter(pk__in=[d.pk for d in documents]):
        document_index_later(document)


def seed(stdout) -> None:
    """Load the demo documents once (a second run reports that they are already there)."""
    if Document.objects.filter(name=MARKER).exists():
        stdout.write("Demo documents already present: nothing to do.")
        return
    groups = {g.name: g for g in Group.objects.filter(name__in=[row[0] for row in LIBRARY])}
    documents = []
    for group_name, folder_name, restricted, files in LIBRARY:
        if group_name in groups:
            documents += _fill(groups[group_name], folder_name, restricted, files)
    _analyse(documents)
    stdout.write(f"Demo content: {len(documents)} documents.")

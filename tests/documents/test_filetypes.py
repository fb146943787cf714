"""What a document is, from its content: the allow-list, every hostile disguise refused
with its message, and file names made safe."""

import pytest

from intranet.documents import filetypes
from intranet.documents.filetypes import (
    HEAD_BYTES,
    FileTypeRefused,
    final_filename,
    safe_filename,
    sniff,
)
from tests.documents import samples

PE_HEAD = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"
)
CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="%s"/></Types>'
)


def head(data: bytes) -> bytes:
    return data[:HEAD_BYTES]


# --- accepted kinds -----------------------------------------------------------------------
ALLOWED = [
    ("budget.pdf", lambda: samples.pdf_bytes(["Budget prévisionnel"]), filetypes.PDF),
    ("photo.png", lambda: samples.image_bytes("PNG"), filetypes.PNG),
    ("photo.jpg", lambda: samples.image_bytes("JPEG"), filetypes.JPEG),
    ("anim.gif", lambda: samples.image_bytes("GIF"), filetypes.GIF),
    ("photo.webp", lambda: samples.image_bytes("WEBP"), filetypes.WEBP),
    ("notes.txt", lambda: "Réunion du 3 mars\n".encode(), filetypes.TEXT),
    ("lisez-moi.md", lambda: "# Titre\n\n*Texte* accentué".encode(), filetypes.MARKDOWN),
    ("budget.csv", lambda: b"poste;montant\nloyer;1200\n", filetypes.CSV),
    ("compte-rendu.odt", lambda: samples.odt_bytes(["Titre", "Corps"]), filetypes.ODT),
    ("budget.ods", lambda: samples.ods_bytes([["poste", "montant"]]), filetypes.ODS),
    ("support.odp", lambda: samples.odp_bytes(["Diapositive"]), filetypes.ODP),
    ("rapport.docx", lambda: samples.docx_bytes(["Titre", "Corps"]), filetypes.DOCX),
    ("tableau.xlsx", lambda: samples.xlsx_bytes([["poste", 12]]), filetypes.XLSX),
    ("support.pptx", lambda: samples.pptx_bytes(["Diapositive"]), filetypes.PPTX),
    ("dossier.zip", lambda: samples.zip_bytes({"a.txt": b"un", "b.txt": b"deux"}), filetypes.ZIP),
]


@pytest.mark.parametrize(("name", "make", "kind"), ALLOWED, ids=[a[0] for a in ALLOWED])
def test_each_allowed_kind_is_recognised_from_its_content(name, make, kind):
    data = make()
    assert sniff(head(data), name) == kind
    assert sniff(head(data), "sans-nom") == (
        filetypes.TEXT if kind in (filetypes.MARKDOWN, filetypes.CSV) else kind
    )


def test_only_images_pdf_and_plain_text_are_inline():
    inline = {kind.mime for kind in filetypes.KINDS if kind.inline}
    assert inline == {"image/png", "image/jpeg", "image/gif", "image/webp"} | {
        "application/pdf",
        "text/plain",
    }


def test_previews_are_of_the_known_kinds():
    assert {kind.preview for kind in filetypes.KINDS} == {
        "image",
        "pdf",
        "text",
        "markdown",
        "office",
        None,
    }


def test_a_head_longer_than_head_bytes_is_cut_and_a_character_cut_in_two_is_still_text():
    data = b"a" * (HEAD_BYTES - 1) + "é suite".encode()
    assert sniff(data, "notes.txt") == filetypes.TEXT


def test_a_zip_may_hold_an_office_document_and_takes_its_extension():
    kind = sniff(head(samples.docx_bytes(["Titre"])), "envoi.zip")
    assert kind == filetypes.DOCX
    assert final_filename("envoi.zip", kind) == "envoi.docx"


def test_an_image_named_as_another_image_is_accepted_under_its_real_extension():
    kind = sniff(head(samples.image_bytes("JPEG")), "photo.png")
    assert kind == filetypes.JPEG
    assert final_filename("photo.png", kind) == "photo.jpg"


# --- refused ------------------------------------------------------------------------------
def refused(data: bytes, name: str) -> FileTypeRefused:
    with pytest.raises(FileTypeRefused) as caught:
        sniff(head(data), name)
    assert isinstance(caught.value, ValueError)
    return caught.value


MARKUP_MESSAGE = (
    "HTML, SVG and XML files are not accepted: a browser could run scripts in them. "
    "Convert the document to PDF."
)
EXECUTABLE_MESSAGE = "Programs and executable files are not accepted."


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "facture.pdf"),
        (b"  \n<html><script>fetch('/')</script></html>", "x.pdf"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "a.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><rect width='1'/></svg>", "dessin"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "logo.txt"),
        (b'<?xml version="1.0"?><note>bonjour</note>', "note.md"),
        ("\ufeff<script>alert(1)</script>".encode(), "notes.txt"),
    ],
)
def test_html_svg_and_xml_are_refused_whatever_their_name(english, data, name):
    error = refused(data, name)
    assert (error.code, str(error)) == ("markup", MARKUP_MESSAGE)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (PE_HEAD + b"\x00" * 200, "rapport.pdf"),
        (PE_HEAD, "setup"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100, "notes.txt"),
        (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01", "app"),
        (b"#!/bin/sh\nrm -rf ~\n", "script.txt"),
        (samples.zip_bytes({"META-INF/MANIFEST.MF": b"Main-Class: A\n", "A.class": b"x"}), "a.zip"),
    ],
)
def test_executables_are_refused(english, data, name):
    error = refused(data, name)
    assert (error.code, str(error)) == ("executable", EXECUTABLE_MESSAGE)


@pytest.mark.parametrize(
    "name", ["rapport.pdf.exe", "photo.jpg.scr", "facture.PDF.js", "page.html", "logo.svg"]
)
def test_a_name_ending_in_a_runnable_extension_is_refused_even_with_a_pdf_inside(english, name):
    error = refused(samples.pdf_bytes(["Budget"]), name)
    extension = name.rsplit(".", 1)[1].lower()
    assert error.code == "dangerous_extension"
    assert str(error) == f"Files ending in “.{extension}” are not accepted."


def test_a_right_to_left_override_cannot_hide_an_exe(english):
    error = refused(samples.pdf_bytes(["x"]), "facture\u202efdp.exe")
    assert error.code == "dangerous_extension"


@pytest.mark.parametrize(
    ("data", "name", "label", "extension"),
    [
        (samples.image_bytes("PNG"), "rapport.pdf", "PNG image", "pdf"),
        (b"simple texte", "rapport.pdf", "Text file", "pdf"),
        (samples.pdf_bytes(["x"]), "photo.jpg.pdf.txt", "PDF document", "txt"),
        (samples.zip_bytes({"a.txt": b"x"}), "rapport.docx", "ZIP archive", "docx"),
        (samples.odt_bytes(["x"]), "rapport.docx", "OpenDocument text", "docx"),
        (samples.pdf_bytes(["x"]), "vieux.doc", "PDF document", "doc"),
    ],
)
def test_content_that_disagrees_with_a_known_extension_is_refused(
    english, data, name, label, extension
):
    error = refused(data, name)
    assert error.code == "mismatch"
    assert str(error) == (
        f"The content of this file ({label}) does not match its “.{extension}” extension."
    )


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"%PDF-1.7\n<html><body><script>alert(document.domain)</script>", "PDF document"),
        (b"%PDF-1.4\n1 0 obj << /URI (javascript:alert(1)) >>", "PDF document"),
        (b"GIF89a/*\x00\x00*/=1;<script src=x></script>", "GIF image"),
        (samples.image_bytes("JPEG")[:20] + b"<svg onload=alert(1)>", "JPEG image"),
        (samples.image_bytes("PNG")[:40] + b"<iframe src=//x>", "PNG image"),
    ],
)
def test_polyglots_of_an_inline_type_and_web_code_are_refused(english, data, kind):
    error = refused(data, "fichier")
    assert error.code == "polyglot"
    assert str(error) == f"This file is both a {kind} and web page code: it is refused."


def test_a_pdf_announcing_javascript_is_kept_but_never_inline():
    data = b"%PDF-1.6\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"
    kind = sniff(data, "formulaire.pdf")
    assert (kind.mime, kind.inline, kind.preview) == ("application/pdf", False, None)


@pytest.mark.parametrize(
    ("text", "name", "extension"),
    [
        ("# Tutoriel\n\nÉcrire `<script>` ainsi : <script>alert(1)</script>\n", "web.md", "md"),
        ('<div align="center">Projet</div>\n\nTexte', "README.md", "md"),
        ("Voir <iframe src='https://ailleurs'></iframe>", "notes.log", "txt"),
        ("lien: javascript:alert(1)", "liens.csv", "csv"),
    ],
)
def test_text_holding_active_markup_is_downgraded_to_a_download(text, name, extension):
    kind = sniff(text.encode(), name)
    assert kind.mime == "application/octet-stream"
    assert (kind.inline, kind.preview, kind.extension) == (False, None, extension)


def test_old_binary_office_files_are_refused(english):
    error = refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "budget.xls")
    assert error.code == "legacy_office"
    assert str(error) == (
        "Old Office formats (DOC, XLS, PPT) are not accepted: save the document as ODT, "
        "ODS, ODP, DOCX, XLSX or PPTX."
    )


MACROS_MESSAGE = (
    "Documents with macros are not accepted: save the document without macros "
    "(DOCX, XLSX, PPTX or OpenDocument)."
)


@pytest.mark.parametrize(
    "entries",
    [
        {
            "[Content_Types].xml": CONTENT_TYPES
            % b"application/vnd.ms-word.document.macroEnabled.main+xml"
        },
        {
            "[Content_Types].xml": CONTENT_TYPES
            % b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
        },
    ],
    ids=["docm", "vba-project"],
)
def test_office_documents_with_macros_are_refused(english, entries):
    error = refused(samples.zip_bytes(entries), "rapport.docx")
    assert (error.code, str(error)) == ("macros", MACROS_MESSAGE)


def test_an_opendocument_with_basic_macros_is_refused(english):
    data = samples.zip_bytes(
        {"mimetype": filetypes.ODT.mime.encode(), "Basic/Standard/Module1.xml": b"<x/>"},
        stored_first=True,
    )
    assert refused(data, "a.odt").code == "macros"


UNSUPPORTED_MESSAGE = (
    "This type of file is not accepted. Accepted: PDF, images (PNG, JPEG, GIF, WebP), text "
    "(TXT, Markdown, CSV), OpenDocument and Office documents (ODT, ODS, ODP, DOCX, XLSX, PPTX) "
    "and ZIP archives."
)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (bytes(range(256)) * 4, "donnees.bin.dat"),
        (b"\x1f\x8b\x08\x00" + bytes(range(1, 200)), "archive.tar.gz"),
        (b"BM" + b"\x00" * 60, "image.bmp"),
        (
            samples.zip_bytes(
                {"mimetype": b"application/vnd.oasis.opendocument.graphics"}, stored_first=True
            ),
            "dessin.odg",
        ),
        (
            samples.zip_bytes(
                {
                    "[Content_Types].xml": CONTENT_TYPES
                    % b"application/vnd.openxmlformats-officedocument.wordprocessingml."
                    b"template.main+xml"
                }
            ),
            "modele.dotx",
        ),
    ],
)
def test_unknown_kinds_are_refused_with_the_list_of_accepted_ones(english, data, name):
    error = refused(data, name)
    assert (error.code, str(error)) == ("unsupported", UNSUPPORTED_MESSAGE)


def test_text_not_in_utf8_is_refused_with_advice(english):
    error = refused("Réunion prévue à 10 h".encode("latin-1"), "notes.txt")
    assert error.code == "not_utf8"
    assert str(error) == "This text file is not in UTF-8: save it as UTF-8 and send it again."


def test_an_empty_file_is_refused(english):
    error = refused(b"", "vide.txt")
    assert (error.code, str(error)) == ("empty", "The file is empty.")


# --- names --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\drivers.txt", "drivers.txt"),
        ("/var/www/rapport.pdf", "rapport.pdf"),
        ("C:\\Users\\agent\\Documents\\note de service.odt", "note de service.odt"),
        ("..", "document"),
        ("", "document"),
        ("/", "document"),
        ("\u202e\u200b", "document"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("bud\u200bget\ufeff.xlsx", "budget.xlsx"),
        ("ligne\r\nsuivante\x00\x1b\x7f.txt", "lignesuivante.txt"),
        ("rapport final. . .", "rapport final"),
        ("  espaces   multiples  .pdf", "espaces multiples.pdf"),
        (".htaccess", "htaccess"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("Aux .tar.gz", "_Aux .tar.gz"),
        ("LPT9.pdf", "_LPT9.pdf"),
        ("COM1", "_COM1"),
        ("console.txt", "console.txt"),
        ('question?*<>|:".txt', "question_______.txt"),
        ("e\u0301te\u0301.md", "été.md"),
        ("note\u00a0: budget.txt", "note _ budget.txt"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_a_300_character_name_is_cut_to_255_bytes_keeping_its_extension():
    name = safe_filename("é" * 300 + ".pdf")
    assert name.endswith("é.pdf")
    assert len(name.encode()) <= 255
    assert len(safe_filename("a" * 300)) == 255


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("photo.JPEG", filetypes.JPEG, "photo.jpeg"),
        ("compte-rendu.v2", filetypes.PDF, "compte-rendu.v2.pdf"),
        ("scan", filetypes.PDF, "scan.pdf"),
        ("notes.markdown", filetypes.MARKDOWN, "notes.md"),
        ("notes.text", filetypes.TEXT, "notes.txt"),
        ("../rapport.pdf", filetypes.PDF, "rapport.pdf"),
        ("", filetypes.ODT, "document.odt"),
    ],
)
def test_final_filename_takes_the_extension_of_the_detected_kind(name, kind, expected):
    assert final_filename(name, kind) == expected


def test_final_filename_stays_within_255_bytes():
    name = final_filename("é" * 200 + ".v2", filetypes.DOCX)
    assert name.endswith(".docx")
    assert len(name.encode()) <= 255

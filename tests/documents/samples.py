"""Real documents of every accepted kind, and hostile ones, made with the same libraries
that read them (pypdf, odfpy, python-docx, openpyxl, python-pptx, Pillow).

Shared by the tests of intranet/documents and by bench/documents. Each maker returns the
file's bytes; the text it holds is the `words` it was given, so extraction can be checked.
"""

import io
import struct
import zipfile

from PIL import Image

# --- PDF ----------------------------------------------------------------------------------


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_from_objects(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF whose numbered objects (1, 2, ...) are `objects`, with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def pdf_bytes(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text on each page (cp1252: French accents)."""
    count = len(pages)
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(pages):
        stream = b"BT /F1 12 Tf 72 720 Td " + _pdf_string(text) + b" Tj ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_from_objects(objects)


def encrypted_pdf_bytes(text: str, password: str = "secret") -> bytes:  # noqa: S107
    """A PDF only its user password opens (pypdf's writer)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes([text]))))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def looping_pdf_bytes() -> bytes:
    """A PDF whose page tree contains itself (Kids points back at its own Pages node)."""
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1000000000 >>",
        ]
    )


def deep_page_tree_pdf_bytes(depth: int = 20_000) -> bytes:
    """A PDF whose page tree is `depth` Pages nodes each holding the next one."""
    nodes = [
        b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % (number + 1)
        for number in range(2, depth + 2)
    ]
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            *nodes,
            b"<< /Type /Page /MediaBox [0 0 612 792] >>",
        ]
    )


# --- images -------------------------------------------------------------------------------


def image_bytes(format_: str, size=(32, 24)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(out, format=format_)
    return out.getvalue()


# --- OpenDocument -------------------------------------------------------------------------


def odt_bytes(paragraphs: list[str]) -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    document.text.addElement(H(outlinelevel=1, text=paragraphs[0]))
    for paragraph in paragraphs[1:]:
        document.text.addElement(P(text=paragraph))
    return _odf_save(document)


def ods_bytes(rows: list[list[str]]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Feuille 1")
    for row in rows:
        table_row = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            table_row.addElement(cell)
        table.addElement(table_row)
    document.spreadsheet.addElement(table)
    return _odf_save(document)


def odp_bytes(slides: list[str]) -> bytes:
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation
    from odf.style import MasterPage, PageLayout
    from odf.text import P

    document = OpenDocumentPresentation()
    layout = PageLayout(name="Mise en page")
    document.automaticstyles.addElement(layout)
    master = MasterPage(name="Standard", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for text in slides:
        page = Page(masterpagename=master)
        frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
        box = TextBox()
        box.addElement(P(text=text))
        frame.addElement(box)
        page.addElement(frame)
        document.presentation.addElement(page)
    return _odf_save(document)


def _odf_save(document) -> bytes:
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


# --- Office Open XML ----------------------------------------------------------------------


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "cellule " + paragraphs[0]
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Budget"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_bytes(slides: list[str]) -> bytes:
    import pptx

    presentation = pptx.Presentation()
    for text in slides:
        slide = presentation.slides.add_slide(presentation.slide_layouts[1])
        slide.shapes.title.text = text
        slide.placeholders[1].text = "détail " + text
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


# --- ZIP surgery for hostile variants -----------------------------------------------------


def zip_bytes(entries: dict[str, bytes], *, stored_first: bool = False) -> bytes:
    """A ZIP of `entries` in order, deflated (the first one stored when stored_first)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries.items()):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


def replaced_entry(document: bytes, name: str, data: bytes) -> bytes:
    """The same ZIP container with entry `name`'s content replaced (order kept)."""
    source = zipfile.ZipFile(io.BytesIO(document))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = data if info.filename == name else source.read(info)
            archive.writestr(info, content, compress_type=info.compress_type)
    return out.getvalue()


def added_entry(document: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO(document)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_entry(document: bytes, name: str, megabytes: int) -> bytes:
    """`document` with an entry of `megabytes` MB of zeros (a few hundred KB deflated)."""
    out = io.BytesIO(document)
    chunk = b"\0" * (1024 * 1024)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with (
        zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open(info, "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(chunk)
    return out.getvalue()


def overlapping_zip_bomb(document: bytes, name: str, megabytes: int, copies: int) -> bytes:
    """`document` with one entry of `megabytes` MB of zeros that the central directory
    lists `copies` more times (every copy points at the same data): a ZIP bomb of
    (copies + 1) x megabytes MB in a few KB, made without compressing it all."""
    out = io.BytesIO(document)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, b"\0" * (megabytes * 1024 * 1024))
    data = out.getvalue()
    end = data.rfind(b"PK\x05\x06")
    count, size, offset = struct.unpack_from("<HII", data, end + 10)
    directory = data[offset : offset + size]
    record = directory[directory.rfind(b"PK\x01\x02") :]
    directory += record * copies
    count += copies
    tail = data[end:]
    tail = tail[:8] + struct.pack("<HHII", count, count, len(directory), offset) + tail[20:]
    return data[:offset] + directory + tail


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
"""


def billion_laughs_docx() -> bytes:
    body = (
        BILLION_LAUGHS
        + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    return replaced_entry(docx_bytes(["Rapport"]), "word/document.xml", body)


def billion_laughs_odt() -> bytes:
    body = (
        BILLION_LAUGHS + b'<office:document-content xmlns:office="urn:oasis:names:tc:'
        b'opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:'
        b'text:1.0"><office:body><office:text><text:p>&lol9;</text:p></office:text>'
        b"</office:body></office:document-content>"
    )
    return replaced_entry(odt_bytes(["Rapport"]), "content.xml", body)


def nested_docx(depth: int = 50_000) -> bytes:
    body = (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body>" + b"<w:p>" * depth + b"</w:p>" * depth + b"</w:body></w:document>"
    )
    return replaced_entry(docx_bytes(["Rapport"]), "word/document.xml", body)


def nested_odt(depth: int = 40_000) -> bytes:
    body = (
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
        b'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
        b"<office:body><office:text>"
        + b"<text:span>" * depth
        + b"x"
        + b"</text:span>" * depth
        + b"</office:text></office:body></office:document-content>"
    )
    return replaced_entry(odt_bytes(["Rapport"]), "content.xml", body)

"""The readers of text extraction: one function (path, max_chars) -> text per MIME type.

They run only in the limited child of intranet/documents/extraction.py, never in a
worker or a web process: a hostile file may make them raise anything, use all the
memory they are allowed or loop. Office files go through check_zip() first.
"""

import functools
import zipfile

MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL_BYTES = 256 * 1024 * 1024  # uncompressed, all entries of an office file
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for an entry of more than 1 MB
MAX_XML_DEPTH = 1_000  # elements walked in an OpenDocument tree


def preload() -> None:
    """Import every reader's library and build the Markdown parser (the helper does it
    once, so that its forked children start with them)."""
    import resource  # noqa: F401

    import defusedxml  # noqa: F401  (openpyxl uses it when present)
    import docx  # noqa: F401
    import odf.opendocument  # noqa: F401
    import openpyxl  # noqa: F401
    import pptx  # noqa: F401
    import pypdf  # noqa: F401

    _markdown_parser()


class _Collected:
    """Pieces of text up to a number of characters: a reader stops when it is full."""

    def __init__(self, max_chars: int):
        self.pieces: list[str] = []
        self.left = max_chars

    def add(self, piece: str) -> bool:
        """Keep a piece; False when enough text has been kept."""
        if piece:
            self.pieces.append(piece[: self.left])
            self.left -= len(piece)
        return self.left > 0

    def text(self, separator: str = "\n") -> str:
        return separator.join(self.pieces)


def _read_pdf(path: str, max_chars: int) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")  # only an empty user password is tried
    collected = _Collected(max_chars)
    for page in reader.pages:
        # pypdf's extract_text() gives "" for a content stream past its decompression
        # limit (a bomb); decoding it first raises instead, and is cached for the text.
        page.get_contents()
        if not collected.add(page.extract_text() or ""):
            break
    return collected.text()


def _read_text(path: str, max_chars: int) -> str:
    with open(path, "rb") as file:
        data = file.read(max_chars * 4)
    return data.decode("utf-8-sig", "replace")


@functools.cache
def _markdown_parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("js-default")


def _read_markdown(path: str, max_chars: int) -> str:
    collected = _Collected(max_chars)
    for token in _markdown_parser().parse(_read_text(path, max_chars)):
        if token.type in ("fence", "code_block"):
            collected.add(token.content.rstrip("\n"))
        elif token.type == "inline":
            line = "".join(
                child.content if child.type in ("text", "code_inline") else "\n"
                for child in token.children or ()
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            collected.add(line)
    return collected.text()


def check_zip(path: str) -> None:
    """Raise ValueError for a ZIP container that would expand past the limits (a ZIP
    bomb) or whose XML parts declare a DTD (entity expansion)."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ValueError(f"{len(entries)} entries in the ZIP container")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise ValueError(f"{total} bytes once uncompressed")
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
                raise ValueError(f"{entry.filename} compressed {ratio:.0f} times")
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")):
                with archive.open(entry) as part:
                    prolog = part.read(4096)
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise ValueError(f"{entry.filename} declares a DTD")


def _read_odf(path: str, max_chars: int) -> str:
    from odf.opendocument import load

    check_zip(path)
    collected = _Collected(max_chars)
    # Depth-first, without recursion: nesting is bounded by MAX_XML_DEPTH instead.
    stack = [(load(path).body, 0)]
    line: list[str] = []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise ValueError("XML nested too deeply")
        if node is None:  # the end of a paragraph or a cell
            if not collected.add("".join(line)):
                break
            line = []
            continue
        if node.nodeType == node.TEXT_NODE:
            line.append(node.data)
            continue
        name = node.qname[1] if node.qname else ""
        if name in ("tab", "s"):
            line.append(" ")
        elif name == "line-break":
            line.append("\n")
        if name in ("p", "h"):
            stack.append((None, depth))
        stack.extend((child, depth + 1) for child in reversed(node.childNodes))
    collected.add("".join(line))
    return collected.text()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _paragraphs(root, paragraph: str, run_text: str, collected: _Collected) -> bool:
    for element in root.iter(paragraph):
        if not collected.add("".join(t.text or "" for t in element.iter(run_text))):
            return False
    return True


def _read_docx(path: str, max_chars: int) -> str:
    import docx

    check_zip(path)
    collected = _Collected(max_chars)
    _paragraphs(docx.Document(path).element.body, f"{_W}p", f"{_W}t", collected)
    return collected.text()


def _read_pptx(path: str, max_chars: int) -> str:
    import pptx

    check_zip(path)
    collected = _Collected(max_chars)
    for slide in pptx.Presentation(path).slides:
        if not _paragraphs(slide.element, f"{_A}p", f"{_A}t", collected):
            break
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and not collected.add(notes.text):
                break
    return collected.text()


def _read_xlsx(path: str, max_chars: int) -> str:
    import openpyxl

    check_zip(path)
    collected = _Collected(max_chars)
    # A file object: openpyxl refuses a path whose name does not end in .xlsx, and
    # stored files have generated names.
    file = open(path, "rb")  # noqa: SIM115  (closed with the workbook)
    workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            collected.add(sheet.title)
            # Read-only sheets trust the file's <dimension>, which some generators get
            # wrong: cells outside it would be lost.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None]
                if cells and not collected.add("\t".join(cells)):
                    return collected.text()
    finally:
        workbook.close()
        file.close()
    return collected.text()


READERS = {
    "application/pdf": _read_pdf,
    "text/plain": _read_text,
    "text/csv": _read_text,
    "text/markdown": _read_markdown,
    "application/vnd.oasis.opendocument.text": _read_odf,
    "application/vnd.oasis.opendocument.spreadsheet": _read_odf,
    "application/vnd.oasis.opendocument.presentation": _read_odf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _read_docx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _read_xlsx,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _read_pptx,
}

"""What a document is, decided from its first bytes, and what it may be called.

`sniff(head, filename)` recognises a file from its content (magic bytes, the entries of a
ZIP container, UTF-8 text), never from the name the agent gave it, and refuses everything
outside a short allow-list with a message for the agent (FileTypeRefused). `safe_filename`
cleans a name for display and download; `final_filename` gives it the extension of the
detected type. Files are stored under generated names: no name here is ever a path.

Decisions (docs: the document libraries' upload safety):
- Allowed: PDF, PNG, JPEG, GIF, WebP, UTF-8 text (plain, Markdown, CSV), OpenDocument
  (ODT, ODS, ODP), Office Open XML (DOCX, XLSX, PPTX) and other ZIP archives (download
  only). Only images, PDF and plain text may be shown inline (`FileKind.inline`).
- Refused: executables (PE, ELF, Mach-O, Java and Android archives, scripts with #!),
  old binary Office files, Office files with macros, HTML, SVG and XML, and any file
  whose final extension is one Windows or a browser would run (".exe", ".js", ".html",
  ".svg"...), whatever its content ("rapport.pdf.exe").
- A name whose extension belongs to another allowed kind than the content ("x.pdf" that is
  a PNG or a text) is refused as a disguise; images among themselves are not ("photo.png"
  that is a JPEG is common and harmless) and a ".zip" may hold an Office document.
- Text that *is* markup (starts with a doctype, <html>, <svg>, <?xml>, <script>...) is
  refused. Text that merely contains active markup (a Markdown file with <script> or
  <iframe> in it, one that starts with an HTML tag) is kept but downgraded to
  application/octet-stream, download only, no preview: never HTML in a browser.
- Polyglots: a PDF or an image whose first bytes also carry HTML or script is refused; a
  PDF that announces JavaScript, launch actions, embedded files or XFA in its first bytes
  is kept as a download only.
- Only the first HEAD_BYTES are read: what hides further in (a script in a compressed
  PDF stream) is out of reach here, which is why nothing but the allow-list of inline
  types is ever served inline, always with nosniff and a sandboxing CSP.

No third-party sniffing library: `filetype` and `puremagic` name a type from magic bytes,
but neither looks inside ZIP containers for macros, reads UTF-8 text or finds HTML in a
PDF, which is most of the work; a table of a dozen signatures is clearer.
"""

import codecs
import dataclasses
import re
import struct
import unicodedata
import zlib

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 8192  # read from the start of a file to decide its type


@dataclasses.dataclass(frozen=True)
class FileKind:
    """A recognised type: the MIME type it is served with, a name for people, the
    extension (without its dot) it is stored and downloaded under, whether a browser may
    show it inline, and how the document page previews it."""

    mime: str
    label: str
    extension: str
    inline: bool
    preview: str | None  # "image", "pdf", "text", "markdown", "office" or None


class FileTypeRefused(ValueError):
    """The file is not accepted; str(error) is the message for the agent."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


PDF = FileKind("application/pdf", gettext_lazy("PDF document"), "pdf", True, "pdf")
PDF_DOWNLOAD_ONLY = FileKind("application/pdf", PDF.label, "pdf", False, None)
PNG = FileKind("image/png", gettext_lazy("PNG image"), "png", True, "image")
JPEG = FileKind("image/jpeg", gettext_lazy("JPEG image"), "jpg", True, "image")
GIF = FileKind("image/gif", gettext_lazy("GIF image"), "gif", True, "image")
WEBP = FileKind("image/webp", gettext_lazy("WebP image"), "webp", True, "image")
TEXT = FileKind("text/plain", gettext_lazy("Text file"), "txt", True, "text")
MARKDOWN = FileKind("text/markdown", gettext_lazy("Markdown text"), "md", False, "markdown")
CSV = FileKind("text/csv", gettext_lazy("CSV table"), "csv", False, "text")
TEXT_DOWNLOAD_ONLY = FileKind(
    "application/octet-stream", gettext_lazy("Text file (download only)"), "txt", False, None
)
_ODF = "application/vnd.oasis.opendocument."
ODT = FileKind(_ODF + "text", gettext_lazy("OpenDocument text"), "odt", False, "office")
ODS = FileKind(
    _ODF + "spreadsheet", gettext_lazy("OpenDocument spreadsheet"), "ods", False, "office"
)
ODP = FileKind(
    _ODF + "presentation", gettext_lazy("OpenDocument presentation"), "odp", False, "office"
)
_OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = FileKind(
    _OOXML + "wordprocessingml.document", gettext_lazy("Word document"), "docx", False, "office"
)
XLSX = FileKind(
    _OOXML + "spreadsheetml.sheet", gettext_lazy("Excel workbook"), "xlsx", False, "office"
)
PPTX = FileKind(
    _OOXML + "presentationml.presentation",
    gettext_lazy("PowerPoint presentation"),
    "pptx",
    False,
    "office",
)
ZIP = FileKind("application/zip", gettext_lazy("ZIP archive"), "zip", False, None)

KINDS = (PDF, PNG, JPEG, GIF, WEBP, TEXT, MARKDOWN, CSV, ODT, ODS, ODP, DOCX, XLSX, PPTX, ZIP)

# Extensions a name may carry for each family of content; a name whose extension is in
# another family than the content is a disguise (see the module's docstring).
FAMILIES = {
    "pdf": {"pdf"},
    "image": {"png", "jpg", "jpeg", "jpe", "jfif", "gif", "webp"},
    "text": {"txt", "text", "md", "markdown", "csv"},
    "odt": {"odt"},
    "ods": {"ods"},
    "odp": {"odp"},
    "docx": {"docx"},
    "xlsx": {"xlsx"},
    "pptx": {"pptx"},
    "zip": {"zip"},
    "refused": {"doc", "xls", "ppt", "rtf"},  # recognised names of refused kinds
}
_FAMILY_OF_EXTENSION = {ext: family for family, exts in FAMILIES.items() for ext in exts}
_JPEG_EXTENSIONS = {"jpg", "jpeg", "jpe", "jfif"}
_OFFICE_FAMILIES = {"odt", "ods", "odp", "docx", "xlsx", "pptx"}
# Extensions that some program runs when the file is opened, or a browser renders as a
# page: refused whatever the content.
# Not reformatted: a list of names reads better packed than one a line.
DANGEROUS_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "mst", "dll", "cpl", "sys", "drv",
    "ocx", "vb", "vbs", "vbe", "js", "jse", "mjs", "cjs", "wsf", "wsh", "wsc", "hta", "ps1",
    "ps2", "psm1", "psd1", "ps1xml", "psc1", "reg", "lnk", "inf", "jar", "jnlp", "apk", "app",
    "appx", "msix", "sh", "bash", "zsh", "csh", "ksh", "run", "bin", "elf", "deb", "rpm", "dmg",
    "pkg", "iso", "img", "vhd", "vhdx", "url", "website", "scf", "desktop", "html", "htm",
    "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt", "swf", "php",
    "phtml", "asp", "aspx", "jsp", "cgi", "pl", "docm", "dotm", "xlsm", "xltm", "xlam", "pptm",
    "potm", "ppam", "ppsm", "sldm",
})  # fmt: skip

_EXECUTABLE_MAGIC = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, or a Java class
    b"\x00asm",
    b"dex\n",
    b"#!",
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # DOC, XLS, PPT, MSI
# Markup that makes a browser run something; searched in the head of inline binary types
# (polyglots) and of text (downgraded). Five bytes or more: too long to occur by chance in
# 8 KB of compressed image data.
_ACTIVE_MARKUP = re.compile(
    rb"<\s*(?:script|svg|iframe|object|embed|frameset|html|body|meta\s|base\s|form\s|link\s"
    rb"|style)|javascript:|vbscript:",
    re.IGNORECASE,
)
# Text that is a markup document from its first character.
_MARKUP_DOCUMENT = re.compile(
    r"<(?:!doctype|html|head|body|script|iframe|frameset|svg|\?xml|xsl:)", re.IGNORECASE
)
# The other starts of an HTML document a browser sniffs (WHATWG MIME sniffing).
_HTML_START = re.compile(
    r"<(?:!--|a|b|br|div|font|h1|p|style|table|title|img|span|center)[\s>/]", re.IGNORECASE
)
_PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA)(?![A-Za-z])")
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a\x1b")


def sniff(head: bytes, filename: str) -> FileKind:
    """The kind of a file from its first HEAD_BYTES bytes; FileTypeRefused when it is not
    accepted (the message says why). The name only serves to refuse disguises and to
    choose between plain text, Markdown and CSV."""
    head = bytes(head[:HEAD_BYTES])
    extension = _extension(safe_filename(filename))
    if extension in DANGEROUS_EXTENSIONS:
        raise FileTypeRefused(
            _("Files ending in “.%(extension)s” are not accepted.") % {"extension": extension},
            "dangerous_extension",
        )
    if not head:
        raise FileTypeRefused(_("The file is empty."), "empty")
    kind = _detect(head, extension)
    claimed = _FAMILY_OF_EXTENSION.get(extension)
    detected = _family(kind)
    if claimed and claimed != detected and not (claimed == "zip" and detected in _OFFICE_FAMILIES):
        raise FileTypeRefused(
            _("The content of this file (%(kind)s) does not match its “.%(extension)s” extension.")
            % {"kind": kind.label, "extension": extension},
            "mismatch",
        )
    return kind


def _family(kind: FileKind) -> str:
    if kind.mime.startswith("image/"):
        return "image"
    if kind.mime.startswith("text/") or kind.mime == "application/octet-stream":
        return "text"
    return kind.extension


def _detect(head: bytes, extension: str) -> FileKind:
    if head.startswith(_EXECUTABLE_MAGIC) or (head.startswith(b"MZ") and b"\x00" in head[:64]):
        raise FileTypeRefused(_("Programs and executable files are not accepted."), "executable")
    if head.startswith(_OLE):
        raise FileTypeRefused(
            _(
                "Old Office formats (DOC, XLS, PPT) are not accepted: save the document as "
                "ODT, ODS, ODP, DOCX, XLSX or PPTX."
            ),
            "legacy_office",
        )
    if head.startswith(b"%PDF-"):
        _refuse_polyglot(head, PDF)
        return PDF_DOWNLOAD_ONLY if _PDF_ACTIVE.search(head) else PDF
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return _refuse_polyglot(head, kind)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _refuse_polyglot(head, WEBP)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(head)
    text = _as_text(head)
    if text is None:
        if _FAMILY_OF_EXTENSION.get(extension) == "text":
            raise FileTypeRefused(
                _("This text file is not in UTF-8: save it as UTF-8 and send it again."),
                "not_utf8",
            )
        raise _unsupported()
    return _text_kind(text, extension)


_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)


def _unsupported() -> FileTypeRefused:
    return FileTypeRefused(
        _(
            "This type of file is not accepted. Accepted: PDF, images (PNG, JPEG, GIF, "
            "WebP), text (TXT, Markdown, CSV), OpenDocument and Office documents (ODT, ODS, "
            "ODP, DOCX, XLSX, PPTX) and ZIP archives."
        ),
        "unsupported",
    )


def _refuse_polyglot(head: bytes, kind: FileKind) -> FileKind:
    """A PDF or an image that also carries web page code is refused: some reader or
    browser could take it for a page."""
    if _ACTIVE_MARKUP.search(head):
        raise FileTypeRefused(
            _("This file is both a %(kind)s and web page code: it is refused.")
            % {"kind": kind.label},
            "polyglot",
        )
    return kind


# --- text ---------------------------------------------------------------------------------
def _as_text(head: bytes) -> str | None:
    """The head as text when it is UTF-8 without NUL and nearly without control
    characters; None otherwise."""
    if b"\x00" in head:
        return None
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # A head cut at HEAD_BYTES may end inside a character: not final then.
        text = decoder.decode(head, final=len(head) < HEAD_BYTES)
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if (c < " " or c == "\x7f") and c not in _TEXT_CONTROLS)
    return None if controls > len(text) // 100 else text


def _text_kind(text: str, extension: str) -> FileKind:
    start = text.lstrip(" \t\r\n\f\v\ufeff")
    if _MARKUP_DOCUMENT.match(start):
        raise FileTypeRefused(
            _(
                "HTML, SVG and XML files are not accepted: a browser could run scripts in "
                "them. Convert the document to PDF."
            ),
            "markup",
        )
    if _HTML_START.match(start) or _ACTIVE_MARKUP.search(text.encode()):
        kept = extension if _FAMILY_OF_EXTENSION.get(extension) == "text" else "txt"
        return dataclasses.replace(TEXT_DOWNLOAD_ONLY, extension=kept)
    if extension in ("md", "markdown"):
        return MARKDOWN
    if extension == "csv":
        return CSV
    return TEXT


# --- ZIP containers -----------------------------------------------------------------------
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_MAX_INFLATED = 256 * 1024  # of one entry read from the head ([Content_Types].xml)
_OOXML_MAIN = (
    ("wordprocessingml.document.main+xml", DOCX),
    ("spreadsheetml.sheet.main+xml", XLSX),
    ("presentationml.presentation.main+xml", PPTX),
)
_ODF_TYPES = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}
_EXECUTABLE_ENTRIES = {"meta-inf/manifest.mf", "androidmanifest.xml", "classes.dex"}


def _zip_entries(head: bytes):
    """(name, data) of the local entries whose header lies in the head; data is the
    entry's content as far as the head holds it (inflated when deflated), or None."""
    offset = 0
    while offset + _LOCAL_HEADER.size <= len(head):
        signature, _v, flags, method, _t, _d, _crc, size, _usize, name_len, extra_len = (
            _LOCAL_HEADER.unpack_from(head, offset)
        )
        if signature != b"PK\x03\x04":
            return
        start = offset + _LOCAL_HEADER.size + name_len + extra_len
        name = head[offset + _LOCAL_HEADER.size : offset + _LOCAL_HEADER.size + name_len]
        name = name.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        raw = head[start : start + size] if size else head[start:]
        data, consumed = _entry_data(raw, method)
        yield name, data
        if size:
            offset = start + size
        elif consumed is not None:  # sizes in a data descriptor after the data
            offset = start + consumed + 12
            if head[offset : offset + 4] == b"PK\x07\x08":
                offset += 4
        else:
            return


def _entry_data(raw: bytes, method: int) -> tuple[bytes | None, int | None]:
    if method == 0:
        return raw, None
    if method != 8:
        return None, None
    inflater = zlib.decompressobj(-15)
    try:
        data = inflater.decompress(raw, _MAX_INFLATED)
    except zlib.error:
        return None, None
    consumed = len(raw) - len(inflater.unused_data) if inflater.eof else None
    return data, consumed


def _zip_kind(head: bytes) -> FileKind:
    entries = list(_zip_entries(head))
    names = {name.lower() for name, _data in entries}
    if names & _EXECUTABLE_ENTRIES:
        raise FileTypeRefused(_("Programs and executable files are not accepted."), "executable")
    if any(name.endswith("vbaproject.bin") or name.startswith("basic/") for name in names):
        raise _macros()
    if entries and entries[0][0] == "mimetype":
        mime = (entries[0][1] or b"").decode("ascii", "replace").strip()
        if mime in _ODF_TYPES:
            return _ODF_TYPES[mime]
        raise _unsupported()  # other ODF kinds (drawings, templates), EPUB...
    content_types = next((data for name, data in entries if name == "[Content_Types].xml"), None)
    if content_types is not None:
        declared = content_types.decode("utf-8", "replace")
        if "macroenabled" in declared.lower():
            raise _macros()
        for main, kind in _OOXML_MAIN:
            if main in declared:
                return kind
        raise _unsupported()  # templates, slide shows, Visio, XPS...
    return ZIP


def _macros() -> FileTypeRefused:
    return FileTypeRefused(
        _(
            "Documents with macros are not accepted: save the document without macros "
            "(DOCX, XLSX, PPTX or OpenDocument)."
        ),
        "macros",
    )


# --- names --------------------------------------------------------------------------------
_MAX_NAME_BYTES = 255
_FORBIDDEN_CHARACTERS = re.compile(r'[<>:"|?*]')
_RESERVED_NAMES = re.compile(
    r"con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$", re.IGNORECASE
)


def safe_filename(name: str) -> str:
    """A name fit to show and to offer as a download: no folder, no traversal, no control,
    bidirectional or invisible character, no name Windows reserves, NFC, at most 255 bytes
    of UTF-8 with its extension kept, never empty ("document")."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            continue  # controls, bidi overrides, zero-width, unassigned
        kept.append(" " if category == "Zs" else char)
    name = _FORBIDDEN_CHARACTERS.sub("_", "".join(kept))
    name = re.sub(r" {2,}", " ", name).strip(" .")
    if _RESERVED_NAMES.fullmatch(name.split(".", 1)[0].rstrip(" ")):
        name = "_" + name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        stem, extension = name, ""
    return _limited(stem, extension) or "document"


def final_filename(name: str, kind: FileKind) -> str:
    """safe_filename(name) ending in the detected kind's extension: an extension of the
    kind is kept ("photo.jpeg"), another known one is replaced ("photo.png"), and an
    unknown one is kept before the new extension ("compte-rendu.v2" → "….v2.pdf")."""
    name = safe_filename(name)
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    lowered = extension.lower()
    if lowered == kind.extension or (kind.extension == "jpg" and lowered in _JPEG_EXTENSIONS):
        return _limited(stem, lowered)
    if lowered in _FAMILY_OF_EXTENSION or lowered in DANGEROUS_EXTENSIONS:
        return _limited(stem, kind.extension)
    return _limited(name, kind.extension)


def _limited(stem: str, extension: str) -> str:
    """stem.extension cut to 255 bytes of UTF-8 in the stem, the extension kept whole."""
    suffix = f".{extension}" if extension else ""
    room = _MAX_NAME_BYTES - len(suffix.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" .")
    return f"{stem}{suffix}" if stem else ""


def _extension(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""

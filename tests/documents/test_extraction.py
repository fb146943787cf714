"""Text extraction: a real file of each kind, and hostile files that must end "failed"
within the limits without harming the caller."""

import os
import signal
from pathlib import Path

import pytest

from intranet.documents import filetypes
from intranet.documents.extraction import Extraction, check_zip, extract_text, stop_helper
from tests.documents import samples


@pytest.fixture
def write(tmp_path):
    """Write bytes to a file with a generated name (no extension, as stored)."""

    def write(data: bytes) -> str:
        path = tmp_path / f"f{len(list(tmp_path.iterdir()))}"
        path.write_bytes(data)
        return str(path)

    return write


@pytest.fixture
def limits(settings):
    """Short limits, so that a hostile file's failure comes quickly."""
    settings.TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS = 5
    settings.TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB = 512
    return settings


REAL = [
    (
        "pdf",
        lambda: samples.pdf_bytes(["Budget prévisionnel 2027", "Deuxième page : loyers"]),
        filetypes.PDF,
        ["Budget prévisionnel 2027", "Deuxième page : loyers"],
    ),
    (
        "odt",
        lambda: samples.odt_bytes(["Compte rendu", "Réunion du comité"]),
        filetypes.ODT,
        ["Compte rendu", "Réunion du comité"],
    ),
    (
        "ods",
        lambda: samples.ods_bytes([["poste", "montant"], ["loyer", "1200"]]),
        filetypes.ODS,
        ["poste", "loyer", "1200"],
    ),
    (
        "odp",
        lambda: samples.odp_bytes(["Stratégie", "Calendrier"]),
        filetypes.ODP,
        ["Stratégie", "Calendrier"],
    ),
    (
        "docx",
        lambda: samples.docx_bytes(["Note de service", "Télétravail le vendredi"]),
        filetypes.DOCX,
        ["Note de service", "Télétravail le vendredi", "cellule Note de service"],
    ),
    (
        "xlsx",
        lambda: samples.xlsx_bytes([["poste", "montant"], ["chauffage", 830]]),
        filetypes.XLSX,
        ["Budget", "poste\tmontant", "chauffage\t830"],
    ),
    (
        "pptx",
        lambda: samples.pptx_bytes(["Objectifs 2027"]),
        filetypes.PPTX,
        ["Objectifs 2027", "détail Objectifs 2027"],
    ),
    (
        "txt",
        lambda: "Ordre du jour\névénements".encode(),
        filetypes.TEXT,
        ["Ordre du jour\névénements"],
    ),
    ("csv", lambda: b"poste;montant\nloyer;1200\n", filetypes.CSV, ["loyer;1200"]),
]


@pytest.mark.parametrize(("name", "make", "kind", "expected"), REAL, ids=[r[0] for r in REAL])
def test_a_real_file_of_each_kind_gives_its_text(write, name, make, kind, expected):
    result = extract_text(write(make()), kind.mime)
    assert result.status == "ok", result.reason
    for piece in expected:
        assert piece in result.text
    assert result.peak_kb > 0


def test_markdown_is_extracted_as_plain_text(write):
    source = "# Titre\n\n*Gras* et [lien](https://exemple.fr) `code`\n\n```\nbloc\n```\n<b>x</b>\n"
    result = extract_text(write(source.encode()), filetypes.MARKDOWN.mime)
    assert result.status == "ok"
    assert result.text.split("\n")[:4] == ["Titre", "Gras et lien code", "bloc", "<b>x</b>"]


def test_a_document_without_text_is_empty(write):
    result = extract_text(write(samples.pdf_bytes([""])), filetypes.PDF.mime)
    assert (result.status, result.text) == ("empty", "")
    assert extract_text(write(b"  \n\t"), "text/plain").status == "empty"


def test_images_and_archives_have_no_text_and_start_no_child(write):
    assert extract_text(write(samples.image_bytes("PNG")), "image/png") == Extraction("empty", "")
    assert extract_text(write(samples.zip_bytes({"a": b"x"})), "application/zip").status == "empty"


def test_an_unknown_type_fails(write):
    assert extract_text(write(b"x"), "application/x-unknown").status == "failed"


def test_text_is_capped_at_the_setting(write, settings):
    settings.TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS = 25
    result = extract_text(
        write(samples.docx_bytes(["a" * 20, "b" * 20, "c" * 20])), filetypes.DOCX.mime
    )
    assert result.status == "ok"
    assert len(result.text) <= 25
    assert result.text.startswith("a" * 20)


# --- hostile files ------------------------------------------------------------------------
HOSTILE = [
    (
        "encrypted-pdf",
        lambda: samples.encrypted_pdf_bytes("Secret"),
        filetypes.PDF,
        "encrypted PDF",
    ),
    ("truncated-pdf", lambda: samples.pdf_bytes(["Budget"] * 3)[:200], filetypes.PDF, ""),
    ("pdf-page-loop", samples.looping_pdf_bytes, filetypes.PDF, "cyclic"),
    ("pdf-deep-page-tree", samples.deep_page_tree_pdf_bytes, filetypes.PDF, ""),
    ("not-a-pdf", lambda: b"%PDF-1.7\n" + os.urandom(4000), filetypes.PDF, ""),
    (
        "zip-bomb-total",
        lambda: samples.overlapping_zip_bomb(samples.docx_bytes(["x"]), "word/a.bin", 8, 40),
        filetypes.DOCX,
        "bytes once uncompressed",
    ),
    (
        "zip-bomb-ratio",
        lambda: samples.zip_bomb_entry(samples.odt_bytes(["x"]), "Pictures/a.png", 20),
        filetypes.ODT,
        "compressed",
    ),
    ("billion-laughs-docx", samples.billion_laughs_docx, filetypes.DOCX, "declares a DTD"),
    ("billion-laughs-odt", samples.billion_laughs_odt, filetypes.ODT, "declares a DTD"),
    (
        "billion-laughs-xlsx",
        lambda: samples.replaced_entry(
            samples.xlsx_bytes([["x"]]),
            "xl/worksheets/sheet1.xml",
            samples.BILLION_LAUGHS + b"<a/>",
        ),
        filetypes.XLSX,
        "declares a DTD",
    ),
    ("nested-docx", samples.nested_docx, filetypes.DOCX, "depth"),
    ("nested-odt", samples.nested_odt, filetypes.ODT, "nested too deeply"),
    ("corrupt-pptx", lambda: samples.pptx_bytes(["x"])[:3000], filetypes.PPTX, ""),
    ("zip-not-office", lambda: samples.zip_bytes({"a.txt": b"x"}), filetypes.XLSX, ""),
]


@pytest.mark.parametrize(("name", "make", "kind", "reason"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_fails_within_the_limits(write, limits, name, make, kind, reason):
    result = extract_text(write(make()), kind.mime)
    assert (result.status, result.text) == ("failed", "")
    assert reason in result.reason
    assert not result.reason.startswith("timed out")  # refused early, not by the clock


def test_a_document_taking_longer_than_the_limit_is_stopped(write, settings):
    settings.TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS = 1
    path = write(samples.pdf_bytes([f"page {n} " * 40 for n in range(6000)]))
    result = extract_text(path, filetypes.PDF.mime)
    assert result.status == "failed"
    assert result.reason in ("timed out after 1 s", f"killed by signal {signal.SIGXCPU}")


def test_a_document_needing_more_memory_than_the_limit_fails(write, settings):
    settings.TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB = 150
    text = b"ligne de texte\n" * 6_000_000  # 90 MB
    settings.TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS = len(text)
    result = extract_text(write(text), filetypes.TEXT.mime)
    assert result.status == "failed"
    assert "MemoryError" in result.reason


def test_the_next_document_after_a_failure_is_read_normally(write, limits):
    assert extract_text(write(samples.billion_laughs_odt()), filetypes.ODT.mime).status == "failed"
    result = extract_text(write(samples.odt_bytes(["Après"])), filetypes.ODT.mime)
    assert (result.status, result.text) == ("ok", "Après")


def _helper_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"intranet.documents.extraction" in cmdline:
            pids.append(int(entry.name))
    return pids


def test_a_killed_helper_is_replaced_and_the_call_fails_softly(write):
    path = write(samples.docx_bytes(["Texte"]))
    assert extract_text(path, filetypes.DOCX.mime).status == "ok"
    (pid,) = _helper_pids()
    os.kill(pid, signal.SIGKILL)
    first = extract_text(path, filetypes.DOCX.mime)
    assert first.status in ("ok", "failed")  # lost with the helper, or on a new one
    assert extract_text(path, filetypes.DOCX.mime).status == "ok"
    assert _helper_pids() != [pid]
    stop_helper()
    assert _helper_pids() == []


def test_check_zip_accepts_a_real_office_file(write):
    check_zip(write(samples.xlsx_bytes([["a", 1]])))

"""CSV exports that open cleanly in the spreadsheet an agent has: Excel set to French.

Excel reads a CSV file as the system's ANSI code page unless it starts with a byte order
mark, and splits columns on the locale's list separator, which is ";" in French (the
comma is the decimal separator there). So every export is UTF-8 with a BOM, separated by
";" when the page's language is French and by "," otherwise. LibreOffice reads both.

Cells typed by people may start like a formula (=, +, -, @, or a tab or carriage return)
and would run in the spreadsheet: such cells get a leading apostrophe (OWASP's advice for
CSV injection).
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.translation import get_language

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_delimiter(language: str | None = None) -> str:
    """The list separator of language's spreadsheets (the active language by default)."""
    language = (language or get_language() or "").lower()
    return ";" if language.split("-")[0] == "fr" else ","


def csv_text(rows: Iterable[Sequence], *, delimiter: str | None = None) -> str:
    """rows as CSV text (every cell neutralised by csv_cell), without the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter or csv_delimiter())
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def csv_response(rows: Iterable[Sequence], *, filename: str) -> HttpResponse:
    """A CSV file to download: UTF-8 with a BOM, the active language's separator."""
    response = HttpResponse(
        csv_text(rows).encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
    )
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "export.csv"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response

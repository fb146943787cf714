"""The coverage matrix as CSV, safe to open in a spreadsheet.

Department and theme names are typed by people: a cell starting with =, +, -, @ (or a
tab or carriage return) would run as a formula in Excel or LibreOffice, so such cells get
a leading apostrophe (OWASP's advice for CSV injection).
"""

import csv
import io

from django.utils.translation import gettext as _

from intranet.experts.selectors import Coverage

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def coverage_csv(coverage: Coverage) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            csv_cell(_("Department")),
            *(csv_cell(t.name) for t in coverage.themes),
            csv_cell(_("Themes without ambassador")),
        ]
    )
    for row in coverage.rows:
        writer.writerow([csv_cell(row.department.label), *row.cells, row.gaps])
    return buffer.getvalue()

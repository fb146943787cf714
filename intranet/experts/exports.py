"""The coverage matrix as spreadsheet rows (written by intranet.core.spreadsheets, which
neutralises cells that would run as formulas)."""

from django.utils.translation import gettext as _

from intranet.core.spreadsheets import csv_cell
from intranet.experts.selectors import Coverage

__all__ = ["coverage_rows", "csv_cell"]


def coverage_rows(coverage: Coverage) -> list[list]:
    rows = [[_("Department"), *(t.name for t in coverage.themes), _("Themes without ambassador")]]
    for row in coverage.rows:
        rows.append([row.department.label, *row.cells, row.gaps])
    return rows

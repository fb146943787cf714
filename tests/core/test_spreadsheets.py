"""CSV exports open cleanly in French Excel: UTF-8 with a BOM, ";" in French, "," in
English, formulas neutralised (intranet.core.spreadsheets)."""

import csv
import io

from django.utils import translation

from intranet.core.spreadsheets import csv_delimiter, csv_response, csv_text

ROWS = [["Direction", "Thème"], ["Équipe; «spéciale»", 3], ["=1+1", "-2"]]


def read(response, delimiter):
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM, once
    assert not response.content[3:].startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


def test_french_export_has_a_bom_and_semicolons():
    with translation.override("fr"):
        response = csv_response(ROWS, filename="couverture-2026-12-07.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="couverture-2026-12-07.csv"'
    assert response.content.decode("utf-8-sig").splitlines()[0] == "Direction;Thème"
    assert read(response, ";") == [
        ["Direction", "Thème"],
        ["Équipe; «spéciale»", "3"],  # a ";" inside a cell is quoted, not a new column
        ["'=1+1", "'-2"],
    ]


def test_english_export_uses_commas():
    with translation.override("en"):
        response = csv_response(ROWS, filename="export.csv")
    assert read(response, ",")[1] == ["Équipe; «spéciale»", "3"]


def test_delimiter_follows_the_language():
    assert csv_delimiter("fr") == csv_delimiter("fr-ca") == ";"
    assert csv_delimiter("en") == csv_delimiter("en-gb") == ","
    assert csv_text([["a", "b"]], delimiter=",") == "a,b\r\n"


def test_hostile_filename_cannot_break_the_header():
    response = csv_response(ROWS, filename='x"; filename="evil.exe\r\nSet-Cookie: a=b')
    assert "\n" not in response["Content-Disposition"]
    assert response["Content-Disposition"].count('"') == 2


def test_coverage_export_opens_in_french_excel(client, alice, staff):
    client.force_login(alice)
    response = client.get("/experts/coverage.csv")
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header == "Service;Thèmes sans ambassadeur"
    assert response.content.startswith(b"\xef\xbb\xbf")

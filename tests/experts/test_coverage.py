"""Coverage matrix: departments × themes, filters, constant query count, safe CSV."""

import csv
import datetime
import io

from django.urls import reverse

from intranet.experts import services
from intranet.experts.exports import csv_cell
from intranet.experts.selectors import coverage_matrix
from tests.factories import UserFactory, make_department


def serve(actor, theme, agent):
    ambassador = services.ambassador_invite(
        actor,
        theme=theme,
        department=agent.department,
        agent=agent,
        starts_on=datetime.date.today(),
    )
    return services.ambassador_respond(agent, ambassador.pk, accept=True)


def test_matrix_counts_serving_ambassadors_and_shows_gaps(staff, alice, carol, rgpd_theme):
    numerique = services.theme_create(staff, name="Numérique")
    serve(staff, rgpd_theme, alice)
    invited = services.ambassador_invite(
        staff,
        theme=numerique,
        department=carol.department,
        agent=carol,
        starts_on=datetime.date.today(),
    )
    matrix = coverage_matrix(alice)
    assert [t.name for t in matrix.themes] == ["Numérique", "RGPD"]
    cells = {row.department.name: row.cells for row in matrix.rows}
    assert cells["Direction des finances"] == [0, 1]
    assert cells["Direction des ressources humaines"] == [0, 0]  # an invitation is no mandate
    assert cells["Direction générale des services"] == [0, 0]
    assert invited.status == "invited"


def test_filters_department_subtree_and_theme(staff, alice, finance, rgpd_theme):
    services.theme_create(staff, name="Numérique")
    make_department("Bureau du budget", parent=finance)
    make_department("Direction des ressources humaines")
    matrix = coverage_matrix(alice, department=finance, theme=rgpd_theme)
    assert [r.department.name for r in matrix.rows] == [
        "Direction des finances",
        "Bureau du budget",
    ]
    assert [t.name for t in matrix.themes] == ["RGPD"]


def test_matrix_query_count_is_constant(staff, rgpd_theme, django_assert_num_queries):
    for n in range(20):
        department = make_department(f"Service {n}")
        serve(staff, rgpd_theme, UserFactory(username=f"amb{n}", department=department))
        services.theme_create(staff, name=f"Thème {n}")
    with django_assert_num_queries(3):
        matrix = coverage_matrix(staff)
    assert len(matrix.rows) == 20 and len(matrix.themes) == 21


def test_csv_neutralises_formulas():
    assert [csv_cell(v) for v in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "ok", 3)] == [
        "'=1+1",
        "'+33",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "ok",
        "3",
    ]


def test_csv_export_with_hostile_names(alice_client, staff, alice):
    services.theme_create(staff, name='=HYPERLINK("http://x")')
    make_department("@SUM(1+1)")
    response = alice_client.get(reverse("experts:coverage-csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][1] == '\'=HYPERLINK("http://x")'
    assert "'@SUM(1+1)" in [row[0] for row in rows]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

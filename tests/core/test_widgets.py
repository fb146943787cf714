"""ListSelect (intranet.core.widgets) writes the markup of Django's select templates
(but for the blank lines their includes leave between options)."""

import re

from django import forms

from intranet.core.widgets import ListSelect

CHOICES = [
    ("", "All departments"),
    (1, 'Direction <générale> & "services"'),
    (2, "\u2003Finances (DF)"),
    ("Group", [(3, "Inside"), (4, "Also inside")]),
]


def squeezed(html: str) -> str:
    """Django's markup without the blank lines between options."""
    return re.sub(r"\n\s*\n", "\n", html)


def test_list_select_writes_djangos_select_markup():
    for value in (None, "", 2, "2", 4, "nothing"):
        for attrs in (None, {"id": "id_department", "aria-describedby": "x", "required": True}):
            django_widget = forms.Select(choices=CHOICES)
            ours = ListSelect(choices=CHOICES)
            expected = django_widget.render("department", value, attrs)
            assert ours.render("department", value, attrs) == squeezed(expected)


def test_list_select_in_a_bound_form_keeps_the_selected_choice():
    class Filter(forms.Form):
        department = forms.TypedChoiceField(choices=CHOICES, coerce=int, widget=ListSelect)

    html = str(Filter({"department": "2"})["department"])
    assert '<option value="2" selected>' in html

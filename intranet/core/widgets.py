"""Form widgets for long lists: the directory's and the expert finder's filters, the time
zones of an agent's settings.

Django renders a <select> through a template, and each of its options through another
(an `{% include %}` per option): the department list of a filter form cost about a fifth
of the directory's CPU and half the expert finder's, the 600 time zones most of the
settings page's. `ListSelect` writes the same markup in Python
(django/forms/widgets/select.html, select_option.html and attrs.html);
tests/core/test_widgets.py keeps it identical to Django's.
"""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: ` name="value"`, a bare name for True, none for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class ListSelect(forms.Select):
    """A <select> with the markup of Django's templates, without rendering them."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"', widget["name"]), _attrs(widget["attrs"]), ">"]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html('\n  <option value="{}"', str(option["value"]))
                    + _attrs(option["attrs"])
                    + format_html(">{}</option>", option["label"])
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - names, values and labels escaped

"""The search form: the query and the facets. Invalid facet values are simply ignored."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.search.engines import PERIODS
from intranet.search.registry import document_types
from intranet.search.selectors import MAX_PAGES, SORTS, Filters

MAX_INPUT = 10_000  # the parser keeps the beginning and says so; longer input is cut here


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, strip=True)
    kind = forms.ChoiceField(required=False)
    department = forms.IntegerField(required=False, min_value=1)
    group = forms.IntegerField(required=False, min_value=1)
    author = forms.IntegerField(required=False, min_value=1)
    period = forms.ChoiceField(required=False, choices=[("", "")] + [(p, p) for p in PERIODS])
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=list(SORTS.items()))
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "")] + [
            (kind, doc_type.label) for kind, doc_type in document_types().items()
        ]

    def clean_q(self):
        return self.cleaned_data["q"][:MAX_INPUT]

    def filters(self) -> Filters:
        """The valid fields as Filters; an invalid one falls back to its default."""
        self.is_valid()
        data = self.cleaned_data
        return Filters(
            kind=data.get("kind") or "",
            department=data.get("department"),
            group=data.get("group"),
            author=data.get("author"),
            period=data.get("period") or "",
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
        )

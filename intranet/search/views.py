"""The results page and the search-as-you-type endpoint."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from intranet.search import selectors
from intranet.search.forms import SearchForm


@require_GET
def search_results(request):
    form = SearchForm(request.GET)
    filters = form.filters()
    outcome = selectors.search(request.user, form.cleaned_data.get("q", ""), filters)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "q": form.cleaned_data.get("q", ""),
        "outcome": outcome,
        "filters": filters,
        "page": outcome.page,
        "query_string": params.urlencode(),
        "facet_links": facet_links(request.GET, outcome),
        "sorts": selectors.SORTS,
    }
    status = 503 if outcome.unavailable else 200
    return render(request, "search/search_results.html", context, status=status)


def facet_links(get, outcome) -> list[dict]:
    """Each facet group with, per value, the query string that toggles it."""
    titles = selectors.FACET_TITLES
    groups = []
    for name, values in outcome.facets.items():
        links = []
        for value in values:
            params = get.copy()
            params.pop("page", None)
            if value.selected:
                params.pop(name, None)
            else:
                params[name] = value.value
            links.append({"facet": value, "query": params.urlencode()})
        if links:
            groups.append({"name": name, "title": titles[name], "links": links})
    return groups


@require_GET
@never_cache
def search_suggest(request):
    results = selectors.suggestions(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": results})

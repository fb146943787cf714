"""The 405 page in the site's design.

Views refuse a method with HttpResponseNotAllowed (require_GET, require_POST), an empty
response the browser shows as a blank page: someone who reloads a page reached by a form,
or follows a link to an action, is left with nothing. This middleware gives such answers
the site's page (templates/405.html), keeping the status and the Allow header; answers to
scripts (JSON) stay as they are.
"""

from django.http import HttpResponseNotAllowed
from django.template import loader


class MethodNotAllowedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed) or response.content:
            return response
        accept = request.headers.get("Accept", "")
        if "application/json" in accept and "text/html" not in accept:
            return response
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        html = loader.render_to_string(
            "405.html", {"allowed": allowed, "method": request.method[:20]}, request=request
        )
        response.content = html.encode()
        response["Content-Type"] = "text/html; charset=utf-8"
        return response

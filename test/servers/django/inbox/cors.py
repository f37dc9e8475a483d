"""CORS for pages of another port of the same host (the suites' test app, the demo): the page reads
``/api/me`` with its cookies and refreshes SimpleJWT tokens itself. Loopback origins only."""
import re

from django.http import HttpResponse

_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|localhost)(:\d{1,5})?$")


class LoopbackCorsMiddleware:
    """Reflects a loopback ``Origin`` with credentials allowed, and answers its preflights."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.headers.get("Origin", "")
        is_allowed = _LOOPBACK.match(origin) is not None
        if is_allowed and request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "authorization, content-type"
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        if is_allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
            response["Vary"] = "Origin"
        return response

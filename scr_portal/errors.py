"""The pages people see when something goes wrong: bad request, no permission, page not found, a fault in
the portal, and the database out of reach.

Every page here is rendered without the request's context processors, so it needs neither the database,
the session nor the signed-in person: those may be what failed. A database that cannot be reached answers
503 with Retry-After (it is usually back within minutes); any other fault answers 500. Django logs a fault
with the traceback (logger `django.request`); a known outage is logged once, at WARNING, in one line
(`OutageLogFilter`). The page itself never shows either.
"""

from __future__ import annotations

import logging
import sys

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.html import escape

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# Served only if an error template itself cannot be rendered, so a broken layout never hides the error.
_FALLBACK_PAGE = (
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Sorry, there is a problem'
    " – {portal}</title></head><body><h1>Sorry, there is a problem with the service</h1>"
    "<p>Try again later.</p><p>Nothing you saved before this is lost.</p></body></html>"
)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` means the database could not be reached or dropped the connection: worth trying again
    shortly. psycopg2 reports some dropped connections as a bare DatabaseError; its subclasses other than
    OperationalError (integrity, programming, data errors) are faults that trying again will not fix."""
    return isinstance(exc, OperationalError | InterfaceError) or type(exc) is DatabaseError


def _page(template_name: str, status: int, context: dict | None = None) -> HttpResponse:
    context = {"PORTAL_NAME": settings.PORTAL_NAME, **(context or {})}
    try:
        body = render_to_string(template_name, context)  # no request: no context processors, no queries
    except Exception:
        logger.exception("Could not render the error page %s; serving the plain one", template_name)
        body = _FALLBACK_PAGE.format(portal=escape(settings.PORTAL_NAME))
    response = HttpResponse(body, status=status)
    # An error raised while an outer middleware handles the response (the session being saved, say) is
    # turned into this page outside the inner middleware that adds these headers: set them here.
    response.setdefault(CSP_HEADER, build_policy())
    response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The portal's own refusals say why in plain words ("Only a business manager can open a review.")."""
    return _page("403.html", 403, {"reason": str(exception)})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the exception, so sys.exc_info() says what went wrong."""
    if database_unavailable(sys.exc_info()[1]):
        response = _page("503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = _page("500.html", 500)
    add_never_cache_headers(response)  # so no proxy or browser keeps the error page once it is over
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token: usually a page left open too long, or a signed-out tab."""
    return _page("403_csrf.html", 403)


class OutageLogFilter(logging.Filter):
    """On the `django.request` logger: a request refused because the database is out of reach (or gave up
    waiting, see DATABASE_STATEMENT_TIMEOUT) is a known outage, not a fault in the portal. It is logged once,
    at WARNING, in one line without the traceback; faults keep their ERROR and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if not database_unavailable(exc):
            return True
        request = getattr(record, "request", None)
        if request is not None:
            if getattr(request, "_outage_logged", False):
                return False
            request._outage_logged = True
        first_line = next(iter(str(exc).strip().splitlines()), "")
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.msg = f"{record.msg} (database unavailable: %s)"
        record.args = (*(record.args or ()), f"{type(exc).__name__}: {first_line}")
        record.exc_info, record.exc_text = None, None
        return True

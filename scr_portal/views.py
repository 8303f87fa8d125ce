"""Views that belong to the portal as a whole and read no domain data: the accessibility statement and the
health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scr_portal import health


@login_not_required
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html", {})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: 200 when every configured service answers, else 503."""
    states = health.services()
    ok = health.healthy(states)
    return JsonResponse({"status": "ok" if ok else "error", **states}, status=200 if ok else 503)

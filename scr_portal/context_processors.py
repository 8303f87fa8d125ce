"""Values every page's layout needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def _nav_items(request: HttpRequest) -> list[dict]:
    current = request.resolver_match.url_name if request.resolver_match else None
    items = [{"label": "Home", "url": reverse("home"), "names": {"home"}}]
    if request.user.is_staff:
        items.append({"label": "Administration", "url": reverse("admin:index"), "names": set()})
    return [{"label": i["label"], "url": i["url"], "active": current in i["names"]} for i in items]


def portal(request: HttpRequest) -> dict:
    ctx: dict = {"PORTAL_NAME": settings.PORTAL_NAME}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        ctx["nav_items"] = _nav_items(request)
    return ctx

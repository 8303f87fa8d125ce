"""Values every page's layout needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


def _nav_items(request: HttpRequest) -> list[dict]:
    current = request.resolver_match.url_name if request.resolver_match else None
    items = [
        {"label": "Home", "url": reverse("home"), "names": {"home"}},
        {
            "label": "Reviews",
            "url": reverse("review_list"),
            "names": {"review_list", "review_detail", "review_history"},
        },
        {
            "label": "Boards",
            "url": reverse("board_list"),
            "names": {"board_list", "board_detail", "board_history"},
        },
        {"label": "Your account", "url": reverse("account"), "names": {"account", "two_factor_setup"}},
    ]
    if request.user.is_staff:
        items.append({"label": "Administration", "url": reverse("admin:index"), "names": set()})
    return [{"label": i["label"], "url": i["url"], "active": current in i["names"]} for i in items]


def _header_boards(request: HttpRequest) -> list[str]:
    from reviews.selectors import boards_visible_to

    return list(boards_visible_to(request.user).order_by("name").values_list("name", flat=True))


def portal(request: HttpRequest) -> dict:
    ctx: dict = {"PORTAL_NAME": settings.PORTAL_NAME}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        ctx["nav_items"] = _nav_items(request)
        ctx["header_boards"] = _header_boards(request)
    return ctx

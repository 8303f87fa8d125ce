"""Values every page's layout needs (a context processor): the navigation, with the unread count and
the links the person may follow, and the person's boards."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .access import can, roles_held, visible_boards
from .models import Role
from .selectors import notifications_of


def _nav_items(request: HttpRequest, unread: int) -> list[dict]:
    current = request.resolver_match.url_name if request.resolver_match else None
    # Someone who only owns actions for their agency, or writes its information for a review, opens nothing
    # but those actions and requests (from their home page).
    held = roles_held(request.user)
    only_actions = bool(held) and held <= {Role.ACTION_OWNER, Role.AGENCY_AUTHOR}
    items = [
        ("Home", "home", {"home"}, 0),
        ("Reviews", "review_list", {"review_list", "review_detail", "review_history", "review_create"}, 0),
        ("Boards", "board_list", {"board_list", "board_detail", "board_history", "board_timescales"}, 0),
        ("Notifications", "notification_list", {"notification_list"}, unread),
        ("Your account", "account", {"account", "two_factor_setup"}, 0),
    ]
    if only_actions:
        items = [item for item in items if item[1] not in ("review_list", "board_list")]
    nav = [
        {"label": label, "url": reverse(name), "active": current in names, "count": count}
        for label, name, names, count in items
    ]
    if can(request.user, "view_registry"):
        nav.insert(
            3,
            {
                "label": "Lead reviewers",
                "url": reverse("registry_list"),
                "active": current in {"registry_list", "registry_create", "registry_edit"},
                "count": 0,
            },
        )
    if request.user.is_staff:
        nav.append({"label": "Administration", "url": reverse("admin:index"), "active": False, "count": 0})
    return nav


def _header_boards(request: HttpRequest) -> list[str]:
    return list(visible_boards(request.user).order_by("name").values_list("name", flat=True))


def portal(request: HttpRequest) -> dict:
    ctx: dict = {"PORTAL_NAME": settings.PORTAL_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # Unread and not yet done: a resolved "action needed" notification no longer asks for anything.
        unread = notifications_of(user).filter(read_at__isnull=True, resolved_at__isnull=True).count()
        ctx.update(
            nav_items=_nav_items(request, unread),
            header_boards=_header_boards(request),
            unread_notifications=unread,
        )
    return ctx

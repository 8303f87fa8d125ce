"""Views that belong to the portal as a whole: the home page, the accessibility statement, the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scr_portal import health
from scr_portal.breadcrumbs import crumbs


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The person's own work, by the roles they hold: one page, sections for each role."""
    from reviews import dashboards
    from reviews.models import Role
    from reviews.selectors import board_summaries_for, reviews_visible_to

    user = request.user
    roles = dashboards.roles_held(user)
    ctx: dict = {
        "is_manager": Role.BUSINESS_MANAGER in roles,
        "is_chair": Role.CHAIR in roles,
        "is_member": Role.BOARD_MEMBER in roles,
        "is_reviewer": Role.LEAD_REVIEWER in roles,
    }

    def board_sections() -> dict:
        sections = {
            "boards": list(board_summaries_for(user).order_by("name")),
            "review_count": reviews_visible_to(user).count(),
        }
        if ctx["is_manager"] or ctx["is_chair"]:
            sections["overdue"], sections["due_soon"] = dashboards.due_soon(user)
            sections["chart"] = dashboards.stage_chart(user)
            sections["overdue_actions"] = dashboards.overdue_actions_by_board(user)
        if ctx["is_chair"]:
            sections["awaiting_chair"] = list(dashboards.awaiting_chair(user))
        if ctx["is_member"]:
            sections["member_reviews"] = list(dashboards.for_board_member(user))
        return sections

    ctx.update(dashboards.cached(user, "home", board_sections))
    if ctx["is_reviewer"]:
        ctx["reviewer_reviews"] = [(r, dashboards.next_step(r)) for r in dashboards.for_lead_reviewer(user)]
    ctx.update(dashboards.action_sections(user))
    return render(request, "home.html", ctx)


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """How a review runs and who does what: the same for everyone signed in, so it reads no data. (The
    benchmark in bench/ uses it as its baseline: the layout and nothing else.)"""
    from reviews.models import Board

    targets = {f.name: f.default for f in Board._meta.get_fields() if f.name.endswith(("_days", "_months"))}
    return render(request, "help.html", {"targets": targets, "breadcrumbs": crumbs(("Help", None))})


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

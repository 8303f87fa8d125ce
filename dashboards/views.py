"""The home page (each person's own work, by the roles they hold) and the help page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reviews.models import Board
from scr_portal.breadcrumbs import crumbs

from . import selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """One page, sections for each role the person holds; every section reads only what they may see."""
    return render(request, "home.html", selectors.home_for(request.user))


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """How a review runs and who does what: the same for everyone signed in, so it reads no data. (The
    benchmark in bench/ uses it as its baseline: the layout and nothing else.)"""
    targets = {f.name: f.default for f in Board._meta.get_fields() if f.name.endswith(("_days", "_months"))}
    return render(request, "help.html", {"targets": targets, "breadcrumbs": crumbs(("Help", None))})

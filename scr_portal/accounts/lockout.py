"""How django-axes identifies a sign-in attempt and what a locked-out person sees."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The email address as sign-in matches it (trimmed, any capitals), so that "Jo@" and "jo@" count as
    one account's failures; otherwise each spelling would earn a fresh set of guesses."""
    value = (credentials or {}).get("username") or request.POST.get(settings.AXES_USERNAME_FORM_FIELD, "")
    return str(value).strip().lower()


def _in_words(minutes: int) -> str:
    if minutes % 60 == 0 and minutes >= 60:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_response(
    request: HttpRequest,
    response: HttpResponse | None = None,
    credentials: dict | None = None,
    *args,
    **kwargs,
) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request, "registration/locked_out.html", {"cooloff_in_words": _in_words(minutes)}, status=429
    )

"""Writes for boards and reviews."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Review, ReviewAccess


def review_access_record(*, review: Review, user, request: HttpRequest) -> ReviewAccess:
    """Logs that `user` opened `review` (the access log business managers and administrators read)."""
    return ReviewAccess.objects.create(
        review=review,
        user=user,
        path=request.get_full_path()[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )

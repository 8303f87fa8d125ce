"""A review's timeline on its page: paginated, opening on the latest entries, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import TimelineEntry
from reviews.views import TIMELINE_PAGE_SIZE

pytestmark = pytest.mark.django_db


def add_entries(review, n: int) -> None:
    start = timezone.now() - timedelta(days=n)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            review=review, at=start + timedelta(days=i), kind="update", title=f"Entry number {i:03}"
        )
        for i in range(n)
    )


def test_a_long_timeline_opens_on_its_latest_entries_and_pages_back(client, world):
    add_entries(world.north_review, TIMELINE_PAGE_SIZE * 2 + 5)
    client.force_login(world.north_manager)
    url = reverse("review_detail", args=[world.north_review.pk])
    latest = client.get(url).content.decode()
    assert "Entry number 054" in latest and "Entry number 000" not in latest
    assert "Earlier entries" in latest and "Later entries" not in latest
    total = TimelineEntry.objects.filter(review=world.north_review).count()
    assert f"of {total}, oldest first" in latest
    first = client.get(url, {"timeline": 1}).content.decode()
    assert "Entry number 000" in first and "Entry number 054" not in first
    assert "Later entries" in first


def test_a_nonsense_timeline_page_shows_the_last_page_rather_than_failing(client, world):
    add_entries(world.north_review, TIMELINE_PAGE_SIZE + 1)
    client.force_login(world.north_manager)
    response = client.get(reverse("review_detail", args=[world.north_review.pk]), {"timeline": "x9"})
    assert response.status_code == 200
    assert "Entry number 025" in response.content.decode()

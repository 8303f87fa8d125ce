"""The merged chronology: every agency's sent entries in date order, filtered by agency and period,
sortable, with gaps and same-day overlaps shown, paginated, in a fixed number of queries whatever its
length. Its CSV file, made by a worker: tests/conduct/test_chronology_export.py."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from conduct.models import ChronologyEntry
from conduct.selectors import PAGE_SIZE
from tests.conduct.helpers import author_for, entry, request_to
from tests.factories import AgencyFactory
from tests.querycount import cold_and_warm, listing

pytestmark = pytest.mark.django_db


def _many(info, world, agencies: int, per_agency: int, start: int = 0) -> None:
    """`agencies` agencies (each with its author, made once) having sent `per_agency` more entries each,
    numbered from `start`, on days spread over years, two agencies on some of the same days."""
    from conduct.models import InformationRequest

    for n in range(agencies):
        agency = AgencyFactory(name=f"Agency {n:02d}", boards=[world.north])
        made = InformationRequest.objects.filter(review=info.review, agency=agency).first()
        if made is None:
            author = author_for(agency, world.north, email=f"author{n}@agency.example")
            made = request_to(info.review, author, agency, status="accepted" if n % 2 else "submitted")
        ChronologyEntry.objects.bulk_create(
            ChronologyEntry(
                request=made,
                review_id=made.review_id,
                agency_id=agency.pk,
                occurred_on=date(2020, 1, 1) + timedelta(days=(i * 7 + n * 3) % 2000),
                event=f"Event {i} of agency {n}",
                source="Records",
            )
            for i in range(start, start + per_agency)
        )


def test_the_chronology_runs_the_same_queries_at_50_and_5000_entries_from_ten_agencies(client, info, world):
    """Pages 1 and 2 (of 5,000 entries, at 100 a page) run as many queries as page 1 of 50: the page's own are
    the review with its boards and appointments (3), the agencies asked (1), the count (1), the page (1),
    the last day of the page before (1, after the first page), the days two agencies share (1) and the
    analysis's episodes citing the page's entries (1); every page's are 9 for a lead reviewer (no boards to list in the layout)."""
    url = reverse("chronology", args=[info.review.pk])
    _many(info, world, 10, 5, start=0)
    assert ChronologyEntry.objects.count() == 50
    small, warm, response = cold_and_warm(client, world.north_reviewer, url + "?since=2019-01-01")
    assert len(small) == len(warm) and response.status_code == 200, listing(("cold", small), ("warm", warm))
    _many(info, world, 10, 495, start=5)
    assert ChronologyEntry.objects.count() == 5000 > 2 * PAGE_SIZE
    large, _, response = cold_and_warm(client, world.north_reviewer, url + "?since=2019-01-01")
    assert len(large) == len(small) == 17, listing(("50 entries", small), ("5,000 entries", large))
    second, _, response = cold_and_warm(client, world.north_reviewer, url + "?since=2019-01-01&page=2")
    assert len(second) == 18 and "Page 2 of 50" in response.content.decode(), listing(("page 2", second))


def test_entries_are_merged_in_date_order_with_gaps_and_overlaps(client, info, world):
    mine = request_to(info.review, info.author, info.agency, status="submitted")
    theirs = request_to(info.review, info.health_author, info.health, status="accepted")
    entry(mine, date(2024, 1, 10), event="Police attend the home")
    entry(theirs, date(2024, 1, 10), event="GP sees Child A")
    entry(theirs, date(2024, 3, 1), event="Health visitor visit")
    client.force_login(world.north_manager)
    page = client.get(reverse("chronology", args=[info.review.pk])).content.decode()
    assert page.index("Police attend the home") < page.index("Health visitor visit")
    assert page.count("Same day") == 2
    assert "No entries for 50 days" in page
    newest = client.get(reverse("chronology", args=[info.review.pk]) + "?order=newest").content.decode()
    assert newest.index("Health visitor visit") < newest.index("GP sees Child A")
    assert 'aria-sort="descending"' in newest


def test_entries_not_yet_sent_or_sent_back_are_left_out(client, info, world):
    entry(request_to(info.review, info.author, info.agency, status="asked"), event="Draft entry")
    entry(request_to(info.review, info.health_author, info.health, status="returned"), event="Returned entry")
    client.force_login(world.north_manager)
    page = client.get(reverse("chronology", args=[info.review.pk])).content.decode()
    assert "Draft entry" not in page and "Returned entry" not in page


def test_filtering_by_agency_and_period(client, info, world):
    mine = request_to(info.review, info.author, info.agency, status="submitted")
    theirs = request_to(info.review, info.health_author, info.health, status="accepted")
    entry(mine, date(2024, 1, 10), event="Police early")
    entry(mine, date(2024, 6, 10), event="Police late")
    entry(theirs, date(2024, 6, 11), event="Health late")
    client.force_login(world.north_manager)
    url = reverse("chronology", args=[info.review.pk])
    page = client.get(url, {"agency": info.health.pk}).content.decode()
    assert "Health late" in page and "Police" not in page.split("<tbody")[1]
    page = client.get(url, {"since": "2024-06-01", "until": "2024-06-10"}).content.decode()
    assert "Police late" in page and "Police early" not in page and "Health late" not in page
    bad = client.get(url, {"since": "2024-07-01", "until": "2024-06-01", "agency": "999999999999999999999"})
    assert bad.status_code == 200 and "were not understood" in bad.content.decode()

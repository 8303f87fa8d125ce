"""The information pages: the manager asks, the author sees only their own request and writes it, uploads
are checked with a clear message and nothing lost, the manager answers; the author's home and navigation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conduct.models import ChronologyEntry, InformationRequest
from tests.conduct.helpers import entry, request_to
from tests.responses.helpers import PDF_BYTES

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_the_manager_asks_an_agency_and_the_author_is_named(client, info, world):
    client.force_login(world.north_manager)
    url = reverse("information_request_create", args=[info.review.pk])
    page = client.get(url).content.decode()
    assert "Asha Author" in page and "Hal Health" in page
    due = timezone.localdate() + timedelta(days=10)
    response = client.post(
        url,
        {
            "agency": info.agency.pk,
            "author": info.author.pk,
            "asked_for": ["chronology", "records"],
            "reason": "Contacts with the family in 2024.",
            **_date("due_on", due),
        },
    )
    made = InformationRequest.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/information/{made.pk}/")
    listing = client.get(reverse("information_requests", args=[info.review.pk])).content.decode()
    assert info.agency.name in listing and "Asked" in listing and "Asha Author" in listing


def test_a_past_due_date_and_a_mismatched_author_are_refused_beside_their_fields(client, info, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("information_request_create", args=[info.review.pk]),
        {
            "agency": info.agency.pk,
            "author": info.health_author.pk,
            "asked_for": ["chronology"],
            "reason": "Why.",
            **_date("due_on", timezone.localdate() - timedelta(days=1)),
        },
    )
    assert response.status_code == 200
    assert "cannot be in the past" in response.content.decode()
    assert not InformationRequest.objects.exists()
    response = client.post(
        reverse("information_request_create", args=[info.review.pk]),
        {
            "agency": info.agency.pk,
            "author": info.health_author.pk,
            "asked_for": ["chronology"],
            "reason": "Why.",
            **_date("due_on", timezone.localdate() + timedelta(days=3)),
        },
    )
    assert "does not write for" in response.content.decode()
    assert not InformationRequest.objects.exists()


def test_the_author_adds_changes_removes_and_submits_entries(client, info, world):
    made = request_to(info.review, info.author, info.agency)
    client.force_login(info.author)
    add = reverse("chronology_entry_add", args=[info.review.pk, made.pk])
    response = client.post(
        add,
        {
            **_date("occurred_on", date(2025, 2, 3)),
            "occurred_at": "14:30",
            "event": "Child A seen at school nurse drop-in.",
            "source": "School nurse record",
            "significance": "concern",
        },
    )
    assert response.status_code == 302
    one = ChronologyEntry.objects.get()
    assert (one.occurred_at.hour, one.agency, one.review) == (14, info.agency, info.review)
    edit = reverse("chronology_entry_edit", args=[info.review.pk, made.pk, one.pk])
    client.post(
        edit,
        {**_date("occurred_on", date(2025, 2, 4)), "event": "Changed.", "source": "S", "significance": "key"},
    )
    one.refresh_from_db()
    assert (one.occurred_on, one.event, one.occurred_at) == (date(2025, 2, 4), "Changed.", None)
    two = entry(made, date(2025, 1, 1))
    client.post(reverse("chronology_entry_delete", args=[info.review.pk, made.pk, two.pk]))
    assert list(ChronologyEntry.objects.all()) == [one]
    client.post(reverse("information_submit", args=[info.review.pk, made.pk]))
    made.refresh_from_db()
    assert made.status == "submitted"
    page = client.get(reverse("information_request", args=[info.review.pk, made.pk])).content.decode()
    assert "Add a chronology entry" not in page and "Submit to the business manager" not in page
    assert client.get(add).status_code == 302  # locked: back to the request, saying why


def test_a_future_event_date_is_refused(client, info):
    made = request_to(info.review, info.author, info.agency)
    client.force_login(info.author)
    response = client.post(
        reverse("chronology_entry_add", args=[info.review.pk, made.pk]),
        {
            **_date("occurred_on", timezone.localdate() + timedelta(days=2)),
            "event": "x",
            "source": "y",
            "significance": "routine",
        },
    )
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()
    assert not ChronologyEntry.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.html", b"<html><script>x()</script></html>", "The selected file must be a PDF or Word"),
        ("report.pdf", b"", "empty"),
    ],
)
def test_an_upload_of_the_wrong_kind_is_refused_with_a_clear_message(client, info, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = request_to(info.review, info.author, info.agency, wants_report=True)
    entry(made)
    client.force_login(info.author)
    response = client.post(
        reverse("information_report_upload", args=[info.review.pk, made.pk]),
        {"report": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 200 and message in response.content.decode()
    made.refresh_from_db()
    assert not made.report and made.entries.count() == 1  # nothing kept, nothing lost


def test_an_upload_over_the_limit_is_refused_and_the_document_kept(client, info, settings, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scr_portal import uploads
    from tests.conduct.helpers import with_report

    made = with_report(request_to(info.review, info.author, info.agency, wants_report=True))
    monkeypatch.setattr(uploads, "MAX_DOCUMENT_BYTES", 100)
    monkeypatch.setattr(uploads.check_upload, "__kwdefaults__", {"max_bytes": 100})
    client.force_login(info.author)
    response = client.post(
        reverse("information_report_upload", args=[info.review.pk, made.pk]),
        {"report": SimpleUploadedFile("big.pdf", PDF_BYTES)},
    )
    assert response.status_code == 200 and "must be smaller than 100" in response.content.decode()
    made.refresh_from_db()
    assert made.report_name == "Agency report.pdf"


def test_the_author_uploads_a_pdf_and_the_reader_downloads_it(client, info, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    made = request_to(info.review, info.author, info.agency, wants_report=True)
    client.force_login(info.author)
    client.post(
        reverse("information_report_upload", args=[info.review.pk, made.pk]),
        {"report": SimpleUploadedFile("../../Police report.pdf", PDF_BYTES)},
    )
    made.refresh_from_db()
    assert made.report_name == "Police report.pdf" and made.report.name.startswith("agency-reports/")
    client.force_login(world.north_reviewer)
    download = client.get(reverse("information_report_download", args=[info.review.pk, made.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert 'filename="Police report.pdf"' in download["Content-Disposition"]


def test_the_manager_accepts_or_sends_back(client, info, world):
    made = request_to(info.review, info.author, info.agency, status="submitted")
    entry(made)
    client.force_login(world.north_manager)
    page = client.get(reverse("information_request", args=[info.review.pk, made.pk])).content.decode()
    assert "Accept the submission" in page and "Send it back" in page
    client.post(reverse("information_send_back", args=[info.review.pk, made.pk]), {"reason": "Add 2024."})
    made.refresh_from_db()
    assert made.status == "returned"
    client.force_login(info.author)
    page = client.get(reverse("information_request", args=[info.review.pk, made.pk])).content.decode()
    assert "Add 2024." in page and "Add a chronology entry" in page


def test_the_author_sees_only_their_request_on_their_home_page_and_nothing_else(client, info, world):
    mine = request_to(info.review, info.author, info.agency)
    theirs = request_to(info.review, info.health_author, info.health, status="submitted")
    entry(theirs, event="Health's secret entry")
    client.force_login(info.author)
    home = client.get(reverse("home")).content.decode()
    assert "Information asked of you" in home
    assert reverse("information_request", args=[info.review.pk, mine.pk]) in home
    assert reverse("information_request", args=[info.review.pk, theirs.pk]) not in home
    assert 'href="/reviews/"' not in home and 'href="/boards/"' not in home  # no Reviews or Boards to open
    for url in (
        reverse("review_detail", args=[info.review.pk]),
        reverse("information_requests", args=[info.review.pk]),
        reverse("chronology", args=[info.review.pk]),
        reverse("information_request", args=[info.review.pk, theirs.pk]),
        reverse("child_edit", args=[info.review.pk, world.north_child.pk]),
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("information_request", args=[info.review.pk, mine.pk])).content.decode()
    assert "Health's secret entry" not in page
    assert 'href="/reviews/' + str(info.review.pk) + '/"' not in page  # no crumb to the review page


def test_an_ended_membership_ends_the_author_s_access(client, info):
    from reviews.models import Membership

    mine = request_to(info.review, info.author, info.agency)
    Membership.objects.filter(user=info.author).update(is_active=False)
    client.force_login(info.author)
    assert client.get(reverse("information_request", args=[info.review.pk, mine.pk])).status_code == 404


def test_a_board_member_sees_the_list_but_not_what_agencies_sent(client, info, world):
    made = request_to(info.review, info.author, info.agency, status="submitted")
    client.force_login(world.north_member)
    page = client.get(reverse("information_requests", args=[info.review.pk])).content.decode()
    assert (
        info.agency.name in page
        and reverse("information_request", args=[info.review.pk, made.pk]) not in page
    )
    assert client.get(reverse("information_request", args=[info.review.pk, made.pk])).status_code == 403
    assert client.get(reverse("chronology", args=[info.review.pk])).status_code == 403


def test_the_review_page_links_to_the_information_while_in_progress(client, info, world):
    client.force_login(world.north_reviewer)
    page = client.get(reverse("review_detail", args=[info.review.pk])).content.decode()
    assert reverse("information_requests", args=[info.review.pk]) in page


def test_an_agency_author_signs_in_without_a_second_factor(client, info):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": info.author.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

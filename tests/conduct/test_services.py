"""The information from agencies' services: asking, writing, submitting, answering; what each refuses."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conduct import services
from conduct.models import InformationRequest
from reviews.models import Notification, TimelineEntry
from scr_portal.uploads import DOCX, PDF, named_upload
from tests.conduct.helpers import entry, request_to
from tests.responses.helpers import PDF_BYTES

pytestmark = pytest.mark.django_db


def _ask(info, world, **overrides):
    fields = {
        "review": info.review,
        "user": world.north_manager,
        "agency": info.agency,
        "author": info.author,
        "asked_for": ["chronology", "report"],
        "reason": "What the agency knew of Child A from 2024.",
        "due_on": timezone.localdate() + timedelta(days=21),
    }
    return services.information_request_create(**(fields | overrides))


def test_asking_records_the_request_notes_the_timeline_and_tells_the_author(info, world):
    made = _ask(info, world)
    assert made.status == "asked" and made.wants_chronology and made.wants_report and not made.wants_records
    assert TimelineEntry.objects.filter(review=info.review, title__contains="asked for information").exists()
    note = Notification.objects.get(recipient=info.author)
    assert note.kind == Notification.Kind.ACTION_NEEDED and note.path.endswith(f"/information/{made.pk}/")


def test_a_due_date_in_the_past_is_refused(info, world):
    with pytest.raises(services.InformationRefused) as refused:
        _ask(info, world, due_on=timezone.localdate() - timedelta(days=1))
    assert refused.value.field == "due_on"
    assert not InformationRequest.objects.exists()


def test_the_author_must_write_for_the_agency_asked(info, world):
    with pytest.raises(services.InformationRefused) as refused:
        _ask(info, world, author=info.health_author)
    assert refused.value.field == "author"


def test_agencies_are_asked_only_while_the_review_is_in_progress(info, world):
    type(info.review).objects.filter(pk=info.review.pk).update(state="commissioning")
    info.review.refresh_from_db()
    with pytest.raises(services.InformationRefused, match="in progress"):
        _ask(info, world)


def test_submitting_needs_what_was_asked_for_then_locks_the_submission(info, world):
    made = _ask(info, world)
    with pytest.raises(services.InformationRefused, match="chronology entry"):
        services.information_submit(request=made, user=info.author)
    services.chronology_entry_save(
        request=made,
        user=info.author,
        occurred_on=date(2025, 1, 5),
        occurred_at=None,
        event="Seen at clinic.",
        source="Clinic notes",
        significance="routine",
    )
    with pytest.raises(services.InformationRefused, match="document"):
        services.information_submit(request=made, user=info.author)
    upload = named_upload(SimpleUploadedFile("report.pdf", PDF_BYTES), allowed=(PDF, DOCX))
    services.information_report_store(request=made, user=info.author, upload=upload)
    done = services.information_submit(request=made, user=info.author)
    assert done.status == "submitted" and done.submitted_at
    with pytest.raises(services.InformationRefused, match="cannot change"):
        services.chronology_entry_save(
            request=made,
            user=info.author,
            occurred_on=date(2025, 1, 6),
            occurred_at=None,
            event="x",
            source="y",
            significance="key",
        )
    assert Notification.objects.filter(recipient=world.north_manager, title__contains="submitted").exists()


def test_sent_back_with_a_reason_unlocks_it_and_tells_the_author(info, world):
    made = request_to(info.review, info.author, info.agency, status="submitted")
    entry(made)
    with pytest.raises(services.InformationRefused, match="why"):
        services.information_answer(request=made, user=world.north_manager, accept=False, reason=" ")
    back = services.information_answer(
        request=made, user=world.north_manager, accept=False, reason="Add 2024."
    )
    assert back.status == "returned" and back.is_open_to_author and back.return_reason == "Add 2024."
    assert Notification.objects.filter(recipient=info.author, body__contains="Add 2024.").exists()
    services.chronology_entry_save(
        request=back,
        user=info.author,
        occurred_on=date(2024, 6, 1),
        occurred_at=None,
        event="Referral received.",
        source="Front door",
        significance="concern",
    )
    again = services.information_submit(request=back, user=info.author)
    accepted = services.information_answer(request=again, user=world.north_manager, accept=True)
    assert accepted.status == "accepted" and accepted.answered_by == world.north_manager


def test_only_a_waiting_submission_is_answered(info, world):
    made = request_to(info.review, info.author, info.agency)
    with pytest.raises(services.InformationRefused, match="waiting"):
        services.information_answer(request=made, user=world.north_manager, accept=True)


def test_a_replaced_document_is_removed_once_the_new_one_is_kept(
    info, world, media, django_capture_on_commit_callbacks
):
    made = request_to(info.review, info.author, info.agency, wants_report=True)
    first = named_upload(SimpleUploadedFile("one.pdf", PDF_BYTES), allowed=(PDF,))
    services.information_report_store(request=made, user=info.author, upload=first)
    made.refresh_from_db()
    old = made.report.path
    second = named_upload(SimpleUploadedFile("two.pdf", PDF_BYTES), allowed=(PDF,))
    with django_capture_on_commit_callbacks(execute=True):
        services.information_report_store(request=made, user=info.author, upload=second)
    made.refresh_from_db()
    assert made.report_name == "two.pdf"
    assert not os.path.exists(old) and os.path.exists(made.report.path)

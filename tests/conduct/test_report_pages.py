"""The report's pages: the review page links to it; the lead reviewer adds a draft; the manager sends it
to an agency, whose member replies; the lead reviewer deals with the comment; quality assurance and the
family's view are recorded; the chair accepts, and the review moves to report received. Regime words."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conduct.models import AccuracyCheck, AccuracyComment, DraftFamilyFeedback, FamilyMember, ReportDraft
from reviews.models import State
from tests.conduct.report_helpers import DOCX_TYPE, docx_bytes, draft

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _docx(*text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("Draft – Child A.docx", docx_bytes(*text), content_type=DOCX_TYPE)


def test_the_report_from_first_draft_to_report_received(client, info, world):
    review = info.review
    page = reverse("report", args=[review.pk])
    client.force_login(world.north_member)
    assert page in client.get(reverse("review_detail", args=[review.pk])).content.decode()

    client.force_login(world.north_reviewer)
    response = client.post(
        reverse("report_draft_add", args=[review.pk]), {"file": _docx("Child A was seen."), "notes": "First"}
    )
    assert response.status_code == 302 and response["Location"] == page
    made = ReportDraft.objects.get()
    assert made.version == 1 and made.file_name == "Draft – Child A.docx"

    client.force_login(world.north_manager)
    response = client.post(
        reverse("report_accuracy_send", args=[review.pk, made.pk]),
        {"agencies": [info.agency.pk], **_date("due_on", timezone.localdate())},
    )
    assert response.status_code == 302
    asked = AccuracyCheck.objects.get()

    client.force_login(world.north_member)
    shown = client.get(page).content.decode()
    assert reverse("report_accuracy_reply", args=[review.pk, asked.pk]) in shown
    assert client.get(reverse("report_draft_download", args=[review.pk, made.pk])).status_code == 200
    response = client.post(
        reverse("report_accuracy_reply", args=[review.pk, asked.pk]),
        {"where_1": "Page 4", "comment_1": "The visit was on 4 March."},
    )
    assert response.status_code == 302
    comment = AccuracyComment.objects.get()

    client.force_login(world.north_reviewer)
    assert "Not yet dealt with" in client.get(page).content.decode()
    client.post(
        reverse("report_comment_respond", args=[review.pk, comment.pk]), {"response": "Corrected on page 4."}
    )
    client.post(
        reverse("report_family_add", args=[review.pk, made.pk]),
        {**_date("seen_on", timezone.localdate()), "said": "Mother A agreed with the findings."},
    )
    client.force_login(world.north_manager)
    client.post(
        reverse("report_assurance_add", args=[review.pk, made.pk]),
        {
            "assured_by": "The review panel",
            **_date("assured_on", timezone.localdate()),
            "outcome": "assured",
            "comments": "",
        },
    )
    shown = client.get(page).content.decode()
    assert (
        "Corrected on page 4." in shown and "Mother A agreed" in shown and "Assured: ready to accept" in shown
    )

    client.force_login(world.north_chair)
    response = client.post(
        reverse("report_accept", args=[review.pk, made.pk]), _date("received_on", timezone.localdate())
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == State.REPORT_RECEIVED and review.final_report_name == made.file_name
    shown = client.get(page).content.decode()
    assert "was accepted as the final report" in shown and "Add a draft" not in shown


def test_a_draft_naming_the_family_is_refused_with_the_reason(client, info, world):
    FamilyMember.objects.create(
        review=info.review, real_name="Jane Zebedee", pseudonym="Aunt", relationship="Aunt"
    )
    made = draft(info.review, "The Zebedee family moved in May.", assured=True)
    client.force_login(world.north_chair)
    response = client.post(
        reverse("report_accept", args=[info.review.pk, made.pk]), _date("received_on", timezone.localdate())
    )
    assert response.status_code == 302
    shown = client.get(response["Location"]).content.decode()
    assert "The draft names the family" in shown and "“Aunt”" in shown and "Zebedee" not in shown
    info.review.refresh_from_db()
    assert info.review.state == State.IN_PROGRESS


def test_a_wrong_file_and_a_bad_reply_are_shown_beside_their_fields(client, info, world):
    client.force_login(world.north_reviewer)
    response = client.post(
        reverse("report_draft_add", args=[info.review.pk]),
        {"file": SimpleUploadedFile("draft.docx", b"not a document"), "notes": ""},
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not ReportDraft.objects.exists()
    made = draft(info.review)
    AccuracyCheck.objects.create(
        draft=made,
        review=info.review,
        agency=info.agency,
        due_on=timezone.localdate(),
        asked_by=world.north_manager,
    )
    asked = AccuracyCheck.objects.get()
    client.force_login(world.north_member)
    response = client.post(
        reverse("report_accuracy_reply", args=[info.review.pk, asked.pk]),
        {"no_comments": "on", "where_1": "Page 2", "comment_1": "Wrong"},
    )
    assert "not both" in response.content.decode()
    response = client.post(
        reverse("report_accuracy_reply", args=[info.review.pk, asked.pk]), {"where_2": "p. 3"}
    )
    assert "Enter comment 2" in response.content.decode()


def test_a_practice_review_speaks_of_the_partnership_and_partners(client, partnership):
    from tests.conduct.helpers import in_progress
    from tests.factories import AppointmentFactory

    review = in_progress(partnership.review)
    AppointmentFactory(review=review, reviewer=partnership.reviewer)
    draft(review)
    client.force_login(partnership.manager)
    shown = client.get(reverse("report", args=[review.pk])).content.decode()
    assert "partnership" in shown and "accepted by the partners" in shown
    for legacy in ("LSCB", "Serious Case Review", "board chair"):
        assert legacy not in shown


def test_what_the_family_said_of_a_draft_is_shown_only_to_the_family_records_keepers(client, info, world):
    made = draft(info.review, "A draft.")
    DraftFamilyFeedback.objects.create(
        draft=made,
        seen_on=timezone.localdate(),
        said="Mother felt unheard by the school.",
        recorded_by=world.north_manager,
    )
    for person in (world.north_manager, world.north_reviewer):
        client.force_login(person)
        assert "Mother felt unheard" in client.get(reverse("report", args=[info.review.pk])).content.decode()
    for person in (world.north_chair, world.north_member):
        client.force_login(person)
        shown = client.get(reverse("report", args=[info.review.pk])).content.decode()
        assert "Mother felt unheard" not in shown and "kept with the family record" in shown


def test_the_report_page_shows_where_the_evidence_of_marker_14_stands(client, info, world):
    draft(info.review)
    client.force_login(world.north_member)
    shown = client.get(reverse("report", args=[info.review.pk])).content.decode()
    assert "Quality marker 14" in shown and "No agency has replied on a draft" in shown

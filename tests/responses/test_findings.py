"""The final report and its findings, and the response overview (the Quality Marker 15 self-check is tested
in tests/markers/)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from responses.models import Finding, LearningItem
from reviews.models import State, TimelineEntry
from tests.responses.helpers import PDF_BYTES, action, at_stage, finding, plan_priority, theme


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def review(world):
    return at_stage(world.north_review, State.REPORT_RECEIVED)


def _finding_data(**extra) -> dict:
    return {
        "number": "1",
        "title": "Information was not shared",
        "text": "Police knew; nobody asked.",
        **extra,
    }


def test_the_business_manager_records_findings_one_by_one(client, world, review):
    client.force_login(world.north_manager)
    neglect = theme("Neglect")

    response = client.post(
        reverse("finding_add", args=[review.pk]), _finding_data(themes=[neglect.pk], another="1")
    )

    assert response.status_code == 302 and response["Location"] == reverse("finding_add", args=[review.pk])
    made = Finding.objects.get(review=review)
    assert (made.number, made.title, list(made.themes.all())) == (1, "Information was not shared", [neglect])
    assert TimelineEntry.objects.filter(review=review, title__startswith="Finding 1 recorded").exists()
    # The next finding is numbered for them.
    assert client.get(reverse("finding_add", args=[review.pk])).context["form"].initial["number"] == 2


def test_a_finding_number_used_already_is_refused_with_a_clear_message(client, world, review):
    finding(review, 1)
    client.force_login(world.north_manager)

    response = client.post(reverse("finding_add", args=[review.pk]), _finding_data())

    assert response.status_code == 200
    assert "There is already a finding 1. Choose another number." in response.content.decode()
    assert Finding.objects.filter(review=review).count() == 1


def test_required_fields_say_what_to_enter(client, world, review):
    client.force_login(world.north_manager)
    page = client.post(
        reverse("finding_add", args=[review.pk]), {"number": "", "title": "", "text": ""}
    ).content.decode()
    for message in ("Enter finding number", "Enter short title", "Enter the finding"):
        assert message in page


def test_changing_a_finding_keeps_its_links(client, world, review):
    made = finding(review, 1, themes=("Neglect",))
    client.force_login(world.north_manager)

    client.post(
        reverse("finding_edit", args=[review.pk, made.pk]),
        _finding_data(title="Renamed", themes=[theme("Voice of the child").pk]),
    )

    made.refresh_from_db()
    assert made.title == "Renamed" and [t.name for t in made.themes.all()] == ["Voice of the child"]


def test_a_finding_with_actions_cannot_be_removed(client, world, review):
    made = finding(review, 1)
    action(review, world.north_member, findings=[made])
    client.force_login(world.north_manager)

    response = client.post(reverse("finding_delete", args=[review.pk, made.pk]), {})

    assert response.status_code == 200
    assert "has actions linked to it" in response.content.decode()
    assert Finding.objects.filter(pk=made.pk).exists()


def test_a_finding_recorded_by_mistake_can_be_removed(client, world, review):
    made = finding(review, 1)
    client.force_login(world.north_manager)
    assert client.post(reverse("finding_delete", args=[review.pk, made.pk]), {}).status_code == 302
    assert not Finding.objects.filter(pk=made.pk).exists()


def test_a_finding_of_another_review_is_not_found(client, world, review):
    other = finding(at_stage(world.cross_border_review, State.REPORT_RECEIVED), 1)
    client.force_login(world.north_manager)
    assert client.get(reverse("finding_edit", args=[review.pk, other.pk])).status_code == 404


def test_findings_cannot_change_once_the_response_is_published(client, world):
    review = at_stage(world.north_review, State.PUBLISHED)
    made = finding(review, 1)
    client.force_login(world.north_manager)
    assert client.get(reverse("finding_edit", args=[review.pk, made.pk])).status_code == 403
    assert client.get(reverse("response_report", args=[review.pk])).status_code == 200


def test_the_report_downloads_for_board_people_only(client, world, review):
    client.force_login(world.north_member)
    response = client.get(reverse("report_download", args=[review.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    for person in (world.north_reviewer, world.east_manager):
        client.force_login(person)
        assert client.get(reverse("report_download", args=[review.pk])).status_code in (403, 404)


def test_replacing_the_report_checks_the_file_and_records_why(client, world, review):
    client.force_login(world.north_manager)
    url = reverse("report_replace", args=[review.pk])

    refused = client.post(
        url, {"final_report": SimpleUploadedFile("report.pdf", b"MZ not a pdf"), "reason": "Corrected"}
    )
    assert "The selected file must be a PDF or Word or Word 97-2003 document" in refused.content.decode()

    done = client.post(
        url,
        {"final_report": SimpleUploadedFile("Report v2.pdf", PDF_BYTES), "reason": "Chronology corrected"},
    )
    assert done.status_code == 302
    review.refresh_from_db()
    assert review.final_report_name == "Report v2.pdf"
    entry = TimelineEntry.objects.filter(review=review, title="Final report replaced").get()
    assert "Chronology corrected" in entry.body


def test_related_learning_and_priorities_sit_beside_each_finding(client, world, review):
    finding(review, 1, themes=("Neglect",))
    finding(review, 2, themes=("Safe sleep",))
    item = LearningItem.objects.create(
        board=world.north,
        title="Audit of neglect",
        source="audit",
        summary="x",
        learned_on="2025-01-01",
        created_by=world.north_manager,
    )
    item.themes.set([theme("Neglect")])
    plan_priority(world.north, 1, themes=("Neglect",))
    client.force_login(world.north_member)

    page = client.get(reverse("response_report", args=[review.pk])).content.decode()

    first, second = page.split('id="finding-1"')[1].split('id="finding-2"')
    assert "Audit of neglect" in first and "Priority 1" in first
    assert "Audit of neglect" not in second and "Nothing on these themes" in second


def test_the_report_page_keeps_its_query_count_however_many_findings(client, world, review):
    client.force_login(world.north_member)
    url = reverse("response_report", args=[review.pk])
    finding(review, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(2, 31):
        finding(review, n, themes=("Neglect", "Voice of the child"))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# Overview and self-check ------------------------------------------------------------------------------


def test_the_overview_shows_where_each_part_stands(client, world):
    review = at_stage(world.north_review, State.RESPONSE)
    finding(review, 1)
    action(review, world.north_member, findings=list(review.findings.all()))
    client.force_login(world.north_chair)

    page = client.get(reverse("response", args=[review.pk])).content.decode()

    assert "1 finding, the board's position agreed on 0" in page
    assert "1 action" in page and "No meeting recorded yet." in page and "No version made yet." in page


def test_the_review_page_links_to_the_response_for_board_people(client, world):
    review = at_stage(world.north_review, State.RESPONSE)
    client.force_login(world.north_member)
    assert (
        reverse("response", args=[review.pk])
        in client.get(reverse("review_detail", args=[review.pk])).content.decode()
    )
    client.force_login(world.north_reviewer)
    assert (
        reverse("response", args=[review.pk])
        not in client.get(reverse("review_detail", args=[review.pk])).content.decode()
    )

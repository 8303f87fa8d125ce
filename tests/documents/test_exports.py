"""An action plan as an Excel file, made by a worker: asked for with a POST from the plan's page, recorded
as queued, written row by row with its progress shown, downloaded when ready; only by the person who asked,
and only while they may still see the plan. Failed ones can be tried again; stale ones are handed out again;
made ones are removed after a day."""

from __future__ import annotations

import io
from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError
from openpyxl import load_workbook

from documents import services
from documents.models import Export
from documents.tasks import make_export, requeue_stale
from responses.actions import export as action_export
from responses.models import Action
from reviews.models import Membership
from scr_portal import outbox
from tests.responses.helpers import action, agency_of, at_stage, finding

pytestmark = pytest.mark.django_db

Status = Export.Status


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _many(review, owner, count: int, start: int = 1) -> None:
    """`count` plain actions of `review` (made in bulk, for speed), each linked to the review's finding 1."""
    first = review.findings.filter(number=1).first() or finding(review, 1)
    made = Action.objects.bulk_create(
        Action(
            review=review,
            number=n,
            description=f"Bulk action {n}",
            kind=Action.Kind.PRACTICAL,
            function=Action.Function.COORDINATE,
            level=Action.Level.MULTI_AGENCY,
            owner_agency=agency_of(owner, review.lead_board),
            owner=owner,
            priority=Action.Priority.MEDIUM,
            priority_reason="Because.",
            due_on=timezone.localdate() + timedelta(days=30),
            created_by=owner,
        )
        for n in range(start, start + count)
    )
    through = Action.findings.through
    through.objects.bulk_create(through(action_id=a.pk, finding_id=first.pk) for a in made)


def _ask(client, name: str, pk: int, query: str = "", *, run=None):
    """POSTs the plan page's Excel button; with `run` (django_capture_on_commit_callbacks), lets the queued
    task run as the embedded default does, once the request's transaction commits."""
    url = reverse(name, args=[pk]) + (f"?{query}" if query else "")
    if run is None:
        return client.post(url)
    with run(execute=True):
        return client.post(url)


def _sheet(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Action plan"]


# Asking, making, downloading ------------------------------------------------------------------------


def test_asking_records_a_queued_export_and_writes_nothing_on_the_request(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    client.force_login(world.north_member)

    response = _ask(client, "action_plan_xlsx", review.pk)  # the task is queued after a commit: none here

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_detail", args=[export.pk])
    assert (export.status, export.review, export.board, export.requested_by) == (
        Status.QUEUED,
        review,
        None,
        world.north_member,
    )
    assert not export.file and export.rows_done == 0 and export.rows_total is None
    assert export.label == "Action plan of NSCB-1 as an Excel file"
    page = client.get(response["Location"])
    assert "Waiting to be made" in page.text
    assert 'hx-get="{}"'.format(reverse("export_status", args=[export.pk])) in page.text


def test_asking_twice_while_the_first_is_on_its_way_gives_the_same_export(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    client.force_login(world.north_member)

    first = _ask(client, "action_plan_xlsx", review.pk)
    again = _ask(client, "action_plan_xlsx", review.pk)
    filtered = _ask(client, "action_plan_xlsx", review.pk, "status=agreed")

    assert first["Location"] == again["Location"] != filtered["Location"]
    assert Export.objects.count() == 2
    client.force_login(world.north_chair)
    assert _ask(client, "action_plan_xlsx", review.pk)["Location"] != first["Location"]


def test_the_embedded_default_makes_the_file_before_the_status_page_shows(
    client, world, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review)
    first = finding(review, 1, title="=Bruising not referred")
    action(review, world.north_member, findings=[first], description="=cmd|' /C calc'!A0")
    action(review, world.north_member, description="#N/A", priority_reason="@SUM(1)")
    action(review, world.north_member, description="Control\x07 character", due_on=date(2030, 1, 31))
    client.force_login(world.north_member)

    response = _ask(client, "action_plan_xlsx", review.pk, run=django_capture_on_commit_callbacks)

    export = Export.objects.get()
    assert export.status == Status.READY
    assert (export.rows_total, export.rows_done, export.attempts) == (3, 3, 1)
    assert export.file.name.startswith("exports/") and export.size == export.file.size
    page = client.get(response["Location"])
    assert "Ready" in page.text and "3 actions" in page.text
    assert reverse("export_download", args=[export.pk]) in page.text
    assert "hx-get" not in page.text  # nothing left to poll for

    download = client.get(reverse("export_download", args=[export.pk]))
    today = timezone.localdate()
    assert (
        download["Content-Disposition"] == f'attachment; filename="NSCB-1-action-plan-{today:%Y-%m-%d}.xlsx"'
    )
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert {"private", "no-store"} <= {part.strip() for part in download["Cache-Control"].split(",")}
    rows = list(_sheet(download).iter_rows())
    assert [c.value for c in rows[0]] == [c.header for c in action_export.COLUMNS]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    by_description = {row[2].value: row for row in rows[1:]}
    assert set(by_description) == {"'=cmd|' /C calc'!A0", "#N/A", "Control character"}
    error_code = by_description["#N/A"]
    assert error_code[2].data_type == "s"  # text, not Excel's "not available" error
    assert error_code[10].value == "'@SUM(1)"
    assert by_description["'=cmd|' /C calc'!A0"][3].value == "1. =Bruising not referred"  # not at the start
    due = by_description["Control character"][12]
    assert due.value.date() == date(2030, 1, 31) and due.number_format == "d mmm yyyy"


def test_progress_is_recorded_every_few_hundred_rows_not_every_row(world, monkeypatch):
    review = at_stage(world.north_review)
    _many(review, world.north_member, 1100)
    export = services.export_request(user=world.north_member, review=review, query="")
    seen = []
    write = action_export.write_xlsx

    def watched(actions, out, *, title, progress=None, **more):
        def recorded(done: int) -> None:
            progress(done)
            seen.append((done, *Export.objects.values_list("rows_done", "rows_total").get(pk=export.pk)))

        return write(actions, out, title=title, progress=recorded, **more)

    monkeypatch.setattr(action_export, "write_xlsx", watched)

    assert services.export_make(export.pk) == "made"

    assert seen == [(500, 500, 1100), (1000, 1000, 1100)]  # saved as it goes, where the page reads it
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.rows_total) == (Status.READY, 1100, 1100)
    with export.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read()))["Action plan"]
    descriptions = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(descriptions) == 1100 and len(set(descriptions)) == 1100


def test_the_status_page_shows_how_far_the_file_has_got(client, world):
    review = at_stage(world.north_review)
    export = Export.objects.create(
        review=review,
        label="Action plan of NSCB-1 as an Excel file",
        requested_by=world.north_member,
        status=Status.RENDERING,
        started_at=timezone.now(),
        rows_total=8647,
        rows_done=1500,
    )
    client.force_login(world.north_member)

    page = client.get(reverse("export_detail", args=[export.pk]))
    panel = client.get(reverse("export_status", args=[export.pk]))

    assert page.status_code == 200 and panel.status_code == 200  # still polling
    for text in (page.text, panel.text):
        assert "Being made" in text and "1,500 of 8,647 actions written (17%)" in text
    assert reverse("export_download", args=[export.pk]) not in page.text
    Export.objects.filter(pk=export.pk).update(status=Status.FAILED, error="Disk full.")
    failed = client.get(reverse("export_status", args=[export.pk]))
    assert failed.status_code == 286  # htmx stops polling
    assert "Disk full." in failed.text and "Try again" in failed.text


def test_a_board_plan_export_holds_the_boards_reviews_the_person_may_see_with_the_filters(
    client, world, django_capture_on_commit_callbacks
):
    action(at_stage(world.north_review), world.north_member, description="North only")
    action(at_stage(world.cross_border_review), world.south_member, description="Shared, high")
    action(
        at_stage(world.cross_border_review),
        world.south_member,
        description="Shared, low",
        priority=Action.Priority.LOW,
    )
    action(at_stage(world.south_review), world.south_member, description="South own")
    client.force_login(world.south_manager)

    response = _ask(
        client, "board_action_plan_xlsx", world.south.pk, "priority=1", run=django_capture_on_commit_callbacks
    )

    export = Export.objects.get()
    assert (export.board, export.review, export.query) == (world.south, None, "priority=1")
    assert export.label == f"Action plan of {world.south.name} (filtered) as an Excel file"
    page = client.get(response["Location"])
    assert f'href="{reverse("board_action_plan", args=[world.south.pk])}?priority=1"' in page.text
    download = client.get(reverse("export_download", args=[export.pk]))
    assert download["Content-Disposition"].startswith('attachment; filename="South-Safeguarding-Children-')
    held = sorted(row[2] for row in _sheet(download).iter_rows(min_row=2, values_only=True))
    assert held == ["Shared, high", "South own"]


def test_filters_that_are_not_understood_are_left_out_of_the_export(
    client, world, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review)
    action(
        review,
        world.north_member,
        description="Deferred",
        status=Action.Status.DEFERRED,
        deferred_reason="Later.",
        deferred_until=timezone.localdate() + timedelta(days=9),
    )
    action(review, world.north_member, description="Agreed")
    client.force_login(world.north_member)
    query = (
        "status=deferred&owner=999999&rag=purple&priority=x&page=3&mine=on&evil=%3Cscript%3E&owner_agency=-1"
    )

    response = _ask(client, "action_plan_xlsx", review.pk, query, run=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    export = Export.objects.get()
    assert export.query == "mine=on&status=deferred"
    download = client.get(reverse("export_download", args=[export.pk]))
    assert [row[2] for row in _sheet(download).iter_rows(min_row=2, values_only=True)] == ["Deferred"]


def test_asking_needs_a_post_with_the_csrf_token(world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.north_member)
    url = reverse("action_plan_xlsx", args=[review.pk])

    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    plan = strict.get(reverse("action_plan", args=[review.pk]))
    assert f'<form method="post" action="{url}">' in plan.text and "csrfmiddlewaretoken" in plan.text
    assert not Export.objects.exists()


# Only the person who asked, only while they may see the plan -------------------------------------------


def _made(world, review=None, board=None, user=None) -> Export:
    export = services.export_request(
        user=user or world.north_member,
        review=review,
        board=board,
        query="",
    )
    assert services.export_make(export.pk) == "made"
    export.refresh_from_db()
    return export


URLS = ("export_detail", "export_status", "export_download")


def test_someone_elses_export_is_not_found_even_with_the_same_rights(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member, description="Mine to download")
    export = _made(world, review=review)
    client.force_login(world.north_chair)  # may see the same plan; did not ask for this file

    for name in URLS:
        assert client.get(reverse(name, args=[export.pk])).status_code == 404, name
    assert client.post(reverse("export_retry", args=[export.pk])).status_code == 404


def test_someone_who_has_left_the_board_can_no_longer_download_their_export(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    mine = _made(world, review=review)
    board_wide = _made(world, board=world.north)
    client.force_login(world.north_member)
    for export in (mine, board_wide):
        assert client.get(reverse("export_download", args=[export.pk])).status_code == 200

    Membership.objects.filter(user=world.north_member, board=world.north).update(is_active=False)

    for export in (mine, board_wide):
        for name in URLS:
            assert client.get(reverse(name, args=[export.pk])).status_code == 404, name


def test_a_lead_reviewer_cannot_download_a_review_export_they_asked_for_while_allowed(client, world):
    """Visible but not allowed (403), as when the rule for the response changes under an export."""
    review = at_stage(world.north_review)
    action(review, world.north_member)
    export = _made(world, review=review)
    Export.objects.filter(pk=export.pk).update(requested_by=world.north_reviewer)
    client.force_login(world.north_reviewer)

    assert client.get(reverse("export_download", args=[export.pk])).status_code == 403


def test_the_worker_refuses_to_make_an_export_for_someone_who_lost_access(world):
    review = at_stage(world.north_review)
    action(review, world.north_member, description="Secret")
    export = services.export_request(user=world.north_member, review=review, query="")
    Membership.objects.filter(user=world.north_member, board=world.north).update(is_active=False)

    assert make_export.apply(args=[export.pk]).get() == "failed"
    export.refresh_from_db()
    assert export.status == Status.FAILED and not export.file
    assert export.error == "The person who asked for this file can no longer see the plan."


# Failing, retrying, requeueing, sweeping ---------------------------------------------------------------


def test_a_failed_export_says_why_and_can_be_tried_again(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review)
    action(review, world.north_member, description="Second time lucky")
    client.force_login(world.north_member)

    def broken(*args, **kwargs):
        raise ValueError("the sheet would not open")

    monkeypatch.setattr(action_export, "write_xlsx", broken)
    response = _ask(client, "action_plan_xlsx", review.pk, run=django_capture_on_commit_callbacks)
    export = Export.objects.get()
    assert export.status == Status.FAILED
    assert "ValueError: the sheet would not open" in client.get(response["Location"]).text
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(reverse("export_retry", args=[export.pk]))

    assert retried.status_code == 302
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == (Status.READY, 2, "")
    download = client.get(reverse("export_download", args=[export.pk]))
    assert [r[2] for r in _sheet(download).iter_rows(min_row=2, values_only=True)] == ["Second time lucky"]
    again = client.post(reverse("export_retry", args=[export.pk]), follow=True)
    assert "Only a file that could not be made can be tried again." in again.text


def test_making_a_ready_export_again_changes_nothing(world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    export = _made(world, review=review)

    assert services.export_make(export.pk) == "already ready"
    assert Export.objects.get(pk=export.pk).file.name == export.file.name
    assert services.export_make(10**9) == "missing"


def test_stale_exports_are_handed_out_again(world, monkeypatch):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    now = timezone.now()
    fresh, stale, died, alive = (
        Export.objects.create(review=review, label="x", requested_by=world.north_member) for _ in range(4)
    )
    Export.objects.filter(pk=stale.pk).update(requested_at=now - timedelta(minutes=5))
    Export.objects.filter(pk=died.pk).update(
        status=Status.RENDERING, claimed_by="another-machine:4242", lease_until=now - timedelta(seconds=1)
    )
    Export.objects.filter(pk=alive.pk).update(  # started long ago, but its worker still renews its lease
        status=Status.RENDERING,
        started_at=now - timedelta(hours=1),
        claimed_by="another-machine:4243",
        lease_until=now + timedelta(seconds=30),
    )
    sent = []
    monkeypatch.setattr(
        services.outbox,
        "send",
        lambda name, *args, delayed, background=False: sent.append((name, *args)) or True,
    )

    assert services.exports_requeue_stale(now) == 2

    assert sorted(sent) == sorted([("documents.make_export", stale.pk), ("documents.make_export", died.pk)])
    assert {fresh.pk, alive.pk}.isdisjoint(pk for _, pk in sent)


def test_exports_made_more_than_a_day_ago_are_removed_with_their_files(
    world, django_capture_on_commit_callbacks
):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    old, recent = _made(world, review=review), _made(world, review=review)
    Export.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=1, minutes=1))
    assert default_storage.exists(old.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        requeue_stale.apply().get()

    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(recent.file.name)


@pytest.mark.django_db(transaction=True)
def test_the_queue_being_away_leaves_the_export_queued_and_says_so(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    client.force_login(world.north_member)

    with mock.patch("documents.tasks.make_export.delay", side_effect=OperationalError("Connection refused")):
        response = _ask(client, "action_plan_xlsx", review.pk)

    assert Export.objects.get().status == Status.QUEUED
    page = client.get(response["Location"]).text
    assert escape(outbox.EXPORT_DELAYED) in page and "Waiting to be made" in page
    Export.objects.update(requested_at=timezone.now() - timedelta(minutes=5))
    assert "This is taking longer than usual" in client.get(response["Location"]).text

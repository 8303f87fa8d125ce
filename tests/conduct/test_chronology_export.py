"""The merged chronology as a CSV file, made by a worker through the export pipeline (documents.Export):
asked for with a POST from the chronology's page with its filters, recorded as queued, written row by row
with its progress shown on the export's page, downloaded when ready; only by the person who asked, and
only while they may still read the chronology. Every text cell is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conduct import export as chronology_export
from conduct.models import ChronologyEntry
from documents import services
from documents.models import Export
from documents.tasks import make_export
from tests.conduct.helpers import entry, request_to

pytestmark = pytest.mark.django_db

Status = Export.Status
HEADER = ["Date", "Time", "Agency", "What happened", "Source", "Significance"]


def _ask(client, review, data=None, *, run=None):
    """POSTs the chronology page's download button with `data` (its filter fields); with `run`
    (django_capture_on_commit_callbacks), lets the queued task run as the embedded default does, once the
    request's transaction commits."""
    url = reverse("chronology_csv", args=[review.pk])
    if run is None:
        return client.post(url, data or {})
    with run(execute=True):
        return client.post(url, data or {})


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def sent(info):
    """North's member's agency (submitted) and the health trust (accepted) have sent entries."""
    mine = request_to(info.review, info.author, info.agency, status="submitted")
    theirs = request_to(info.review, info.health_author, info.health, status="accepted")
    return mine, theirs


# Asking ----------------------------------------------------------------------------------------------


def test_the_page_offers_the_download_as_a_post_carrying_its_understood_filters(client, info, world, sent):
    mine, _ = sent
    entry(mine, date(2024, 1, 10))
    client.force_login(world.north_manager)

    page = client.get(
        reverse("chronology", args=[info.review.pk]),
        {"agency": info.agency.pk, "since": "2024-01-01", "until": "bad", "order": "newest"},
    ).text

    form = page.split(f'action="{reverse("chronology_csv", args=[info.review.pk])}"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<input type="hidden" name="agency" value="{info.agency.pk}">' in form
    assert '<input type="hidden" name="since" value="2024-01-01">' in form
    assert '<input type="hidden" name="order" value="newest">' in form
    assert 'name="until"' not in form  # not understood: left out, as the page leaves it out
    assert "Download as CSV" in form


def test_asking_records_a_queued_export_with_the_filters_and_writes_nothing_on_the_request(
    client, info, world, sent
):
    mine, _ = sent
    entry(mine, date(2024, 1, 10))
    client.force_login(world.north_reviewer)

    response = _ask(client, info.review, {"agency": info.agency.pk, "since": "2024-01-01"})  # no commit here

    export = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("export_detail", args=[export.pk])
    assert (export.kind, export.status, export.review, export.board, export.requested_by) == (
        Export.Kind.CHRONOLOGY,
        Status.QUEUED,
        info.review,
        None,
        world.north_reviewer,
    )
    assert export.query == f"agency={info.agency.pk}&since=2024-01-01"
    assert export.label == "Merged chronology of NSCB-1 (filtered) as a CSV file"
    assert not export.file and export.rows_done == 0 and export.rows_total is None
    page = client.get(response["Location"]).text
    assert "CSV file of the merged chronology" in page and "Waiting to be made" in page
    assert 'hx-get="{}"'.format(reverse("export_status", args=[export.pk])) in page
    back = reverse("chronology", args=[info.review.pk]) + f"?agency={info.agency.pk}&amp;since=2024-01-01"
    assert f'href="{back}"' in page
    # Asked twice while the first is on its way (a double click): the same export.
    assert (
        _ask(client, info.review, {"agency": info.agency.pk, "since": "2024-01-01"})["Location"]
        == (response["Location"])
    )
    assert Export.objects.count() == 1


def test_filters_that_are_not_understood_are_left_out_and_the_person_is_told(client, info, world, sent):
    client.force_login(world.north_manager)

    response = _ask(client, info.review, {"agency": "999999", "since": "2024-02-30", "order": "newest"})

    export = Export.objects.get()
    assert export.query == "order=newest"
    page = client.get(response["Location"]).text
    assert "Some filters were not understood and were left out of the file." in page


def test_asking_needs_a_post_with_the_csrf_token_and_the_old_streamed_csv_is_gone(info, world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.north_reviewer)
    url = reverse("chronology_csv", args=[info.review.pk])

    assert strict.get(url).status_code == 405
    assert strict.post(url).status_code == 403
    assert strict.get(f"/reviews/{info.review.pk}/chronology/export.csv").status_code == 404
    assert not Export.objects.exists()


# Making and downloading -----------------------------------------------------------------------------


def test_the_worker_writes_every_filtered_row_neutralising_formulas(
    client, info, world, sent, django_capture_on_commit_callbacks
):
    mine, theirs = sent
    entry(mine, date(2024, 1, 10), event='=HYPERLINK("http://evil","Click")', significance="key")
    entry(mine, date(2024, 2, 3), event="Police attend", source="@SUM(A1:A9)")
    entry(mine, date(2024, 3, 4), event="+44 7700 900000 called", significance="concern")
    entry(mine, date(2023, 12, 31), event="Before the period")
    entry(theirs, date(2024, 2, 1), event="GP visit")  # another agency: filtered out
    entry(request_to(info.review, world.north_author, status="asked"), date(2024, 2, 2), event="Draft")
    client.force_login(world.north_reviewer)

    response = _ask(
        client,
        info.review,
        {"agency": info.agency.pk, "since": "2024-01-01", "until": "2024-12-31"},
        run=django_capture_on_commit_callbacks,
    )

    export = Export.objects.get()
    assert export.status == Status.READY, export.error
    assert (export.rows_total, export.rows_done, export.attempts) == (3, 3, 1)
    assert export.file.name.startswith("exports/") and export.file.name.endswith(".csv")
    assert export.size == export.file.size
    page = client.get(response["Location"]).text
    assert "Ready" in page and "3 entries" in page and "Download the CSV file" in page
    assert "hx-get" not in page  # nothing left to poll for

    download = client.get(reverse("export_download", args=[export.pk]))
    today = timezone.localdate()
    assert download["Content-Disposition"] == f'attachment; filename="NSCB-1-chronology-{today:%Y-%m-%d}.csv"'
    assert download["Content-Type"].startswith("text/csv")
    assert download["X-Content-Type-Options"] == "nosniff"
    rows = _rows(download)
    assert rows[0] == HEADER
    assert rows[1:] == [
        ["2024-01-10", "", info.agency.name, '\'=HYPERLINK("http://evil","Click")', "Case file", "Key event"],
        ["2024-02-03", "", info.agency.name, "Police attend", "'@SUM(A1:A9)", "Routine"],
        ["2024-03-04", "", info.agency.name, "'+44 7700 900000 called", "Case file", "Concern"],
    ]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_progress_is_recorded_as_the_rows_are_written(world, info, sent, monkeypatch):
    mine, _ = sent
    ChronologyEntry.objects.bulk_create(
        ChronologyEntry(
            request=mine,
            review_id=mine.review_id,
            agency_id=mine.agency_id,
            occurred_on=date(2020, 1, 1) + timedelta(days=n),
            event=f"Event {n}",
            source="Records",
        )
        for n in range(1100)
    )
    export = services.export_request(
        user=world.north_manager, review=info.review, query="", kind=Export.Kind.CHRONOLOGY
    )
    seen = []
    write = chronology_export.write_csv

    def watched(entries, out, *, progress=None):
        def recorded(done: int) -> None:
            progress(done)
            seen.append((done, *Export.objects.values_list("rows_done", "rows_total").get(pk=export.pk)))

        return write(entries, out, progress=recorded)

    monkeypatch.setattr(chronology_export, "write_csv", watched)

    assert make_export.apply(args=[export.pk]).get() == "made"

    assert seen == [(500, 500, 1100), (1000, 1000, 1100)]  # saved as it goes, where the page reads it
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.rows_total) == (Status.READY, 1100, 1100)
    with export.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    assert len(rows) == 1101 and len({row[3] for row in rows[1:]}) == 1100


def test_the_status_page_shows_how_far_the_file_has_got(client, info, world):
    export = Export.objects.create(
        kind=Export.Kind.CHRONOLOGY,
        review=info.review,
        label="Merged chronology of NSCB-1 as a CSV file",
        requested_by=world.north_chair,
        status=Status.RENDERING,
        started_at=timezone.now(),
        rows_total=8647,
        rows_done=1500,
    )
    client.force_login(world.north_chair)

    page = client.get(reverse("export_detail", args=[export.pk]))
    panel = client.get(reverse("export_status", args=[export.pk]))

    assert page.status_code == 200 and panel.status_code == 200  # still polling
    for text in (page.text, panel.text):
        assert "Being made" in text and "1,500 of 8,647 entries written (17%)" in text
    assert reverse("export_download", args=[export.pk]) not in page.text
    assert "Merged chronology" in page.text and "Back to the merged chronology" in page.text


# Only the person who asked, only while they may read the chronology -------------------------------------


def _made(info, user) -> Export:
    export = services.export_request(user=user, review=info.review, query="", kind=Export.Kind.CHRONOLOGY)
    assert services.export_make(export.pk) == "made"
    export.refresh_from_db()
    return export


URLS = ("export_detail", "export_status", "export_download")


def test_the_file_is_refused_to_someone_who_may_not_read_the_chronology(client, info, world, sent):
    mine, _ = sent
    entry(mine, event="Not for a board member")
    export = _made(info, world.north_reviewer)
    client.force_login(world.north_reviewer)
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 200

    # A reader who did not ask for it is not told it exists.
    client.force_login(world.north_chair)
    for name in URLS:
        assert client.get(reverse(name, args=[export.pk])).status_code == 404, name

    # Someone on the review who may not read the chronology (a board member) is refused even their own.
    Export.objects.filter(pk=export.pk).update(requested_by=world.north_member)
    client.force_login(world.north_member)
    for name in URLS:
        assert client.get(reverse(name, args=[export.pk])).status_code == 403, name
    assert client.post(reverse("chronology_csv", args=[info.review.pk])).status_code == 403

    # An agency author, who sees nothing of the review but their own request, is not told it exists.
    Export.objects.filter(pk=export.pk).update(requested_by=world.north_author)
    client.force_login(world.north_author)
    for name in URLS:
        assert client.get(reverse(name, args=[export.pk])).status_code == 404, name


def test_the_worker_refuses_to_write_the_file_for_someone_who_may_not_read_the_chronology(info, world, sent):
    mine, _ = sent
    entry(mine, event="Secret")
    export = services.export_request(
        user=world.north_member, review=info.review, query="", kind=Export.Kind.CHRONOLOGY
    )

    assert make_export.apply(args=[export.pk]).get() == "failed"

    export.refresh_from_db()
    assert export.status == Status.FAILED and not export.file
    assert export.error == "The person who asked for this file can no longer read the merged chronology."


def test_a_chronology_export_is_always_of_a_review(world):
    with pytest.raises(ValueError):
        services.export_request(
            user=world.north_chair, board=world.north, query="", kind=Export.Kind.CHRONOLOGY
        )

"""Action plans exported to CSV and Excel: safe to open in a spreadsheet (no cell can run as a formula), the
same filters and scoping as the page, and nothing for people of other boards. The CSV is streamed; the Excel
file is asked for with a POST and made by a worker (in-process here), then downloaded from its own page
(tests/documents/test_exports.py covers that page and the job itself)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from documents.models import Export
from responses.actions import export
from responses.actions.export import COLUMNS, file_name, neutralise
from responses.models import Action
from tests.factories import AgencyFactory
from tests.responses.helpers import action, at_stage, finding, plan_priority

pytestmark = pytest.mark.django_db

DANGEROUS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTabbed", "\rReturned", '=HYPERLINK("http://x","y")']


def _csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse), "the CSV is streamed"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def excel(client, django_capture_on_commit_callbacks):
    """Asks for an Excel export as the plan page's button does (a POST with the page's query string), lets
    the worker make it (in-process), and gives the download's response."""

    def ask(name: str, pk: int, params: dict | None = None):
        url = reverse(name, args=[pk])
        with django_capture_on_commit_callbacks(execute=True):
            queued = client.post(url + ("?" + urlencode(params) if params else ""))
        assert queued.status_code == 302, queued.status_code
        export = Export.objects.latest("pk")
        assert queued["Location"] == reverse("export_detail", args=[export.pk])
        return client.get(reverse("export_download", args=[export.pk]))

    return ask


def _xlsx(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))["Action plan"]


@pytest.fixture
def dangerous(world):
    """Actions whose free text starts with each character a spreadsheet would treat as a formula."""
    review = at_stage(world.north_review)
    found = finding(review, title="=IMPORTXML(evil)")
    return [
        action(review, world.north_member, findings=[found], description=text, priority_reason=text)
        for text in DANGEROUS
    ]


def test_neutralise_prefixes_a_quote_only_where_needed():
    assert [neutralise(t) for t in DANGEROUS] == ["'" + t for t in DANGEROUS]
    assert neutralise("Audit 30 cases") == "Audit 30 cases"
    assert neutralise("") == ""


def test_csv_cells_that_start_like_formulas_are_neutralised(client, world, dangerous):
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan_csv", args=[world.north_review.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = _csv(response)
    assert sorted(r["What will be done"] for r in rows) == sorted("'" + t for t in DANGEROUS)
    assert all(r["What will be done"] == r["Why this priority"] for r in rows)
    assert all(r["Findings"] == "1. =IMPORTXML(evil)" for r in rows)  # not at the start: left as it is
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert list(rows[0]) == [c.header for c in COLUMNS]


def test_csv_is_an_attachment_with_a_safe_dated_name(client, world, dangerous):
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan_csv", args=[world.north_review.pk]))

    today = timezone.localdate()
    assert (
        response["Content-Disposition"] == f'attachment; filename="NSCB-1-action-plan-{today:%Y-%m-%d}.csv"'
    )
    assert (
        file_name('../../etc/"passwd"; x=1', "csv", today)
        == f"etc-passwd-x-1-action-plan-{today:%Y-%m-%d}.csv"
    )


def test_xlsx_cells_are_neutralised_strings_and_never_formulas(client, world, dangerous, excel):
    client.force_login(world.north_member)

    response = excel("action_plan_xlsx", world.north_review.pk)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="NSCB-1-action-plan-')
    sheet = _xlsx(response)
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [c.header for c in COLUMNS]
    assert all(cell.data_type != "f" for row in rows for cell in row)
    descriptions = sorted(row[2].value for row in rows[1:])
    # (An XML reader turns a carriage return in text into a line feed; the quote is still in front.)
    assert descriptions == sorted("'" + t.replace("\r", "\n") for t in DANGEROUS)
    assert all(row[2].data_type == "s" for row in rows[1:])
    for row in rows[1:]:
        for cell in row:
            if isinstance(cell.value, str):
                assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    # Dates stay dates; numbers stay numbers.
    due = rows[1][[c.header for c in COLUMNS].index("Due date")].value
    assert due.date() == dangerous[0].due_on
    assert isinstance(rows[1][1].value, int)


def test_exports_carry_every_detail_and_the_latest_progress(client, world):
    from responses.actions import services

    review = at_stage(world.north_review)
    a = action(review, world.north_member, description="Audit bruising referrals")
    a.review = review
    services.action_progress_record(
        action=a, user=world.north_member, on=timezone.localdate() - timedelta(days=3), text="Older."
    )
    services.action_progress_record(
        action=a, user=world.north_member, on=timezone.localdate(), text="Newest progress."
    )
    client.force_login(world.north_manager)

    row = _csv(client.get(reverse("action_plan_csv", args=[review.pk])))[0]

    assert row["Review"] == "NSCB-1" and row["Action"] == "1"
    assert row["Owner agency"] == a.owner_agency.name
    assert row["Named owner"] == world.north_member.get_full_name()
    assert row["Status"] == "Agreed" and row["RAG"] == "Green: on track or done"
    assert row["Due date"] == a.due_on.isoformat()
    assert row["Latest progress"] == "Newest progress."
    assert row["Latest progress on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize("name", ["action_plan_csv", "action_plan_xlsx"])
def test_filters_apply_to_the_exports(client, world, name, excel):
    review = at_stage(world.north_review)
    today = timezone.localdate()
    action(review, world.north_member, description="Overdue one", due_on=today - timedelta(days=2))
    action(review, world.north_member, description="Later one", due_on=today + timedelta(days=60))
    action(
        review,
        world.north_member,
        description="Deferred one",
        status=Action.Status.DEFERRED,
        deferred_reason="Later.",
        deferred_until=today + timedelta(days=30),
    )
    client.force_login(world.north_member)
    url = reverse(name, args=[review.pk])

    def descriptions(**params) -> list[str]:
        if name.endswith("csv"):
            return [r["What will be done"] for r in _csv(client.get(url, params))]
        return [row[2].value for row in list(_xlsx(excel(name, review.pk, params)).iter_rows())[1:]]

    police = AgencyFactory(name="North Police", boards=[world.north])
    action(review, world.north_chair, description="Chair's one", owner_agency=police)
    assert descriptions(owner=world.north_chair.pk) == ["Chair's one"]
    assert descriptions(owner_agency=police.pk) == ["Chair's one"]
    assert sorted(descriptions(owner=world.south_member.pk)) == sorted(
        descriptions()
    )  # not an owner: left out
    Action.objects.filter(description="Chair's one").delete()
    assert descriptions(overdue="on") == ["Overdue one"]
    assert descriptions(status="deferred") == ["Deferred one"]
    assert descriptions(rag="green") == ["Later one"]
    assert sorted(descriptions()) == ["Deferred one", "Later one", "Overdue one"]


def test_the_plan_page_links_to_exports_with_its_filters(client, world):
    review = at_stage(world.north_review)
    action(review, world.north_member)
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan", args=[review.pk]), {"status": "agreed", "page": "1"})

    assert f"{reverse('action_plan_csv', args=[review.pk])}?status=agreed" in response.text
    assert f"{reverse('action_plan_xlsx', args=[review.pk])}?status=agreed" in response.text


@pytest.mark.parametrize("name", ["board_action_plan_csv", "board_action_plan_xlsx"])
def test_board_exports_hold_only_the_boards_reviews_the_person_may_see(client, world, name, excel):
    north = action(at_stage(world.north_review), world.north_member, description="North only")
    cross = action(at_stage(world.cross_border_review), world.north_member, description="Shared")
    south = action(at_stage(world.south_review), world.south_member, description="South own")
    client.force_login(world.south_manager)

    if name.endswith("csv"):
        response = client.get(reverse(name, args=[world.south.pk]))
        assert response.status_code == 200
        held = sorted(r["What will be done"] for r in _csv(response))
    else:
        held = sorted(row[2].value for row in list(_xlsx(excel(name, world.south.pk)).iter_rows())[1:])
    assert held == sorted([cross.description, south.description])
    assert north.description not in held


@pytest.mark.parametrize(
    ("person", "name", "target"),
    [
        ("east_manager", "action_plan_csv", "review"),
        ("east_manager", "action_plan_xlsx", "review"),
        ("south_member", "action_plan_csv", "review"),
        ("east_manager", "board_action_plan_csv", "board"),
        ("east_manager", "board_action_plan_xlsx", "board"),
        ("south_manager", "board_action_plan_xlsx", "board"),
    ],
)
def test_people_of_other_boards_get_nothing(client, world, person, name, target):
    action(at_stage(world.north_review), world.north_member, description="Secret")
    client.force_login(getattr(world, person))
    pk = world.north_review.pk if target == "review" else world.north.pk

    response = getattr(client, "post" if name.endswith("xlsx") else "get")(reverse(name, args=[pk]))

    assert response.status_code == 404
    assert b"Secret" not in response.content
    assert not Export.objects.exists()


def test_a_lead_reviewer_gets_no_export_of_the_response(client, world):
    action(at_stage(world.north_review), world.north_member, description="Secret")
    client.force_login(world.north_reviewer)

    response = client.get(reverse("action_plan_csv", args=[world.north_review.pk]))

    assert response.status_code == 403
    assert b"Secret" not in response.content


# Streaming -----------------------------------------------------------------------------------------------


def test_the_csv_sends_its_byte_order_mark_and_header_before_reading_any_row(client, world, dangerous):
    client.force_login(world.north_member)
    response = client.get(reverse("action_plan_csv", args=[world.north_review.pk]))
    chunks = iter(response.streaming_content)

    with CaptureQueriesContext(connection) as reading:
        first = next(chunks)

    header = ",".join(c.header for c in COLUMNS)
    assert first == ("\ufeff" + header + "\r\n").encode("utf-8")
    assert not reading.captured_queries, "the header leaves before the actions are read"
    rest = b"".join(chunks).decode("utf-8")
    assert len(list(csv.reader(io.StringIO(rest)))) == len(DANGEROUS)


def test_the_csv_streams_every_row_of_a_plan_read_in_chunks(client, world, monkeypatch):
    """Rows read a few at a time from the cursor (each chunk with its own findings; on PostgreSQL, COPYed
    a few at a time) and sent a few at a time: all of them arrive, in the page's order, each with its own
    findings."""
    monkeypatch.setattr(export, "CHUNK_SIZE", 7)
    monkeypatch.setattr(export, "COPY_CHUNK_SIZE", 7)
    monkeypatch.setattr(export, "CSV_ROWS_PER_WRITE", 5)
    review = at_stage(world.north_review)
    findings = [finding(review, n, title=f"Finding {n}") for n in (1, 2, 3)]
    for n in range(1, 24):
        action(review, world.north_member, findings=findings[: 1 + n % 3], description=f"Action {n:02}")
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan_csv", args=[review.pk]))
    chunks = list(response.streaming_content)

    assert len(chunks) == 1 + 23 // 5 + 1  # the header, every five rows, what is left
    rows = list(csv.DictReader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert [r["Action"] for r in rows] == [str(n) for n in range(1, 24)]  # same priority and due date
    for n, row in enumerate(rows, 1):
        wanted = "; ".join(f"{f.number}. {f.title}" for f in findings[: 1 + n % 3])
        assert (row["What will be done"], row["Findings"]) == (f"Action {n:02}", wanted)


def test_exports_name_the_business_plan_priority_and_an_owner_without_a_name_by_email(client, world):
    review = at_stage(world.north_review)
    priority = plan_priority(world.north)
    world.north_member.full_name = ""
    world.north_member.save()
    action(review, world.north_member, plan_priority=priority)
    client.force_login(world.north_manager)

    row = _csv(client.get(reverse("action_plan_csv", args=[review.pk])))[0]

    assert row["Business plan priority"] == priority.choice_label
    assert row["Named owner"] == world.north_member.email

"""Action plans exported to CSV and Excel: safe to open in a spreadsheet (no cell can run as a formula), the
same filters and scoping as the page, and nothing for people of other boards."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from responses.actions.export import COLUMNS, file_name, neutralise
from responses.models import Action
from tests.responses.helpers import action, at_stage, finding

pytestmark = pytest.mark.django_db

DANGEROUS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", "\tTabbed", "\rReturned", '=HYPERLINK("http://x","y")']


def _csv(response) -> list[dict]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _xlsx(response):
    return load_workbook(io.BytesIO(response.content))["Action plan"]


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


def test_xlsx_cells_are_neutralised_strings_and_never_formulas(client, world, dangerous):
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan_xlsx", args=[world.north_review.pk]))

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
def test_filters_apply_to_the_exports(client, world, name):
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
        response = client.get(url, params)
        if name.endswith("csv"):
            return [r["What will be done"] for r in _csv(response)]
        return [row[2].value for row in list(_xlsx(response).iter_rows())[1:]]

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
def test_board_exports_hold_only_the_boards_reviews_the_person_may_see(client, world, name):
    north = action(at_stage(world.north_review), world.north_member, description="North only")
    cross = action(at_stage(world.cross_border_review), world.north_member, description="Shared")
    south = action(at_stage(world.south_review), world.south_member, description="South own")
    client.force_login(world.south_manager)

    response = client.get(reverse(name, args=[world.south.pk]))

    assert response.status_code == 200
    if name.endswith("csv"):
        held = sorted(r["What will be done"] for r in _csv(response))
    else:
        held = sorted(row[2].value for row in list(_xlsx(response).iter_rows())[1:])
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

    response = client.get(reverse(name, args=[pk]))

    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_a_lead_reviewer_gets_no_export_of_the_response(client, world):
    action(at_stage(world.north_review), world.north_member, description="Secret")
    client.force_login(world.north_reviewer)

    response = client.get(reverse("action_plan_csv", args=[world.north_review.pk]))

    assert response.status_code == 403
    assert b"Secret" not in response.content

"""The CSV export on PostgreSQL, where the database writes the rows (COPY: responses.actions.export
.csv_copy_chunks), gives the very bytes the Python path writes (csv_chunks, which SQLite uses): for a plan
full of hostile text (cells that start like formulas, quotes, commas, line breaks of every kind, accents and
emoji, empty values), deferred, completed, overdue and due-soon actions, actions with several findings
(numbered out of the order they were made in) and several progress updates (two on the same day), and for
the plan filtered in every way its page filters it.

The byte-for-byte comparisons need PostgreSQL: skipped on SQLite, and a failure under REQUIRE_SERVICES=1
(CI's second run). The download read back cell by cell, and the SQL's own consistency, are checked on both."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from responses.actions import export, selectors
from responses.actions.services import export_columns_refresh
from responses.models import Action, ActionUpdate
from tests.factories import AgencyFactory, ReviewFactory, UserFactory
from tests.responses.helpers import action, at_stage, finding, plan_priority

pytestmark = pytest.mark.django_db

Status = Action.Status

# Text that a spreadsheet or a CSV reader could get wrong, each in some cell of the plan.
HOSTILE = [
    "=1+2",
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "\tTabbed",
    "\rReturned",
    '=HYPERLINK("http://x","y")',
    'Quotes "inside", and a comma',
    "Line one\nLine two",
    "Windows\r\nline ends\r\n",
    "Ünïcödé – émoji 🚸, עברית, 中文",
    "'Already quoted",
    " leading and trailing spaces ",
    '"',
    ",",
    "\\N",
    "\\.",
]


@pytest.fixture
def postgresql() -> None:
    """The COPY path exists only on PostgreSQL: skipped without it, a failure when CI requires it."""
    if connection.vendor == "postgresql":
        return
    message = "needs PostgreSQL: the database writes the CSV only there (DATABASE_URL not configured)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def hostile(world):
    """North's plan across three reviews (one named like a formula), with every kind of hostile text in
    every kind of text cell, and every state and date an action's RAG colour depends on."""
    today = timezone.localdate()
    north = world.north
    odd_review = at_stage(ReviewFactory(lead_board=north, reference='=Ref,"1"'))
    reviews = [at_stage(world.north_review), at_stage(world.cross_border_review), odd_review]
    police = AgencyFactory(name='-Police, "North"\nDivision', boards=[north])
    unnamed = UserFactory(email="+nameless@north.example", full_name="")
    priority = plan_priority(north)
    priority.title = '=Priority; "one"\r\nand more'
    priority.save()
    priority.period.title = "@Plan 2026–27"
    priority.period.save()

    made = []
    for n, text in enumerate(HOSTILE):
        review = reviews[n % len(reviews)]
        # Findings numbered against the order they were made in: the export lists them by number.
        before = review.findings.count()
        second = finding(review, before + 2, title=f"{text} (second)")
        first = finding(review, before + 1, title=text)
        fields = {
            "description": text,
            "priority_reason": HOSTILE[-1 - n],
            "priority": [Action.Priority.HIGH, Action.Priority.MEDIUM, Action.Priority.LOW][n % 3],
            "due_on": today + timedelta(days=[-5, 3, 60, 0, 14, 15][n % 6]),
        }
        if n % 5 == 1:
            fields.update(
                status=Status.DEFERRED, deferred_reason=text, deferred_until=today + timedelta(days=30)
            )
        elif n % 5 == 2:
            fields.update(
                status=Status.DEFERRED, deferred_reason="Past review", deferred_until=today - timedelta(1)
            )
        elif n % 5 == 3:
            fields.update(status=Status.COMPLETED, completed_on=today - timedelta(days=2))
        elif n % 5 == 4:
            fields.update(status=Status.IN_PROGRESS)
        if n % 4 == 1:
            fields.update(owner_agency=police)
        if n % 3 == 0:
            fields.update(plan_priority=priority)
        owner = [world.north_member, world.north_chair, unnamed][n % 3]
        findings = [[], [first], [second, first]][n % 3]
        made.append(action(review, owner, findings=findings, **fields))
    for n, done in enumerate(made):
        if n % 3 == 0:
            continue  # no progress yet
        on = today - timedelta(days=n % 4)
        ActionUpdate.objects.create(
            action=done, author=world.north_member, on=on - timedelta(days=9), text="Old"
        )
        ActionUpdate.objects.create(
            action=done, author=world.north_member, on=on, text=f"{HOSTILE[n]} (earlier)"
        )
        # Two on the same day: the one written last is the latest.
        ActionUpdate.objects.create(action=done, author=world.north_member, on=on, text=HOSTILE[-n] or "")
    blank = made[5]
    blank.priority_reason = ""
    blank.save()
    ActionUpdate.objects.create(action=made[4], author=world.north_member, on=today, text="")
    export_columns_refresh(action_ids=[a.pk for a in made])  # as the services keep what exports read
    return {"reviews": reviews, "police": police, "unnamed": unnamed, "actions": made}


def _filters(world, hostile) -> list[dict]:
    """Every filter the plan's page has, each on its own, and two together."""
    _, cross, odd = hostile["reviews"]
    return [
        {},
        {"owner": str(world.north_chair.pk)},
        {"owner": str(hostile["unnamed"].pk)},
        {"owner_agency": str(hostile["police"].pk)},
        {"rag": "red"},
        {"rag": "amber"},
        {"rag": "green"},
        {"rag": "grey"},
        {"overdue": "on"},
        {"status": "deferred"},
        {"status": "completed"},
        {"priority": "2"},
        {"review": str(odd.pk)},
        {"review": str(cross.pk), "rag": "red"},
        {"mine": "on"},
        {"owner": "999999", "rag": "nonsense", "priority": "2"},  # only what is understood applies
    ]


def _both_paths(plan) -> tuple[bytes, bytes]:
    return b"".join(export.csv_chunks(plan.rows())), b"".join(export.csv_copy_chunks(plan))


def test_postgresql_writes_the_same_bytes_as_python_for_every_filter(postgresql, world, hostile):
    rows = {}
    for query in _filters(world, hostile):
        plan = export.plan_of(world.north_member, query, board=world.north)

        python, database = _both_paths(plan)

        assert database == python, query
        rows[str(query)] = len(list(csv.reader(io.StringIO(python.decode("utf-8-sig"), newline="")))) - 1
    # Not vacuous: the whole plan, and each filter keeps some of it (and all but "mine" leave some out).
    assert rows["{}"] == len(HOSTILE)
    assert all(n > 0 for n in rows.values()), rows
    assert all(n < len(HOSTILE) for query, n in rows.items() if query not in ("{}", "{'mine': 'on'}")), rows


def test_postgresql_writes_the_same_bytes_for_a_reviews_plan_read_in_small_chunks(
    postgresql, world, hostile, monkeypatch
):
    """Chunks of three rows, sent two at a time: every chunk boundary and every write boundary."""
    monkeypatch.setattr(export, "COPY_CHUNK_SIZE", 3)
    monkeypatch.setattr(export, "CSV_ROWS_PER_WRITE", 2)
    review = hostile["reviews"][0]
    for query in ({}, {"rag": "red"}, {"owner": str(world.north_member.pk)}):
        plan = export.plan_of(world.north_manager, query, review=review)
        python = list(export.csv_chunks(plan.rows()))
        database = list(export.csv_copy_chunks(plan))
        assert database == python, query


def test_the_download_on_postgresql_is_written_by_the_database(
    postgresql, client, world, hostile, monkeypatch
):
    def python_path(actions):
        raise AssertionError("the Python path ran on PostgreSQL")

    expected = b"".join(export.csv_chunks(export.plan_of(world.north_manager, {}, board=world.north).rows()))
    monkeypatch.setattr(export, "csv_chunks", python_path)
    client.force_login(world.north_manager)

    response = client.get(reverse("board_action_plan_csv", args=[world.north.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == expected


def _expected_cells(plan) -> list[list[str]]:
    """The plan's rows as the CSV must read back: each value as export.rows gives it, text neutralised,
    nothing as an empty cell, numbers and dates as str() writes them."""
    return [
        ["" if v is None else export.neutralise(v) if isinstance(v, str) else str(v) for v in row]
        for row in export.rows(plan.rows())
    ]


def test_the_download_reads_back_as_the_plan_cell_by_cell(client, world, hostile):
    """On either database (on PostgreSQL the database writes it; on SQLite, Python)."""
    client.force_login(world.north_manager)

    response = client.get(reverse("board_action_plan_csv", args=[world.north.pk]))

    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    read = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert read[0] == [c.header for c in export.COLUMNS]
    expected = _expected_cells(export.plan_of(world.north_manager, {}, board=world.north))
    assert read[1:] == expected
    assert len(expected) == len(HOSTILE)
    by_description = {row[2]: row for row in read[1:]}
    assert "'=1+2" in by_description and "Windows\r\nline ends\r\n" in by_description
    # Findings by number, not by the order they were made in; an owner without a name, by email.
    row = by_description["'-2+3"]
    assert row[3] == "1. -2+3; 2. -2+3 (second)"
    assert row[8] == "'+nameless@north.example"
    # The latest update: the last written of the two on the latest day.
    assert row[-1] == export.neutralise(HOSTILE[-2])
    assert row[12] == str(hostile["actions"][2].due_on)


def test_every_columns_sql_has_its_parameters():
    """The cells' SQL and their parameters line up, and the SQL reads only names the rows have."""
    assert export.CELLS_SQL.count("%s") == len(export.CELLS_PARAMS)
    assert all(isinstance(column.cell, export.Cell) for column in export.COLUMNS)
    names = set(selectors.EXPORT_NAMES)
    for column in export.COLUMNS:
        used = set(re.findall(r"\br\.(\w+)", column.cell.sql))
        assert used and used <= names, (column.header, used - names)
    assert selectors.EXPORT_ORDER == ("priority", "due_on", "review_id", "number")


def test_postgresql_writes_the_same_bytes_whatever_the_chunks_size(postgresql, world, hostile, monkeypatch):
    """Every chunk size from one row to more than the plan, a plan that ends on a chunk's last row among
    them: each chunk starts after the last of the one before, and none is lost or written twice."""
    plan = export.plan_of(world.north_manager, {}, review=hostile["reviews"][0])
    expected = b"".join(export.csv_chunks(plan.rows()))
    total = plan.count()
    assert total >= 4
    for size in range(1, total + 2):
        monkeypatch.setattr(export, "COPY_CHUNK_SIZE", size)
        assert b"".join(export.csv_copy_chunks(plan)) == expected, size

"""The action plans (a review's and a board's) and their exports cost the same number of queries with 5
actions as with 500: the pages, the streamed CSV (read to its last byte), asking for an Excel file, and the
worker that writes it (its progress updates aside, one per PROGRESS_EVERY rows by design)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Export
from responses.actions.export import PROGRESS_EVERY
from responses.actions.workflow import DONE_STATUSES
from responses.models import Action, ActionUpdate
from tests.conftest import World
from tests.factories import AgencyFactory
from tests.responses.helpers import agency_of, at_stage, finding, plan_priority, shown_actions

pytestmark = pytest.mark.django_db

Status = Action.Status
STATUSES = [Status.AGREED, Status.IN_PROGRESS, Status.COMPLETED, Status.IMPACT_EVIDENCED, Status.DEFERRED]


def _bulk(world: World, review, start: int, count: int) -> None:
    """`count` actions of `review` in every status, with assorted owners, agencies, priorities, due dates,
    plan priorities, two findings each and a progress update each (made in bulk, for speed)."""
    today = timezone.localdate()
    findings = list(review.findings.all()) or [finding(review, 1), finding(review, 2)]
    owners = [
        (world.north_member, agency_of(world.north_member, world.north)),
        (world.north_manager, AgencyFactory(name="North Police", boards=[world.north])),
        (world.north_chair, AgencyFactory(name="North Health", boards=[world.north])),
    ]
    priority = plan_priority(world.north)
    made = []
    for n in range(start, start + count):
        status = STATUSES[n % len(STATUSES)]
        owner, agency = owners[n % len(owners)]
        made.append(
            Action(
                review=review,
                number=n,
                description=f"Action number {n}",
                kind=Action.Kind.PRACTICAL,
                function=Action.Function.COORDINATE,
                level=Action.Level.MULTI_AGENCY,
                owner_agency=agency,
                owner=owner,
                priority=1 + n % 3,
                priority_reason="Because.",
                plan_priority=priority if n % 2 else None,
                due_on=today + timedelta(days=n % 40 - 10),
                status=status,
                deferred_reason="Later." if status == Status.DEFERRED else "",
                deferred_until=today + timedelta(days=n % 7 - 3) if status == Status.DEFERRED else None,
                completed_on=today if status in DONE_STATUSES else None,
                created_by=world.north_manager,
            )
        )
    made = Action.objects.bulk_create(made)
    through = Action.findings.through
    through.objects.bulk_create([through(action_id=a.pk, finding_id=f.pk) for a in made for f in findings])
    ActionUpdate.objects.bulk_create(
        [
            ActionUpdate(action=a, author=world.north_member, on=today, text=f"Progress on {a.number}")
            for a in made
        ]
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _queries(client, url: str, params: dict | None = None, method: str = "get") -> list[str]:
    _body(getattr(client, method)(url, params or {}))  # warm up: per-process caches do not count
    Export.objects.all().delete()  # an Excel file asked for again while on its way is not asked for twice
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, params or {})
        body = _body(response)  # a streamed response reads its rows while it is sent
    assert response.status_code == (302 if method == "post" else 200)
    assert body or method == "post"
    return [q["sql"][:200] for q in ctx.captured_queries]


def _same(few: list[str], many: list[str]) -> None:
    assert len(few) == len(many), "\n".join(["5 actions:", *few, "", "500 actions:", *many])


URLS = {
    "review plan": lambda w: reverse("action_plan", args=[w.north_review.pk]),
    "review CSV": lambda w: reverse("action_plan_csv", args=[w.north_review.pk]),
    "review Excel asked for": lambda w: reverse("action_plan_xlsx", args=[w.north_review.pk]),
    "board plan": lambda w: reverse("board_action_plan", args=[w.north.pk]),
    "board CSV": lambda w: reverse("board_action_plan_csv", args=[w.north.pk]),
    "board Excel asked for": lambda w: reverse("board_action_plan_xlsx", args=[w.north.pk]),
}


@pytest.mark.parametrize("what", list(URLS))
@pytest.mark.parametrize("params", [{}, {"mine": "on", "priority": "1"}], ids=["all", "filtered"])
def test_action_plans_and_exports_run_a_fixed_number_of_queries(client, world, what, params):
    review = at_stage(world.north_review)
    cross = at_stage(world.cross_border_review)
    _bulk(world, review, 1, 3)
    _bulk(world, cross, 1, 2)
    client.force_login(world.north_member)
    url = URLS[what](world)
    method = "post" if "Excel" in what else "get"
    if method == "post" and params:
        url, params = f"{url}?{urlencode(params)}", None  # the filters ride in the form's action URL

    few = _queries(client, url, params, method)
    _bulk(world, review, 100, 300)
    _bulk(world, cross, 100, 195)
    assert Action.objects.count() == 500
    many = _queries(client, url, params, method)

    _same(few, many)


def _worker_queries(export: Export) -> tuple[list[str], int]:
    """The queries of the worker making `export`, and how many of them recorded its progress."""
    with CaptureQueriesContext(connection) as ctx:
        assert services.export_make(export.pk) == "made"
    Export.objects.filter(pk=export.pk).update(status=Export.Status.QUEUED)  # so it can be made again
    sql = [q["sql"][:200] for q in ctx.captured_queries]
    progress = [q for q in sql if q.startswith("UPDATE") and "rows_done" in q and "rows_total" not in q]
    return [q for q in sql if q not in progress], len(progress)


@pytest.mark.parametrize("of", ["review", "board"])
def test_the_excel_worker_runs_a_fixed_number_of_queries_besides_its_progress(world, of, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = at_stage(world.north_review)
    cross = at_stage(world.cross_border_review)
    _bulk(world, review, 1, 3)
    _bulk(world, cross, 1, 2)
    target = {"review": review} if of == "review" else {"board": world.north}
    export = services.export_request(user=world.north_member, query="", **target)

    few, few_progress = _worker_queries(export)
    _bulk(world, review, 100, 600)
    _bulk(world, cross, 100, 400)
    many, many_progress = _worker_queries(export)

    _same(few, many)
    rows = Export.objects.get(pk=export.pk).rows_done
    assert rows == (603 if of == "review" else 1005)
    assert (few_progress, many_progress) == (0, rows // PROGRESS_EVERY)


def test_a_page_of_the_plan_holds_twenty_five_of_the_five_hundred(client, world):
    review = at_stage(world.north_review)
    _bulk(world, review, 1, 500)
    client.force_login(world.north_member)

    response = client.get(reverse("action_plan", args=[review.pk]), {"page": 3})

    assert response.context["total"] == 500
    assert len(shown_actions(response)) == 25
    assert sum(n for _, n, _ in response.context["by_status"]) == 500
    assert sum(n for _, n, _ in response.context["by_rag"]) == 500


def test_a_change_to_an_action_shows_at_once_on_both_plans(client, world):
    """A plan read before a change, then read again, shows the change in its counts and its rows: the
    review's plan and the board's."""

    review = at_stage(world.north_review)
    _bulk(world, review, 1, 3)
    client.force_login(world.north_manager)
    review_url = reverse("action_plan", args=[review.pk])
    board_url = reverse("board_action_plan", args=[world.north.pk])
    assert client.get(review_url).context["total"] == 3
    assert client.get(board_url).context["total"] == 3

    first = Action.objects.filter(review=review).order_by("number").first()
    first.status = Action.Status.IN_PROGRESS
    first.save()
    for url in (review_url, board_url):
        page = client.get(url)
        assert {label: n for label, n, _ in page.context["by_status"]}["In progress"] == 1
        assert ">In progress</strong>" in page.content.decode()

    gone = first.pk
    first.delete()
    assert client.get(review_url).context["total"] == 2
    assert client.get(board_url).context["total"] == 2
    shown = shown_actions(client.get(review_url)) + shown_actions(client.get(board_url))
    assert len(shown) == 4 and gone not in {a.pk for a in shown}

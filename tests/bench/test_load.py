"""The load run's plan and steps, checked offline (bench.load, bench/steps.py; the run itself needs gunicorn,
PostgreSQL and Redis): the status changes it plans are the action workflow's moves, each goes through the real
status form and lands in the database where the run looks for it, no two simulated users move the same
action, the XLSX hook stays off while the export answers GET only, and what it reads from exports and
documents' redirects."""

from __future__ import annotations

import random
from itertools import chain

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from bench import load
from bench.steps import DOWNLOAD, choose_move, csv_problem, document_asked, status_change, status_form, usable
from demo.scale import Builder
from responses.actions import workflow
from responses.actions.services import action_progress_record
from responses.models import Action, ActionUpdate
from reviews import workflow as review_workflow
from reviews.access import can
from reviews.models import Membership, Role
from scr_portal.accounts.models import User

pytestmark = pytest.mark.django_db

RUN = "test0001"


@pytest.fixture
def scale(settings, tmp_path, standard_factors, standard_themes) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    Builder(0.01, log=lambda line: None).build()


def test_the_moves_are_the_workflow_s_less_those_that_need_an_evidence_file():
    moves = load.status_moves()
    for status in Action.Status.values:
        expected = [to for to in workflow.moves_from(status) if to not in workflow.EVIDENCED_STATUSES]
        assert moves.get(status, []) == expected
    assert set(workflow.OPEN_STATUSES) | set(workflow.DEFERRED_STATUSES) <= set(moves)
    assert not set(chain.from_iterable(moves.values())) & set(workflow.EVIDENCED_STATUSES)
    assert load.deferred_statuses() == list(workflow.DEFERRED_STATUSES)


def test_the_step_picks_only_a_move_the_form_offers_and_the_workflow_allows():
    moves = load.status_moves()
    deferred = set(load.deferred_statuses())
    rng = random.Random(1)
    for status in Action.Status.values:
        offered = workflow.moves_from(status)
        picked = [choose_move(status, offered, moves, rng, rarely=deferred) for _ in range(200)]
        assert set(picked) == (set(moves[status]) if status in moves else {None})
        if status in workflow.OPEN_STATUSES:  # moving on more often than deferring
            assert sum(p in deferred for p in picked) < sum(p not in deferred for p in picked)
    # A form that offers nothing the plan allows (someone moved it to completed): no move, and not used again.
    assert choose_move(Action.Status.COMPLETED, [Action.Status.IMPACT_EVIDENCED], moves, rng) is None
    assert not usable(Action.Status.COMPLETED, moves) and not usable(None, moves)
    assert choose_move(None, [Action.Status.IN_PROGRESS], moves, rng) is None


def test_every_planned_status_change_goes_through_the_real_form_and_is_found_where_the_run_looks(
    client, scale
):
    """For each status and each move the plan allows from it: the status form shows the status and offers
    the move; what the step sends (a deferral's reason and date too) is accepted, the action is at the new
    status, and the run's check finds it by its progress update and the action's history row."""
    open_reviews = review_workflow.states_allowing(review_workflow.RESPONSE_OPEN)
    sent = {}
    for status, targets in load.status_moves().items():
        at_status = Action.objects.filter(review__state__in=open_reviews, status=status).select_related(
            "review"
        )
        assert at_status.count() >= len(targets), status  # the scale data has actions at every such status
        for action, target in zip(at_status.order_by("pk"), targets, strict=False):
            manager = Membership.objects.get(board=action.review.lead_board, role=Role.BUSINESS_MANAGER).user
            client.force_login(manager)
            form = reverse("action_status", args=[action.review_id, action.number])
            page = client.get(form)
            assert page.status_code == 200
            seen, offered = status_form(page.content.decode())
            assert seen == status and offered == workflow.moves_from(status)
            token = f"load-{RUN}-1-{len(sent) + 1}"
            data = status_change(
                seen=seen, target=target, token=token, deferring=target in load.deferred_statuses()
            )
            response = client.post(form, data)
            assert response.status_code == 302, (status, target, response.content.decode()[-2000:])
            assert response["Location"] == reverse("action_detail", args=[action.review_id, action.number])
            action.refresh_from_db()
            assert action.status == target
            assert ActionUpdate.objects.filter(action=action, status_to=target, text__contains=token).exists()
            sent[token] = (action.pk, target)
    stored = load.status_changes_stored(RUN)
    assert {t: (a, s) for t, (a, s, _) in stored.items()} == sent


def test_the_check_counts_an_accepted_status_change_missing_from_the_database_as_lost(tmp_path, scale):
    action = Action.objects.filter(status=Action.Status.AGREED).select_related("review").first()
    manager = Membership.objects.get(board=action.review.lead_board, role=Role.BUSINESS_MANAGER).user
    action_progress_record(
        action=action,
        user=manager,
        on=timezone.localdate(),
        text=f"Started. (load-{RUN}-1-1)",
        status_to=Action.Status.IN_PROGRESS,
        seen_status=Action.Status.AGREED,
    )
    (tmp_path / "accepted-1.txt").write_text(
        f"status load-{RUN}-1-1 in_progress\nstatus load-{RUN}-1-2 completed\n"
    )
    lost, written = load.report_writes(RUN, tmp_path)
    assert (lost, written) == (1, 2)


def test_the_plan_gives_each_action_to_one_simulated_user_and_only_actions_they_may_move(scale):
    people = load.pick_people(12)
    slots = load.assign_slots(people, 20)  # more users than people: people are used again
    assert [s["person"] for s in slots] == [k % len(people) for k in range(20)]
    moved = [t["form"] for s in slots for t in s["status_targets"]]
    assert moved and len(moved) == len(set(moved))
    planned = {t["form"] for p in people for t in p["targets"]["status_targets"]}
    assert set(moved) == planned  # shared between a person's slots, none dropped
    moves = load.status_moves()
    for person in people:
        user = User.objects.get(email=person["email"])
        for target in person["targets"]["status_targets"]:
            assert usable(target["status"], moves)
            where = resolve(target["form"])
            assert where.url_name == "action_status"
            action = Action.objects.select_related("review").get(
                review_id=where.kwargs["pk"], number=where.kwargs["number"]
            )
            assert action.status == target["status"] and can(user, "update_action", action)
        for export in person["targets"]["csv_exports"]:
            assert export["url"].endswith("export.csv")
        for document in person["targets"]["document_targets"]:
            assert document["data"]["kind"] in ("tor", "board_pack")
    assert any(p["targets"]["document_targets"] for p in people)
    assert any(p["targets"]["csv_exports"] for p in people)


def test_the_xlsx_step_is_on_now_that_the_export_is_a_job_asked_for_by_post():
    assert load.xlsx_export_is_a_job() is True


def test_the_xlsx_step_finds_the_download_link_on_the_ready_export_page():
    page = '<a class="govuk-button" href="/exports/42/download/" download>Download the Excel file</a>'
    assert DOWNLOAD.search(page)[1] == "/exports/42/download/"
    assert DOWNLOAD.search("<p>Being made: 500 of 8,647 actions written</p>") is None


def test_what_the_steps_read_from_exports_and_redirects():
    assert csv_problem("text/csv; charset=utf-8", b"Number,Action\r\n1,Train\r\n") == ""
    assert "cut short" in csv_problem("text/csv", b"Number,Action\r\n1,Tra")
    assert "not a CSV" in csv_problem("text/html", b"<html>\n")
    assert document_asked("/reviews/12/documents/345/") == 345
    assert document_asked("/reviews/12/documents/") is None

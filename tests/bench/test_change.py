"""The page benchmark's "after a change" step (bench/change.py): it picks a move the action workflow
declares and the move straight back, makes them through the service, and always puts the action back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bench.change import REASON, TEXT, Home, StatusFlip, round_trip
from bench.pages import BASELINE, Page, Person, count_queries, find_targets
from responses.actions import workflow
from responses.models import Action, ActionUpdate
from reviews.models import Notification
from scr_portal.statemachine import Machine, Transition
from tests.responses.helpers import action, at_stage, finding

Status = Action.Status


def test_the_round_trip_is_a_declared_move_and_the_declared_move_straight_back():
    def names(state):
        trip = round_trip(workflow.MACHINE, state)
        return trip and tuple(t.name for t in trip)

    assert names(Status.AGREED) == ("defer", "resume")  # "start" leads nowhere back to agreed
    assert names(Status.IN_PROGRESS) == ("defer", "resume_in_progress")
    assert names(Status.DEFERRED) == ("resume", "defer")
    assert names(Status.COMPLETED) is None
    assert names(Status.IMPACT_EVIDENCED) is None
    for state in (Status.AGREED, Status.IN_PROGRESS, Status.DEFERRED):
        there, back = round_trip(workflow.MACHINE, state)
        assert workflow.MACHINE.between(state, there.target) == there
        assert workflow.MACHINE.between(there.target, state) == back


def test_a_one_way_table_has_no_round_trip():
    one_way = Machine(
        states=["a", "b", "c"],
        transitions=[
            Transition("ab", "A to B", frozenset({"a"}), "b", frozenset({"x"})),
            Transition("bc", "B to C", frozenset({"b"}), "c", frozenset({"x"})),
            Transition("ca", "C to A", frozenset({"c"}), "a", frozenset({"x"})),
        ],
    )
    assert round_trip(one_way, "a") is None


@pytest.fixture
def plan(world):
    review = at_stage(world.north_review, "monitoring")
    return review


@pytest.mark.django_db(transaction=True)
def test_it_defers_and_resumes_through_the_service_and_ends_where_it_started(world, plan):
    """Committed as in a benchmark run, so what the service does after the commit (notifying) runs too."""
    a = action(plan, world.north_member, findings=[finding(plan)])
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager)
    assert flip.action_pk == a.pk
    assert flip.describe() == "NSCB-1 action 1: agreed -> deferred -> agreed (defer, resume)"

    assert flip.step() == Status.DEFERRED
    a.refresh_from_db()
    assert (a.status, a.deferred_reason) == (Status.DEFERRED, REASON)
    assert a.deferred_until == timezone.localdate() + timedelta(days=28)
    assert flip.step() == Status.AGREED
    assert flip.step() == Status.DEFERRED
    flip.restore()
    a.refresh_from_db()
    assert Home.of(a) == Home(Status.AGREED, "", None)
    assert flip.steps == 4
    # Real changes, recorded as any status change is: updates with the moves, the owner told in the
    # portal, nobody emailed.
    moves = list(ActionUpdate.objects.filter(action=a).order_by("pk").values_list("status_from", "status_to"))
    assert moves == [("agreed", "deferred"), ("deferred", "agreed")] * 2
    assert (
        Notification.objects.filter(recipient=world.north_member, key__startswith=f"action:{a.pk}:").count()
        == 4
    )
    assert mail.outbox == []


def test_restoring_without_a_step_changes_nothing(world, plan):
    a = action(plan, world.north_member, findings=[finding(plan)], status=Status.IN_PROGRESS)
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager)
    flip.restore()
    assert flip.steps == 0
    assert not ActionUpdate.objects.filter(action=a).exists()


def test_a_deferred_action_gets_its_own_reason_and_date_back(world, plan):
    until = timezone.localdate() + timedelta(days=90)
    a = action(
        plan,
        world.north_member,
        findings=[finding(plan)],
        status=Status.DEFERRED,
        deferred_reason="Waiting for the new service.",
        deferred_until=until,
    )
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager)
    assert flip.step() == Status.AGREED
    a.refresh_from_db()
    assert (a.deferred_reason, a.deferred_until) == ("", None)
    flip.restore()
    a.refresh_from_db()
    assert Home.of(a) == Home(Status.DEFERRED, "Waiting for the new service.", until)


def test_it_leaves_out_actions_with_no_way_back_and_those_it_is_told_to_avoid(world, plan):
    today = timezone.localdate()
    action(plan, world.north_member, findings=[finding(plan)], status=Status.COMPLETED, completed_on=today)
    avoided = action(plan, world.north_member, findings=[finding(plan)])
    # Deferred with a date already past: deferring it again to that date would be refused, so no trip.
    action(
        plan,
        world.north_member,
        findings=[finding(plan)],
        status=Status.DEFERRED,
        deferred_reason="Overtaken.",
        deferred_until=today - timedelta(days=1),
    )
    chosen = action(plan, world.north_member, findings=[finding(plan)], status=Status.IN_PROGRESS)
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager, avoid=[avoided.pk])
    assert flip.action_pk == chosen.pk
    assert [t.name for t in flip.trip] == ["defer", "resume_in_progress"]
    assert (
        StatusFlip.pick(Action.objects.filter(pk=avoided.pk), world.north_manager, avoid=[avoided.pk]) is None
    )


def test_restore_says_so_when_the_action_is_not_as_it_was(world, plan):
    a = action(plan, world.north_member, findings=[finding(plan)])
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager)
    Action.objects.filter(pk=a.pk).update(status=Status.IN_PROGRESS)  # someone else moved it meanwhile
    with pytest.raises(RuntimeError, match="was not put back"):
        flip.restore()


def test_queries_are_counted_cold_warm_and_after_one_change(world, plan):
    action(plan, world.north_member, findings=[finding(plan)])
    flip = StatusFlip.pick(Action.objects.filter(review=plan), world.north_manager)
    pages = [Page("home", reverse("home")), Page("action plan", reverse("action_plan", args=[plan.pk]))]
    counts = count_queries(
        [Person("manager", world.north_manager, pages)], Page(BASELINE, reverse("help")), flip
    )
    assert set(counts) == {("manager", BASELINE), ("manager", "home"), ("manager", "action plan")}
    for value in counts.values():
        assert value["statuses"] == {"cold": 200, "warm": 200, "after": 200}
        assert set(value["queries"]) == {"cold", "warm", "after"}
        assert all(n > 0 for n in value["queries"].values())
    assert flip.steps == 1 and flip.away  # one change before the "after" counts
    flip.restore()


def test_targets_leave_out_what_earlier_runs_wrote(world, plan):
    """A run's status changes stay on the database; the next run must not pick its action page, review
    page or third person because of them."""
    today = timezone.localdate()
    busy = action(plan, world.north_member, findings=[finding(plan)])
    flipped = action(plan, world.north_member, findings=[finding(plan)])
    for n in range(2):
        ActionUpdate.objects.create(action=busy, author=world.north_manager, on=today, text=f"Progress {n}.")
    for n in range(3):
        ActionUpdate.objects.create(action=flipped, author=world.north_manager, on=today, text=TEXT)
        Notification.objects.create(
            recipient=world.north_member,
            review=plan,
            kind=Notification.Kind.INFORMATION,
            title="t",
            body=f"Someone moved action 2 to deferred: {TEXT}",
            key=f"bench:{n}",
        )
    targets = find_targets()
    assert targets.board == world.north
    assert targets.action_page == busy
    assert "action page: NSCB-1 action 1, 2 progress updates" in targets.notes
    assert targets.notified is None  # the member's three notifications are the bench's own

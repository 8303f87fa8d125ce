"""The action's status table (responses/actions/workflow.py): the moves it declares, who may make them, the
named groups the database relies on, and RAG computed the same way in Python and in SQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Q
from django.utils import timezone

from responses.actions import services, workflow
from responses.actions.selectors import with_rag
from responses.models import Action
from reviews.models import Review
from tests.factories import UserFactory
from tests.responses.helpers import action, at_stage, finding

pytestmark = pytest.mark.django_db

Status = Action.Status
TODAY = timezone.localdate


def test_the_table_offers_the_moves_of_the_status_lifecycle():
    assert {s: workflow.moves_from(s) for s in Status} == {
        Status.AGREED: [Status.IN_PROGRESS, Status.DEFERRED],
        Status.IN_PROGRESS: [Status.COMPLETED, Status.DEFERRED],
        Status.COMPLETED: [Status.IMPACT_EVIDENCED],
        Status.IMPACT_EVIDENCED: [],
        Status.DEFERRED: [Status.AGREED, Status.IN_PROGRESS],
    }


def test_every_status_is_open_done_or_deferred_exactly_once():
    groups = [workflow.OPEN_STATUSES, workflow.DONE_STATUSES, workflow.DEFERRED_STATUSES]
    assert sorted(s for group in groups for s in group) == sorted(Status.values)


def _condition(q: Q) -> dict:
    return dict(child for child in q.children if isinstance(child, tuple))


def test_the_database_declarations_use_the_workflows_groups():
    """The model cannot import the workflow (the workflow imports it), so its constraint and partial index
    name the statuses themselves: they must stay the workflow's open and done groups."""
    index = next(i for i in Action._meta.indexes if i.name == "action_open_by_review_due")
    assert list(_condition(index.condition)["status__in"]) == list(workflow.OPEN_STATUSES)
    undone = next(i for i in Action._meta.indexes if i.name == "action_undone_plan_order")
    assert set(_condition(undone.condition)["status__in"]) == {
        *workflow.OPEN_STATUSES,
        *workflow.DEFERRED_STATUSES,
    }
    dated = next(c for c in Action._meta.constraints if c.name == "action_completion_dated")
    negated = next(child for child in dated.condition.children if isinstance(child, Q))
    assert list(_condition(negated)["status__in"]) == list(workflow.DONE_STATUSES)


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("due_in", [-3, 5, 30])
@pytest.mark.parametrize("look_again_in", [None, -1, 10])
def test_rag_is_the_same_in_python_and_in_sql(world, status, due_in, look_again_in):
    review = at_stage(world.north_review)
    deferred = status in workflow.DEFERRED_STATUSES
    until = TODAY() + timedelta(days=look_again_in if look_again_in is not None else 10) if deferred else None
    a = action(
        review,
        world.north_member,
        findings=[finding(review)],
        status=status,
        due_on=TODAY() + timedelta(days=due_in),
        completed_on=TODAY() if status in workflow.DONE_STATUSES else None,
        deferred_reason="Covered elsewhere." if deferred else "",
        deferred_until=until,
    )
    in_sql = with_rag(Action.objects.filter(pk=a.pk)).get().rag_value
    assert in_sql == workflow.rag_of(a)


def test_someone_without_a_board_role_on_the_review_cannot_move_an_action(world):
    review = at_stage(world.north_review)
    a = action(review, world.north_member, findings=[finding(review)])
    a.review = Review.objects.get(pk=review.pk)
    with pytest.raises(services.ActionRefused, match="Only the action's owner"):
        services.action_progress_record(
            action=a, user=UserFactory(), on=TODAY(), text="Started.", status_to=Status.IN_PROGRESS
        )
    a.refresh_from_db()
    assert a.status == Status.AGREED


def test_a_move_the_table_does_not_declare_is_refused_in_words(world):
    assert workflow.move_problem(Status.AGREED, Status.COMPLETED) == (
        "An action that is agreed cannot be moved to “completed”. From agreed it can move to "
        "“in progress” or “deferred”."
    )
    assert workflow.move_problem(Status.IMPACT_EVIDENCED) == (
        "This action's impact is already evidenced, so its status cannot change."
    )
    assert workflow.move_problem(Status.AGREED) == ""

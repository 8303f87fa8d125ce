"""A plan's counts under any filter are worked out from its groups (one reading of the plan) and must be
exactly what counting the filtered actions in the database gives."""

from __future__ import annotations

import itertools
from dataclasses import astuple
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from responses.actions import selectors, workflow
from responses.models import Action
from tests.responses.helpers import action, at_stage

Status = Action.Status


@pytest.fixture
def mixed_plan(world):
    """Actions of every status, RAG colour and priority, owned by two people of two agencies."""
    review = at_stage(world.north_review)
    today = timezone.localdate()
    owners = [world.north_member, world.north_manager]
    soon = Action.DUE_SOON_DAYS
    # Far and near, and each colour's first and last day: yesterday, today, the amber window's end and after.
    dues = [today + timedelta(days=d) for d in (-40, -1, 0, 5, soon, soon + 1, 90)]
    statuses = [Status.AGREED, Status.IN_PROGRESS, Status.COMPLETED, Status.DEFERRED]
    for owner, due, status, priority in itertools.product(owners, dues, statuses, Action.Priority.values):
        fields = {"status": status, "due_on": due, "priority": priority}
        if status == Status.COMPLETED:
            fields["completed_on"] = today - timedelta(days=1)
        if status == Status.DEFERRED:
            fields |= {"deferred_reason": "Waiting for the new service.", "deferred_until": due}
        action(review, owner, **fields)
    return review


def _filters(world) -> list[selectors.Filters]:
    member = world.north_member
    agency = Action.objects.filter(owner=member).values_list("owner_agency_id", flat=True).first()
    return [
        selectors.Filters(),
        selectors.Filters(mine=True),
        selectors.Filters(owner=member.pk),
        selectors.Filters(owner_agency=agency),
        *(selectors.Filters(status=s) for s in Status.values),
        *(selectors.Filters(rag=r) for r in selectors.Rag.values),
        selectors.Filters(overdue=True),
        *(selectors.Filters(priority=p) for p in Action.Priority.values),
        selectors.Filters(mine=True, overdue=True, priority=1),
        selectors.Filters(owner=member.pk, rag="red", status=Status.DEFERRED),
    ]


def test_counts_from_the_groups_equal_counting_the_filtered_actions(world, mixed_plan):
    scoped = selectors.actions_of_review(mixed_plan)
    groups = selectors.plan_groups(selectors.PlanScope((mixed_plan.pk,)))
    assert sum(g.n for g in groups) == scoped.count() == 2 * 7 * 4 * 3
    for filters in _filters(world):
        expected = selectors.counts(selectors.apply_filters(scoped, filters, world.north_member))
        assert selectors.counts_of(groups, filters, world.north_member) == expected, filters


def test_the_groups_give_the_plans_owners_and_agencies(world, mixed_plan):
    scoped = selectors.actions_of_review(mixed_plan)
    choices = selectors.choices_of(selectors.plan_groups(selectors.PlanScope((mixed_plan.pk,))))
    assert choices == selectors.filter_choices(scoped)
    assert choices["owners"] and choices["agencies"]


def test_a_filter_by_review_is_counted_in_the_database_not_from_the_groups(world, mixed_plan):
    with pytest.raises(ValueError):
        selectors.counts_of([], selectors.Filters(review=mixed_plan.pk), world.north_member)


def test_each_rag_condition_finds_exactly_the_actions_of_that_colour(world, mixed_plan):
    today = timezone.localdate()
    with_colour = selectors.with_rag(selectors.actions_of_review(mixed_plan), today)
    for rag in selectors.Rag.values:
        by_condition = set(
            with_colour.filter(workflow.rag_condition(rag, today)).values_list("pk", flat=True)
        )
        by_expression = set(with_colour.filter(rag_value=rag).values_list("pk", flat=True))
        assert by_condition == by_expression and by_condition, rag


def test_the_groups_colours_are_each_actions_own():
    """`rag_split` over a group's tallies gives, colour by colour, what `rag_for` gives each action."""
    today = timezone.localdate()
    soon = Action.DUE_SOON_DAYS
    days = [today + timedelta(days=d) for d in (-3, -1, 0, 1, soon, soon + 1, 60)]
    for status in Status.values:
        for dues in itertools.combinations(days, 3):
            deferred = [d if status == Status.DEFERRED else None for d in dues]
            expected: dict = {}
            for due, until in zip(dues, deferred, strict=True):
                colour = workflow.rag_for(status, due, until, today)
                expected[colour] = expected.get(colour, 0) + 1
            tallies = (
                sum(d < today for d in dues),
                sum(d <= today + timedelta(days=soon) for d in dues),
                sum(u is not None and u < today for u in deferred),
            )
            split = {c: n for c, n in workflow.rag_split(status, len(dues), *tallies).items() if n}
            assert split == expected, (status, dues)


def test_a_pages_rows_read_any_name_they_were_not_given(world, mixed_plan):
    """Names come from the lists the page has read; any missing (an action given a new owner since) is read."""
    choices = selectors.choices_of(selectors.plan_groups(selectors.PlanScope((mixed_plan.pk,))))
    given = selectors.Names(
        references={mixed_plan.pk: mixed_plan.reference},
        owners=dict(choices["owners"]),
        agencies=dict(choices["agencies"]),
    )
    scope = selectors.PlanScope((mixed_plan.pk,))
    ids = selectors.PlanIds(scope, selectors.Filters(), world.north_member)
    with_names = selectors.page_rows(selectors.plan_page(ids, 1, 25, count=168), given)
    without = selectors.page_rows(selectors.plan_page(ids, 1, 25, count=168), selectors.Names({}, {}, {}))
    assert with_names == without and len(with_names) == 25
    assert {row.owner_name for row in with_names} <= {
        world.north_member.full_name,
        world.north_manager.full_name,
    }
    assert {row.reference for row in with_names} == {mixed_plan.reference}


def test_the_pages_ids_are_the_filtered_actions_in_display_order(world, mixed_plan):
    """The page's query, built once with parameters, keeps what `apply_filters` keeps, in display order, for
    each filter and person; each page is its window of that order."""
    plans = [mixed_plan.pk, world.south_review.pk]
    scoped = Action.objects.filter(review_id__in=plans)
    for user in (world.north_member, world.north_manager):
        for filters in [*_filters(world), selectors.Filters(review=mixed_plan.pk)]:
            expected = list(
                selectors.apply_filters(scoped, filters, user)
                .order_by(*selectors.DISPLAY_ORDER)
                .values_list("pk", flat=True)
            )
            ids = selectors.PlanIds(selectors.PlanScope(tuple(plans)), filters, user)
            assert ids[0 : len(expected) + 5] == expected, filters
            assert ids[10:35] == expected[10:35], filters
            page = selectors.plan_page(ids, 2, 25, count=len(expected))
            second = Paginator(expected, 25).get_page(2)  # the last page when there is no second
            assert list(page.object_list) == list(second.object_list), filters


def test_a_board_plans_reviews_are_read_by_one_query_whoever_asks(world):
    """The board plan's reviews, read by the query built once, are `board_reviews`' for its manager."""
    board = world.north_review.lead_board
    manager = world.north_manager
    expected = list(
        selectors.board_reviews(manager, board).order_by("reference").values_list("pk", "reference")
    )
    assert selectors.board_review_names(manager, board) == expected and expected


def test_a_whole_boards_plan_is_its_reviews_actions(world, mixed_plan):
    """Counted by its board inside the query, a board's plan is the actions of the reviews it leads or takes
    part in, as when they are given as a list."""
    board = mixed_plan.lead_board
    reviews = selectors.board_review_names(world.north_manager, board)
    by_board = selectors.plan_scope(world.north_manager, board, reviews)
    by_list = selectors.PlanScope(by_board.reviews)
    assert by_board.board == board.pk and mixed_plan.pk in by_board.reviews
    assert sorted(map(astuple, selectors.plan_groups(by_board))) == sorted(
        map(astuple, selectors.plan_groups(by_list))
    )

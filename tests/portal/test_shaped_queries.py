"""Queries built once and run for anyone (scr_portal/queries.py: Param, IdsParam, InParam, shaped, bound):
the values are bound when the query runs, the same SQL serves every person, and the answers are those of
the same query built with the values written in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import DateField, IntegerField
from django.utils import timezone

from dashboards import waiting
from reviews import access, workflow
from reviews.models import Review, Role, State
from scr_portal.queries import IdsParam, InParam, Param, bound, shaped
from tests.factories import (
    AppointmentFactory,
    BoardFactory,
    ParticipatingBoardFactory,
    ReviewFactory,
    UserFactory,
    member_of,
)

pytestmark = pytest.mark.django_db


def _run(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_a_query_with_params_answers_as_the_same_query_with_the_values_written_in():
    reviews = [ReviewFactory(due_on=timezone.localdate() + timedelta(days=n)) for n in range(6)]
    ids = [reviews[0].pk, reviews[2].pk, reviews[5].pk]
    cut = timezone.localdate() + timedelta(days=3)
    built = Review.objects.filter(
        InParam("pk", IdsParam("ids")), due_on__lte=Param("cut", DateField())
    ).values_list("pk")
    sql, params = built.query.sql_with_params()
    answer = {pk for (pk,) in _run(sql, bound(params, {"ids": ids, "cut": cut}))}
    assert answer == set(Review.objects.filter(pk__in=ids, due_on__lte=cut).values_list("pk", flat=True))
    assert answer == {reviews[0].pk, reviews[2].pk}
    # An empty list matches nothing, as `pk__in=[]` does.
    assert _run(sql, bound(params, {"ids": [], "cut": cut})) == []


def test_shaped_builds_once_per_key_and_database():
    built = []

    def build():
        built.append(1)
        return Review.objects.filter(pk=Param("pk", IntegerField())).values_list("pk").query.sql_with_params()

    key = ("test shaped", timezone.now().timestamp())
    first = shaped(key, build)
    assert shaped(key, build) is first and len(built) == 1
    review = ReviewFactory()
    assert _run(first[0], bound(first[1], {"pk": review.pk})) == [(review.pk,)]


def test_holds_on_anyone_picks_the_reviews_the_rule_allows_the_person_bound():
    """The condition picks exactly the reviews on which the person holds one of the roles (running them,
    with `running`: `roles_running`) at a stage with the capability, for people holding roles by board, by
    taking part and by appointment, and for someone inactive."""
    north, south = BoardFactory(), BoardFactory()
    led = ReviewFactory(lead_board=north, state=State.COMMISSIONING)
    joined = ReviewFactory(lead_board=south, state=State.COMMISSIONING)
    ParticipatingBoardFactory(review=joined, board=north)
    other = ReviewFactory(lead_board=south, state=State.COMMISSIONING)
    closed = ReviewFactory(lead_board=north, state=State.CLOSED)
    manager, chair = member_of(north), member_of(north, Role.CHAIR)
    reviewer = UserFactory()
    AppointmentFactory(review=other, reviewer=reviewer)
    gone = member_of(north)
    gone.is_active = False
    gone.save()
    reviews = list(Review.objects.all())
    for person in (manager, chair, reviewer, gone):
        for roles, running in (
            ((Role.BUSINESS_MANAGER,), True),
            ((Role.BUSINESS_MANAGER, Role.CHAIR), False),
            ((Role.LEAD_REVIEWER,), False),
            ((Role.BOARD_MEMBER, Role.CHAIR, Role.LEAD_REVIEWER), False),
        ):
            held = access.roles_running if running else access.roles_on_review
            allowed = {
                r.pk
                for r in reviews
                if held(person, r) & set(roles) and workflow.allows(r, workflow.COMMISSIONING_OPEN)
            }
            sql, params = (
                Review.objects.filter(
                    access.holds_on_anyone(*roles, at=workflow.COMMISSIONING_OPEN, field="", running=running)
                )
                .values_list("pk")
                .query.sql_with_params()
            )
            assert {pk for (pk,) in _run(sql, bound(params, {"user": person}))} == allowed, (person, roles)
    # What the manager runs is their lead board's; what they take part in counts when not running; a closed
    # review allows nothing.
    sql, params = (
        Review.objects.filter(
            access.holds_on_anyone(Role.BUSINESS_MANAGER, at=workflow.COMMISSIONING_OPEN, field="")
        )
        .values_list("pk")
        .query.sql_with_params()
    )
    assert {pk for (pk,) in _run(sql, bound(params, {"user": manager}))} == {led.pk, joined.pk}
    assert closed.pk not in {pk for (pk,) in _run(sql, bound(params, {"user": manager}))}


def test_waiting_for_you_is_compiled_once_for_people_asked_the_same_kinds_of_things(client):
    board = BoardFactory()
    first, second = member_of(board), member_of(board)
    assert waiting.waiting_for(first) == ([], 0)
    compiled = waiting._shape(first)
    assert waiting._shape(second)[0] is compiled[0]
    # Someone asked nothing at all runs no query.
    nobody = UserFactory()
    assert waiting._shape(nobody) is None


def test_the_action_and_review_rules_for_anyone_are_the_rules_with_the_person_bound():
    """`mine_anyone`, `openable_anyone` and `sees_anyone` pick the rows `mine`, `openable` and
    `visible_reviews` pick, for a manager, a board member (by their agency), a board's member taking part in
    another board's review, an action owner, a lead reviewer and someone who has left."""
    from responses.actions import selectors as actions
    from responses.models import Action
    from tests.responses.helpers import action, action_owner_for, agency_of, at_stage

    north, south = BoardFactory(), BoardFactory()
    manager, member = member_of(north), member_of(north, Role.BOARD_MEMBER)
    south_manager = member_of(south)
    led = at_stage(ReviewFactory(lead_board=north))
    joined = at_stage(ReviewFactory(lead_board=south))
    ParticipatingBoardFactory(review=joined, board=north)
    elsewhere = at_stage(ReviewFactory(lead_board=south))
    owner = action_owner_for(agency_of(member, north), south)
    reviewer = UserFactory()
    AppointmentFactory(review=elsewhere, reviewer=reviewer)
    action(led, manager)
    action(led, member)
    action(joined, south_manager, owner_agency=agency_of(member, north))
    action(elsewhere, owner, owner_agency=agency_of(member, north))
    action(elsewhere, south_manager)
    gone = member_of(north, Role.BOARD_MEMBER)
    gone.is_active = False
    gone.save()

    def anyone(queryset, person) -> set[int]:
        sql, params = queryset.values_list("pk").query.sql_with_params()
        return {pk for (pk,) in _run(sql, bound(params, {"user": person}))}

    for person in (manager, member, south_manager, owner, reviewer, gone):
        assert anyone(Action.objects.filter(actions.mine_anyone(), actions.openable_anyone()), person) == set(
            Action.objects.filter(actions.mine(person), actions.openable(person)).values_list("pk", flat=True)
        ), person
        assert anyone(Review.objects.filter(access.sees_anyone()), person) == set(
            access.visible_reviews(person).values_list("pk", flat=True)
        ), person
    assert anyone(Review.objects.filter(access.sees_anyone()), reviewer) == {elsewhere.pk}
    assert anyone(Action.objects.filter(actions.openable_anyone()), owner) == set(
        elsewhere.actions.filter(owner=owner).values_list("pk", flat=True)
    )

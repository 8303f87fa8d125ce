"""Pages that list or count reviews run a fixed number of SQL queries however many reviews a person can
see: 3 or 40 visible reviews (more than a page of 25) cost the same."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World
from tests.factories import AppointmentFactory, ParticipatingBoardFactory, ReviewFactory, UserFactory
from tests.querycount import queries


def _add_north_reviews(world: World, how_many: int, start: int) -> None:
    """Reviews North leads, each with the relations a list shows: a participating board, a lead reviewer."""
    for n in range(start, start + how_many):
        review = ReviewFactory(lead_board=world.north, reference=f"NSCB-{n:03d}")
        ParticipatingBoardFactory(review=review, board=world.south if n % 2 else world.east)
        AppointmentFactory(review=review, reviewer=UserFactory())


@pytest.fixture
def north_manager_client(client, world: World):
    client.force_login(world.north_manager)
    return client


def _sizes_cost_the_same(client, world: World, url) -> None:
    # North's manager sees NSCB-1 and NSCB-X; one more makes 3.
    _add_north_reviews(world, 1, start=100)
    few = queries(client, url(world))
    _add_north_reviews(world, 37, start=200)
    many = queries(client, url(world))
    assert len(few) == len(many), "\n".join(["3 reviews:", *few, "", "40 reviews:", *many])


def test_review_list_runs_a_fixed_number_of_queries(north_manager_client, world):
    _sizes_cost_the_same(north_manager_client, world, lambda w: reverse("review_list"))


def test_review_list_second_page_runs_a_fixed_number_of_queries(north_manager_client, world):
    _add_north_reviews(world, 24, start=100)  # 26 visible: two pages
    few = queries(north_manager_client, reverse("review_list") + "?page=2")
    _add_north_reviews(world, 24, start=200)  # 50 visible: page 2 is full
    many = queries(north_manager_client, reverse("review_list") + "?page=2")
    assert len(few) == len(many), "\n".join(["26 reviews:", *few, "", "50 reviews:", *many])


def test_board_list_runs_a_fixed_number_of_queries(north_manager_client, world):
    _sizes_cost_the_same(north_manager_client, world, lambda w: reverse("board_list"))


def test_home_page_runs_a_fixed_number_of_queries(north_manager_client, world):
    _sizes_cost_the_same(north_manager_client, world, lambda w: reverse("home"))


def test_review_detail_runs_a_fixed_number_of_queries(north_manager_client, world):
    _sizes_cost_the_same(
        north_manager_client, world, lambda w: reverse("review_detail", args=[w.cross_border_review.pk])
    )


def test_review_list_counts_are_right_at_both_sizes(north_manager_client, world):
    _add_north_reviews(world, 1, start=100)
    assert north_manager_client.get(reverse("review_list")).context["page"].paginator.count == 3
    _add_north_reviews(world, 37, start=200)
    page = north_manager_client.get(reverse("review_list")).context["page"]
    assert (page.paginator.count, len(page.object_list)) == (40, 25)

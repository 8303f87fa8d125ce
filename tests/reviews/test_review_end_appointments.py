"""A review that ends (closed, withdrawn, or not initiated) ends its lead reviewers' appointments through the
same step: the reviewer keeps nothing they no longer need, and cannot read the ended review's case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import access, workflow
from reviews.models import TERMINAL_STATES, Appointment, State
from tests.conftest import World
from tests.reviews.test_workflow import at_state, take

pytestmark = pytest.mark.django_db

ENDING = [("close", State.MONITORING), ("withdraw", State.IN_PROGRESS), ("do_not_initiate", State.DECISION)]


def test_every_step_into_an_ended_state_ends_the_appointments():
    """Every step that ends a review (from an open stage to an ended one); a record kept once the review
    has ended (the national panel's notice) has no appointment left to end."""
    for step in [t for table in workflow.TABLES.values() for t in table.transitions.values()]:
        ends = step.target in TERMINAL_STATES and not set(step.source) <= set(TERMINAL_STATES)
        assert step.ends_appointments == ends, step.name


@pytest.mark.parametrize(("name", "source"), ENDING)
def test_ending_the_review_ends_the_lead_reviewer_s_appointment(world: World, name, source):
    review = at_state(world, source)
    reviewer = world.north_reviewer
    assert Appointment.objects.filter(review=review, reviewer=reviewer, ended_at__isnull=True).exists()

    take(review, name, world.north_chair)

    appointment = Appointment.objects.get(review=review, reviewer=reviewer)
    assert appointment.ended_at is not None
    assert appointment.history.filter(ended_at__isnull=False).exists()  # its own history records the end
    assert review.timeline.filter(transition=name).count() == 1  # the step's one entry, as every step


@pytest.mark.parametrize(("name", "source"), ENDING[:2])
def test_the_former_reviewer_can_no_longer_read_the_case(client, world: World, name, source):
    review = at_state(world, source)
    client.force_login(world.north_reviewer)
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 200

    take(review, name, world.north_chair)

    fresh = type(world.north_reviewer).objects.get(pk=world.north_reviewer.pk)
    assert not access.visible_reviews(fresh).filter(pk=review.pk).exists()
    for page in ("review_detail", "review_history"):
        response = client.get(reverse(page, args=[review.pk]))
        assert response.status_code in (403, 404), f"{page}: {response.status_code}"
        assert review.case_summary not in response.content.decode()
    assert review.reference not in client.get(reverse("review_list")).content.decode()


def test_the_board_still_reads_the_ended_review(client, world: World):
    review = at_state(world, State.MONITORING)

    take(review, "close", world.north_chair)

    client.force_login(world.north_manager)
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 200


def test_steps_that_do_not_end_the_review_keep_the_appointment(world: World):
    review = at_state(world, State.IN_PROGRESS)

    take(review, "receive_report", world.north_manager)

    assert Appointment.objects.filter(review=review, ended_at__isnull=True).count() == 1

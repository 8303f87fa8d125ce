"""A Serious Case Review not initiated (Working Together 2015): the national panel must be told of the
decision, with the reasons, within 14 days. When that was not recorded with the decision, the business
manager or the chair records it afterwards, at the same stage; until then the notice's clock runs and
reminds them, though the review has ended (issue 19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from reviews import access, notifications, services, workflow
from reviews.models import Notification, Regime, Review, State, TimelineEntry
from tests.reviews.test_workflow import LEARNED, at_state, date_input, step_data, take

NOTICE = "record_not_initiated_notice"


@pytest.fixture
def ended(world):
    """North's review, not initiated, the national panel not told (the test workflow's default)."""
    review = at_state(world, State.NOT_INITIATED)
    assert review.national_panel_notified_on is None
    return review


def test_the_notice_is_owed_and_its_clock_runs_after_the_review_ended(ended):
    assert not ended.is_open
    assert (ended.due_kind, ended.due_on) == (
        "not_initiated_notice",
        ended.decision_date + timedelta(days=14),
    )


@pytest.mark.parametrize("who", ["north_manager", "north_chair"])
def test_the_business_manager_or_the_chair_records_the_notice_at_the_same_stage(world, ended, who):
    user = getattr(world, who)
    assert [o.transition.name for o in access.step_options(user, ended)] == [NOTICE]
    changed_at = ended.state_changed_at
    told = ended.decision_date + timedelta(days=10)

    review = take(ended, NOTICE, user, national_panel_notified_on=told, inspectorate_notified_on=told)

    assert review.state == State.NOT_INITIATED and review.state_changed_at == changed_at
    assert (review.national_panel_notified_on, review.inspectorate_notified_on) == (told, told)
    assert (review.due_on, review.due_kind) == (None, "")
    entry = review.timeline.latest("pk")
    assert (entry.kind, entry.title, entry.actor) == (
        TimelineEntry.Kind.TRANSITION,
        "Record the notice to the national panel",
        user,
    )
    assert entry.body.splitlines()[0] == (
        f"National panel told of the decision not to initiate on {told:%-d %B %Y}."
    )
    # Recorded once: the step is no longer offered, and taking it again is refused.
    assert access.step_options(user, review) == []
    with pytest.raises(services.TransitionRefused):
        services.review_transition(
            review_id=review.pk, name=NOTICE, user=user, data=step_data(review, NOTICE)
        )


def test_a_notice_recorded_with_the_decision_leaves_nothing_to_record(world):
    review = at_state(world, State.DECISION)
    review = take(
        review, "do_not_initiate", world.north_chair, national_panel_notified_on=LEARNED + timedelta(days=8)
    )
    assert review.due_on is None
    assert workflow.options(review, frozenset({"business_manager", "chair"})) == []


def test_a_board_member_may_not_record_the_notice(world, ended):
    assert access.step_options(world.north_member, ended) == []


def test_the_notice_cannot_come_before_the_decision(world, client, ended):
    client.force_login(world.north_manager)
    url = reverse("review_step", args=[ended.pk, NOTICE])
    early = ended.decision_date - timedelta(days=1)
    response = client.post(
        url,
        {**date_input("national_panel_notified_on", early), **date_input("inspectorate_notified_on", None)},
    )
    assert response.status_code == 200
    assert (
        f"The notice cannot come before the decision ({ended.decision_date:%-d %B %Y})"
        in response.content.decode()
    )
    assert Review.objects.get(pk=ended.pk).national_panel_notified_on is None


def test_the_review_page_offers_the_notice_and_its_page_takes_it(world, client, ended):
    client.force_login(world.north_manager)
    page = client.get(reverse("review_detail", args=[ended.pk])).content.decode()
    url = reverse("review_step", args=[ended.pk, NOTICE])
    assert url in page
    told = ended.decision_date + timedelta(days=3)
    response = client.post(
        url,
        {
            **date_input("national_panel_notified_on", told),
            **date_input("inspectorate_notified_on", None),
            "note": "",
        },
    )
    assert response.status_code == 302
    assert Review.objects.get(pk=ended.pk).national_panel_notified_on == told


def test_the_daily_reminder_tells_the_board_of_a_notice_overdue(world, ended):
    Review.objects.filter(pk=ended.pk).update(due_on=ended.decision_date + timedelta(days=14))
    notifications.send_deadline_reminders(today=ended.decision_date + timedelta(days=20))
    told = set(
        Notification.objects.filter(review=ended, title__contains="deadline passed").values_list(
            "recipient", flat=True
        )
    )
    assert world.north_manager.pk in told


def test_a_practice_review_has_no_such_step(partnership):
    assert NOTICE not in workflow.table(Regime.PRACTICE_REVIEW).transitions

"""Notifications that ask for an action resolve themselves: when the person acts, and when the action is no
longer possible (the version was replaced, the review closed). Resolved ones leave the header's count and
show as done in the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Proposal, ToRComment
from commissioning.registry import services as registry
from commissioning.tor import services as tor
from reviews import notifications
from reviews import services as review_services
from reviews.models import Notification, Review, State

pytestmark = pytest.mark.django_db


def _out_for_comment(world, review):
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)
    review.refresh_from_db()
    version = tor.tor_draft_create(review=review, user=world.north_manager)
    return tor.tor_send_for_comment(
        version=version, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=14)
    )


def _asked(version, person) -> Notification:
    return Notification.objects.get(key=f"tor:{version.pk}:out_for_comment", recipient=person)


def _badge(client, person) -> int:
    client.force_login(person)
    return client.get(reverse("home")).context["unread_notifications"]


def test_commenting_resolves_the_commenters_request_only(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = _out_for_comment(world, world.north_review)
    before = _badge(client, world.north_member)
    section = version.sections.first()

    tor.tor_comment_add(section=section, user=world.north_member, text="Add the school nurse.")

    assert _asked(version, world.north_member).resolved_at is not None
    assert _asked(version, world.north_chair).resolved_at is None  # the chair has not commented
    assert _badge(client, world.north_member) == before - 1
    page = client.get(reverse("notification_list")).content.decode()
    assert "Done" in page and "Nothing more to do since" in page


def test_a_replaced_version_resolves_every_request_on_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        version = _out_for_comment(world, world.north_review)
    comment = tor.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Why?")
    tor.tor_comment_address(comment=comment, user=world.north_manager, how="Explained in section 2.")

    tor.tor_draft_create(review=world.north_review, user=world.north_manager)  # supersedes the version

    open_asks = Notification.objects.filter(key__startswith=f"tor:{version.pk}:", resolved_at__isnull=True)
    assert Notification.objects.filter(key__startswith=f"tor:{version.pk}:").exists()
    assert not open_asks.exists()
    assert ToRComment.objects.filter(pk=comment.pk).exists()


def test_answering_a_proposal_resolves_it_for_every_manager_and_chair(world):
    proposal = registry.proposal_make(
        review=world.north_review,
        author=world.north_reviewer,
        topic=Proposal.Topic.SCOPE,
        text="Go back 5 years.",
    )
    asked = Notification.objects.filter(key=f"proposal:{proposal.pk}")
    assert {n.recipient_id for n in asked} >= {world.north_manager.pk, world.north_chair.pk}
    assert all(n.needs_action for n in asked)

    registry.proposal_answer(proposal=proposal, actor=world.north_chair, answer="accepted", reason="Agreed")

    assert not asked.filter(resolved_at__isnull=True).exists()


def test_closing_the_review_resolves_everything_it_asked(world):
    note = world.north_notification
    assert note.needs_action
    review_services.review_transition(
        review_id=world.north_review.pk,
        name="withdraw",
        user=world.north_chair,
        data={"end_reason": "Duplicate."},
    )
    note.refresh_from_db()
    assert note.resolved_at is not None and not note.needs_action


def test_the_sweep_resolves_what_became_impossible_without_a_service(world):
    """A stage notice of a stage the review has left, and any request on a closed review."""
    review = world.south_review
    stage_note = Notification.objects.create(
        recipient=world.south_chair,
        review=review,
        kind=Notification.Kind.ACTION_NEEDED,
        title="At decision",
        path="/",
        key=f"stage:{review.pk}:decision:20260101000000",
    )
    current = Notification.objects.create(
        recipient=world.south_chair,
        review=review,
        kind=Notification.Kind.ACTION_NEEDED,
        title="At commissioning",
        path="/",
        key=f"stage:{review.pk}:commissioning:20260102000000",
    )
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)
    Review.objects.filter(pk=world.north_review.pk).update(state=State.CLOSED)

    assert notifications.sweep_resolved() == 2

    stage_note.refresh_from_db(), current.refresh_from_db(), world.north_notification.refresh_from_db()
    assert stage_note.resolved_at is not None
    assert current.resolved_at is None  # the review is still at that stage: still asked
    assert world.north_notification.resolved_at is not None
    assert notifications.sweep_resolved() == 0


def test_a_resolved_notification_is_not_counted_in_the_header(client, world):
    client.force_login(world.north_manager)
    assert client.get(reverse("home")).context["unread_notifications"] == 1
    notifications.resolve(review=world.north_review, keys=["test:north"])
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_the_sweep_resolves_requests_on_a_version_no_longer_out_for_comment(
    world, django_capture_on_commit_callbacks
):
    """However the version left "out for comment" (here: around the services, as loaded data may), the
    daily sweep marks its requests done, and leaves those of a version still out for comment."""
    with django_capture_on_commit_callbacks(execute=True):
        version = _out_for_comment(world, world.north_review)
        other = _out_for_comment(world, world.cross_border_review)
    type(version).objects.filter(pk=version.pk).update(status="superseded")

    notifications.sweep_resolved()

    assert not Notification.objects.filter(
        key__startswith=f"tor:{version.pk}:", resolved_at__isnull=True
    ).exists()
    assert Notification.objects.filter(key__startswith=f"tor:{other.pk}:", resolved_at__isnull=True).exists()

"""Keeps the versions that key the action plans' cached counts (see selectors.plan_summary) and the home
page's cached sections (reviews.dashboards.cached) current.

Any change to an action moves its review's `actions_changed_at` and its boards' `plan_changed_at` on; a
review created or a board joining or leaving one moves the boards' on. Rows written in bulk (fixtures,
`seed_scale`) send no signals: whoever writes them calls `actions_changed` themselves, or relies on the
defaults of freshly made rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from responses.models import Action, ResponseVersion
from reviews.access import review_board_ids
from reviews.models import Board, Membership, ParticipatingBoard, Review


def boards_changed(board_ids: Iterable[int]) -> None:
    Board.objects.filter(pk__in=list(board_ids)).update(plan_changed_at=timezone.now())


def actions_changed(review_ids: Iterable[int]) -> None:
    """The actions of these reviews changed: their plans, and their boards' plans, are read afresh."""
    review_ids = list(review_ids)
    Review.objects.filter(pk__in=review_ids).update(actions_changed_at=timezone.now())
    boards_changed(_boards_of(review_ids))


def _boards_of(review_ids: list[int]) -> set[int]:
    led = Review.objects.filter(pk__in=review_ids).values_list("lead_board_id", flat=True)
    taking_part = ParticipatingBoard.objects.filter(review_id__in=review_ids).values_list(
        "board_id", flat=True
    )
    return {*led, *taking_part}


@receiver(post_save, sender=Action, dispatch_uid="action_saved_plan_changed")
@receiver(post_delete, sender=Action, dispatch_uid="action_deleted_plan_changed")
def _action_changed(sender, instance: Action, **kwargs) -> None:
    actions_changed([instance.review_id])


@receiver(post_save, sender=Review, dispatch_uid="review_saved_board_changed")
def _review_saved(sender, instance: Review, raw: bool = False, **kwargs) -> None:
    """A review made, or changed (its stage, its dates): its boards' dashboards are read afresh."""
    if not raw:
        boards_changed(review_board_ids(instance))


@receiver(post_save, sender=Membership, dispatch_uid="membership_saved_board_changed")
@receiver(post_delete, sender=Membership, dispatch_uid="membership_deleted_board_changed")
def _membership_changed(sender, instance: Membership, raw: bool = False, **kwargs) -> None:
    if not raw:
        boards_changed([instance.board_id])


@receiver(post_delete, sender=Review, dispatch_uid="review_deleted_plan_changed")
def _review_deleted(sender, instance: Review, **kwargs) -> None:
    boards_changed([instance.lead_board_id])


@receiver(post_save, sender=ParticipatingBoard, dispatch_uid="board_joined_plan_changed")
@receiver(post_delete, sender=ParticipatingBoard, dispatch_uid="board_left_plan_changed")
def _participation_changed(sender, instance: ParticipatingBoard, **kwargs) -> None:
    boards_changed([instance.board_id])


@receiver(post_save, sender=ResponseVersion, dispatch_uid="response_version_saved_board_changed")
@receiver(post_delete, sender=ResponseVersion, dispatch_uid="response_version_deleted_board_changed")
def _response_version_changed(sender, instance: ResponseVersion, created: bool = False, **kwargs) -> None:
    """A draft response made, signed or removed changes what waits on the chair (the home page's
    sections); saving a draft's text does not, so it leaves the boards' versions alone."""
    if kwargs.get("raw"):
        return
    if created or instance.signed_at is not None or kwargs.get("signal") is post_delete:
        boards_changed(_boards_of([instance.review_id]))

"""The terms-of-reference status table (commissioning/tor/workflow.py): its groups, who may make each
transition, and the model's freeze agreeing with the table's frozen statuses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from commissioning.models import FrozenError, ToRSection, ToRVersion
from commissioning.tor import services, workflow
from reviews.models import Review

pytestmark = pytest.mark.django_db

Status = ToRVersion.Status


def _draft(world) -> ToRVersion:
    Review.objects.filter(pk=world.north_review.pk).update(state="commissioning")
    world.north_review.refresh_from_db()
    return services.tor_draft_create(review=world.north_review, user=world.north_manager)


def test_every_status_is_open_or_frozen_exactly_once():
    assert sorted([*workflow.OPEN_STATUSES, *workflow.FROZEN_STATUSES]) == sorted(Status.values)


def test_the_table_names_who_makes_each_transition():
    roles = {name: set(t.roles) for name, t in workflow.MACHINE.transitions.items()}
    assert roles == {
        "send_for_comment": {workflow.BM},
        "close_comments_early": {workflow.CHAIR},
        "approve": {workflow.CHAIR},
        "supersede_by_draft": {workflow.BM},
        "supersede_by_approval": {workflow.CHAIR},
    }


@pytest.mark.parametrize("status", list(Status))
def test_sections_are_frozen_exactly_in_the_frozen_statuses(world, status):
    version = _draft(world)
    ToRVersion.objects.filter(pk=version.pk).update(
        status=status, approved_by=world.north_chair, approved_at=timezone.now()
    )
    section = ToRSection.objects.filter(version=version).first()
    section.body = "Changed"
    if status in workflow.FROZEN_STATUSES:
        with pytest.raises(FrozenError):
            section.save()
    else:
        section.save()


def test_only_the_business_manager_sends_a_draft_for_comment(world):
    version = _draft(world)
    closes = timezone.localdate() + timedelta(days=14)
    with pytest.raises(services.ToRRefused, match="Only the lead board's business manager"):
        services.tor_send_for_comment(version=version, user=world.north_member, closes_on=closes)
    version.refresh_from_db()
    assert version.status == Status.DRAFT

"""The demo's reviews in progress have a plan with one slipped milestone, their governance, the lead
reviewer's declaration and a resolved challenge; seeding again changes nothing."""

from __future__ import annotations

import pytest

from conduct.models import Challenge, Governance, IndependenceDeclaration, MilestoneDelay
from demo.plan import seed_plans
from markers.checks import MET, evidence_for
from markers.registry import MARKERS
from reviews.models import ParallelProcess
from tests.conduct.helpers import in_progress

pytestmark = pytest.mark.django_db


def test_a_review_in_progress_gets_a_plan_with_one_slipped_milestone_once(world):
    review = in_progress(world.north_review)
    ParallelProcess.objects.filter(pk=world.north_process.pk).update(kind=ParallelProcess.Kind.CRIMINAL)

    assert seed_plans() == 1
    assert MilestoneDelay.objects.filter(milestone__review=review).count() == 1
    assert Governance.objects.filter(review=review).exists()
    assert IndependenceDeclaration.objects.filter(review=review, reviewer=world.north_reviewer).exists()
    assert Challenge.objects.get(review=review).resolved_on
    assert {e.suggests for e in evidence_for(review, MARKERS[7]).values()} == {MET}
    assert {e.suggests for e in evidence_for(review, MARKERS[9]).values()} == {MET}

    milestones = review.milestones.count()
    assert seed_plans() == 0
    assert review.milestones.count() == milestones

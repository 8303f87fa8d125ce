"""The demo's plans and governance: each review in progress has its regime's plan with one milestone slipped
(its reason told to the lead board), its quality assurance and sign-off set, its lead reviewer's declaration,
a challenge resolved, and its criminal proceedings' effect and disclosure recorded. Made through the
services, once (a review that has a plan is left as it is)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conduct.plan import services
from reviews import workflow
from reviews.models import Membership, ParallelProcess, Review, Role


def seed_plans() -> int:
    """Plans the demo's reviews in progress that have none; returns how many were planned."""
    planned = 0
    for review in Review.objects.filter(
        state__in=workflow.states_allowing(workflow.INFORMATION_OPEN)
    ).select_related("lead_board"):
        if review.milestones.exists():
            continue
        manager = (
            Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER, is_active=True)
            .select_related("user")
            .first()
        )
        if manager is None:
            continue
        _plan(review, manager.user)
        planned += 1
    return planned


def _plan(review: Review, manager) -> None:
    today = timezone.localdate()
    made = services.plan_from_template(review=review, user=manager)
    slipped = next(m for m in made if m.name == "Agency information in")
    services.milestone_save(
        review=review,
        user=manager,
        milestone=slipped,
        name=slipped.name,
        owner=slipped.owner,
        due_on=slipped.due_on + timedelta(days=21),
        reason="Two agencies asked for more time to gather records held in archive.",
    )
    words = review.words
    services.governance_save(
        review=review,
        user=manager,
        quality_assured_by=f"A review panel named by the {words.body}: health, police and children's social care",
        quality_assurance="The panel meets monthly, reads each draft and records its challenge to the lead "
        "reviewer, who answers it in the next draft.",
        sign_off=f"The {words.accountable} accept{'' if review.is_practice_review else 's'} the final report "
        f"at a {words.body} meeting; a report not accepted goes back to the lead reviewer with the reasons.",
    )
    appointment = review.appointments.filter(ended_at__isnull=True).select_related("reviewer").first()
    if appointment:
        services.independence_declare(review=review, user=appointment.reviewer, independent=True)
    challenge = services.challenge_record(
        review=review,
        user=manager,
        kind="challenge",
        issue="Children's social care questions the draft's account of the strategy discussion.",
        raised_by="Children's social care, panel member",
        raised_on=today - timedelta(days=10),
        escalated=False,
    )
    services.challenge_resolve(
        review=review,
        user=manager,
        challenge=challenge,
        resolution="The lead reviewer read the minutes with the agency and the account was corrected.",
        resolved_on=today - timedelta(days=3),
        escalated=False,
    )
    ParallelProcess.objects.filter(review=review, kind=ParallelProcess.Kind.CRIMINAL).update(
        timetable_effect="Practitioner conversations about the last week wait until witnesses have given "
        "evidence.",
        tor_effect="The review leaves the events of the night itself to the trial.",
        disclosure_agreed_on=today - timedelta(days=30),
        disclosure_agreed_with="Senior investigating officer",
        disclosure_terms="Agency records may be read; practitioners who are witnesses are not interviewed "
        "before the trial.",
    )

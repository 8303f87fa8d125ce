"""The plan and governance's services: the plan from its regime's template, milestones moved with a reason
the lead board is told, marked done; the governance; the lead reviewer's declaration; the challenge log;
and what each refuses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conduct.models import Challenge, Governance, IndependenceDeclaration, Milestone, MilestoneDelay
from conduct.plan import services
from conduct.plan.services import PlanRefused
from reviews.models import Decision, Notification, Review, TimelineEntry
from scr_portal import workdays
from tests.conduct.helpers import in_progress
from tests.conduct.plan_helpers import challenge_for, milestone_for
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def review(world):
    return in_progress(world.north_review)


def _decided(review: Review, on: date) -> Review:
    Review.objects.filter(pk=review.pk).update(decision=Decision.INITIATE, decision_date=on)
    review.refresh_from_db()
    return review


# The plan from the template ------------------------------------------------------------------------------


def test_a_serious_case_reviews_plan_runs_to_the_completion_clock_in_the_boards_words(review, world):
    review = _decided(review, TODAY() - timedelta(days=30))
    made = services.plan_from_template(review=review, user=world.north_manager)

    names = [m.name for m in review.milestones.order_by("due_on", "pk")]
    assert names[-1] == "Final report to the board" and "Practitioner event held" in names
    assert not any("Panel" in n for n in names)
    assert review.milestones.order_by("-due_on").first().due_on == workdays.add_months(
        review.decision_date, review.lead_board.completion_months
    )
    owners = {m.name: m.owner for m in made}
    assert owners["First draft of the report"] == world.north_reviewer
    assert owners["Agency information in"] == world.north_manager
    assert all(m.planned_on == m.due_on for m in made)
    assert TimelineEntry.objects.filter(review=review, title="Review plan made").count() == 1


def test_a_practice_reviews_plan_names_the_partnership_and_runs_on_to_publication(world, partnership):
    review = in_progress(partnership.review)
    services.plan_from_template(review=review, user=partnership.manager)

    milestones = list(review.milestones.order_by("due_on", "pk"))
    names = [m.name for m in milestones]
    assert "Final report to the partnership" in names and not any("board" in n for n in names)
    assert names[-2:] == [
        "Report copied to the national Panel, the Secretary of State and Ofsted",
        "Report published",
    ]
    final = next(m for m in milestones if m.name == "Final report to the partnership")
    assert milestones[-1].due_on == workdays.add_months(final.due_on, review.lead_board.publication_months)


def test_the_template_is_used_once(review, world):
    services.plan_from_template(review=review, user=world.north_manager)
    count = review.milestones.count()
    assert services.plan_from_template(review=review, user=world.north_manager) == []
    assert review.milestones.count() == count


def test_no_plan_is_made_before_the_review_is_in_progress(world):
    with pytest.raises(PlanRefused, match="in progress"):
        services.plan_from_template(review=world.north_review, user=world.north_manager)
    assert not Milestone.objects.exists()


# Milestones ---------------------------------------------------------------------------------------------


def _save(review, world, milestone=None, **overrides):
    fields = {
        "review": review,
        "user": world.north_manager,
        "name": "Practitioner event held",
        "owner": world.north_reviewer,
        "due_on": TODAY() + timedelta(days=20),
    }
    return services.milestone_save(milestone=milestone, **(fields | overrides))


def test_a_milestone_added_is_planned_for_its_date_and_noted(review, world):
    made = _save(review, world)
    assert made.planned_on == made.due_on and made.status_shown() == ("Planned", "govuk-tag--grey")
    assert TimelineEntry.objects.filter(
        review=review, title="Milestone added: Practitioner event held"
    ).exists()


def test_the_owner_must_be_on_the_review(review, world):
    with pytest.raises(PlanRefused) as refused:
        _save(review, world, owner=world.south_manager)
    assert refused.value.field == "owner"


def test_moving_a_milestone_later_needs_a_reason(review, world):
    made = milestone_for(review, days=10)
    with pytest.raises(PlanRefused) as refused:
        _save(review, world, made, due_on=made.due_on + timedelta(days=7))
    assert refused.value.field == "reason"
    assert not MilestoneDelay.objects.exists()


def test_a_delay_is_recorded_on_the_timeline_and_the_lead_board_is_told(review, world):
    made = milestone_for(review, days=10)
    was = made.due_on
    moved = _save(review, world, made, due_on=was + timedelta(days=14), reason="The police asked us to wait.")

    assert moved.due_on == was + timedelta(days=14) and moved.planned_on == was
    assert moved.status_shown() == ("Moved", "govuk-tag--yellow")
    delay = MilestoneDelay.objects.get()
    assert (delay.was_due_on, delay.now_due_on, delay.reason) == (
        was,
        moved.due_on,
        "The police asked us to wait.",
    )
    assert TimelineEntry.objects.filter(
        review=review, title__startswith="Delay: Practitioner event held"
    ).exists()
    told = set(Notification.objects.filter(key__startswith="plan:").values_list("recipient", flat=True))
    assert told == {world.north_chair.pk}  # the manager acted; a board member is not told
    assert "The police asked us to wait." in Notification.objects.get(recipient=world.north_chair).body


def test_an_overdue_milestone_needs_a_new_date_and_a_reason(review, world):
    made = milestone_for(review, days=-5)
    assert made.status_shown() == ("Overdue", "govuk-tag--red")
    with pytest.raises(PlanRefused) as refused:
        _save(review, world, made, due_on=made.due_on, reason="Late.")
    assert refused.value.field == "due_on"
    with pytest.raises(PlanRefused) as refused:
        _save(review, world, made, due_on=TODAY() + timedelta(days=3))
    assert refused.value.field == "reason"
    _save(review, world, made, due_on=TODAY() + timedelta(days=3), reason="The practitioners were off sick.")
    assert MilestoneDelay.objects.filter(milestone=made).count() == 1


def test_a_milestone_never_moves_before_its_first_planned_date(review, world):
    made = milestone_for(review, days=10)
    with pytest.raises(PlanRefused) as refused:
        _save(review, world, made, due_on=made.planned_on - timedelta(days=1))
    assert refused.value.field == "due_on"


def test_a_milestone_done_after_its_date_shows_as_done_late_and_then_no_longer_changes(review, world):
    made = milestone_for(review, days=-4)
    done = services.milestone_done(review=review, user=world.north_manager, milestone=made, done_on=TODAY())
    assert done.status_shown() == ("Done late", "govuk-tag--yellow")
    with pytest.raises(PlanRefused, match="done"):
        _save(review, world, done, due_on=TODAY() + timedelta(days=5), reason="x")
    with pytest.raises(PlanRefused, match="already done"):
        services.milestone_done(review=review, user=world.north_manager, milestone=done, done_on=TODAY())


def test_a_milestone_cannot_be_done_in_the_future(review, world):
    made = milestone_for(review)
    with pytest.raises(PlanRefused) as refused:
        services.milestone_done(
            review=review, user=world.north_manager, milestone=made, done_on=TODAY() + timedelta(days=1)
        )
    assert refused.value.field == "done_on"


def test_the_plan_does_not_change_once_the_report_is_received(review, world):
    made = milestone_for(review)
    Review.objects.filter(pk=review.pk).update(state="report_received")
    review.refresh_from_db()
    with pytest.raises(PlanRefused, match="in progress"):
        _save(review, world, made, due_on=made.due_on + timedelta(days=3), reason="x")


# Governance and independence -----------------------------------------------------------------------------


def test_governance_is_set_then_changed_on_the_timeline(review, world):
    fields = {
        "quality_assured_by": "A review panel named by the board",
        "quality_assurance": "It meets monthly and reads each draft.",
        "sign_off": "The chair accepts the final report at the board meeting.",
    }
    services.governance_save(review=review, user=world.north_manager, **fields)
    services.governance_save(review=review, user=world.north_manager, **(fields | {"sign_off": "The board."}))
    assert Governance.objects.get(review=review).sign_off == "The board."
    titles = list(
        TimelineEntry.objects.filter(review=review, title__startswith="Quality assurance").values_list(
            "title", flat=True
        )
    )
    assert titles == ["Quality assurance and sign-off set", "Quality assurance and sign-off changed"]


def test_the_lead_reviewer_declares_independence_and_the_manager_is_told(review, world):
    made = services.independence_declare(review=review, user=world.north_reviewer, independent=True)
    assert made.independent and made.declared_on == TODAY()
    assert Notification.objects.filter(
        recipient=world.north_manager, key__startswith="plan:independence"
    ).exists()


def test_interests_declared_need_how_they_are_managed(review, world):
    with pytest.raises(PlanRefused) as refused:
        services.independence_declare(
            review=review, user=world.north_reviewer, independent=False, interests="I once managed its team."
        )
    assert refused.value.field == "managed_how"
    services.independence_declare(
        review=review,
        user=world.north_reviewer,
        independent=False,
        interests="I once managed its team.",
        managed_how="Another reviewer leads on that agency.",
    )
    assert IndependenceDeclaration.objects.get().interests == "I once managed its team."


def test_only_the_appointed_lead_reviewer_declares(review, world):
    with pytest.raises(PlanRefused, match="lead reviewer"):
        services.independence_declare(review=review, user=world.north_manager, independent=True)


# Challenges and impasses ---------------------------------------------------------------------------------


def test_an_impasse_taken_to_the_chair_tells_the_chair(review, world):
    made = services.challenge_record(
        review=review,
        user=world.north_manager,
        kind=Challenge.Kind.IMPASSE,
        issue="Health and police disagree on the draft's finding 2.",
        raised_by="Lead reviewer",
        raised_on=TODAY(),
        escalated=True,
    )
    note = Notification.objects.get(key=f"plan:challenge:{made.pk}:escalated")
    assert note.recipient == world.north_chair and "impasse is taken to the chair" in note.title


def test_a_challenge_is_resolved_not_before_it_was_raised(review, world):
    made = challenge_for(review, world.north_manager)
    with pytest.raises(PlanRefused) as refused:
        services.challenge_resolve(
            review=review,
            user=world.north_manager,
            challenge=made,
            resolution="Agreed wording.",
            resolved_on=made.raised_on - timedelta(days=1),
            escalated=False,
        )
    assert refused.value.field == "resolved_on"
    services.challenge_resolve(
        review=review,
        user=world.north_manager,
        challenge=made,
        resolution="Agreed wording.",
        resolved_on=TODAY(),
        escalated=False,
    )
    made.refresh_from_db()
    assert made.resolved_on == TODAY() and not made.escalated
    assert not Notification.objects.filter(key__startswith="plan:challenge").exists()


def test_the_practice_reviews_partners_are_told_of_a_delay(world, partnership):
    review = in_progress(partnership.review)
    AppointmentFactory(review=review, reviewer=partnership.reviewer)
    made = milestone_for(review, days=5)
    services.milestone_save(
        review=review,
        user=partnership.manager,
        milestone=made,
        name=made.name,
        owner=partnership.reviewer,
        due_on=made.due_on + timedelta(days=10),
        reason="Inquest moved.",
    )
    told = set(Notification.objects.filter(key__startswith="plan:").values_list("recipient", flat=True))
    partners = {u.pk for u in (*partnership.leads.values(), *partnership.delegates.values())}
    assert partners <= told and partnership.member.pk not in told

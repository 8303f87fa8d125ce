"""The plan and governance pages: the manager's first look makes the plan; a delay asks for its reason beside
the field; the lead reviewer declares; the challenge log; a parallel process's effects and disclosure; the
regime's own words on every page; the review page links to the plan."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conduct.models import Challenge, Governance, IndependenceDeclaration, Milestone, MilestoneDelay
from reviews.models import ParallelProcess
from tests.conduct.helpers import in_progress
from tests.conduct.plan_helpers import challenge_for, milestone_for
from tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


@pytest.fixture
def review(world):
    return in_progress(world.north_review)


def test_the_managers_first_look_makes_the_plan_a_members_does_not(client, review, world):
    client.force_login(world.north_member)
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "No plan has been made yet" in page and not Milestone.objects.exists()
    assert "Add a milestone" not in page

    client.force_login(world.north_manager)
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "Final report to the board" in page and "Add a milestone" in page
    assert Milestone.objects.filter(review=review).count() == 6


def test_the_review_page_links_to_the_plan_once_in_progress(client, world):
    client.force_login(world.north_member)
    url = reverse("review_detail", args=[world.north_review.pk])
    assert reverse("review_plan", args=[world.north_review.pk]) not in client.get(url).content.decode()
    in_progress(world.north_review)
    assert reverse("review_plan", args=[world.north_review.pk]) in client.get(url).content.decode()


def test_moving_a_milestone_later_without_a_reason_is_refused_beside_the_field(client, review, world):
    made = milestone_for(review, days=10, owner=world.north_manager)
    client.force_login(world.north_manager)
    url = reverse("milestone_edit", args=[review.pk, made.pk])
    later = made.due_on + timedelta(days=7)
    data = {"name": made.name, "owner": world.north_reviewer.pk, **_date("due_on", later)}
    page = client.post(url, data).content.decode()
    assert "There is a problem" in page and "Say why it is delayed" in page
    assert not MilestoneDelay.objects.exists()

    response = client.post(url, data | {"reason": "The inquest was adjourned."})
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.due_on == later and made.owner == world.north_reviewer
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "The inquest was adjourned." in page and "Moved" in page


def test_an_overdue_milestone_is_flagged_and_asks_for_the_delay_to_be_explained(client, review, world):
    made = milestone_for(review, days=-3)
    client.force_login(world.north_manager)
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "Overdue" in page and "Explain the delay" in page
    page = client.get(reverse("milestone_edit", args=[review.pk, made.pk])).content.decode()
    assert "is overdue" in page and "The chair and the business manager are told" in page


def test_a_milestone_is_marked_done(client, review, world):
    made = milestone_for(review, days=5)
    client.force_login(world.north_manager)
    response = client.post(reverse("milestone_done", args=[review.pk, made.pk]), _date("done_on", TODAY()))
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.done_on == TODAY()
    # Done: it no longer offers a change.
    response = client.get(reverse("milestone_edit", args=[review.pk, made.pk]))
    assert response.status_code == 302


def test_a_milestone_is_added_with_an_owner_from_the_review(client, review, world):
    client.force_login(world.north_manager)
    url = reverse("milestone_add", args=[review.pk])
    page = client.get(url).content.decode()
    assert world.north_reviewer.get_full_name() in page
    assert world.south_manager.get_full_name() not in page
    due = TODAY() + timedelta(days=30)
    response = client.post(
        url, {"name": "Panel meeting", "owner": world.north_chair.pk, **_date("due_on", due)}
    )
    assert response.status_code == 302
    assert Milestone.objects.get(name="Panel meeting").owner == world.north_chair


def test_the_manager_sets_the_governance(client, review, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("governance_edit", args=[review.pk]),
        {
            "quality_assured_by": "Review panel: health, police, social care",
            "quality_assurance": "Reads each draft.",
            "sign_off": "The chair at the board meeting.",
        },
    )
    assert response.status_code == 302
    assert Governance.objects.get(review=review).quality_assured_by.startswith("Review panel")


def test_the_lead_reviewer_declares_interests_and_how_they_are_managed(client, review, world):
    client.force_login(world.north_reviewer)
    url = reverse("independence_declare", args=[review.pk])
    page = client.post(
        url, {"independent": "no", "interests": "I chaired a panel of the trust."}
    ).content.decode()
    assert "Say how the interests are managed" in page
    response = client.post(
        url,
        {"independent": "no", "interests": "I chaired a panel of the trust.", "managed_how": "Co-reviewer."},
    )
    assert response.status_code == 302
    assert IndependenceDeclaration.objects.get().managed_how == "Co-reviewer."
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "Declared interests on" in page and "Co-reviewer." in page


def test_a_challenge_is_logged_and_resolved(client, review, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("challenge_add", args=[review.pk]),
        {
            "kind": "impasse",
            "issue": "Agencies disagree on the finding about thresholds.",
            "raised_by": "Health board member",
            **_date("raised_on", TODAY()),
            "escalated": "on",
        },
    )
    assert response.status_code == 302
    made = Challenge.objects.get()
    assert made.escalated and made.kind == "impasse"
    response = client.post(
        reverse("challenge_resolve", args=[review.pk, made.pk]),
        {"resolution": "The chair agreed the wording.", **_date("resolved_on", TODAY())},
    )
    assert response.status_code == 302
    made.refresh_from_db()
    assert made.resolution == "The chair agreed the wording." and made.escalated


def test_a_resolution_dated_before_the_challenge_is_refused_beside_its_field(client, review, world):
    made = challenge_for(review, world.north_manager)
    client.force_login(world.north_manager)
    page = client.post(
        reverse("challenge_resolve", args=[review.pk, made.pk]),
        {"resolution": "Agreed.", **_date("resolved_on", made.raised_on - timedelta(days=2))},
    ).content.decode()
    assert "It cannot be resolved before it was raised" in page


def test_a_parallel_process_records_its_effects_and_the_disclosure_agreed(client, review, world):
    process = world.north_process
    client.force_login(world.north_manager)
    url = reverse("parallel_process_edit", args=[review.pk, process.pk])
    base = {"kind": "criminal", "description": "Trial of the father", "may_delay_publication": "on"}
    page = client.post(url, base | {"disclosure_terms": "Witness statements may be read."}).content.decode()
    assert "Enter the date disclosure was agreed" in page
    response = client.post(
        url,
        base
        | {
            "timetable_effect": "Practitioner interviews after the trial.",
            "tor_effect": "The review leaves the night of the incident to the trial.",
            **_date("disclosure_agreed_on", TODAY()),
            "disclosure_agreed_with": "Senior investigating officer",
            "disclosure_terms": "Witness statements may be read.",
        },
    )
    assert response.status_code == 302
    process = ParallelProcess.objects.get(pk=process.pk)
    assert process.disclosure_agreed_with == "Senior investigating officer"
    assert process.timetable_effect.startswith("Practitioner interviews")
    page = client.get(reverse("review_plan", args=[review.pk])).content.decode()
    assert "agreed with Senior investigating officer" in page


def test_a_practice_reviews_plan_speaks_of_the_partnership_and_its_partners(client, world, partnership):
    review = in_progress(partnership.review)
    AppointmentFactory(review=review, reviewer=partnership.reviewer)
    client.force_login(partnership.manager)
    pages = [client.get(reverse("review_plan", args=[review.pk])).content.decode()]
    made = review.milestones.first()
    for name, args in (
        ("milestone_edit", [review.pk, made.pk]),
        ("governance_edit", [review.pk]),
        ("challenge_add", [review.pk]),
        ("governance_self_check", [review.pk]),
        ("management_self_check", [review.pk]),
        ("parallel_self_check", [review.pk]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        pages.append(response.content.decode())
    text = " ".join(pages)
    assert "Final report to the partnership" in text and "national Panel" in text
    assert "taken to the partners" in text
    for word in ("LSCB", "Serious Case Review", "board chair", "to the chair", "the board's"):
        assert word not in text, word

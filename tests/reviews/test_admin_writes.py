"""The admin is not a second way to write: its saves go through the portal's services, so an admin edit
of a review or an admin appointment leaves the same timeline entry, deadline, refusals and notifications as
the portal's own pages; what only the workflow may change is read-only there; and nobody writes through the
admin what the portal's rules would not let them write."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import formats

from commissioning.models import ConflictDeclaration, LeadReviewer
from commissioning.registry import services as registry
from reviews.models import (
    Appointment,
    Board,
    Child,
    Criteria,
    Notification,
    ParallelProcess,
    Review,
    Role,
    State,
    TimelineEntry,
)
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.factories import AppointmentFactory, MembershipFactory, ReviewFactory, UserFactory
from tests.reviews.forms import form_data

pytestmark = pytest.mark.django_db

LEARNED = date.today() - timedelta(days=30)


@pytest.fixture
def admin_user(world: World, staff_user) -> User:
    """An administrator who is also North's business manager: North's reviews are theirs to manage, in
    the portal and in the admin alike."""
    staff_user.full_name = "Alex Admin"
    staff_user.save()
    MembershipFactory(user=staff_user, board=world.north, role=Role.BUSINESS_MANAGER)
    return staff_user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _admin_form(client, model, view: str, *args, **fields) -> dict:
    """The admin's add or change form as rendered, with `fields` changed, ready to post."""
    page = client.get(_admin_url(model, view, *args))
    assert page.status_code == 200, page.status_code
    return {**form_data(page.content.decode(), f"{model._meta.model_name}_form", **fields), "_save": "Save"}


def _post_admin(client, model, view: str, *args, **fields):
    return client.post(_admin_url(model, view, *args), _admin_form(client, model, view, *args, **fields))


def _errors(response) -> dict:
    return response.context["adminform"].form.errors


def _admin_date(value: date) -> str:
    return value.strftime(formats.get_format("DATE_INPUT_FORMATS")[0])


def _referral(world: World, reference: str) -> Review:
    review = ReviewFactory(
        lead_board=world.north,
        reference=reference,
        case_summary="What happened, in brief.",
        incident_date=LEARNED - timedelta(days=2),
        notification_date=LEARNED,
        criteria=Criteria.STATUTORY,
    )
    return review


def _timeline(review: Review) -> list[tuple]:
    return [(e.kind, e.title, e.body, e.actor) for e in review.timeline.order_by("at", "pk")]


# Editing a review ------------------------------------------------------------------------------------------


def _edit_in_the_portal(client, review: Review, notified: date, summary: str):
    def date_parts(name: str, value: date) -> dict:
        return {f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year}

    return client.post(
        reverse("review_edit", args=[review.pk]),
        {
            "reference": review.reference,
            "regime": review.regime,
            "case_summary": summary,
            **date_parts("incident_date", review.incident_date),
            **date_parts("notification_date", notified),
            "criteria": review.criteria,
            "criteria_notes": review.criteria_notes,
        },
    )


def test_an_admin_edit_of_a_review_leaves_the_same_timeline_and_deadline_as_the_portals_page(
    admin_client, world
):
    in_portal, in_admin = _referral(world, "NSCB-P"), _referral(world, "NSCB-A")
    notified, summary = LEARNED + timedelta(days=3), "What happened, as the board now knows it."

    assert _edit_in_the_portal(admin_client, in_portal, notified, summary).status_code == 302
    response = _post_admin(
        admin_client,
        Review,
        "change",
        in_admin.pk,
        notification_date=_admin_date(notified),
        case_summary=summary,
    )
    assert response.status_code == 302, _errors(response)

    in_portal.refresh_from_db()
    in_admin.refresh_from_db()
    assert _timeline(in_admin) == _timeline(in_portal)
    assert _timeline(in_admin)[-1][1:3] == (
        "Referral details updated",
        "Changed: summary of the case, date the board learned of the incident.",
    )
    assert (in_admin.due_kind, in_admin.due_on) == (in_portal.due_kind, in_portal.due_on)
    assert in_admin.due_on is not None and in_admin.due_on > LEARNED + timedelta(days=3)


def test_an_admin_edit_that_changes_nothing_adds_nothing_to_the_timeline(admin_client, world):
    review = _referral(world, "NSCB-A")
    assert _post_admin(admin_client, Review, "change", review.pk).status_code == 302
    assert _timeline(review) == []


def test_the_admin_change_form_offers_no_stage_or_step_field(admin_client, world):
    page = admin_client.get(_admin_url(Review, "change", world.north_review.pk))
    form = page.context["adminform"].form
    assert {"state", "decision", "decision_date", "started_on", "final_report", "lead_board"}.isdisjoint(
        form.fields
    )
    assert 'name="state"' not in page.content.decode()


def test_the_stage_cannot_be_changed_in_the_admin(admin_client, world):
    review = world.north_review
    response = _post_admin(
        admin_client,
        Review,
        "change",
        review.pk,
        state=State.CLOSED,
        decision="initiate",
        closed_on=_admin_date(date.today()),
        reference="NSCB-1A",
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reference == "NSCB-1A"  # the referral details were saved ...
    assert (review.state, review.decision, review.closed_on) == (State.REFERRAL, "", None)  # ... nothing else
    assert not review.timeline.filter(kind=TimelineEntry.Kind.TRANSITION).exists()


def test_an_old_version_cannot_be_posted_back_to_revert_a_review(admin_client, world):
    review = world.north_review
    old = review.history.earliest()
    Review.objects.filter(pk=review.pk).update(state=State.DECISION)
    url = reverse("admin:reviews_review_simple_history", args=[review.pk, old.history_id])
    assert admin_client.get(url).status_code == 200  # an old version can be read
    response = admin_client.post(url, {"reference": "NSCB-1", "lead_board": world.north.pk, "_save": "Save"})
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.state == State.DECISION


def test_a_review_opened_in_the_admin_gets_its_deadline_and_timeline_entry(admin_client, world):
    response = _post_admin(
        admin_client,
        Review,
        "add",
        lead_board=str(world.north.pk),
        reference="NSCB-NEW",
        notification_date=_admin_date(LEARNED),
    )
    assert response.status_code == 302, _errors(response)
    review = Review.objects.get(reference="NSCB-NEW")
    assert review.state == State.REFERRAL
    assert (review.due_kind, review.due_on) != ("", None)
    assert [e[1] for e in _timeline(review)] == ["Referral opened"]


def test_the_admin_offers_only_boards_where_the_administrator_may_open_a_review(admin_client, world):
    form = admin_client.get(_admin_url(Review, "add")).context["adminform"].form
    assert list(form.fields["lead_board"].queryset) == [world.north]


def test_an_administrator_without_a_business_manager_role_cannot_open_a_review(client, world, staff_user):
    MembershipFactory(user=staff_user, board=world.north, role=Role.CHAIR)
    client.force_login(staff_user)
    assert client.get(_admin_url(Review, "add")).status_code == 403


def test_an_administrator_who_is_not_the_reviews_manager_can_only_read_it_in_the_admin(
    client, world, staff_user
):
    MembershipFactory(user=staff_user, board=world.north, role=Role.CHAIR)
    client.force_login(staff_user)
    url = _admin_url(Review, "change", world.north_review.pk)
    assert client.get(url).status_code == 200  # they see it, as in the portal
    response = client.post(url, {"reference": "TAMPERED", "_save": "Save"})
    assert response.status_code == 403
    world.north_review.refresh_from_db()
    assert world.north_review.reference == "NSCB-1"


def test_a_closed_review_is_read_only_in_the_admin(admin_client, world):
    Review.objects.filter(pk=world.north_review.pk).update(state=State.CLOSED)
    url = _admin_url(Review, "change", world.north_review.pk)
    assert admin_client.get(url).context["has_change_permission"] is False
    assert admin_client.post(url, {"reference": "TAMPERED", "_save": "Save"}).status_code == 403


# A review's children and parallel processes ---------------------------------------------------------------


def test_a_child_added_in_the_admin_is_on_the_timeline_as_from_the_portal(admin_client, world):
    response = _post_admin(
        admin_client,
        Child,
        "add",
        review=str(world.north_review.pk),
        pseudonym="Child B",
        outcome=Child.Outcome.DIED,
    )
    assert response.status_code == 302, _errors(response)
    assert world.north_review.timeline.filter(title="Added Child B", actor__full_name="Alex Admin").exists()


def test_the_admin_refuses_a_pseudonym_the_review_already_has_as_the_portal_does(admin_client, world):
    response = _post_admin(
        admin_client,
        Child,
        "add",
        review=str(world.north_review.pk),
        pseudonym="child a",
        outcome=Child.Outcome.DIED,
    )
    assert response.status_code == 200
    assert _errors(response)["pseudonym"] == ["This review already has a child called child a"]


def test_a_parallel_process_changed_in_the_admin_is_on_the_timeline(admin_client, world):
    process = world.north_process
    response = _post_admin(admin_client, ParallelProcess, "change", process.pk, description="The trial")
    assert response.status_code == 302, _errors(response)
    assert world.north_review.timeline.filter(title__startswith="Updated parallel process").exists()


def test_a_child_cannot_be_added_in_the_admin_to_a_review_the_administrator_may_not_change(
    admin_client, world
):
    Review.objects.filter(pk=world.north_review.pk).update(state=State.CLOSED)
    response = _post_admin(
        admin_client,
        Child,
        "add",
        review=str(world.north_review.pk),
        pseudonym="Child B",
        outcome=Child.Outcome.DIED,
    )
    assert response.status_code == 403
    assert not Child.objects.filter(pseudonym="Child B").exists()


# Boards ---------------------------------------------------------------------------------------------------


def test_a_boards_local_targets_are_read_only_in_the_admin(admin_client, world):
    response = _post_admin(admin_client, Board, "change", world.north.pk, decision_months="2")
    assert response.status_code == 302
    world.north.refresh_from_db()
    assert world.north.decision_months == 1
    page = admin_client.get(_admin_url(Board, "change", world.north.pk)).content.decode()
    assert "Local targets page in the portal" in page


# Appointing lead reviewers --------------------------------------------------------------------------------


def _on_registry(full_name: str, max_reviews: int = 2) -> LeadReviewer:
    return LeadReviewer.objects.create(
        user=UserFactory(full_name=full_name), max_concurrent_reviews=max_reviews
    )


def _appoint_in_the_admin(client, review: Review, candidate: LeadReviewer, **fields):
    return _post_admin(
        client, Appointment, "add", review=str(review.pk), lead_reviewer=str(candidate.pk), **fields
    )


def _appoint_in_the_portal(client, review: Review, candidate: LeadReviewer, **fields):
    return client.post(reverse("appointment_create", args=[review.pk, candidate.pk]), fields)


def test_an_admin_appointment_leaves_the_same_timeline_entry_and_notification_as_the_portals(
    admin_client, world
):
    candidate = _on_registry("Pat Candidate")
    assert _appoint_in_the_portal(admin_client, world.north_review, candidate).status_code == 302
    response = _appoint_in_the_admin(admin_client, world.cross_border_review, candidate)
    assert response.status_code == 302, _errors(response)

    assert Appointment.objects.filter(review=world.cross_border_review, reviewer=candidate.user).exists()
    assert _timeline(world.cross_border_review) == _timeline(world.north_review)[-1:]
    assert _timeline(world.cross_border_review)[0][1] == "Lead reviewer appointed: Pat Candidate"
    titles = sorted(Notification.objects.filter(recipient=candidate.user).values_list("title", flat=True))
    assert titles == [
        "You are appointed lead reviewer of NSCB-1",
        "You are appointed lead reviewer of NSCB-X",
    ]


def test_an_admin_appointment_of_a_conflicted_reviewer_is_refused_with_the_portals_message(
    admin_client, world
):
    candidate = _on_registry("Pat Candidate")
    for review in (world.north_review, world.cross_border_review):
        ConflictDeclaration.objects.create(
            reviewer=candidate, review=review, has_conflict=True, details="Knows the family"
        )
    portal = _appoint_in_the_portal(admin_client, world.north_review, candidate)
    refused = _appoint_in_the_admin(admin_client, world.cross_border_review, candidate)

    assert refused.status_code == 200
    assert _errors(refused)["override"] == portal.context["form"].errors["override"]
    assert "has declared a conflict of interest" in _errors(refused)["override"][0]
    assert "Please correct the error below" in refused.content.decode()
    assert not Appointment.objects.filter(reviewer=candidate.user).exists()
    assert not world.cross_border_review.timeline.exists()


def test_an_admin_appointment_over_the_reviewers_load_is_refused_with_the_portals_message(
    admin_client, world
):
    candidate = _on_registry("Pat Busy", max_reviews=1)
    AppointmentFactory(reviewer=candidate.user, review=world.south_review)
    portal = _appoint_in_the_portal(admin_client, world.north_review, candidate)
    refused = _appoint_in_the_admin(admin_client, world.cross_border_review, candidate)
    assert "already leading 1 of at most 1 review" in _errors(refused)["override"][0]
    assert _errors(refused)["override"] == portal.context["form"].errors["override"]
    assert not Appointment.objects.filter(reviewer=candidate.user, review__lead_board=world.north).exists()


def test_an_admin_override_needs_a_reason_and_is_recorded_as_in_the_portal(admin_client, world):
    candidate = _on_registry("Pat Candidate")
    ConflictDeclaration.objects.create(
        reviewer=candidate, review=world.north_review, has_conflict=True, details="Knows the family"
    )
    no_reason = _appoint_in_the_admin(admin_client, world.north_review, candidate, override="on")
    assert _errors(no_reason)["override_reason"] == ["Enter why the board is appointing them anyway"]

    response = _appoint_in_the_admin(
        admin_client, world.north_review, candidate, override="on", override_reason="Contact ended in 2010"
    )
    assert response.status_code == 302, _errors(response)
    entry = world.north_review.timeline.get(title="Lead reviewer appointed: Pat Candidate")
    assert "Knows the family" in entry.body and "Contact ended in 2010" in entry.body


def test_the_admin_offers_only_people_on_the_registry(admin_client, world):
    candidate = _on_registry("Pat Candidate")
    form = admin_client.get(_admin_url(Appointment, "add")).context["adminform"].form
    assert list(form.fields["lead_reviewer"].queryset) == [candidate]
    assert "reviewer" not in form.fields


def test_nobody_is_appointed_in_the_admin_to_a_review_the_administrator_may_not_appoint_to(
    admin_client, admin_user, world
):
    candidate = _on_registry("Pat Candidate")
    MembershipFactory(user=admin_user, board=world.south, role=Role.CHAIR)  # sees South's reviews only
    response = _appoint_in_the_admin(admin_client, world.south_review, candidate)
    assert response.status_code == 403
    assert not Appointment.objects.filter(reviewer=candidate.user).exists()


def test_a_refusal_under_the_services_lock_saves_nothing_and_says_why(admin_client, world, monkeypatch):
    candidate = _on_registry("Pat Candidate")

    def refused(**kwargs):
        raise registry.AppointmentRefused("Pat Candidate is already appointed to this review.")

    monkeypatch.setattr(registry, "appointment_make", refused)
    response = _appoint_in_the_admin(admin_client, world.north_review, candidate)
    assert response.status_code == 302
    followed = admin_client.get(response["Location"])
    assert "already appointed to this review. Nothing was saved." in followed.content.decode()
    assert not LogEntry.objects.exists()


def test_ending_an_appointment_in_the_admin_leaves_the_same_timeline_entry_as_the_portal(admin_client, world):
    in_portal = world.north_review.appointments.get()
    in_admin = AppointmentFactory(review=world.cross_border_review, reviewer=world.north_reviewer)
    admin_client.post(
        reverse("appointment_end", args=[world.north_review.pk, in_portal.pk]), {"reason": "Ill health"}
    )
    response = _post_admin(
        admin_client, Appointment, "change", in_admin.pk, end="on", end_reason="Ill health"
    )
    assert response.status_code == 302, _errors(response)

    in_admin.refresh_from_db()
    assert in_admin.ended_at is not None
    assert _timeline(world.cross_border_review) == _timeline(world.north_review)[-1:]
    assert _timeline(world.cross_border_review)[0][1].startswith("Lead reviewer appointment ended")


def test_an_ended_appointment_is_read_only_and_no_appointment_is_deleted_in_the_admin(admin_client, world):
    appointment = world.north_review.appointments.get()
    assert (
        admin_client.post(_admin_url(Appointment, "delete", appointment.pk), {"post": "yes"}).status_code
        == 403
    )
    registry.appointment_end(appointment=appointment, actor=world.north_manager)
    url = _admin_url(Appointment, "change", appointment.pk)
    assert admin_client.get(url).context["has_change_permission"] is False
    assert admin_client.post(url, {"end": "on", "_save": "Save"}).status_code == 403
    assert Appointment.objects.filter(pk=appointment.pk).exists()


def test_a_reviews_lead_reviewers_are_read_only_on_its_admin_page(admin_client, world):
    page = admin_client.get(_admin_url(Review, "change", world.north_review.pk))
    (appointments,) = [f for f in page.context["inline_admin_formsets"] if f.opts.model is Appointment]
    assert not appointments.has_add_permission
    assert not appointments.has_change_permission
    assert not appointments.has_delete_permission
    assert "where the conflict of interest and load checks run" in page.content.decode()

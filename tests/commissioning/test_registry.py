"""The lead reviewer registry, appointing a lead reviewer, declarations of interest, and the lead
reviewer's proposals with the board's answers (QM 6: the lead reviewer can influence scope and approach)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Availability, ConflictDeclaration, LeadReviewer, Proposal, Skill
from commissioning.registry import selectors, services
from reviews.models import Appointment, Notification, Review
from tests.conftest import World
from tests.factories import AppointmentFactory, ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


def _on_registry(user=None, *, skills=(), windows=(), max_reviews=2, **fields) -> LeadReviewer:
    reviewer = LeadReviewer.objects.create(
        user=user or UserFactory(), max_concurrent_reviews=max_reviews, **fields
    )
    reviewer.skills.set([Skill.objects.get_or_create(name=name)[0] for name in skills])
    for start, end in windows:
        Availability.objects.create(reviewer=reviewer, available_from=start, available_to=end)
    return reviewer


def _date_params(name: str, value: date) -> dict:
    return {f"{name}_0": value.day, f"{name}_1": value.month, f"{name}_2": value.year}


def _proposal(world: World, **fields) -> Proposal:
    values = {"topic": Proposal.Topic.SCOPE, "text": "Extend the period back to the birth of the sibling."}
    return Proposal.objects.create(
        review=world.north_review, author=world.north_reviewer, **{**values, **fields}
    )


# Who may use each page -----------------------------------------------------------------------------------

PAGES = {
    "registry_list": lambda w: reverse("registry_list"),
    "registry_create": lambda w: reverse("registry_create"),
    "registry_edit": lambda w: reverse("registry_edit", args=[_on_registry().pk]),
    "appointment_manage": lambda w: reverse("appointment_manage", args=[w.north_review.pk]),
    "appointment_create": lambda w: reverse(
        "appointment_create", args=[w.north_review.pk, _on_registry().pk]
    ),
    "appointment_end": lambda w: reverse(
        "appointment_end", args=[w.north_review.pk, w.north_review.appointments.get().pk]
    ),
    "appointment_conflict_declare": lambda w: reverse(
        "appointment_conflict_declare", args=[w.north_review.pk, _on_registry(w.north_reviewer).pk]
    ),
    "proposal_list": lambda w: reverse("proposal_list", args=[w.north_review.pk]),
    "proposal_create": lambda w: reverse("proposal_create", args=[w.north_review.pk]),
    "proposal_answer": lambda w: reverse("proposal_answer", args=[w.north_review.pk, _proposal(w).pk]),
}

ACCESS = [
    # (page, person, expected status)
    ("registry_list", "north_manager", 200),
    ("registry_list", "north_chair", 200),
    ("registry_list", "east_manager", 200),  # the registry is shared by every board
    ("registry_list", "north_member", 403),
    ("registry_list", "north_reviewer", 403),
    ("registry_create", "south_manager", 200),
    ("registry_create", "north_chair", 403),
    ("registry_edit", "east_manager", 200),
    ("registry_edit", "south_chair", 403),
    ("appointment_manage", "north_manager", 200),
    ("appointment_manage", "north_chair", 403),
    ("appointment_manage", "north_reviewer", 403),
    ("appointment_manage", "east_manager", 404),
    ("appointment_manage", "south_manager", 404),
    ("appointment_create", "north_manager", 200),
    ("appointment_create", "north_member", 403),
    ("appointment_create", "east_manager", 404),
    ("appointment_end", "north_manager", 200),
    ("appointment_end", "north_reviewer", 403),
    ("appointment_end", "east_manager", 404),
    ("appointment_conflict_declare", "north_manager", 200),
    ("appointment_conflict_declare", "north_reviewer", 200),  # their own declaration
    ("appointment_conflict_declare", "north_chair", 403),
    ("appointment_conflict_declare", "east_manager", 404),
    ("appointment_conflict_declare", "south_reviewer", 404),
    ("proposal_list", "north_member", 200),
    ("proposal_list", "north_reviewer", 200),
    ("proposal_list", "east_manager", 404),
    ("proposal_list", "south_member", 404),
    ("proposal_create", "north_reviewer", 200),
    ("proposal_create", "north_manager", 403),
    ("proposal_create", "east_manager", 404),
    ("proposal_answer", "north_chair", 200),
    ("proposal_answer", "north_manager", 200),
    ("proposal_answer", "north_reviewer", 403),
    ("proposal_answer", "north_member", 403),
    ("proposal_answer", "east_manager", 404),
]


@pytest.mark.parametrize(("page", "person", "status"), ACCESS, ids=[f"{p}-{u}" for p, u, _ in ACCESS])
def test_who_may_use_each_page(client, world, page, person, status):
    url = PAGES[page](world)
    client.force_login(getattr(world, person))
    assert client.get(url).status_code == status


def test_only_the_lead_boards_business_manager_appoints_to_a_cross_border_review(client, world):
    url = reverse("appointment_manage", args=[world.cross_border_review.pk])
    client.force_login(world.south_manager)
    assert client.get(url).status_code == 403  # South takes part; North runs the review
    client.force_login(world.north_manager)
    assert client.get(url).status_code == 200


def test_nobody_is_appointed_to_a_closed_review(client, world):
    Review.objects.filter(pk=world.north_review.pk).update(state="closed")
    client.force_login(world.north_manager)
    assert client.get(reverse("appointment_manage", args=[world.north_review.pk])).status_code == 403


def test_a_lead_reviewer_cannot_declare_for_someone_else(client, world):
    _on_registry(world.north_reviewer)
    other = _on_registry()
    client.force_login(world.north_reviewer)
    url = reverse("appointment_conflict_declare", args=[world.north_review.pk, other.pk])
    assert client.post(url, {"has_conflict": "no"}).status_code == 403
    assert not ConflictDeclaration.objects.exists()


# The registry --------------------------------------------------------------------------------------------


def test_the_registry_shows_skills_independence_load_and_next_availability(client, world):
    soon = timezone.localdate() + timedelta(days=10)
    reviewer = _on_registry(
        world.north_reviewer,
        skills=["Neglect"],
        windows=[(date(2020, 1, 1), date(2020, 2, 1)), (soon, soon + timedelta(days=30))],
        accreditation="SCIE Learning Together",
    )
    client.force_login(world.north_chair)
    body = client.get(reverse("registry_list")).content.decode()
    assert "Neglect" in body and "SCIE Learning Together" in body and "Independent" in body
    assert "1 of 2 reviews" in body
    assert f"{soon:%-d %B %Y} to" in body and "2020" not in body  # the next window, not a past one
    assert reverse("registry_edit", args=[reviewer.pk]) not in body  # chairs consult, managers edit


def test_the_registry_is_searched_by_skill(client, world):
    _on_registry(UserFactory(full_name="Ann Neglect"), skills=["Neglect"])
    _on_registry(UserFactory(full_name="Bob Adolescent"), skills=["Adolescent risk"])
    client.force_login(world.north_manager)
    skill = Skill.objects.get(name="Neglect")
    body = client.get(reverse("registry_list"), {"skill": skill.pk}).content.decode()
    assert "Ann Neglect" in body and "Bob Adolescent" not in body


def test_the_registry_is_searched_by_availability_on_a_date(client, world):
    _on_registry(UserFactory(full_name="Ann Spring"), windows=[(date(2030, 3, 1), date(2030, 5, 31))])
    _on_registry(UserFactory(full_name="Bob Autumn"), windows=[(date(2030, 9, 1), date(2030, 11, 30))])
    client.force_login(world.north_manager)
    body = client.get(reverse("registry_list"), _date_params("available_on", date(2030, 4, 15))).content
    assert b"Ann Spring" in body and b"Bob Autumn" not in body


def test_load_counts_current_appointments_on_running_reviews_only(world):
    reviewer = _on_registry(world.north_reviewer)  # appointed to NSCB-1 by the world
    AppointmentFactory(reviewer=world.north_reviewer, review=ReviewFactory(lead_board=world.north))
    AppointmentFactory(
        reviewer=world.north_reviewer, review=ReviewFactory(lead_board=world.north), ended_at=timezone.now()
    )
    AppointmentFactory(
        reviewer=world.north_reviewer, review=ReviewFactory(lead_board=world.north, state="closed")
    )
    assert selectors.current_load(reviewer) == 2
    assert selectors.registry_list().get(pk=reviewer.pk).current_load == 2


def test_a_business_manager_puts_an_existing_lead_reviewer_on_the_registry_with_a_new_skill(client, world):
    client.force_login(world.north_manager)
    Skill.objects.create(name="Neglect")
    response = client.post(
        reverse("registry_create"),
        {
            "user": world.north_reviewer.pk,
            "independent": "on",
            "skills": [Skill.objects.get(name="Neglect").pk],
            "new_skills": "Adolescent risk, Child sexual exploitation",
            "max_concurrent_reviews": "3",
            **_date_params("window_from", date(2030, 1, 1)),
            **_date_params("window_to", date(2030, 6, 30)),
        },
    )
    assert response.status_code == 302, response.content.decode()
    entry = LeadReviewer.objects.get(user=world.north_reviewer)
    assert sorted(entry.skills.values_list("name", flat=True)) == [
        "Adolescent risk",
        "Child sexual exploitation",
        "Neglect",
    ]
    assert entry.max_concurrent_reviews == 3
    assert list(entry.availability.values_list("available_from", "available_to")) == [
        (date(2030, 1, 1), date(2030, 6, 30))
    ]


def test_a_business_manager_adds_someone_new_to_the_registry_by_email(client, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("registry_create"),
        {
            "email": "Jo.Reviewer@independent.example",
            "full_name": "Jo Reviewer",
            "max_concurrent_reviews": "2",
        },
    )
    assert response.status_code == 302
    entry = LeadReviewer.objects.get(user__email="jo.reviewer@independent.example")
    assert entry.user.full_name == "Jo Reviewer" and not entry.user.has_usable_password()


def test_adding_by_a_new_email_without_a_name_is_refused_with_a_clear_message(client, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("registry_create"), {"email": "nobody@independent.example", "max_concurrent_reviews": "2"}
    )
    assert response.status_code == 200
    assert "Enter their full name" in response.content.decode()
    assert not LeadReviewer.objects.exists()


def test_editing_an_entry_removes_and_adds_availability_windows(client, world):
    entry = _on_registry(
        windows=[(date(2030, 1, 1), date(2030, 1, 31)), (date(2030, 3, 1), date(2030, 3, 31))]
    )
    january = entry.availability.get(available_from=date(2030, 1, 1))
    client.force_login(world.north_manager)
    response = client.post(
        reverse("registry_edit", args=[entry.pk]),
        {
            "independent": "on",
            "max_concurrent_reviews": "2",
            "remove_windows": [january.pk],
            **_date_params("window_from", date(2030, 6, 1)),
            **_date_params("window_to", date(2030, 5, 1)),
        },
    )
    assert "The last day must be on or after the first day" in response.content.decode()
    response = client.post(
        reverse("registry_edit", args=[entry.pk]),
        {
            "independent": "on",
            "max_concurrent_reviews": "2",
            "remove_windows": [january.pk],
            **_date_params("window_from", date(2030, 6, 1)),
            **_date_params("window_to", date(2030, 6, 30)),
        },
    )
    assert response.status_code == 302
    assert list(entry.availability.values_list("available_from", flat=True)) == [
        date(2030, 3, 1),
        date(2030, 6, 1),
    ]


# Appointing ------------------------------------------------------------------------------------------------


def _appoint(client, world, reviewer, **data):
    return client.post(reverse("appointment_create", args=[world.north_review.pk, reviewer.pk]), data)


def test_appointing_records_it_on_the_timeline_and_tells_the_reviewer(client, world):
    candidate = _on_registry(UserFactory(full_name="Pat Candidate"))
    client.force_login(world.north_manager)
    response = _appoint(client, world, candidate)
    assert response.status_code == 302
    assert Appointment.objects.filter(
        review=world.north_review, reviewer=candidate.user, ended_at=None
    ).exists()
    assert world.north_review.timeline.filter(title="Lead reviewer appointed: Pat Candidate").exists()
    note = Notification.objects.get(recipient=candidate.user)
    assert note.review == world.north_review and "appointed lead reviewer" in note.title


def test_the_appointment_page_shows_each_candidate_load_and_declaration(client, world):
    candidate = _on_registry(UserFactory(full_name="Pat Candidate"), max_reviews=1)
    ConflictDeclaration.objects.create(
        reviewer=candidate, review=world.north_review, has_conflict=True, details="Managed the social worker"
    )
    client.force_login(world.north_manager)
    body = client.get(reverse("appointment_manage", args=[world.north_review.pk])).content.decode()
    assert "Pat Candidate" in body and "0 of 1 review" in body
    assert "Conflict declared" in body and "Managed the social worker" in body


def test_a_declared_conflict_refuses_the_appointment_unless_overridden_with_a_reason(client, world):
    candidate = _on_registry(UserFactory(full_name="Pat Candidate"))
    ConflictDeclaration.objects.create(
        reviewer=candidate, review=world.north_review, has_conflict=True, details="Knows the family"
    )
    client.force_login(world.north_manager)

    refused = _appoint(client, world, candidate)
    assert refused.status_code == 200
    assert "declared a conflict of interest" in refused.content.decode()
    no_reason = _appoint(client, world, candidate, override="on", override_reason=" ")
    assert "Enter why the board is appointing them anyway" in no_reason.content.decode()
    assert not Appointment.objects.filter(reviewer=candidate.user).exists()

    overridden = _appoint(client, world, candidate, override="on", override_reason="Contact ended in 2010")
    assert overridden.status_code == 302
    assert Appointment.objects.filter(reviewer=candidate.user, review=world.north_review).exists()
    entry = world.north_review.timeline.get(title="Lead reviewer appointed: Pat Candidate")
    assert "Knows the family" in entry.body and "Contact ended in 2010" in entry.body


def test_a_later_declaration_of_no_conflict_supersedes_an_earlier_one(world):
    candidate = _on_registry()
    services.conflict_declare(
        review=world.north_review,
        reviewer=candidate,
        actor=world.north_manager,
        has_conflict=True,
        details="X",
    )
    services.conflict_declare(
        review=world.north_review,
        reviewer=candidate,
        actor=world.north_manager,
        has_conflict=False,
        details="",
    )
    services.appointment_make(review=world.north_review, reviewer=candidate, actor=world.north_manager)
    assert ConflictDeclaration.objects.filter(reviewer=candidate).count() == 2


def test_a_reviewer_at_their_maximum_load_is_refused_unless_overridden(client, world):
    candidate = _on_registry(UserFactory(full_name="Pat Busy"), max_reviews=1)
    AppointmentFactory(reviewer=candidate.user, review=world.south_review)
    client.force_login(world.north_manager)

    refused = _appoint(client, world, candidate)
    assert "already leading 1 of at most 1 review" in refused.content.decode()
    assert not Appointment.objects.filter(reviewer=candidate.user, review=world.north_review).exists()

    assert (
        _appoint(client, world, candidate, override="on", override_reason="Short review").status_code == 302
    )
    assert selectors.current_load(candidate) == 2


def test_appointing_someone_twice_is_refused(world):
    candidate = _on_registry()
    services.appointment_make(review=world.north_review, reviewer=candidate, actor=world.north_manager)
    with pytest.raises(services.AppointmentRefused, match="already appointed"):
        services.appointment_make(
            review=world.north_review, reviewer=candidate, actor=world.north_manager, override_reason="x"
        )


def test_ending_an_appointment_records_it_and_ends_the_reviewers_access(client, world):
    appointment = world.north_review.appointments.get()
    client.force_login(world.north_manager)
    response = client.post(
        reverse("appointment_end", args=[world.north_review.pk, appointment.pk]), {"reason": "Ill health"}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.ended_at is not None
    entry = world.north_review.timeline.get(title__startswith="Lead reviewer appointment ended")
    assert entry.body == "Ill health"
    client.force_login(world.north_reviewer)
    assert client.get(reverse("proposal_list", args=[world.north_review.pk])).status_code == 404


# Declarations of interest ---------------------------------------------------------------------------------


def test_the_lead_reviewer_declares_and_history_is_kept(client, world):
    me = _on_registry(world.north_reviewer)
    client.force_login(world.north_reviewer)
    url = reverse("appointment_conflict_declare", args=[world.north_review.pk, me.pk])

    missing = client.post(url, {"has_conflict": "yes", "details": ""})
    assert "Describe the conflict of interest" in missing.content.decode()
    assert client.post(url, {"has_conflict": "no"}).status_code == 302
    assert client.post(url, {"has_conflict": "yes", "details": "My cousin is the GP"}).status_code == 302

    assert [d.has_conflict for d in selectors.declarations_of(world.north_review, me)] == [True, False]
    assert selectors.latest_declaration(world.north_review, me).details == "My cousin is the GP"
    assert "My cousin is the GP" in client.get(url).content.decode()


def test_the_business_manager_records_a_candidates_declaration(client, world):
    candidate = _on_registry()
    client.force_login(world.north_manager)
    url = reverse("appointment_conflict_declare", args=[world.north_review.pk, candidate.pk])
    assert client.post(url, {"has_conflict": "yes", "details": "Former employee"}).status_code == 302
    assert ConflictDeclaration.objects.get(reviewer=candidate).review == world.north_review


# Proposals --------------------------------------------------------------------------------------------------


def test_the_lead_reviewer_proposes_and_business_managers_and_chairs_are_told(client, world):
    client.force_login(world.north_reviewer)
    response = client.post(
        reverse("proposal_create", args=[world.north_review.pk]),
        {"topic": "method", "text": "Use a systems approach with a practitioner event."},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(review=world.north_review)
    assert (proposal.author, proposal.topic, proposal.answer) == (world.north_reviewer, "method", "")
    told = set(Notification.objects.filter(key=f"proposal:{proposal.pk}").values_list("recipient", flat=True))
    assert told == {world.north_manager.pk, world.north_chair.pk}


def test_the_chair_answers_and_the_lead_reviewer_is_told(client, world):
    proposal = _proposal(world)
    client.force_login(world.north_chair)
    response = client.post(
        reverse("proposal_answer", args=[world.north_review.pk, proposal.pk]),
        {"answer": "partly", "answer_reason": "Back to the sibling's birth, not further."},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.answer, proposal.answered_by) == ("partly", world.north_chair)
    assert proposal.answered_at is not None
    note = Notification.objects.get(recipient=world.north_reviewer, key=f"proposal-answer:{proposal.pk}")
    assert "partly accepted" in note.title and note.body == "Back to the sibling's birth, not further."


def test_an_answer_without_a_reason_is_refused_with_a_clear_message(client, world):
    proposal = _proposal(world)
    client.force_login(world.north_manager)
    response = client.post(
        reverse("proposal_answer", args=[world.north_review.pk, proposal.pk]),
        {"answer": "declined", "answer_reason": "  "},
    )
    assert response.status_code == 200
    assert "Enter why the board gave this answer" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.answer == ""


def test_an_answered_proposal_cannot_be_answered_again(client, world):
    proposal = _proposal(world)
    services.proposal_answer(proposal=proposal, actor=world.north_chair, answer="accepted", reason="Agreed")
    client.force_login(world.north_manager)
    url = reverse("proposal_answer", args=[world.north_review.pk, proposal.pk])
    response = client.post(url, {"answer": "declined", "answer_reason": "Changed our minds"}, follow=True)
    assert "already answered (accepted)" in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.answer, proposal.answer_reason) == ("accepted", "Agreed")
    with pytest.raises(services.ProposalAlreadyAnswered):
        services.proposal_answer(proposal=proposal, actor=world.north_manager, answer="declined", reason="No")


def test_proposals_are_listed_newest_first_with_answers_and_read_only_for_members(client, world):
    older = _proposal(world, created_at=timezone.now() - timedelta(days=3), text="Older proposal")
    services.proposal_answer(
        proposal=older, actor=world.north_chair, answer="declined", reason="Out of scope"
    )
    newer = _proposal(world, text="Newer proposal")
    client.force_login(world.north_member)
    body = client.get(reverse("proposal_list", args=[world.north_review.pk])).content.decode()
    assert body.index("Newer proposal") < body.index("Older proposal")
    assert "Declined" in body and "Out of scope" in body and "Awaiting an answer" in body
    assert reverse("proposal_answer", args=[world.north_review.pk, newer.pk]) not in body
    assert reverse("proposal_create", args=[world.north_review.pk]) not in body


def test_the_chair_sees_an_answer_link_only_for_unanswered_proposals(client, world):
    answered = _proposal(world)
    services.proposal_answer(proposal=answered, actor=world.north_chair, answer="accepted", reason="Yes")
    open_one = _proposal(world)
    client.force_login(world.north_chair)
    body = client.get(reverse("proposal_list", args=[world.north_review.pk])).content.decode()
    assert reverse("proposal_answer", args=[world.north_review.pk, open_one.pk]) in body
    assert reverse("proposal_answer", args=[world.north_review.pk, answered.pk]) not in body


# Query counts -------------------------------------------------------------------------------------------------


def _queries(client, url: str) -> list[str]:
    client.get(url)  # warm up: per-process caches do not count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"][:160] for q in ctx.captured_queries]


def _add_reviewers(world: World, how_many: int) -> None:
    for n in range(how_many):
        reviewer = _on_registry(
            skills=["Neglect", f"Skill {n % 3}"],
            windows=[(date(2030, 1, 1), date(2030, 2, 1)), (date(2031, 1, 1), date(2031, 2, 1))],
        )
        AppointmentFactory(reviewer=reviewer.user, review=ReviewFactory(lead_board=world.south))
        ConflictDeclaration.objects.create(reviewer=reviewer, review=world.north_review, has_conflict=False)


@pytest.mark.parametrize(
    "url",
    [lambda w: reverse("registry_list"), lambda w: reverse("appointment_manage", args=[w.north_review.pk])],
    ids=["registry_list", "appointment_manage"],
)
def test_the_registry_runs_a_fixed_number_of_queries(client, world, url):
    client.force_login(world.north_manager)
    _add_reviewers(world, 5)
    few = _queries(client, url(world))
    _add_reviewers(world, 25)
    many = _queries(client, url(world))
    assert len(few) == len(many), "\n".join(["5 reviewers:", *few, "", "30 reviewers:", *many])


def test_the_proposals_page_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.north_chair)
    url = reverse("proposal_list", args=[world.north_review.pk])
    for _ in range(2):
        services.proposal_answer(
            proposal=_proposal(world), actor=world.north_chair, answer="accepted", reason="Y"
        )
    few = _queries(client, url)
    for _ in range(10):
        _proposal(world)
        services.proposal_answer(
            proposal=_proposal(world), actor=world.north_manager, answer="partly", reason="Z"
        )
    many = _queries(client, url)
    assert len(few) == len(many), "\n".join(["2 proposals:", *few, "", "22 proposals:", *many])

"""Board scoping: every list, count and page shows only what the person's own boards and appointments let
them see. Another board's objects are never listed, never counted, and their pages answer 404 (so their
existence is not revealed); a visible object the person may not act on answers 403."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from reviews.access import roles_on_review, sees_review_of, visible_reviews
from reviews.models import Appointment, Membership, Review, ReviewAccess, Role
from reviews.selectors import review_for
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.factories import AppointmentFactory, MembershipFactory, ReviewFactory, UserFactory, member_of
from tests.reviews.forms import form_data

NORTH = "North Safeguarding Children Board"
SOUTH = "South Safeguarding Children Board"
EAST = "East Safeguarding Children Board"

VISIBLE_REFERENCES = {
    "north_manager": {"NSCB-1", "NSCB-X"},
    "north_member": {"NSCB-1", "NSCB-X"},
    "north_chair": {"NSCB-1", "NSCB-X"},
    "north_reviewer": {"NSCB-1"},
    "south_manager": {"SSCB-1", "NSCB-X"},
    "south_member": {"SSCB-1", "NSCB-X"},
    "south_chair": {"SSCB-1", "NSCB-X"},
    "south_reviewer": {"SSCB-1"},
    "east_manager": set(),
}


def _listed(response) -> list[str]:
    assert response.status_code == 200
    return [review.reference for review in response.context["page"].object_list]


def _membership(user, board) -> Membership:
    return Membership.objects.get(user=user, board=board)


# Review.objects.visible_to -------------------------------------------------------------------------


@pytest.mark.parametrize(("person", "references"), sorted(VISIBLE_REFERENCES.items()))
def test_visible_to_is_exactly_the_reviews_of_the_persons_boards_and_appointments(world, person, references):
    visible = visible_reviews(getattr(world, person))
    assert sorted(visible.values_list("reference", flat=True)) == sorted(references)


def test_visible_to_lists_a_review_once_for_someone_on_both_of_its_boards(world):
    both = member_of(world.north, Role.BOARD_MEMBER)
    MembershipFactory(user=both, board=world.south, role=Role.BUSINESS_MANAGER)
    AppointmentFactory(review=world.cross_border_review, reviewer=both)
    references = list(visible_reviews(both).values_list("reference", flat=True))
    assert sorted(references) == ["NSCB-1", "NSCB-X", "SSCB-1"]


def test_visible_to_gives_anonymous_visitors_nothing(world):
    assert not visible_reviews(AnonymousUser()).exists()


def test_visible_to_gives_a_deactivated_account_nothing(world):
    world.north_manager.is_active = False
    world.north_manager.save()
    assert not visible_reviews(world.north_manager).exists()


# The review list -------------------------------------------------------------------------------------


def test_north_manager_review_list_shows_north_and_cross_border_reviews_only(client, world):
    client.force_login(world.north_manager)
    response = client.get(reverse("review_list"))
    assert sorted(_listed(response)) == ["NSCB-1", "NSCB-X"]
    assert "SSCB-1" not in response.content.decode()


def test_south_member_review_list_shows_south_and_cross_border_reviews_only(client, world):
    client.force_login(world.south_member)
    response = client.get(reverse("review_list"))
    assert sorted(_listed(response)) == ["NSCB-X", "SSCB-1"]
    assert "NSCB-1" not in response.content.decode()


def test_south_member_can_open_the_cross_border_review_but_not_north_review(client, world):
    client.force_login(world.south_member)
    assert client.get(reverse("review_detail", args=[world.cross_border_review.pk])).status_code == 200
    assert client.get(reverse("review_detail", args=[world.north_review.pk])).status_code == 404


def test_east_manager_review_list_is_empty(client, world):
    client.force_login(world.east_manager)
    response = client.get(reverse("review_list"))
    assert _listed(response) == []
    content = response.content.decode()
    for reference in ("NSCB-1", "NSCB-X", "SSCB-1"):
        assert reference not in content


def test_filtering_the_review_list_by_another_boards_id_shows_nothing_of_it(client, world):
    client.force_login(world.east_manager)
    response = client.get(reverse("review_list"), {"board": world.north.pk})
    assert _listed(response) == []


def test_searching_the_review_list_finds_no_review_of_another_board(client, world):
    client.force_login(world.north_manager)
    response = client.get(reverse("review_list"), {"q": "SSCB"})
    assert _listed(response) == []


FOREIGN_PAGES = [
    ("board_detail", "north"),
    ("board_detail", "south"),
    ("board_history", "north"),
    ("board_history", "south"),
    ("review_detail", "north_review"),
    ("review_detail", "south_review"),
    ("review_detail", "cross_border_review"),
    ("review_history", "north_review"),
    ("review_history", "south_review"),
    ("review_history", "cross_border_review"),
]


@pytest.mark.parametrize(("name", "obj"), FOREIGN_PAGES)
def test_east_manager_gets_404_on_north_and_south_pages(client, world, name, obj):
    client.force_login(world.east_manager)
    response = client.get(reverse(name, args=[getattr(world, obj).pk]))
    assert response.status_code == 404


def test_a_refused_review_page_leaves_no_access_row(client, world):
    client.force_login(world.east_manager)
    client.get(reverse("review_detail", args=[world.north_review.pk]))
    assert not ReviewAccess.objects.exists()


# Home page and header ---------------------------------------------------------------------------------


def _cards(response) -> list[tuple[str, int]]:
    return [(board.name, board.review_count) for board in response.context["boards"]]


def test_home_page_counts_only_the_reviews_the_north_manager_may_see(client, world):
    ReviewFactory(lead_board=world.south, reference="SSCB-2")
    ReviewFactory(lead_board=world.east, reference="ESCB-1")
    client.force_login(world.north_manager)
    response = client.get(reverse("home"))
    assert response.context["review_count"] == 2
    assert "All 2 reviews you can open" in response.content.decode()


def test_home_page_board_cards_are_only_the_persons_boards_with_their_led_reviews(client, world):
    ReviewFactory(lead_board=world.south, reference="SSCB-2")
    client.force_login(world.south_member)
    response = client.get(reverse("home"))
    # South leads SSCB-1 and SSCB-2; the cross-border review it takes part in is led (and counted) by North.
    assert _cards(response) == [(SOUTH, 2)]
    assert response.context["review_count"] == 3
    assert NORTH not in response.content.decode()


def test_home_page_board_card_counts_only_active_people(client, world):
    client.force_login(world.north_manager)
    before = next(b.member_count for b in client.get(reverse("home")).context["boards"])
    membership = _membership(world.north_member, world.north)
    membership.is_active = False
    membership.save()
    after = next(b.member_count for b in client.get(reverse("home")).context["boards"])
    assert (before, after) == (4, 3)


def test_home_page_of_a_board_with_no_reviews_counts_none(client, world):
    client.force_login(world.east_manager)
    response = client.get(reverse("home"))
    assert response.context["review_count"] == 0
    assert _cards(response) == [(EAST, 0)]


def test_board_list_counts_only_the_persons_boards(client, world):
    client.force_login(world.north_member)
    response = client.get(reverse("board_list"))
    assert [(b.name, b.review_count, b.member_count) for b in response.context["boards"]] == [(NORTH, 2, 4)]


@pytest.mark.parametrize(
    ("person", "boards"),
    [
        ("north_manager", [NORTH]),
        ("south_chair", [SOUTH]),
        ("east_manager", [EAST]),
        ("north_reviewer", []),
    ],
)
def test_header_lists_only_the_boards_the_person_takes_part_in(client, world, person, boards):
    client.force_login(getattr(world, person))
    response = client.get(reverse("home"))
    assert response.context["header_boards"] == boards


def test_header_lists_every_board_of_someone_on_two_boards(client, world):
    both = member_of(world.north, Role.BUSINESS_MANAGER)
    MembershipFactory(user=both, board=world.south, role=Role.CHAIR)
    both.two_factor_waived = True
    both.save()
    client.force_login(both)
    assert client.get(reverse("home")).context["header_boards"] == [NORTH, SOUTH]


# Lead reviewers -----------------------------------------------------------------------------------------


def test_lead_reviewer_review_list_shows_only_the_review_they_are_appointed_to(client, world):
    client.force_login(world.north_reviewer)
    assert _listed(client.get(reverse("review_list"))) == ["NSCB-1"]


def test_lead_reviewer_gets_404_on_a_review_of_their_board_they_are_not_appointed_to(client, world):
    client.force_login(world.north_reviewer)
    response = client.get(reverse("review_detail", args=[world.cross_border_review.pk]))
    assert response.status_code == 404


def test_ending_an_appointment_ends_the_reviewers_access(client, world):
    client.force_login(world.north_reviewer)
    url = reverse("review_detail", args=[world.north_review.pk])
    assert client.get(url).status_code == 200
    appointment = Appointment.objects.get(review=world.north_review, reviewer=world.north_reviewer)
    appointment.ended_at = timezone.now()
    appointment.save()
    assert client.get(url).status_code == 404
    assert _listed(client.get(reverse("review_list"))) == []


def test_lead_reviewer_gets_404_on_the_board_where_they_only_review(client, world):
    client.force_login(world.north_reviewer)
    assert client.get(reverse("board_detail", args=[world.north.pk])).status_code == 404


def test_lead_reviewer_gets_404_on_the_board_history_where_they_only_review(client, world):
    client.force_login(world.north_reviewer)
    assert client.get(reverse("board_history", args=[world.north.pk])).status_code == 404


def test_lead_reviewer_appointed_to_a_review_gets_403_on_its_history(client, world):
    client.force_login(world.north_reviewer)
    response = client.get(reverse("review_history", args=[world.north_review.pk]))
    assert response.status_code == 403


# Memberships that end -----------------------------------------------------------------------------------


def test_an_inactive_membership_removes_access_to_the_boards_reviews(client, world):
    membership = _membership(world.north_member, world.north)
    membership.is_active = False
    membership.save()
    client.force_login(world.north_member)
    assert client.get(reverse("review_detail", args=[world.north_review.pk])).status_code == 404
    assert _listed(client.get(reverse("review_list"))) == []


def test_an_inactive_membership_removes_access_to_the_board(client, world):
    membership = _membership(world.north_member, world.north)
    membership.is_active = False
    membership.save()
    client.force_login(world.north_member)
    assert client.get(reverse("board_detail", args=[world.north.pk])).status_code == 404
    assert client.get(reverse("home")).context["header_boards"] == []


# Administrators -----------------------------------------------------------------------------------------


@pytest.fixture
def accesses(world: World) -> None:
    """A few openings of each review, so empty admin lists cannot be empty for want of data."""
    for review in (world.north_review, world.south_review, world.cross_border_review):
        ReviewAccess.objects.create(review=review, user=world.north_manager, path="/reviews/")


def test_superuser_without_a_board_role_sees_no_review_in_the_portal(client, world, staff_user):
    client.force_login(staff_user)
    assert _listed(client.get(reverse("review_list"))) == []
    assert client.get(reverse("home")).context["review_count"] == 0


@pytest.mark.parametrize("obj", ["north_review", "south_review", "cross_border_review"])
def test_superuser_without_a_board_role_gets_404_on_review_pages(client, world, staff_user, obj):
    client.force_login(staff_user)
    assert client.get(reverse("review_detail", args=[getattr(world, obj).pk])).status_code == 404


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:reviews_review_changelist",
        "admin:reviews_reviewaccess_changelist",
        "admin:reviews_participatingboard_changelist",
        "admin:reviews_appointment_changelist",
    ],
)
def test_superuser_without_a_board_role_sees_no_review_rows_in_the_admin(
    client, world, staff_user, accesses, changelist
):
    client.force_login(staff_user)
    response = client.get(reverse(changelist))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert response.context["cl"].full_result_count == 0


def test_superuser_without_a_board_role_cannot_open_a_review_in_the_admin(client, world, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("admin:reviews_review_change", args=[world.north_review.pk]))
    # The admin answers "does not exist" for an object outside its queryset: a redirect to the admin index.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def _admin_history_target(world: World, model_name: str):
    if model_name == "review":
        return world.cross_border_review
    if model_name == "participatingboard":
        return world.cross_border_review.participations.get()
    return world.north_review.appointments.get()


SCOPED_HISTORY_ADMINS = ["review", "participatingboard", "appointment"]


@pytest.mark.parametrize("model_name", SCOPED_HISTORY_ADMINS)
def test_superuser_without_a_board_role_cannot_read_a_reviews_admin_history(
    client, world, staff_user, model_name
):
    obj = _admin_history_target(world, model_name)
    client.force_login(staff_user)
    response = client.get(reverse(f"admin:reviews_{model_name}_history", args=[obj.pk]))
    assert response.status_code in (302, 403, 404), response.status_code
    assert "NSCB-" not in response.content.decode()


@pytest.mark.parametrize("model_name", SCOPED_HISTORY_ADMINS)
def test_superuser_without_a_board_role_cannot_open_an_old_version_in_the_admin(
    client, world, staff_user, model_name
):
    obj = _admin_history_target(world, model_name)
    version = obj.history.earliest()
    client.force_login(staff_user)
    response = client.get(
        reverse(f"admin:reviews_{model_name}_simple_history", args=[obj.pk, version.history_id])
    )
    assert response.status_code in (302, 403, 404), response.status_code
    assert "NSCB-" not in response.content.decode()


def test_superuser_without_a_board_role_cannot_revert_a_review_in_the_admin(client, world, staff_user):
    review = world.cross_border_review
    version = review.history.earliest()
    url = reverse("admin:reviews_review_simple_history", args=[review.pk, version.history_id])
    client.force_login(staff_user)
    page = client.get(url)
    if page.status_code == 200:
        data = form_data(page.content.decode(), "historicalreview_form", reference="TAMPERED")
    else:  # the page is refused, as it should be: post what a crafted request would
        data = {"reference": "TAMPERED", "lead_board": str(world.north.pk)}
    client.post(url, data)
    review.refresh_from_db()
    assert review.reference == "NSCB-X"


@pytest.mark.parametrize("model_name", ["appointment"])
def test_superuser_without_a_board_role_is_offered_no_review_in_admin_add_forms(
    client, world, staff_user, model_name
):
    client.force_login(staff_user)
    response = client.get(reverse(f"admin:reviews_{model_name}_add"))
    assert list(response.context["adminform"].form.fields["review"].queryset) == []
    content = response.content.decode()
    for reference in ("NSCB-1", "NSCB-X", "SSCB-1"):
        assert reference not in content


def test_superuser_without_a_board_role_cannot_appoint_themselves_to_a_review(client, world, staff_user):
    client.force_login(staff_user)
    client.post(
        reverse("admin:reviews_appointment_add"),
        {"review": str(world.south_review.pk), "reviewer": str(staff_user.pk), "_save": "Save"},
    )
    assert not Appointment.objects.filter(reviewer=staff_user).exists()
    assert not visible_reviews(staff_user).exists()


def test_superuser_with_a_north_role_sees_only_north_reviews_in_the_admin(
    client, world, staff_user, accesses
):
    MembershipFactory(user=staff_user, board=world.north, role=Role.BUSINESS_MANAGER)
    client.force_login(staff_user)
    reviews = client.get(reverse("admin:reviews_review_changelist")).context["cl"].result_list
    assert sorted(r.reference for r in reviews) == ["NSCB-1", "NSCB-X"]
    rows = client.get(reverse("admin:reviews_reviewaccess_changelist")).context["cl"].result_list
    assert sorted(a.review.reference for a in rows) == ["NSCB-1", "NSCB-X"]


# Visible but not allowed: history pages ---------------------------------------------------------------


@pytest.mark.parametrize("person", ["north_member", "north_chair"])
def test_board_member_or_chair_gets_403_on_the_board_history(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("board_detail", args=[world.north.pk])).status_code == 200
    assert client.get(reverse("board_history", args=[world.north.pk])).status_code == 403


@pytest.mark.parametrize("person", ["north_member", "north_chair"])
def test_board_member_or_chair_gets_403_on_a_review_history(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("review_detail", args=[world.north_review.pk])).status_code == 200
    assert client.get(reverse("review_history", args=[world.north_review.pk])).status_code == 403


def test_business_manager_may_read_the_board_history(client, world):
    client.force_login(world.north_manager)
    assert client.get(reverse("board_history", args=[world.north.pk])).status_code == 200


def test_business_manager_may_read_a_review_history(client, world):
    client.force_login(world.north_manager)
    assert client.get(reverse("review_history", args=[world.north_review.pk])).status_code == 200


def test_participating_boards_business_manager_may_read_the_cross_border_review_history(client, world):
    client.force_login(world.south_manager)
    assert client.get(reverse("review_history", args=[world.cross_border_review.pk])).status_code == 200


def test_business_manager_of_one_board_gets_404_on_another_boards_history(client, world):
    client.force_login(world.south_manager)
    assert client.get(reverse("board_history", args=[world.north.pk])).status_code == 404


def test_a_person_never_given_a_role_sees_nothing(client, world):
    client.force_login(UserFactory())
    assert _listed(client.get(reverse("review_list"))) == []
    assert list(client.get(reverse("board_list")).context["boards"]) == []


def test_a_review_read_for_its_page_knows_its_lead_reviewer_from_its_current_appointments(
    world: World, django_assert_num_queries
):
    """`review_for` reads the review with its current appointments; whether the person is its lead
    reviewer is answered from them, with no query of its own, and the same as a query would answer."""
    review = world.north_review
    reviewer = review_for(world.north_reviewer, review.pk)
    manager = review_for(world.north_manager, review.pk)
    with django_assert_num_queries(0):
        assert Role.LEAD_REVIEWER in roles_on_review(world.north_reviewer, reviewer)
        assert Role.LEAD_REVIEWER not in roles_on_review(world.north_manager, manager)
    read_alone = Review.objects.get(pk=review.pk)  # without them: its boards, then the appointment, asked
    with django_assert_num_queries(2):
        assert Role.LEAD_REVIEWER in roles_on_review(world.north_reviewer, read_alone)


def test_the_condition_on_a_reviews_rows_keeps_exactly_the_rows_of_reviews_the_person_sees(world: World):
    """`sees_review_of` is `visible_reviews` written on another model's foreign key (an action's review)."""
    AppointmentFactory(review=world.south_review, reviewer=world.north_reviewer)
    for review in Review.objects.all():
        AppointmentFactory(review=review)
    people = [getattr(world, name) for name in vars(world) if isinstance(getattr(world, name), User)]
    for person in [*people, UserFactory(), AnonymousUser()]:
        via_condition = set(Appointment.objects.filter(sees_review_of(person)).values_list("pk", flat=True))
        via_reviews = set(
            Appointment.objects.filter(review__in=visible_reviews(person)).values_list("pk", flat=True)
        )
        assert via_condition == via_reviews, person

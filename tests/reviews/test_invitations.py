"""Cross-border reviews set up in the portal: the lead board's business manager invites a board, that board's
business manager accepts or declines, the lead board removes a board and a board withdraws
(reviews.services.board_invite / invitation_move, declared in reviews.workflow.INVITATION)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews import access, services, workflow
from reviews.models import BoardInvitation, Notification, ParticipatingBoard, Review
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _invite(world, **extra) -> BoardInvitation:
    return services.board_invite(
        review=world.north_review,
        user=world.north_manager,
        board=world.south,
        note="Child lived in South.",
        **extra,
    )


def test_the_table_names_who_makes_each_move():
    roles = {name: set(m.roles) for name, m in workflow.INVITATION.transitions.items()}
    assert roles == {
        "accept": {workflow.INVITED_MANAGER},
        "decline": {workflow.INVITED_MANAGER},
        "remove": {workflow.LEAD_MANAGER},
        "withdraw": {workflow.INVITED_MANAGER},
    }


def test_every_status_is_waiting_taking_part_or_ended_exactly_once():
    statuses = [*workflow.WAITING_STATUSES, *workflow.TAKING_PART_STATUSES, *workflow.ENDED_STATUSES]
    assert sorted(statuses) == sorted(BoardInvitation.Status.values)


def test_an_invitation_tells_the_invited_boards_business_manager_with_a_link_to_answer(world):
    invitation = _invite(world)

    note = Notification.objects.get(recipient=world.south_manager)
    assert note.path == reverse("invitation_answer", args=[invitation.pk])
    assert "North Safeguarding Children Board invites South" in note.title
    assert not Notification.objects.filter(recipient=world.south_member).exists()
    assert world.north_review.timeline.filter(
        title__contains="South Safeguarding Children Board invited"
    ).exists()


def test_an_invited_board_sees_nothing_of_the_review_until_it_accepts(world):
    _invite(world)
    assert not access.may_see_review(world.south_member, world.north_review.pk)


def test_accepting_makes_the_board_take_part_and_tells_the_lead_board(world):
    invitation = _invite(world)

    services.invitation_move(invitation=invitation, user=world.south_manager, name="accept")

    assert ParticipatingBoard.objects.filter(review=world.north_review, board=world.south).exists()
    assert access.may_see_review(world.south_member, world.north_review.pk)
    told = Notification.objects.get(recipient=world.north_manager, key__contains=":accept:")
    assert "accepted" in told.title
    assert world.north_review.timeline.filter(title__contains="accepted the invitation").exists()


def test_declining_needs_a_reason_and_leaves_the_board_out(world):
    invitation = _invite(world)
    with pytest.raises(services.InvitationRefused, match="Give a reason"):
        services.invitation_move(invitation=invitation, user=world.south_manager, name="decline", reason=" ")

    services.invitation_move(
        invitation=invitation, user=world.south_manager, name="decline", reason="Not ours."
    )

    invitation.refresh_from_db()
    assert invitation.get_status_display() == "Declined"
    assert invitation.reason == "Not ours."
    assert not ParticipatingBoard.objects.filter(review=world.north_review, board=world.south).exists()
    assert world.north_review.timeline.filter(title__contains="declined", body="Not ours.").exists()


@pytest.mark.parametrize("person", ["north_manager", "south_member", "south_chair", "east_manager"])
def test_only_the_invited_boards_business_manager_answers(world, person):
    invitation = _invite(world)
    with pytest.raises(services.InvitationRefused, match="Only the invited board's business manager"):
        services.invitation_move(invitation=invitation, user=getattr(world, person), name="accept")
    assert not ParticipatingBoard.objects.filter(review=world.north_review, board=world.south).exists()


@pytest.mark.parametrize("person", ["north_member", "north_chair", "south_manager", "east_manager"])
def test_only_the_lead_boards_business_manager_invites(world, person):
    with pytest.raises(services.InvitationRefused, match="Only the lead board's business manager"):
        services.board_invite(review=world.north_review, user=getattr(world, person), board=world.south)
    assert not BoardInvitation.objects.exists()


def test_a_participating_boards_manager_cannot_invite_to_the_lead_boards_review(world):
    with pytest.raises(services.InvitationRefused):
        services.board_invite(review=world.cross_border_review, user=world.south_manager, board=world.east)


def test_the_lead_board_cannot_invite_itself_or_a_board_twice(world):
    with pytest.raises(services.InvitationRefused, match="leads this review already"):
        services.board_invite(review=world.north_review, user=world.north_manager, board=world.north)
    _invite(world)
    with pytest.raises(services.InvitationRefused, match="already invited"):
        _invite(world)


def test_a_declined_board_can_be_invited_again(world):
    invitation = _invite(world)
    services.invitation_move(invitation=invitation, user=world.south_manager, name="decline", reason="Busy.")
    again = _invite(world)
    assert workflow.is_waiting(again)


def test_removing_a_board_ends_its_part_and_tells_it(world):
    invitation = _invite(world)
    services.invitation_move(invitation=invitation, user=world.south_manager, name="accept")

    with pytest.raises(services.InvitationRefused, match="Only the lead board's business manager"):
        services.invitation_move(invitation=invitation, user=world.south_manager, name="remove", reason="x")
    services.invitation_move(
        invitation=invitation, user=world.north_manager, name="remove", reason="Wrong board."
    )

    assert not ParticipatingBoard.objects.filter(review=world.north_review, board=world.south).exists()
    assert not access.may_see_review(world.south_member, world.north_review.pk)
    told = Notification.objects.get(recipient=world.south_manager, key__contains=":remove:")
    assert told.review is None and told.path == reverse("invitation_list")
    assert world.north_review.timeline.filter(title__contains="removed", body="Wrong board.").exists()


def test_a_board_taking_part_can_withdraw_with_a_reason(world):
    invitation = _invite(world)
    services.invitation_move(invitation=invitation, user=world.south_manager, name="accept")

    services.invitation_move(
        invitation=invitation, user=world.south_manager, name="withdraw", reason="No link."
    )

    assert not ParticipatingBoard.objects.filter(review=world.north_review, board=world.south).exists()
    assert Notification.objects.filter(recipient=world.north_manager, key__contains=":withdraw:").exists()


def test_an_answered_invitation_cannot_be_answered_again(world):
    invitation = _invite(world)
    services.invitation_move(invitation=invitation, user=world.south_manager, name="accept")
    with pytest.raises(services.InvitationRefused, match="no longer possible"):
        services.invitation_move(invitation=invitation, user=world.south_manager, name="decline", reason="x")


# The pages ---------------------------------------------------------------------------------------------


def test_the_whole_invitation_in_the_portal(client, world):
    client.force_login(world.north_manager)
    page = client.get(reverse("review_board_invite", args=[world.north_review.pk]))
    offered = list(page.context["form"].fields["board"].queryset)
    assert world.south in offered and world.north not in offered  # never offered itself
    response = client.post(
        reverse("review_board_invite", args=[world.north_review.pk]),
        {"board": world.south.pk, "note": "Hello"},
    )
    assert response.status_code == 302
    invitation = BoardInvitation.objects.get()

    client.force_login(world.south_manager)
    listing = client.get(reverse("invitation_list")).content.decode()
    assert reverse("invitation_answer", args=[invitation.pk]) in listing
    home = client.get(reverse("home")).content.decode()
    assert "1 invitation to take part" in home
    refused = client.post(
        reverse("invitation_answer", args=[invitation.pk]), {"answer": "decline", "reason": ""}
    )
    assert "Say why your board declines" in refused.content.decode()
    accepted = client.post(reverse("invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert accepted["Location"] == reverse("review_detail", args=[world.north_review.pk])

    client.force_login(world.north_manager)
    boards = client.get(reverse("review_boards", args=[world.north_review.pk])).content.decode()
    assert "South Safeguarding Children Board" in boards
    assert reverse("review_board_remove", args=[world.north_review.pk, invitation.pk]) in boards


def test_a_participating_board_sees_the_boards_page_without_invite_or_remove(client, world):
    client.force_login(world.south_manager)
    page = client.get(reverse("review_boards", args=[world.cross_border_review.pk])).content.decode()
    assert reverse("review_board_invite", args=[world.cross_border_review.pk]) not in page
    detail = client.get(reverse("review_detail", args=[world.cross_border_review.pk])).content.decode()
    assert "See the boards taking part" in detail


def test_the_admin_cannot_add_a_participating_board(client, world, staff_user):
    member_of(world.north, email="admin-manager@north.example")
    client.force_login(staff_user)
    assert client.get(reverse("admin:reviews_participatingboard_add")).status_code == 403
    review = Review.objects.get(pk=world.cross_border_review.pk)
    assert review.participations.count() == 1

"""The board input round (QM 6, question 1): the business manager asks every board member of every board
taking part for relevant information; members reply until the closing date; who replied is visible;
those who have not replied are reminded shortly before it closes."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.inputs import services
from commissioning.inputs.selectors import input_evidence
from commissioning.inputs.services import InputRefused, closing_date_problem, input_reminders_send
from commissioning.inputs.tasks import send_input_reminders
from commissioning.models import InputReply, InputRound
from markers.checks import evidence_for
from markers.commissioning import MARKER as QM6
from reviews.models import Membership, Notification, Review, Role, TimelineEntry
from scr_portal.workdays import add_working_days
from tests.factories import member_of
from tests.reviews.test_workflow import date_input

pytestmark = pytest.mark.django_db

REQUEST = "What does your agency know about the family that bears on the scope?"


def _commissioning(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    return review


def _today() -> date:
    return timezone.localdate()


def _open(review: Review, manager, closes_on: date | None = None) -> InputRound:
    return services.input_round_open(
        review=review, user=manager, request=REQUEST, closes_on=closes_on or add_working_days(_today(), 5)
    )


def _reply(round_: InputRound, user, text: str = "Police attended twice in 2025.", **kw) -> InputReply:
    return services.input_reply_add(input_round=round_, user=user, text=text, **kw)


def _close(round_: InputRound) -> None:
    InputRound.objects.filter(pk=round_.pk).update(closes_on=_today() - timedelta(days=1))
    round_.refresh_from_db()


def _invited(round_: InputRound) -> dict:
    return {inv.member: inv.board for inv in round_.invitations.select_related("member", "board")}


def _table(body: str) -> dict[str, str]:
    """Member email → "Replied" / "Not replied", from the first (newest) round's table on the page."""
    rows = re.findall(r'data-member="([^"]+)">(.*?)</tr>', body, flags=re.S)
    table: dict[str, str] = {}
    for email, cells in rows:
        table.setdefault(email, "Not replied" if "Not replied" in cells else "Replied")
    return table


# Opening a round ---------------------------------------------------------------------------------------


def test_round_invites_members_and_chairs_of_the_lead_and_participating_boards_only(world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager)
    assert _invited(round_) == {
        world.north_member: world.north,
        world.north_chair: world.north,
        world.south_member: world.south,
        world.south_chair: world.south,
    }
    assert not round_.invitations.filter(member__memberships__board=world.east).exists()


def test_managers_and_lead_reviewers_are_not_invited(world):
    round_ = _open(_commissioning(world.north_review), world.north_manager)
    assert set(_invited(round_)) == {world.north_member, world.north_chair}


def test_inactive_members_are_not_invited(world):
    review = _commissioning(world.cross_border_review)
    Membership.objects.filter(user=world.south_member).update(is_active=False)
    leaver = member_of(world.north, Role.BOARD_MEMBER)
    leaver.is_active = False
    leaver.save()
    round_ = _open(review, world.north_manager)
    assert world.south_member not in _invited(round_)
    assert leaver not in _invited(round_)


def test_opening_a_round_notes_the_timeline_and_tells_each_invitee_once(world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager)
    entry = TimelineEntry.objects.get(review=review, title__startswith="Board members asked for input")
    assert REQUEST in entry.body and "Invited 4 members of 2 boards" in entry.body
    told = Notification.objects.filter(key=f"input:{round_.pk}:invited")
    assert set(told.values_list("recipient", flat=True)) == {
        u.pk for u in (world.north_member, world.north_chair, world.south_member, world.south_chair)
    }
    assert told.first().path == reverse("input_rounds", args=[review.pk])


def test_business_manager_opens_a_round_through_the_page(client, world):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    closes_on = add_working_days(_today(), 5)
    response = client.post(
        reverse("input_round_open", args=[review.pk]),
        {"request": REQUEST, **date_input("closes_on", closes_on)},
    )
    assert response.status_code == 302
    round_ = InputRound.objects.get(review=review)
    assert (round_.request, round_.closes_on, round_.opened_by) == (REQUEST, closes_on, world.north_manager)


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "The closing date must be in the future"), (-3, "The closing date must be in the future")],
)
def test_a_closing_date_today_or_past_is_refused_with_a_clear_message(client, world, days, message):
    review = _commissioning(world.north_review)
    client.force_login(world.north_manager)
    response = client.post(
        reverse("input_round_open", args=[review.pk]),
        {"request": REQUEST, **date_input("closes_on", _today() + timedelta(days=days))},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InputRound.objects.filter(review=review).exists()


def test_a_closing_date_with_no_working_day_before_it_is_refused():
    friday, saturday, monday = date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)
    assert "at least 1 working day away" in closing_date_problem(saturday, today=friday)
    assert closing_date_problem(monday, today=friday) == ""
    # Good Friday 2026 (3 April) is a bank holiday: Thursday to Good Friday gives no working day.
    assert "at least 1 working day away" in closing_date_problem(date(2026, 4, 3), today=date(2026, 4, 2))


def test_only_one_round_can_be_open_at_a_time(client, world):
    review = _commissioning(world.north_review)
    first = _open(review, world.north_manager)
    with pytest.raises(InputRefused, match="already open"):
        _open(review, world.north_manager)
    client.force_login(world.north_manager)
    response = client.get(reverse("input_round_open", args=[review.pk]), follow=True)
    assert "A round is already open until" in response.content.decode()
    assert list(InputRound.objects.filter(review=review)) == [first]


def test_a_new_round_can_be_opened_once_the_last_has_closed(world):
    review = _commissioning(world.north_review)
    _close(_open(review, world.north_manager))
    _open(review, world.north_manager)
    assert InputRound.objects.filter(review=review).count() == 2


def test_rounds_cannot_be_opened_before_the_decision_stage(client, world):
    client.force_login(world.north_manager)
    response = client.get(reverse("input_round_open", args=[world.north_review.pk]))
    assert response.status_code == 403


# Replying ----------------------------------------------------------------------------------------------


def test_invited_member_replies_more_than_once_and_each_reply_is_kept(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.north_member)
    url = reverse("input_reply", args=[review.pk, round_.pk])
    assert client.post(url, {"text": "First thought."}).status_code == 302
    assert client.post(url, {"text": "Second thought."}).status_code == 302
    replies = InputReply.objects.filter(invitation__round=round_, invitation__member=world.north_member)
    assert list(replies.values_list("text", flat=True)) == ["First thought.", "Second thought."]


def test_a_reply_tells_the_business_managers_once_per_reply(world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager)
    first = _reply(round_, world.south_member)
    second = _reply(round_, world.south_member, text="More.")
    for reply in (first, second):
        told = Notification.objects.filter(key=f"input-reply:{reply.pk}")
        assert set(told.values_list("recipient", flat=True)) == {
            world.north_manager.pk,
            world.south_manager.pk,
        }


def test_a_member_can_say_they_have_nothing_to_add(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.north_chair)
    client.post(reverse("input_reply", args=[review.pk, round_.pk]), {"nothing_to_add": "on"})
    reply = InputReply.objects.get(invitation__member=world.north_chair)
    assert (reply.nothing_to_add, reply.text) == (True, "")
    assert "Nothing to add" in client.get(reverse("input_rounds", args=[review.pk])).content.decode()


def test_an_empty_reply_is_refused_with_a_clear_message(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.north_member)
    response = client.post(reverse("input_reply", args=[review.pk, round_.pk]), {"text": "  "})
    assert response.status_code == 200
    assert (
        "Enter the information you want to give, or say you have nothing to add" in response.content.decode()
    )
    assert not InputReply.objects.exists()


def test_a_member_who_joined_after_the_round_opened_is_told_they_were_not_invited(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    newcomer = member_of(world.north, Role.BOARD_MEMBER)
    client.force_login(newcomer)
    page = client.get(reverse("input_rounds", args=[review.pk])).content.decode()
    assert "You were not invited to this round" in page and "Send my reply" not in page
    response = client.post(
        reverse("input_reply", args=[review.pk, round_.pk]), {"text": "Late news."}, follow=True
    )
    assert "You were not invited to this round" in response.content.decode()
    assert not InputReply.objects.exists()


def test_a_closed_round_refuses_replies_and_the_page_says_it_closed(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    _close(round_)
    client.force_login(world.north_member)
    page = client.get(reverse("input_rounds", args=[review.pk])).content.decode()
    assert "This round closed on" in page and "Send my reply" not in page
    response = client.post(
        reverse("input_reply", args=[review.pk, round_.pk]), {"text": "Too late."}, follow=True
    )
    assert "it no longer takes replies" in response.content.decode()
    assert not InputReply.objects.exists()


def test_the_round_is_open_on_its_closing_day(world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    InputRound.objects.filter(pk=round_.pk).update(closes_on=_today())
    round_.refresh_from_db()
    assert _reply(round_, world.north_member).pk


def test_the_business_manager_cannot_reply(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.north_manager)
    assert client.post(reverse("input_reply", args=[review.pk, round_.pk]), {"text": "x"}).status_code == 403


def test_a_reply_to_another_reviews_round_is_not_found(client, world):
    north = _commissioning(world.north_review)
    cross = _commissioning(world.cross_border_review)
    other = _open(cross, world.north_manager)
    _open(north, world.north_manager)
    client.force_login(world.north_member)
    assert client.post(reverse("input_reply", args=[north.pk, other.pk]), {"text": "x"}).status_code == 404


# Who sees what -----------------------------------------------------------------------------------------


def test_manager_sees_the_ask_button_and_members_do_not(client, world):
    review = _commissioning(world.north_review)
    url = reverse("input_rounds", args=[review.pk])
    client.force_login(world.north_manager)
    assert "Ask the board for input" in client.get(url).content.decode()
    client.force_login(world.north_member)
    assert "Ask the board for input" not in client.get(url).content.decode()


def test_lead_reviewer_can_view_but_not_reply_or_open(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.north_reviewer)
    page = client.get(reverse("input_rounds", args=[review.pk]))
    assert page.status_code == 200
    assert "Send my reply" not in page.content.decode()
    assert "Ask the board for input" not in page.content.decode()
    assert client.post(reverse("input_reply", args=[review.pk, round_.pk]), {"text": "x"}).status_code == 403
    assert client.get(reverse("input_round_open", args=[review.pk])).status_code == 403


def test_a_non_participant_gets_404_everywhere(client, world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager)
    client.force_login(world.east_manager)
    assert client.get(reverse("input_rounds", args=[review.pk])).status_code == 404
    assert client.get(reverse("input_round_open", args=[review.pk])).status_code == 404
    assert client.post(reverse("input_reply", args=[review.pk, round_.pk]), {"text": "x"}).status_code == 404


def test_the_who_replied_table_shows_every_invitee_by_board(client, world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager)
    _reply(round_, world.north_member)
    _reply(round_, world.south_chair, text="", nothing_to_add=True)
    client.force_login(world.south_member)
    body = client.get(reverse("input_rounds", args=[review.pk])).content.decode()
    assert _table(body) == {
        world.north_chair.email: "Not replied",
        world.north_member.email: "Replied",
        world.south_chair.email: "Replied",
        world.south_member.email: "Not replied",
    }
    assert "2 of 4 invited members replied" in body
    assert "Police attended twice in 2025." in body


def test_rounds_are_listed_newest_first(client, world):
    review = _commissioning(world.north_review)
    old = _open(review, world.north_manager)
    _close(old)
    InputRound.objects.filter(pk=old.pk).update(request="The old question")
    services.input_round_open(
        review=review,
        user=world.north_manager,
        request="The new question",
        closes_on=add_working_days(_today(), 3),
    )
    client.force_login(world.north_member)
    body = client.get(reverse("input_rounds", args=[review.pk])).content.decode()
    assert body.index("The new question") < body.index("The old question")


def test_the_input_page_runs_a_constant_number_of_queries(client, world):
    review = _commissioning(world.north_review)

    def count_for(extra_members: int) -> int:
        for _ in range(extra_members):
            member_of(world.north, Role.BOARD_MEMBER)
        InputRound.objects.filter(review=review).update(closes_on=_today() - timedelta(days=1))
        round_ = _open(review, world.north_manager)
        for invitation in round_.invitations.select_related("member"):
            _reply(round_, invitation.member)
        client.force_login(world.north_member)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("input_rounds", args=[review.pk])).status_code == 200
        return len(queries)

    few = count_for(3)  # 5 invitees and replies
    many = count_for(35)  # 40 more invitees and replies, in a second round
    assert few == many


# Reminders ---------------------------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_replied_within_two_working_days_of_closing(world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager, closes_on=add_working_days(_today(), 5))
    _reply(round_, world.north_member)
    assert input_reminders_send(today=add_working_days(_today(), 2)) == 0  # 3 working days left
    assert input_reminders_send(today=add_working_days(_today(), 3)) == 3
    reminded = set(round_.invitations.filter(reminded_at__isnull=False).values_list("member", flat=True))
    assert reminded == {world.north_chair.pk, world.south_member.pk, world.south_chair.pk}
    told = Notification.objects.filter(key=f"input:{round_.pk}:reminder")
    assert set(told.values_list("recipient", flat=True)) == reminded


def test_running_the_reminders_twice_sends_nothing_new(world):
    review = _commissioning(world.north_review)
    round_ = _open(review, world.north_manager, closes_on=add_working_days(_today(), 1))
    assert input_reminders_send() == 2
    stamps = list(round_.invitations.values_list("reminded_at", flat=True))
    assert input_reminders_send() == 0
    assert send_input_reminders.delay().get() == 0
    assert list(round_.invitations.values_list("reminded_at", flat=True)) == stamps
    assert Notification.objects.filter(key=f"input:{round_.pk}:reminder").count() == 2


def test_reminders_skip_people_who_can_no_longer_see_the_review(world):
    review = _commissioning(world.cross_border_review)
    round_ = _open(review, world.north_manager, closes_on=add_working_days(_today(), 1))
    Membership.objects.filter(user=world.south_member).update(is_active=False)
    input_reminders_send()
    assert not Notification.objects.filter(recipient=world.south_member, key__contains="reminder").exists()
    assert round_.invitations.get(member=world.south_member).reminded_at is None


def test_reminders_skip_closed_rounds_and_reviews_past_commissioning(world):
    north = _commissioning(world.north_review)
    _close(_open(north, world.north_manager))
    cross = _commissioning(world.cross_border_review)
    _open(cross, world.north_manager, closes_on=add_working_days(_today(), 1))
    Review.objects.filter(pk=cross.pk).update(state="in_progress")
    assert input_reminders_send() == 0


def test_the_reminder_task_sends_the_reminders(world):
    review = _commissioning(world.north_review)
    _open(review, world.north_manager, closes_on=add_working_days(_today(), 2))
    assert send_input_reminders.delay().get() == 2


# Evidence for the self-check ---------------------------------------------------------------------------


def test_evidence_before_any_round(world):
    evidence = input_evidence(_commissioning(world.cross_border_review))
    assert evidence["rounds"] == 0 and evidence["invited"] == 0 and evidence["closes_on"] is None
    assert (evidence["members"], evidence["boards_taking_part"]) == (4, 2)


def test_evidence_counts_the_latest_round(world):
    review = _commissioning(world.cross_border_review)
    _close(_open(review, world.north_manager))
    closes_on = add_working_days(_today(), 4)
    round_ = _open(review, world.north_manager, closes_on=closes_on)
    _reply(round_, world.north_member)
    _reply(round_, world.north_member, text="And another thing.")
    _reply(round_, world.south_chair, text="", nothing_to_add=True)
    assert input_evidence(review) == {
        "rounds": 2,
        "invited": 4,
        "replied": 2,
        "members": 4,
        "boards": [world.north.name, world.south.name],
        "boards_taking_part": 2,
        "closes_on": closes_on,
        "is_open": True,
    }
    summary = evidence_for(review, QM6)
    assert any("Input invited from 4 members; 2 replied." in e.summary for e in summary.values())

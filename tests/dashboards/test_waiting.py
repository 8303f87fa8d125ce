"""Each role's "waiting for you" list on the home page (dashboards/waiting.py): it shows what the person may
do now, with a link straight to the page where they do it, and the thing disappears once it is done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissioning.inputs import services as inputs
from commissioning.models import Proposal
from commissioning.registry import services as registry
from commissioning.tor import services as tor
from dashboards import waiting
from documents.models import Document
from responses.actions import services as action_services
from reviews.access import can
from reviews.models import Review, State
from scr_portal.dates import long_date
from scr_portal.workdays import add_working_days
from tests.responses.helpers import action, at_stage

pytestmark = pytest.mark.django_db


def _listed(client, person) -> list[waiting.Waiting]:
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [*response.context["waiting"], *response.context["actions_waiting"]]


def _whats(client, person) -> list[str]:
    return [item.what for item in _listed(client, person)]


def _commissioning(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)
    review.refresh_from_db()
    return review


def _out_for_comment(world, review):
    version = tor.tor_draft_create(review=_commissioning(review), user=world.north_manager)
    closes = timezone.localdate() + timedelta(days=10)
    return tor.tor_send_for_comment(version=version, user=world.north_manager, closes_on=closes), closes


def test_the_manager_answers_a_proposal_from_the_list(client, world):
    proposal = registry.proposal_make(
        review=world.north_review,
        author=world.north_reviewer,
        topic=Proposal.Topic.SCOPE,
        text="Go back 5 years.",
    )
    items = _listed(client, world.north_manager)
    assert [i.what for i in items] == ["Answer the lead reviewer's proposal to change the scope"]
    item = items[0]
    assert item.url == reverse("proposal_list", args=[world.north_review.pk]) + f"#proposal-{proposal.pk}"
    assert can(world.north_manager, "answer_proposal", world.north_review)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{item.url}"' in page and "NSCB-1" in page

    registry.proposal_answer(proposal=proposal, actor=world.north_manager, answer="accepted", reason="Agreed")

    assert _whats(client, world.north_manager) == []
    # The lead reviewer is told to read the answer.
    assert _whats(client, world.north_reviewer) == ["Read the board's answer to your proposal: accepted"]


def test_a_board_member_comments_on_the_terms_of_reference_in_one_click_from_home(client, world):
    version, closes = _out_for_comment(world, world.cross_border_review)
    for member in (world.north_member, world.south_member):  # lead and participating board
        items = _listed(client, member)
        assert [i.what for i in items] == [
            f"Comment on the terms of reference (version 1) by {long_date(closes)}"
        ]
        assert items[0].url == reverse("tor_comments", args=[version.review_id, 1])
        assert client.get(items[0].url).status_code == 200  # the page where they comment

    tor.tor_comment_add(section=version.sections.first(), user=world.south_member, text="Add the school.")

    assert _whats(client, world.south_member) == []
    assert _whats(client, world.north_member)  # not done by them yet


def test_the_manager_addresses_the_comments_that_block_approval(client, world):
    version, _ = _out_for_comment(world, world.north_review)
    comment = tor.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Why?")
    items = _listed(client, world.north_manager)
    assert [i.what for i in items] == [
        "Address the comments on version 1 of the terms of reference: the chair cannot approve it until then"
    ]
    assert items[0].url == reverse("tor_comments", args=[world.north_review.pk, 1])
    # The lead reviewer has comments to read, and a comment of their own to make.
    assert set(_whats(client, world.north_reviewer)) == {
        "Read the comments on version 1 of the terms of reference",
        f"Comment on the terms of reference (version 1) by {long_date(version.comments_close_on)}",
    }

    tor.tor_comment_address(comment=comment, user=world.north_manager, how="Explained in section 2.")

    assert _whats(client, world.north_manager) == []


def test_a_member_gives_input_from_the_list(client, world):
    review = _commissioning(world.north_review)
    closes = add_working_days(timezone.localdate(), 5)
    round_ = inputs.input_round_open(
        review=review, user=world.north_manager, request="Anything?", closes_on=closes
    )
    items = _listed(client, world.north_member)
    assert [i.what for i in items] == [f"Give your input to the board by {long_date(closes)}"]
    assert items[0].url == reverse("input_reply", args=[review.pk, round_.pk])

    inputs.input_reply_add(input_round=round_, user=world.north_member, text="Our records show two visits.")

    assert _whats(client, world.north_member) == []


def test_a_failed_document_waits_until_it_is_made_again(client, world):
    def document(n: int, status: str) -> Document:
        return Document.objects.create(
            review=world.north_review,
            kind="tor",
            status=status,
            data_version=f"{n:064d}",
            label="Terms of reference, version 1",
            html="<p>x</p>",
            requested_by=world.north_manager,
            requested_at=timezone.now() - timedelta(minutes=10 - n),
        )

    failed = document(1, Document.Status.FAILED)
    items = _listed(client, world.north_manager)
    assert [i.what for i in items] == ["Terms of reference, version 1 could not be made: ask for it again"]
    assert items[0].url == reverse("document_detail", args=[world.north_review.pk, failed.pk])
    assert _whats(client, world.north_member) == []  # the business manager makes documents

    document(2, Document.Status.QUEUED)

    assert _whats(client, world.north_manager) == []


def test_an_owner_records_progress_on_an_overdue_action(client, world):
    """An action of theirs due soon or overdue waits for progress, until progress is recorded."""
    review = at_stage(world.north_review)
    overdue = action(review, world.north_member, due_on=timezone.localdate() - timedelta(days=3))
    items = _listed(client, world.north_member)
    assert [i.what for i in items] == [
        f"Record progress on action 1: overdue since {long_date(overdue.due_on)}"
    ]
    assert items[0].url == reverse("action_progress", args=[review.pk, 1])

    action_services.action_progress_record(
        action=overdue, user=world.north_member, on=timezone.localdate(), text="Training booked for May"
    )

    assert _whats(client, world.north_member) == []


def test_nothing_waits_for_someone_outside_the_review(client, world):
    registry.proposal_make(
        review=world.north_review, author=world.north_reviewer, topic=Proposal.Topic.SCOPE, text="x"
    )
    _out_for_comment(world, world.north_review)
    assert _whats(client, world.east_manager) == []
    assert _whats(client, world.south_member) == []  # not a board of NSCB-1
    page = client.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you." in page


def test_the_home_shows_the_oldest_and_links_to_the_full_list(client, world):
    for n in range(waiting.WAITING_SHOWN + 3):
        Proposal.objects.create(
            review=world.north_review,
            author=world.north_reviewer,
            topic="scope",
            text=f"Proposal {n}",
            created_at=timezone.now() - timedelta(days=n),
        )
    client.force_login(world.north_manager)
    response = client.get(reverse("home"))
    shown = response.context["waiting"]
    assert (
        len(shown) == waiting.WAITING_SHOWN and response.context["waiting_count"] == waiting.WAITING_SHOWN + 3
    )
    assert [i.since for i in shown] == sorted(i.since for i in shown)  # the oldest first
    page = response.content.decode()
    assert f"See all {waiting.WAITING_SHOWN + 3} things waiting for you" in page
    full = client.get(reverse("waiting"))
    assert full.status_code == 200 and len(full.context["items"]) == waiting.WAITING_SHOWN + 3


# The review page's "your next step" -------------------------------------------------------------------


def _own_step(client, person, review):
    client.force_login(person)
    response = client.get(reverse("review_detail", args=[review.pk]))
    assert response.status_code == 200
    return response.context["own_step"], response.content.decode()


def test_the_review_page_gives_each_person_their_own_next_step(client, world):
    version, closes = _out_for_comment(world, world.north_review)
    step, page = _own_step(client, world.north_member, world.north_review)
    assert step.text == f"Comment on the terms of reference (version 1) by {long_date(closes)}."
    assert step.url == reverse("tor_comments", args=[world.north_review.pk, 1])
    assert "Your next step" in page and f'href="{step.url}"' in page

    tor.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Add the GP.")

    # Done: the member's part at this stage, on the page where it is done.
    step, _ = _own_step(client, world.north_member, world.north_review)
    assert step.url == reverse("commissioning", args=[world.north_review.pk])
    step, _ = _own_step(client, world.north_manager, world.north_review)
    assert step.text.startswith("Address the comments on version 1")


def test_a_step_the_person_may_take_now_is_their_next_step(client, world):
    review = world.south_review  # at referral: the business manager sends it for a decision
    step, _ = _own_step(client, world.south_manager, review)
    assert step.url == reverse("review_step", args=[review.pk, "send_for_decision"])
    step, _ = _own_step(client, world.south_member, review)
    assert (step.text, step.url) == ("Nothing is asked of you at this stage.", "")

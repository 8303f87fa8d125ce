"""The report's rules: who adds, sends, replies, records and accepts, by regime and stage; who reads a
draft (an agency's people only once their agency is asked to check it)."""

from __future__ import annotations

import pytest

from reviews.access import can
from reviews.models import State
from tests.conduct.helpers import in_progress
from tests.conduct.report_helpers import check, draft
from tests.factories import AppointmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_on_a_serious_case_review_each_role_does_its_own_part(info, world):
    review = info.review
    assert can(world.north_reviewer, "add_report_draft", review)
    assert not can(world.north_manager, "add_report_draft", review)
    assert can(world.north_manager, "send_for_accuracy", review)
    assert not can(world.north_reviewer, "send_for_accuracy", review)
    assert can(world.north_chair, "accept_report", review)
    for person in (world.north_manager, world.north_reviewer, world.north_member):
        assert not can(person, "accept_report", review)
    assert can(world.north_member, "view_report", review) and not can(
        world.north_author, "view_report", review
    )


def test_on_a_practice_review_the_statutory_partners_accept(partnership):
    review = in_progress(partnership.review)
    for partner in (*partnership.leads.values(), *partnership.delegates.values()):
        assert can(partner, "accept_report", review)
    for person in (partnership.manager, partnership.member, partnership.scrutineer, partnership.reviewer):
        assert not can(person, "accept_report", review)


def test_nothing_changes_once_the_review_has_moved_on(info, world):
    made = draft(info.review)
    type(info.review).objects.filter(pk=info.review.pk).update(state=State.REPORT_RECEIVED)
    info.review.refresh_from_db()
    made.review = info.review
    assert can(world.north_member, "view_report", info.review)
    assert can(world.north_chair, "read_report_draft", made)
    for rule, person in (
        ("add_report_draft", world.north_reviewer),
        ("send_for_accuracy", world.north_manager),
        ("accept_report", world.north_chair),
    ):
        assert not can(person, rule, info.review), rule


def test_an_agencys_people_read_a_draft_and_reply_only_for_their_agency_once_asked(info, world):
    made = draft(info.review)
    assert not can(world.north_member, "read_report_draft", made)
    asked = check(made, info.agency)
    assert can(world.north_member, "read_report_draft", made)
    assert can(world.north_member, "reply_for_accuracy", asked)
    health_member = UserFactory(email="member@health.example")
    MembershipFactory(user=health_member, board=world.north, role="board_member", agency=info.health)
    assert not can(health_member, "reply_for_accuracy", asked)
    other = check(made, info.health)
    assert can(health_member, "reply_for_accuracy", other) and not can(
        world.north_member, "reply_for_accuracy", other
    )


def test_a_lead_reviewer_of_another_review_adds_no_draft(world):
    review = in_progress(world.cross_border_review)
    AppointmentFactory(review=world.north_review, reviewer=world.south_reviewer)
    assert not can(world.south_reviewer, "add_report_draft", review)
    assert not can(world.south_manager, "send_for_accuracy", review)

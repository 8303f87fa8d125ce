"""A cross-border review's terms of reference: each participating board's chair agrees or objects to the
version out for comment, or the lead chair records why approval goes ahead without; the approval's guard
(`_participating_boards_heard` in commissioning/tor/workflow.py) refuses until then."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning.models import ToRAgreement, ToRVersion
from commissioning.tor import services, workflow
from reviews import access
from reviews.models import Notification, Role
from tests.commissioning.test_tor import _approvable, _commissioning, _url
from tests.factories import member_of

pytestmark = pytest.mark.django_db

Status = ToRVersion.Status


@pytest.fixture
def version(world) -> ToRVersion:
    return _approvable(world, world.cross_border_review)


def test_approval_waits_for_every_participating_board(world, version):
    blockers = workflow.approval_blockers(version)
    assert any("South Safeguarding Children Board has not yet agreed or objected" in b for b in blockers)
    with pytest.raises(services.ToRRefused, match="not yet agreed or objected"):
        services.tor_approve(version=version, user=world.north_chair)
    version.refresh_from_db()
    assert version.status == Status.OUT_FOR_COMMENT


def test_a_review_with_no_other_board_needs_no_agreement(world):
    version = _approvable(world)
    assert workflow.approval_blockers(version) == []


@pytest.mark.parametrize("position", ["agree", "object"])
def test_once_the_participating_chair_agrees_or_objects_the_lead_chair_may_approve(world, version, position):
    services.tor_agreement_record(
        version=version, user=world.south_chair, board=world.south, position=position, reasons="Our reasons."
    )

    assert workflow.approval_blockers(version) == []
    services.tor_approve(version=version, user=world.north_chair)
    version.refresh_from_db()
    assert version.status == Status.APPROVED


def test_an_agreement_is_on_the_timeline_and_the_lead_board_is_told(world, version):
    services.tor_agreement_record(
        version=version, user=world.south_chair, board=world.south, position="agree"
    )

    assert version.review.timeline.filter(title__contains="South Safeguarding Children Board agrees").exists()
    told = Notification.objects.get(recipient=world.north_chair, key__contains=":agreement:")
    assert told.path == reverse("tor_approve", args=[version.review_id, version.number])


def test_an_objection_needs_reasons(world, version):
    with pytest.raises(services.ToRRefused, match="Say why your board objects"):
        services.tor_agreement_record(
            version=version, user=world.south_chair, board=world.south, position="object", reasons=" "
        )
    assert not ToRAgreement.objects.exists()


def test_recording_again_replaces_the_boards_position_on_that_version(world, version):
    for position in ("object", "agree"):
        services.tor_agreement_record(
            version=version, user=world.south_chair, board=world.south, position=position, reasons="Why."
        )
    agreement = ToRAgreement.objects.get()
    assert agreement.position == "agree"
    assert agreement.history.count() == 2


@pytest.mark.parametrize("person", ["north_chair", "south_manager", "south_member", "north_manager"])
def test_only_a_participating_boards_chair_records_its_position(world, version, person):
    with pytest.raises(services.ToRRefused, match="Only the chair of a board taking part"):
        services.tor_agreement_record(
            version=version, user=getattr(world, person), board=world.south, position="agree"
        )
    assert not access.can(getattr(world, person), "agree_terms_of_reference", version.review)


def test_a_chair_cannot_speak_for_a_board_they_do_not_chair(world, version):
    with pytest.raises(services.ToRRefused):
        services.tor_agreement_record(
            version=version, user=world.south_chair, board=world.east, position="agree"
        )


def test_a_draft_cannot_be_agreed_to(world):
    review = _commissioning(world.cross_border_review)
    version = services.tor_draft_create(review=review, user=world.north_manager)
    with pytest.raises(services.ToRRefused, match="out for comment"):
        services.tor_agreement_record(
            version=version, user=world.south_chair, board=world.south, position="agree"
        )


def test_the_lead_chair_may_record_why_approval_goes_ahead_without(world, version):
    with pytest.raises(services.ToRRefused, match="Only the lead board's chair"):
        services.tor_agreement_waive(version=version, user=world.south_chair, reason="x")
    with pytest.raises(services.ToRRefused, match="Say why"):
        services.tor_agreement_waive(version=version, user=world.north_chair, reason="")

    services.tor_agreement_waive(
        version=version, user=world.north_chair, reason="South did not answer in 3 weeks."
    )

    assert workflow.approval_blockers(version) == []
    services.tor_approve(version=version, user=world.north_chair)


def test_a_participating_chair_cannot_approve_the_lead_boards_terms(world, version):
    services.tor_agreement_record(
        version=version, user=world.south_chair, board=world.south, position="agree"
    )
    assert not access.can(world.south_chair, "approve_terms_of_reference", version.review)
    with pytest.raises(services.ToRRefused, match="Only the lead board's chair"):
        services.tor_approve(version=version, user=world.south_chair)


# The pages ---------------------------------------------------------------------------------------------


def test_the_participating_chair_records_agreement_on_the_version_page(client, world, version):
    client.force_login(world.south_chair)
    page = client.get(_url("tor_version", version)).content.decode()
    assert "Your board&#x27;s position on version" in page or "Your board's position on version" in page
    assert _url("tor_agreement", version) in page

    response = client.post(
        _url("tor_agreement", version), {"board": world.south.pk, "position": "object", "reasons": ""}
    )
    assert "Say why your board objects" in response.content.decode()
    response = client.post(_url("tor_agreement", version), {"board": world.south.pk, "position": "agree"})
    assert response.status_code == 302
    assert ToRAgreement.objects.get().board == world.south


def test_the_approval_page_shows_each_boards_position_and_why_it_is_not_available_yet(client, world, version):
    client.force_login(world.north_chair)
    page = client.get(_url("tor_approve", version)).content.decode()
    assert "Not yet answered" in page
    assert "has not yet agreed or objected" in page
    assert f"Approve version {version.number}</button>" not in page
    assert _url("tor_agreement_waive", version) in page

    services.tor_agreement_record(
        version=version, user=world.south_chair, board=world.south, position="agree"
    )
    page = client.get(_url("tor_approve", version)).content.decode()
    assert "Agrees" in page
    assert f"Approve version {version.number}</button>" in page


def test_a_chair_of_two_participating_boards_chooses_which_board(world, version):
    from reviews.models import ParticipatingBoard

    ParticipatingBoard.objects.create(review=version.review, board=world.east)
    both = member_of(world.south, Role.CHAIR, email="chair-both@south.example", two_factor_waived=True)
    member_of_east = member_of(
        world.east, Role.CHAIR, email="chair-east@east.example", two_factor_waived=True
    )
    from reviews.models import Membership

    Membership.objects.create(user=both, board=world.east, role=Role.CHAIR)
    assert sorted(access.participating_boards_as(both, version.review, Role.CHAIR)) == sorted(
        [world.south.pk, world.east.pk]
    )
    services.tor_agreement_record(version=version, user=both, board=world.east, position="agree")
    services.tor_agreement_record(version=version, user=member_of_east, board=world.east, position="agree")
    assert any("South" in b for b in workflow.approval_blockers(version))

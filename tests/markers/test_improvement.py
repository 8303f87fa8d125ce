"""Quality Marker 15 (improvement action): its evidence comes from the work of the response; the business
manager records the board's view on its self-check page and board people read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning.models import SelfCheckAnswer
from markers.checks import answers_for, evidence_for
from markers.improvement import MARKER
from responses.models import Meeting
from reviews.models import State
from tests.responses.helpers import action, at_stage, finding, plan_priority

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_the_self_check_evidence_comes_from_the_work_recorded(world):
    review = at_stage(world.north_review, State.RESPONSE)
    assert {e.suggests for e in evidence_for(review, MARKER).values()} == {SelfCheckAnswer.Status.NOT_MET}

    first = finding(review, 1, themes=("Neglect",))
    plan = plan_priority(world.north, 1, themes=("Neglect",))
    meeting = Meeting.objects.create(
        review=review,
        kind="extraordinary",
        held_on="2026-10-01",
        minutes_given=120,
        created_by=world.north_manager,
    )
    first.discussions.create(meeting=meeting, discussion="Discussed", challenge="Police were asked why")
    first.position, first.position_reason = "accepted", "Agreed"
    first.save()
    action(review, world.north_member, findings=[first], plan_priority=plan)

    evidence = evidence_for(review, MARKER)

    assert evidence[1].summary == "1 meeting recorded (1 extraordinary meeting); 1 of 1 finding discussed."
    assert evidence[3].summary == "2 h given across 1 meeting; an extraordinary meeting was held."
    assert evidence[5].summary.startswith("1 action (1 high); 1 linked to a business plan priority")
    assert all(e.suggests == SelfCheckAnswer.Status.MET for e in evidence.values()), evidence


def test_the_business_manager_records_the_board_s_view_and_others_read_it(client, world):
    review = at_stage(world.north_review, State.RESPONSE)
    data = {f"status_{q.number}": "partly" for q in MARKER.questions} | {
        "comment_3": "Only an ordinary meeting"
    }
    client.force_login(world.north_member)
    assert client.post(reverse("response_self_check", args=[review.pk]), data).status_code == 403

    client.force_login(world.north_manager)
    assert client.post(reverse("response_self_check", args=[review.pk]), data).status_code == 302

    answers = answers_for(review, MARKER)
    assert answers[3].comment == "Only an ordinary meeting" and answers[3].marker == 15
    client.force_login(world.north_member)
    assert (
        "Only an ordinary meeting"
        in client.get(reverse("response_self_check", args=[review.pk])).content.decode()
    )


def test_the_response_page_shows_the_evidence_panel_with_where_it_points(client, world):
    review = at_stage(world.north_review, State.RESPONSE)
    client.force_login(world.north_member)
    page = client.get(reverse("response", args=[review.pk])).content.decode()
    assert "Quality marker 15: where the evidence stands" in page
    assert "No meeting about the review is recorded yet." in page
    assert page.count('<strong class="govuk-tag govuk-tag--red">Not met</strong>') == len(MARKER.questions)

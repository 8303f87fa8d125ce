"""What every marker shares: the registry (each marker has its page and real rules), and the service that
records the board's view."""

from __future__ import annotations

import pytest
from django.template.loader import get_template
from django.urls import reverse

from commissioning.models import SelfCheckAnswer
from markers.checks import answers_for, self_check_save
from markers.registry import MARKERS
from reviews.access import rule_set
from reviews.models import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("marker", MARKERS.values(), ids=lambda m: f"QM{m.number}")
def test_every_marker_has_its_page_its_panel_and_declared_rules(marker):
    assert MARKERS[marker.number] is marker
    assert reverse(marker.url_name, args=[1]) == f"/reviews/1/{marker.path_segment}/self-check/"
    reverse(marker.page, args=[1])  # the part of the review it belongs to has a page
    get_template(marker.evidence_template)
    assert rule_set.rule_exists(marker.view_rule) and rule_set.rule_exists(marker.change_rule)
    assert [q.number for q in marker.questions] == list(range(1, len(marker.questions) + 1))


def test_each_marker_has_its_own_self_check_address():
    names = [marker.url_name for marker in MARKERS.values()]
    assert len(names) == len(set(names))


def test_saving_records_each_answer_once_and_one_timeline_entry(world):
    review, marker = world.north_review, MARKERS[6]
    answers = {q.number: ("partly", "") for q in marker.questions} | {2: ("met", "The reviewer shaped it.")}
    self_check_save(review=review, user=world.north_manager, marker=marker, answers=answers)
    self_check_save(review=review, user=world.north_manager, marker=marker, answers=answers)

    saved = answers_for(review, marker)
    assert {n: (a.status, a.comment) for n, a in saved.items()} == answers
    assert SelfCheckAnswer.objects.filter(review=review).count() == len(marker.questions)
    assert not answers_for(review, MARKERS[15])
    assert (
        review.timeline.filter(
            kind=TimelineEntry.Kind.UPDATE, title="Commissioning self-check updated"
        ).count()
        == 2
    )


def test_saving_refuses_a_status_the_marker_does_not_know(world):
    review, marker = world.north_review, MARKERS[15]
    answers = {q.number: ("met", "") for q in marker.questions} | {1: ("excellent", "")}
    with pytest.raises(ValueError, match="excellent"):
        self_check_save(review=review, user=world.north_manager, marker=marker, answers=answers)
    assert not SelfCheckAnswer.objects.filter(review=review).exists()


@pytest.mark.parametrize("number", sorted(MARKERS))
def test_a_marker_speaks_the_regime_s_words(partnership, world, number):
    """Every marker's statement and questions name the body and its people as the review's regime does,
    with nothing left unfilled: a board's on a Serious Case Review, a partnership's on a practice review."""
    for review, own, other in (
        (world.north_review, "board", "partnership"),
        (partnership.review, "partnership", "board"),
    ):
        marker = MARKERS[number].in_words(review)
        said = " ".join([marker.statement, *(q.text for q in marker.questions)])
        assert "{" not in said and "}" not in said
        assert own in said and other not in said.lower(), said

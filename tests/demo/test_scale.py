"""The scale dataset (`manage.py seed_scale`): consistent in every state, sized as asked, and the key pages
the benchmark measures read the same number of queries however big it is."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.models import ToRComment, ToRVersion
from demo.scale import Builder, Sizes
from responses.actions.workflow import OPEN_STATUSES
from responses.models import Action, ActionUpdate, Finding, ResponseVersion
from reviews.models import Board, Membership, Review, Role, State

pytestmark = pytest.mark.django_db

SMALL = 0.01


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(size: float = SMALL) -> Builder:
    builder = Builder(size, log=lambda line: None)
    builder.build()
    return builder


def test_the_command_builds_what_it_says_and_refuses_to_build_twice(standard_factors, standard_themes):
    out = io.StringIO()
    call_command("seed_scale", "--size", str(SMALL), stdout=out)
    sizes = Sizes.scaled(SMALL)
    text = out.getvalue()
    assert "Scale dataset ready" in text
    assert f"{Review.objects.count():>9,}  reviews" in text
    assert Board.objects.count() == sizes.boards
    assert Review.objects.count() == sizes.reviews
    assert ActionUpdate.objects.count() == sizes.updates
    assert ToRComment.objects.count() == sizes.comments
    with pytest.raises(Exception, match="already in this database"):
        call_command("seed_scale", "--size", str(SMALL), stdout=io.StringIO())


def test_every_state_is_there_and_consistent_with_what_it_implies(standard_factors, standard_themes):
    build()
    states = set(Review.objects.values_list("state", flat=True))
    assert states == set(State.values)
    # Decided reviews name the chair who decided; reviews past commissioning have an approved version and a
    # lead reviewer; those with a report have findings; those at response or later have actions and a
    # response, signed once published.
    assert not Review.objects.filter(state__in=["commissioning", "monitoring"], decided_by=None).exists()
    past = Review.objects.filter(state__in=["in_progress", "published", "closed"])
    assert not past.exclude(tor_versions__status="approved").exists()
    assert not past.filter(appointments=None).exists()
    assert not Review.objects.filter(state="report_received", findings=None).exists()
    assert not Review.objects.filter(state__in=["response", "monitoring"], actions=None).exists()
    for version in ResponseVersion.objects.filter(review__state__in=["published", "monitoring", "closed"]):
        assert version.verifies()
    assert not ResponseVersion.objects.filter(review__state="response", signed_at__isnull=False).exists()
    assert not Action.objects.filter(review__state="closed", status__in=OPEN_STATUSES).exists()
    # Every open review has its next deadline on the row, as the services keep it.
    assert not Review.objects.filter(state="referral", due_on=None).exists()


def test_board_001_is_the_largest_and_holds_the_big_plan_and_the_big_comment_round(
    standard_factors, standard_themes
):
    build()
    sizes = Sizes.scaled(SMALL)
    largest = Board.objects.annotate(n=Count("led_reviews")).order_by("-n").first()
    assert largest.name == "Board 001"
    assert largest.independent_chair.email == "chair@board-001.example"
    big = Review.objects.annotate(n=Count("actions")).order_by("-n").first()
    assert (big.lead_board, big.state, big.n) == (largest, "monitoring", sizes.big_actions)
    version = ToRVersion.objects.annotate(n=Count("sections__comments")).order_by("-n").first()
    assert (version.review.lead_board, version.status, version.n) == (
        largest,
        "out_for_comment",
        sizes.big_comments,
    )
    assert Finding.objects.filter(review=big).count() == sizes.big_findings


def key_pages(client) -> dict[str, int]:
    """The pages the benchmark times, as the business manager of the largest board sees them: their queries."""
    board = Board.objects.get(name="Board 001")
    manager = Membership.objects.get(board=board, role=Role.BUSINESS_MANAGER).user
    big = Review.objects.filter(lead_board=board).annotate(n=Count("actions")).order_by("-n").first()
    version = (
        ToRVersion.objects.filter(review__lead_board=board)
        .annotate(n=Count("sections__comments"))
        .order_by("-n")
        .first()
    )
    client.force_login(manager)
    urls = {
        "home": reverse("home"),
        "review list": reverse("review_list") + f"?state=monitoring&board={board.pk}",
        "review page": reverse("review_detail", args=[big.pk]),
        "comments": reverse("tor_comments", args=[version.review_id, version.number]),
        "action plan": reverse("action_plan", args=[big.pk]),
        "board action plan": reverse("board_action_plan", args=[board.pk]),
        "notifications": reverse("notification_list"),
        "help": reverse("help"),
    }
    counts = {}
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_the_key_pages_read_the_same_number_of_queries_at_two_sizes(
    client, standard_factors, standard_themes
):
    with transaction.atomic():
        build(SMALL)
        small = key_pages(client)
        transaction.set_rollback(True)
    build(SMALL * 4)
    large = key_pages(client)
    assert Action.objects.count() > 3 * Sizes.scaled(SMALL).actions
    assert small == large

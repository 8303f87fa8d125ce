"""The scale dataset (`manage.py seed_scale`): consistent in every state, sized as asked, and the key pages
the benchmark measures read the same number of queries however big it is."""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import pairwise

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from commissioning.models import ToRComment, ToRVersion
from demo.scale import Builder, Sizes
from demo.scale_history import ascending
from responses.actions import workflow as action_workflow
from responses.actions.workflow import OPEN_STATUSES
from responses.models import Action, ActionUpdate, Finding, ResponseVersion, Theme
from reviews import workflow
from reviews.access import can
from reviews.models import Appointment, Board, Membership, Notification, Review, ReviewAccess, Role, State
from reviews.workflow import TABLES
from scr_portal.accounts.models import User

pytestmark = pytest.mark.django_db

SMALL = 0.01


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def build(size: float = SMALL) -> Builder:
    builder = Builder(size, log=lambda line: None)
    builder.build()
    if connection.vendor == "postgresql":
        # As seed_scale does: the planner sees the tables as they now are (autovacuum would, later). Without
        # statistics it may plan the pages' queries over thousands of fresh rows as if they were empty.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
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
    assert ReviewAccess.objects.count() == sizes.accesses
    # Each step's time, and what it made: the history, the access log and the notifications too.
    assert "  history: actions and responses " in text and "  review access log " in text
    history = Action.history.count()
    assert f"{history:>9,}  historical actions" in text
    assert f"{ReviewAccess.objects.count():>9,}  review access log" in text
    assert f"{Notification.objects.count():>9,}  notifications" in text
    assert "History: " in text and " rows (versions of objects) and " in text
    with pytest.raises(Exception, match="already in this database"):
        call_command("seed_scale", "--size", str(SMALL), stdout=io.StringIO())


def test_every_state_is_there_and_consistent_with_what_it_implies(standard_factors, standard_themes):
    build()
    states = set(Review.objects.values_list("state", flat=True))
    # The national dataset is of Serious Case Reviews: every stage of that regime's table is there.
    scr = workflow.TABLES["scr"]
    assert states == {*scr.main_path, State.NOT_INITIATED, State.WITHDRAWN}
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


# History, access log and notifications --------------------------------------------------------------------

# Made by the migrations (and the fixtures that restore them), not by the seed.
NOT_SEEDED = {Theme}


def tracked_models():
    return [
        m
        for m in apps.get_models()
        if getattr(m._meta, "simple_history_manager_attribute", None) and m not in NOT_SEEDED
    ]


def test_every_object_has_its_history_oldest_first_ending_on_the_object_as_it_is(
    standard_factors, standard_themes
):
    """Each object the seed made has history rows: '+' first then '~', strictly later each time, each by a
    real person, the newest holding exactly the object's values now; many-to-many rows with each."""
    build()
    people = set(User.objects.values_list("pk", flat=True))
    versions_of: dict[str, float] = {}
    for model in tracked_models():
        history = model.history.model
        tracked = [f.attname for f in history.tracked_fields]
        now = {row[0]: row for row in model._base_manager.values_list(*tracked)}
        rows = defaultdict(list)
        for row in history.objects.order_by("history_date", "history_id").values_list(
            "history_type", "history_date", "history_user_id", *tracked
        ):
            rows[row[3]].append(row)
        assert set(rows) == set(now), model.__name__
        for pk, told in rows.items():
            assert [t for t, *_ in told] == ["+"] + ["~"] * (len(told) - 1), (model.__name__, pk)
            dates = [d for _, d, *_ in told]
            assert all(a < b for a, b in pairwise(dates)), (model.__name__, pk)
            assert dates[-1] <= timezone.now()
            assert {u for _, _, u, *_ in told} <= people, (model.__name__, pk)
            assert tuple(told[-1][3:]) == now[pk], (model.__name__, pk)
        if now:
            versions_of[model.__name__] = sum(map(len, rows.values())) / len(now)
        for f in history._history_m2m_fields:
            links = apps.get_model(history._meta.app_label, f"{history.__name__}_{f.name}")
            through = getattr(model, f.name).through
            owner, other = f.m2m_field_name(), f.m2m_reverse_field_name()
            per_object = Counter(through.objects.values_list(f"{owner}_id", flat=True))
            assert links.objects.count() == sum(
                per_object[i] for i in history.objects.values_list("id", flat=True)
            )
            for link in through.objects.all():
                newest = history.objects.filter(id=getattr(link, f"{owner}_id")).latest(
                    "history_date", "history_id"
                )
                assert links.objects.filter(
                    history=newest, **{f"{other}_id": getattr(link, f"{other}_id")}
                ).exists()
    # Several versions where things change: a review at every stage it passed, actions at every status.
    assert versions_of["Review"] > 3
    assert versions_of["Action"] > 1.5
    assert versions_of["ToRVersion"] > 2
    assert versions_of["ToRComment"] > 1.2
    assert 1 < versions_of["Membership"] < 2


MAIN_PATH = TABLES["scr"].main_path  # the national dataset is of Serious Case Reviews


def test_review_and_action_histories_follow_their_workflows(standard_factors, standard_themes):
    """A review's rows go along the review's path, one stage at a time; an action's statuses move only
    as its workflow allows; the progress update that made an action's last move says so."""
    build()
    for review in Review.objects.all():
        states = list(review.history.order_by("history_date").values_list("state", flat=True))
        passed = [s for i, s in enumerate(states) if i == 0 or s != states[i - 1]]
        assert passed[:-1] == list(MAIN_PATH[: len(passed) - 1]), passed
        assert passed[-1] == review.state
        assert review.state in (State.NOT_INITIATED, State.WITHDRAWN) or passed == list(
            MAIN_PATH[: len(passed)]
        )
    for action in Action.objects.prefetch_related("updates"):
        statuses = list(action.history.order_by("history_date").values_list("status", flat=True))
        assert statuses[0] == Action.Status.AGREED
        for before, after in pairwise(statuses):
            assert after == before or after in action_workflow.moves_from(before), (action.pk, statuses)
        moves = [u for u in action.updates.all() if u.status_to]
        assert len(moves) <= 1
        if moves:  # when the last move came with an update (most do)
            assert moves[0].status_to == action.status != Action.Status.AGREED
            assert moves[0].status_from == statuses[-2]
            last = action.history.latest("history_date", "history_id")
            assert last.history_date == moves[0].created_at


def test_the_access_log_names_people_on_each_review_between_its_referral_and_its_end(
    standard_factors, standard_themes
):
    build()
    assert ReviewAccess.objects.count() == Sizes.scaled(SMALL).accesses
    board_people = defaultdict(set)
    for board, user in Membership.objects.values_list("board_id", "user_id"):
        board_people[board].add(user)
    reviewers = defaultdict(set)
    for review, user in Appointment.objects.values_list("review_id", "reviewer_id"):
        reviewers[review].add(user)
    reviews = {r.pk: r for r in Review.objects.all()}
    for review_id, user, at, path in ReviewAccess.objects.values_list("review_id", "user_id", "at", "path"):
        review = reviews[review_id]
        assert user in board_people[review.lead_board_id] | reviewers[review_id]
        assert (
            review.notification_date <= timezone.localdate(at) <= (review.closed_on or timezone.localdate())
        )
        assert path == reverse("review_detail", args=[review_id])
    # Open reviews are opened more than ended ones, and everyone may see what they opened.
    opened = Counter(ReviewAccess.objects.values_list("user_id", "review_id"))
    for (user, review_id), _ in list(opened.items())[:50]:
        assert can(User.objects.get(pk=user), "view_review", reviews[review_id])


def test_notifications_are_of_every_kind_about_what_each_person_may_see(standard_factors, standard_themes):
    build()
    sizes = Sizes.scaled(SMALL)
    manager = User.objects.get(email="manager@board-001.example")
    mine = Notification.objects.filter(recipient=manager)
    assert mine.count() == sizes.big_notifications
    unread, read = mine.filter(read_at=None), mine.exclude(read_at=None)
    assert unread.exists() and read.exists()
    newest_read = read.latest("created_at").created_at
    assert unread.filter(created_at__gt=newest_read).exists()  # the newest are the unread ones
    assert set(Notification.objects.values_list("kind", flat=True)) == set(Notification.Kind.values)
    assert not Notification.objects.filter(read_at__lt=F("created_at")).exists()
    recipients = {u.pk: u for u in User.objects.all()}
    reviews = {r.pk: r for r in Review.objects.all()}
    for recipient, review, path in Notification.objects.values_list("recipient_id", "review_id", "path"):
        resolve(path)  # a page of the portal
        if review is not None:
            assert can(recipients[recipient], "view_review", reviews[review])
    # About a year of them: the portal purges read ones older than that.
    oldest = Notification.objects.earliest("created_at").created_at
    assert oldest > timezone.now() - timedelta(days=370)


def test_the_history_pages_render_on_the_scale_data(client, standard_factors, standard_themes):
    build()
    board = Board.objects.get(name="Board 001")
    manager = Membership.objects.get(board=board, role=Role.BUSINESS_MANAGER).user
    client.force_login(manager)
    big = Review.objects.filter(lead_board=board).annotate(n=Count("actions")).order_by("-n").first()
    page = client.get(reverse("review_history", args=[big.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Review {big.reference}" in text and "State: " in text
    assert "Who opened this review" in text
    page = client.get(reverse("board_history", args=[board.pk]))
    assert page.status_code == 200
    assert "Board Board 001" in page.content.decode()


def test_ascending_keeps_each_row_after_the_one_before_and_the_last_on_the_end():
    now = timezone.now()
    out = ascending([now, now - timedelta(days=1), now + timedelta(days=3)], now)
    assert out[-1] == now and out[0] < out[1] < out[2]

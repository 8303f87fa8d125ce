"""The home page (dashboards/views.py `home`, dashboards/selectors.py): each role sees its own sections,
filled with the right reviews, and the page costs the same number of queries however many reviews."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors as dashboards
from reviews.models import Review, Role, State
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.factories import (
    AppointmentFactory,
    BoardFactory,
    MembershipFactory,
    ParticipatingBoardFactory,
    ReviewFactory,
    UserFactory,
)

SECTIONS = {
    "Waiting for you as chair",
    "Overdue",
    "Due in the next fortnight",
    "Open reviews by stage",
    "Reviews asking for your board's input",
    "Reviews you lead",
}
AS_MANAGER = {"Overdue", "Due in the next fortnight", "Open reviews by stage"}


def _set(review: Review, **fields) -> Review:
    Review.objects.filter(pk=review.pk).update(**fields)
    review.refresh_from_db()
    return review


def _review(board, reference: str, **fields) -> Review:
    return _set(ReviewFactory(lead_board=board, reference=reference), **fields)


def _home(client, user: User):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def _sections(html: str) -> set[str]:
    headings = {re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", html, re.S)}
    return headings & SECTIONS


def _refs(items) -> list[str]:
    return [getattr(i, "review", i).reference for i in items]


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


# Sections by role -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "sections"),
    [
        ("north_manager", AS_MANAGER),
        ("north_chair", {"Waiting for you as chair", *AS_MANAGER}),
        ("north_member", {"Reviews asking for your board's input"}),
        ("north_reviewer", {"Reviews you lead"}),
        ("east_manager", AS_MANAGER),
    ],
)
def test_home_page_shows_each_section_only_to_the_roles_it_is_for(client, world, person, sections):
    response = _home(client, getattr(world, person))

    assert _sections(response.text) == sections


def test_a_person_with_no_role_sees_none_of_the_sections(client, world):
    response = _home(client, UserFactory(email="nobody@north.example"))

    assert _sections(response.text) == set()


def test_chair_sees_the_reviews_on_their_board_waiting_for_a_chair(client, world: World):
    _set(world.north_review, state=State.DECISION, state_changed_at=_at(date(2026, 1, 5)))
    _set(world.cross_border_review, state=State.RESPONSE, state_changed_at=_at(date(2026, 1, 7)))
    _review(world.north, "NSCB-C", state=State.COMMISSIONING, state_changed_at=_at(date(2026, 1, 6)))
    for n, state in enumerate(
        [State.REFERRAL, State.IN_PROGRESS, State.REPORT_RECEIVED, State.MONITORING, State.NOT_INITIATED]
    ):
        _review(world.north, f"NSCB-N{n}", state=state)
    # Chair of North only: as South's business manager they see South's reviews, but South's decisions
    # are for South's chair.
    MembershipFactory(user=world.north_chair, board=world.south, role=Role.BUSINESS_MANAGER)
    _set(world.south_review, state=State.DECISION)

    response = _home(client, world.north_chair)

    # Oldest first: the one waiting longest is at the top.
    assert _refs(response.context["awaiting_chair"]) == ["NSCB-1", "NSCB-C", "NSCB-X"]
    html = response.text
    assert "Your decision whether to initiate a review" in html
    assert "Agreeing the terms of reference and starting the review" in html
    assert (
        "The board&#x27;s response and your sign-off" in html
        or "The board's response and your sign-off" in html
    )
    assert "SSCB-1" not in html


def test_a_chair_with_many_reviews_waiting_sees_the_longest_waiting_and_links_to_all_of_them(
    client, world: World
):
    start = date(2025, 1, 1)
    for n in range(dashboards.AWAITING_SHOWN + 4):
        state = State.DECISION if n % 2 else State.RESPONSE
        _review(world.north, f"NSCB-W{n:02d}", state=state, state_changed_at=_at(start + timedelta(days=n)))
    waiting = Review.objects.filter(
        lead_board=world.north, state__in=[State.DECISION, State.COMMISSIONING, State.RESPONSE]
    )
    by_state = {s: waiting.filter(state=s).count() for s in (State.DECISION, State.RESPONSE)}

    response = _home(client, world.north_chair)

    shown = _refs(response.context["awaiting_chair"])
    assert len(shown) == dashboards.AWAITING_SHOWN
    assert shown[:2] == ["NSCB-W00", "NSCB-W01"]  # the longest waiting first
    html = response.text
    assert f"of {waiting.count()} reviews waiting for you" in html
    list_url = reverse("review_list")
    for state, n in by_state.items():
        assert (
            f'href="{list_url}?board={world.north.pk}&amp;state={state}">{n} reviews at {state.label.lower()}'
            in html
        )


def test_business_manager_sees_what_is_overdue_and_what_falls_due_in_a_fortnight(client, world: World):
    today = timezone.localdate()
    _set(world.north_review, state=State.DECISION, due_on=today - timedelta(days=3), due_kind="decision")
    _set(world.cross_border_review, state=State.IN_PROGRESS, due_on=today + timedelta(days=7))
    _review(world.north, "NSCB-TODAY", due_on=today, due_kind="notification")
    _review(world.north, "NSCB-14", state=State.RESPONSE, due_on=today + timedelta(days=14))
    _review(world.north, "NSCB-15", state=State.RESPONSE, due_on=today + timedelta(days=15))
    _review(world.north, "NSCB-SHUT", state=State.CLOSED, due_on=today - timedelta(days=5))
    _review(world.north, "NSCB-NONE", state=State.DECISION, due_on=None)
    _set(world.south_review, due_on=today - timedelta(days=3))

    response = _home(client, world.north_manager)

    assert _refs(response.context["overdue"]) == ["NSCB-1"]
    assert _refs(response.context["due_soon"]) == ["NSCB-TODAY", "NSCB-X", "NSCB-14"]
    overdue_column, soon_column = re.findall(
        r'<div class="govuk-grid-column-one-half">(.*?)</div>', response.text, re.S
    )
    assert "NSCB-1<" in overdue_column
    assert "Decide whether to hold a review" in overdue_column
    assert all(ref in soon_column for ref in ("NSCB-TODAY", "NSCB-X", "NSCB-14"))
    for absent in ("NSCB-15", "NSCB-SHUT", "NSCB-NONE", "SSCB-1"):
        assert absent not in overdue_column + soon_column


def test_many_overdue_reviews_do_not_hide_what_falls_due_in_the_fortnight(client, world: World):
    today = timezone.localdate()
    for n in range(45):
        _review(
            world.north, f"NSCB-OLD{n:02d}", state=State.IN_PROGRESS, due_on=today - timedelta(days=60 - n)
        )
    _set(world.cross_border_review, state=State.IN_PROGRESS, due_on=today + timedelta(days=7))

    response = _home(client, world.north_manager)

    assert len(response.context["overdue"]) == 20  # the page shows at most 20 of each
    assert _refs(response.context["due_soon"]) == ["NSCB-X"]
    assert "Nothing falls due in the next two weeks." not in response.text


def test_board_member_sees_reviews_asking_for_input_on_their_boards_including_participating(
    client, world: World
):
    _set(world.cross_border_review, state=State.RESPONSE)  # led by North; South takes part
    _set(world.south_review, state=State.COMMISSIONING)
    _review(world.south, "SSCB-M", state=State.MONITORING)
    _review(world.south, "SSCB-D", state=State.DECISION)
    _review(world.south, "SSCB-P", state=State.IN_PROGRESS)
    _review(world.south, "SSCB-W", state=State.WITHDRAWN)
    _set(world.north_review, state=State.COMMISSIONING)

    response = _home(client, world.south_member)

    assert set(_refs(response.context["member_reviews"])) == {"NSCB-X", "SSCB-1", "SSCB-M"}
    assert "NSCB-X</a> – Board response (North Safeguarding Children Board)" in response.text
    for absent in ("SSCB-D", "SSCB-P", "SSCB-W", "NSCB-1"):
        assert absent not in response.text


def test_lead_reviewer_sees_only_the_open_reviews_they_are_appointed_to_with_the_next_step(
    client, world: World
):
    reviewer = world.north_reviewer
    _set(world.north_review, state=State.IN_PROGRESS)
    ended = _review(world.north, "NSCB-ENDED", state=State.IN_PROGRESS)
    AppointmentFactory(review=ended, reviewer=reviewer, ended_at=timezone.now())
    done = _review(world.north, "NSCB-DONE", state=State.CLOSED)
    AppointmentFactory(review=done, reviewer=reviewer)
    _set(world.cross_border_review, state=State.IN_PROGRESS)  # North's, but not theirs
    # As a member of South they see South's reviews too, but lead none of them.
    MembershipFactory(user=reviewer, board=world.south, role=Role.BOARD_MEMBER)
    _set(world.south_review, state=State.IN_PROGRESS)

    response = _home(client, reviewer)

    step = "Lead reviewer: Carry out the review and deliver the final report."
    assert response.context["reviewer_reviews"] == [(world.north_review, step)]
    assert step in response.text
    led = re.search(r"Reviews you lead</h2>(.*?)</table>", response.text, re.S).group(1)
    for absent in ("NSCB-ENDED", "NSCB-DONE", "NSCB-X", "SSCB-1"):
        assert absent not in led


# The chart ----------------------------------------------------------------------------------------------


def test_stage_chart_counts_open_reviews_per_stage_on_the_persons_boards_with_average_days(world: World):
    today = date(2026, 3, 10)
    _set(world.north_review, state=State.DECISION, state_changed_at=_at(today - timedelta(days=10)))
    _set(world.cross_border_review, state=State.DECISION, state_changed_at=_at(today - timedelta(days=4)))
    _review(world.north, "NSCB-P", state=State.IN_PROGRESS, state_changed_at=_at(today - timedelta(days=3)))
    _review(world.north, "NSCB-Q", state=State.IN_PROGRESS, state_changed_at=_at(today))
    _review(world.north, "NSCB-R", state=State.IN_PROGRESS, state_changed_at=_at(today - timedelta(days=30)))
    for n, state in enumerate([State.CLOSED, State.WITHDRAWN, State.NOT_INITIATED]):
        _review(world.north, f"NSCB-T{n}", state=state, state_changed_at=_at(today - timedelta(days=99)))
    _set(world.south_review, state=State.DECISION, state_changed_at=_at(today - timedelta(days=50)))
    _review(world.east, "ESCB-1", state=State.RESPONSE)

    bars, _ = dashboards.stage_chart_and_total(world.north_manager, today=today)

    assert [(b.label, b.count, b.average_days) for b in bars] == [
        ("Referral", 0, None),
        ("Decision", 2, 7),
        ("Commissioning", 0, None),
        ("Review in progress", 3, 11),
        ("Report received", 0, None),
        ("Response", 0, None),
        ("Published", 0, None),
        ("Monitoring", 0, None),
    ]
    assert [b.percent for b in bars if b.count] == [66.7, 100.0]


def test_stage_chart_table_gives_the_same_figures_as_the_chart(client, world: World):
    now = timezone.localdate()
    _set(world.north_review, state=State.DECISION, state_changed_at=_at(now - timedelta(days=10)))
    _set(world.cross_border_review, state=State.RESPONSE, state_changed_at=_at(now - timedelta(days=2)))
    _review(world.north, "NSCB-M", state=State.MONITORING, state_changed_at=_at(now - timedelta(days=40)))

    response = _home(client, world.north_manager)

    chart = response.context["chart"]
    table = re.search(r'<details class="govuk-details">.*?</details>', response.text, re.S).group(0)
    rows = re.findall(
        r'<th scope="row"[^>]*>(.*?)</th>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>', table, re.S
    )
    expected = [
        (b.label, str(b.count), "–" if b.average_days is None else str(b.average_days)) for b in chart
    ]
    assert rows == expected
    assert ("Decision", "1", "10") in rows and ("Monitoring", "1", "40") in rows
    # The chart's rows carry the same labels and counts as text (readable at any width), and each bar is
    # drawn as wide as its share of the largest.
    figure = re.search(r'<figure class="app-chart".*?</figure>', response.text, re.S).group(0)
    bars = re.findall(
        r'app-chart__label">(.*?)</span>.*?width="([\d.]+)%".*?hidden">: </span>(\d+)<', figure, re.S
    )
    assert bars == [(b.label, str(b.percent), str(b.count)) for b in chart]


# Cost -----------------------------------------------------------------------------------------------


def _queries(client) -> list[str]:
    client.get(reverse("home"))  # warm up: per-process caches do not count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return [q["sql"][:160] for q in ctx.captured_queries]


STATES = [
    State.REFERRAL,
    State.DECISION,
    State.COMMISSIONING,
    State.IN_PROGRESS,
    State.REPORT_RECEIVED,
    State.RESPONSE,
    State.PUBLISHED,
    State.MONITORING,
    State.CLOSED,
]


def _add_reviews(world: World, how_many: int, start: int) -> None:
    """North reviews in every stage, due at assorted times, each with a participating board and a lead
    reviewer, so every section of the page has rows."""
    today = timezone.localdate()
    other = BoardFactory(name="Elsewhere Safeguarding Children Board")
    for n in range(start, start + how_many):
        review = _review(
            world.north,
            f"NSCB-{n:03d}",
            state=STATES[n % len(STATES)],
            due_on=today + timedelta(days=(n % 9) * 3 - 10),
            due_kind="completion",
            state_changed_at=timezone.now() - timedelta(days=n),
        )
        ParticipatingBoardFactory(review=review, board=world.south if n % 2 else other)
        AppointmentFactory(review=review, reviewer=UserFactory())


def test_home_page_runs_a_fixed_number_of_queries_for_a_manager_who_is_also_chair(client, world: World):
    person = UserFactory(email="both@north.example", two_factor_waived=True)
    MembershipFactory(user=person, board=world.north, role=Role.BUSINESS_MANAGER)
    MembershipFactory(user=person, board=world.north, role=Role.CHAIR)
    client.force_login(person)

    _add_reviews(world, 3, start=100)  # with NSCB-1 and NSCB-X: 5
    few = _queries(client)
    assert client.get(reverse("home")).context["review_count"] == 5
    _add_reviews(world, 35, start=200)  # 40
    response = client.get(reverse("home"))
    assert response.context["review_count"] == 40
    assert response.context["awaiting_chair"] and response.context["overdue"] and response.context["due_soon"]
    many = _queries(client)

    assert len(few) == len(many), "\n".join(["5 reviews:", *few, "", "40 reviews:", *many])

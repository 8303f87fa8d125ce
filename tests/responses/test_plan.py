"""The board's business plan and its learning and improvement framework: who may read and change them, the
forms' messages, the plan and framework pages, and the related learning and priorities shown beside a
review's findings (SCIE Quality Marker 15)."""

from __future__ import annotations

from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from responses.models import Action, LearningItem, PlanPeriod, PlanPriority
from responses.plan import selectors, services
from responses.plan.selectors import Related, related_for_findings
from tests.responses.helpers import action, at_stage, finding, theme

TODAY = timezone.localdate()
LAST_YEAR = TODAY - timedelta(days=365)


def _date(d: date, prefix: str) -> dict:
    return {f"{prefix}_0": str(d.day), f"{prefix}_1": str(d.month), f"{prefix}_2": str(d.year)}


def period(board, title: str, starts_on: date, ends_on: date) -> PlanPeriod:
    return PlanPeriod.objects.create(board=board, title=title, starts_on=starts_on, ends_on=ends_on)


def priority(period_: PlanPeriod, number: int, *, themes=("Neglect",), title: str = "") -> PlanPriority:
    made = PlanPriority.objects.create(period=period_, number=number, title=title or f"Priority {number}")
    made.themes.set([theme(t) for t in themes])
    return made


def learning(
    board, title: str, *, themes=("Neglect",), learned_on: date | None = None, **fields
) -> LearningItem:
    from reviews.models import Membership, Role

    creator = fields.pop("created_by", None) or (
        Membership.objects.filter(board=board, role=Role.BUSINESS_MANAGER).first().user
    )
    item = LearningItem.objects.create(
        board=board,
        title=title,
        source=fields.pop("source", LearningItem.Source.AUDIT),
        summary=fields.pop("summary", f"What {title} taught."),
        learned_on=learned_on or LAST_YEAR,
        created_by=creator,
        **fields,
    )
    item.themes.set([theme(t) for t in themes])
    return item


def current_period(board, title: str = "Business plan 2025 to 2028") -> PlanPeriod:
    return period(board, title, TODAY - timedelta(days=200), TODAY + timedelta(days=800))


def _errors(response) -> str:
    return response.content.decode()


# Permissions -------------------------------------------------------------------------------------------


def test_board_members_and_chairs_read_the_plan_but_only_the_business_manager_sees_ways_to_change_it(
    client, world
):
    p = priority(current_period(world.north), 1, title="Children living with neglect are seen early")
    learning(world.north, "Bruising in non-mobile babies")
    for person in (world.north_member, world.north_chair):
        client.force_login(person)
        page = client.get(reverse("business_plan", args=[world.north.pk]))
        assert page.status_code == 200
        assert "Children living with neglect are seen early" in page.content.decode()
        assert reverse("plan_period_create", args=[world.north.pk]) not in page.content.decode()
        assert reverse("plan_priority_edit", args=[world.north.pk, p.pk]) not in page.content.decode()
        framework = client.get(reverse("learning_framework", args=[world.north.pk]))
        assert "Bruising in non-mobile babies" in framework.content.decode()
        assert reverse("learning_item_create", args=[world.north.pk]) not in framework.content.decode()
    client.force_login(world.north_manager)
    page = client.get(reverse("business_plan", args=[world.north.pk])).content.decode()
    assert reverse("plan_period_create", args=[world.north.pk]) in page
    assert reverse("plan_priority_edit", args=[world.north.pk, p.pk]) in page


@pytest.mark.parametrize("person", ["north_member", "north_chair"])
def test_readers_are_refused_every_change_and_nothing_changes(client, world, person):
    cp = current_period(world.north)
    p = priority(cp, 1)
    item = learning(world.north, "Bruising in non-mobile babies")
    client.force_login(getattr(world, person))
    board = world.north.pk
    posts = [
        (
            reverse("plan_period_create", args=[board]),
            {"title": "New", **_date(TODAY, "starts_on"), **_date(TODAY + timedelta(days=9), "ends_on")},
        ),
        (reverse("plan_period_edit", args=[board, cp.pk]), {"title": "Renamed"}),
        (reverse("plan_period_delete", args=[board, cp.pk]), {}),
        (reverse("plan_priority_create", args=[board, cp.pk]), {"number": "2", "title": "x"}),
        (reverse("plan_priority_edit", args=[board, p.pk]), {"number": "1", "title": "Renamed"}),
        (reverse("plan_priority_delete", args=[board, p.pk]), {}),
        (reverse("learning_item_create", args=[board]), {"title": "x"}),
        (reverse("learning_item_edit", args=[board, item.pk]), {"title": "Renamed"}),
        (reverse("learning_item_delete", args=[board, item.pk]), {}),
    ]
    for url, data in posts:
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert PlanPeriod.objects.filter(board=world.north).count() == 1
    assert PlanPriority.objects.get().title == "Priority 1"
    assert LearningItem.objects.get().title == "Bruising in non-mobile babies"


def test_people_of_another_board_cannot_find_the_plan_or_its_parts(client, world):
    cp = current_period(world.north)
    p = priority(cp, 1)
    item = learning(world.north, "Bruising in non-mobile babies")
    client.force_login(world.east_manager)
    board = world.north.pk
    for url in (
        reverse("business_plan", args=[board]),
        reverse("learning_framework", args=[board]),
        reverse("learning_item", args=[board, item.pk]),
        reverse("plan_period_edit", args=[board, cp.pk]),
        reverse("plan_priority_edit", args=[board, p.pk]),
        reverse("learning_item_edit", args=[board, item.pk]),
    ):
        assert client.get(url).status_code == 404, url
    # Nor through their own board: another board's periods, priorities and items are not found there.
    east = world.east.pk
    for url in (
        reverse("plan_period_edit", args=[east, cp.pk]),
        reverse("plan_priority_edit", args=[east, p.pk]),
        reverse("plan_priority_create", args=[east, cp.pk]),
        reverse("learning_item_delete", args=[east, item.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    assert client.get(reverse("learning_item", args=[east, item.pk])).status_code == 404
    assert LearningItem.objects.filter(pk=item.pk).exists()


# The business plan ---------------------------------------------------------------------------------------


def test_the_business_manager_adds_a_period_and_its_priorities(client, world):
    client.force_login(world.north_manager)
    board = world.north.pk
    starts, ends = date(TODAY.year, 4, 1), date(TODAY.year + 2, 3, 31)
    response = client.post(
        reverse("plan_period_create", args=[board]),
        {"title": "Business plan 2026 to 2028", **_date(starts, "starts_on"), **_date(ends, "ends_on")},
    )
    made = PlanPeriod.objects.get(board=world.north)
    assert response.status_code == 302
    assert response["Location"] == reverse("business_plan", args=[board]) + f"#period-{made.pk}"
    assert (made.title, made.starts_on, made.ends_on) == ("Business plan 2026 to 2028", starts, ends)

    form = client.get(reverse("plan_priority_create", args=[board, made.pk]))
    assert form.context["form"].initial["number"] == 1
    response = client.post(
        reverse("plan_priority_create", args=[board, made.pk]),
        {
            "number": "1",
            "title": "Neglect is recognised early",
            "description": "Multi-agency neglect training.",
            "themes": [theme("Neglect").pk, theme("Voice of the child").pk],
        },
    )
    assert response.status_code == 302
    p = PlanPriority.objects.get(period=made)
    assert (p.number, p.title, p.description) == (
        1,
        "Neglect is recognised early",
        "Multi-agency neglect training.",
    )
    assert sorted(t.name for t in p.themes.all()) == ["Neglect", "Voice of the child"]
    assert (
        client.get(reverse("plan_priority_create", args=[board, made.pk])).context["form"].initial["number"]
        == 2
    )
    page = client.get(reverse("business_plan", args=[board]), follow=True).content.decode()
    assert "Neglect is recognised early" in page
    assert "Neglect, Voice of the child" in page


def test_changing_a_period_and_a_priority_keeps_their_history(client, world):
    cp = current_period(world.north)
    p = priority(cp, 1)
    client.force_login(world.north_manager)
    board = world.north.pk
    edit = client.get(reverse("plan_period_edit", args=[board, cp.pk]))
    assert edit.context["form"].initial["title"] == cp.title
    response = client.post(
        reverse("plan_period_edit", args=[board, cp.pk]),
        {
            "title": "Plan 2025 to 2029",
            **_date(cp.starts_on, "starts_on"),
            **_date(date(2029, 3, 31), "ends_on"),
        },
    )
    assert response.status_code == 302
    cp.refresh_from_db()
    assert (cp.title, cp.ends_on) == ("Plan 2025 to 2029", date(2029, 3, 31))
    assert cp.history.count() == 2
    assert cp.history.first().history_user == world.north_manager

    edit = client.get(reverse("plan_priority_edit", args=[board, p.pk]))
    assert edit.context["form"].initial["themes"] == [theme("Neglect").pk]
    response = client.post(
        reverse("plan_priority_edit", args=[board, p.pk]),
        {"number": "3", "title": "Renamed", "description": "", "themes": [theme("Safe sleep").pk]},
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.number, p.title, [t.name for t in p.themes.all()]) == (3, "Renamed", ["Safe sleep"])
    assert p.history.count() >= 2


def test_a_period_must_end_after_it_starts(client, world):
    client.force_login(world.north_manager)
    url = reverse("plan_period_create", args=[world.north.pk])
    for ends in (TODAY - timedelta(days=1), TODAY):
        response = client.post(url, {"title": "Plan", **_date(TODAY, "starts_on"), **_date(ends, "ends_on")})
        assert response.status_code == 200
        assert response.context["form"].errors["ends_on"] == ["The end date must be after the start date"]
        assert "There is a problem" in _errors(response)
    assert not PlanPeriod.objects.exists()


def test_a_period_form_says_what_is_missing(client, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("plan_period_create", args=[world.north.pk]), {"title": "", "starts_on_0": "31"}
    )
    errors = response.context["form"].errors
    assert errors["title"] == ["Enter the title of the period"]
    assert errors["starts_on"][0].startswith("Enter the start date")
    assert errors["ends_on"] == ["Enter the end date"]


def test_period_titles_are_unique_per_board_but_other_boards_may_use_them(client, world):
    current_period(world.north, "Business plan")
    current_period(world.south, "Business plan 2")
    client.force_login(world.north_manager)
    data = {
        "title": "business plan",
        **_date(TODAY, "starts_on"),
        **_date(TODAY + timedelta(days=30), "ends_on"),
    }
    response = client.post(reverse("plan_period_create", args=[world.north.pk]), data)
    assert response.context["form"].errors["title"] == [
        "North Safeguarding Children Board already has a plan period called “business plan”"
    ]
    data["title"] = "Business plan 2"
    assert client.post(reverse("plan_period_create", args=[world.north.pk]), data).status_code == 302


def test_overlapping_periods_are_allowed_and_each_current_one_is_shown_as_current(client, world):
    older = period(world.north, "Plan 2024 to 2027", TODAY - timedelta(days=600), TODAY + timedelta(days=100))
    newer = period(world.north, "Plan 2026 to 2029", TODAY - timedelta(days=10), TODAY + timedelta(days=1000))
    ended = period(world.north, "Plan 2020 to 2023", date(2020, 4, 1), date(2023, 3, 31))
    future = period(
        world.north, "Plan 2030 to 2033", TODAY + timedelta(days=1200), TODAY + timedelta(days=2300)
    )
    plan = selectors.plan_of(world.north)
    assert [p.title for p in plan] == [newer.title, older.title, future.title, ended.title]
    assert [p.stage for p in plan] == ["current", "current", "future", "ended"]
    client.force_login(world.north_member)
    page = client.get(reverse("business_plan", args=[world.north.pk])).content.decode()
    assert page.count(">Current</strong>") == 2
    assert page.count(">Ended</strong>") == 1
    assert page.count(">Not started</strong>") == 1
    assert (
        page.index(newer.title) < page.index(older.title) < page.index(future.title) < page.index(ended.title)
    )


def test_a_priority_number_is_used_once_per_period(client, world):
    cp = current_period(world.north)
    priority(cp, 1)
    second = priority(cp, 2)
    other = current_period(world.north, "Another plan")
    client.force_login(world.north_manager)
    board = world.north.pk
    response = client.post(
        reverse("plan_priority_create", args=[board, cp.pk]), {"number": "1", "title": "Again"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["number"] == [
        "“Business plan 2025 to 2028” already has a priority 1: choose another number"
    ]
    response = client.post(
        reverse("plan_priority_edit", args=[board, second.pk]), {"number": "1", "title": "Moved"}
    )
    assert (
        response.context["form"]
        .errors["number"][0]
        .endswith("already has a priority 1: choose another number")
    )
    # The same number in another period is fine, and a priority keeps its own number when saved.
    assert (
        client.post(
            reverse("plan_priority_create", args=[board, other.pk]), {"number": "1", "title": "x"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("plan_priority_edit", args=[board, second.pk]), {"number": "2", "title": "y"}
        ).status_code
        == 302
    )
    for bad, message in (
        ("0", "The priority number must be between 1 and 99"),
        ("100", "The priority number must be between 1 and 99"),
        ("two", "Enter the priority number as a whole number, like 3"),
        ("", "Enter the priority number"),
    ):
        response = client.post(
            reverse("plan_priority_create", args=[board, cp.pk]), {"number": bad, "title": "x"}
        )
        assert response.context["form"].errors["number"] == [message]


def test_a_number_taken_at_the_same_moment_comes_back_as_a_form_error_not_an_error_page(client, world):
    cp = current_period(world.north)
    priority(cp, 1)
    # Another business manager saved priority 1 between the form's check and the service's insert.
    with (
        pytest.raises(services.PlanError) as raised,
        mock.patch.object(selectors, "priority_number_taken", return_value=False),
    ):
        services.priority_create(period=cp, actor=world.north_manager, number=1, title="Again")
    assert raised.value.field == "number"
    assert PlanPriority.objects.count() == 1
    client.force_login(world.north_manager)
    with mock.patch.object(selectors, "priority_number_taken", return_value=False):
        response = client.post(
            reverse("plan_priority_create", args=[world.north.pk, cp.pk]), {"number": "1", "title": "Again"}
        )
    assert response.status_code == 200
    assert "already has a priority 1" in response.context["form"].errors["number"][0]


def test_the_plan_counts_review_actions_linked_to_each_priority(client, world):
    review = at_stage(world.north_review)
    cp = current_period(world.north)
    linked, unlinked = priority(cp, 1), priority(cp, 2)
    action(review, world.north_member, plan_priority=linked)
    action(
        review,
        world.north_member,
        plan_priority=linked,
        status=Action.Status.COMPLETED,
        completed_on=TODAY,
    )
    plan = selectors.plan_of(world.north)
    counts = {p.number: (p.action_count, p.open_action_count) for p in plan[0].priorities.all()}
    assert counts == {1: (2, 1), 2: (0, 0)}
    client.force_login(world.north_chair)
    page = client.get(reverse("business_plan", args=[world.north.pk])).content.decode()
    assert "2 (1 open)" in page
    assert unlinked.title in page


def test_a_priority_or_period_with_linked_actions_cannot_be_deleted(client, world):
    review = at_stage(world.north_review)
    cp = current_period(world.north)
    linked = priority(cp, 1)
    action(review, world.north_member, plan_priority=linked)
    client.force_login(world.north_manager)
    board = world.north.pk
    confirm = client.get(reverse("plan_priority_delete", args=[board, linked.pk])).content.decode()
    assert "Review actions are linked to this priority (1)" in confirm
    assert "Delete the priority</button>" not in confirm
    response = client.post(reverse("plan_priority_delete", args=[board, linked.pk]), follow=True)
    assert "cannot be deleted: review actions are linked to it" in response.content.decode()
    confirm = client.get(reverse("plan_period_delete", args=[board, cp.pk])).content.decode()
    assert "Review actions are linked to priorities of this period (1)" in confirm
    response = client.post(reverse("plan_period_delete", args=[board, cp.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert PlanPriority.objects.filter(pk=linked.pk).exists()


def test_the_business_manager_deletes_a_priority_and_a_period(client, world):
    cp = current_period(world.north)
    first, second = priority(cp, 1), priority(cp, 2)
    client.force_login(world.north_manager)
    board = world.north.pk
    confirm = client.get(reverse("plan_priority_delete", args=[board, first.pk])).content.decode()
    assert "Delete the priority</button>" in confirm
    response = client.post(reverse("plan_priority_delete", args=[board, first.pk]))
    assert response.status_code == 302
    assert list(PlanPriority.objects.values_list("pk", flat=True)) == [second.pk]
    assert (
        "and its 1 priority will no longer show"
        in client.get(reverse("plan_period_delete", args=[board, cp.pk])).content.decode()
    )
    assert client.post(reverse("plan_period_delete", args=[board, cp.pk])).status_code == 302
    assert not PlanPeriod.objects.exists() and not PlanPriority.objects.exists()
    assert PlanPeriod.history.filter(history_type="-").count() == 1


# Learning and improvement framework ---------------------------------------------------------------------


def _learning_data(**overrides) -> dict:
    data = {
        "title": "Bruising in non-mobile babies",
        "source": LearningItem.Source.AUDIT,
        "source_reference": "Multi-agency audit of bruising, 2025",
        "summary": "Bruising in babies who cannot move was not always referred.",
        **_date(LAST_YEAR, "learned_on"),
        "status": LearningItem.Status.OPEN,
        "themes": [theme("Neglect").pk, theme("Assessment of risk").pk],
    }
    data.update(overrides)
    return data


def test_the_business_manager_adds_changes_and_deletes_learning(client, world):
    client.force_login(world.north_manager)
    board = world.north.pk
    response = client.post(reverse("learning_item_create", args=[board]), _learning_data())
    item = LearningItem.objects.get()
    assert response["Location"] == reverse("learning_item", args=[board, item.pk])
    assert (item.board, item.created_by, item.learned_on) == (world.north, world.north_manager, LAST_YEAR)
    assert sorted(t.name for t in item.themes.all()) == ["Assessment of risk", "Neglect"]

    client.force_login(world.north_member)
    detail = client.get(reverse("learning_item", args=[board, item.pk])).content.decode()
    assert "Multi-agency audit of bruising, 2025" in detail
    assert "Bruising in babies who cannot move was not always referred." in detail
    assert reverse("learning_item_edit", args=[board, item.pk]) not in detail

    client.force_login(world.north_manager)
    assert (
        client.get(reverse("learning_item_edit", args=[board, item.pk])).context["form"].initial["title"]
        == item.title
    )
    response = client.post(
        reverse("learning_item_edit", args=[board, item.pk]),
        _learning_data(status=LearningItem.Status.EMBEDDED, themes=[theme("Safe sleep").pk]),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == LearningItem.Status.EMBEDDED
    assert [t.name for t in item.themes.all()] == ["Safe sleep"]
    assert item.history.count() >= 2

    assert client.post(reverse("learning_item_delete", args=[board, item.pk])).status_code == 302
    assert not LearningItem.objects.exists()


def test_learning_needs_a_theme_a_source_and_a_date_not_in_the_future(client, world):
    client.force_login(world.north_manager)
    url = reverse("learning_item_create", args=[world.north.pk])
    response = client.post(
        url,
        _learning_data(themes=[], source="", summary="", **_date(TODAY + timedelta(days=1), "learned_on")),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["themes"] == ["Select at least one theme"]
    assert errors["source"] == ["Select where the learning came from"]
    assert errors["summary"] == ["Enter what was learned"]
    assert errors["learned_on"] == ["The date of the learning cannot be in the future"]
    page = _errors(response)
    assert "There is a problem" in page and "Select at least one theme" in page
    # What was typed is kept.
    assert "Multi-agency audit of bruising, 2025" in page
    assert not LearningItem.objects.exists()
    with pytest.raises(services.PlanError):
        services.learning_item_create(
            board=world.north,
            actor=world.north_manager,
            title="Bruising in non-mobile babies",
            source=LearningItem.Source.AUDIT,
            source_reference="",
            summary="Bruising in babies who cannot move was not always referred.",
            learned_on=LAST_YEAR,
            status=LearningItem.Status.OPEN,
            themes=[],
        )


def test_the_framework_filters_by_theme_source_and_status_and_counts_by_theme(client, world):
    learning(world.north, "Neglect audit", themes=("Neglect",), source=LearningItem.Source.AUDIT)
    learning(
        world.north,
        "Neglect and risk inspection",
        themes=("Neglect", "Assessment of risk"),
        source=LearningItem.Source.INSPECTION,
        status=LearningItem.Status.EMBEDDED,
    )
    learning(
        world.north, "Safe sleep review", themes=("Safe sleep",), source=LearningItem.Source.LOCAL_REVIEW
    )
    learning(world.south, "South neglect audit", themes=("Neglect",))
    client.force_login(world.north_member)
    url = reverse("learning_framework", args=[world.north.pk])

    def titles(**params) -> list[str]:
        return [i.title for i in client.get(url, params).context["page"].object_list]

    assert sorted(titles()) == ["Neglect and risk inspection", "Neglect audit", "Safe sleep review"]
    assert sorted(titles(theme=theme("Neglect").pk)) == ["Neglect and risk inspection", "Neglect audit"]
    assert titles(source="inspection") == ["Neglect and risk inspection"]
    assert titles(theme=theme("Neglect").pk, source="audit") == ["Neglect audit"]
    assert titles(status="embedded") == ["Neglect and risk inspection"]
    assert titles(theme=theme("Domestic abuse").pk) == []
    # A value that is not a choice is ignored rather than failing.
    assert len(titles(theme="999999", source="nonsense")) == 3

    counts = {t.name: t.item_count for t, _ in client.get(url).context["theme_links"]}
    assert counts == {"Assessment of risk": 1, "Neglect": 2, "Safe sleep": 1}
    audits = client.get(url, {"source": "audit"})
    assert {t.name: t.item_count for t, _ in audits.context["theme_links"]} == {"Neglect": 1}
    neglect_link = {t.name: link for t, link in audits.context["theme_links"]}["Neglect"]
    assert f"theme={theme('Neglect').pk}" in neglect_link and "source=audit" in neglect_link
    page = client.get(url).content.decode()
    assert "No learning yet on:" in page and "Domestic abuse" in page
    filtered = client.get(url, {"theme": theme("Neglect").pk}).content.decode()
    assert "2 items of learning match the filter." in filtered
    assert "Clear the filter" in filtered


# Beside a review's findings --------------------------------------------------------------------------


def test_related_learning_matches_by_theme_across_the_review_s_boards_only(world):
    review = at_stage(world.cross_border_review)  # North leads, South takes part
    neglect = finding(review, 1, themes=("Neglect",))
    both = finding(review, 2, themes=("Neglect", "Safe sleep"))
    nothing = finding(review, 3, themes=("Domestic abuse",))
    untagged = finding(review, 4, themes=())
    north_item = learning(world.north, "North neglect audit", themes=("Neglect", "Voice of the child"))
    south_item = learning(world.south, "South safe sleep review", themes=("Safe sleep",), learned_on=TODAY)
    learning(world.east, "East neglect audit", themes=("Neglect",), learned_on=TODAY)
    learning(world.north, "North exploitation audit", themes=("Child exploitation",))

    related = related_for_findings(review, [neglect, both, nothing, untagged])
    assert set(related) == {neglect.pk, both.pk, nothing.pk, untagged.pk}
    assert related[neglect.pk].learning == [north_item]
    assert related[both.pk].learning == [south_item, north_item]  # newest first
    assert related[nothing.pk] == Related(learning=[], priorities=[])
    assert related[untagged.pk] == Related(learning=[], priorities=[])
    assert related[both.pk].learning[0].board == world.south

    # For North's own review, South's learning is not North's to show.
    own = at_stage(world.north_review)
    own_finding = finding(own, 1, themes=("Neglect", "Safe sleep"))
    assert related_for_findings(own, [own_finding])[own_finding.pk].learning == [north_item]
    assert related_for_findings(own, []) == {}


def test_related_learning_is_the_newest_five(world):
    review = at_stage(world.north_review)
    f = finding(review, 1, themes=("Neglect", "Safe sleep"))
    items = [
        learning(
            world.north,
            f"Item {n}",
            themes=("Neglect",) if n % 2 else ("Safe sleep",),
            learned_on=LAST_YEAR + timedelta(days=n),
        )
        for n in range(8)
    ]
    same_day = learning(
        world.north, "Recorded later, same day", themes=("Neglect",), learned_on=items[7].learned_on
    )
    related = related_for_findings(review, [f])[f.pk].learning
    assert related == [same_day, items[7], items[6], items[5], items[4]]


def test_related_priorities_are_those_of_the_lead_board_s_current_periods_sharing_a_theme(world):
    review = at_stage(world.cross_border_review)
    f = finding(review, 1, themes=("Neglect",))
    other = finding(review, 2, themes=("Domestic abuse",))
    now = current_period(world.north)
    later = current_period(world.north, "Overlapping plan")
    neglect_1, neglect_2 = priority(now, 2, themes=("Neglect", "Safe sleep")), priority(later, 1)
    priority(now, 1, themes=("Safe sleep",))  # no shared theme
    priority(period(world.north, "Old plan", date(2019, 4, 1), date(2022, 3, 31)), 1)  # ended
    priority(period(world.north, "Next plan", TODAY + timedelta(days=900), TODAY + timedelta(days=1900)), 1)
    priority(current_period(world.south), 1)  # a participating board's plan is not the lead board's
    related = related_for_findings(review, [f, other])
    assert related[f.pk].priorities == [neglect_1, neglect_2]  # plan order: earlier period first
    assert related[f.pk].priorities[0].period == now
    assert related[other.pk].priorities == []


def test_related_for_findings_takes_the_same_number_of_queries_for_1_or_30_findings(world):
    review = at_stage(world.cross_border_review)
    current = current_period(world.north)
    for n, name in enumerate(("Neglect", "Safe sleep", "Domestic abuse", "Voice of the child"), start=1):
        priority(current, n, themes=(name,))
        for k in range(7):
            learning(
                world.north if k % 2 else world.south, f"{name} {k}", themes=(name, "Information sharing")
            )
    names = ["Neglect", "Safe sleep", "Domestic abuse", "Voice of the child", "Information sharing"]
    findings = [finding(review, n, themes=(names[n % 5], names[(n + 2) % 5])) for n in range(1, 31)]
    review = type(review).objects.get(pk=review.pk)

    def count(some) -> tuple[int, dict]:
        with CaptureQueriesContext(connection) as queries:
            result = related_for_findings(review, some)
        return len(queries), result

    one, _ = count(findings[:1])
    many, result = count(findings)
    assert one == many
    assert all(len(r.learning) == 5 for r in result.values())
    assert all(r.priorities for r in result.values())
    # Reading what it returns costs nothing more.
    with CaptureQueriesContext(connection) as queries:
        for r in result.values():
            for item in r.learning:
                str(item.board), [t.name for t in item.themes.all()]
            for p in r.priorities:
                str(p.period), [t.name for t in p.themes.all()]
    assert len(queries) == 0


def test_priority_choices_are_the_board_s_current_and_future_priorities_in_plan_order(world):
    now = current_period(world.north)
    upcoming = period(world.north, "Next plan", TODAY + timedelta(days=900), TODAY + timedelta(days=1900))
    ended = period(world.north, "Old plan", date(2019, 4, 1), date(2022, 3, 31))
    later_now = current_period(world.north, "Another current plan")
    PlanPeriod.objects.filter(pk=later_now.pk).update(starts_on=TODAY - timedelta(days=5))
    p_now_2, p_now_1 = priority(now, 2, title="Second"), priority(now, 1, title="First")
    p_up = priority(upcoming, 1, title="Later")
    p_later_now = priority(later_now, 1, title="Overlap")
    old = priority(ended, 1, title="Old")
    priority(current_period(world.south), 1)
    choices = list(PlanPriority.objects.choices_for(world.north))
    assert choices == [p_now_1, p_now_2, p_later_now, p_up]
    assert choices[0].choice_label == "Business plan 2025 to 2028 – Priority 1: First"
    # An action already linked to an ended period's priority keeps it as a choice.
    assert old in list(PlanPriority.objects.choices_for(world.north, keep=old))
    assert old in list(PlanPriority.objects.choices_for(world.north, keep=old.pk))
    field = selectors.PriorityChoiceField(queryset=PlanPriority.objects.choices_for(world.north))
    assert [label for _, label in field.choices][1] == "Business plan 2025 to 2028 – Priority 1: First"


# Query counts ------------------------------------------------------------------------------------------


def _page_queries(client, url: str) -> int:
    client.get(url)  # warm-up: session, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_plan_page_takes_the_same_number_of_queries_for_5_or_50_priorities(client, world):
    review = at_stage(world.north_review)
    client.force_login(world.north_manager)
    url = reverse("business_plan", args=[world.north.pk])

    def grow(periods: int, per_period: int) -> None:
        start = PlanPeriod.objects.count()
        for n in range(start, start + periods):
            made = period(
                world.north, f"Plan {n}", TODAY - timedelta(days=n * 400 + 1), TODAY + timedelta(days=n)
            )
            for k in range(1, per_period + 1):
                p = priority(made, k, themes=("Neglect", "Safe sleep"))
                action(review, world.north_member, plan_priority=p, findings=[])

    grow(1, 5)
    few = _page_queries(client, url)
    grow(5, 9)
    assert PlanPriority.objects.count() == 50
    assert _page_queries(client, url) == few


def test_the_framework_page_takes_the_same_number_of_queries_for_5_or_50_items(client, world):
    client.force_login(world.north_manager)
    url = reverse("learning_framework", args=[world.north.pk])
    for n in range(5):
        learning(world.north, f"Item {n}", themes=("Neglect", "Safe sleep"))
    few = _page_queries(client, url)
    few_filtered = _page_queries(client, url + f"?theme={theme('Neglect').pk}&source=audit")
    for n in range(5, 50):
        learning(world.north, f"Item {n}", themes=("Neglect", "Safe sleep", "Voice of the child"))
    assert _page_queries(client, url) == few
    assert _page_queries(client, url + f"?theme={theme('Neglect').pk}&source=audit") == few_filtered
    assert _page_queries(client, url + "?page=2") == few


def test_the_same_learning_held_by_two_boards_of_a_cross_border_review_is_listed_once_naming_both(
    world, client
):
    review = at_stage(world.cross_border_review)  # North leads, South takes part
    f = finding(review, 1, themes=("Neglect",))
    south_copy = learning(world.south, "Safe sleep audit", themes=("Neglect",), learned_on=LAST_YEAR)
    north_copy = learning(world.north, "Safe sleep audit", themes=("Neglect",), learned_on=LAST_YEAR)
    own = learning(world.south, "South's own audit", themes=("Neglect",), learned_on=LAST_YEAR)

    related = related_for_findings(review, [f])[f.pk].learning

    assert related == [own, north_copy]  # the lead board's copy, once
    assert south_copy not in related
    assert related[1].board_names == "North Safeguarding Children Board and South Safeguarding Children Board"
    assert related[0].board_names == "South Safeguarding Children Board"
    client.force_login(world.north_manager)
    page = client.get(reverse("response_report", args=[review.pk])).content.decode()
    assert page.count("Safe sleep audit") == 1
    assert "North Safeguarding Children Board and South Safeguarding Children Board" in page


def test_a_review_of_one_board_names_no_board_beside_its_learning(world):
    review = at_stage(world.north_review)
    f = finding(review, 1, themes=("Neglect",))
    item = learning(world.north, "Neglect audit", themes=("Neglect",))
    assert related_for_findings(review, [f])[f.pk].learning[0].board_names == ""
    assert item.pk


def test_a_partnership_s_plan_pages_speak_of_its_priorities_not_a_business_plan(client, partnership):
    p = partnership
    client.force_login(p.manager)
    page = client.get(reverse("business_plan", args=[p.west.pk]))
    assert page.context["breadcrumbs"][-1] == ("Partnership priorities", None)
    form = client.get(reverse("plan_period_create", args=[p.west.pk]))
    html = form.content.decode()
    assert "For example “Partnership priorities 2026 to 2028”." in html
    assert "A period of the partnership priorities" in html
    assert "business plan" not in html.lower()
    assert form.context["breadcrumbs"][-2][0] == "Partnership priorities"

"""No page shows stale or forbidden data (issue 16). Pages used to be cached under versions that signals
moved, and three cases were found stale: a renumbered finding kept its old number on the action plans, a
lead reviewer whose appointment had ended still had the review counted and listed on their home page, and
anonymised comments on the terms of reference stayed on the comments page. Each is walked here through the
real views: the pages are read first (as a cache would have kept them), the change is made, and the very
next request of each page must show it. A last test keeps page caches out of the product code."""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from commissioning.models import ToRComment
from commissioning.tor import services as tor
from documents import services as documents
from documents.models import Export
from records.retention import add_years
from reviews.models import Appointment, Membership, Notification, Review, Role
from tests.conftest import World
from tests.factories import AppointmentFactory, member_of
from tests.product import PRODUCT_APPS
from tests.responses.helpers import action, at_stage, finding
from tests.test_authorization import ROUTES

pytestmark = pytest.mark.django_db

BASE = Path(settings.BASE_DIR)


def _text(response) -> str:
    return response.content.decode()


# (a) A renumbered finding ------------------------------------------------------------------------------

_RESPONDS_TO = re.compile(r"Responds to findings? ([\d, ]+)")


def _finding_numbers(response) -> list[str]:
    """The finding numbers each row of an action plan page names, in order."""
    assert response.status_code == 200
    return [m.strip() for m in _RESPONDS_TO.findall(_text(response))]


def test_a_renumbered_finding_shows_its_new_number_at_once_on_both_action_plans(client, world: World):
    review = at_stage(world.north_review)
    first, second = finding(review, 1), finding(review, 2)
    action(review, world.north_member, findings=[first])
    action(review, world.north_member, findings=[first, second])
    plans = [reverse("action_plan", args=[review.pk]), reverse("board_action_plan", args=[world.north.pk])]
    for person in (world.north_member, world.north_manager):  # each reads both plans before the change
        client.force_login(person)
        for url in plans:
            assert sorted(_finding_numbers(client.get(url))) == ["1", "1, 2"]

    client.force_login(world.north_manager)
    renumbered = client.post(
        reverse("finding_edit", args=[review.pk, first.pk]),
        {"number": "7", "title": first.title, "text": first.text},
    )
    assert renumbered.status_code == 302

    for person in (world.north_manager, world.north_member):
        client.force_login(person)
        for url in plans:
            assert sorted(_finding_numbers(client.get(url))) == ["2, 7", "7"], (person, url)


# (b) Access that ends ------------------------------------------------------------------------------------


def _csv_text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _xlsx_text(client, board_pk: int) -> str:
    """The board's plan as an Excel file: asked for, made by the worker, downloaded."""
    asked = client.post(reverse("board_action_plan_xlsx", args=[board_pk]))
    assert asked.status_code == 302
    export = Export.objects.latest("pk")
    documents.export_make(export.pk)
    response = client.get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell)


def _unread_in_menu(response) -> int:
    nav = {item["label"]: item["count"] for item in response.context["nav_items"]}
    return nav["Notifications"]


def _overdue(review: Review, state: str) -> Review:
    """The review at `state`, its next deadline passed five days ago (so it counts as overdue)."""
    Review.objects.filter(pk=review.pk).update(
        state=state, due_on=timezone.localdate() - timedelta(days=5), due_kind="completion"
    )
    review.refresh_from_db()
    return review


def _told_about(person, review: Review) -> Notification:
    return Notification.objects.create(
        recipient=person,
        review=review,
        kind=Notification.Kind.ACTION_NEEDED,
        title=f"{review.reference} needs you",
        path=f"/reviews/{review.pk}/",
        key=f"test:{person.pk}:{review.pk}",
    )


def _pages(client, person, review: Review, board_plans: list[int]) -> dict:
    """What `person` sees of `review` on every page that lists, counts or exports reviews: the page
    texts, the home page's counts and the unread count in the menu."""
    client.force_login(person)
    home = client.get(reverse("home"))
    listed = client.get(reverse("review_list"))
    boards = client.get(reverse("board_list"))
    notes = client.get(reverse("notification_list"))
    texts = {
        "home": _text(home),
        "review list": _text(listed),
        "board list": _text(boards),
        "notifications": _text(notes),
    }
    for board_pk in board_plans:
        texts[f"board {board_pk} plan"] = _text(client.get(reverse("board_action_plan", args=[board_pk])))
        texts[f"board {board_pk} CSV"] = _csv_text(
            client.get(reverse("board_action_plan_csv", args=[board_pk]))
        )
        texts[f"board {board_pk} Excel"] = _xlsx_text(client, board_pk)
    return {
        "texts": texts,
        "review count": home.context["review_count"],
        "in the chart": sum(bar.count for bar in home.context.get("chart") or []),
        "overdue": [item.review.reference for item in home.context.get("overdue") or []],
        "my actions": [a.review.reference for a in home.context["my_actions"]],
        "member reviews": [r.reference for r in home.context.get("member_reviews") or []],
        "review list total": listed.context["page"].paginator.count,
        "unread": _unread_in_menu(home),
        "review exports": [
            client.get(reverse("action_plan_csv", args=[review.pk])).status_code,
            client.post(reverse("action_plan_xlsx", args=[review.pk])).status_code,
        ],
    }


def _nowhere(seen: dict, review: Review, secret: str) -> None:
    for page, text in seen["texts"].items():
        assert review.reference not in text, page
        assert secret not in text, page


def test_a_lead_reviewer_whose_appointment_ends_sees_the_review_nowhere_on_their_next_request(
    client, world: World
):
    """The issue's case: a business manager of another board, appointed as lead reviewer of a review that
    is overdue; their home page counted and listed it for minutes after the appointment ended."""
    review = _overdue(world.north_review, "in_progress")
    person = member_of(world.east, Role.BUSINESS_MANAGER, email="manager-and-reviewer@east.example")
    appointment = AppointmentFactory(review=review, reviewer=person)
    secret = "Only while appointed: check the records of the school"
    action(review, person, description=secret)
    _told_about(person, review)

    before = _pages(client, person, review, board_plans=[world.east.pk])
    assert review.reference in before["texts"]["home"] and secret in before["texts"]["home"]
    assert review.reference in before["texts"]["review list"]
    assert review.reference in before["texts"]["notifications"]
    assert before["review count"] == before["in the chart"] == before["review list total"] == 1
    assert before["overdue"] == before["my actions"] == [review.reference]
    assert before["unread"] == 1

    client.force_login(world.north_manager)
    ended = client.post(
        reverse("appointment_end", args=[review.pk, appointment.pk]), {"reason": "Stepped down."}
    )
    assert ended.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).ended_at is not None

    after = _pages(client, person, review, board_plans=[world.east.pk])
    _nowhere(after, review, secret)
    assert after["review count"] == after["in the chart"] == after["review list total"] == 0
    assert after["overdue"] == after["my actions"] == []
    assert after["unread"] == 0
    assert client.get(reverse("review_detail", args=[review.pk])).status_code == 404
    assert all(status == 404 for status in after["review exports"])


def test_a_board_member_whose_membership_ends_sees_the_review_nowhere_on_their_next_request(
    client, world: World
):
    """A member of two boards leaves one: nothing of its reviews is left on their pages, exports
    included, while the other board's pages still serve them."""
    review = _overdue(at_stage(world.north_review), "response")
    person = member_of(world.north, Role.BOARD_MEMBER, email="member-of-two@north.example")
    Membership.objects.create(user=person, board=world.east, role=Role.BUSINESS_MANAGER)
    secret = "Only while on the board: audit the referrals"
    action(review, person, description=secret)
    _told_about(person, review)

    before = _pages(client, person, review, board_plans=[world.north.pk, world.east.pk])
    for page in ("home", "review list", "notifications", f"board {world.north.pk} plan"):
        assert review.reference in before["texts"][page], page
    for page in (f"board {world.north.pk} CSV", f"board {world.north.pk} Excel"):
        assert secret in before["texts"][page], page
    assert before["review count"] == before["in the chart"] == before["review list total"] == 2
    assert review.reference in before["overdue"] and before["my actions"] == [review.reference]
    assert before["member reviews"] == [review.reference]
    assert before["review exports"] == [200, 302]

    membership = Membership.objects.get(user=person, board=world.north)
    membership.is_active = False  # as the administration page does: "untick when the person leaves"
    membership.save()

    after = _pages(client, person, review, board_plans=[world.east.pk])
    _nowhere(after, review, secret)
    for other in (world.cross_border_review.reference, world.north.name):
        assert all(other not in text for text in after["texts"].values()), other
    assert after["review count"] == after["in the chart"] == after["review list total"] == 0
    assert after["overdue"] == after["my actions"] == after["member reviews"] == []
    assert after["unread"] == 0
    assert all(status == 404 for status in after["review exports"])
    for name in ("board_action_plan", "board_action_plan_csv"):
        assert client.get(reverse(name, args=[world.north.pk])).status_code == 404, name
    assert client.post(reverse("board_action_plan_xlsx", args=[world.north.pk])).status_code == 404
    # The Excel file made while they were on the board is refused to them too.
    made = Export.objects.filter(board=world.north, requested_by=person, status=Export.Status.READY).first()
    assert client.get(reverse("export_download", args=[made.pk])).status_code == 404


# (c) Anonymised comments ---------------------------------------------------------------------------------

COMMENT = "Mention the school Ellie Quixley went to in the scope"
REPLY = "Agreed, Ellie Quixley moved schools twice"
ANSWER = "Added the school of the Quixley family to the scope"
SECRETS = ("Quixley", COMMENT, REPLY, ANSWER)


def _commented_and_closed(world: World) -> tuple[Review, object]:
    """The north review with terms of reference commented on (a comment, a reply, the answer), in a section
    with no text of its own, then closed 26 years ago (North keeps records for 25)."""
    review = world.north_review
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    version = tor.tor_draft_create(review=review, user=world.north_manager)
    version = tor.tor_send_for_comment(
        version=version, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=14)
    )
    section = version.sections.get(key="method")
    section.__class__.objects.filter(pk=section.pk).update(body="")
    comment = tor.tor_comment_add(section=section, user=world.north_member, text=COMMENT)
    tor.tor_comment_add(section=section, user=world.north_reviewer, text=REPLY, parent=comment)
    tor.tor_comment_address(comment=comment, user=world.north_manager, how=ANSWER)
    ended_on = add_years(timezone.localdate(), -26)
    Review.objects.filter(pk=review.pk).update(state="closed", closed_on=ended_on)
    review.refresh_from_db()
    return review, version


def _fresh(world: World) -> World:
    """The world as the database has it now (a rolled-back page visit may have changed the objects; what
    anonymising removed stays as it was, and its pages answer 404)."""
    return dataclasses.replace(
        world,
        **{
            f.name: type(value)._default_manager.filter(pk=value.pk).first() or value
            for f in dataclasses.fields(world)
            if hasattr(value := getattr(world, f.name), "pk")
        },
    )


def _every_page_the_manager_opens(client, world: World) -> dict[str, str]:
    """Every page of the authorization table, as North's business manager, each on the world as it is
    (pages that build what they show are rolled back): the text of each."""
    seen = {}
    for name, route in ROUTES.items():
        if route.method != "get" or route.public:
            continue
        with transaction.atomic():
            client.force_login(world.north_manager)
            try:
                url = reverse(name, kwargs=route.kwargs(_fresh(world)))
            except ObjectDoesNotExist:  # its object was removed with what identifies people: no such page
                continue
            response = client.get(url, route.data)
            seen[name] = response.content.decode(errors="replace") if hasattr(response, "content") else ""
            transaction.set_rollback(True)
    return seen


def test_anonymised_comments_appear_on_no_page_afterwards(
    client, world: World, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review, version = _commented_and_closed(world)
    pages = {
        "comments": reverse("tor_comments", args=[review.pk, version.number]),
        "version": reverse("tor_version", args=[review.pk, version.number]),
        "history": reverse("review_history", args=[review.pk]),
    }
    client.force_login(world.north_manager)
    for name, url in pages.items():  # read before, as a cache would have kept them
        page = client.get(url)
        assert page.status_code == 200, name
    assert all(text in _text(client.get(pages["comments"])) for text in (COMMENT, REPLY, ANSWER))

    with django_capture_on_commit_callbacks(execute=True):  # the worker applies it as the request commits
        anonymised = client.post(
            reverse("retention_confirm", args=[world.north.pk, review.pk]),
            {"decision": "anonymise", "other_names": "", "reference": review.reference},
        )
    assert anonymised.status_code == 302
    assert not ToRComment.objects.filter(text__contains="Quixley").exists()

    for name, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200, name
        for secret in SECRETS:
            assert secret not in _text(page), (name, secret)
    for name, text in _every_page_the_manager_opens(client, world).items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)


# Counted cold ---------------------------------------------------------------------------------------------


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_a_page_read_twice_costs_the_same_both_times(client, world: World):
    """Nothing a page computes is kept for the next request: reading it again costs as much as reading it
    first after a change (a cache would make the second read cheaper)."""
    review = at_stage(world.north_review)
    action(review, world.north_member, findings=[finding(review, 1)])
    version = tor.tor_send_for_comment(
        version=tor.tor_draft_create(review=_at_commissioning(world.south_review), user=world.south_manager),
        user=world.south_manager,
        closes_on=timezone.localdate() + timedelta(days=14),
    )
    tor.tor_comment_add(section=version.sections.first(), user=world.south_member, text="A comment")
    pages = [
        (world.north_manager, reverse("home")),
        (world.north_chair, reverse("home")),
        (world.north_member, reverse("home")),
        (world.north_manager, reverse("action_plan", args=[review.pk])),
        (world.north_manager, reverse("board_action_plan", args=[world.north.pk])),
        (world.south_manager, reverse("tor_comments", args=[world.south_review.pk, version.number])),
    ]
    for person, url in pages:
        client.force_login(person)
        client.get(url)  # the process's own one-off work (content types, templates) does not count
        action(review, world.north_member)  # a change before the first read, as when a cache misses
        first = _count(client, url)
        assert _count(client, url) == first, url


def _at_commissioning(review: Review) -> Review:
    Review.objects.filter(pk=review.pk).update(state="commissioning")
    review.refresh_from_db()
    return review


# No page cache in the product ---------------------------------------------------------------------------

PRODUCT = (*PRODUCT_APPS, "templates")
CACHING = re.compile(
    r"from django\.core\.cache import|\bcaches\[|\bcache\.(get|set|add|get_or_set|get_many|set_many|delete)\b"
    r"|{%\s*cache\b|\bcache_page\b"
)


def test_no_product_code_caches_a_page_or_what_a_person_sees():
    """What may be cached is data that is the same for everyone and changes rarely (bank holidays, held
    per process with lru_cache); Django's cache is not used, so no page can be served from it."""
    found = []
    for folder in PRODUCT:
        for path in (BASE / folder).rglob("*"):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
                if CACHING.search(line):
                    found.append(f"{path.relative_to(BASE)}:{number}: {line.strip()}")
    assert found == []
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.dummy.DummyCache"

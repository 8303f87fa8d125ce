"""Action owners: someone of a partner agency, with no seat on the board, named as the owner of an action of
that agency. They are offered in the owner list under their agency, told when they are named, and see only
the actions they own: on their home page, each action's page, its progress, status and evidence. Nothing
else of the review, or of the board, is theirs to open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from responses.actions import selectors
from responses.models import Action, ActionUpdate
from reviews.access import can
from reviews.models import Membership, Notification, Review, Role
from tests.conftest import World
from tests.factories import AgencyFactory
from tests.responses.helpers import PDF_BYTES, action, action_owner_for, agency_of, at_stage, finding

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _date(prefix: str, d) -> dict:
    return {f"{prefix}_0": d.day, f"{prefix}_1": d.month, f"{prefix}_2": d.year}


@pytest.fixture
def review(world: World) -> Review:
    review = at_stage(world.north_review)
    finding(review, 1, title="Bruising not referred")
    return review


@pytest.fixture
def agency(world: World):
    return agency_of(world.north_member, world.north)


@pytest.fixture
def owner(world: World, agency):
    return action_owner_for(agency, world.north, email="owner@north.example", full_name="Olu Owner")


def _agreed(review: Review, agency, owner) -> dict:
    """The "Agree an action" form filled in for an action of `agency` owned by `owner`."""
    return {
        "findings": [review.findings.get().pk],
        "description": "Audit how officers refer bruising in non-mobile babies.",
        "kind": Action.Kind.PRACTICAL,
        "function": Action.Function.MONITOR,
        "level": Action.Level.SINGLE_AGENCY,
        "owner_agency": agency.pk,
        "owner": owner.pk,
        "priority": Action.Priority.HIGH,
        "priority_reason": "Babies are at risk now.",
        "plan_priority": "",
        **_date("due_on", TODAY() + timedelta(days=90)),
    }


def _detail(a: Action) -> str:
    return reverse("action_detail", args=[a.review_id, a.number])


def test_the_owner_list_offers_action_owners_under_their_agency_and_names_them(
    client, world, review, agency, owner, django_capture_on_commit_callbacks
):
    client.force_login(world.north_manager)
    page = client.get(reverse("action_create", args=[review.pk]))
    assert f"Olu Owner ({agency.name})" in page.text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("action_create", args=[review.pk]), _agreed(review, agency, owner))

    assert response.status_code == 302, response.context["form"].errors
    made = Action.objects.get(review=review)
    assert made.owner == owner
    told = Notification.objects.get(recipient=owner)
    assert told.path == _detail(made)

    # The owner sees the notification and it takes them to the action.
    client.force_login(owner)
    assert told.title in client.get(reverse("notification_list")).text
    opened = client.get(reverse("notification_open", args=[told.pk]))
    assert opened["Location"] == _detail(made)
    assert client.get(opened["Location"]).status_code == 200


def test_an_action_owner_owns_only_actions_of_their_own_agency(client, world, review, owner):
    other = AgencyFactory(boards=[world.north], name="North Probation")
    client.force_login(world.north_manager)
    response = client.post(reverse("action_create", args=[review.pk]), _agreed(review, other, owner))

    assert response.status_code == 200
    assert "Olu Owner acts for" in response.text and "so they can only own actions of" in response.text
    assert not Action.objects.exists()


def test_the_home_page_lists_their_actions_and_the_navigation_only_what_they_may_open(
    client, world, review, agency, owner
):
    mine = action(review, owner, owner_agency=agency, due_on=TODAY() + timedelta(days=5))
    theirs = action(review, world.north_member, owner_agency=agency, description="Someone else's action")
    client.force_login(owner)

    home = client.get(reverse("home"))

    assert home.status_code == 200
    assert _detail(mine) in home.text
    assert _detail(theirs) not in home.text  # their agency's other actions are not theirs to see
    labels = [item["label"] for item in home.context["nav_items"]]
    assert "Reviews" not in labels and "Boards" not in labels
    assert f'href="{reverse("review_list")}"' not in home.text
    assert f'href="{reverse("board_list")}"' not in home.text
    # Due within the fortnight and no progress yet: it waits for them, with the page to record it on.
    progress = reverse("action_progress", args=[review.pk, mine.number])
    assert [item.url for item in home.context["actions_waiting"]] == [progress]
    assert progress in home.text


def test_they_open_update_and_evidence_their_own_action_and_nothing_else(
    client, world, review, agency, owner
):
    mine = action(review, owner, owner_agency=agency)
    theirs = action(review, world.north_member, owner_agency=agency)
    client.force_login(owner)

    page = client.get(_detail(mine))
    assert page.status_code == 200
    # The page's trail leads home, never to the review's pages they may not open.
    for url in (reverse("review_detail", args=[review.pk]), reverse("response", args=[review.pk])):
        assert f'href="{url}"' not in page.text
    assert f'href="{reverse("action_plan", args=[review.pk])}"' not in page.text
    assert f"Action {mine.number} of {review.reference}" in page.text

    evidence = SimpleUploadedFile("audit.pdf", PDF_BYTES, content_type="application/pdf")
    saved = client.post(
        reverse("action_progress", args=[review.pk, mine.number]),
        {**_date("on", TODAY()), "text": "Audit started.", "status": "", "evidence": evidence},
    )
    assert saved.status_code == 302
    update = ActionUpdate.objects.get(action=mine)
    assert update.author == owner
    file = update.evidence.get()
    download = client.get(reverse("action_evidence", args=[review.pk, mine.number, file.pk]))
    assert download.status_code == 200

    moved = client.post(
        reverse("action_status", args=[review.pk, mine.number]),
        {"status": Action.Status.IN_PROGRESS, "text": "Under way.", "seen_status": Action.Status.AGREED},
    )
    assert moved.status_code == 302, moved.context["form"].errors
    mine.refresh_from_db()
    assert mine.status == Action.Status.IN_PROGRESS

    for url in (
        _detail(theirs),
        reverse("action_progress", args=[review.pk, theirs.number]),
        reverse("review_detail", args=[review.pk]),
        reverse("response", args=[review.pk]),
        reverse("action_plan", args=[review.pk]),
        reverse("board_detail", args=[world.north.pk]),
        reverse("board_action_plan", args=[world.north.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url


def test_someone_who_stops_being_an_action_owner_sees_the_action_no_more(
    client, world, review, agency, owner
):
    mine = action(review, owner, owner_agency=agency)
    Membership.objects.filter(user=owner, role=Role.ACTION_OWNER).update(is_active=False)
    client.force_login(owner)

    assert client.get(_detail(mine)).status_code == 404
    assert _detail(mine) not in client.get(reverse("home")).text


def test_once_the_response_closes_they_may_read_it_but_not_update_it(client, world, review, agency, owner):
    mine = action(review, owner, owner_agency=agency)
    Review.objects.filter(pk=review.pk).update(state="closed")
    client.force_login(owner)

    page = client.get(_detail(mine))
    assert page.status_code == 200 and "Add a progress update" not in page.text
    progress = client.post(
        reverse("action_progress", args=[review.pk, mine.number]), {**_date("on", TODAY()), "text": "x"}
    )
    assert progress.status_code == 403


def test_the_list_of_openable_actions_agrees_with_the_rule(world, review, agency, owner):
    """`selectors.openable` (lists) and the rule `view_action` (one action) keep the same actions."""
    mine = action(review, owner, owner_agency=agency)
    theirs = action(review, world.north_member, owner_agency=agency)
    south = action(at_stage(world.south_review), world.south_member)
    every = [mine, theirs, south]
    for person in (owner, world.north_member, world.north_manager, world.south_member, world.east_manager):
        listed = set(Action.objects.filter(selectors.openable(person)).values_list("pk", flat=True))
        allowed = {a.pk for a in every if can(person, "view_action", Action.objects.get(pk=a.pk))}
        assert listed == allowed, person.email

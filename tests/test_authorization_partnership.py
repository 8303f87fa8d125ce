"""The authorization walk for a safeguarding partnership's people (issue 19): the new roles (lead and
delegated partners, the partnership chair, the independent scrutineer) see nothing of another body's
objects, and a delegated partner of one partnership sees nothing of another partnership's review — though
the same person is a board member elsewhere, where they keep what a member sees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.models import StatutoryPartner
from tests.conftest import Partnership
from tests.test_authorization import OBJECT_ROUTES, ROUTES, _url

WEST_PEOPLE = {
    "manager": lambda p: p.manager,
    "chair": lambda p: p.chair,
    "scrutineer": lambda p: p.scrutineer,
    "member": lambda p: p.member,
    "reviewer": lambda p: p.reviewer,
    "lead partner": lambda p: p.leads[StatutoryPartner.POLICE],
    "delegated partner": lambda p: p.delegates[StatutoryPartner.LOCAL_AUTHORITY],
}


# The national register of lead reviewers is kept by every business manager, whatever their body.
SHARED = {"registry_edit"}


def _about_an_object(name: str) -> bool:
    """The route is about a board's or review's object (not a person's own list, such as invitations, or
    what every body shares)."""
    if name in SHARED:
        return False
    try:
        return bool(ROUTES[name].kwargs(None))
    except AttributeError:  # it reads the world's objects
        return True


@pytest.mark.parametrize("name", [n for n in OBJECT_ROUTES if _about_an_object(n)])
def test_a_partnerships_people_are_refused_every_object_of_the_boards(client, world, partnership, name):
    """Every page the walk has about North's or South's boards, reviews and their parts refuses each of
    West's roles: a partnership's people hold nothing on the boards."""
    url = _url(name, world)
    route = ROUTES[name]
    for role, person in WEST_PEOPLE.items():
        client.force_login(person(partnership))
        response = getattr(client, route.method)(url, route.data)
        assert response.status_code in (403, 404), f"{name} as West's {role}: {response.status_code}"


def _west_review_pages(p: Partnership) -> list[str]:
    pk = p.review.pk
    return [
        reverse("review_detail", args=[pk]),
        reverse("review_history", args=[pk]),
        reverse("review_edit", args=[pk]),
        reverse("review_step", args=[pk, "notify_incident"]),
        reverse("review_boards", args=[pk]),
        reverse("child_add", args=[pk]),
    ]


@pytest.mark.parametrize("person", ["coast_delegate", "coast_manager"])
def test_another_partnerships_people_get_not_found_on_its_review(client, partnership, person):
    client.force_login(getattr(partnership, person))
    for url in _west_review_pages(partnership):
        assert client.get(url).status_code == 404, url


def test_a_delegated_partner_elsewhere_keeps_what_a_member_sees_on_their_board(client, world, partnership):
    """Coast's police delegate is a board member of North: North's review is theirs to read, West's not."""
    client.force_login(partnership.coast_delegate)
    assert client.get(reverse("review_detail", args=[world.north_review.pk])).status_code == 200
    assert client.get(reverse("review_detail", args=[partnership.review.pk])).status_code == 404
    listed = client.get(reverse("review_list")).content.decode()
    assert world.north_review.reference in listed
    assert partnership.review.reference not in listed


@pytest.mark.parametrize("role", sorted(WEST_PEOPLE))
def test_each_of_the_partnerships_roles_reads_its_review(client, partnership, role):
    """Everyone with a partnership role reads the partnership's review, except a lead reviewer not yet
    appointed to it."""
    client.force_login(WEST_PEOPLE[role](partnership))
    status = client.get(reverse("review_detail", args=[partnership.review.pk])).status_code
    assert status == (404 if role == "reviewer" else 200), f"West's {role}: {status}"


@pytest.mark.parametrize("role", sorted(set(WEST_PEOPLE) - {"manager"}))
def test_only_the_business_manager_changes_the_case_record(client, partnership, role):
    client.force_login(WEST_PEOPLE[role](partnership))
    for name in ("review_edit", "child_add"):
        status = client.get(reverse(name, args=[partnership.review.pk])).status_code
        assert status in (403, 404), f"{name} as West's {role}: {status}"


def test_the_business_manager_changes_the_case_record(client, partnership):
    client.force_login(partnership.manager)
    for name in ("review_edit", "child_add"):
        assert client.get(reverse(name, args=[partnership.review.pk])).status_code == 200, name

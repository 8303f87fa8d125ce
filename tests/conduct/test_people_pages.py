"""The practitioner and family pages as people use them, and the family record's restriction: only the
lead board's business manager and the review's lead reviewer ever see it, or are told it exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conduct.models import FamilyMember, PractitionerEvent
from reviews.models import Review
from tests.conduct.people_helpers import contact, event, member

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _date(prefix: str, day) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_the_manager_records_an_event_and_everyone_on_the_review_reads_it(client, info, world):
    client.force_login(world.north_manager)
    url = reverse("practitioner_event_add", args=[info.review.pk])
    page = client.get(url).content.decode()
    assert f"{info.agency.name}: were invited" in page
    held = TODAY() - timedelta(days=2)
    data = {
        "kind": "interview",
        "purpose": "The health visitor's view of the home.",
        **_date("held_on", held),
        **_date("briefed_on", held),
        "support_offered": "Supervision before and after.",
        f"invited_{info.agency.pk}": "2",
        f"attended_{info.agency.pk}": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    made = PractitionerEvent.objects.get(review=info.review)
    assert made.kind == "interview" and made.attendance.get().invited == 2

    client.force_login(world.north_member)
    page = client.get(reverse("practitioners", args=[info.review.pk])).content.decode()
    assert "The health visitor&#x27;s view of the home." in page
    assert f"{info.agency.name}: 1 of 2 invited" in page
    assert "Quality marker 11" in page
    assert reverse("practitioner_event_add", args=[info.review.pk]) not in page  # a member only reads


def test_an_event_form_names_what_is_wrong(client, info, world):
    client.force_login(world.north_reviewer)
    url = reverse("practitioner_event_add", args=[info.review.pk])
    data = {
        "kind": "event",
        "purpose": "Learning event",
        **_date("held_on", TODAY() - timedelta(days=2)),
        f"invited_{info.agency.pk}": "1",
        f"attended_{info.agency.pk}": "5",
        f"invited_{info.health.pk}": "many",
    }
    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text
    assert "cannot attend than were invited" in text
    assert f"Enter how many of {info.health.name}&#x27;s practitioners were invited as a whole number" in text
    assert not PractitionerEvent.objects.exists()


def test_the_lead_reviewer_keeps_the_family_record(client, info, world):
    client.force_login(world.north_reviewer)
    data = {
        "real_name": "Joanne Smith",
        "pseudonym": "Mother",
        "relationship": "Mother",
        "child": str(world.north_child.pk),
        **_date("told_on", TODAY() - timedelta(days=30)),
        "told_by": "Business manager",
        "told_how": "visit",
        "consent": "given",
        "support_offered": "An advocate from the family support service.",
    }
    response = client.post(reverse("family_member_add", args=[info.review.pk]), data)
    made = FamilyMember.objects.get(review=info.review)
    assert response.url == reverse("family_member", args=[info.review.pk, made.pk])
    contact_data = {
        **_date("contacted_on", TODAY()),
        "method": "meeting",
        "outcome": "met",
        "views": "Asked why nobody visited after the move.",
    }
    client.post(reverse("family_contact_add", args=[info.review.pk, made.pk]), contact_data)
    page = client.get(reverse("family_member", args=[info.review.pk, made.pk])).content.decode()
    assert "Joanne Smith" in page and "Asked why nobody visited after the move." in page
    listing = client.get(reverse("family", args=[info.review.pk])).content.decode()
    assert "Mother" in listing and "Quality marker 4" in listing and "Quality marker 12" in listing


def test_a_bad_family_form_is_answered_on_the_page(client, info, world):
    client.force_login(world.north_manager)
    data = {
        "real_name": "Joanne Smith",
        "pseudonym": "Joanne Smith",
        "relationship": "Mother",
        "consent": "given",
    }
    page = client.post(reverse("family_member_add", args=[info.review.pk]), data)
    assert page.status_code == 200
    assert "The pseudonym must not be their real name" in page.content.decode()
    data |= {"pseudonym": "Mother", "child": "999999999"}
    page = client.post(reverse("family_member_add", args=[info.review.pk]), data)
    assert "There is a problem" in page.content.decode()
    assert not FamilyMember.objects.exists()


@pytest.mark.parametrize(
    "person", ["north_author", "north_chair", "north_member", "south_member", "south_manager"]
)
def test_nobody_but_the_manager_and_lead_reviewer_finds_the_family_record(client, info, world, person):
    """An agency author, the chair, a member of the lead board and another board's people: no family page
    opens, and the review's own page neither links to it nor shows its evidence."""
    made = member(info.review, real_name="Joanne Smith", pseudonym="Mother")
    contact(made, views="Unhappy with the school.", outcome="spoke")
    Review.objects.filter(pk=world.cross_border_review.pk).update(state="in_progress")
    cross = member(world.cross_border_review, real_name="Petra Jones", pseudonym="Aunt")
    client.force_login(getattr(world, person))
    for review, one in ((info.review, made), (world.cross_border_review, cross)):
        for name, args in (
            ("family", [review.pk]),
            ("family_member", [review.pk, one.pk]),
            ("family_member_add", [review.pk]),
            ("family_member_edit", [review.pk, one.pk]),
            ("family_contact_add", [review.pk, one.pk]),
            ("family_self_check", [review.pk]),
            ("informing-the-family_self_check", [review.pk]),
        ):
            assert client.get(reverse(name, args=args)).status_code in (403, 404), (name, person)
        page = client.get(reverse("review_detail", args=[review.pk]))
        text = page.content.decode()
        for secret in (
            "Joanne Smith",
            "Petra Jones",
            "Mother",
            "Aunt",
            "Unhappy with the school",
            "/family/",
        ):
            assert secret not in text, (secret, person)
    # the practitioners page is open to the review's own people, with nothing of the family on it
    if person in ("north_chair", "north_member"):
        page = client.get(reverse("practitioners", args=[info.review.pk])).content.decode()
        assert "Joanne Smith" not in page and "Quality marker 12" not in page


def test_the_review_page_links_the_keepers_to_both_pages(client, info, world):
    client.force_login(world.north_manager)
    page = client.get(reverse("review_detail", args=[info.review.pk])).content.decode()
    assert reverse("practitioners", args=[info.review.pk]) in page
    assert reverse("family", args=[info.review.pk]) in page
    client.force_login(world.north_chair)
    page = client.get(reverse("review_detail", args=[info.review.pk])).content.decode()
    assert reverse("practitioners", args=[info.review.pk]) in page
    assert reverse("family", args=[info.review.pk]) not in page


def test_once_the_review_has_moved_on_the_records_are_read_not_changed(client, info, world):
    made = member(info.review)
    happened = event(info.review)
    Review.objects.filter(pk=info.review.pk).update(state="report_received")
    client.force_login(world.north_manager)
    assert client.get(reverse("family", args=[info.review.pk])).status_code == 200
    assert client.get(reverse("family_member", args=[info.review.pk, made.pk])).status_code == 200
    assert client.get(reverse("family_member_edit", args=[info.review.pk, made.pk])).status_code == 403
    assert (
        client.get(reverse("practitioner_event_edit", args=[info.review.pk, happened.pk])).status_code == 403
    )


def test_a_practice_review_s_pages_speak_of_the_partnership(client, partnership):
    review = partnership.review
    Review.objects.filter(pk=review.pk).update(state="in_progress")
    manager = partnership.manager
    client.force_login(manager)
    for name, said in (
        ("practitioners", "practitioners of the partnership's agencies"),
        ("family", "before the partnership accepts the final report"),
    ):
        text = client.get(reverse(name, args=[review.pk])).content.decode()
        assert said in text, name
        for word in ("board chair", "LSCB", "Serious Case Review"):
            assert word not in text, (name, word)

"""Naming agency authors without the admin: the business manager names an existing account or makes one
(no usable password; a set-password link by email), refused for someone with another role on the board
or already writing for another agency; and ends an author's role, which ends their sight of the request."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from conduct.inquiry import services
from reviews.models import Membership, Role, TimelineEntry
from scr_portal.accounts.models import User
from tests.conduct.helpers import request_to

pytestmark = pytest.mark.django_db


def test_a_new_person_is_made_an_author_and_emailed_a_set_password_link(
    client, info, world, django_capture_on_commit_callbacks
):
    client.force_login(world.north_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("agency_authors", args=[info.review.pk]),
            {
                "agency": info.health.pk,
                "email": " Nia@Health.example ",
                "full_name": "Nia New",
                "job_title": "Named nurse",
            },
        )
    assert response.status_code == 302
    person = User.objects.get(email="nia@health.example")
    assert not person.has_usable_password() and person.job_title == "Named nurse"
    held = Membership.objects.get(user=person, board=world.north)
    assert held.role == Role.AGENCY_AUTHOR and held.agency == info.health and held.is_active
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body
    assert TimelineEntry.objects.filter(review=info.review, title__startswith="Nia New named").exists()
    form = client.get(reverse("information_request_create", args=[info.review.pk])).content.decode()
    assert "Nia New (North Health Trust)" in form


def test_someone_with_another_role_on_the_board_is_refused_beside_the_email(client, info, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("agency_authors", args=[info.review.pk]),
        {"agency": info.agency.pk, "email": world.north_member.email, "full_name": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and "name a colleague" in page
    assert not Membership.objects.filter(user=world.north_member, role=Role.AGENCY_AUTHOR).exists()


def test_an_author_writes_for_one_agency_and_a_new_person_needs_a_name(info, world):
    with pytest.raises(services.AuthorRefused, match="already writes for") as refused:
        services.agency_author_name(
            review=info.review, user=world.north_manager, agency=info.health, email=info.author.email
        )
    assert refused.value.field == "email"
    with pytest.raises(services.AuthorRefused) as refused:
        services.agency_author_name(
            review=info.review, user=world.north_manager, agency=info.health, email="nobody@new.example"
        )
    assert refused.value.field == "full_name" and not User.objects.filter(email="nobody@new.example").exists()


def test_ending_an_author_s_role_ends_their_sight_of_the_request_and_naming_them_again_restores_it(
    client, info, world
):
    made = request_to(info.review, info.author, info.agency)
    page = reverse("information_request", args=[info.review.pk, made.pk])
    client.force_login(info.author)
    assert client.get(page).status_code == 200
    held = Membership.objects.get(user=info.author, role=Role.AGENCY_AUTHOR)
    client.force_login(world.north_manager)
    assert client.post(reverse("agency_author_end", args=[info.review.pk, held.pk])).status_code == 302
    held.refresh_from_db()
    assert not held.is_active
    client.force_login(info.author)
    assert client.get(page).status_code == 404
    _, made_now = services.agency_author_name(
        review=info.review, user=world.north_manager, agency=info.agency, email=info.author.email
    )
    assert not made_now and Membership.objects.get(pk=held.pk).is_active
    assert client.get(page).status_code == 200

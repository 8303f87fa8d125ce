"""The help page: what every signed-in person can read about how a review runs. It reads no data beyond
what the layout needs, which is why the benchmark in bench/ uses it as its baseline."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_help_page_explains_the_stages_and_the_default_deadlines(client, world):
    client.force_login(world.north_member)
    response = client.get(reverse("help"))
    assert response.status_code == 200
    text = response.content.decode()
    for stage in ("Referral.", "Commissioning.", "Board response.", "Monitoring."):
        assert stage in text
    assert "within 5 working days" in text
    assert "within 6 months of deciding" in text


def test_the_help_page_is_linked_from_every_signed_in_page(client, world):
    client.force_login(world.north_member)
    assert reverse("help") in client.get(reverse("home")).content.decode()


def test_the_help_page_reads_only_what_the_layout_needs(client, world):
    client.force_login(world.north_manager)
    client.get(reverse("help"))
    with CaptureQueriesContext(connection) as layout_only:
        client.get(reverse("help"))
    tables = {q["sql"].split('FROM "', 1)[1].split('"', 1)[0] for q in layout_only if 'FROM "' in q["sql"]}
    layout = {"django_session", "accounts_user", "otp_totp_totpdevice"}  # who is signed in, and how
    layout |= {"reviews_membership", "reviews_board", "reviews_notification"}  # header, menu, unread count
    layout |= {"reviews_appointment"}  # the reviews they see beyond their boards' (access.reviews_joined)
    assert tables <= layout


def test_the_help_page_sets_the_two_regimes_side_by_side(client, world):
    client.force_login(world.north_member)
    text = client.get(reverse("help")).content.decode()
    section = text.split('id="two-regimes"', 1)[1]
    assert (
        '<th scope="col" class="govuk-table__header">Serious Case Review (Working Together 2015)</th>'
        in section
    )
    assert "Local child safeguarding practice review (Working Together 2018 and 2023)" in section
    for row in (
        "Accountable body",
        "Who decides and signs",
        "Notification",
        "Decision",
        "Conduct",
        "Publication",
    ):
        assert f'<th scope="row" class="govuk-table__header">{row}</th>' in section
    # Which timescales are guidance, and where they come from (chapters only: paragraphs change by edition).
    assert "within 15 working days of the notification (guidance, not law)" in section
    assert "a target, not law" in section
    assert "at least 7 working days before publication" in section
    assert "the Panel, the Secretary of State and Ofsted" in section
    assert "Working Together to Safeguard Children 2023, chapter 5" in section
    assert "check the current edition" in section

"""The help page: what every signed-in person can read about how a review runs. It reads no data beyond
what the layout needs, which is why the benchmark in bench/ uses it as its baseline."""

from __future__ import annotations

import re

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
    assert "Check the current edition" in section


def test_the_help_page_says_where_each_timescale_comes_from_and_whether_it_is_law(client, world):
    client.force_login(world.north_member)
    text = client.get(reverse("help")).content.decode()
    sources = text.split('id="sources"', 1)[1].split("</dl>", 1)[0]
    rows = dict(
        re.findall(r'__key">([^<]+)</dt>\s*<dd class="govuk-summary-list__value">([^<]+)</dd>', sources)
    )
    assert len(rows) == 7, rows
    for timescale in (
        "Serious incident notification: 5 working days",
        "Rapid review: 15 working days",
        "Telling the Panel and Ofsted whether there will be a local review",
        "Local review completed: 6 months from the decision",
        "Publication notice: at least 7 working days before publication",
        "Serious Case Review not initiated: the national panel told within 14 days",
    ):
        assert timescale in rows, timescale
    # Each row says whether it is guidance, and cites the guidance by chapter; the duties in law by section
    # or regulation. No paragraph number is given: none could be checked against the published text.
    assert all("Guidance" in said or "guidance" in said for said in rows.values())
    assert "law: Children Act 2004, section 16C(1)" in rows["Serious incident notification: 5 working days"]
    assert (
        "regulation 14 of the Child Safeguarding Practice Review"
        in rows["Local review completed: 6 months from the decision"]
    )
    assert not re.search(r"paragraph \d|para\.? \d", sources)
    assert "could not check its paragraph numbers" in text

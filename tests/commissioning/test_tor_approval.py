"""Approving the terms of reference on what the version itself says: the rationale and cited factors it was
made with (not the scope as it stands now), once its comment period is over or the chair closed it early
saying why, and once every comment is addressed. Pages offer a step only when it will be taken, and say why
not otherwise."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Scope, ToRCitedFactor, ToRVersion
from commissioning.tor import services, workflow
from reviews.models import TimelineEntry
from tests.commissioning.test_tor import _cite, _close_early, _commissioning, _out_for_comment, _url

pytestmark = pytest.mark.django_db

Status = ToRVersion.Status


def _page(client, person, url) -> str:
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# The version's own rationale -------------------------------------------------------------------------


def test_a_version_keeps_the_rationale_and_factors_it_was_made_with(world):
    review = _commissioning(world.north_review)
    scope = _cite(review, world.north_manager, "case", "context")
    version = _out_for_comment(review, world.north_manager)

    scope.rationale = "Rewritten since."
    scope.save()
    scope.rationale_factors.clear()

    version.refresh_from_db()
    assert version.rationale == "Proportionate to the gravity of the case and the board's capacity."
    assert sorted(version.cited_factors.values_list("kind", flat=True)) == ["case", "context"]
    cited = version.cited_factors.get(kind="case")
    assert cited.assessment == f"About {cited.title}" and cited.weight == "significant"
    body = version.sections.get(key="proportionality").body  # the text says what the copy holds
    assert f"- {cited.title} (significant): About {cited.title}" in body
    # A copy of the version keeps the copied version's rationale, as it keeps its text.
    copied = services.tor_draft_create(review=review, user=world.north_manager, source="copy")
    assert copied.rationale == version.rationale
    assert copied.cited_factors.count() == 2
    # A version built from the current decisions takes the scope's rationale now.
    services.tor_send_for_comment(
        version=copied, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=2)
    )
    rebuilt = services.tor_draft_create(review=review, user=world.north_manager, source="data")
    assert (rebuilt.rationale, rebuilt.cited_factors.count()) == ("Rewritten since.", 0)


def test_approval_is_refused_when_the_versions_own_rationale_cites_no_context_factor_even_if_the_scope_does_now(
    client, world
):
    review = _commissioning(world.north_review)
    _cite(review, world.north_manager, "case")
    version = _close_early(_out_for_comment(review, world.north_manager), world.north_chair)
    assert "None cited" in version.sections.get(key="proportionality").body
    _cite(review, world.north_manager, "context")  # the live scope is complete now; version 1 is not
    assert Scope.objects.get(review=review).rationale_factors.filter(factor__kind="context").exists()

    with pytest.raises(
        services.ToRRefused, match="Version 1 keeps the proportionality rationale it was made"
    ):
        services.tor_approve(version=version, user=world.north_chair)

    page = _page(client, world.north_chair, _url("tor_version", version))
    assert "You cannot approve version 1 yet" in page and "cites no context factor" in page
    assert _url("tor_approve", version) not in page
    approve_page = _page(client, world.north_chair, _url("tor_approve", version))
    assert "cites no context factor" in approve_page and "Approve version 1</button>" not in approve_page
    response = client.post(_url("tor_approve", version))
    assert "cites no context factor" in response.content.decode()
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT

    # A new version built from the current decisions carries both kinds, and can be approved.
    second = services.tor_draft_create(review=review, user=world.north_manager)
    services.tor_send_for_comment(
        version=second, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=5)
    )
    _close_early(second, world.north_chair)
    services.tor_approve(version=second, user=world.north_chair)
    assert ToRVersion.objects.get(pk=second.pk).status == Status.APPROVED


# The comment period ----------------------------------------------------------------------------------


def _complete(world):
    review = _commissioning(world.north_review)
    _cite(review, world.north_manager, "case", "context")
    return _out_for_comment(review, world.north_manager)


def test_approval_is_refused_while_the_comment_period_is_open(client, world):
    version = _complete(world)
    closes = version.comments_close_on

    with pytest.raises(services.ToRRefused, match=f"open until {closes.day} {closes:%B %Y}"):
        services.tor_approve(version=version, user=world.north_chair)

    page = _page(client, world.north_chair, _url("tor_version", version))
    assert "You cannot approve version 1 yet" in page and "may still comment" in page
    assert _url("tor_approve", version) not in page
    assert _url("tor_close_comments", version) in page  # the way forward instead
    approve_page = _page(client, world.north_chair, _url("tor_approve", version))
    assert "Approve version 1</button>" not in approve_page
    assert _url("tor_close_comments", version) in approve_page
    assert client.post(_url("tor_approve", version)).status_code == 200
    assert ToRVersion.objects.get(pk=version.pk).status == Status.OUT_FOR_COMMENT


def test_the_chair_closes_the_comment_period_early_with_a_reason_then_approves(client, world):
    version = _complete(world)
    url = _url("tor_close_comments", version)
    client.force_login(world.north_chair)

    missing = client.post(url, {"reason": "   "})
    assert (
        missing.status_code == 200 and "Say why the comment period closes early" in missing.content.decode()
    )
    assert ToRVersion.objects.get(pk=version.pk).comments_closed_early_at is None

    done = client.post(url, {"reason": "The board meets <on Friday>."})
    assert done.status_code == 302 and done["Location"] == _url("tor_version", version)

    version.refresh_from_db()
    assert version.comments_closed_early_by == world.north_chair
    assert version.comments_closed_early_reason == "The board meets <on Friday>."
    entry = TimelineEntry.objects.get(
        review=version.review, title="Comments on terms of reference version 1 closed early"
    )
    assert "The board meets <on Friday>." in entry.body and entry.actor == world.north_chair
    assert not workflow.comments_open(version)
    with pytest.raises(services.ToRRefused, match="closed comments on version 1 early"):
        services.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Late")
    page = _page(client, world.north_chair, _url("tor_version", version))
    assert "The board meets &lt;on Friday&gt;." in page  # escaped
    assert _url("tor_approve", version) in page and url not in page
    comments = _page(client, world.north_member, _url("tor_comments", version))
    assert "The chair closed comments early" in comments
    assert _url("tor_comment_add", version, key="purpose") not in comments

    client.force_login(world.north_chair)
    assert client.post(_url("tor_approve", version)).status_code == 302
    assert ToRVersion.objects.get(pk=version.pk).status == Status.APPROVED


def test_only_the_chair_closes_comments_early_and_only_while_they_are_open(client, world):
    version = _complete(world)
    client.force_login(world.north_manager)
    assert client.get(_url("tor_close_comments", version)).status_code == 403
    with pytest.raises(services.ToRRefused, match="Only the lead board's chair"):
        services.tor_close_comments_early(version=version, user=world.north_manager, reason="Hurry.")

    ToRVersion.objects.filter(pk=version.pk).update(
        comments_close_on=timezone.localdate() - timedelta(days=1)
    )
    version.refresh_from_db()
    with pytest.raises(services.ToRRefused, match="closed on"):
        services.tor_close_comments_early(version=version, user=world.north_chair, reason="Hurry.")
    client.force_login(world.north_chair)
    refused = client.get(_url("tor_close_comments", version), follow=True)
    assert "closed on" in refused.content.decode()
    # Once the closing date has passed the chair approves without closing anything early.
    page = _page(client, world.north_chair, _url("tor_version", version))
    assert _url("tor_approve", version) in page and "You cannot approve" not in page
    services.tor_approve(version=version, user=world.north_chair)


def test_comments_are_taken_on_the_closing_date_itself(world):
    version = _complete(world)
    ToRVersion.objects.filter(pk=version.pk).update(comments_close_on=timezone.localdate())
    version.refresh_from_db()
    assert workflow.comments_open(version)
    with pytest.raises(services.ToRRefused, match="may still comment"):
        services.tor_approve(version=version, user=world.north_chair)


# Never offering what will be refused -------------------------------------------------------------------


def test_unaddressed_comments_show_the_reason_instead_of_the_create_and_approve_buttons(client, world):
    version = _complete(world)
    comment = services.tor_comment_add(section=version.sections.first(), user=world.north_member, text="Hm")
    _close_early(version, world.north_chair)
    create = reverse("tor_draft_create", args=[version.review_id])

    for url in (_url("tor_version", version), reverse("tor_list", args=[version.review_id])):
        page = _page(client, world.north_manager, url)
        assert "A new draft cannot be created yet" in page and "1 comment is not yet addressed" in page
        assert create not in page, url
    chair_page = _page(client, world.north_chair, _url("tor_version", version))
    assert "1 comment is not yet addressed" in chair_page and _url("tor_approve", version) not in chair_page
    client.force_login(world.north_manager)
    refused = client.get(create, follow=True)
    assert "1 comment is not yet addressed" in refused.content.decode()

    services.tor_comment_address(comment=comment, user=world.north_manager, how="Section 1 changed.")
    assert create in _page(client, world.north_manager, _url("tor_version", version))
    assert _url("tor_approve", version) in _page(client, world.north_chair, _url("tor_version", version))


def test_a_superseded_version_does_not_offer_a_new_draft_while_a_draft_exists(client, world):
    version = _complete(world)
    services.tor_draft_create(review=version.review, user=world.north_manager)
    page = _page(client, world.north_manager, _url("tor_version", version))
    assert "Version 2 is still a draft" in page
    assert reverse("tor_draft_create", args=[version.review_id]) not in page


def test_the_version_page_reads_in_a_constant_number_of_queries(client, world):
    version = _complete(world)
    sections = list(version.sections.all())

    def count(person) -> int:
        client.force_login(person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url("tor_version", version)).status_code == 200
        return len(queries)

    few = {p: count(p) for p in (world.north_manager, world.north_chair)}
    for n in range(30):
        services.tor_comment_add(section=sections[n % len(sections)], user=world.north_member, text=f"C{n}")
    assert {p: count(p) for p in few} == few


# Existing versions --------------------------------------------------------------------------------------


def test_the_migration_gives_existing_versions_the_live_scopes_rationale(world):
    review = _commissioning(world.north_review)
    version = services.tor_draft_create(review=review, user=world.north_manager)  # made with no rationale
    assert (version.rationale, version.cited_factors.count()) == ("", 0)
    _cite(review, world.north_manager, "case", "context")
    other = services.tor_draft_create(review=_commissioning(world.south_review), user=world.south_manager)

    migration = importlib.import_module("commissioning.migrations.0004_tor_version_own_rationale")
    migration.copy_live_rationale(apps, None)

    version.refresh_from_db()
    assert version.rationale == "Proportionate to the gravity of the case and the board's capacity."
    assert sorted(ToRCitedFactor.objects.filter(version=version).values_list("kind", flat=True)) == [
        "case",
        "context",
    ]
    assert not ToRCitedFactor.objects.filter(version=other).exists()  # South's scope cites nothing

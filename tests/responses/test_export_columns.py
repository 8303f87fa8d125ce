"""What exports read of an action's other rows, kept on the action by the services
(responses.actions.services.export_columns_refresh): its findings as exports write them and its latest
progress update with its date and text, right after every service that changes them, so a board's export reads them without a
lookup per action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from responses.actions import selectors, services
from responses.findings import services as findings_services
from responses.models import Action
from tests.factories import AgencyFactory
from tests.responses.helpers import action, at_stage, finding

pytestmark = pytest.mark.django_db


def _kept(action: Action) -> tuple:
    """The findings label, and the latest update's id, date and text, as kept on the action."""
    action = Action.objects.get(pk=action.pk)
    return (
        action.findings_label,
        action.latest_update_id,
        action.latest_progress_on,
        action.latest_progress,
    )


def _worked_out(action: Action) -> tuple:
    """The same, worked out afresh from the findings and updates as they are now."""
    latest = selectors.latest_updates([action.pk]).get(action.pk, (None, None, ""))
    return (selectors.findings_labels([action.pk]).get(action.pk, ""), *latest)


def _progress(update) -> tuple:
    return (update.pk, update.on, update.text)


def test_every_service_that_changes_them_keeps_the_export_columns(world):
    review = at_stage(world.north_review)
    bruising = finding(review, 2, title="Bruising not referred")
    escalation = finding(review, 1, title="No escalation")
    details = services.ActionDetails(
        findings=[bruising, escalation],
        description="Audit referrals of bruising in non-mobile babies.",
        kind=Action.Kind.PRACTICAL,
        function=Action.Function.COORDINATE,
        level=Action.Level.MULTI_AGENCY,
        owner_agency=AgencyFactory(name="North Police", boards=[world.north]),
        owner=world.north_manager,
        priority=1,
        priority_reason="Children are at risk now.",
        plan_priority=None,
        due_on=timezone.localdate() + timedelta(days=30),
    )
    agreed = services.action_agree(review=review, user=world.north_manager, details=details)
    # Agreed: the findings by number, no progress yet.
    assert _kept(agreed) == ("1. No escalation; 2. Bruising not referred", None, None, "")
    assert _kept(agreed) == _worked_out(agreed)

    changed = services.action_change(
        action=agreed,
        user=world.north_manager,
        details=services.ActionDetails(**{**details.__dict__, "findings": [bruising]}),
        seen=services.fingerprint(agreed),
    )
    assert _kept(changed) == ("2. Bruising not referred", None, None, "")

    today = timezone.localdate()
    first = services.action_progress_record(
        action=changed, user=world.north_manager, on=today, text="Started."
    )
    assert _kept(changed) == ("2. Bruising not referred", *_progress(first))
    # An update dated earlier does not become the latest; a later one written the same day does.
    services.action_progress_record(
        action=changed, user=world.north_manager, on=today - timedelta(days=3), text="Backdated."
    )
    assert _kept(changed)[1:] == _progress(first)
    last = services.action_progress_record(action=changed, user=world.north_manager, on=today, text="More.")
    assert _kept(changed) == ("2. Bruising not referred", *_progress(last)) == _worked_out(changed)

    findings_services.finding_save(
        review=review,
        user=world.north_manager,
        number=3,
        title="Bruising in a baby not referred",
        text=bruising.text,
        themes=bruising.themes.all(),
        finding=bruising,
    )
    assert _kept(changed) == ("3. Bruising in a baby not referred", *_progress(last)) == _worked_out(changed)


def test_refreshing_many_actions_at_once_matches_each_worked_out(world, monkeypatch):
    review = at_stage(world.north_review)
    linked = [finding(review, n, title=f"Finding {n}") for n in (1, 2, 3)]
    made = [action(review, world.north_member, findings=linked[: n % 3 + 1]) for n in range(7)]
    Action.objects.filter(pk__in=[a.pk for a in made]).update(
        findings_label="stale", latest_update=None, latest_progress_on=None, latest_progress="stale"
    )
    monkeypatch.setattr(services, "EXPORT_REFRESH_CHUNK", 3)  # three chunks
    services.export_columns_refresh(action_ids=[a.pk for a in made])
    for a in made:
        assert _kept(a) == _worked_out(a) and _kept(a)[0].startswith("1. Finding 1")

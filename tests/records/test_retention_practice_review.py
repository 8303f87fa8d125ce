"""Retention of a practice review (issue 19): its partners' signatures, agencies' summaries and what the
rapid review and the Panel said go with it, whether it is anonymised or deleted."""

from __future__ import annotations

import pytest

from demo.responses import sign_off
from records import services
from responses.models import PartnerSignature, ResponseVersion
from reviews.models import AgencySummary, Review, StatutoryPartner
from tests.conftest import Partnership
from tests.records.conftest import close, tables_containing, years_ago
from tests.responses.helpers import at_stage, finding

SAID_BY_THE_PANEL = "The Panel noted the missed referrals from the nursery."


def _signed_and_closed(p: Partnership) -> Review:
    review = at_stage(p.review, "response")
    finding(review)
    signers = [
        p.leads[StatutoryPartner.LOCAL_AUTHORITY],
        p.delegates[StatutoryPartner.INTEGRATED_CARE_BOARD],
        p.leads[StatutoryPartner.POLICE],
    ]
    sign_off(review, p.manager, p.chair, signers=signers)
    AgencySummary.objects.create(
        review=review,
        agency=p.agencies["schools"],
        requested_by=p.manager,
        requested_on=years_ago(27),
        due_on=years_ago(27),
        received_on=years_ago(27),
        summary="Known to the school nurse since reception.",
    )
    Review.objects.filter(pk=review.pk).update(panel_reply_reasons=SAID_BY_THE_PANEL)
    close(review, years_ago(26))
    assert PartnerSignature.objects.filter(version__review=review).count() == 3
    return review


def _decision(p: Partnership, review: Review) -> dict:
    return {
        "review_id": review.pk,
        "board": p.west,
        "user": p.manager,
        "typed_reference": review.reference,
        "channel": "portal",
    }


@pytest.mark.django_db
def test_deleting_a_practice_review_removes_its_partners_signatures(partnership, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = _signed_and_closed(partnership)
    record = services.review_delete(**_decision(partnership, review))
    assert not Review.objects.filter(pk=review.pk).exists()
    assert (
        not PartnerSignature.objects.exists()
        and not ResponseVersion.objects.filter(review_id=review.pk).exists()
    )
    assert record.removed["rows"]["responses.PartnerSignature"] == 3
    assert tables_containing(SAID_BY_THE_PANEL) == {}


@pytest.mark.django_db
def test_anonymising_a_practice_review_removes_its_signatures_and_clears_what_was_said(
    partnership, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    review = _signed_and_closed(partnership)
    services.review_anonymise(**_decision(partnership, review))
    assert Review.objects.filter(pk=review.pk).exists()
    assert not PartnerSignature.objects.filter(version__review_id=review.pk).exists()
    assert (
        AgencySummary.objects.get(review_id=review.pk).summary != "Known to the school nurse since reception."
    )
    assert tables_containing(SAID_BY_THE_PANEL) == {}

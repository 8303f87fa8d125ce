"""The partners' decision about a practice review (issue 19): each statutory partner signs the same
decision for its organisation (its lead or its delegate, once for the partner); the third different
partner's signature makes it, and moves the review; a changed decision needs three new signatures, the
earlier ones staying recorded. Under an LSCB the chair's decision is recorded at once, as before
(tests/reviews/test_workflow.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from reviews import selectors, services
from reviews.models import Decision, DecisionSignature, Notification, Review, State, StatutoryPartner
from tests.reviews.test_practice_reviews import at_state, snapshot, step_data, step_input

LA, ICB, POLICE = (
    StatutoryPartner.LOCAL_AUTHORITY,
    StatutoryPartner.INTEGRATED_CARE_BOARD,
    StatutoryPartner.POLICE,
)


@pytest.fixture
def review(partnership):
    return at_state(partnership, State.DECISION)


def sign(review: Review, user, name: str = "initiate", **changes) -> Review:
    data = step_data(Review.objects.get(pk=review.pk), name, **changes)
    services.review_transition(review_id=review.pk, name=name, user=user, data=data)
    return Review.objects.get(pk=review.pk)


def test_two_partners_signatures_leave_the_decision_unmade(review, partnership):
    sign(review, partnership.leads[LA])
    review = sign(review, partnership.delegates[ICB])

    assert review.state == State.DECISION and review.decision == "" and review.decided_by is None
    pending = selectors.pending_decision(review)
    assert pending.signed == 2
    assert [p.signature is not None for p in pending.partners] == [True, True, False]


def test_the_third_partners_signature_makes_the_decision(review, partnership):
    sign(review, partnership.leads[LA])
    sign(review, partnership.delegates[ICB])
    review = sign(review, partnership.delegates[POLICE])

    assert review.state == State.COMMISSIONING
    assert review.decision == Decision.INITIATE
    assert review.decided_by == partnership.delegates[POLICE]
    signatures = list(review.decision_signatures.all())
    assert len({s.digest for s in signatures}) == 1
    assert [(s.partner, s.organisation) for s in signatures] == [
        (LA, partnership.agencies[LA]),
        (ICB, partnership.agencies[ICB]),
        (POLICE, partnership.agencies[POLICE]),
    ]


def test_the_lead_and_the_delegate_of_one_partner_count_once(review, partnership):
    sign(review, partnership.leads[LA])
    before = snapshot(review)
    data = step_data(review, "initiate")

    with pytest.raises(services.TransitionRefused) as refusal:
        services.review_transition(
            review_id=review.pk, name="initiate", user=partnership.delegates[LA], data=data
        )

    assert str(refusal.value).startswith("Local authority already signed this decision:")
    assert snapshot(review) == before
    assert review.decision_signatures.count() == 1


def test_a_changed_decision_needs_three_new_signatures_and_the_earlier_ones_stay(review, partnership):
    sign(review, partnership.leads[LA], decision_rationale="A local review will show how agencies shared.")
    # The integrated care board changes the reasons: a new decision, signed by one partner so far.
    changed = "A local review will show how agencies shared, and how the GP practice was told."
    sign(review, partnership.leads[ICB], decision_rationale=changed)
    review = sign(review, partnership.leads[POLICE], decision_rationale=changed)

    assert review.state == State.DECISION  # the local authority signed the earlier reasons only
    assert selectors.pending_decision(review).signed == 2
    assert review.decision_signatures.count() == 3

    review = sign(review, partnership.delegates[LA], decision_rationale=changed)

    assert review.state == State.COMMISSIONING
    assert review.decision_rationale == changed
    assert review.decision_signatures.count() == 4


def test_a_decision_not_to_hold_a_local_review_is_signed_by_the_three_partners(review, partnership):
    for user in (partnership.leads[LA], partnership.leads[ICB]):
        review = sign(review, user, "do_not_initiate")
        assert review.state == State.DECISION
    review = sign(review, partnership.leads[POLICE], "do_not_initiate")

    assert review.state == State.NOT_INITIATED
    assert review.decision != Decision.INITIATE and review.decision
    assert {s.step for s in review.decision_signatures.all()} == {"do_not_initiate"}


def test_signatures_on_one_decision_do_not_count_for_another(review, partnership):
    sign(review, partnership.leads[LA], "do_not_initiate")
    sign(review, partnership.leads[ICB], "do_not_initiate")
    review = sign(review, partnership.leads[POLICE])  # signs the decision to hold one

    assert review.state == State.DECISION
    pending = selectors.pending_decision(review)
    assert (pending.step, pending.signed) == ("initiate", 1)


@pytest.mark.parametrize("who", ["manager", "chair", "scrutineer", "member"])
def test_only_a_partner_signs_the_decision(review, partnership, who):
    before = snapshot(review)
    with pytest.raises(services.TransitionRefused):
        services.review_transition(
            review_id=review.pk,
            name="initiate",
            user=getattr(partnership, who),
            data=step_data(review, "initiate"),
        )
    assert snapshot(review) == before and not review.decision_signatures.exists()


def test_a_signature_never_changes(review, partnership):
    sign(review, partnership.leads[LA])
    signature = DecisionSignature.objects.get()
    signature.text = "Decision: no review."
    with pytest.raises(ValidationError):
        signature.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        DecisionSignature.objects.filter(pk=signature.pk).update(text="Decision: no review.")


def test_the_partners_still_to_sign_are_asked_and_the_others_are_not(review, partnership):
    sign(review, partnership.leads[LA])

    asked = set(
        Notification.objects.filter(review=review, title__contains="awaits your signature").values_list(
            "recipient", flat=True
        )
    )
    assert asked == {
        u.pk
        for u in (
            partnership.leads[ICB],
            partnership.delegates[ICB],
            partnership.leads[POLICE],
            partnership.delegates[POLICE],
        )
    }


def test_the_next_partner_sees_the_decision_signed_so_far_in_the_form(review, partnership, client):
    lead = partnership.leads[LA]
    client.force_login(lead)
    url = reverse("review_step", args=[review.pk, "initiate"])
    posted = step_input(review, "initiate", decision_rationale="The partners agree a local review is needed.")
    response = client.post(url, posted, follow=True)
    assert (
        "Signed for your organisation. Waiting for the integrated care board and the chief officer of police to sign."
        in response.content.decode()
    )

    client.force_login(partnership.delegates[ICB])
    page = client.get(url)
    text = page.content.decode()
    assert "The decision signed so far (1 of 3)" in text
    assert "You sign for the <strong>integrated care board</strong>" in text
    assert (
        page.context["form"].initial["decision_rationale"] == "The partners agree a local review is needed."
    )
    assert "Not signed yet" in text

    # The form as it was shown, posted back: the same decision, so the second signature on it.
    assert client.post(url, posted).status_code == 302
    client.force_login(partnership.leads[POLICE])
    response = client.post(url, posted, follow=True)
    assert "All three partners have signed: the decision is made." in response.content.decode()
    assert Review.objects.get(pk=review.pk).state == State.COMMISSIONING


def test_a_partner_shown_another_decision_is_pointed_to_it(review, partnership, client):
    sign(review, partnership.leads[LA], "do_not_initiate")
    client.force_login(partnership.leads[ICB])
    text = client.get(reverse("review_step", args=[review.pk, "initiate"])).content.decode()
    assert "This is a different decision from the one on this page: to see it or sign it" in text
    assert reverse("review_step", args=[review.pk, "do_not_initiate"]) in text

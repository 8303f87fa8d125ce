"""The partners' written response under a safeguarding partnership (issue 19): each statutory partner signs
(its lead or its delegate, once for the partner), three signatures on the same text make the version final,
a changed text needs three new ones, and the response is published only then. Under an LSCB the chair's one
signature is final as before (tests/responses/test_written_response.py)."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from responses import lifecycle
from responses.document import services, workflow
from responses.models import PartnerSignature, ResponseVersion, SignedVersionError
from reviews import workflow as review_workflow
from reviews.models import Notification, State, StatutoryPartner, TimelineEntry
from tests.responses.helpers import action, at_stage, finding

LA, ICB, POLICE = (
    StatutoryPartner.LOCAL_AUTHORITY,
    StatutoryPartner.INTEGRATED_CARE_BOARD,
    StatutoryPartner.POLICE,
)


@pytest.fixture
def review(partnership):
    review = at_stage(partnership.review, State.RESPONSE)
    first = finding(review, title="Information was not shared", themes=("Information sharing",))
    first.position, first.position_reason = "accepted", "The partners agree."
    first.save()
    action(
        review, partnership.member, findings=[first], description="Share intelligence at strategy meetings"
    )
    return review


@pytest.fixture
def draft(review, partnership):
    return services.response_version_create(review=review, user=partnership.manager)


def sign(version, user) -> ResponseVersion:
    version = ResponseVersion.objects.get(pk=version.pk)
    return services.response_version_sign(version=version, user=user, seen_digest=version.content_digest())


def signed_partners(version) -> set[str]:
    version = ResponseVersion.objects.get(pk=version.pk)
    return {s.partner for s in workflow.partner_standings(version) if s.signature}


# Three signatures on the same text ---------------------------------------------------------------------


def test_one_or_two_partners_signatures_leave_the_version_a_draft(draft, partnership):
    sign(draft, partnership.leads[LA])
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed
    sign(draft, partnership.delegates[ICB])

    version = ResponseVersion.objects.get(pk=draft.pk)
    assert not version.is_signed and workflow.is_editable(version)
    assert signed_partners(version) == {LA, ICB}
    assert [s.partner for s in workflow.partners_to_sign(version)] == [POLICE]


def test_the_third_partner_s_signature_makes_the_version_final(draft, partnership):
    sign(draft, partnership.leads[LA])
    sign(draft, partnership.delegates[ICB])
    sign(draft, partnership.leads[POLICE])

    version = ResponseVersion.objects.get(pk=draft.pk)
    assert version.is_signed and version.verifies()
    assert version.signed_by == partnership.leads[POLICE]  # the last signer: the one who made it final
    assert version.digest == version.content_digest()
    signatures = PartnerSignature.objects.filter(version=version)
    assert {(s.partner, s.organisation, s.digest) for s in signatures} == {
        (p, partnership.agencies[p], version.digest) for p in (LA, ICB, POLICE)
    }
    assert version.signed_at == max(s.signed_at for s in signatures)
    assert TimelineEntry.objects.filter(
        review=version.review, title__contains="signed off by the three statutory partners"
    ).exists()
    with pytest.raises(services.AlreadySigned, match="each of the three statutory partners"):
        sign(version, partnership.delegates[LA])


def test_the_lead_and_the_delegate_of_one_partner_count_once(draft, partnership):
    sign(draft, partnership.leads[POLICE])
    with pytest.raises(services.AlreadySigned, match="already signed this text for West"):
        sign(draft, partnership.delegates[POLICE])
    sign(draft, partnership.leads[LA])

    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed
    assert PartnerSignature.objects.filter(version=draft).count() == 2


@pytest.mark.parametrize("who", ["chair", "manager", "member", "scrutineer"])
def test_only_a_lead_or_delegated_partner_signs(draft, partnership, who):
    with pytest.raises(services.ResponseRefused, match="Only a lead or delegated safeguarding partner"):
        sign(draft, getattr(partnership, who))
    assert not PartnerSignature.objects.exists()


def test_who_may_sign_on_the_pages(draft, partnership, client):
    url = reverse("response_version_sign", args=[draft.review.pk, draft.number])
    for user, status in [
        (partnership.delegates[ICB], 200),
        (partnership.leads[LA], 200),
        (partnership.chair, 403),
        (partnership.scrutineer, 403),
        (partnership.member, 403),
        (partnership.coast_delegate, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_a_signature_never_changes_and_is_never_deleted(draft, partnership):
    sign(draft, partnership.leads[LA])
    signature = PartnerSignature.objects.get()
    signature.digest = "0" * 64
    with pytest.raises(SignedVersionError):
        signature.save()
    with pytest.raises(SignedVersionError):
        signature.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        PartnerSignature.objects.filter(pk=signature.pk).update(digest="0" * 64)


# A changed text ----------------------------------------------------------------------------------------


def test_a_changed_text_needs_three_new_signatures_and_the_earlier_ones_stay_recorded(draft, partnership):
    sign(draft, partnership.leads[LA])
    sign(draft, partnership.leads[ICB])
    first_digest = ResponseVersion.objects.get(pk=draft.pk).content_digest()
    changed = services.response_version_save(
        version=draft,
        user=partnership.manager,
        introduction="We thank the family.",
        monitoring="",
        closing="",
        seen_revision=ResponseVersion.objects.get(pk=draft.pk).revision,
    )

    standings = {s.partner: s for s in workflow.partner_standings(changed)}
    assert not any(s.signature for s in standings.values())
    assert [e.digest for e in standings[LA].earlier] == [first_digest]
    assert TimelineEntry.objects.filter(
        review=changed.review, body__contains="Signed on the earlier text, no longer counting"
    ).exists()

    sign(changed, partnership.leads[POLICE])  # the third partner, but the first on this text
    assert not ResponseVersion.objects.get(pk=draft.pk).is_signed
    sign(changed, partnership.delegates[LA])
    sign(changed, partnership.delegates[ICB])
    version = ResponseVersion.objects.get(pk=draft.pk)
    assert version.is_signed and version.digest != first_digest
    assert PartnerSignature.objects.filter(version=version).count() == 5


def test_the_page_shows_each_partner_who_signed_for_it_and_who_is_still_to_sign(draft, partnership, client):
    sign(draft, partnership.leads[LA])
    sign(draft, partnership.delegates[ICB])
    services.response_version_save(
        version=draft,
        user=partnership.manager,
        introduction="We thank the family.",
        monitoring="",
        closing="",
        seen_revision=ResponseVersion.objects.get(pk=draft.pk).revision,
    )
    sign(draft, partnership.delegates[ICB])
    client.force_login(partnership.leads[POLICE])

    page = client.get(reverse("response_version", args=[draft.review.pk, draft.number])).content.decode()

    assert "partners&#x27; response" in page or "partners' response" in page
    assert "board&#x27;s response" not in page and "board's response" not in page
    assert partnership.delegates[ICB].get_full_name() in page
    assert "signed an earlier text" in page
    assert "Still to sign" in page
    assert f"Sign for {partnership.agencies[POLICE].name}" in page


# Concurrency -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_partners_signing_at_once_both_count(partnership):
    if connection.vendor != "postgresql":
        # SQLite's shared in-memory test database answers concurrent writers with table locks, not waits:
        # real concurrent transactions are proven on PostgreSQL (the second run in CI).
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    from responses.themes import ensure_standard_themes

    ensure_standard_themes()
    review = at_stage(partnership.review, State.RESPONSE)
    finding(review)
    draft = services.response_version_create(review=review, user=partnership.manager)
    sign(draft, partnership.leads[LA])
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def signer(user):
        try:
            barrier.wait()
            sign(draft, user)
            outcomes.append("signed")
        except Exception as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=signer, args=(u,))
        for u in (partnership.leads[ICB], partnership.delegates[POLICE])
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes == ["signed", "signed"], outcomes
    version = ResponseVersion.objects.get(pk=draft.pk)
    assert version.is_signed and version.verifies()
    assert PartnerSignature.objects.filter(version=version, digest=version.digest).count() == 3


# Asking, and publishing --------------------------------------------------------------------------------


def test_the_request_to_sign_goes_to_the_partners_still_to_sign_not_the_chair(draft, partnership):
    sign(draft, partnership.leads[LA])
    services.response_signature_request(
        version=ResponseVersion.objects.get(pk=draft.pk), user=partnership.manager
    )

    asked = set(
        Notification.objects.filter(review=draft.review, kind=Notification.Kind.ACTION_NEEDED).values_list(
            "recipient", flat=True
        )
    )
    assert asked == {partnership.leads[p].pk for p in (ICB, POLICE)} | {
        partnership.delegates[p].pk for p in (ICB, POLICE)
    }
    note = Notification.objects.filter(recipient=partnership.leads[ICB]).get()
    assert "partners' response" in note.title
    sign(draft, partnership.delegates[ICB])
    assert Notification.objects.get(pk=note.pk).resolved_at is not None
    assert Notification.objects.get(recipient=partnership.leads[POLICE]).resolved_at is None


def test_publication_waits_for_three_partners_signatures_on_the_latest_version(draft, partnership):
    publish = review_workflow.step_named(draft.review, "publish")
    assert publish is not None

    sign(draft, partnership.leads[LA])
    sign(draft, partnership.leads[ICB])
    (problem,) = lifecycle.response_signed(draft.review)
    assert "still to sign: West Police (chief officer of police)" in problem
    assert problem in review_workflow.blockers(draft.review, publish)

    sign(draft, partnership.leads[POLICE])
    assert lifecycle.response_signed(draft.review) == []

    services.response_version_create(review=draft.review, user=partnership.manager)
    (problem,) = lifecycle.response_signed(draft.review)
    assert f"version {draft.number + 1}" in problem and "West Council Children's Services" in problem


def test_the_lscb_chair_still_signs_alone(world):
    review = at_stage(world.north_review, State.RESPONSE)
    finding(review)
    draft = services.response_version_create(review=review, user=world.north_manager)
    with pytest.raises(services.ResponseRefused, match="chair"):
        sign(draft, world.north_member)
    version = sign(draft, world.north_chair)

    assert version.is_signed and version.signed_by == world.north_chair
    assert not PartnerSignature.objects.exists()
    assert lifecycle.response_signed(review) == []


# The printed response ----------------------------------------------------------------------------------


def test_the_printed_response_shows_the_three_partners_signatures_in_the_partnership_s_words(
    draft, partnership, settings, tmp_path
):
    from documents.content import response_context
    from tests.documents.test_content import Printed, printed_name

    settings.MEDIA_ROOT = str(tmp_path / "media")
    police = partnership.delegates[POLICE]
    type(police).objects.filter(pk=police.pk).update(full_name="Pat <b>Reid</b>")
    sign(draft, partnership.leads[LA])
    sign(draft, partnership.delegates[ICB])
    signed = sign(draft, partnership.delegates[POLICE])

    printed = Printed("response", response_context(signed))

    assert "&lt;b&gt;Reid&lt;/b&gt;" in printed.html and "<b>Reid" not in printed.html
    last = printed.pages[-1]
    assert "The statutory partners' signatures" in last
    for user, partner in ((partnership.leads[LA], LA), (partnership.delegates[ICB], ICB)):
        assert printed_name(user.get_full_name(), last)
        assert printed_name(partnership.agencies[partner].name, last)
    assert printed_name("Pat <b>Reid</b>", last) and printed_name("West Police", last)
    assert signed.digest in re.sub(r"\s+", "", last)
    for word in (
        "the board",
        "board's",
        "chair",
        "serious case review",
        "lscb",
    ):  # not the integrated care board
        assert word not in printed.flat.lower(), word
    assert "partners' response" in printed.flat


def test_the_list_of_versions_says_how_many_partners_signed_the_draft(draft, partnership, client):
    sign(draft, partnership.leads[LA])
    client.force_login(partnership.manager)

    page = client.get(reverse("response_versions", args=[draft.review.pk])).content.decode()

    assert "Signed by 1 of the 3 statutory partners so far" in page

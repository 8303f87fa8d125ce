"""A business manager's confirmed retention decision is applied by a worker, not by the request (the largest
review takes seconds at national scale): the confirmation checks and records it and sends the manager to
its page, which shows it waiting, being applied, then what was removed, or why nothing was. Applied once or
not at all: one decision on its way per review, the work and its end in one transaction, a rerun changes
nothing, a refused or failed one leaves the review as it was."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from kombu.exceptions import OperationalError

from records import services
from records.models import Disposal, DisposalRequest
from records.tasks import apply_disposal, requeue_stale
from reviews.models import Review
from tests.records.conftest import FAMILY, tables_containing

Status = DisposalRequest.Status


def _confirm(client, world, review, decision: str = "anonymise", run=None, **extra):
    url = reverse("retention_confirm", args=[world.north.pk, review.pk])
    data = {"decision": decision, "reference": review.reference, **extra}
    if run is None:
        return client.post(url, data)
    with run(execute=True):
        return client.post(url, data)


def _page(world, decision: DisposalRequest, status: bool = False) -> str:
    name = "retention_decision_status" if status else "retention_decision"
    return reverse(name, args=[world.north.pk, decision.pk])


def _request(world, review, kind: str = Disposal.Kind.ANONYMISE, **extra) -> DisposalRequest:
    return services.disposal_request(
        review=review,
        board=world.north,
        user=world.north_manager,
        kind=kind,
        typed_reference=review.reference,
        channel="portal",
        **extra,
    )


def test_confirming_records_the_decision_and_changes_nothing_until_the_worker_applies_it(client, rich, world):
    client.force_login(world.north_manager)
    response = _confirm(client, world, rich.review, other_names=FAMILY)  # the worker's part does not run

    decision = DisposalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == _page(world, decision)
    assert (decision.status, decision.kind, decision.review_reference, decision.other_names) == (
        Status.QUEUED,
        "anonymise",
        "NSCB-1",
        [FAMILY],
    )
    assert decision.requested_by == world.north_manager and decision.board == world.north
    assert not Disposal.objects.exists() and tables_containing(FAMILY)  # nothing done yet

    page = client.get(response["Location"]).text
    assert "Waiting to be applied" in page and f'hx-get="{_page(world, decision, status=True)}"' in page
    assert client.get(_page(world, decision, status=True)).status_code == 200  # still polling
    # The review's decision page and the list lead to the decision on its way, not to a second one.
    confirm = client.get(reverse("retention_confirm", args=[world.north.pk, rich.review.pk]))
    assert confirm.status_code == 302 and confirm["Location"] == _page(world, decision)
    listed = client.get(reverse("retention_due", args=[world.north.pk])).text
    assert "Anonymise: waiting to be applied" in listed and _page(world, decision) in listed

    assert services.disposal_apply(decision.pk) == "done"

    decision.refresh_from_db()
    record = Disposal.objects.get()
    assert (decision.status, decision.disposal, decision.attempts) == (Status.DONE, record, 1)
    assert decision.other_names == []  # the names given are not kept once used
    assert record.confirmed_by == world.north_manager and record.removed["other_names_given"] == 1
    assert tables_containing(FAMILY) == {}
    panel = client.get(_page(world, decision, status=True))
    assert panel.status_code == 286 and "NSCB-1 is anonymised." in panel.text  # the polling stops
    assert "hx-get" not in client.get(_page(world, decision)).text


def test_applying_again_changes_nothing(rich, world):
    decision = _request(world, rich.review, kind=Disposal.Kind.DELETE)
    assert services.disposal_apply(decision.pk) == "done"
    assert services.disposal_apply(decision.pk) == "already done"
    assert apply_disposal.apply(args=[decision.pk]).get() == "already done"
    assert Disposal.objects.count() == 1 and not Review.objects.filter(pk=rich.review.pk).exists()
    assert services.disposal_apply(10**9) == "missing"


def test_one_decision_on_its_way_per_review(client, rich, world):
    first = _request(world, rich.review, other_names=[FAMILY])
    # A double click, or another business manager deciding the other way meanwhile: the first stands.
    assert _request(world, rich.review, kind=Disposal.Kind.DELETE) == first
    client.force_login(world.north_manager)
    response = client.post(
        reverse("retention_confirm", args=[world.north.pk, rich.review.pk]),
        {"decision": "delete", "reference": rich.review.reference},
    )
    assert response["Location"] == _page(world, first)
    assert DisposalRequest.objects.count() == 1
    # The database holds the rule too, whatever the code does.
    with pytest.raises(IntegrityError), transaction.atomic():
        DisposalRequest.objects.create(
            board=world.north,
            review_id=rich.review.pk,
            review_reference="NSCB-1",
            kind="delete",
            channel="portal",
            requested_by=world.north_manager,
        )


def test_the_decision_is_checked_when_confirmed(rich, world):
    with pytest.raises(services.RetentionRefused, match="exactly as shown"):
        services.disposal_request(
            review=rich.review,
            board=world.north,
            user=world.north_manager,
            kind="delete",
            typed_reference="NSCB-2",
            channel="portal",
        )
    with pytest.raises(services.RetentionRefused, match="Only a business manager"):
        services.disposal_request(
            review=rich.review,
            board=world.north,
            user=world.north_chair,
            kind="delete",
            typed_reference=rich.review.reference,
            channel="portal",
        )
    assert not DisposalRequest.objects.exists()


def test_a_decision_no_longer_possible_when_the_worker_runs_is_refused_and_changes_nothing(
    client, rich, world
):
    decision = _request(world, rich.review, other_names=[FAMILY])
    world.north.retention_years = 50  # the period was lengthened meanwhile: the review is no longer due
    world.north.save()

    assert apply_disposal.apply(args=[decision.pk]).get() == "refused"

    decision.refresh_from_db()
    assert decision.status == Status.FAILED and decision.other_names == []
    assert decision.error == "NSCB-1 is still inside North Safeguarding Children Board's retention period."
    assert not Disposal.objects.exists() and tables_containing(FAMILY)
    client.force_login(world.north_manager)
    page = client.get(_page(world, decision)).text
    assert "The decision could not be applied" in page and "Nothing was changed." in page
    assert "Decide again" not in page  # not due any more


def test_a_decision_that_fails_part_way_leaves_the_review_as_it_was_and_can_be_made_again(
    client, rich, world, monkeypatch, django_capture_on_commit_callbacks
):
    rows_before = Review.objects.filter(pk=rich.review.pk).count() + Disposal.objects.count()
    real = services._remove_history

    def broken(held):
        real(held)  # the history is already gone when it breaks: the transaction must bring it back
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_remove_history", broken)
    client.force_login(world.north_manager)
    response = _confirm(client, world, rich.review, "delete", run=django_capture_on_commit_callbacks)

    decision = DisposalRequest.objects.get()
    assert decision.status == Status.FAILED and decision.error == "RuntimeError: the database went away"
    assert Review.objects.filter(pk=rich.review.pk).count() + Disposal.objects.count() == rows_before
    assert rich.review.history.exists() and tables_containing(FAMILY)
    page = client.get(response["Location"]).text
    confirm_url = reverse("retention_confirm", args=[world.north.pk, rich.review.pk])
    assert "RuntimeError: the database went away" in page and confirm_url in page  # decide again
    listed = client.get(reverse("retention_due", args=[world.north.pk])).text
    assert "The last decision could not be applied" in listed and confirm_url in listed

    monkeypatch.undo()
    again = _confirm(client, world, rich.review, "delete", run=django_capture_on_commit_callbacks)
    assert again["Location"] != response["Location"]  # a new decision, recorded as such
    assert not Review.objects.filter(pk=rich.review.pk).exists()
    assert list(DisposalRequest.objects.order_by("pk").values_list("status", flat=True)) == [
        Status.FAILED,
        Status.DONE,
    ]


def test_decisions_the_queue_missed_are_handed_out_again_and_applied_once(rich, world):
    now = timezone.now()
    decision = _request(world, rich.review)  # applied at once only on commit, which never comes here
    # A worker on another machine took it and died: "being applied", nothing changed (its transaction was
    # lost), and its lease runs out in 30 seconds.
    DisposalRequest.objects.filter(pk=decision.pk).update(
        status=Status.WORKING,
        started_at=now,
        attempts=1,
        claimed_by="another-machine:4242",
        lease_until=now + timedelta(seconds=30),
    )
    assert services.disposals_requeue_stale(now) == 0  # its lease still runs: it may be alive
    DisposalRequest.objects.filter(pk=decision.pk).update(lease_until=now - timedelta(seconds=1))

    assert requeue_stale.apply().get() == 1

    decision.refresh_from_db()
    assert (decision.status, decision.attempts) == (Status.DONE, 2)
    assert Disposal.objects.count() == 1
    assert requeue_stale.apply().get() == 0


@pytest.mark.django_db(transaction=True)
def test_the_queue_being_away_leaves_the_decision_queued_and_says_so(client, rich, world):
    client.force_login(world.north_manager)
    with mock.patch("records.tasks.apply_disposal.delay", side_effect=OperationalError("Connection refused")):
        response = _confirm(client, world, rich.review)

    assert response.status_code == 302
    assert DisposalRequest.objects.get().status == Status.QUEUED and not Disposal.objects.exists()
    page = client.get(response["Location"]).text
    assert escape(services.RETENTION_DELAYED) in page and "Waiting to be applied" in page
    DisposalRequest.objects.update(requested_at=timezone.now() - timedelta(minutes=5))
    assert "This is taking longer than usual" in client.get(response["Location"]).text


def test_only_the_boards_business_managers_see_its_decisions(client, rich, world):
    decision = _request(world, rich.review)
    for url in (_page(world, decision), _page(world, decision, status=True)):
        for person, expected in (
            (world.north_manager, 200),
            (world.south_manager, 404),
            (world.east_manager, 404),
            (world.north_member, 403),
            (world.north_chair, 403),
        ):
            client.force_login(person)
            assert client.get(url).status_code == expected, (url, person)
    # Another board's page with this decision's number: not found.
    client.force_login(world.south_manager)
    url = reverse("retention_decision", args=[world.south.pk, decision.pk])
    assert client.get(url).status_code == 404

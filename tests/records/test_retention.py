"""Retention under UK GDPR: which reviews are due, who may decide, and what anonymising and deleting leave
behind, searched for in every column of every table, history tables included."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from commissioning.models import ToRComment
from records import retention, services
from records.models import Disposal
from records.policy import BY_LABEL, PARTS, file_fields, models_under_reviews, person_fields, text_fields
from responses.models import Action, Finding, ResponseVersion
from reviews.models import Review
from tests.records.conftest import (
    ATTENDEE,
    CHAIRED_BY,
    FAMILY,
    FIRST_NAME,
    PSEUDONYM,
    close,
    tables_containing,
    years_ago,
)

# The account tables hold each person's own name, which outlives any review they worked on.
ACCOUNT_TABLES = ("accounts_user", "accounts_historicaluser")


def _anonymise(rich, world, **extra):
    return services.review_anonymise(
        review_id=rich.review.pk,
        board=world.north,
        user=world.north_manager,
        typed_reference=rich.review.reference,
        channel="portal",
        **extra,
    )


# The policy covers everything ---------------------------------------------------------------------


def test_the_policy_names_every_model_under_a_review():
    assert {p.label for p in PARTS} == models_under_reviews()


@pytest.mark.parametrize("part", PARTS, ids=[p.label for p in PARTS])
def test_the_policy_says_what_happens_to_every_text_field_file_and_person(part):
    if part.remove:
        return
    model = part.model
    listed = {*part.keep, *part.clear, *part.people, *part.files, *part.plain, *(f for f, _ in part.relabel)}
    parent = {part.parent} if part.parent else set()
    unlisted = [
        f.name
        for f in [*text_fields(model), *person_fields(model), *file_fields(model)]
        if f.name not in listed | parent
    ]
    assert not unlisted, f"{part.label}: say whether to keep, clear or move {unlisted}"


# Which reviews are due --------------------------------------------------------------------------------


def test_a_review_is_due_the_day_after_its_period_runs_out_not_on_the_anniversary(world):
    world.north.retention_years = 10
    world.north.save()
    on_the_day, day_after = world.north_review, world.cross_border_review
    close(on_the_day, years_ago(10))
    close(day_after, years_ago(10, days=1))

    due = retention.due_for_board(world.north)

    assert [d.review.reference for d in due] == [day_after.reference]
    assert due[0].kept_until == years_ago(0, days=1)
    assert retention.is_due(on_the_day, world.north).__class__ is type(None)


def test_the_period_is_the_boards_own_and_open_reviews_are_never_due(world):
    close(world.north_review, years_ago(20))
    close(world.south_review, years_ago(20))
    world.south.retention_years = 15
    world.south.save()
    assert retention.due_for_board(world.north) == []  # North keeps for the default 25 years
    assert [d.review for d in retention.due_for_board(world.south)] == [world.south_review]
    assert retention.is_due(world.cross_border_review, world.north, date(2200, 1, 1)) is None  # still open


def test_a_withdrawn_review_counts_from_the_day_it_was_withdrawn(world):
    from datetime import datetime, time

    from django.utils import timezone

    ended = years_ago(25, days=1)
    moment = timezone.make_aware(datetime.combine(ended, time(12)))
    Review.objects.filter(pk=world.north_review.pk).update(state="withdrawn", state_changed_at=moment)
    due = retention.due_for_board(world.north)
    assert [(d.review.pk, d.ended_on) for d in due] == [(world.north_review.pk, ended)]


def test_twenty_ninth_of_february_is_kept_until_the_twenty_eighth():
    assert retention.add_years(date(2024, 2, 29), 25) == date(2049, 2, 28)
    assert retention.add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_the_command_lists_reviews_due_per_board(world):
    close(world.north_review, years_ago(30))
    out = StringIO()
    call_command("retention", stdout=out)
    text = out.getvalue()
    assert "North Safeguarding Children Board (keeps records for 25 years" in text
    assert world.north_review.reference in text
    assert "South Safeguarding Children Board" in text
    assert text.count("No reviews are due.") == 2  # South and East


# Who may decide -----------------------------------------------------------------------------------


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_only_the_boards_business_manager_reaches_the_retention_pages(client, world):
    close(world.north_review, years_ago(30))
    pk, review_pk = world.north.pk, world.north_review.pk
    for name, args in (
        ("retention_due", (pk,)),
        ("retention_period", (pk,)),
        ("retention_confirm", (pk, review_pk)),
    ):
        assert _get(client, world.north_manager, name, *args).status_code == 200, name
        assert _get(client, world.south_manager, name, *args).status_code == 404, name  # another board's
        assert _get(client, world.east_manager, name, *args).status_code == 404, name
        for person in (world.north_member, world.north_chair):
            assert _get(client, person, name, *args).status_code == 403, name


def test_the_list_shows_the_boards_due_reviews(client, world):
    close(world.north_review, years_ago(30))
    page = _get(client, world.north_manager, "retention_due", world.north.pk).content.decode()
    assert world.north_review.reference in page
    assert reverse("retention_confirm", args=[world.north.pk, world.north_review.pk]) in page
    assert world.cross_border_review.reference not in page  # still open


def test_a_review_not_due_has_no_decision_page(client, world):
    close(world.north_review, years_ago(1))
    response = _get(client, world.north_manager, "retention_confirm", world.north.pk, world.north_review.pk)
    assert response.status_code == 404


def test_a_manager_of_a_participating_board_cannot_decide_for_the_lead_board(client, world):
    close(world.cross_border_review, years_ago(30))
    response = _get(
        client, world.south_manager, "retention_confirm", world.south.pk, world.cross_border_review.pk
    )
    assert response.status_code == 404  # not South's review to decide on
    with pytest.raises(services.RetentionRefused, match="not led by"):
        services.review_anonymise(
            review_id=world.cross_border_review.pk,
            board=world.south,
            user=world.south_manager,
            typed_reference="NSCB-X",
            channel="portal",
        )


def test_the_manager_can_change_the_period(client, world):
    client.force_login(world.north_manager)
    url = reverse("retention_period", args=[world.north.pk])
    assert client.post(url, {"retention_years": "0"}).status_code == 200
    response = client.post(url, {"retention_years": "7"})
    assert response.status_code == 302
    world.north.refresh_from_db()
    assert world.north.retention_years == 7
    assert world.north.history.first().retention_years == 7  # audited like any change to the board


# Confirmation -------------------------------------------------------------------------------------


def test_nothing_happens_without_typing_the_reference(client, rich, world):
    client.force_login(world.north_manager)
    url = reverse("retention_confirm", args=[world.north.pk, rich.review.pk])
    for typed in ("", "nscb-1", "NSCB-2"):
        response = client.post(url, {"decision": "delete", "reference": typed})
        assert response.status_code == 200
        assert "Type the" in response.content.decode()
    assert Review.objects.filter(pk=rich.review.pk).exists()
    assert not Disposal.objects.exists()
    with pytest.raises(services.RetentionRefused, match="exactly as shown"):
        services.review_delete(
            review_id=rich.review.pk,
            board=world.north,
            user=world.north_manager,
            typed_reference="x",
            channel="portal",
        )


def test_only_a_business_manager_can_confirm_through_the_service(rich, world):
    with pytest.raises(services.RetentionRefused, match="Only a business manager"):
        services.review_anonymise(
            review_id=rich.review.pk,
            board=world.north,
            user=world.north_chair,
            typed_reference=rich.review.reference,
            channel="portal",
        )


# Anonymise ----------------------------------------------------------------------------------------


def test_anonymising_removes_every_personal_value_from_every_table(
    rich, world, django_capture_on_commit_callbacks
):
    people = [world.north_member, world.north_manager, world.north_chair, world.north_reviewer]
    before = {value: tables_containing(value) for value in (FAMILY, FIRST_NAME, ATTENDEE, CHAIRED_BY)}
    assert all(before.values()), before  # the values are really there to begin with
    assert "reviews_historicalchild" in before[FIRST_NAME]  # and an old value lives on in history

    with django_capture_on_commit_callbacks(execute=True):
        _anonymise(rich, world, other_names=[FAMILY])

    for value in (FAMILY, FIRST_NAME, ATTENDEE, CHAIRED_BY, PSEUDONYM, "10.1.2.3"):
        assert tables_containing(value) == {}, value
    for person in people:
        for value in (person.full_name, person.email):
            # Their accounts remain (they work on other reviews); nothing of this review names them.
            assert set(tables_containing(value)) <= {*ACCOUNT_TABLES, "django_session"}, value
    for name in rich.files:
        assert not (Path(rich.review.final_report.storage.location) / name).exists(), name


def test_anonymising_moves_every_person_reference_to_the_placeholder(rich, world):
    _anonymise(rich, world, other_names=[FAMILY])
    placeholder = services.placeholder_person()
    held = services.holdings_of(rich.review)
    for part in PARTS:
        for f in person_fields(part.model):
            ids = set(
                part.model.objects.filter(pk__in=held.current[part.label]).values_list(f.attname, flat=True)
            )
            assert ids <= {placeholder.pk, None}, f"{part.label}.{f.name}"
    assert not placeholder.is_active and not placeholder.has_usable_password()


def test_anonymising_keeps_the_learning(rich, world):
    _anonymise(rich, world)

    review = Review.objects.get(pk=rich.review.pk)
    assert (review.reference, review.state, review.closed_on) == (
        rich.review.reference,
        "closed",
        rich.review.closed_on,
    )
    assert review.case_summary == "[removed]" and not review.final_report
    assert list(review.children.values_list("pseudonym", "outcome")) == [("Child 1", "seriously_harmed")]
    finding = Finding.objects.get(pk=rich.finding.pk)
    # The surname is not a name the portal knows and was not given: the title keeps it (see the next test).
    assert finding.title == f"Agencies lost track of the {FAMILY} family"
    assert (finding.position, finding.text, finding.position_reason) == ("accepted", "[removed]", "[removed]")
    assert set(finding.themes.values_list("name", flat=True)) == {"Neglect", "Information sharing"}
    action = Action.objects.get(pk=rich.action.pk)
    assert action.description == "Track children who move schools, as [name removed] did"
    assert (action.status, action.completed_on, action.priority) == ("completed", rich.action.completed_on, 1)
    assert list(action.updates.values_list("status_to", "text")) == [("completed", "[removed]")]
    assert review.timeline.filter(title="Added [name removed]").exists()
    assert review.engagement_activities.get().description == "Seven-minute briefing on children who move"
    assert not ResponseVersion.objects.filter(review=review).exists()
    assert review.timeline.get(title__startswith="Anonymised").actor is None
    # One fresh history row per kept row, saying why.
    assert list(review.history.values_list("history_change_reason", flat=True)) == [services.CHANGE_REASON]


def test_the_manager_anonymises_in_the_portal(client, rich, world, django_capture_on_commit_callbacks):
    client.force_login(world.north_manager)
    url = reverse("retention_confirm", args=[world.north.pk, rich.review.pk])
    page = client.get(url).content.decode()
    assert "Type NSCB-1 exactly as shown" in page and "3 findings" not in page and "1 finding" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "anonymise", "other_names": f"  {FAMILY}  \n\n", "reference": " NSCB-1 "}
        )
    record = Disposal.objects.get()
    decision = record.request  # applied by the worker (in the embedded default, as the request commits)
    assert response.status_code == 302
    assert response["Location"] == reverse("retention_decision", args=[world.north.pk, decision.pk])
    assert (record.kind, record.channel, record.removed["other_names_given"]) == ("anonymise", "portal", 1)
    assert tables_containing(FAMILY) == {}
    page = client.get(response["Location"]).content.decode()
    assert "NSCB-1 is anonymised." in page and "stored files removed" in page
    page = client.get(reverse("retention_due", args=[world.north.pk])).content.decode()
    assert "No review is due." in page and "Anonymised" in page


def test_names_the_manager_adds_are_removed_from_kept_text(rich, world):
    _anonymise(rich, world, other_names=[FAMILY])
    assert Finding.objects.get(pk=rich.finding.pk).title == "Agencies lost track of the [name removed] family"


def test_an_anonymised_review_is_no_longer_due_and_cannot_be_anonymised_twice(rich, world):
    _anonymise(rich, world)
    assert retention.due_for_board(world.north) == []
    with pytest.raises(services.RetentionRefused, match="already been anonymised"):
        _anonymise(rich, world)


def test_the_anonymised_review_still_opens(client, rich, world):
    _anonymise(rich, world, other_names=[FAMILY])
    client.force_login(world.north_manager)
    for name in ("review_detail", "review_history"):
        response = client.get(reverse(name, args=[rich.review.pk]))
        assert response.status_code == 200, name
        assert FAMILY not in response.content.decode()


# Delete -------------------------------------------------------------------------------------------


def test_deleting_removes_the_review_its_rows_history_and_files(
    client, rich, world, django_capture_on_commit_callbacks
):
    client.force_login(world.north_manager)
    url = reverse("retention_confirm", args=[world.north.pk, rich.review.pk])
    held = services.holdings_of(rich.review)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "delete", "reference": rich.review.reference})
    assert response.status_code == 302

    assert not Review.objects.filter(pk=rich.review.pk).exists()
    page = client.get(response["Location"]).content.decode()  # the decision's page outlives the review
    assert "NSCB-1 is deleted." in page and "1 review removed" in page
    for part in PARTS:
        assert not part.model.objects.filter(pk__in=held.current[part.label]).exists(), part.label
        if part.history_model is not None:
            assert not part.history_model.objects.filter(id__in=held.known[part.label]).exists(), part.label
    for value in (FAMILY, FIRST_NAME, ATTENDEE, CHAIRED_BY, "10.1.2.3"):
        assert tables_containing(value) == {}, value
    for name in rich.files:
        assert not (Path(rich.review.final_report.storage.location) / name).exists(), name
    # The rest of the board is untouched.
    assert Review.objects.filter(pk__in=[world.south_review.pk, world.cross_border_review.pk]).count() == 2


def test_the_audit_record_survives_the_deletion_and_says_what_was_removed(client, rich, world):
    comments = ToRComment.objects.filter(section__version__review=rich.review).count()
    services.review_delete(
        review_id=rich.review.pk,
        board=world.north,
        user=world.north_manager,
        typed_reference=rich.review.reference,
        channel="portal",
    )
    record = Disposal.objects.get()
    assert (record.review_id, record.review_reference, record.kind) == (rich.review.pk, "NSCB-1", "delete")
    assert record.confirmed_by == world.north_manager and record.board == world.north
    assert record.removed["rows"]["reviews.Review"] == 1
    assert record.removed["rows"]["commissioning.ToRComment"] == comments
    assert record.removed["files"] == len(rich.files) and record.removed["history_rows"] > 0
    assert record.signatures[0]["sha256"] == rich.signed_digest  # a copy kept elsewhere can still be matched
    page = _get(client, world.north_manager, "retention_due", world.north.pk).content.decode()
    assert "NSCB-1" in page and "Deleted" in page and "1 review removed" in page
    with pytest.raises(ValueError, match="never changed"):
        record.save()


# The command --------------------------------------------------------------------------------------


def test_the_command_applies_a_confirmed_decision_and_checks_who_confirmed(rich, world):
    with pytest.raises(CommandError, match="Only a business manager of North"):
        call_command("retention", anonymise="NSCB-1", confirmed_by=world.south_manager.email, no_input=True)
    with pytest.raises(CommandError, match="No active account"):
        call_command("retention", anonymise="NSCB-1", confirmed_by="nobody@example.org", no_input=True)
    assert not Disposal.objects.exists()

    out = StringIO()
    call_command(
        "retention",
        anonymise="NSCB-1",
        confirmed_by=world.north_manager.email.upper(),
        other_name=[FAMILY],
        no_input=True,
        stdout=out,
    )
    record = Disposal.objects.get()
    assert (record.kind, record.channel, record.confirmed_by) == ("anonymise", "command", world.north_manager)
    assert "NSCB-1 anonymised" in out.getvalue() and "stored files removed" in out.getvalue()
    assert tables_containing(FAMILY) == {}


def test_the_command_asks_for_the_reference_again(rich, world, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "NSCB-9")
    with pytest.raises(CommandError, match="exactly as shown"):
        call_command("retention", delete="NSCB-1", confirmed_by=world.north_manager.email)
    assert Review.objects.filter(pk=rich.review.pk).exists()


def test_every_part_is_reachable_by_its_parent():
    for part in PARTS:
        if part.parent:
            assert part.parent_label in BY_LABEL
            assert part.model._meta.get_field(part.parent).related_model._meta.label == part.parent_label

"""Actions agreed in response to a review (QM 15): who may agree, change and update them; what the form
checks; the status machine (impact needs evidence, deferral needs a reason and a date); evidence files (type
and size checks, several at once, downloads scoped to the review); the action plans and their filters; the
daily reminders; and the home page's action sections."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from responses.actions import reminders, services, workflow
from responses.actions.forms import ProgressForm
from responses.models import Action, ActionUpdate, Evidence
from reviews.models import Membership, Notification, Review, Role, TimelineEntry
from reviews.notifications import muted
from scr_portal.uploads import MAX_DOCUMENT_BYTES
from tests.conftest import World
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, member_of
from tests.responses.helpers import (
    PDF_BYTES,
    action,
    agency_of,
    at_stage,
    finding,
    plan_priority,
    shown_actions,
)

pytestmark = pytest.mark.django_db

Status = Action.Status
TODAY = timezone.localdate


def _date(prefix: str, d: date) -> dict:
    return {f"{prefix}_0": d.day, f"{prefix}_1": d.month, f"{prefix}_2": d.year}


@pytest.fixture
def review(world: World) -> Review:
    return at_stage(world.north_review)


@pytest.fixture
def findings(review: Review) -> list:
    return [finding(review, 1, title="Bruising not referred"), finding(review, 2, title="No escalation")]


def _agree_data(world: World, chosen, **changes) -> dict:
    data = {
        "findings": [f.pk for f in chosen],
        "description": "Audit how health visitors refer bruising in non-mobile babies.",
        "kind": Action.Kind.PRACTICAL,
        "function": Action.Function.MONITOR,
        "level": Action.Level.MULTI_AGENCY,
        "owner_agency": agency_of(world.north_member, world.north).pk,
        "owner": world.north_member.pk,
        "priority": Action.Priority.HIGH,
        "priority_reason": "Babies are at risk now.",
        "plan_priority": "",
        **_date("due_on", TODAY() + timedelta(days=90)),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _agree(client, review, data):
    return client.post(reverse("action_create", args=[review.pk]), data)


def _errors(response) -> str:
    return " ".join(str(e) for errors in response.context["form"].errors.values() for e in errors)


def _progress_url(a: Action) -> str:
    return reverse("action_progress", args=[a.review_id, a.number])


def _status_url(a: Action) -> str:
    return reverse("action_status", args=[a.review_id, a.number])


def _pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _png(name: str = "chart.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")


def _progress(a: Action, user, *, on=None, text="Training delivered to 40 staff.", **kwargs) -> ActionUpdate:
    a.review = Review.objects.get(pk=a.review_id)
    return services.action_progress_record(action=a, user=user, on=on or TODAY(), text=text, **kwargs)


def _upload(file) -> services.Upload:
    from scr_portal.uploads import sniff

    return services.Upload(file, sniff(file))


# Agreeing an action -----------------------------------------------------------------------------------


def test_business_manager_agrees_an_action_numbered_next_and_the_owner_is_told(
    client, world, review, findings, django_capture_on_commit_callbacks
):
    client.force_login(world.north_manager)
    priority = plan_priority(world.north)

    with django_capture_on_commit_callbacks(execute=True):
        first = _agree(client, review, _agree_data(world, findings[:1], plan_priority=priority.pk))
        second = _agree(client, review, _agree_data(world, findings, priority=Action.Priority.LOW))

    assert first.status_code == 302 and second.status_code == 302
    one, two = Action.objects.filter(review=review).order_by("number")
    assert (one.number, two.number) == (1, 2)
    assert first["Location"] == reverse("action_detail", args=[review.pk, 1])
    assert list(one.findings.all()) == findings[:1]
    assert set(two.findings.all()) == set(findings)
    assert one.plan_priority == priority and one.status == Status.AGREED
    assert one.owner == world.north_member and one.created_by == world.north_manager
    assert TimelineEntry.objects.filter(review=review, title="Action 1 agreed").exists()
    told = Notification.objects.get(
        recipient=world.north_member, key=f"action:{one.pk}:owner:{world.north_member.pk}"
    )
    assert told.path == reverse("action_detail", args=[review.pk, 1])
    assert "you own action 1" in told.title


@pytest.mark.parametrize("person", ["north_member", "north_chair"])
def test_only_the_business_manager_may_agree_actions(client, world, review, findings, person):
    client.force_login(getattr(world, person))

    response = _agree(client, review, _agree_data(world, findings))

    assert response.status_code == 403
    assert not Action.objects.exists()


def test_nobody_agrees_actions_before_the_report_is_in(client, world, findings):
    Review.objects.filter(pk=world.north_review.pk).update(state="in_progress")
    client.force_login(world.north_manager)

    assert _agree(client, world.north_review, _agree_data(world, findings)).status_code == 403


def test_another_boards_manager_cannot_see_the_review_at_all(client, world, review, findings):
    client.force_login(world.east_manager)

    assert _agree(client, review, _agree_data(world, findings)).status_code == 404


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"findings": []}, "Select the findings this action responds to"),
        ({"priority_reason": ""}, "Enter why the action has this priority"),
        ({"description": ""}, "Enter what will be done"),
        ({"kind": None}, "Select the kind of action"),
        ({"owner_agency": ""}, "Select the owner agency"),
        ({"owner": ""}, "Select the named owner"),
        ({"priority": None}, "Select the priority"),
        (_date("due_on", date(2020, 1, 1)), "The due date cannot be in the past"),
        ({"due_on_0": "", "due_on_1": "", "due_on_2": ""}, "Enter the due date"),
    ],
)
def test_the_action_form_says_what_is_missing(client, world, review, findings, changes, message):
    client.force_login(world.north_manager)

    response = _agree(client, review, _agree_data(world, findings, **changes))

    assert response.status_code == 200
    assert message in _errors(response)
    assert not Action.objects.exists()


def test_a_board_member_can_only_own_their_own_agencys_actions(client, world, review, findings):
    other = AgencyFactory(name="North Police", boards=[world.north])
    client.force_login(world.north_manager)

    response = _agree(client, review, _agree_data(world, findings, owner_agency=other.pk))

    assert response.status_code == 200
    represents = agency_of(world.north_member, world.north).name
    assert f"acts for {represents}, so they can only own actions of {represents}" in _errors(response)
    assert not Action.objects.exists()


def test_a_business_manager_or_chair_may_own_any_agencys_action(client, world, review, findings):
    other = AgencyFactory(name="North Police", boards=[world.north])
    client.force_login(world.north_manager)

    response = _agree(
        client, review, _agree_data(world, findings, owner_agency=other.pk, owner=world.north_chair.pk)
    )

    assert response.status_code == 302
    assert Action.objects.get().owner == world.north_chair


def test_the_owner_list_says_which_agency_each_member_goes_with(client, world, review, findings):
    """The named-owner list follows the chosen agency (portal.js hides the others): each board member's
    option names the agencies they represent; managers and chairs, who may own any agency's action, name
    none. Without JavaScript all stay listed and the form refuses a mismatch (the test above)."""
    client.force_login(world.north_manager)

    page = client.get(reverse("action_create", args=[review.pk])).content.decode()

    represents = agency_of(world.north_member, world.north).pk
    assert 'data-follows="id_owner_agency"' in page
    assert f'<option value="{world.north_member.pk}" data-for="{represents}"' in page
    assert f'<option value="{world.north_manager.pk}">' in page
    assert f'<option value="{world.north_chair.pk}">' in page


@pytest.mark.parametrize("person", ["east_manager", "north_reviewer"])
def test_the_owner_must_hold_a_board_role_on_the_reviews_boards(client, world, review, findings, person):
    client.force_login(world.north_manager)

    response = _agree(client, review, _agree_data(world, findings, owner=getattr(world, person).pk))

    assert "Select a valid choice" in _errors(response) or "Choose someone with a role" in _errors(response)
    assert not Action.objects.exists()


def test_findings_and_plan_priorities_of_others_cannot_be_linked(client, world, review, findings):
    elsewhere = finding(at_stage(world.south_review))
    south_priority = plan_priority(world.south)
    client.force_login(world.north_manager)

    response = _agree(
        client,
        review,
        _agree_data(world, findings, findings=[elsewhere.pk], plan_priority=south_priority.pk),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "findings" in errors and "plan_priority" in errors
    assert not Action.objects.exists()


def test_on_a_cross_border_review_people_and_agencies_of_every_board_can_own_actions(client, world):
    review = at_stage(world.cross_border_review)
    found = finding(review)
    client.force_login(world.north_manager)

    data = _agree_data(
        world,
        [found],
        owner=world.south_member.pk,
        owner_agency=agency_of(world.south_member, world.south).pk,
    )
    response = _agree(client, review, data)

    assert response.status_code == 302
    assert Action.objects.get(review=review).owner == world.south_member


def test_the_create_page_asks_for_findings_first_when_there_are_none(client, world, review):
    client.force_login(world.north_manager)

    response = client.get(reverse("action_create", args=[review.pk]))

    assert response.status_code == 200
    assert "Record the findings first" in response.text
    assert 'method="post" novalidate' not in response.text


def test_service_refuses_what_the_form_would_have_caught(world, review, findings):
    details = services.ActionDetails(
        findings=list(findings),
        description="x",
        kind=Action.Kind.STRATEGIC,
        function=Action.Function.COORDINATE,
        level=Action.Level.NATIONAL,
        owner_agency=AgencyFactory(name="North Police", boards=[world.north]),
        owner=world.north_member,
        priority=1,
        priority_reason="x",
        plan_priority=None,
        due_on=TODAY() + timedelta(days=3),
    )
    with pytest.raises(services.ActionRefused, match="can only own actions of"):
        services.action_agree(review=review, user=world.north_manager, details=details)
    details = replace(details, owner=world.north_manager, due_on=TODAY() - timedelta(days=1))
    with pytest.raises(services.ActionRefused, match="cannot be in the past"):
        services.action_agree(review=review, user=world.north_manager, details=details)
    assert not Action.objects.exists()


# Changing an action -----------------------------------------------------------------------------------


def test_changing_the_owner_tells_the_new_owner_and_records_what_changed(
    client, world, review, findings, django_capture_on_commit_callbacks
):
    a = action(review, world.north_member, findings=findings[:1])
    client.force_login(world.north_manager)
    url = reverse("action_edit", args=[review.pk, a.number])
    seen = client.get(url).context["form"].initial["seen"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _agree_data(
                world,
                findings,
                owner=world.north_chair.pk,
                seen=seen,
                **_date("due_on", a.due_on + timedelta(days=7)),
            ),
        )

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.owner == world.north_chair and set(a.findings.all()) == set(findings)
    entry = TimelineEntry.objects.get(review=review, title=f"Action {a.number} changed")
    assert "named owner" in entry.body and "findings" in entry.body and "due date" in entry.body
    assert Notification.objects.filter(
        recipient=world.north_chair, key__startswith=f"action:{a.pk}:owner"
    ).exists()


def test_an_overdue_action_can_be_saved_with_its_due_date_unchanged(client, world, review, findings):
    a = action(review, world.north_member, findings=findings, due_on=TODAY() - timedelta(days=10))
    client.force_login(world.north_manager)
    url = reverse("action_edit", args=[review.pk, a.number])
    seen = client.get(url).context["form"].initial["seen"]

    response = client.post(
        url,
        _agree_data(world, findings, seen=seen, priority_reason="Still urgent.", **_date("due_on", a.due_on)),
    )

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.priority_reason == "Still urgent."


def test_two_people_changing_an_action_never_silently_overwrite_each_other(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_manager)
    url = reverse("action_edit", args=[review.pk, a.number])
    seen = client.get(url).context["form"].initial["seen"]
    Action.objects.filter(pk=a.pk).update(description="Changed by a colleague meanwhile.")

    response = client.post(url, _agree_data(world, findings, seen=seen, description="My version."))

    assert response.status_code == 200
    assert "Someone else changed this action after you opened it" in response.text
    assert "My version." in response.text  # what they typed is kept
    a.refresh_from_db()
    assert a.description == "Changed by a colleague meanwhile."
    # Saving again, having seen the change, goes through.
    again = client.post(
        url,
        _agree_data(
            world, findings, seen=response.context["form"]["seen"].value(), description="My version."
        ),
    )
    assert again.status_code == 302


# Who may record progress ------------------------------------------------------------------------------


def test_owner_records_progress_and_the_action_page_shows_it_newest_first(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_member)

    client.post(
        _progress_url(a), {**_date("on", TODAY() - timedelta(days=3)), "text": "Older update.", "status": ""}
    )
    response = client.post(
        _progress_url(a), {**_date("on", TODAY()), "text": "Newer update.", "status": Status.IN_PROGRESS}
    )

    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.IN_PROGRESS
    page = client.get(reverse("action_detail", args=[review.pk, a.number])).text
    assert page.index("Newer update.") < page.index("Older update.")
    assert "What the colours mean" in page


def test_a_member_of_the_owning_agency_may_record_progress(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    colleague = MembershipFactory(
        user=UserFactory(email="colleague@north.example"),
        board=world.north,
        role=Role.BOARD_MEMBER,
        agency=a.owner_agency,
    ).user
    client.force_login(colleague)

    response = client.post(_progress_url(a), {**_date("on", TODAY()), "text": "Done.", "status": ""})

    assert response.status_code == 302
    assert ActionUpdate.objects.get(action=a).author == colleague


def test_the_business_manager_may_record_progress(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_manager)

    response = client.post(_progress_url(a), {**_date("on", TODAY()), "text": "Chased.", "status": ""})

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("person", "status"), [("north_chair", 403), ("north_reviewer", 403), ("east_manager", 404)]
)
def test_people_who_neither_own_nor_manage_cannot_record_progress(
    client, world, review, findings, person, status
):
    a = action(review, world.north_member, findings=findings)
    client.force_login(getattr(world, person))

    response = client.post(_progress_url(a), {**_date("on", TODAY()), "text": "x", "status": ""})

    assert response.status_code == status
    assert not ActionUpdate.objects.exists()


def test_a_board_member_of_another_agency_is_refused_even_on_a_shared_review(client, world):
    review = at_stage(world.cross_border_review)
    a = action(review, world.north_member)
    client.force_login(world.south_member)

    assert client.get(reverse("action_detail", args=[review.pk, a.number])).status_code == 200
    assert client.post(_progress_url(a), {**_date("on", TODAY()), "text": "x"}).status_code == 403
    assert client.post(_status_url(a), {"status": Status.IN_PROGRESS}).status_code == 403
    a.refresh_from_db()
    assert a.status == Status.AGREED


def test_an_owner_who_left_the_board_can_no_longer_update(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    Membership.objects.filter(user=world.north_member).update(is_active=False)
    client.force_login(world.north_member)

    assert client.post(_progress_url(a), {**_date("on", TODAY()), "text": "x"}).status_code == 404


def test_progress_cannot_be_dated_in_the_future_and_needs_text(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_member)

    future = client.post(_progress_url(a), {**_date("on", TODAY() + timedelta(days=1)), "text": "x"})
    empty = client.post(_progress_url(a), {**_date("on", TODAY()), "text": ""})

    assert "cannot be in the future" in _errors(future)
    assert "Enter the progress made" in _errors(empty)
    assert not ActionUpdate.objects.exists()


# The status machine -----------------------------------------------------------------------------------


def test_an_action_moves_through_its_statuses_and_completion_is_dated(world, review, findings):
    a = action(review, world.north_member, findings=findings)
    _progress(a, world.north_member, status_to=Status.IN_PROGRESS)
    done_on = TODAY() - timedelta(days=2)
    _progress(a, world.north_member, on=done_on, status_to=Status.COMPLETED)
    a.refresh_from_db()
    assert (a.status, a.completed_on) == (Status.COMPLETED, done_on)

    _progress(a, world.north_member, status_to=Status.IMPACT_EVIDENCED, files=[_upload(_pdf("audit.pdf"))])

    a.refresh_from_db()
    assert (a.status, a.completed_on) == (Status.IMPACT_EVIDENCED, done_on)
    moves = list(ActionUpdate.objects.filter(action=a).order_by("pk").values_list("status_from", "status_to"))
    assert moves == [
        (Status.AGREED, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Status.COMPLETED),
        (Status.COMPLETED, Status.IMPACT_EVIDENCED),
    ]


def test_impact_evidenced_needs_an_evidence_file(client, world, review, findings):
    a = action(review, world.north_member, findings=findings, status=Status.COMPLETED, completed_on=TODAY())
    client.force_login(world.north_member)

    response = client.post(_status_url(a), {"status": Status.IMPACT_EVIDENCED})

    assert response.status_code == 200
    assert "Attach the evidence of impact" in _errors(response)
    with pytest.raises(services.ActionRefused, match="Attach the evidence of impact"):
        _progress(a, world.north_member, status_to=Status.IMPACT_EVIDENCED)
    a.refresh_from_db()
    assert a.status == Status.COMPLETED and not ActionUpdate.objects.exists()

    # Evidence already on the action (from an earlier update) is enough.
    _progress(a, world.north_member, text="Audit report.", files=[_upload(_pdf())])
    response = client.post(_status_url(a), {"status": Status.IMPACT_EVIDENCED})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == Status.IMPACT_EVIDENCED


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.AGREED, Status.COMPLETED),
        (Status.AGREED, Status.IMPACT_EVIDENCED),
        (Status.IN_PROGRESS, Status.AGREED),
        (Status.COMPLETED, Status.DEFERRED),
        (Status.COMPLETED, Status.IN_PROGRESS),
        (Status.IMPACT_EVIDENCED, Status.IN_PROGRESS),
        (Status.DEFERRED, Status.COMPLETED),
    ],
)
def test_illegal_moves_are_refused_with_a_clear_message(world, review, findings, start, target):
    extra = {}
    if start in workflow.DONE_STATUSES:
        extra["completed_on"] = TODAY()
    if start == Status.DEFERRED:
        extra.update(
            deferred_reason="Covered by the neglect strategy.", deferred_until=TODAY() + timedelta(days=30)
        )
    a = action(review, world.north_member, findings=findings, status=start, **extra)

    with pytest.raises(services.ActionRefused, match=r"cannot be moved to|cannot change"):
        _progress(a, world.north_member, status_to=target)

    a.refresh_from_db()
    assert a.status == start and not ActionUpdate.objects.exists()


def test_the_status_page_offers_only_the_moves_allowed(client, world, review, findings):
    a = action(review, world.north_member, findings=findings, status=Status.IN_PROGRESS)
    client.force_login(world.north_member)

    form = client.get(_status_url(a)).context["form"]
    refused = client.post(_status_url(a), {"status": Status.AGREED})

    assert [v for v, _ in form.fields["status"].choices] == [Status.COMPLETED, Status.DEFERRED]
    assert "Select a valid choice" in _errors(refused)


def test_a_finished_action_has_no_status_to_change_to(client, world, review, findings):
    a = action(
        review, world.north_member, findings=findings, status=Status.IMPACT_EVIDENCED, completed_on=TODAY()
    )
    client.force_login(world.north_member)

    response = client.get(_status_url(a), follow=True)

    assert "impact is already evidenced" in response.text


def test_deferral_needs_a_reason_and_a_future_date_to_look_again(
    client, world, review, findings, django_capture_on_commit_callbacks
):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_manager)

    missing = client.post(_status_url(a), {"status": Status.DEFERRED})
    past = client.post(
        _status_url(a),
        {
            "status": Status.DEFERRED,
            "deferred_reason": "Waiting for the audit.",
            **_date("deferred_until", TODAY()),
        },
    )

    assert "Enter why the action is deferred" in _errors(missing)
    assert "Enter the date to look at the action again" in _errors(missing)
    assert "must be in the future" in _errors(past)
    a.refresh_from_db()
    assert a.status == Status.AGREED

    look_again = TODAY() + timedelta(days=60)
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            _status_url(a),
            {
                "status": Status.DEFERRED,
                "deferred_reason": "Waiting for the audit.",
                **_date("deferred_until", look_again),
            },
        )

    assert ok.status_code == 302
    a.refresh_from_db()
    assert (a.status, a.deferred_reason, a.deferred_until) == (
        Status.DEFERRED,
        "Waiting for the audit.",
        look_again,
    )
    assert workflow.rag_of(a) == "grey"
    update = ActionUpdate.objects.get(action=a)
    assert update.text == "Deferred: Waiting for the audit."
    # The owner is told that someone else deferred their action.
    assert Notification.objects.filter(
        recipient=world.north_member, key=f"action:{a.pk}:update:{update.pk}"
    ).exists()


def test_service_refuses_a_deferral_without_reason_or_date(world, review, findings):
    a = action(review, world.north_member, findings=findings)

    with pytest.raises(services.ActionRefused, match="Enter why"):
        _progress(
            a, world.north_member, status_to=Status.DEFERRED, deferred_until=TODAY() + timedelta(days=9)
        )
    with pytest.raises(services.ActionRefused, match="date to look at the action again"):
        _progress(a, world.north_member, status_to=Status.DEFERRED, deferred_reason="Later.")


@pytest.mark.parametrize("target", [Status.AGREED, Status.IN_PROGRESS])
def test_a_deferred_action_resumes_and_its_deferral_is_cleared(world, review, findings, target):
    a = action(
        review,
        world.north_member,
        findings=findings,
        status=Status.DEFERRED,
        deferred_reason="Later.",
        deferred_until=TODAY() + timedelta(days=5),
    )

    _progress(a, world.north_member, text="Resumed after the audit.", status_to=target)

    a.refresh_from_db()
    assert (a.status, a.deferred_reason, a.deferred_until) == (target, "", None)


# Evidence files ---------------------------------------------------------------------------------------


def test_several_evidence_files_are_attached_in_one_update(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_member)

    response = client.post(
        _progress_url(a),
        {
            **_date("on", TODAY()),
            "text": "Audit done.",
            "status": "",
            "evidence": [_pdf("Audit report.pdf"), _png()],
        },
    )

    assert response.status_code == 302
    names = sorted(Evidence.objects.filter(update__action=a).values_list("name", flat=True))
    assert names == ["Audit report.pdf", "chart.png"]
    stored = Evidence.objects.get(name="Audit report.pdf")
    assert stored.size == len(PDF_BYTES)
    assert "Audit report" not in stored.file.name  # stored under a generated name
    page = client.get(reverse("action_detail", args=[review.pk, a.number])).text
    assert reverse("action_evidence", args=[review.pk, a.number, stored.pk]) in page


def test_a_file_of_the_wrong_type_is_named_in_the_error_and_nothing_is_saved(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    client.force_login(world.north_member)
    script = SimpleUploadedFile("minutes.exe", b"MZ\x90\x00not a document", content_type="application/pdf")

    response = client.post(
        _progress_url(a),
        {
            **_date("on", TODAY()),
            "text": "Audit done.",
            "status": Status.IN_PROGRESS,
            "evidence": [_pdf(), script],
        },
    )

    assert response.status_code == 200
    assert "“minutes.exe” must be a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file" in _errors(response)
    assert not ActionUpdate.objects.exists() and not Evidence.objects.exists()
    a.refresh_from_db()
    assert a.status == Status.AGREED
    assert "Audit done." in response.text  # what they typed is kept


def test_files_over_25_mb_or_empty_are_refused_by_name(world, review, findings):
    a = action(review, world.north_member, findings=findings)
    big = _pdf("big.pdf")
    big.size = MAX_DOCUMENT_BYTES + 1
    empty = SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")
    form = ProgressForm(
        {**_date("on", TODAY()), "text": "x", "status": ""},
        MultiValueDict({"evidence": [big, empty]}),
        action=a,
    )

    assert not form.is_valid()
    errors = form.errors["evidence"]
    assert "“big.pdf” is too big: each file must be smaller than 25 MB" in errors
    assert "“empty.pdf” is empty" in errors


def test_files_are_removed_again_when_the_update_is_refused(world, review, findings, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = action(review, world.north_member, findings=findings)

    with pytest.raises(services.ActionRefused):
        _progress(a, world.north_member, status_to=Status.COMPLETED, files=[_upload(_pdf())])

    assert not Evidence.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def _evidence_on(a: Action, author) -> Evidence:
    update = ActionUpdate.objects.create(action=a, author=author, on=TODAY(), text="Evidence.")
    evidence = Evidence(update=update, name="Impact report.pdf", size=len(PDF_BYTES))
    evidence.file.save("impact.pdf", ContentFile(PDF_BYTES), save=True)
    return evidence


def test_evidence_is_downloaded_as_an_attachment_by_people_who_read_the_response(
    client, world, review, findings
):
    a = action(review, world.north_member, findings=findings)
    evidence = _evidence_on(a, world.north_member)
    client.force_login(world.north_chair)

    response = client.get(reverse("action_evidence", args=[review.pk, a.number, evidence.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Impact report.pdf" in response["Content-Disposition"]


def test_evidence_of_another_review_is_never_found_through_this_one(client, world, review, findings):
    other = at_stage(world.cross_border_review)
    theirs = _evidence_on(action(other, world.north_member), world.north_member)
    mine = action(review, world.north_member, findings=findings)
    client.force_login(world.north_manager)

    response = client.get(reverse("action_evidence", args=[review.pk, mine.number, theirs.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("person", "status"), [("east_manager", 404), ("north_reviewer", 403), ("south_member", 404)]
)
def test_evidence_is_never_served_to_people_outside_the_response(
    client, world, review, findings, person, status
):
    a = action(review, world.north_member, findings=findings)
    evidence = _evidence_on(a, world.north_member)
    client.force_login(getattr(world, person))

    response = client.get(reverse("action_evidence", args=[review.pk, a.number, evidence.pk]))

    # A lead reviewer sees the review but not its response: refused; others do not see the review at all.
    assert response.status_code == status


# Action plans -----------------------------------------------------------------------------------------


@pytest.fixture
def plan(world, review, findings) -> dict:
    """Four actions of the north review with different owners, priorities, statuses and due dates, one of
    the cross-border review, and one of South's own review."""
    police = AgencyFactory(name="North Police", boards=[world.north])
    today = TODAY()
    made = {
        "overdue": action(
            review, world.north_member, findings=findings, priority=2, due_on=today - timedelta(days=3)
        ),
        "soon": action(
            review,
            world.north_manager,
            findings=findings,
            owner_agency=police,
            priority=1,
            due_on=today + timedelta(days=5),
        ),
        "later": action(
            review, world.north_member, findings=findings, priority=1, due_on=today + timedelta(days=50)
        ),
        "deferred": action(
            review,
            world.north_chair,
            findings=findings,
            owner_agency=police,
            priority=3,
            status=Status.DEFERRED,
            deferred_reason="Later.",
            deferred_until=today + timedelta(days=20),
        ),
        "cross": action(at_stage(world.cross_border_review), world.north_member, priority=1),
        "south": action(at_stage(world.south_review), world.south_member, priority=1),
    }
    return made


def _plan(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def _numbers(response) -> list[tuple[str, int]]:
    return [(a.review.reference, a.number) for a in shown_actions(response)]


def test_the_review_action_plan_is_sorted_by_priority_then_due_date(client, world, review, plan):
    client.force_login(world.north_member)

    response = _plan(client, reverse("action_plan", args=[review.pk]))

    order = [a.pk for a in shown_actions(response)]
    assert order == [plan["soon"].pk, plan["later"].pk, plan["overdue"].pk, plan["deferred"].pk]
    assert response.context["total"] == 4
    html = response.text
    assert "Actions by RAG, and what each colour means" in html
    assert "Red: overdue" in html and "govuk-tag--red" in html and "Open and past its due date" in html


def test_counts_by_status_and_rag_are_at_the_top(client, world, review, plan):
    client.force_login(world.north_member)

    response = _plan(client, reverse("action_plan", args=[review.pk]))

    by_status = {label: n for label, n, _ in response.context["by_status"]}
    by_rag = {item.value: n for item, n, _ in response.context["by_rag"]}
    assert by_status == {"Agreed": 3, "In progress": 0, "Completed": 0, "Impact evidenced": 0, "Deferred": 1}
    assert by_rag == {"red": 1, "amber": 1, "green": 1, "grey": 1}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "deferred"}, ["deferred"]),
        ({"rag": "red"}, ["overdue"]),
        ({"rag": "amber"}, ["soon"]),
        ({"overdue": "on"}, ["overdue"]),
        ({"priority": "1"}, ["soon", "later"]),
        ({"owner_agency": "police"}, ["soon", "deferred"]),
        ({"owner": "north_member"}, ["later", "overdue"]),
        ({"mine": "on"}, ["later", "overdue"]),
    ],
)
def test_the_action_plan_filters(client, world, review, plan, params, expected):
    client.force_login(world.north_member)
    params = dict(params)
    if params.get("owner_agency") == "police":
        params["owner_agency"] = plan["soon"].owner_agency_id
    if params.get("owner") == "north_member":
        params["owner"] = world.north_member.pk

    response = _plan(client, reverse("action_plan", args=[review.pk]), **params)

    assert [a.pk for a in shown_actions(response)] == [plan[k].pk for k in expected]
    assert response.context["filtered"]


def test_filters_not_understood_are_left_out_with_a_message(client, world, review, plan):
    client.force_login(world.north_member)

    response = _plan(client, reverse("action_plan", args=[review.pk]), status="nonsense", priority="x")

    assert response.context["total"] == 4
    assert "Some filters were not understood" in response.text


def test_the_filters_show_the_choices_made_with_names_escaped(client, world, review, plan):
    world.north_member.full_name = "Sam <b>O'Neil</b>"
    world.north_member.save()
    client.force_login(world.north_member)

    response = _plan(
        client,
        reverse("action_plan", args=[review.pk]),
        owner=world.north_member.pk,
        status="deferred",
        mine="on",
    )

    html = response.text
    assert '<label class="govuk-label govuk-label--s" for="id_owner">Named owner</label>' in html
    assert '<select name="owner" class="govuk-select app-select-full" id="id_owner">' in html
    assert (
        f'<option value="{world.north_member.pk}" selected>Sam &lt;b&gt;O&#x27;Neil&lt;/b&gt;</option>'
        in html
    )
    assert '<option value="deferred" selected>Deferred</option>' in html
    assert '<option value="" selected>Any colour</option>' in html
    assert '<input type="checkbox" name="mine" class="govuk-checkboxes__input" id="id_mine" checked>' in html
    assert '<input type="checkbox" name="overdue" class="govuk-checkboxes__input" id="id_overdue">' in html


def test_the_plan_is_paginated_twenty_five_to_a_page(client, world, review, findings):
    for n in range(30):
        action(review, world.north_member, findings=findings, number=n + 1)
    client.force_login(world.north_member)

    first = _plan(client, reverse("action_plan", args=[review.pk]), status="agreed")
    second = _plan(client, reverse("action_plan", args=[review.pk]), status="agreed", page=2)

    assert len(shown_actions(first)) == 25
    assert len(shown_actions(second)) == 5
    assert "status=agreed&amp;page=2" in first.text


def test_the_board_action_plan_covers_every_review_the_board_leads_or_joins(client, world, plan):
    client.force_login(world.south_manager)

    south = _plan(client, reverse("board_action_plan", args=[world.south.pk]))
    client.force_login(world.north_member)
    north = _plan(client, reverse("board_action_plan", args=[world.north.pk]))
    north_only_x = _plan(
        client, reverse("board_action_plan", args=[world.north.pk]), review=world.cross_border_review.pk
    )

    assert sorted(_numbers(south)) == [("NSCB-X", 1), ("SSCB-1", 1)]
    assert sorted(ref for ref, _ in _numbers(north)) == ["NSCB-1"] * 4 + ["NSCB-X"]
    assert _numbers(north_only_x) == [("NSCB-X", 1)]


def test_the_board_plan_shows_only_reviews_the_person_may_see(client, world, plan):
    # A lead reviewer appointed to a North review takes no board role: they see no action plan.
    client.force_login(world.north_reviewer)
    assert client.get(reverse("board_action_plan", args=[world.north.pk])).status_code == 404
    client.force_login(world.east_manager)
    assert client.get(reverse("board_action_plan", args=[world.north.pk])).status_code == 404


# Reminders --------------------------------------------------------------------------------------------


@pytest.fixture
def due(world, review, findings) -> dict:
    today = TODAY()
    return {
        "soon": action(review, world.north_member, findings=findings, due_on=today + timedelta(days=10)),
        "overdue": action(review, world.north_chair, findings=findings, due_on=today - timedelta(days=2)),
        "later": action(review, world.north_member, findings=findings, due_on=today + timedelta(days=30)),
        "done": action(
            review,
            world.north_member,
            findings=findings,
            due_on=today - timedelta(days=9),
            status=Status.COMPLETED,
            completed_on=today,
        ),
        "deferred": action(
            review,
            world.north_member,
            findings=findings,
            status=Status.DEFERRED,
            deferred_reason="Later.",
            deferred_until=today - timedelta(days=1),
        ),
        "cross": action(
            at_stage(world.cross_border_review), world.north_member, due_on=today - timedelta(days=1)
        ),
    }


def test_reminders_reach_the_owners_and_one_summary_per_business_manager(world, due):
    created = reminders.send_action_reminders()

    owner_keys = set(
        Notification.objects.filter(recipient=world.north_member, key__startswith="action:").values_list(
            "key", flat=True
        )
    )
    assert owner_keys == {
        f"action:{due['soon'].pk}:due_soon:{due['soon'].due_on:%Y%m%d}",
        f"action:{due['deferred'].pk}:look_again:{due['deferred'].deferred_until:%Y%m%d}",
        f"action:{due['cross'].pk}:overdue:{due['cross'].due_on:%Y%m%d}",
    }
    assert Notification.objects.filter(
        recipient=world.north_chair, key=f"action:{due['overdue'].pk}:overdue:{due['overdue'].due_on:%Y%m%d}"
    ).exists()
    north = Notification.objects.get(recipient=world.north_manager, key__startswith="actions-summary:")
    assert north.title == "4 actions need attention (2 overdue)"
    assert "NSCB-1 action 1" in north.body and "NSCB-X action 1" in north.body
    south = Notification.objects.get(recipient=world.south_manager, key__startswith="actions-summary:")
    assert "NSCB-X action 1" in south.body and "NSCB-1" not in south.body
    assert not Notification.objects.filter(recipient__in=[world.east_manager, world.south_member]).exists()
    assert created == 4 + 2  # four owner reminders, two summaries


def test_reminders_are_idempotent_and_start_again_for_a_new_due_date(world, due):
    reminders.send_action_reminders()
    before = Notification.objects.count()

    assert reminders.send_action_reminders() == 0
    assert Notification.objects.count() == before

    Action.objects.filter(pk=due["soon"].pk).update(due_on=TODAY() + timedelta(days=12))
    assert reminders.send_action_reminders() == 2  # the owner, and the manager's summary of the one change
    summary = Notification.objects.filter(
        recipient=world.north_manager, key__startswith="actions-summary:"
    ).latest("pk")
    assert summary.title == "1 action needs attention"


def test_the_next_day_an_action_that_becomes_overdue_is_reminded_once_more(world, review, findings):
    today = TODAY()
    a = action(review, world.north_member, findings=findings, due_on=today)
    reminders.send_action_reminders(today)

    assert reminders.send_action_reminders(today + timedelta(days=1)) == 2
    assert Notification.objects.filter(
        recipient=world.north_member, key=f"action:{a.pk}:overdue:{a.due_on:%Y%m%d}"
    ).exists()


def test_no_reminders_for_closed_reviews(world, review, findings):
    action(review, world.north_member, findings=findings, due_on=TODAY() - timedelta(days=2))
    Review.objects.filter(pk=review.pk).update(state="closed")

    assert reminders.send_action_reminders() == 0


def test_reminders_while_muted_are_recorded_but_emailed_to_nobody(world, due):
    mail.outbox.clear()
    with muted():
        assert reminders.send_action_reminders() > 0
    assert mail.outbox == []
    assert not Notification.objects.filter(key__startswith="action", emailed_at__isnull=True).exists()


def test_the_daily_task_is_scheduled(settings):
    from responses.actions.tasks import send_action_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["action-reminders"]
    assert entry["task"] == send_action_reminders.name == "responses.send_action_reminders"
    assert "responses.actions.tasks" in settings.CELERY_IMPORTS


# The home page ----------------------------------------------------------------------------------------


def test_home_shows_my_actions_overdue_first_with_their_rag(client, world, review, findings):
    today = TODAY()
    later = action(review, world.north_member, findings=findings, due_on=today + timedelta(days=40))
    overdue = action(review, world.north_member, findings=findings, due_on=today - timedelta(days=1))
    action(review, world.north_member, findings=findings, status=Status.COMPLETED, completed_on=today)
    action(
        review,
        world.north_chair,
        findings=findings,
        owner_agency=AgencyFactory(name="North Police", boards=[world.north]),
    )
    client.force_login(world.north_member)

    response = client.get(reverse("home"))

    assert [a.pk for a in response.context["my_actions"]] == [overdue.pk, later.pk]
    html = response.text
    assert "Your actions" in html and "Red: overdue" in html and "What the colours mean" in html
    assert reverse("action_detail", args=[review.pk, overdue.number]) in html


def test_home_shows_the_actions_of_my_agency_that_someone_else_owns(client, world, review, findings):
    colleague = member_of(world.north, Role.BUSINESS_MANAGER)
    mine = action(
        review, colleague, findings=findings, owner_agency=agency_of(world.north_member, world.north)
    )
    client.force_login(world.north_member)

    assert [a.pk for a in client.get(reverse("home")).context["my_actions"]] == [mine.pk]


def test_managers_and_chairs_see_overdue_action_counts_per_board(client, world, review, findings):
    today = TODAY()
    action(review, world.north_member, findings=findings, due_on=today - timedelta(days=1))
    action(review, world.north_member, findings=findings, due_on=today - timedelta(days=5))
    action(review, world.north_member, findings=findings, due_on=today + timedelta(days=5))
    action(at_stage(world.south_review), world.south_member, due_on=today - timedelta(days=5))

    for person in ("north_manager", "north_chair"):
        client.force_login(getattr(world, person))
        response = client.get(reverse("home"))
        rows = [(r.board.name, r.overdue) for r in response.context["overdue_actions"]]
        assert rows == [(world.north.name, 2)]
        assert f"{reverse('board_action_plan', args=[world.north.pk])}?overdue=on" in response.text

    client.force_login(world.north_member)
    assert "overdue_actions" not in client.get(reverse("home")).context


def test_people_of_other_boards_see_none_of_these_actions_on_their_home_page(client, world, review, findings):
    action(review, world.north_member, findings=findings, due_on=TODAY() - timedelta(days=1))
    client.force_login(world.east_manager)

    response = client.get(reverse("home"))

    assert response.context["my_actions"] == []
    assert [(r.board.name, r.overdue) for r in response.context["overdue_actions"]] == [(world.east.name, 0)]


def test_changing_an_action_whose_owner_left_asks_for_a_new_owner(client, world, review, findings):
    a = action(review, world.north_member, findings=findings)
    Membership.objects.filter(user=world.north_member).update(is_active=False)
    client.force_login(world.north_manager)

    response = client.get(reverse("action_edit", args=[review.pk, a.number]))

    assert (
        "no longer has a role on the boards taking part in this review: choose a new owner" in response.text
    )

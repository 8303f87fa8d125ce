"""The review pages through Django's test client: opening a review, taking each step of the lifecycle,
the review page and the review list (filters, search, and a fixed number of queries)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.pdf import DEMO_PDF
from reviews import workflow
from reviews.forms import ReceiveReportForm
from reviews.models import TERMINAL_STATES, Child, Criteria, Regime, Review, Role, State, TimelineEntry
from reviews.workflow import SCR_TRANSITIONS as TRANSITIONS
from scr_portal import uploads
from tests.conftest import World
from tests.factories import (
    AppointmentFactory,
    ChildFactory,
    MembershipFactory,
    ParallelProcessFactory,
    ParticipatingBoardFactory,
    ReviewFactory,
    UserFactory,
)
from tests.reviews.test_workflow import (
    LEARNED,
    NORTH_PERSON,
    NOT_ALLOWED,
    ROLES,
    at_state,
    complete_referral,
    date_input,
    docx_bytes,
    make_ready,
    nearest_source,
    pdf_upload,
    snapshot,
    step_input,
)

TODAY = date.today()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _as(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    """The page's visible text, tags removed and white space collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _input_value(response, name: str) -> str | None:
    """The value a text input or textarea named `name` shows on the page."""
    html = response.content.decode()
    tag = re.search(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    if tag:
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return unescape(value.group(1)) if value else None
    area = re.search(rf'<textarea\b[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(area.group(1)).strip() if area else None


def _checked(response, name: str) -> list[str]:
    html = response.content.decode()
    tags = re.findall(rf'<input\b[^>]*\bname="{re.escape(name)}"[^>]*>', html, re.S)
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags if re.search(r"\bchecked\b", t)]


# Opening a review -----------------------------------------------------------------------------------


def _new_review(world: World, **changes) -> dict:
    data = {
        "lead_board": world.north.pk,
        "reference": "NSCB-2026-07",
        "regime": Regime.SERIOUS_CASE_REVIEW,
        "pseudonym": "Child Q",
        "outcome": Child.Outcome.SERIOUSLY_HARMED,
        "case_summary": "Brought to hospital with a head injury; parents gave no explanation.",
        **date_input("incident_date", LEARNED - timedelta(days=2)),
        **date_input("notification_date", LEARNED),
        "criteria": Criteria.STATUTORY,
        "criteria_notes": "Abuse is suspected.",
    }
    for name, value in changes.items():
        if isinstance(value, date) or (value is None and name.endswith("_date")):
            data.update(date_input(name, value))
        elif value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_business_manager_opens_a_review_at_referral_with_its_child_and_one_timeline_entry(client, world):
    response = _as(client, world.north_manager).post(reverse("review_create"), _new_review(world))

    review = Review.objects.get(reference="NSCB-2026-07")
    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[review.pk])
    assert review.lead_board == world.north
    assert review.state == State.REFERRAL
    assert (review.incident_date, review.notification_date) == (LEARNED - timedelta(days=2), LEARNED)
    assert [(c.pseudonym, c.outcome) for c in review.children.all()] == [
        ("Child Q", Child.Outcome.SERIOUSLY_HARMED)
    ]
    (entry,) = review.timeline.all()
    assert (entry.title, entry.actor) == ("Referral opened", world.north_manager)
    assert review.due_kind == "notification"
    assert _messages(response) == ["Review NSCB-2026-07 opened at the referral stage."]


def test_new_review_form_offers_only_the_boards_the_person_manages(client, world):
    response = _as(client, world.north_manager).get(reverse("review_create"))
    assert response.status_code == 200
    assert list(response.context["form"].fields["lead_board"].queryset) == [world.north]


@pytest.mark.parametrize("person", ["north_member", "north_chair", "north_reviewer"])
def test_only_a_business_manager_may_open_a_review(client, world, person):
    client = _as(client, getattr(world, person))
    count = Review.objects.count()

    assert client.get(reverse("review_create")).status_code == 403
    assert client.post(reverse("review_create"), _new_review(world)).status_code == 403

    assert Review.objects.count() == count


def test_business_manager_cannot_open_a_review_for_a_board_they_do_not_manage(client, world):
    response = _as(client, world.north_manager).post(
        reverse("review_create"), _new_review(world, lead_board=world.south.pk)
    )
    assert response.status_code == 200
    assert "lead_board" in response.context["form"].errors
    assert not Review.objects.filter(reference="NSCB-2026-07").exists()


def _refused_form(client, world, **changes):
    count = Review.objects.count()
    response = _as(client, world.north_manager).post(reverse("review_create"), _new_review(world, **changes))
    assert response.status_code == 200
    assert Review.objects.count() == count
    assert "There is a problem" in _text(response)
    return response


def _keeps_what_was_typed(response) -> None:
    assert _input_value(response, "pseudonym") == "Child Q"
    assert _input_value(response, "case_summary").startswith("Brought to hospital with a head injury")
    assert _input_value(response, "incident_date_2") == str((LEARNED - timedelta(days=2)).year)
    assert _checked(response, "criteria") == [Criteria.STATUTORY]


def test_new_review_without_a_reference_says_to_enter_one_and_keeps_what_was_typed(client, world):
    response = _refused_form(client, world, reference="")

    errors = response.context["form"].errors
    assert list(errors) == ["reference"]
    # A GOV.UK error message says what to do about this field, not "This field is required."
    assert "reference" in errors["reference"][0].lower()
    _keeps_what_was_typed(response)


def test_new_review_learned_of_before_the_incident_is_refused_and_keeps_what_was_typed(client, world):
    response = _refused_form(
        client, world, incident_date=LEARNED, notification_date=LEARNED - timedelta(days=1)
    )

    assert response.context["form"].errors == {
        "notification_date": ["The board cannot learn of the incident before it happened"]
    }
    assert "The board cannot learn of the incident before it happened" in _text(response)
    assert _input_value(response, "reference") == "NSCB-2026-07"
    assert _input_value(response, "notification_date_0") == str((LEARNED - timedelta(days=1)).day)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("incident_date", "The date of the incident cannot be in the future"),
        ("notification_date", "The date the board learned of the incident cannot be in the future"),
    ],
)
def test_new_review_with_a_future_date_is_refused(client, world, field, message):
    tomorrow = TODAY + timedelta(days=1)
    changes = {field: tomorrow}
    if field == "incident_date":
        changes["notification_date"] = tomorrow
    response = _refused_form(client, world, **changes)

    assert message in response.context["form"].errors[field]
    assert message in _text(response)
    assert _input_value(response, "reference") == "NSCB-2026-07"


@pytest.mark.parametrize("reference", ["NSCB-1", "nscb-1", " NSCB-1 "])
def test_new_review_with_a_reference_the_board_already_uses_is_refused(client, world, reference):
    response = _refused_form(client, world, reference=reference)

    assert response.context["form"].errors["reference"] == [
        f"North Safeguarding Children Board already has a review with the reference {reference.strip()}"
    ]
    _keeps_what_was_typed(response)


def test_another_board_may_reuse_a_reference(client, world):
    response = _as(client, world.south_manager).post(
        reverse("review_create"), _new_review(world, lead_board=world.south.pk, reference="NSCB-1")
    )
    assert response.status_code == 302
    assert Review.objects.filter(reference="NSCB-1").count() == 2


def test_manager_of_two_boards_is_checked_against_the_board_chosen(client, world):
    MembershipFactory(user=world.north_manager, board=world.south, role=Role.BUSINESS_MANAGER)
    client = _as(client, world.north_manager)

    ok = client.post(
        reverse("review_create"), _new_review(world, lead_board=world.south.pk, reference="NSCB-1")
    )
    clash = client.post(
        reverse("review_create"), _new_review(world, lead_board=world.south.pk, reference="SSCB-1")
    )

    assert ok.status_code == 302
    assert Review.objects.get(lead_board=world.south, reference="NSCB-1")
    assert clash.status_code == 200
    assert clash.context["form"].errors["reference"] == [
        "South Safeguarding Children Board already has a review with the reference SSCB-1"
    ]


# Steps of the lifecycle -----------------------------------------------------------------------------


def _step_url(review, name: str) -> str:
    return reverse("review_step", args=[review.pk, name])


@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_allowed_person_takes_each_step_through_its_page(client, world, name):
    step = TRANSITIONS[name]
    source = nearest_source(name)
    review = at_state(world, source)
    user = getattr(world, NORTH_PERSON[next(r for r in ROLES if r in step.roles)])
    client = _as(client, user)

    page = client.get(_step_url(review, name))
    assert page.status_code == 200
    assert page.context["blockers"] == []
    assert step.form_class.submit_label in _text(page)

    response = client.post(_step_url(review, name), step_input(review, name))

    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[review.pk])
    review.refresh_from_db()
    assert review.state == step.target
    assert review.timeline.latest("pk").transition == name
    assert _messages(response) == [f"Done: {step.label[0].lower()}{step.label[1:]}."]


def test_step_page_shows_the_blockers_and_offers_no_form(client, world):
    review = world.north_review  # has a child, but nothing else of its referral
    response = _as(client, world.north_manager).get(_step_url(review, "send_for_decision"))

    assert response.status_code == 200
    text = _text(response)
    assert "This cannot be done yet. First:" in text
    for blocker in (
        "Write a summary of the case.",
        "Record the date of the incident.",
        "Record the date the board learned of the incident.",
        "Record which criteria were considered.",
    ):
        assert blocker in text
    assert "Add at least one child" not in text
    assert 'enctype="multipart/form-data"' not in response.content.decode()
    assert "Confirm" not in text


def test_posting_a_blocked_step_changes_nothing(client, world):
    review = world.north_review
    before = snapshot(review)

    response = _as(client, world.north_manager).post(_step_url(review, "send_for_decision"), {"note": "x"})

    assert response.status_code == 200
    assert response.context["blockers"]
    assert snapshot(review) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"decision_date": None}, "decision_date", "Enter the date of the decision"),
        (
            {"decision_date": LEARNED - timedelta(days=1)},
            "decision_date",
            "The decision cannot come before the board learned of the incident",
        ),
        (
            {"decision_date": TODAY + timedelta(days=1)},
            "decision_date",
            "The date of the decision cannot be in the future",
        ),
        ({"decision_rationale": ""}, "decision_rationale", None),
        (
            {"national_panel_notified_on": None},
            "national_panel_notified_on",
            "Enter the date the national panel was notified: the criteria are statutory, so both must be notified",
        ),
    ],
    ids=["no-date", "before-learning", "future", "no-rationale", "no-notification"],
)
def test_step_with_invalid_data_is_shown_again_with_errors_and_nothing_changes(
    client, world, changes, field, message
):
    review = at_state(world, State.DECISION)
    before = snapshot(review)
    data = step_input(review, "initiate", **changes)

    response = _as(client, world.north_chair).post(_step_url(review, "initiate"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
        assert message in _text(response)
    assert "There is a problem" in _text(response)
    assert _input_value(response, "decision_rationale") == (data.get("decision_rationale") or "")
    assert snapshot(review) == before


@pytest.mark.parametrize(("name", "role"), NOT_ALLOWED)
def test_step_the_persons_role_does_not_allow_is_forbidden(client, world, name, role):
    review = at_state(world, nearest_source(name))
    before = snapshot(review)
    client = _as(client, getattr(world, NORTH_PERSON[role]))
    # A lead reviewer's appointment ends with the review: an ended review is then not theirs to see at all.
    refused = 404 if role == Role.LEAD_REVIEWER and review.state in TERMINAL_STATES else 403

    assert client.get(_step_url(review, name)).status_code == refused
    assert client.post(_step_url(review, name), step_input(review, name)).status_code == refused

    assert snapshot(review) == before


def test_step_for_another_stage_redirects_with_a_message_and_changes_nothing(client, world):
    review = make_ready(world.north_review)
    before = snapshot(review)
    client = _as(client, world.north_chair)

    response = client.post(_step_url(review, "initiate"), step_input(review, "initiate"))

    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[review.pk])
    assert _messages(response) == ["That step is not available at this stage. Nothing was changed."]
    assert snapshot(review) == before
    page = client.get(response.url)
    assert "That step is not available at this stage. Nothing was changed." in _text(page)


def test_unknown_step_redirects_with_a_message(client, world):
    response = _as(client, world.north_manager).get(_step_url(world.north_review, "promote"))
    assert response.status_code == 302
    assert _messages(response) == ["That step is not available at this stage. Nothing was changed."]


def test_steps_of_an_ended_review_are_forbidden(client, world):
    review = at_state(world, State.WITHDRAWN)
    assert _as(client, world.north_chair).get(_step_url(review, "withdraw")).status_code == 403


def test_step_of_a_review_on_another_board_is_not_found(client, world):
    response = _as(client, world.east_manager).get(_step_url(world.north_review, "send_for_decision"))
    assert response.status_code == 404


# The final report ------------------------------------------------------------------------------------


def _upload(client, world, upload):
    review = at_state(world, State.IN_PROGRESS)
    before = snapshot(review)
    response = _as(client, world.north_manager).post(
        _step_url(review, "receive_report"), step_input(review, "receive_report", final_report=upload)
    )
    return review, before, response


def _upload_refused(client, world, upload) -> str:
    review, before, response = _upload(client, world, upload)
    assert response.status_code == 200
    assert snapshot(review) == before
    (message,) = response.context["form"].errors["final_report"]
    message = " ".join(message.split())  # file sizes are written with a no-break space
    assert message in _text(response)
    return message


def test_report_that_is_not_really_a_pdf_is_refused(client, world):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is a program, not a report", "application/pdf")
    assert (
        _upload_refused(client, world, fake)
        == "The selected file must be a PDF or Word or Word 97-2003 document"
    )


def test_zip_renamed_docx_without_a_word_document_is_refused(client, world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    fake = SimpleUploadedFile("report.docx", buffer.getvalue())
    assert "must be a PDF or Word" in _upload_refused(client, world, fake)


def test_empty_report_is_refused(client, world):
    empty = SimpleUploadedFile("report.pdf", b"", "application/pdf")
    assert "empty" in _upload_refused(client, world, empty).lower()


def test_report_over_the_size_limit_is_refused(client, world):
    too_big = SimpleUploadedFile(
        "report.pdf", DEMO_PDF + b"0" * (uploads.MAX_DOCUMENT_BYTES + 1 - len(DEMO_PDF)), "application/pdf"
    )
    assert _upload_refused(client, world, too_big) == "The selected file must be smaller than 25.0 MB"


def test_size_check_accepts_a_file_at_the_limit_and_refuses_one_over_it():
    at_limit = SimpleUploadedFile("report.pdf", DEMO_PDF + b"0" * (1000 - len(DEMO_PDF)))
    assert uploads.check_upload(at_limit, allowed=(uploads.PDF,), max_bytes=1000) == uploads.PDF
    over = SimpleUploadedFile("report.pdf", DEMO_PDF + b"0" * (1001 - len(DEMO_PDF)))
    with pytest.raises(uploads.forms.ValidationError, match="smaller than"):
        uploads.check_upload(over, allowed=(uploads.PDF,), max_bytes=1000)


def test_real_pdf_is_accepted_and_kept_under_its_display_name(client, world):
    review, _, response = _upload(client, world, pdf_upload("Child A – final report.pdf"))

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == State.REPORT_RECEIVED
    assert review.final_report_name == "Child A – final report.pdf"
    assert "Child A" not in review.final_report.name
    page = _text(client.get(reverse("review_detail", args=[review.pk])))
    assert "Child A – final report.pdf, received" in page


def test_real_word_document_is_accepted(client, world):
    upload = SimpleUploadedFile(
        "Final report.docx",
        docx_bytes(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    review, _, response = _upload(client, world, upload)

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == State.REPORT_RECEIVED
    assert review.final_report_name == "Final report.docx"
    assert review.final_report.name.endswith(".docx")


def test_pdf_named_as_word_document_is_kept_as_a_pdf(world):
    review = at_state(world, State.IN_PROGRESS)
    form = ReceiveReportForm(
        step_input(review, "receive_report", final_report=None),
        {"final_report": pdf_upload("report.docx")},
        review=review,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["final_report"].display_name == "report.pdf"


# The review page --------------------------------------------------------------------------------------


def test_review_page_shows_stage_next_step_and_clocks_with_their_labels(client, world):
    review = at_state(world, State.COMMISSIONING)
    response = _as(client, world.north_manager).get(reverse("review_detail", args=[review.pk]))

    assert response.status_code == 200
    text = _text(response)
    html = response.content.decode()
    assert re.search(r'<strong class="govuk-tag app-stage-tag">\s*Commissioning\s*</strong>', html)
    assert re.search(r'aria-current="step">\s*Commissioning', html)
    who, what = workflow.next_step(review)
    assert f"What happens next {who}: {what}" in text
    for name, rule in (
        ("Notify the national panel and Ofsted", "within 5 working days of learning of the incident"),
        ("Decide whether to hold a review", "within 1 month of learning of the incident"),
        ("Receive the final report", "within 6 months of the decision"),
    ):
        assert f"{name} {rule}" in text
    statuses = [c.clock.label for c in response.context["clocks"]]
    assert statuses[:2] == ["Met on time", "Met on time"]
    for label in statuses:
        assert label in text


def test_review_page_writes_one_unit_targets_in_the_singular(client, world):
    world.north.__class__.objects.filter(pk=world.north.pk).update(
        notification_working_days=1, decision_months=1, completion_months=1, publication_months=1
    )
    review = at_state(world, State.REPORT_RECEIVED)
    text = _text(_as(client, world.north_manager).get(reverse("review_detail", args=[review.pk])))
    for rule in (
        "within 1 working day of learning of the incident",
        "within 1 month of learning of the incident",
        "within 1 month of the decision",
        "within 1 month of receiving the report",
    ):
        assert rule in text


def test_review_page_offers_the_persons_steps_and_no_others(client, world):
    review = at_state(world, State.DECISION)
    chair = _text(_as(client, world.north_chair).get(reverse("review_detail", args=[review.pk])))
    assert "Steps you can take" in chair
    assert "Record the decision to initiate a review" in chair
    assert "Withdraw the review" in chair

    member = _text(_as(client, world.north_member).get(reverse("review_detail", args=[review.pk])))
    assert "Steps you can take" not in member
    assert "Record the decision to initiate a review" not in member


def test_review_page_shows_the_timeline_in_date_order(client, world):
    review = at_state(world, State.DECISION)
    # An entry recorded now about something earlier sorts by its date, not by when it was written.
    TimelineEntry.objects.create(
        review=review,
        actor=world.north_manager,
        kind=TimelineEntry.Kind.COMMENT,
        title="Strategy meeting held",
        at=timezone.now() - timedelta(days=30),
    )
    response = _as(client, world.north_manager).get(reverse("review_detail", args=[review.pk]))

    text = _text(response)
    start = text.index("Timeline")
    titles = ["Strategy meeting held", "Referral → Decision"]
    positions = [text.index(t, start) for t in titles]
    assert positions == sorted(positions)
    timeline = list(response.context["timeline"])
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert timeline[0].title == "Strategy meeting held"


def test_review_page_of_an_empty_referral_says_the_clocks_have_not_started(client, world):
    response = _as(client, world.south_manager).get(reverse("review_detail", args=[world.south_review.pk]))
    assert "The clocks start when the date the board learned of the incident is recorded." in _text(response)


# The review list ----------------------------------------------------------------------------------------


def _listed(response) -> list[str]:
    assert response.status_code == 200
    return sorted(r.reference for r in response.context["page"].object_list)


def _list(client, user, **params):
    return _as(client, user).get(reverse("review_list"), params)


def test_review_list_filters_by_stage(client, world):
    at_state(world, State.DECISION)
    assert _listed(_list(client, world.north_manager, state=State.DECISION)) == ["NSCB-1"]
    assert _listed(_list(client, world.north_manager, state=State.REFERRAL)) == ["NSCB-X"]


def test_review_list_filters_by_lead_board(client, world):
    MembershipFactory(user=world.north_manager, board=world.east, role=Role.BUSINESS_MANAGER)
    ReviewFactory(lead_board=world.east, reference="ESCB-1")
    assert _listed(_list(client, world.north_manager, board=world.east.pk)) == ["ESCB-1"]


def test_review_list_board_filter_includes_reviews_the_board_takes_part_in(client, world):
    assert _listed(_list(client, world.south_manager, board=world.south.pk)) == ["NSCB-X", "SSCB-1"]
    assert _listed(_list(client, world.north_manager, board=world.north.pk)) == ["NSCB-1", "NSCB-X"]


def test_review_list_filters_by_kind(client, world):
    Review.objects.filter(pk=world.cross_border_review.pk).update(regime=Regime.PRACTICE_REVIEW)
    assert _listed(_list(client, world.north_manager, regime=Regime.PRACTICE_REVIEW)) == ["NSCB-X"]
    assert _listed(_list(client, world.north_manager, regime=Regime.SERIOUS_CASE_REVIEW)) == ["NSCB-1"]


def test_review_list_filters_overdue_reviews(client, world):
    Review.objects.filter(pk=world.north_review.pk).update(due_on=TODAY - timedelta(days=1))
    Review.objects.filter(pk=world.cross_border_review.pk).update(due_on=TODAY + timedelta(days=1))
    response = _list(client, world.north_manager, overdue="on")
    assert _listed(response) == ["NSCB-1"]
    assert "Overdue" in _text(response)


@pytest.mark.parametrize(("query", "expected"), [("nscb-x", ["NSCB-X"]), ("NSCB", ["NSCB-1", "NSCB-X"])])
def test_review_list_searches_by_reference(client, world, query, expected):
    assert _listed(_list(client, world.north_manager, q=query)) == expected


def test_review_list_searches_by_a_childs_pseudonym(client, world):
    ChildFactory(review=world.cross_border_review, pseudonym="Child Mercury")
    assert _listed(_list(client, world.north_manager, q="child a")) == ["NSCB-1"]
    assert _listed(_list(client, world.north_manager, q="mercury")) == ["NSCB-X"]


def test_review_list_search_does_not_find_other_boards_children(client, world):
    ChildFactory(review=world.south_review, pseudonym="Child Saturn")
    assert _listed(_list(client, world.north_manager, q="saturn")) == []


@pytest.mark.parametrize(
    "params",
    [
        {"state": "archived"},
        {"board": "not-a-board"},
        {"board": "999999"},
        {"regime": "inquiry"},
        {"sort": "sideways"},
        {"page": "lots"},
    ],
    ids=["state", "board-text", "board-unknown", "kind", "sort", "page"],
)
def test_review_list_bad_filter_value_is_ignored_with_a_warning(client, world, params):
    response = _list(client, world.north_manager, **params)
    assert response.status_code == 200
    assert _listed(response) == ["NSCB-1", "NSCB-X"]
    if "page" not in params:
        assert "Some filters were not understood and were left out." in _text(response)


def test_review_list_board_filter_cannot_reveal_another_boards_reviews(client, world):
    response = _list(client, world.north_manager, board=world.south.pk)
    assert _listed(response) == ["NSCB-1", "NSCB-X"]  # South is not a choice for North's manager
    assert "Some filters were not understood" in _text(response)


# A fixed number of queries ---------------------------------------------------------------------------


def _add_reviews(world: World, how_many: int, start: int) -> None:
    """North reviews with what pages show: a child, a participating board, a lead reviewer, a process,
    a running clock and a timeline."""
    for n in range(start, start + how_many):
        review = complete_referral(ReviewFactory(lead_board=world.north, reference=f"NSCB-{n:03d}"))
        ParticipatingBoardFactory(review=review, board=world.south if n % 2 else world.east)
        AppointmentFactory(review=review, reviewer=UserFactory())
        ParallelProcessFactory(review=review)
        TimelineEntry.objects.create(
            review=review, actor=UserFactory(), kind=TimelineEntry.Kind.COMMENT, title=f"Note {n}"
        )


def _grow(review: Review, how_many: int, start: int) -> None:
    """More of everything the review page lists: children, processes, timeline entries by different people."""
    for n in range(start, start + how_many):
        ChildFactory(review=review, pseudonym=f"Child {n}")
        ParallelProcessFactory(review=review, description=f"Process {n}")
        TimelineEntry.objects.create(
            review=review, actor=UserFactory(), kind=TimelineEntry.Kind.COMMENT, title=f"Note {n}"
        )
        AppointmentFactory(review=review, reviewer=UserFactory())


def _queries(client, url: str) -> list[str]:
    client.get(url)  # warm up per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"][:200] for q in ctx.captured_queries]


def _same(few: list[str], many: list[str]) -> None:
    assert len(few) == len(many), "\n".join(["5:", *few, "", "40:", *many])


def test_review_list_runs_the_same_number_of_queries_for_5_and_40_reviews(client, world):
    client = _as(client, world.north_manager)
    _add_reviews(world, 3, start=100)  # with NSCB-1 and NSCB-X: 5
    few = _queries(client, reverse("review_list"))
    _add_reviews(world, 35, start=200)  # 40
    many = _queries(client, reverse("review_list"))
    _same(few, many)


def test_review_page_runs_the_same_number_of_queries_for_5_and_40_reviews(client, world):
    client = _as(client, world.north_manager)
    review = at_state(world, State.RESPONSE)
    url = reverse("review_detail", args=[review.pk])
    _add_reviews(world, 3, start=100)
    _grow(review, 5, start=1000)
    few = _queries(client, url)
    _add_reviews(world, 35, start=200)
    _grow(review, 35, start=2000)
    many = _queries(client, url)
    _same(few, many)

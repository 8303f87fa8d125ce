"""The hostile-input registry: every form class the project defines, and how a person reaches it.

`project_form_classes()` imports every module of the project's apps and collects each subclass of Django's
BaseForm and BaseFormSet defined there, so a new form is found without anyone listing it.
`test_every_project_form_is_in_the_registry` (test_hostile_input.py) then fails, naming the form, until it
is added to FORMS below (or to BASES, for a base class only ever used through its subclasses).

A Target says where the form is posted (a URL name; its arguments come from the authorization table's row
for that URL unless given), who posts it, by which method, and which page shows it when that is not the
URL posted to. Setup that puts the world in the state where the form is offered lives in the kwargs
callables, as in the authorization table.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils import timezone

from tests.conftest import World
from tests.product import PRODUCT_APPS

# Modules that are not application code: importing them starts servers or workers.
SKIPPED_MODULES = ("migrations", "wsgi", "asgi")


def _import_project() -> None:
    for app in PRODUCT_APPS:
        try:
            package = importlib.import_module(app)
        except ModuleNotFoundError:
            continue  # an app named in the brief that does not exist (yet)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if not any(part in SKIPPED_MODULES for part in info.name.split(".")):
                importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def dotted(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def project_form_classes() -> dict[str, type]:
    """Every form and formset class defined in the project's own modules, by dotted path."""
    _import_project()
    classes = _subclasses(forms.BaseForm) | _subclasses(forms.BaseFormSet)
    return {dotted(c): c for c in classes if c.__module__.split(".")[0] in PRODUCT_APPS}


@dataclass(frozen=True)
class Target:
    url: str  # the URL name the form is sent to
    person: str | None  # a World attribute (or "staff" for an administrator); None: not signed in
    kwargs: Callable[[World], dict] | None = None  # default: the authorization table's row for `url`
    method: str = "post"  # "get" for filter forms
    page: str | None = None  # the URL name whose GET shows the form, when it is not `url`
    error_marker: str = "There is a problem"  # what the page says when it refuses the data

    @property
    def label(self) -> str:
        return f"{self.url}-as-{self.person or 'anonymous'}"


# Setup helpers: each puts the world where the form is offered and returns the URL's arguments. -------


def _review_at(w: World, state: str):
    from reviews.models import Review

    Review.objects.filter(pk=w.north_review.pk).update(state=state)
    w.north_review.refresh_from_db()
    return w.north_review


def _step(name: str, prepare: Callable[[World], object]) -> Callable[[World], dict]:
    def kwargs(w: World) -> dict:
        prepare(w)
        return {"pk": w.north_review.pk, "name": name}

    return kwargs


def _referral_complete(w: World):
    from reviews.models import Criteria, Review

    today = timezone.localdate()
    Review.objects.filter(pk=w.north_review.pk).update(
        case_summary="What happened, in brief.",
        incident_date=today - timedelta(days=40),
        notification_date=today - timedelta(days=35),
        criteria=Criteria.STATUTORY,
    )
    return _review_at(w, "referral")


def _practice_review_at(state: str, **fields) -> Callable[[World], object]:
    """North made a safeguarding partnership and its review a practice review at `state` (the referral
    complete, its child known, and what earlier steps record)."""

    def prepare(w: World):
        from reviews.models import AgencySummary, Board, Review

        _referral_complete(w)
        Board.objects.filter(pk=w.north.pk).update(kind="partnership")
        today = timezone.localdate()
        Review.objects.filter(pk=w.north_review.pk).update(
            regime="cspr", incident_notified_on=today - timedelta(days=30), **fields
        )
        if state != "referral":
            agency = w.north.agencies.first()
            AgencySummary.objects.get_or_create(
                review=w.north_review,
                agency=agency,
                defaults={
                    "requested_by": w.north_manager,
                    "requested_on": today - timedelta(days=20),
                    "due_on": today - timedelta(days=15),
                    "received_on": today - timedelta(days=16),
                    "summary": "Known to the agency since birth.",
                },
            )
        return _review_at(w, state)

    return prepare


def _decision(w: World):
    _referral_complete(w)
    return _review_at(w, "decision")


def _not_initiated_owing_notice(w: World):
    """North's review not initiated a week ago, the national panel not yet told."""
    from reviews.models import Review

    _referral_complete(w)
    Review.objects.filter(pk=w.north_review.pk).update(
        decision="no_review",
        decision_date=timezone.localdate() - timedelta(days=7),
        national_panel_notified_on=None,
    )
    return _review_at(w, "not_initiated")


def _ready_to_start(w: World):
    from commissioning.models import ToRVersion
    from commissioning.tor import services as tor

    review = _review_at(w, "commissioning")
    version = tor.tor_draft_create(review=review, user=w.north_manager)
    ToRVersion.objects.filter(pk=version.pk).update(
        status=ToRVersion.Status.APPROVED, approved_by=w.north_chair, approved_at=timezone.now()
    )
    return review


def _with_author(w: World) -> dict:
    """North's review in progress, with an agency author on North to name."""
    w.north_author  # noqa: B018 - made when first read
    return {"pk": _in_progress(w).pk}


def _in_progress(w: World):
    return _review_at(w, "in_progress")


def _report_with_findings(w: World):
    from tests.responses.helpers import at_stage, finding

    review = at_stage(w.north_review, "report_received")
    finding(review)
    return review


def _response_signed(w: World):
    from responses.document import services
    from tests.responses.helpers import at_stage, finding

    review = at_stage(w.north_review, "response")
    finding(review)
    version = services.response_version_create(review=review, user=w.north_manager)
    services.response_version_sign(version=version, user=w.north_chair, seen_digest=version.content_digest())
    return review


def _at(state: str) -> Callable[[World], object]:
    from tests.responses.helpers import at_stage

    return lambda w: at_stage(w.north_review, state)


def _registry_entry_with_window(w: World) -> dict:
    """South's lead reviewer on the registry, with an availability window the form offers to remove."""
    from commissioning.models import Availability, LeadReviewer

    entry = LeadReviewer.objects.get_or_create(user=w.south_reviewer)[0]
    today = timezone.localdate()
    Availability.objects.get_or_create(
        reviewer=entry, available_from=today, available_to=today + timedelta(days=90)
    )
    return {"pk": entry.pk}


def _two_factor_device(w: World) -> dict:
    """North's board member with a confirmed authenticator app, asked for a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.get_or_create(user=w.north_member, name="default", defaults={"confirmed": True})
    return {}


def _admin_user_change(w: World) -> dict:
    return {"object_id": w.north_member.pk}


def _as_administrator(kwargs: Callable[[World], dict]) -> Callable[[World], dict]:
    """North's business manager, made an administrator too: the admin offers them North's reviews."""

    def setup(w: World) -> dict:
        person = w.north_manager
        person.is_staff = person.is_superuser = person.two_factor_waived = True
        person.save()
        return kwargs(w)

    return setup


def _north_appointment(w: World) -> dict:
    return {"object_id": w.north_review.appointments.get().pk}


def _input_round(w: World) -> dict:
    from tests.test_authorization import _input_round as open_round

    return open_round(w)


def _due_for_retention(w: World) -> dict:
    """North's review closed longer ago than the board keeps records, so a decision on it is due."""
    from reviews.models import Review

    w.north.refresh_from_db()
    ended = timezone.localdate() - timedelta(days=366 * (w.north.retention_years + 2))
    Review.objects.filter(pk=w.north_review.pk).update(state="closed", closed_on=ended)
    return {"pk": w.north.pk, "review_pk": w.north_review.pk}


def _route(url: str) -> Callable[[World], dict]:
    """The authorization table's arguments for `url` (which also put the world in the needed state)."""

    def kwargs(w: World) -> dict:
        from tests.test_authorization import ROUTES

        return ROUTES[url].kwargs(w)

    return kwargs


# The registry ------------------------------------------------------------------------------------------

BM = "north_manager"

FORMS: dict[str, tuple[Target, ...]] = {
    # Accounts (signing in, the person's own account, and the user admin's forms, which are ours)
    "scr_portal.accounts.forms.SignInForm": (Target("login", None),),
    "scr_portal.accounts.forms.TokenForm": (
        Target("two_factor_setup", "north_member"),
        Target("two_factor_verify", "north_member", kwargs=_two_factor_device),
    ),
    "scr_portal.accounts.forms.EmailPreferenceForm": (Target("account", "north_member"),),
    "scr_portal.accounts.forms.AdminUserCreationForm": (
        Target("admin:accounts_user_add", "staff", kwargs=lambda w: {}, error_marker="Please correct the"),
    ),
    "scr_portal.accounts.forms.AdminUserChangeForm": (
        Target(
            "admin:accounts_user_change",
            "staff",
            kwargs=_admin_user_change,
            error_marker="Please correct the",
        ),
    ),
    # Reviews: the case record
    "reviews.forms.NewReviewForm": (Target("review_create", BM),),
    "reviews.forms.ReferralForm": (Target("review_edit", BM),),
    "reviews.forms.ChildForm": (
        Target("child_add", BM),
        Target("child_edit", BM),
        Target(
            "admin:reviews_child_add",
            BM,
            kwargs=_as_administrator(lambda w: {}),
            error_marker="Please correct the",
        ),
    ),
    "reviews.forms.ParallelProcessForm": (
        Target("parallel_process_add", BM),
        Target("parallel_process_edit", BM),
    ),
    "reviews.forms.TimescalesForm": (Target("board_timescales", BM),),
    # Cross-border reviews: invitations to take part
    "reviews.forms.InviteBoardForm": (Target("review_board_invite", BM),),
    "reviews.forms.InvitationAnswerForm": (Target("invitation_answer", "east_manager"),),
    "reviews.forms.ReasonForm": (
        Target("review_board_remove", BM),
        Target("invitation_withdraw", "east_manager"),
    ),
    "reviews.forms.ReviewFilterForm": (Target("review_list", BM, method="get"),),
    # Reviews: each step of the lifecycle, with the review where the step is offered and may be taken
    "reviews.forms.NoteForm": (
        Target("review_step", BM, kwargs=_step("send_for_decision", _referral_complete)),
        Target("review_step", BM, kwargs=_step("begin_response", _report_with_findings)),
        Target("review_step", BM, kwargs=_step("start_monitoring", _at("published"))),
    ),
    "reviews.forms.InitiateForm": (
        Target("review_step", "north_chair", kwargs=_step("initiate", _decision)),
    ),
    "reviews.forms.NotInitiateForm": (
        Target("review_step", "north_chair", kwargs=_step("do_not_initiate", _decision)),
    ),
    "reviews.forms.NotInitiatedNoticeForm": (
        Target("review_step", BM, kwargs=_step("record_not_initiated_notice", _not_initiated_owing_notice)),
    ),
    "reviews.forms.StartReviewForm": (
        Target("review_step", "north_chair", kwargs=_step("start_review", _ready_to_start)),
    ),
    "reviews.forms.ReceiveReportForm": (
        Target("review_step", BM, kwargs=_step("receive_report", _in_progress)),
    ),
    "reviews.forms.PublishForm": (Target("review_step", BM, kwargs=_step("publish", _response_signed)),),
    # A practice review's steps and its rapid review
    "reviews.forms.IncidentNotificationForm": (
        Target("review_step", BM, kwargs=_step("notify_incident", _practice_review_at("referral"))),
    ),
    "reviews.forms.RapidReviewForm": (
        Target("review_step", BM, kwargs=_step("send_rapid_review", _practice_review_at("rapid_review"))),
    ),
    "reviews.forms.PanelReplyForm": (
        Target(
            "review_step",
            BM,
            kwargs=_step(
                "record_panel_reply",
                _practice_review_at("with_panel", sent_to_panel_on=timezone.localdate() - timedelta(days=5)),
            ),
        ),
    ),
    "reviews.forms.PanelNationalReviewForm": (
        Target(
            "review_step",
            BM,
            kwargs=_step(
                "panel_takes_national_review",
                _practice_review_at("with_panel", sent_to_panel_on=timezone.localdate() - timedelta(days=5)),
            ),
        ),
    ),
    "reviews.forms.AgencySummaryRequestForm": (Target("agency_summaries_request", BM),),
    "reviews.forms.AgencySummaryForm": (Target("agency_summary_record", BM),),
    "reviews.forms.CloseForm": (Target("review_step", BM, kwargs=_step("close", _at("monitoring"))),),
    "reviews.forms.WithdrawForm": (
        Target("review_step", "north_chair", kwargs=_step("withdraw", _referral_complete)),
    ),
    # Commissioning
    "commissioning.forms.FactorAssessmentsForm": (Target("factors_edit", BM),),
    "commissioning.forms.CustomFactorForm": (Target("custom_factor_add", BM),),
    "commissioning.forms.ScopeForm": (Target("scope_edit", BM),),
    "commissioning.forms.RationaleForm": (Target("rationale_edit", BM),),
    "commissioning.forms.LinesOfEnquiryForm": (Target("lines_of_enquiry_edit", BM),),
    "commissioning.forms.AgencyInvolvementForm": (Target("agency_involvement_edit", BM),),
    "markers.forms.SelfCheckForm": (
        Target("commissioning_self_check", BM),
        Target("response_self_check", BM),
        Target("information_self_check", BM),
        Target("analysis_self_check", BM),
        Target("practitioners_self_check", BM),
        Target("family_self_check", BM),
        Target("governance_self_check", BM),
        Target("management_self_check", BM),
        Target("parallel_self_check", BM),
    ),
    "commissioning.inputs.forms.InputRoundForm": (Target("input_round_open", BM),),
    # Information from agencies: the manager asks (an agency author to name), the author writes, the
    # manager sends a submission back; the chronology's filters
    "conduct.forms.InformationRequestForm": (Target("information_request_create", BM, kwargs=_with_author),),
    "conduct.forms.ChronologyEntryForm": (
        Target("chronology_entry_add", "north_author"),
        Target("chronology_entry_edit", "north_author"),
    ),
    # The analysis: the lead reviewer's lines of enquiry, episodes and the entries an episode cites
    "conduct.inquiry.forms.EnquiryLineForm": (
        Target("enquiry_line_add", "north_reviewer"),
        Target("enquiry_line_edit", "north_reviewer"),
    ),
    "conduct.inquiry.forms.EpisodeForm": (
        Target("practice_episode_add", "north_reviewer"),
        Target("practice_episode_edit", "north_reviewer"),
    ),
    "conduct.inquiry.forms.EvidenceForm": (Target("practice_episode_evidence", "north_reviewer"),),
    "conduct.inquiry.forms.AgencyAuthorForm": (Target("agency_authors", BM),),
    "conduct.forms.AgencyReportForm": (Target("information_report_upload", "north_author"),),
    "conduct.forms.ReturnForm": (Target("information_send_back", BM),),
    # The report: the lead reviewer's drafts and answers to comments, the manager's round of agencies and
    # records, an agency's reply, the chair's acceptance
    "conduct.report.forms.DraftForm": (Target("report_draft_add", "north_reviewer"),),
    "conduct.report.forms.AccuracySendForm": (Target("report_accuracy_send", BM),),
    "conduct.report.forms.AccuracyReplyForm": (Target("report_accuracy_reply", "north_member"),),
    "conduct.report.forms.CommentResponseForm": (Target("report_comment_respond", "north_reviewer"),),
    "conduct.report.forms.AssuranceForm": (Target("report_assurance_add", BM),),
    "conduct.report.forms.FamilyFeedbackForm": (Target("report_family_add", "north_reviewer"),),
    "conduct.report.forms.AcceptForm": (Target("report_accept", "north_chair"),),
    "conduct.forms.ChronologyFilterForm": (
        Target("chronology", BM, method="get"),
        # The page's filters sent with its download button, asking for the chronology as a CSV file.
        Target("chronology_csv", BM, page="chronology"),
        Target("chronology_xlsx", BM, page="chronology"),
        Target("chronology_pdf", BM, page="chronology"),
    ),
    # Practitioners and the restricted family record
    "conduct.people.forms.PractitionerEventForm": (
        Target("practitioner_event_add", BM),
        Target("practitioner_event_edit", BM),
    ),
    "conduct.people.forms.FamilyMemberForm": (
        Target("family_member_add", BM),
        Target("family_member_edit", "north_reviewer"),
    ),
    "conduct.people.forms.FamilyContactForm": (Target("family_contact_add", BM),),
    # Plan and governance: the manager keeps the plan, governance and challenge log; the lead reviewer
    # declares their independence
    "conduct.plan.forms.MilestoneForm": (Target("milestone_add", BM), Target("milestone_edit", BM)),
    "conduct.plan.forms.MilestoneDoneForm": (Target("milestone_done", BM),),
    "conduct.plan.forms.GovernanceForm": (Target("governance_edit", BM),),
    "conduct.plan.forms.IndependenceForm": (Target("independence_declare", "north_reviewer"),),
    "conduct.plan.forms.ChallengeForm": (Target("challenge_add", BM),),
    "conduct.plan.forms.ResolutionForm": (Target("challenge_resolve", BM),),
    "commissioning.inputs.forms.InputReplyForm": (
        Target("input_reply", "north_member", kwargs=_input_round, page="input_rounds"),
    ),
    "commissioning.registry.forms.RegistrySearchForm": (
        Target("registry_list", "north_chair", method="get"),
        Target("appointment_manage", BM, method="get"),
    ),
    "commissioning.registry.forms.LeadReviewerForm": (
        Target("registry_create", BM),
        Target("registry_edit", BM, kwargs=_registry_entry_with_window),
    ),
    "commissioning.registry.forms.AppointForm": (Target("appointment_create", BM),),
    "commissioning.registry.forms.EndAppointmentForm": (Target("appointment_end", BM),),
    "commissioning.admin.AppointmentAdminForm": (
        Target(
            "admin:reviews_appointment_add",
            BM,
            kwargs=_as_administrator(lambda w: {}),
            error_marker="Please correct the",
        ),
        Target(
            "admin:reviews_appointment_change",
            BM,
            kwargs=_as_administrator(_north_appointment),
            error_marker="Please correct the",
        ),
    ),
    "commissioning.registry.forms.ConflictDeclarationForm": (
        Target("appointment_conflict_declare", "north_reviewer"),
    ),
    "commissioning.registry.forms.ProposalForm": (Target("proposal_create", "north_reviewer"),),
    "commissioning.registry.forms.ProposalAnswerForm": (Target("proposal_answer", "north_chair"),),
    "commissioning.tor.forms.DraftCreateForm": (Target("tor_draft_create", BM),),
    "commissioning.tor.forms.SectionForm": (Target("tor_section_edit", BM),),
    "commissioning.tor.forms.SendForCommentForm": (Target("tor_send", BM),),
    "commissioning.tor.forms.CommentForm": (Target("tor_comment_add", "north_reviewer"),),
    "commissioning.tor.forms.ReplyForm": (Target("tor_comment_reply", "north_member"),),
    "commissioning.tor.forms.AddressForm": (Target("tor_comment_address", BM),),
    "commissioning.tor.forms.CloseCommentsForm": (Target("tor_close_comments", "north_chair"),),
    "commissioning.tor.forms.AgreementForm": (Target("tor_agreement", "south_chair"),),
    "commissioning.tor.forms.WaiverForm": (Target("tor_agreement_waive", "north_chair"),),
    # The response: report and findings, discussion, engagement
    "responses.findings.forms.FindingForm": (Target("finding_add", BM), Target("finding_edit", BM)),
    "responses.findings.forms.ReportReplaceForm": (Target("report_replace", BM),),
    "responses.findings.forms.ConfirmForm": (Target("finding_delete", BM),),
    "responses.discussion.forms.MeetingForm": (Target("meeting_create", BM), Target("meeting_edit", BM)),
    "responses.discussion.forms.DiscussionForm": (Target("discussion_record", BM),),
    "responses.discussion.forms.PositionForm": (Target("finding_position", BM),),
    "responses.discussion.forms.ActivityForm": (Target("activity_create", BM), Target("activity_edit", BM)),
    "responses.discussion.forms.ActivityDoneForm": (Target("activity_done", BM),),
    # The response: actions
    "responses.actions.forms.ActionForm": (Target("action_create", BM), Target("action_edit", BM)),
    "responses.actions.forms.ProgressForm": (Target("action_progress", "north_member"),),
    "responses.actions.forms.StatusForm": (Target("action_status", "north_member"),),
    "responses.actions.forms.PlanFilterForm": (
        Target("action_plan", "north_member", method="get"),
        Target("board_action_plan", "north_member", method="get"),
    ),
    # The response: the written response
    "responses.document.forms.MakeDraftForm": (Target("response_version_create", BM),),
    "responses.document.forms.VersionTextForm": (Target("response_version_edit", BM),),
    "responses.document.forms.SignForm": (Target("response_version_sign", "north_chair"),),
    "responses.document.forms.VerifyForm": (Target("response_verify", "north_member"),),
    # The board's business plan and learning framework
    "responses.plan.forms.PlanPeriodForm": (Target("plan_period_create", BM), Target("plan_period_edit", BM)),
    "responses.plan.forms.PlanPriorityForm": (
        Target("plan_priority_create", BM),
        Target("plan_priority_edit", BM),
    ),
    "responses.plan.forms.LearningItemForm": (
        Target("learning_item_create", BM),
        Target("learning_item_edit", BM),
    ),
    "responses.plan.forms.LearningFilterForm": (Target("learning_framework", "north_member", method="get"),),
    # Records: retention and subject access
    "records.forms.RetentionPeriodForm": (
        Target("retention_period", BM, kwargs=lambda w: {"pk": w.north.pk}),
    ),
    "records.forms.DisposalForm": (Target("retention_confirm", BM, kwargs=_due_for_retention),),
    "records.forms.SubjectAccessForm": (
        Target(
            "admin:records_subjectaccessrequest_export",
            "staff",
            kwargs=lambda w: {},
            error_marker='class="errorlist',
        ),
    ),
}

# Base classes never shown on their own: each must have a registered subclass.
BASES: dict[str, str] = {
    "scr_portal.forms.PortalForm": "the base of the portal's plain forms",
    "scr_portal.forms.PortalModelForm": "the base of the portal's model forms",
    "reviews.forms._DecisionForm": "the fields shared by the two decision steps",
    "reviews.forms.EndForm": "the reason shared by closing and withdrawing",
    "responses.plan.forms._PlanForm": "the layout shared by the business plan's forms",
}


def targets() -> list[tuple[str, Target]]:
    """Every (form, target) pair, in a stable order."""
    return [(form, target) for form, entries in sorted(FORMS.items()) for target in entries]


def kwargs_for(target: Target, world: World) -> dict:
    return (target.kwargs or _route(target.url))(world)

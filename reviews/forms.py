"""Forms for the case record and for each step of the review's lifecycle."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from scr_portal import workdays
from scr_portal.forms import (
    FilterSelect,
    PortalForm,
    PortalModelForm,
    date_field,
    not_in_future,
    prepare_field,
)
from scr_portal.uploads import DOC, DOCX, PDF, named_upload

from .models import (
    PARTNER_ROLES,
    REFERRAL_FIELDS,
    Agency,
    AgencySummary,
    Board,
    Child,
    Criteria,
    Decision,
    PanelReply,
    ParallelProcess,
    Recommendation,
    Regime,
    Review,
    Role,
    regime_problem,
)

# A practice review's report goes to the national Panel, the Secretary of State and Ofsted at least this
# many working days before it is published (Working Together 2018 ch. 4 para 45; 2023 ch. 5 para 247).
PUBLICATION_NOTICE_WORKING_DAYS = 7

User = get_user_model()


class ReferralForm(PortalModelForm):
    """The referral: what happened, when, to whom, and which criteria apply."""

    submit_label = "Save referral"
    incident_date = date_field("Date of the incident")
    notification_date = date_field(
        "Date the board learned of the incident", help_text="The notification and decision clocks start here."
    )

    class Meta:
        model = Review
        fields = ["reference", "regime", *REFERRAL_FIELDS[1:], "agencies_known"]
        widgets = {
            "regime": forms.RadioSelect,
            "criteria": forms.RadioSelect,
            "agencies_known": forms.CheckboxSelectMultiple,
            "case_summary": forms.Textarea,
        }

    def __init__(self, *args, board: Board, **kwargs):
        super().__init__(*args, **kwargs)
        self.board = board
        self.fields["agencies_known"].queryset = board.agencies.order_by("name")
        self.fields["criteria"].required = False
        self.fields["criteria"].choices = Criteria.choices
        self.fields["regime"].choices = Review._meta.get_field("regime").choices
        if self.instance.pk:
            # The regime decides the review's stages: it is chosen once, when the review is opened.
            del self.fields["regime"]
            self.lay_out()
            if self.instance.is_practice_review:
                self.fields[
                    "notification_date"
                ].label = "Date the local authority became aware of the incident"
                self.fields[
                    "notification_date"
                ].help_text = "The serious incident notification is due within 5 working days of this date."
        elif board.is_partnership:
            self.fields["regime"].initial = Regime.PRACTICE_REVIEW

    def clean_reference(self) -> str:
        reference = self.cleaned_data["reference"].strip()
        clash = Review.objects.filter(lead_board=self.board, reference__iexact=reference).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(
                f"{self.board.name} already has a review with the reference {reference}"
            )
        return reference

    def clean(self):
        data = super().clean()
        if data.get("regime") and (problem := regime_problem(self.board, data["regime"])):
            self.add_error("regime", problem)
        incident, notified = data.get("incident_date"), data.get("notification_date")
        for name, label in (
            ("incident_date", "date of the incident"),
            ("notification_date", "date the board learned of the incident"),
        ):
            try:
                not_in_future(data.get(name), label)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if incident and notified and notified < incident:
            self.add_error("notification_date", "The board cannot learn of the incident before it happened")
        return data


class NewReviewForm(ReferralForm):
    submit_label = "Create the review"
    lead_board = forms.ModelChoiceField(Board.objects.none(), label="Lead board", empty_label=None)
    pseudonym = forms.CharField(
        label="Pseudonym of the child", max_length=40, help_text='For example "Child A". Never the real name.'
    )
    outcome = forms.ChoiceField(
        label="What happened to the child", choices=Child.Outcome.choices, widget=forms.RadioSelect
    )
    layout_fields = [
        "lead_board",
        "reference",
        "regime",
        "pseudonym",
        "outcome",
        "case_summary",
        "incident_date",
        "notification_date",
        "criteria",
        "criteria_notes",
    ]

    def __init__(self, *args, boards, **kwargs):
        self.boards = boards
        board = boards[0]
        super().__init__(*args, board=board, **kwargs)
        self.fields["lead_board"].queryset = Board.objects.filter(pk__in=[b.pk for b in boards])
        self.fields["lead_board"].initial = board.pk
        del self.fields["agencies_known"]  # chosen once the lead board is known, on the review's page

    def clean_reference(self) -> str:
        board_id = self.data.get(self.add_prefix("lead_board"))
        self.board = next((b for b in self.boards if str(b.pk) == board_id), self.boards[0])
        return super().clean_reference()


class ChildForm(PortalModelForm):
    submit_label = "Save child"

    class Meta:
        model = Child
        fields = ["pseudonym", "age", "outcome", "circumstances"]
        widgets = {"outcome": forms.RadioSelect, "circumstances": forms.Textarea}

    def __init__(self, *args, review: Review | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The portal names the review; the admin edits a child of one, or chooses it (a field before this one).
        self.review = review or (self.instance.review if self.instance.review_id else None)

    def clean_pseudonym(self) -> str:
        pseudonym = self.cleaned_data["pseudonym"].strip()
        review = self.cleaned_data.get("review", self.review)
        if review is None:
            return pseudonym  # no valid review chosen: that field says so
        if review.children.filter(pseudonym__iexact=pseudonym).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(f"This review already has a child called {pseudonym}")
        return pseudonym


class ParallelProcessForm(PortalModelForm):
    submit_label = "Save"
    expected_end = date_field("Expected to conclude", required=False)
    concluded_on = date_field("Concluded on", required=False)
    disclosure_agreed_on = date_field(
        "Disclosure agreed on",
        required=False,
        help_text="When the police or the Crown Prosecution Service agreed what the review may disclose and "
        "do (for example, speak to witnesses). For example, 27 3 2026",
    )

    class Meta:
        model = ParallelProcess
        fields = [
            "kind",
            "description",
            "may_delay_publication",
            "expected_end",
            "concluded_on",
            "timetable_effect",
            "tor_effect",
            "disclosure_agreed_on",
            "disclosure_agreed_with",
            "disclosure_terms",
        ]
        widgets = {"kind": forms.RadioSelect}
        labels = {
            "may_delay_publication": "It may delay publication of the report",
            "disclosure_agreed_with": "Disclosure agreed with",
            "disclosure_terms": "What was agreed about disclosure",
        }
        help_texts = {
            "timetable_effect": "For example, practitioner interviews wait until witnesses have given evidence.",
            "tor_effect": "What the review will not look at, or will look at later, because of it.",
            "disclosure_agreed_with": "A role and organisation, for example the senior investigating officer.",
        }

    def clean(self):
        data = super().clean()
        agreed = data.get("disclosure_agreed_on")
        if agreed and agreed > timezone.localdate():
            self.add_error("disclosure_agreed_on", "The date disclosure was agreed cannot be in the future")
        if agreed and not (data.get("disclosure_agreed_with") or "").strip():
            self.add_error("disclosure_agreed_with", "Enter who the disclosure was agreed with")
        if (
            (data.get("disclosure_agreed_with") or data.get("disclosure_terms"))
            and not agreed
            and ("disclosure_agreed_on" not in self.errors)
        ):
            self.add_error("disclosure_agreed_on", "Enter the date disclosure was agreed")
        return data


class TimescalesForm(PortalModelForm):
    submit_label = "Save targets"

    class Meta:
        model = Board
        fields = [
            "notification_working_days",
            "rapid_review_working_days",
            "decision_months",
            "completion_months",
            "publication_months",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A partnership's practice reviews have a rapid review; an LSCB's reviews do not. (A partnership keeps
        # the month to decide in, for the Serious Case Reviews it took over from its board.)
        if self.instance.is_partnership:
            self.fields["notification_working_days"].help_text = (
                "From the day the local authority becomes aware of the incident to notifying the national "
                "Panel and Ofsted."
            )
            self.fields["completion_months"].help_text = (
                "For a practice review a target, not law: from the partners' decision to receiving the final "
                "report."
            )
        else:
            del self.fields["rapid_review_working_days"]
        self.lay_out()


# Cross-border reviews: invitations to take part.


class InviteBoardForm(PortalForm):
    """The lead board's business manager chooses a board to invite, with a note to its business manager."""

    submit_label = "Send the invitation"
    board = forms.ModelChoiceField(
        label="Which board do you want to invite?",
        queryset=Board.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the board to invite",
            "invalid_choice": "Choose one of the boards listed",
        },
    )
    note = forms.CharField(
        label="Note to the board's business manager (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example why you are inviting them. Do not name the child.",
    )

    def __init__(self, *args, boards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board"].queryset = boards


class InvitationAnswerForm(PortalForm):
    """The invited board's business manager accepts, or declines with a reason."""

    ANSWERS = [("accept", "Accept: our board takes part"), ("decline", "Decline")]
    submit_label = "Send your answer"
    answer = forms.ChoiceField(
        label="Will your board take part?",
        choices=ANSWERS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether your board takes part"},
    )
    reason = forms.CharField(
        label="If you decline, why?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Both boards see it on the review's timeline.",
    )

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why your board declines")
        return data


class ReasonForm(PortalForm):
    """A reason, for removing a board from a review or withdrawing from one."""

    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Both boards see it on the review's timeline.",
        error_messages={"required": "Give a reason"},
    )

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


# Forms for the lifecycle's steps. Each returns plain cleaned data; the workflow applies it.


class NoteForm(PortalForm):
    submit_label = "Confirm"
    note = forms.CharField(label="Note for the timeline (optional)", required=False, widget=forms.Textarea)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, **kwargs)
        self.review = review


class _DecisionForm(NoteForm):
    # A decision has its own rationale, so no separate note: left out of the layout as well as the form.
    layout_fields = [
        "decision_date",
        "decided_by",
        "decision_rationale",
        "national_panel_notified_on",
        "inspectorate_notified_on",
    ]
    decision_date = date_field("Date of the decision")
    decided_by = forms.ModelChoiceField(
        User.objects.none(), label="Chair who made the decision", empty_label=None
    )
    decision_rationale = forms.CharField(
        label="Why", widget=forms.Textarea, help_text="The reasons the board will be held to."
    )
    national_panel_notified_on = date_field("Date the national panel was notified", required=False)
    inspectorate_notified_on = date_field("Date Ofsted was notified", required=False)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        del self.fields["note"]
        # Under an LSCB the chair decides; under a partnership, the statutory partners.
        deciders = PARTNER_ROLES if review.is_practice_review else (Role.CHAIR,)
        self.fields["decided_by"].queryset = User.objects.filter(
            memberships__board=review.lead_board, memberships__role__in=deciders, memberships__is_active=True
        ).distinct()
        w = review.words
        self.fields["decision_rationale"].help_text = f"The reasons the {w.body} will be held to."
        if review.is_practice_review:
            # The partners decide together: each signs the decision for their organisation (the service
            # records who), so nobody is named as the one who decided.
            del self.fields["decided_by"]
            self.fields[
                "national_panel_notified_on"
            ].label = "Date the national Panel was told of the decision"
            self.fields["inspectorate_notified_on"].label = "Date Ofsted was told of the decision"
            self.submit_label = "Sign the decision for your organisation"
            self.lay_out()
        for name in ("national_panel_notified_on", "inspectorate_notified_on"):
            self.fields[name].initial = getattr(review, name)

    def clean(self):
        data = super().clean()
        for name in ("decision_date", "national_panel_notified_on", "inspectorate_notified_on"):
            try:
                not_in_future(data.get(name), self.fields[name].label)
            except forms.ValidationError as error:
                self.add_error(name, error)
        if (
            data.get("decision_date")
            and self.review.notification_date
            and data["decision_date"] < self.review.notification_date
        ):
            self.add_error(
                "decision_date",
                "The decision cannot come before the local authority became aware of the incident"
                if self.review.is_practice_review
                else "The decision cannot come before the board learned of the incident",
            )
        return data


class InitiateForm(_DecisionForm):
    submit_label = "Record the decision to initiate"
    reviewers_named = forms.CharField(
        label="Lead reviewers named in the notification",
        required=False,
        max_length=300,
        help_text="The national panel and Ofsted are told of the decision with the lead reviewers' names.",
    )
    layout_fields = [*_DecisionForm.layout_fields, "reviewers_named"]

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        if review.is_practice_review:
            del self.fields["reviewers_named"]
            self.layout_fields = _DecisionForm.layout_fields
            self.submit_label = "Sign the decision to hold a local review"
            self.lay_out()

    def clean(self):
        data = super().clean()
        if self.review.criteria == Criteria.STATUTORY and not self.review.is_practice_review:
            for name in ("national_panel_notified_on", "inspectorate_notified_on"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        f"Enter the {self.fields[name].label.lower()}: the criteria are statutory, so both must be notified",
                    )
        return data


class NotInitiateForm(_DecisionForm):
    submit_label = "Record the decision"
    decision = forms.ChoiceField(
        label="What was decided instead",
        choices=[c for c in Decision.choices if c[0] != Decision.INITIATE],
        widget=forms.RadioSelect,
    )
    layout_fields = [
        "decision",
        "decision_date",
        "decided_by",
        "decision_rationale",
        "national_panel_notified_on",
        "inspectorate_notified_on",
    ]


class _PastDatesMixin:
    """Dates of things that have happened: none may be in the future."""

    past_dates: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for name in self.past_dates:
            try:
                not_in_future(data.get(name), str(self.fields[name].label))
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data


class StartReviewForm(_PastDatesMixin, NoteForm):
    submit_label = "Start the review"
    started_on = date_field("Date the review started")
    layout_fields = ["started_on", "note"]
    past_dates = ("started_on",)


class ReceiveReportForm(NoteForm):
    submit_label = "Record the final report"
    final_report = forms.FileField(
        label="Final report", help_text="A PDF or Word document, smaller than 25 MB."
    )
    report_received_on = date_field("Date the final report was received")
    layout_fields = ["final_report", "report_received_on", "note"]

    def clean_final_report(self):
        return named_upload(self.cleaned_data["final_report"], allowed=(PDF, DOCX, DOC))

    def clean_report_received_on(self):
        value = self.cleaned_data["report_received_on"]
        not_in_future(value, "date the final report was received")
        return value


class NotInitiatedNoticeForm(_PastDatesMixin, NoteForm):
    """A Serious Case Review not initiated: when the national panel (and Ofsted) were told of the decision,
    with the reasons, when that was not recorded with the decision itself."""

    submit_label = "Record the notice"
    national_panel_notified_on = date_field(
        "Date the national panel was told of the decision, with the reasons"
    )
    inspectorate_notified_on = date_field("Date Ofsted was told (optional)", required=False)
    layout_fields = ["national_panel_notified_on", "inspectorate_notified_on", "note"]
    past_dates = ("national_panel_notified_on", "inspectorate_notified_on")

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        self.fields["inspectorate_notified_on"].initial = review.inspectorate_notified_on

    def clean(self):
        data = super().clean()
        decided = self.review.decision_date
        for name in ("national_panel_notified_on", "inspectorate_notified_on"):
            if data.get(name) and decided and data[name] < decided:
                self.add_error(name, f"The notice cannot come before the decision ({decided:%-d %B %Y})")
        return data


class PublishForm(_PastDatesMixin, NoteForm):
    submit_label = "Record publication"
    publication_notice_on = date_field(
        "Date the report was sent to the national Panel, the Secretary of State and Ofsted",
        required=False,
        help_text="At least 7 working days before publication.",
    )
    report_published_on = date_field("Date the report was published")
    response_published_on = date_field("Date the response was published")
    layout_fields = ["publication_notice_on", "report_published_on", "response_published_on", "note"]
    past_dates = ("publication_notice_on", "report_published_on", "response_published_on")

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        self.fields["response_published_on"].label = f"Date the {review.words.response} was published"
        if review.is_practice_review:
            self.fields["publication_notice_on"].required = True
        else:
            self.fields[
                "publication_notice_on"
            ].label = "Date a copy of the report was sent to the national panel"
            self.fields["publication_notice_on"].help_text = "About a week before publication (optional)."

    def clean(self):
        data = super().clean()
        received = self.review.report_received_on
        for name in ("report_published_on", "response_published_on"):
            if data.get(name) and received and data[name] < received:
                self.add_error(
                    name, f"Publication cannot come before the report was received ({received:%-d %B %Y})"
                )
        notice, published = data.get("publication_notice_on"), data.get("report_published_on")
        if self.review.is_practice_review and notice and published:
            earliest = workdays.add_working_days(notice, PUBLICATION_NOTICE_WORKING_DAYS)
            if published < earliest:
                self.add_error(
                    "report_published_on",
                    f"The report can be published no earlier than {earliest:%-d %B %Y}: 7 working days after "
                    f"it was sent to the national Panel, the Secretary of State and Ofsted ({notice:%-d %B %Y})",
                )
        return data


class IncidentNotificationForm(_PastDatesMixin, NoteForm):
    """The local authority's serious incident notification: who, when, and the Panel's reference for each
    child (one notification per child)."""

    submit_label = "Record the notification"
    incident_notified_on = date_field("Date the local authority notified the Panel and Ofsted")
    incident_notified_by = forms.CharField(
        label="Who notified", max_length=200, help_text="Name and role at the local authority."
    )
    past_dates = ("incident_notified_on",)

    def __init__(self, *args, review: Review, **kwargs):
        super().__init__(*args, review=review, **kwargs)
        self.fields["incident_notified_on"].initial = review.incident_notified_on
        self.fields["incident_notified_by"].initial = review.incident_notified_by
        self.layout_fields = ["incident_notified_on", "incident_notified_by"]
        for child in review.children.all():
            name = f"reference_{child.pk}"
            self.fields[name] = forms.CharField(
                label=f"Notification reference for {child.pseudonym}",
                max_length=60,
                initial=child.panel_reference,
                help_text="The reference the Panel's notification system gave for this child.",
                # The pseudonym as written ("Child W"), not lower-cased by the generic "Enter …" message.
                error_messages={"required": f"Enter the notification reference for {child.pseudonym}"},
            )
            prepare_field(self.fields[name])
            self.layout_fields.append(name)
        self.layout_fields.append("note")
        # The layout was built before the children's fields existed: built again with them.
        self.lay_out()

    def clean(self):
        data = super().clean()
        aware, notified = self.review.notification_date, data.get("incident_notified_on")
        if aware and notified and notified < aware:
            self.add_error(
                "incident_notified_on",
                f"The notification cannot come before the local authority became aware ({aware:%-d %B %Y})",
            )
        return data


class RapidReviewForm(_PastDatesMixin, NoteForm):
    submit_label = "Send the rapid review to the Panel"
    rapid_review_meeting_on = date_field("Date of the rapid review meeting")
    immediate_safety_actions = forms.CharField(
        label="Immediate safety actions",
        widget=forms.Textarea,
        help_text="What was done to keep the child, siblings and other children safe now.",
    )
    learning_identified = forms.CharField(label="Learning identified", widget=forms.Textarea)
    recommendation = forms.ChoiceField(
        label="The rapid review's recommendation", choices=Recommendation.choices, widget=forms.RadioSelect
    )
    recommendation_reasons = forms.CharField(
        label="Reasons for the recommendation",
        widget=forms.Textarea,
        required=False,
        help_text="Needed when no further review is recommended, or a national review is suggested.",
    )
    sent_to_panel_on = date_field("Date the rapid review was sent to the Panel")
    layout_fields = [
        "rapid_review_meeting_on",
        "immediate_safety_actions",
        "learning_identified",
        "recommendation",
        "recommendation_reasons",
        "sent_to_panel_on",
    ]
    past_dates = ("rapid_review_meeting_on", "sent_to_panel_on")

    def clean(self):
        data = super().clean()
        meeting, sent = data.get("rapid_review_meeting_on"), data.get("sent_to_panel_on")
        notified = self.review.incident_notified_on
        if notified and meeting and meeting < notified:
            self.add_error(
                "rapid_review_meeting_on",
                f"The meeting cannot come before the notification ({notified:%-d %B %Y})",
            )
        if meeting and sent and sent < meeting:
            self.add_error("sent_to_panel_on", "The rapid review cannot be sent before its meeting")
        needs_reasons = (Recommendation.NO_FURTHER_REVIEW, Recommendation.NATIONAL_REVIEW)
        if (
            data.get("recommendation") in needs_reasons
            and not (data.get("recommendation_reasons") or "").strip()
        ):
            self.add_error("recommendation_reasons", "Give the reasons for this recommendation")
        return data


class PanelReplyForm(_PastDatesMixin, NoteForm):
    submit_label = "Record the Panel's reply"
    panel_reply = forms.ChoiceField(
        label="The Panel's reply",
        choices=[c for c in PanelReply.choices if c[0] != PanelReply.NATIONAL_REVIEW],
        widget=forms.RadioSelect,
    )
    panel_replied_on = date_field("Date of the Panel's reply")
    panel_reply_reasons = forms.CharField(
        label="The Panel's reasons",
        widget=forms.Textarea,
        required=False,
        help_text="Needed when the Panel disagrees.",
    )
    layout_fields = ["panel_reply", "panel_replied_on", "panel_reply_reasons"]
    past_dates = ("panel_replied_on",)

    def clean(self):
        data = super().clean()
        sent, replied = self.review.sent_to_panel_on, data.get("panel_replied_on")
        if sent and replied and replied < sent:
            self.add_error(
                "panel_replied_on",
                f"The reply cannot come before the rapid review was sent ({sent:%-d %B %Y})",
            )
        if (
            data.get("panel_reply") == PanelReply.DISAGREES
            and not (data.get("panel_reply_reasons") or "").strip()
        ):
            self.add_error("panel_reply_reasons", "Enter the Panel's reasons for disagreeing")
        return data


class PanelNationalReviewForm(PanelReplyForm):
    submit_label = "Record the national review"
    panel_reply = forms.ChoiceField(
        label="The Panel's reply",
        choices=[c for c in PanelReply.choices if c[0] == PanelReply.NATIONAL_REVIEW],
        initial=PanelReply.NATIONAL_REVIEW,
        widget=forms.RadioSelect,
    )
    panel_reply_reasons = forms.CharField(label="What the Panel said", widget=forms.Textarea, required=False)


class EndForm(NoteForm):
    submit_label = "Confirm"
    end_reason = forms.CharField(label="Why", widget=forms.Textarea)
    layout_fields = ["end_reason"]


class CloseForm(_PastDatesMixin, EndForm):
    submit_label = "Close the review"
    closed_on = date_field("Date of closure")
    layout_fields = ["closed_on", "end_reason"]
    past_dates = ("closed_on",)


class WithdrawForm(EndForm):
    submit_label = "Withdraw the review"


class ReviewFilterForm(forms.Form):
    """The review list's filters: every field optional; bad values are ignored with a message, not a 500."""

    SORTS = {
        "due": ("due_on", "Next deadline, soonest first"),
        "reference": ("reference", "Reference"),
        "stage": ("state", "Stage"),
        "newest": ("-created_at", "Newest first"),
        "oldest": ("created_at", "Oldest first"),
    }

    q = forms.CharField(label="Reference or child's pseudonym", required=False, max_length=100)
    state = forms.ChoiceField(label="Stage", required=False, widget=FilterSelect)
    board = forms.ChoiceField(label="Board", required=False, widget=FilterSelect)
    regime = forms.ChoiceField(label="Kind of review", required=False, widget=FilterSelect)
    overdue = forms.BooleanField(label="Only reviews with an overdue deadline", required=False)
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(k, v[1]) for k, v in SORTS.items()], widget=FilterSelect
    )

    def __init__(self, *args, boards, regimes, stages, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds of review the person's boards hold, and their stages (reviews.workflow.stage_choices):
        # a partnership's people are never offered a Serious Case Review, nor an LSCB's a rapid review.
        self.fields["state"].choices = [("", "Any stage"), *stages]
        self.fields["board"].choices = [("", "Any board"), *((str(b.pk), b.name) for b in boards)]
        self.fields["regime"].choices = [("", "Any kind"), *(c for c in Regime.choices if c[0] in regimes)]


# A practice review's rapid review: agencies' summaries ----------------------------------------------------

# An agency is asked for its summary within this many working days, unless the rapid review is due sooner.
SUMMARY_WORKING_DAYS = 5


class AgencySummaryRequestForm(PortalForm):
    """Ask one or more of the partnership's agencies (not asked yet) for a summary of their involvement."""

    submit_label = "Ask for the summaries"
    agencies = forms.ModelMultipleChoiceField(
        Agency.objects.none(),
        label="Which agencies do you want to ask?",
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Their members and partners on the partnership are told.",
        error_messages={"required": "Select at least one agency to ask"},
    )
    due_on = date_field("Date the summary is due")

    def __init__(self, *args, review: Review, rapid_review_due=None, **kwargs):
        super().__init__(*args, **kwargs)
        asked = AgencySummary.objects.filter(review=review).values("agency_id")
        self.fields["agencies"].queryset = review.lead_board.agencies.exclude(pk__in=asked).order_by("name")
        today = timezone.localdate()
        default = workdays.add_working_days(today, SUMMARY_WORKING_DAYS)
        if rapid_review_due and today <= rapid_review_due < default:
            default = rapid_review_due
        self.fields["due_on"].initial = default
        self.fields["due_on"].help_text = (
            f"Usually {SUMMARY_WORKING_DAYS} working days from today"
            + (
                f", and no later than {rapid_review_due.day} {rapid_review_due:%B %Y}, when the rapid review "
                "is due with the Panel"
                if rapid_review_due
                else ""
            )
            + f". For example, {default.day} {default:%-m %Y}"
        )


class AgencySummaryForm(PortalForm):
    """An agency's summary of its involvement, and the day it was received."""

    submit_label = "Save the summary"
    summary_text = forms.CharField(
        label="Summary of the agency's involvement",
        widget=forms.Textarea,
        help_text="What the agency knew of the child and family, what it did, and any immediate concerns for "
        "the safety of other children. Refer to children by pseudonym only.",
        error_messages={"required": "Enter the agency's summary of its involvement"},
    )
    received_on = date_field("Date the summary was received")

    def __init__(self, *args, summary: AgencySummary, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["summary_text"].initial = summary.summary
        self.fields["received_on"].initial = summary.received_on or timezone.localdate()

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        not_in_future(value, "date the summary was received")
        return value

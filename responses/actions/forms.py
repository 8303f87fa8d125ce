"""Forms for actions: agreeing or changing an action, recording progress (with a status change and evidence
files), changing the status, and filtering an action plan."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Button, Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from responses.models import Action, Finding, PlanPriority
from reviews.models import Agency, Review
from scr_portal.forms import (
    FilterSelect,
    FollowingSelect,
    Listed,
    PortalForm,
    date_field,
    id_from_query,
    not_in_future,
)
from scr_portal.uploads import DOCX, JPEG, MAX_DOCUMENT_BYTES, PDF, PNG, XLSX, check_upload

from . import selectors, workflow
from .services import EDITABLE, ActionDetails, Upload

Status = Action.Status
EVIDENCE_KINDS = (PDF, DOCX, XLSX, PNG, JPEG)
MAX_FILES = 10
MAX_MB = MAX_DOCUMENT_BYTES // (1024 * 1024)


def _radio_choices(choices, hints: dict | None = None) -> list:
    hints = hints or {}
    return [
        Choice(value, label, hint=hints[value]) if value in hints else (value, label)
        for value, label in choices
    ]


class _FindingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Finding) -> str:
        position = f" ({obj.get_position_display().lower()})" if obj.position else ""
        return f"Finding {obj.number}: {obj.title}{position}"


class _PlanPriorityField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.choice_label


class ActionForm(PortalForm):
    """An action's details. The choices come from the review: its findings, the agencies and people of its
    boards, and the lead board's current business plan."""

    submit_label = "Agree the action"
    findings = _FindingChoiceField(
        label="Findings this action responds to",
        queryset=Finding.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select the findings this action responds to"},
    )
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea,
        help_text="Say what will change, for whom, and how the board will know it has happened.",
        error_messages={"required": "Enter what will be done"},
    )
    kind = forms.ChoiceField(
        label="Kind of action",
        widget=forms.RadioSelect,
        choices=_radio_choices(
            Action.Kind.choices,
            {
                Action.Kind.STRATEGIC: "Changes direction, policy or how agencies work together.",
                Action.Kind.IMMEDIATE: "Needed now to keep children safe.",
                Action.Kind.PRACTICAL: "A concrete change to day-to-day practice, procedure or training.",
            },
        ),
        error_messages={"required": "Select the kind of action"},
    )
    function = forms.ChoiceField(
        label="Which of the board's functions it serves",
        widget=forms.RadioSelect,
        choices=Action.Function.choices,
        error_messages={"required": "Select which of the board's functions the action serves"},
    )
    level = forms.ChoiceField(
        label="Level",
        widget=forms.RadioSelect,
        choices=_radio_choices(
            Action.Level.choices,
            {Action.Level.NATIONAL: "Needs action by government or a national body."},
        ),
        error_messages={"required": "Select the level of the action"},
    )
    owner_agency = forms.ModelChoiceField(
        label="Owner agency",
        queryset=Agency.objects.none(),
        empty_label="Choose an agency",
        error_messages={"required": "Select the owner agency"},
    )
    owner = forms.ChoiceField(
        label="Named owner",
        help_text="A business manager, chair or board member of the boards taking part, or an action owner: "
        "someone of the agency without a seat on the board. Board members and action owners can only own "
        "actions of their own agency: once you choose the agency, only the people who can own its actions "
        "are listed. Someone missing? Ask the portal's administrator to add them as an action owner for "
        "their agency.",
        widget=FollowingSelect(follows="owner_agency"),
        error_messages={"required": "Select the named owner"},
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        coerce=int,
        widget=forms.RadioSelect,
        choices=Action.Priority.choices,
        error_messages={"required": "Select the priority"},
    )
    priority_reason = forms.CharField(
        label="Why this priority",
        widget=forms.Textarea,
        help_text="For example, how urgent the risk is, or what work is already under way. Delaying an "
        "action can be the right choice: say why.",
        error_messages={"required": "Enter why the action has this priority"},
    )
    plan_priority = _PlanPriorityField(
        label="Business plan priority (optional)",
        queryset=PlanPriority.objects.none(),
        required=False,
        empty_label="Not linked to the business plan",
        help_text="The priority of the board's current business plan this action supports.",
    )
    due_on = date_field("Due date")
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    layout_fields = ["findings", *EDITABLE, "seen"]

    def __init__(self, *args, review: Review, action: Action | None = None, **kwargs):
        self.review = review
        self.action = action
        if action is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "findings": [f.pk for f in action.findings.all()],
                **{f: getattr(action, f) for f in ("description", "kind", "function", "level", "priority")},
                "priority_reason": action.priority_reason,
                "owner_agency": action.owner_agency_id,
                "owner": str(action.owner_id),
                "plan_priority": action.plan_priority_id,
                "due_on": action.due_on,
            }
        super().__init__(*args, **kwargs)
        if action is not None:
            self.submit_label = "Save the changes"
            self.helper.layout = Layout(
                *(self._component(n) for n in self.layout_fields), Button("submit", self.submit_label)
            )
        self.fields["findings"].queryset = review.findings.order_by("number")
        self.fields["owner_agency"].queryset = selectors.owner_agencies(review)
        self.candidates = selectors.owner_candidates(review)
        self.fields["owner"].choices = [("", "Choose a person")] + [
            (str(pk), c.label) for pk, c in self.candidates.items()
        ]
        # A board member goes with the agencies they represent; anyone else with any agency.
        self.fields["owner"].widget.goes_with = {
            str(pk): sorted(c.agency_ids) for pk, c in self.candidates.items() if c.agency_ids
        }
        if action is not None and action.owner_id not in self.candidates:
            gone = action.owner.get_full_name() or action.owner.email
            self.fields["owner"].help_text = (
                f"{gone} no longer has a role on the boards taking part in this review: choose a new owner. "
                + self.fields["owner"].help_text
            )
        self.fields["plan_priority"].queryset = PlanPriority.objects.choices_for(
            review.lead_board, keep=action.plan_priority_id if action else None
        )

    def _component(self, name: str):
        if name == "seen":
            return Field(name)
        if name in ("owner_agency", "owner", "plan_priority"):
            return Field.select(name)
        if name in ("description", "priority_reason"):
            return Field.textarea(name, rows=5 if name == "description" else 3)
        return super()._component(name)

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        candidate = self.candidates.get(id_from_query(value))
        if candidate is None:
            raise forms.ValidationError(selectors.owner_problem(None, None))
        return candidate

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        was = self.action.due_on if self.action else None
        if value != was and value < timezone.localdate():
            raise forms.ValidationError("The due date cannot be in the past")
        return value

    def clean(self):
        data = super().clean()
        candidate = data.get("owner")
        agency = data.get("owner_agency")
        if candidate is not None and agency is not None:
            problem = selectors.owner_problem(candidate, agency)
            if problem:
                self.add_error("owner", problem)
        return data

    def details(self) -> ActionDetails:
        """The cleaned data as the services take it (the owner as a user)."""
        d = self.cleaned_data
        return ActionDetails(
            findings=list(d["findings"]),
            description=d["description"],
            kind=d["kind"],
            function=d["function"],
            level=d["level"],
            owner_agency=d["owner_agency"],
            owner=d["owner"].user,
            priority=d["priority"],
            priority_reason=d["priority_reason"],
            plan_priority=d["plan_priority"],
            due_on=d["due_on"],
        )


# Evidence files --------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more files in one input; each is checked on its own, and a bad file is named in the error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "govuk-file-upload"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [d for d in (data if isinstance(data, list | tuple) else [data]) if d]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(f"Attach up to {MAX_FILES} files at a time")
        checked, problems = [], []
        for upload in uploads:
            try:
                kind = check_upload(upload, allowed=EVIDENCE_KINDS)
            except forms.ValidationError as error:
                problems.append(_file_problem(upload, error))
            else:
                checked.append(Upload(upload, kind))
        if problems:
            raise forms.ValidationError(problems)
        return checked


def _file_problem(upload, error: forms.ValidationError) -> str:
    name = upload.name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:80] or "The file"
    if error.code == "unreadable_pdf":
        return f"“{name}” is not a readable PDF. Save it again as a PDF and upload it."
    if upload.size == 0:
        return f"“{name}” is empty"
    if upload.size > MAX_DOCUMENT_BYTES:
        return f"“{name}” is too big: each file must be smaller than {MAX_MB} MB"
    return f"“{name}” must be a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file"


# Progress and status ---------------------------------------------------------------------------------


class _SeenStatusField(forms.CharField):
    """The status the page showed when it was opened. Never an error: a value that is not a status (from a
    page made before the field existed, or made up) is taken as "not said"."""

    def clean(self, value) -> str:
        return value if value in Status.values else ""


class StatusForm(PortalForm):
    """A status change: the moves allowed from the action's status, the deferral's reason and the date to
    look again (asked for only when deferring), a note, and evidence files.

    The status the person was shown travels with the form (`seen_status`), and the moves offered are the
    ones from that status: if someone else changes the status meanwhile, the service refuses the change
    with a message saying so, rather than this form rejecting a choice the person was offered."""

    submit_label = "Change the status"
    status = forms.ChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"}
    )
    deferred_reason = forms.CharField(
        label="Why it is deferred",
        required=False,
        widget=forms.Textarea,
        help_text="For example, the business plan already covers this area for now. Needed only to defer.",
    )
    deferred_until = date_field(
        "Date to look at it again",
        required=False,
        help_text="Needed only to defer. For example, 27 3 2027: the owner and business manager are reminded then.",
    )
    text = forms.CharField(
        label="Anything to add (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="What happened to move the action on.",
    )
    evidence = EvidenceField(
        label="Evidence files (optional)",
        help_text=f"PDF, Word (.docx), Excel (.xlsx), PNG or JPEG, each smaller than {MAX_MB} MB. You can select "
        "several files. To mark the impact as evidenced, the action needs at least one evidence file.",
    )
    seen_status = _SeenStatusField(widget=forms.HiddenInput, required=False)
    keep_label = ""

    def __init__(self, *args, action: Action, **kwargs):
        self.action = action
        kwargs["initial"] = {"seen_status": action.status, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.shown_status = self._shown_status()
        choices = workflow.choices_from(self.shown_status)
        self.moves = [value for value, _ in choices]
        if self.keep_label:
            choices.insert(0, ("", self.keep_label.format(status=Status(self.shown_status).label.lower())))
        self.fields["status"].choices = choices
        button = [Button("submit", self.submit_label)] if choices else []
        self.helper.layout = Layout(*self._layout(), Field("seen_status"), *button)

    def _shown_status(self) -> str:
        """The status the page showed when it was opened (the action's own when the form does not say)."""
        seen = self.data.get(self.add_prefix("seen_status")) if self.is_bound else ""
        return self.fields["seen_status"].clean(seen) or self.action.status

    def seen(self) -> str | None:
        """The status the person saw, for the service's check; None when the form did not carry one."""
        return self.cleaned_data.get("seen_status") or None

    def _status_radios(self) -> list:
        """The status radios, then the deferral's questions in their own group. (Not a conditional reveal:
        the design system's script marks radios aria-expanded, which radios may not carry.) A form shown
        again after someone else changed the status keeps the deferral's reason the person wrote, even
        when deferring is no longer offered, so their words are not lost."""
        choices = self.fields["status"].choices
        parts = [Field.radios("status", legend_size=Size.SMALL)] if choices else []
        if any(workflow.is_deferred(value) for value, _ in choices) or self.initial.get("deferred_reason"):
            parts.append(
                Fieldset(
                    Field.textarea("deferred_reason", rows=3),
                    Field("deferred_until"),
                    legend="If you defer the action",
                    legend_size=Size.SMALL,
                    css_class="govuk-fieldset",
                )
            )
        return parts

    def _layout(self) -> list:
        return [*self._status_radios(), Field.textarea("text", rows=4), Field("evidence")]

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if workflow.is_deferred(status):
            if not (data.get("deferred_reason") or "").strip():
                self.add_error("deferred_reason", "Enter why the action is deferred")
            until = data.get("deferred_until")
            if until is None and "deferred_until" not in self.errors:
                self.add_error("deferred_until", "Enter the date to look at the action again")
            elif until is not None and until <= timezone.localdate():
                self.add_error("deferred_until", "The date to look at the action again must be in the future")
        if (
            status in workflow.EVIDENCED_STATUSES
            and not data.get("evidence")
            and "evidence" not in self.errors
            and not workflow.has_evidence(self.action)
        ):
            self.add_error("evidence", "Attach the evidence of impact")
        return data

    def progress_text(self) -> str:
        text = (self.cleaned_data.get("text") or "").strip()
        if text:
            return text
        status = self.cleaned_data.get("status")
        if workflow.is_deferred(status):
            return f"Deferred: {self.cleaned_data['deferred_reason'].strip()}"
        return f"Status changed to {Status(status).label.lower()}."


class ProgressForm(StatusForm):
    """A dated progress update, with an optional status change and any evidence files."""

    submit_label = "Save the progress update"
    keep_label = "Leave it as {status}"
    on = date_field("Date of the progress", help_text="For example, 27 3 2026. It cannot be in the future.")
    text = forms.CharField(
        label="Progress made",
        widget=forms.Textarea,
        help_text="What has been done since the last update, and what happens next.",
        error_messages={"required": "Enter the progress made"},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate(), "status": ""})
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False
        self.fields["status"].label = "Does the status change?"
        self.fields["evidence"].label = "Evidence files (optional)"

    def _layout(self) -> list:
        return [Field("on"), Field.textarea("text", rows=6), *self._status_radios(), Field("evidence")]

    def clean_on(self):
        value = self.cleaned_data["on"]
        not_in_future(value, "date of the progress")
        return value


# Filtering a plan ------------------------------------------------------------------------------------


def _filter_checkbox() -> forms.CheckboxInput:
    return forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"})


class PlanFilterForm(forms.Form):
    """An action plan's filters: every field optional; values that are not understood are left out. The
    view gives the choices that depend on the plan (owners, agencies, reviews)."""

    mine = forms.BooleanField(
        label="Only actions I or my agency own", required=False, widget=_filter_checkbox()
    )
    owner = forms.TypedChoiceField(
        label="Named owner", required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    owner_agency = forms.TypedChoiceField(
        label="Owner agency", required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    status = forms.ChoiceField(label="Status", required=False, widget=FilterSelect)
    rag = forms.ChoiceField(label="RAG", required=False, widget=FilterSelect)
    overdue = forms.BooleanField(label="Only overdue actions", required=False, widget=_filter_checkbox())
    priority = forms.TypedChoiceField(
        label="Priority", required=False, coerce=int, empty_value=None, widget=FilterSelect
    )
    review = forms.TypedChoiceField(
        label="Review", required=False, coerce=int, empty_value=None, widget=FilterSelect
    )

    CHECKBOXES = ("mine", "overdue")

    def __init__(self, *args, owners, agencies, reviews=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = Listed([("", "Anyone"), *owners])
        self.fields["owner_agency"].choices = Listed([("", "Any agency"), *agencies])
        self.fields["status"].choices = [("", "Any status"), *Status.choices]
        self.fields["rag"].choices = [("", "Any colour"), *selectors.Rag.choices]
        self.fields["priority"].choices = [("", "Any priority"), *Action.Priority.choices]
        if reviews is None:
            del self.fields["review"]
        else:
            self.fields["review"].choices = Listed([("", "Any review"), *reviews])

    def selects(self) -> list[forms.BoundField]:
        """The drop-down filters, in order."""
        return [field for field in self if field.name not in self.CHECKBOXES]

    def checkboxes(self) -> list[forms.BoundField]:
        return [field for field in self if field.name in self.CHECKBOXES]

    def filters(self) -> selectors.Filters:
        if not self.is_bound:
            return selectors.Filters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.Filters(
            **{name: data[name] for name in self.fields if data.get(name) not in (None, "")}
        )

"""What anonymising a review does to each kind of record under it, declared as data.

Every model that belongs to a review (through a chain of foreign keys) has one row here, saying for each of
its text fields, files and references to people whether it is:

- learning, kept with every name the portal knows removed (`keep`): finding titles, action descriptions,
  engagement activities, timeline titles;
- free text that could identify someone, emptied to "[removed]" (`clear`);
- a reference to a person, moved to one placeholder account, "Removed person" (`people`);
- a stored file, deleted from disk (`files`);
- or, for the whole row, removed (`remove`): who looked at the review, notifications, invitations and
  replies, declarations of interest, evidence files, the signed response text, generated documents and
  exports of the review's action plan and of its merged chronology.

Choices, dates, numbers and links to boards, agencies, themes and other rows are the learning's skeleton
and are kept. Text fields that can hold nothing personal (a reference, a section key) are listed as
`plain`. A test checks that every text field, file and person reference of every model under a review is
named here, so a new field cannot slip through unanonymised.

Rows are listed parents first: history rows of a child are found through its parents' ids."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models


@dataclass(frozen=True)
class Part:
    label: str  # "app_label.ModelName"
    parent: str = ""  # the foreign key to the parent row ("" for the review itself)
    parent_label: str = "reviews.Review"
    keep: tuple[str, ...] = ()
    clear: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()
    remove: bool = False
    relabel: tuple[tuple[str, str], ...] = ()  # (field, pattern with {n}): a neutral label in order

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    @property
    def history_model(self) -> type[models.Model] | None:
        manager = getattr(self.model, "history", None)
        return manager.model if manager is not None else None


R = "reviews.Review"
PARTS: tuple[Part, ...] = (
    Part(
        R,
        clear=(
            "case_summary",
            "criteria_notes",
            "decision_rationale",
            "final_report_name",
            "end_reason",
            # Names of people, and what a practice review's rapid review and the Panel said of the case.
            "reviewers_named",
            "incident_notified_by",
            "immediate_safety_actions",
            "learning_identified",
            "recommendation_reasons",
            "panel_reply_reasons",
        ),
        people=("decided_by",),
        files=("final_report",),
        plain=("reference", "due_kind"),
    ),
    Part(
        "reviews.Child",
        "review",
        relabel=(("pseudonym", "Child {n}"),),
        # panel_reference: the national Panel's reference for the child's notification, which finds the case.
        clear=("age", "circumstances", "panel_reference"),
    ),
    Part("reviews.AgencySummary", "review", clear=("summary",), people=("requested_by",)),
    # The partners' signatures on their decision: the text signed holds the decision's reasons.
    Part("reviews.DecisionSignature", "review", remove=True),
    Part(
        "reviews.ParallelProcess",
        "review",
        clear=("description", "timetable_effect", "tor_effect", "disclosure_agreed_with", "disclosure_terms"),
    ),
    Part(
        "reviews.TimelineEntry",
        "review",
        keep=("title",),
        clear=("body",),
        people=("actor",),
        plain=("transition",),
    ),
    Part("reviews.ParticipatingBoard", "review"),
    Part("reviews.BoardInvitation", "review", clear=("note", "reason"), people=("invited_by", "answered_by")),
    Part("reviews.Appointment", "review", remove=True),
    Part("reviews.ReviewAccess", "review", remove=True),
    Part("reviews.Notification", "review", remove=True),
    # Commissioning
    Part("commissioning.Factor", "review", keep=("title",), clear=("guidance",), plain=("key",)),
    Part("commissioning.FactorAssessment", "review", clear=("assessment",), people=("updated_by",)),
    Part(
        "commissioning.Scope",
        "review",
        clear=("breadth_and_depth", "method_detail", "reviewer_knowledge", "joint_decision", "rationale"),
    ),
    Part("commissioning.LineOfEnquiry", "review", clear=("question",)),
    Part("commissioning.AgencyInvolvement", "review", clear=("notes",)),
    Part("commissioning.InputRound", "review", clear=("request",), people=("opened_by",)),
    Part("commissioning.InputInvitation", "round", "commissioning.InputRound", remove=True),
    Part("commissioning.InputReply", "invitation", "commissioning.InputInvitation", remove=True),
    Part("commissioning.ConflictDeclaration", "review", remove=True),
    # Information from agencies: why it was asked and the agencies' chronologies name the family and the
    # practitioners; the dates, agencies and significance are the learning's skeleton. The document goes.
    Part(
        "conduct.InformationRequest",
        "review",
        clear=("reason", "return_reason", "report_name"),
        people=("author", "asked_by", "answered_by"),
        files=("report",),
    ),
    Part("conduct.ChronologyEntry", "request", "conduct.InformationRequest", clear=("event", "source")),
    # The analysis: the reviewer's questions and episodes tell the family's story; their dates stay.
    Part("conduct.EnquiryLine", "review", clear=("question", "why"), people=("created_by",)),
    Part(
        "conduct.PracticeEpisode",
        "review",
        clear=("title", "summary", "analysis"),
        people=("created_by",),
    ),
    # The report's drafts: the files and what was said of them (agencies' comments, the panel's, the
    # family's) name the family and the practitioners; versions, dates and outcomes are kept.
    Part(
        "conduct.ReportDraft",
        "review",
        clear=("notes", "file_name"),
        people=("uploaded_by", "accepted_by"),
        files=("file",),
    ),
    Part("conduct.AccuracyCheck", "draft", "conduct.ReportDraft", people=("asked_by", "replied_by")),
    Part(
        "conduct.AccuracyComment",
        "check_request",
        "conduct.AccuracyCheck",
        clear=("where", "comment", "response"),
        people=("responded_by",),
    ),
    Part(
        "conduct.DraftAssurance",
        "draft",
        "conduct.ReportDraft",
        clear=("assured_by", "comments"),
        people=("recorded_by",),
    ),
    Part(
        "conduct.DraftFamilyFeedback",
        "draft",
        "conduct.ReportDraft",
        clear=("said",),
        people=("recorded_by",),
    ),
    # Practitioners (counted by agency, never named) and the restricted family record: the family's names,
    # what they said and why they took no part go; dates, methods, outcomes and consent are the skeleton.
    Part(
        "conduct.PractitionerEvent",
        "review",
        clear=("purpose", "support_offered", "feedback"),
        people=("recorded_by",),
    ),
    Part("conduct.PractitionerAttendance", "event", "conduct.PractitionerEvent"),
    Part(
        "conduct.FamilyMember",
        "review",
        relabel=(("pseudonym", "Family member {n}"),),
        clear=(
            "real_name",
            "relationship",
            "told_by",
            "support_offered",
            "influence",
            "draft_comments",
            "not_involved_reason",
        ),
    ),
    Part(
        "conduct.FamilyContact", "member", "conduct.FamilyMember", clear=("views",), people=("recorded_by",)
    ),
    # Plan and governance: milestone names are the plan's skeleton; delays, challenges, the arrangements and
    # the lead reviewer's declared interests are free text that can name people.
    Part("conduct.Milestone", "review", keep=("name",), people=("owner",)),
    Part(
        "conduct.MilestoneDelay", "milestone", "conduct.Milestone", clear=("reason",), people=("recorded_by",)
    ),
    Part(
        "conduct.Governance",
        "review",
        clear=("quality_assured_by", "quality_assurance", "sign_off"),
        people=("updated_by",),
    ),
    Part("conduct.IndependenceDeclaration", "review", remove=True),
    Part(
        "conduct.Challenge",
        "review",
        clear=("issue", "raised_by", "resolution"),
        people=("recorded_by",),
        plain=("kind",),
    ),
    Part(
        "commissioning.Proposal", "review", clear=("text", "answer_reason"), people=("author", "answered_by")
    ),
    Part(
        "commissioning.ToRVersion",
        "review",
        clear=("rationale", "comments_closed_early_reason"),
        people=("created_by", "approved_by", "comments_closed_early_by"),
    ),
    Part(
        "commissioning.ToRCitedFactor",
        "version",
        "commissioning.ToRVersion",
        keep=("title",),
        clear=("assessment",),
    ),
    Part(
        "commissioning.ToRSection",
        "version",
        "commissioning.ToRVersion",
        clear=("body",),
        plain=("key", "title"),
    ),
    Part(
        "commissioning.ToRComment",
        "section",
        "commissioning.ToRSection",
        clear=("text", "addressed_how"),
        people=("author", "addressed_by"),
    ),
    Part(
        "commissioning.ToRAgreement",
        "version",
        "commissioning.ToRVersion",
        clear=("reasons",),
        people=("recorded_by",),
    ),
    Part(
        "commissioning.ToRAgreementWaiver",
        "version",
        "commissioning.ToRVersion",
        clear=("reason",),
        people=("recorded_by",),
    ),
    Part("commissioning.SelfCheckAnswer", "review", clear=("comment",), people=("updated_by",)),
    # Response
    Part("responses.Meeting", "review", clear=("chaired_by", "summary"), people=("created_by",)),
    Part("responses.Finding", "review", keep=("title",), clear=("text", "position_reason")),
    Part("responses.Attendance", "meeting", "responses.Meeting", clear=("attendees",)),
    Part("responses.FindingDiscussion", "meeting", "responses.Meeting", clear=("discussion", "challenge")),
    Part(
        "responses.Action",
        "review",
        # findings_label: the findings' numbers and titles as exports write them, which are kept.
        keep=("description", "findings_label"),
        # latest_progress: a copy of the latest progress update's text, cleared as the update's own is.
        clear=("priority_reason", "deferred_reason", "latest_progress"),
        people=("owner", "created_by"),
    ),
    Part("responses.ActionUpdate", "action", "responses.Action", clear=("text",), people=("author",)),
    Part("responses.Evidence", "update", "responses.ActionUpdate", remove=True, files=("file",)),
    Part("responses.EngagementActivity", "review", keep=("description",), clear=("audience_detail",)),
    Part("responses.ResponseVersion", "review", remove=True),
    # A statutory partner's signature goes with its version (removed first: children before parents).
    Part("responses.PartnerSignature", "version", "responses.ResponseVersion", remove=True),
    Part("documents.Document", "review", remove=True, files=("file",)),
    # Exports of the review: its action plan (Excel) and its merged chronology (CSV), with their files.
    Part("documents.Export", "review", remove=True, files=("file",)),
)

BY_LABEL = {part.label: part for part in PARTS}

# Text that replaces free text removed from a kept row, and a name removed from kept learning.
REMOVED = "[removed]"
NAME_REMOVED = "[name removed]"


def text_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's own free-text fields: text the person typed (choices are codes, not free text)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def person_fields(model: type[models.Model]) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is get_user_model()
    ]


def file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def models_under_reviews() -> set[str]:
    """Every model that belongs to a review through a chain of foreign keys (history tables and the
    automatic many-to-many tables aside): what PARTS must cover."""
    review = apps.get_model(R)
    found: set[str] = {R}
    queue: list[type[models.Model]] = [review]
    while queue:
        parent = queue.pop()
        for relation in parent._meta.related_objects:
            model = relation.related_model
            if relation.many_to_many or model._meta.auto_created:
                continue
            if not isinstance(relation.field, models.ForeignKey):
                continue
            if relation.field.null and parent is not review:
                continue  # an optional link between two rows of a review (a finding's meeting), not ownership
            if model.__module__.startswith("records.") or _is_history(model):
                continue
            if model._meta.label not in found:
                found.add(model._meta.label)
                queue.append(model)
    return found


def _is_history(model: type[models.Model]) -> bool:
    return hasattr(model, "instance_type")

"""Forms for the board's commissioning decisions."""

from __future__ import annotations

from django import forms

from scr_portal.forms import TEXT_LIMIT, PortalForm, PortalModelForm, date_field

from .models import FactorAssessment, FactorKind, Scope, SelfCheckAnswer, Weight


class FactorAssessmentsForm(forms.Form):
    """One assessment and weight per factor; rendered factor by factor by its template."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            pk = row.factor.pk
            self.fields[f"assessment_{pk}"] = forms.CharField(
                label=f"What the board found: {row.factor.title}",
                required=False,
                max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=row.assessment.assessment if row.assessment else "",
            )
            self.fields[f"weight_{pk}"] = forms.ChoiceField(
                label=f"Weight on the decision: {row.factor.title}",
                required=False,
                choices=Weight.choices,
                widget=forms.RadioSelect,
                initial=row.assessment.weight if row.assessment else "",
            )

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row.factor.pk
            text, weight = data.get(f"assessment_{pk}", ""), data.get(f"weight_{pk}", "")
            if text.strip() and not weight:
                self.add_error(f"weight_{pk}", f"Select how much “{row.factor.title}” weighs on the decision")
            if weight and not text.strip():
                self.add_error(f"assessment_{pk}", f"Enter what the board found about “{row.factor.title}”")
        return data

    def answers(self) -> dict[int, tuple[str, str]]:
        return {
            r.factor.pk: (
                self.cleaned_data[f"assessment_{r.factor.pk}"],
                self.cleaned_data[f"weight_{r.factor.pk}"],
            )
            for r in self.rows
        }

    def blocks(self):
        """(row, assessment field, weight field) for the template."""
        return [(r, self[f"assessment_{r.factor.pk}"], self[f"weight_{r.factor.pk}"]) for r in self.rows]


class CustomFactorForm(PortalForm):
    submit_label = "Add the factor"
    kind = forms.ChoiceField(label="Kind of factor", choices=FactorKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Factor", max_length=200)
    guidance = forms.CharField(label="What to consider (optional)", required=False, widget=forms.Textarea)


class ScopeForm(PortalModelForm):
    submit_label = "Save the scope"
    period_from = date_field("Start of the period under review", required=False)
    period_to = date_field("End of the period under review", required=False)

    class Meta:
        model = Scope
        fields = [
            "period_from",
            "period_to",
            "breadth_and_depth",
            "method",
            "method_detail",
            "reviewer_knowledge",
            "joint_decision",
        ]
        widgets = {
            "method": forms.RadioSelect,
            "breadth_and_depth": forms.Textarea,
            "method_detail": forms.Textarea,
            "reviewer_knowledge": forms.Textarea,
            "joint_decision": forms.Textarea,
        }

    def __init__(self, *args, cross_border: bool, **kwargs):
        # The joint decision of the boards only means something for a cross-border review.
        if not cross_border:
            self.layout_fields = [f for f in self.Meta.fields if f != "joint_decision"]
        super().__init__(*args, **kwargs)
        if not cross_border:
            del self.fields["joint_decision"]

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", "The end of the period must be after its start")
        return data


class RationaleForm(PortalModelForm):
    submit_label = "Save the rationale"

    class Meta:
        model = Scope
        fields = ["rationale", "rationale_factors"]
        widgets = {
            "rationale": forms.Textarea(attrs={"rows": 8}),
            "rationale_factors": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "rationale": "Explain why the scope and method are proportionate, referring to both the case and its context."
        }

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["rationale_factors"]
        field.queryset = (
            FactorAssessment.objects.filter(review=review)
            .select_related("factor")
            .order_by("factor__kind", "factor__order")
        )
        field.label_from_instance = lambda a: (
            f"{a.factor.get_kind_display()}: {a.factor.title} ({a.get_weight_display().lower()})"
        )
        field.help_text = (
            "Only assessed factors can be cited. Cite at least one case factor and one context factor."
        )
        field.required = False


class LinesOfEnquiryForm(PortalForm):
    submit_label = "Save the questions"
    questions = forms.CharField(
        label="Key lines of enquiry",
        help_text="One question per line, in the order the review should answer them.",
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
    )

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]
        too_long = [i for i, line in enumerate(lines, 1) if len(line) > 2000]
        if too_long:
            raise forms.ValidationError(
                f"Question {too_long[0]} is too long: keep each question under 2,000 characters"
            )
        return lines


class AgencyInvolvementForm(forms.Form):
    def __init__(self, *args, agencies, current, **kwargs):
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        for agency in agencies:
            now = current.get(agency.pk)
            for name, label in (
                ("chronology", "Chronology"),
                ("report", "Report"),
                ("practitioner_event", "Practitioner event"),
            ):
                self.fields[f"{name}_{agency.pk}"] = forms.BooleanField(
                    label=f"{label}: {agency.name}", required=False, initial=bool(now and getattr(now, name))
                )
            self.fields[f"notes_{agency.pk}"] = forms.CharField(
                label=f"Notes: {agency.name}",
                required=False,
                max_length=2000,
                initial=now.notes if now else "",
            )

    def rows(self):
        return [
            (
                a,
                self[f"chronology_{a.pk}"],
                self[f"report_{a.pk}"],
                self[f"practitioner_event_{a.pk}"],
                self[f"notes_{a.pk}"],
            )
            for a in self.agencies
        ]

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            a: (
                d[f"chronology_{a.pk}"],
                d[f"report_{a.pk}"],
                d[f"practitioner_event_{a.pk}"],
                d[f"notes_{a.pk}"],
            )
            for a in self.agencies
        }


class SelfCheckForm(forms.Form):
    def __init__(self, *args, questions, answers, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            current = answers.get(q.number)
            self.fields[f"status_{q.number}"] = forms.ChoiceField(
                label=f"Question {q.number}: the board's view",
                choices=SelfCheckAnswer.Status.choices,
                widget=forms.RadioSelect,
                initial=current.status if current else SelfCheckAnswer.Status.NOT_YET,
            )
            self.fields[f"comment_{q.number}"] = forms.CharField(
                label=f"Question {q.number}: the board's comment",
                required=False,
                max_length=TEXT_LIMIT,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=current.comment if current else "",
            )

    def answers(self) -> dict[int, tuple[str, str]]:
        """The board's view on each question: {question number: (status, comment)}."""
        d = self.cleaned_data
        return {q.number: (d[f"status_{q.number}"], d[f"comment_{q.number}"]) for q in self.questions}

    def blocks(self, evidence, answers):
        return [
            (
                q,
                evidence[q.number],
                self[f"status_{q.number}"],
                self[f"comment_{q.number}"],
                answers.get(q.number),
            )
            for q in self.questions
        ]

"""The board's view on each question of a quality marker."""

from __future__ import annotations

from django import forms

from commissioning.models import SelfCheckAnswer
from scr_portal.forms import TEXT_LIMIT

from .checks import Evidence, Question


class SelfCheckForm(forms.Form):
    """A status and an optional comment per question; rendered question by question beside its evidence."""

    def __init__(self, *args, questions: tuple[Question, ...], answers: dict[int, SelfCheckAnswer], **kwargs):
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
        """Each question's number mapped to the status and comment given (after validation)."""
        d = self.cleaned_data
        return {q.number: (d[f"status_{q.number}"], d[f"comment_{q.number}"]) for q in self.questions}

    def blocks(self, evidence: dict[int, Evidence], answers: dict[int, SelfCheckAnswer]) -> list[tuple]:
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

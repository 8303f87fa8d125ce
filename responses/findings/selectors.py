"""Reads of the report's findings, in a fixed number of queries however many there are."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from responses.models import Finding, FindingDiscussion, Theme
from responses.plan.selectors import related_for_findings
from reviews.models import Review


def findings_of(review: Review) -> QuerySet[Finding]:
    return (
        Finding.objects.filter(review=review)
        .select_related("position_meeting")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .annotate(
            action_count=Count("actions", distinct=True),
            discussion_count=Count("discussions", distinct=True),
            challenge_count=Count("discussions", filter=~Q(discussions__challenge=""), distinct=True),
        )
        .order_by("number")
    )


@dataclass
class FindingRow:
    finding: Finding
    learning: list = field(default_factory=list)
    priorities: list = field(default_factory=list)


def finding_rows(review: Review, findings) -> list[FindingRow]:
    """Each finding with the related learning and plan priorities the board already holds (by theme)."""
    findings = list(findings)
    related = related_for_findings(review, findings) if findings else {}
    rows = []
    for f in findings:
        r = related.get(f.pk)
        rows.append(FindingRow(f, list(r.learning) if r else [], list(r.priorities) if r else []))
    return rows


def discussions_of(finding: Finding) -> QuerySet[FindingDiscussion]:
    return finding.discussions.select_related("meeting").order_by("meeting__held_on")

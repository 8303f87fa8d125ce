"""Writes for the report and its findings. Each is one transaction that locks the review row (so two people
numbering findings at once never collide), checks, changes and records the step on the review's timeline."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from responses.actions.services import export_columns_refresh
from responses.models import Finding, Theme
from reviews.models import Review, TimelineEntry
from reviews.services import review_lock, timeline_add
from scr_portal import files


class FindingRefused(Exception):
    """The change cannot be made; the message says why. Nothing was changed."""


def next_finding_number(review: Review) -> int:
    return (Finding.objects.filter(review=review).aggregate(n=Max("number"))["n"] or 0) + 1


def finding_save(
    *,
    review: Review,
    user,
    number: int,
    title: str,
    text: str,
    themes: Iterable[Theme],
    finding: Finding | None = None,
) -> Finding:
    """Adds a finding (finding=None) or changes one."""
    with transaction.atomic():
        review_lock(review.pk)
        clash = Finding.objects.filter(review=review, number=number)
        if finding is not None:
            clash = clash.exclude(pk=finding.pk)
        if clash.exists():
            raise FindingRefused(f"There is already a finding {number}. Choose another number.")
        adding = finding is None
        finding = finding or Finding(review=review)
        finding.number, finding.title, finding.text = number, title, text
        finding.save()
        finding.themes.set(themes)
        if not adding:
            # The actions responding to it show its number and title in exports.
            export_columns_refresh(action_ids=finding.actions.values_list("pk", flat=True))
        timeline_add(
            review=review,
            user=user,
            title=f"Finding {finding.number} {'recorded' if adding else 'changed'}: {finding.title}",
        )
    return finding


def finding_delete(*, review: Review, user, finding: Finding) -> None:
    """Removes a finding recorded by mistake, unless actions or discussion already rely on it."""
    with transaction.atomic():
        review_lock(review.pk)
        if finding.actions.exists():
            raise FindingRefused(
                f"Finding {finding.number} has actions linked to it. Link those actions to other findings first."
            )
        if finding.discussions.exists():
            raise FindingRefused(
                f"The board's discussion of finding {finding.number} is recorded, so it cannot be removed."
            )
        number, title = finding.number, finding.title
        finding.delete()
        timeline_add(
            review=review,
            user=user,
            title=f"Finding {number} removed: {title}",
        )


def report_replace(*, review: Review, user, upload, reason: str) -> Review:
    """Files a corrected final report in place of the one held; the old file is kept in the review's history
    (django-simple-history keeps the previous file reference) and the reason goes on the timeline."""
    # Stored before the transaction (no lock held while it is written), removed if that fails; a process
    # killed in between leaves it to the file sweep (scr_portal/files.py).
    with files.removed_unless_recorded([]) as stored:
        stored.append(files.store(review, "final_report", upload, upload.display_name))
        with transaction.atomic():
            review = review_lock(review.pk)
            old = review.final_report_name or "the previous file"
            review.final_report_name = upload.display_name
            review.final_report.name = stored[0]
            review.save(update_fields=["final_report", "final_report_name"])
            timeline_add(
                review=review,
                user=user,
                kind=TimelineEntry.Kind.DOCUMENT,
                title="Final report replaced",
                body=f"{old} was replaced by {upload.display_name}. {reason}".strip(),
            )
    return review

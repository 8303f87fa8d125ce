"""Reads of the analysis (SCIE Quality Marker 13) and the figures the self-checks of markers 10 and 13
show: each in a fixed number of queries, however many lines, episodes and entries there are."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from reviews.models import Membership, Review, Role

from ..models import ChronologyEntry, EnquiryLine, InformationRequest, PracticeEpisode
from ..selectors import SENT, merged_entries, ordered

Status = InformationRequest.Status


@dataclass
class Analysis:
    lines: list[EnquiryLine]  # each with `episode_count`
    episodes: list[PracticeEpisode]  # each with its entries (and their agency) and lines read


def analysis_of(review: Review) -> Analysis:
    """The review's lines of enquiry and key practice episodes, each episode with the entries it cites
    (oldest first, with their agency) and its lines: four queries."""
    lines = list(
        EnquiryLine.objects.filter(review=review)
        .annotate(episode_count=Count("episodes"))
        .order_by("created_at", "pk")
    )
    cited = ordered(ChronologyEntry.objects.select_related("agency"))
    episodes = list(
        PracticeEpisode.objects.filter(review=review)
        .prefetch_related(Prefetch("entries", queryset=cited), Prefetch("lines", queryset=lines_qs()))
        .order_by("starts_on", "pk")
    )
    for episode in episodes:
        episode.agency_names = sorted({e.agency.name for e in episode.entries.all()})
    return Analysis(lines=lines, episodes=episodes)


def lines_qs() -> QuerySet[EnquiryLine]:
    return EnquiryLine.objects.order_by("created_at", "pk")


def lines_of(review: Review) -> QuerySet[EnquiryLine]:
    return lines_qs().filter(review=review)


def line_of(review: Review, line_pk: int) -> EnquiryLine:
    return get_object_or_404(EnquiryLine, review=review, pk=line_pk)


def authorship_of(review: Review, membership_pk: int) -> Membership:
    """An agency author's membership of the review's lead board (active or ended), or 404."""
    return get_object_or_404(
        Membership.objects.select_related("user", "agency"),
        pk=membership_pk,
        board_id=review.lead_board_id,
        role=Role.AGENCY_AUTHOR,
    )


def episode_of(review: Review, episode_pk: int) -> PracticeEpisode:
    return get_object_or_404(PracticeEpisode, review=review, pk=episode_pk)


def evidence_choices(review: Review, episode: PracticeEpisode) -> list[ChronologyEntry]:
    """The entries an episode may cite, as its evidence page offers them: the merged chronology's entries
    within the episode's period, and any it already cites outside it, oldest first, with their agency."""
    within = Q(occurred_on__range=(episode.starts_on, episode.ends_on))
    cited = Q(episodes=episode)
    return list(ordered(merged_entries(review).filter(within | cited).distinct()).select_related("agency"))


def citations(entry_ids: list[int]) -> dict[int, list[PracticeEpisode]]:
    """For each of the entries (a page of the merged chronology), the episodes citing it (one query)."""
    links = PracticeEpisode.entries.through.objects.filter(chronologyentry_id__in=entry_ids).select_related(
        "practiceepisode"
    )
    cited: dict[int, list[PracticeEpisode]] = defaultdict(list)
    for link in links.order_by("practiceepisode__starts_on", "practiceepisode_id"):
        cited[link.chronologyentry_id].append(link.practiceepisode)
    return dict(cited)


# The self-checks' figures -------------------------------------------------------------------------------


def information_evidence(review: Review) -> dict:
    """Marker 10's figures: how many requests, to how many agencies, with a reason; how many sent by
    their due date, chased, sent back and accepted (one query)."""
    rows = list(
        InformationRequest.objects.filter(review=review).values(
            "agency_id", "reason", "status", "due_on", "submitted_at", "reminded_on", "escalated_on"
        )
    )
    sent = [r for r in rows if r["status"] in SENT]
    return {
        "requests": len(rows),
        "agencies": len({r["agency_id"] for r in rows}),
        "with_reason": sum(1 for r in rows if r["reason"].strip()),
        "sent": len(sent),
        "on_time": sum(1 for r in sent if r["submitted_at"].date() <= r["due_on"]),
        "chased": sum(1 for r in rows if r["reminded_on"] or r["escalated_on"]),
        "escalated": sum(1 for r in rows if r["escalated_on"]),
        "returned": sum(1 for r in rows if r["status"] == Status.RETURNED),
        "accepted": sum(1 for r in rows if r["status"] == Status.ACCEPTED),
    }


def analysis_evidence(review: Review) -> dict:
    """Marker 13's figures: lines of enquiry and how many an episode takes up; episodes, how many cite
    evidence, how many cite entries from two agencies or more, how many have an analysis; how many of
    the agencies that sent entries are cited (three queries)."""
    lines = list(
        EnquiryLine.objects.filter(review=review).annotate(n=Count("episodes")).values_list("n", flat=True)
    )
    episodes = list(
        PracticeEpisode.objects.filter(review=review)
        .annotate(cited=Count("entries", distinct=True), agencies=Count("entries__agency", distinct=True))
        .values("cited", "agencies", "analysis")
    )
    sending = set(merged_entries(review).values_list("agency_id", flat=True).distinct())
    cited_agencies = set(
        PracticeEpisode.entries.through.objects.filter(practiceepisode__review=review).values_list(
            "chronologyentry__agency_id", flat=True
        )
    )
    return {
        "lines": len(lines),
        "lines_taken_up": sum(1 for n in lines if n),
        "episodes": len(episodes),
        "with_evidence": sum(1 for e in episodes if e["cited"]),
        "several_agencies": sum(1 for e in episodes if e["agencies"] > 1),
        "analysed": sum(1 for e in episodes if e["analysis"].strip()),
        "agencies_sending": len(sending),
        "agencies_cited": len(cited_agencies & sending),
    }

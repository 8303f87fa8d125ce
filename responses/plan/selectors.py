"""Reads of a board's business plan and its learning and improvement framework, and the related learning
and plan priorities shown beside a review's findings (SCIE Quality Marker 15: the board links its response
to what it already knows and to the priorities it has already set).

Board reads are for a board already loaded through `reviews.selectors.board_for`; each is scoped to that
board at the query and runs in a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django import forms
from django.db.models import Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from responses.actions.workflow import OPEN_STATUSES
from responses.models import Action, Finding, LearningItem, PlanPeriod, PlanPriority, Theme
from reviews.access import review_board_ids
from reviews.models import Board, Review

RELATED_LEARNING_LIMIT = 5


# Business plan ----------------------------------------------------------------------------------------


def period_stage(period: PlanPeriod, today: date) -> str:
    """ "current", "future" or "ended"."""
    if period.starts_on > today:
        return "future"
    if period.ends_on < today:
        return "ended"
    return "current"


def _priorities_with_counts() -> QuerySet[PlanPriority]:
    return (
        PlanPriority.objects.annotate(
            action_count=Count("actions", distinct=True),
            open_action_count=Count("actions", filter=Q(actions__status__in=OPEN_STATUSES), distinct=True),
        )
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("number")
    )


def plan_of(board: Board, today: date | None = None) -> list[PlanPeriod]:
    """The board's plan periods, current ones first (latest start first), then future ones (soonest first),
    then ended ones (most recently ended first). Each period has `stage` and its `priorities` in number
    order, each priority with its themes, `action_count` and `open_action_count` (review actions linked to
    it). Three queries."""
    today = today or timezone.localdate()
    periods = list(
        PlanPeriod.objects.filter(board=board).prefetch_related(
            Prefetch("priorities", queryset=_priorities_with_counts())
        )
    )
    for period in periods:
        period.stage = period_stage(period, today)

    def order(p: PlanPeriod):
        if p.stage == "current":
            return (0, -p.starts_on.toordinal(), p.title)
        if p.stage == "future":
            return (1, p.starts_on.toordinal(), p.title)
        return (2, -p.ends_on.toordinal(), p.title)

    return sorted(periods, key=order)


def period_get(board: Board, pk: int) -> PlanPeriod:
    """One of the board's plan periods (404 if it is another board's)."""
    return get_object_or_404(PlanPeriod.objects.filter(board=board), pk=pk)


def priority_get(board: Board, pk: int) -> PlanPriority:
    """One priority of the board's plan, with its period and counts (404 if it is another board's)."""
    return get_object_or_404(
        _priorities_with_counts().select_related("period").filter(period__board=board), pk=pk
    )


def period_title_taken(board: Board, title: str, exclude_pk: int | None = None) -> bool:
    """Whether another of the board's periods has this title (ignoring case)."""
    return PlanPeriod.objects.filter(board=board, title__iexact=title.strip()).exclude(pk=exclude_pk).exists()


def priority_number_taken(period: PlanPeriod, number: int, exclude_pk: int | None = None) -> bool:
    """Whether another priority of the period has this number."""
    return PlanPriority.objects.filter(period=period, number=number).exclude(pk=exclude_pk).exists()


def next_priority_number(period: PlanPeriod) -> int:
    last = period.priorities.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def actions_linked_to_period(period: PlanPeriod) -> int:
    """How many review actions are linked to the period's priorities."""
    return Action.objects.filter(plan_priority__period=period).count()


class PriorityChoiceField(forms.ModelChoiceField):
    """A select of business plan priorities labelled "Period title – Priority N: title"."""

    def label_from_instance(self, obj: PlanPriority) -> str:
        return obj.choice_label


# Learning and improvement framework -------------------------------------------------------------------


def learning_list(
    board: Board, *, theme: Theme | None = None, source: str = "", status: str = ""
) -> QuerySet[LearningItem]:
    """The board's learning items, newest first, with their themes; filtered by theme, source and status."""
    qs = LearningItem.objects.filter(board=board)
    if theme is not None:
        qs = qs.filter(themes=theme)
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name"))).order_by(
        "-learned_on", "title", "pk"
    )


def learning_by_theme(board: Board, *, source: str = "", status: str = "") -> list[Theme]:
    """Every theme with `item_count`: how many of the board's learning items (of `source` and `status`,
    when given) carry it. One query."""
    match = Q(learning_items__board=board)
    if source:
        match &= Q(learning_items__source=source)
    if status:
        match &= Q(learning_items__status=status)
    return list(Theme.objects.annotate(item_count=Count("learning_items", filter=match)).order_by("name"))


def learning_item_get(board: Board, pk: int) -> LearningItem:
    """One of the board's learning items, with its themes and who recorded it (404 if another board's)."""
    return get_object_or_404(
        LearningItem.objects.filter(board=board)
        .select_related("created_by")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name"))),
        pk=pk,
    )


# Beside a review's findings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    """What the board already knows and has already planned that bears on one finding."""

    learning: list[LearningItem] = field(default_factory=list)
    priorities: list[PlanPriority] = field(default_factory=list)


def _theme_ids_by_finding(findings: list[Finding]) -> dict[int, set[int]]:
    """Each finding's theme ids: from prefetched themes when every finding has them, else one query."""
    if findings and all("themes" in getattr(f, "_prefetched_objects_cache", {}) for f in findings):
        return {f.pk: {t.pk for t in f.themes.all()} for f in findings}
    by_finding: dict[int, set[int]] = {f.pk: set() for f in findings}
    rows = Finding.themes.through.objects.filter(finding_id__in=list(by_finding)).values_list(
        "finding_id", "theme_id"
    )
    for finding_id, theme_id in rows:
        by_finding[finding_id].add(theme_id)
    return by_finding


def _one_copy_each(items: list[LearningItem], item_themes: dict[int, set[int]], review: Review) -> list:
    """The same learning recorded by two of a cross-border review's boards (the same title, date and source)
    is listed once: the lead board's copy when it has one, carrying the themes of every copy, with
    `board_names` naming each board that holds it ("" when the review has one board: nothing to tell)."""
    boards = review_board_ids(review)
    cross_border = len(boards) > 1
    rank = {board_id: n for n, board_id in enumerate(boards)}
    copies: dict[tuple, list[LearningItem]] = {}
    for item in items:
        copies.setdefault((item.title.strip().casefold(), item.learned_on, item.source), []).append(item)
    kept = []
    for item in items:
        same = copies[(item.title.strip().casefold(), item.learned_on, item.source)]
        first = min(same, key=lambda i: (rank.get(i.board_id, len(rank)), items.index(i)))
        if item is not first:
            continue
        for other in same:
            item_themes[item.pk] |= item_themes[other.pk]
        names = sorted({i.board.name for i in same}, key=lambda name: name != item.board.name)
        item.board_names = " and ".join(names) if cross_border else ""
        kept.append(item)
    return kept


def related_for_findings(review: Review, findings: Iterable[Finding]) -> dict[int, Related]:
    """For each finding (by id), the related learning and plan priorities:

    - `learning`: learning items of the review's lead board and its participating boards that share at
      least one theme with the finding, newest first (date of the learning, then most recently recorded),
      at most five; each with its `board` and its themes.
    - `priorities`: priorities of the lead board's plan periods current today that share a theme with the
      finding, in plan order; each with its `period` and its themes.

    Every finding given is a key (empty lists when nothing relates). A fixed number of queries whatever the
    number of findings: the findings' themes (none when prefetched), the top five items per theme, those
    items and their themes, and the current priorities and their themes."""
    findings = list(findings)
    if not findings:
        return {}
    themes_of = _theme_ids_by_finding(findings)
    all_themes = set().union(*themes_of.values())
    if not all_themes:
        return {f.pk: Related() for f in findings}

    # A finding's newest five items are among the newest five of each of its themes, so only those are
    # fetched: the number of rows is bounded by the number of themes, not by the size of the framework.
    through = LearningItem.themes.through
    ranked = (
        through.objects.filter(theme_id__in=all_themes, learningitem__board_id__in=review_board_ids(review))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("theme_id")],
                order_by=[F("learningitem__learned_on").desc(), F("learningitem_id").desc()],
            )
        )
        .filter(rank__lte=RELATED_LEARNING_LIMIT)
        .values_list("learningitem_id", "theme_id")
    )
    item_themes: dict[int, set[int]] = {}
    for item_id, theme_id in ranked:
        item_themes.setdefault(item_id, set()).add(theme_id)
    items = (
        list(
            LearningItem.objects.filter(pk__in=list(item_themes))
            .select_related("board")
            .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
            .order_by("-learned_on", "-pk")
        )
        if item_themes
        else []
    )
    # Match on all of an item's themes, not only those it ranked under.
    item_themes = {item.pk: {t.pk for t in item.themes.all()} for item in items}
    items = _one_copy_each(items, item_themes, review)

    today = timezone.localdate()
    priorities = list(
        PlanPriority.objects.filter(
            period__board_id=review.lead_board_id,
            period__starts_on__lte=today,
            period__ends_on__gte=today,
            themes__in=all_themes,
        )
        .distinct()
        .select_related("period")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.order_by("name")))
        .order_by("period__starts_on", "period__title", "number")
    )
    priority_themes = {p.pk: {t.pk for t in p.themes.all()} for p in priorities}

    related: dict[int, Related] = {}
    for finding in findings:
        mine = themes_of.get(finding.pk, set())
        related[finding.pk] = Related(
            learning=[i for i in items if item_themes[i.pk] & mine][:RELATED_LEARNING_LIMIT],
            priorities=[p for p in priorities if priority_themes[p.pk] & mine],
        )
    return related

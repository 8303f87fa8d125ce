"""Writes to a board's business plan (periods and their numbered priorities) and its learning and improvement
framework (learning items).

Each write is one transaction. Adding or renumbering a priority locks its period, so two business managers
cannot both take the same number; the database constraints stay the last word, and a clash they catch comes
back as a `PlanError` in plain words rather than an error page. These records belong to a board, not to a
review, so nothing goes on a review's timeline: django-simple-history keeps every earlier value and who
changed it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from responses.models import LearningItem, PlanPeriod, PlanPriority, Theme
from reviews.models import Board

from . import selectors


class PlanError(Exception):
    """The change cannot be made; the message says why in plain words. Nothing was changed.
    `field` names the form field the message belongs to, when it belongs to one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# Plan periods -----------------------------------------------------------------------------------------


def _check_period(board: Board, title: str, starts_on: date, ends_on: date, pk: int | None = None) -> None:
    if ends_on <= starts_on:
        raise PlanError("The end date must be after the start date", field="ends_on")
    if selectors.period_title_taken(board, title, pk):
        raise PlanError(f"{board.name} already has a plan period called “{title}”", field="title")


def period_create(*, board: Board, actor, title: str, starts_on: date, ends_on: date) -> PlanPeriod:
    title = title.strip()
    try:
        with transaction.atomic():
            Board.objects.select_for_update().filter(pk=board.pk).first()
            _check_period(board, title, starts_on, ends_on)
            return PlanPeriod.objects.create(board=board, title=title, starts_on=starts_on, ends_on=ends_on)
    except IntegrityError as error:
        raise PlanError(f"{board.name} already has a plan period called “{title}”", field="title") from error


def period_update(*, period: PlanPeriod, actor, title: str, starts_on: date, ends_on: date) -> PlanPeriod:
    title = title.strip()
    try:
        with transaction.atomic():
            period = PlanPeriod.objects.select_for_update().select_related("board").get(pk=period.pk)
            _check_period(period.board, title, starts_on, ends_on, period.pk)
            period.title, period.starts_on, period.ends_on = title, starts_on, ends_on
            period.save()
            return period
    except IntegrityError as error:
        raise PlanError(
            f"{period.board.name} already has a plan period called “{title}”", field="title"
        ) from error


def period_delete(*, period: PlanPeriod, actor) -> None:
    """Deletes a period and its priorities, unless a review action is linked to one of them."""
    try:
        with transaction.atomic():
            period = PlanPeriod.objects.select_for_update().get(pk=period.pk)
            period.delete()
    except ProtectedError as error:
        raise PlanError(
            f"“{period.title}” cannot be deleted: review actions are linked to its priorities. "
            "Link those actions to another priority first."
        ) from error


# Priorities -------------------------------------------------------------------------------------------


def _taken_message(period: PlanPeriod, number: int) -> str:
    return f"“{period.title}” already has a priority {number}: choose another number"


def priority_create(
    *, period: PlanPeriod, actor, number: int, title: str, description: str = "", themes: Iterable[Theme] = ()
) -> PlanPriority:
    try:
        with transaction.atomic():
            period = PlanPeriod.objects.select_for_update().get(pk=period.pk)
            if selectors.priority_number_taken(period, number):
                raise PlanError(_taken_message(period, number), field="number")
            priority = PlanPriority.objects.create(
                period=period, number=number, title=title.strip(), description=description.strip()
            )
            priority.themes.set(list(themes))
            return priority
    except IntegrityError as error:
        raise PlanError(_taken_message(period, number), field="number") from error


def priority_update(
    *,
    priority: PlanPriority,
    actor,
    number: int,
    title: str,
    description: str = "",
    themes: Iterable[Theme] = (),
) -> PlanPriority:
    try:
        with transaction.atomic():
            period = PlanPeriod.objects.select_for_update().get(pk=priority.period_id)
            priority = PlanPriority.objects.select_for_update().get(pk=priority.pk)
            if selectors.priority_number_taken(period, number, priority.pk):
                raise PlanError(_taken_message(period, number), field="number")
            priority.number, priority.title, priority.description = number, title.strip(), description.strip()
            priority.save()
            wanted = {t.pk for t in themes}
            if wanted != set(priority.themes.values_list("pk", flat=True)):
                priority.themes.set(wanted)
            return priority
    except IntegrityError as error:
        raise PlanError(_taken_message(priority.period, number), field="number") from error


def priority_delete(*, priority: PlanPriority, actor) -> None:
    """Deletes a priority, unless a review action is linked to it."""
    try:
        with transaction.atomic():
            priority = PlanPriority.objects.select_for_update().get(pk=priority.pk)
            priority.delete()
    except ProtectedError as error:
        raise PlanError(
            f"Priority {priority.number} cannot be deleted: review actions are linked to it. "
            "Link those actions to another priority first."
        ) from error


# Learning items ---------------------------------------------------------------------------------------


def _check_themes(themes: list[Theme]) -> None:
    if not themes:
        raise PlanError("Select at least one theme", field="themes")


class LearningFields(TypedDict):
    """What a piece of learning says, as the framework's form gives it."""

    title: str
    source: str
    source_reference: str
    summary: str
    learned_on: date
    status: str
    themes: Iterable[Theme]


@transaction.atomic
def learning_item_create(*, board: Board, actor, **fields: Unpack[LearningFields]) -> LearningItem:
    return _learning_item_save(LearningItem(board=board, created_by=actor), **fields)


@transaction.atomic
def learning_item_update(*, item: LearningItem, actor, **fields: Unpack[LearningFields]) -> LearningItem:
    return _learning_item_save(LearningItem.objects.select_for_update().get(pk=item.pk), **fields)


def _learning_item_save(
    item: LearningItem,
    *,
    title: str,
    source: str,
    source_reference: str,
    summary: str,
    learned_on: date,
    status: str,
    themes: Iterable[Theme],
) -> LearningItem:
    themes = list(themes)
    _check_themes(themes)
    adding = item.pk is None
    item.title, item.source, item.source_reference = title.strip(), source, source_reference.strip()
    item.summary, item.learned_on, item.status = summary.strip(), learned_on, status
    item.full_clean(exclude=["themes"])
    item.save()
    wanted = {t.pk for t in themes}
    if adding or wanted != set(item.themes.values_list("pk", flat=True)):
        item.themes.set(wanted)
    return item


@transaction.atomic
def learning_item_delete(*, item: LearningItem, actor) -> None:
    LearningItem.objects.select_for_update().filter(pk=item.pk).delete()

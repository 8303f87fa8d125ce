"""Reads of the information from agencies: a request for a page (scoped to the person: 404 when they may
not know of it), the review's requests, the requests naming an agency author, and the merged chronology
of every agency, read in a fixed number of queries whatever its length."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from reviews import workflow
from reviews.access import author_agencies, require, roles_on_review, visible_reviews
from reviews.models import Agency, Membership, Review, Role
from reviews.selectors import with_boards

from .models import ChronologyEntry, InformationRequest

Status = InformationRequest.Status
GAP_DAYS = 30  # more days than this without an entry from any agency shows as a gap
PAGE_SIZE = 100
# What the merged chronology holds: what agencies have sent (a submission sent back is being changed).
SENT = (Status.SUBMITTED, Status.ACCEPTED)


# Who may know of a request ------------------------------------------------------------------------------


def authored_by(user) -> Q:
    """Requests naming the person as author, of an agency they write for as an agency author on the
    review's lead board (the rule `is_named_author` asks of one); nothing for anyone else."""
    held = author_agencies(user)
    condition = Q(pk__in=[])
    for board_id, agencies in held.items():
        condition |= Q(review__lead_board_id=board_id, agency_id__in=sorted(agencies))
    return condition & Q(author_id=user.pk) if held else condition


def request_for(user, pk: int, request_pk: int, rule: str = "view_information_request") -> InformationRequest:
    """Review `pk`'s request `request_pk` for a page about it: 404 unless the person sees the review or is
    the request's named author (an agency author knows of no other request); 403 when they may know of it
    but not do `rule`. The review is read as `review_for` reads it, for the rules and the page's header."""
    candidates = Review.objects.filter(pk=pk)
    reachable = visible_reviews(user, candidates)
    if author_agencies(user):
        mine = InformationRequest.objects.filter(authored_by(user), review=OuterRef("pk"))
        reachable = reachable | candidates.filter(Exists(mine))
    review = get_object_or_404(with_boards(reachable))
    requests = InformationRequest.objects.select_related("agency", "author", "asked_by", "answered_by")
    if not roles_on_review(user, review):  # known only as the author of a request
        requests = requests.filter(authored_by(user))
    request = get_object_or_404(requests, review=review, pk=request_pk)
    request.review = review  # the caller's copy, with its prefetched boards, for the rules
    require(user, rule, request)
    return request


def entry_of(request: InformationRequest, entry_pk: int) -> ChronologyEntry:
    """One of the request's own entries, or 404."""
    return get_object_or_404(ChronologyEntry, request=request, pk=entry_pk)


def requests_of(review: Review) -> list[InformationRequest]:
    """The review's requests by due date, each with its agency, author and number of entries (one query);
    each holds the review already read."""
    rows = list(
        review.information_requests.select_related("agency", "author")
        .annotate(entry_count=Count("entries"))
        .order_by("due_on", "agency__name", "pk")
    )
    for row in rows:
        row.review = review
    return rows


def entries_of(request: InformationRequest) -> QuerySet[ChronologyEntry]:
    return request.entries.order_by("occurred_on", F("occurred_at").asc(nulls_first=True), "pk")


def asked_of(user) -> list[InformationRequest]:
    """The requests naming the person as their author, of reviews with information to show, soonest due
    first (the agency author's home page)."""
    if not author_agencies(user):
        return []
    return list(
        InformationRequest.objects.filter(
            authored_by(user), review__state__in=workflow.states_allowing(workflow.INFORMATION_SHOWN)
        )
        .select_related("review", "agency")
        .order_by("due_on", "pk")
    )


def author_choices(review: Review) -> list[tuple[Membership, str]]:
    """The agency authors of the review's lead board (active people, with an active membership for an
    agency), by agency then name: whom a request may name."""
    rows = (
        Membership.objects.active()
        .filter(board_id=review.lead_board_id, role=Role.AGENCY_AUTHOR, user__is_active=True)
        .select_related("user", "agency")
        .order_by("agency__name", "user__full_name", "user__email")
    )
    return [(m, f"{m.user.get_full_name()} ({m.agency.name})") for m in rows]


def agencies_of_board(review: Review) -> QuerySet[Agency]:
    return Agency.objects.filter(boards=review.lead_board_id).order_by("name")


# Telling an author about their request (reviews.access.Reach) ------------------------------------------


def told_about_authored(user) -> Q | None:
    """Notifications about the reviews of the requests naming the person as agency author; None for
    everyone else."""
    if not author_agencies(user):
        return None
    return Q(review__in=InformationRequest.objects.filter(authored_by(user)).values("review_id"))


def authors_of(review: Review) -> QuerySet:
    """The ids of the people named as authors of the review's requests who still write for the agency."""
    writes = Membership.objects.active().filter(
        user=OuterRef("author_id"),
        board_id=review.lead_board_id,
        agency_id=OuterRef("agency_id"),
        role=Role.AGENCY_AUTHOR,
    )
    return (
        InformationRequest.objects.filter(Exists(writes), review=review)
        .values_list("author_id", flat=True)
        .distinct()
    )


# The merged chronology ------------------------------------------------------------------------------


@dataclass
class Row:
    """A row of the merged chronology: an entry, or a gap between two entries (`entry` None)."""

    entry: ChronologyEntry | None = None
    overlap: bool = False  # another agency has an entry on the same day
    gap_days: int = 0
    gap_from: date | None = None
    gap_to: date | None = None


@dataclass
class Chronology:
    page: Page
    rows: list[Row] = field(default_factory=list)


def merged_entries(
    review: Review, *, agency: int | None = None, since: date | None = None, until: date | None = None
) -> QuerySet[ChronologyEntry]:
    """Every agency's sent entries of the review (submitted or accepted), filtered, unordered."""
    entries = ChronologyEntry.objects.filter(review=review, request__status__in=SENT)
    if agency:
        entries = entries.filter(agency_id=agency)
    if since:
        entries = entries.filter(occurred_on__gte=since)
    if until:
        entries = entries.filter(occurred_on__lte=until)
    return entries


def ordered(entries: QuerySet[ChronologyEntry], newest_first: bool = False) -> QuerySet[ChronologyEntry]:
    if newest_first:
        return entries.order_by("-occurred_on", F("occurred_at").desc(nulls_last=True), "-pk")
    return entries.order_by("occurred_on", F("occurred_at").asc(nulls_first=True), "pk")


def agencies_in_chronology(review: Review) -> list[Agency]:
    """The agencies whose information was asked for on the review (the chronology's agency filter)."""
    return list(Agency.objects.filter(information_requests__review=review).distinct().order_by("name"))


def merged_chronology(
    review: Review,
    *,
    agency: int | None = None,
    since: date | None = None,
    until: date | None = None,
    newest_first: bool = False,
    page_number: str | None = None,
) -> Chronology:
    """A page of the merged chronology, in date order, with a gap row where no agency has an entry for
    more than GAP_DAYS days and each entry flagged when another agency has one on the same day. Three
    queries however many entries (four after the first page): the count, the page, the last day of the
    page before (for a gap across pages) and the days of the page's span on which two or more agencies
    have entries."""
    entries = merged_entries(review, agency=agency, since=since, until=until)
    paginator = Paginator(ordered(entries, newest_first).select_related("agency"), PAGE_SIZE)
    page = paginator.get_page(page_number)
    chronology = Chronology(page=page)
    shown = list(page.object_list)
    if not shown:
        return chronology
    first, last = shown[0].occurred_on, shown[-1].occurred_on
    before = None
    if page.number > 1:  # the last day of the page before, for a gap between the two pages
        if newest_first:
            before = (
                entries.filter(occurred_on__gt=first)
                .order_by("occurred_on")
                .values_list("occurred_on", flat=True)
                .first()
            )
        else:
            before = (
                entries.filter(occurred_on__lt=first)
                .order_by("-occurred_on")
                .values_list("occurred_on", flat=True)
                .first()
            )
    low, high = min(first, last), max(first, last)
    shared = set(
        entries.filter(occurred_on__range=(low, high))
        .values("occurred_on")
        .annotate(agencies=Count("agency", distinct=True))
        .filter(agencies__gt=1)
        .values_list("occurred_on", flat=True)
    )
    previous = before
    for entry in shown:
        if previous is not None:
            earlier, later = sorted((previous, entry.occurred_on))
            between = (later - earlier).days - 1
            if between > GAP_DAYS:
                chronology.rows.append(Row(gap_days=between, gap_from=earlier, gap_to=later))
        chronology.rows.append(Row(entry=entry, overlap=entry.occurred_on in shared))
        previous = entry.occurred_on
    return chronology


def chronology_rows_for_export(
    review: Review,
    *,
    agency: int | None = None,
    since: date | None = None,
    until: date | None = None,
    newest_first: bool = False,
):
    """The filtered merged chronology's entries, with their agency, read in chunks (the CSV export)."""
    entries = merged_entries(review, agency=agency, since=since, until=until)
    return ordered(entries, newest_first).select_related("agency").iterator(chunk_size=500)


def author_user(review: Review, user_id: int):
    """The agency author `user_id` of the review's lead board (a choice of the request form), or None."""
    return next((m.user for m, _ in author_choices(review) if m.user_id == user_id), None)

"""Applying a board's retention period: anonymising or deleting a review its business manager confirmed.

Both are one transaction with the review locked, checked first (the review is the board's, due, and the
person typed its reference and is the board's business manager), and both leave a Disposal record that
names no one but the person who confirmed. Files are removed from disk only once the transaction has
committed, so a failure part-way leaves the records and their files as they were.

In the portal a confirmed decision is applied by a worker (DisposalRequest, at the end of this module): at
national scale the largest review takes 1.5 s to anonymise and 2.4 s to delete, too long for a request.

History tables (django-simple-history) hold every old value of every row, so both remove the review's
history rows as well; anonymising then writes one fresh history row per kept row, saying why it changed."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from responses.models import Attendance, Finding, Meeting, PartnerSignature, ResponseVersion
from reviews.access import can
from reviews.models import Board, Child, DecisionSignature, Review
from reviews.services import review_lock, timeline_add
from scr_portal import leases, outbox

from .models import Disposal, DisposalRequest
from .policy import BY_LABEL, NAME_REMOVED, PARTS, REMOVED, R
from .retention import Due, is_due

PLACEHOLDER_EMAIL = "removed-person@retention.invalid"
CHANGE_REASON = "Anonymised at the end of the board's retention period"


class RetentionRefused(Exception):
    """The decision cannot be applied; the message says why in plain words. Nothing was changed."""


def placeholder_person():
    """The one account that rows of anonymised reviews point to instead of the people who wrote them.
    It cannot sign in."""
    User = get_user_model()
    person, created = User.objects.get_or_create(
        email=PLACEHOLDER_EMAIL, defaults={"full_name": "Removed person", "is_active": False}
    )
    if created:
        person.set_unusable_password()
        person.save(update_fields=["password"])
    return person


# What lies under a review --------------------------------------------------------------------------


@dataclass
class Holdings:
    """The ids of every row under one review, per model: `current` rows, and `known` ids, which add rows
    deleted earlier that only history tables still remember."""

    current: dict[str, set[int]] = field(default_factory=dict)
    known: dict[str, set[int]] = field(default_factory=dict)


def holdings_of(review: Review) -> Holdings:
    held = Holdings()
    for part in PARTS:
        if part.label == R:
            held.current[R] = held.known[R] = {review.pk}
            continue
        link = f"{part.parent}_id__in"
        current = set(
            part.model._default_manager.filter(**{link: held.current[part.parent_label]}).values_list(
                "pk", flat=True
            )
        )
        remembered: set[int] = set()
        if part.history_model is not None:
            remembered = set(
                part.history_model.objects.filter(**{link: held.known[part.parent_label]}).values_list(
                    "id", flat=True
                )
            )
        held.current[part.label] = current
        held.known[part.label] = current | remembered
    return held


def _stored_files(held: Holdings) -> set[str]:
    """Every stored file the review's rows name now or named before (a replaced final report)."""
    names: set[str] = set()
    for part in PARTS:
        for name in part.files:
            names.update(
                part.model._default_manager.filter(pk__in=held.current[part.label]).values_list(
                    name, flat=True
                )
            )
            if part.history_model is not None:
                names.update(
                    part.history_model.objects.filter(id__in=held.known[part.label]).values_list(
                        name, flat=True
                    )
                )
    return {n for n in names if n}


def _signatures(review: Review) -> list[dict]:
    return [
        {"version": number, "signed_at": signed_at.isoformat(), "sha256": digest}
        for number, signed_at, digest in ResponseVersion.objects.filter(
            review=review, signed_at__isnull=False
        ).values_list("number", "signed_at", "digest")
    ]


def _remove_history(held: Holdings) -> int:
    """Every history row of every row under the review, deleted ones included (their old values too)."""
    removed = 0
    for part in PARTS:
        if part.history_model is not None and held.known[part.label]:
            removed += part.history_model.objects.filter(id__in=held.known[part.label]).delete()[0]
    return removed


def _remove_admin_log(held: Holdings) -> int:
    """The administration site's log entries about those rows (they repeat each row's name)."""
    removed = 0
    for part in PARTS:
        ids = [str(pk) for pk in held.known[part.label]]
        if ids:
            content_type = ContentType.objects.get_for_model(part.model)
            removed += LogEntry.objects.filter(content_type=content_type, object_id__in=ids).delete()[0]
    return removed


def _delete_files_after_commit(names: set[str]) -> None:
    def delete() -> None:
        for name in sorted(names):
            default_storage.delete(name)

    transaction.on_commit(delete)


# Names -----------------------------------------------------------------------------------------------


def _name_segments(text: str) -> list[str]:
    """Parts of a list of attendees ("Sam Patel, Head of Safeguarding; Jo Bloggs") that may be names."""
    return [s.strip() for s in re.split(r"[,;\n/()]| and ", text or "") if len(s.strip()) >= 4]


def known_names(held: Holdings, other_names: list[str] = ()) -> list[str]:
    """Every name the portal knows that could appear in the review's kept text: the children's
    pseudonyms (now and before), attendees and chairs of its meetings, every account's name and email
    address, and the names the business manager added. Longest first, so a full name goes before a part."""
    names = {n.strip() for n in other_names if n.strip()}

    def values(label: str, model, column: str) -> list[str]:
        found = list(model._default_manager.filter(pk__in=held.current[label]).values_list(column, flat=True))
        if BY_LABEL[label].history_model is not None:
            history = BY_LABEL[label].history_model.objects.filter(id__in=held.known[label])
            found += history.values_list(column, flat=True)
        return found

    names.update(values("reviews.Child", Child, "pseudonym"))
    for text in values("responses.Attendance", Attendance, "attendees"):
        names.update(_name_segments(text))
    for text in values("responses.Meeting", Meeting, "chaired_by"):
        names.update(_name_segments(text))
    for full_name, email in (
        get_user_model().objects.exclude(email=PLACEHOLDER_EMAIL).values_list("full_name", "email")
    ):
        names.update(n for n in (full_name.strip(), email) if len(n) >= 4)
    # Shorter strings ("A", "Jo") would also match ordinary words: they are left to the manager's eye.
    return sorted((n for n in names if len(n) >= 3), key=len, reverse=True)


def _trie_pattern(node: dict) -> str:
    """The alternation of the words under a trie node, sharing their common beginnings. A word that ends
    here makes the rest optional; greedy, so a longer name is tried before a shorter one it starts with."""
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def name_pattern(names: list[str]) -> re.Pattern | None:
    """One case-insensitive pattern matching any of `names` as whole words, the longest where several
    start at the same place. Built as a trie (names lower-cased, so those differing only in case share a
    path): with every account's name and email address (4,000 at national scale) a flat alternation tries
    each name at each character, 65 times slower on the same text with the same matches."""
    trie: dict = {}
    for name in filter(None, names):
        node = trie
        for ch in name:
            lower = ch.lower()
            node = node.setdefault(lower if len(lower) == 1 else ch, {})
        node[""] = {}
    if not trie:
        return None
    return re.compile(r"(?<!\w)" + _trie_pattern(trie) + r"(?!\w)", re.IGNORECASE)


def scrub(text: str, pattern: re.Pattern | None, max_length: int | None = None) -> str:
    cleaned = pattern.sub(NAME_REMOVED, text) if pattern and text else text
    return cleaned[:max_length] if max_length else cleaned


# Checks ----------------------------------------------------------------------------------------------


def disposal_check(*, review: Review, board: Board, user, typed_reference: str) -> Due:
    """Raises RetentionRefused unless `user` may decide and the review is due; returns its details."""
    if review.lead_board_id != board.pk:
        raise RetentionRefused(f"{review.reference} is not led by {board.name}.")
    if not can(user, "manage_retention", board):
        raise RetentionRefused(f"Only a business manager of {board.name} can make this decision.")
    if Disposal.objects.filter(review_id=review.pk, kind=Disposal.Kind.ANONYMISE).exists():
        raise RetentionRefused(f"{review.reference} has already been anonymised.")
    due = is_due(review, board)
    if due is None:
        raise RetentionRefused(f"{review.reference} is still inside {board.name}'s retention period.")
    if (typed_reference or "").strip() != review.reference:
        raise RetentionRefused(
            f"Type the review's reference, {review.reference}, exactly as shown to confirm."
        )
    return due


def _locked(review_id: int) -> Review:
    try:
        return review_lock(review_id)
    except Review.DoesNotExist:
        raise RetentionRefused("The review no longer exists: someone may have deleted it already.") from None


# Anonymise -------------------------------------------------------------------------------------------


def _empty_and_scrub(part, ids: set[int], pattern, placeholder_pk: int) -> int:
    """Empties the part's free text, scrubs its kept text, moves its people to the placeholder and gives
    its rows neutral labels. Writes with update(): no signals and no model checks (sections of an approved
    version are frozen against editing, not against the law). Returns how many rows changed."""
    model = part.model
    people = [model._meta.get_field(p).attname for p in part.people]
    changed: set[int] = set()
    for row in model._default_manager.filter(pk__in=ids).values(
        "pk", *part.keep, *part.clear, *part.files, *people
    ):
        updates = {name: REMOVED for name in part.clear if row[name]}
        updates.update({name: "" for name in part.files if row[name]})
        updates.update({name: placeholder_pk for name in people if row[name] not in (None, placeholder_pk)})
        for name in part.keep:
            cleaned = scrub(row[name], pattern, model._meta.get_field(name).max_length)
            if cleaned != row[name]:
                updates[name] = cleaned
        if updates:
            model._default_manager.filter(pk=row["pk"]).update(**updates)
            changed.add(row["pk"])
    for name, label in part.relabel:
        ordered = list(model._default_manager.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        # Two steps, so a new label never meets an old one under a uniqueness constraint.
        for pk in ordered:
            model._default_manager.filter(pk=pk).update(**{name: f"~{pk}"})
        for n, pk in enumerate(ordered, start=1):
            model._default_manager.filter(pk=pk).update(**{name: label.format(n=n)})
        changed.update(ordered)
    return len(changed)


def _fresh_history(held: Holdings, user) -> int:
    """One history row per kept row, with its anonymised values and the reason."""
    written = 0
    for part in PARTS:
        if part.remove or part.history_model is None or not held.current[part.label]:
            continue
        rows = list(part.model._default_manager.filter(pk__in=held.current[part.label]))
        part.model.history.bulk_history_create(
            rows, update=True, default_user=user, default_change_reason=CHANGE_REASON
        )
        written += len(rows)
    return written


@transaction.atomic
def review_anonymise(
    *, review_id: int, board: Board, user, typed_reference: str, other_names: list[str] = (), channel: str
) -> Disposal:
    """Keeps the review's learning and removes what identifies anyone (see records.policy)."""
    review = _locked(review_id)
    due = disposal_check(review=review, board=board, user=user, typed_reference=typed_reference)
    held = holdings_of(review)
    pattern = name_pattern(known_names(held, other_names))
    files = _stored_files(held)
    signatures = _signatures(review)
    placeholder = placeholder_person()

    removed: Counter[str] = Counter()
    for part in reversed(PARTS):  # children before parents
        if part.remove and held.current[part.label]:
            removed[part.label] += part.model._default_manager.filter(
                pk__in=held.current[part.label]
            ).delete()[0]
    emptied: Counter[str] = Counter()
    for part in PARTS:
        if not part.remove and held.current[part.label]:
            changed = _empty_and_scrub(part, held.current[part.label], pattern, placeholder.pk)
            if changed:
                emptied[part.label] += changed
    history_removed = _remove_history(held)
    admin_log_removed = _remove_admin_log(held)
    _fresh_history(held, user)
    timeline_add(
        review=review,
        user=None,
        title=f"Anonymised: the board's {board.retention_years}-year retention period had ended",
    )
    _delete_files_after_commit(files)
    return Disposal.objects.create(
        board=board,
        review_id=review.pk,
        review_reference=review.reference,
        kind=Disposal.Kind.ANONYMISE,
        review_ended_on=due.ended_on,
        retention_years=board.retention_years,
        confirmed_by=user,
        channel=channel,
        removed={
            "rows": dict(removed),
            "emptied": dict(emptied),
            "history_rows": history_removed,
            "admin_log_entries": admin_log_removed,
            "files": len(files),
            "other_names_given": len([n for n in other_names if n.strip()]),
        },
        signatures=signatures,
    )


# Delete ----------------------------------------------------------------------------------------------


@transaction.atomic
def review_delete(*, review_id: int, board: Board, user, typed_reference: str, channel: str) -> Disposal:
    """Deletes the review and everything under it, its history and its files."""
    review = _locked(review_id)
    due = disposal_check(review=review, board=board, user=user, typed_reference=typed_reference)
    held = holdings_of(review)
    files = _stored_files(held)
    signatures = _signatures(review)
    reference = review.reference

    removed: Counter[str] = Counter()
    # A signed response and a partner's signature (on the response or on the decision) are protected
    # against deletion (they never change), and a finding protects the meeting where its position was
    # agreed: they go first, the review then takes the rest.
    removed.update(PartnerSignature.objects.filter(version__review=review).delete()[1])
    removed.update(DecisionSignature.objects.filter(review=review).delete()[1])
    removed.update(ResponseVersion.objects.filter(review=review).delete()[1])
    Finding.objects.filter(review=review).update(position_meeting=None)
    removed.update(BY_LABEL["commissioning.FactorAssessment"].model.objects.filter(review=review).delete()[1])
    removed.update(review.delete()[1])
    history_removed = _remove_history(held)
    admin_log_removed = _remove_admin_log(held)
    _delete_files_after_commit(files)
    return Disposal.objects.create(
        board=board,
        review_id=review_id,
        review_reference=reference,
        kind=Disposal.Kind.DELETE,
        review_ended_on=due.ended_on,
        retention_years=board.retention_years,
        confirmed_by=user,
        channel=channel,
        removed={
            "rows": {label: n for label, n in removed.items() if n},
            "history_rows": history_removed,
            "admin_log_entries": admin_log_removed,
            "files": len(files),
        },
        signatures=signatures,
    )


# Applying a decision in the background ------------------------------------------------------------------
#
# The confirmation page checks the decision at once (a mistake is shown on the form), records it as a
# DisposalRequest and hands its id to a worker once the transaction commits. The worker applies it in one
# transaction holding the request row and the review locked: applied once, or not at all. If the task
# queue is away the request stays queued and the periodic catch-up hands it out again.

# Applying a decision is work a worker claims under the lease rule (scr_portal/leases.py).
DISPOSALS = leases.Work(
    DisposalRequest,
    task="records.apply_disposal",
    working=DisposalRequest.Status.WORKING,
    catch_up="records-requeue",
)
RETENTION_DELAYED = (
    "The portal's task queue is not answering just now, so your decision is waiting to be applied. Nothing "
    "is lost: the portal will apply it automatically once the queue is back; this page shows when it is done."
)
ON_ITS_WAY = (DisposalRequest.Status.QUEUED, DisposalRequest.Status.WORKING)


def disposal_request(
    *,
    review: Review,
    board: Board,
    user,
    kind: str,
    typed_reference: str,
    other_names: list[str] = (),
    channel: str,
) -> DisposalRequest:
    """Checks the decision as `review_anonymise` / `review_delete` would (RetentionRefused if it cannot be
    applied) and records it, queued for a worker. A decision on the review already on its way is
    returned instead of a second (a double click, or two business managers at once)."""
    if kind not in Disposal.Kind.values:
        raise ValueError(f"Unknown decision {kind!r}.")
    disposal_check(review=review, board=board, user=user, typed_reference=typed_reference)
    pending = DisposalRequest.objects.filter(review_id=review.pk, status__in=ON_ITS_WAY).first()
    if pending is not None:
        return pending
    names = [n.strip() for n in other_names if n.strip()] if kind == Disposal.Kind.ANONYMISE else []
    try:
        with transaction.atomic():
            request = DisposalRequest.objects.create(
                board=board,
                review_id=review.pk,
                review_reference=review.reference,
                kind=kind,
                other_names=names,
                channel=channel,
                requested_by=user,
            )
            transaction.on_commit(lambda: disposal_dispatch(request.pk))
    except IntegrityError:  # the same review decided at the same moment: the one recorded first stands
        return DisposalRequest.objects.get(review_id=review.pk, status__in=ON_ITS_WAY)
    return request


def disposal_dispatch(request_pk: int) -> bool:
    """Hands the decision to a worker (in the embedded default, applies it now). False when the task queue
    cannot be reached: the request stays queued for the catch-up."""
    return outbox.send("records.apply_disposal", request_pk, delayed=RETENTION_DELAYED)


def _disposal_finish(request: DisposalRequest, status: str, error: str = "") -> None:
    """Ends the request: the names given are personal data and are not kept once they have been used."""
    request.status, request.error, request.other_names = status, error[:2000], []
    request.finished_at, request.lease_until = timezone.now(), None
    request.save(update_fields=["status", "error", "other_names", "finished_at", "lease_until", "disposal"])


def disposal_apply(request_pk: int) -> str:
    """Applies the decision unless it has been applied (or refused) already, or a live worker is applying
    it. Returns what happened, for logs and tests. The worker claims the decision with a lease, as for a
    document (scr_portal/leases.py). The work and the request's end are one transaction holding the
    request locked: a worker that dies part-way leaves nothing changed and the request "being applied"
    for the rerun (acks_late) or the catch-up; one that takes over from a worker still in that
    transaction (it outlasted its lease, which cannot be renewed while the row is locked) waits for it,
    then finds the decision applied."""
    me = leases.holder()
    with transaction.atomic():
        request = DisposalRequest.objects.select_for_update().filter(pk=request_pk).first()
        if request is None:
            return "missing"
        if request.status not in ON_ITS_WAY:
            return f"already {request.status}"
        if not DISPOSALS.claim(request):
            return "being applied by another worker"
        request.save(update_fields=list(leases.CLAIM_FIELDS))
    with DISPOSALS.renewed(request_pk, me), transaction.atomic():
        request = (
            DisposalRequest.objects.select_for_update()
            .select_related("board", "requested_by")
            .get(pk=request_pk)
        )
        if request.status not in ON_ITS_WAY:  # another run finished while this one waited for the lock
            return f"already {request.status}"
        if request.claimed_by != me:  # taken over when this one's lease ran out
            return "taken over by another worker"
        decision = {
            "review_id": request.review_id,
            "board": request.board,
            "user": request.requested_by,
            "typed_reference": request.review_reference,
            "channel": request.channel,
        }
        try:
            if request.kind == Disposal.Kind.ANONYMISE:
                disposal = review_anonymise(**decision, other_names=request.other_names)
            else:
                disposal = review_delete(**decision)
        except RetentionRefused as refusal:  # things changed since it was confirmed; nothing was done
            _disposal_finish(request, DisposalRequest.Status.FAILED, str(refusal))
            return "refused"
        request.disposal = disposal
        _disposal_finish(request, DisposalRequest.Status.DONE)
    return "done"


def disposal_fail(request_pk: int, error: BaseException) -> None:
    """Records that applying the decision failed (nothing was changed), in words the manager can act on:
    they can confirm the decision again."""
    with transaction.atomic():
        request = DisposalRequest.objects.select_for_update().filter(pk=request_pk).first()
        if request is None or request.status not in ON_ITS_WAY or DISPOSALS.held_by_another(request):
            return
        _disposal_finish(request, DisposalRequest.Status.FAILED, f"{type(error).__name__}: {error}")


def disposals_requeue_stale(now=None) -> int:
    """Hands out again, at once, decisions the task queue no longer holds while they wait, and decisions
    whose worker stopped while applying them (the lease rule: scr_portal/leases.py). Safe at any time:
    applying is idempotent."""
    return sum(disposal_dispatch(pk) for pk in DISPOSALS.to_hand_out(now))


def describe_removed(removed: dict) -> list[str]:
    """The counts of a Disposal in plain words, for pages and the command's output."""
    lines = []
    for key, verb in (("rows", "removed"), ("emptied", "anonymised")):
        for label, n in sorted(removed.get(key, {}).items()):
            lines.append(f"{n} {_plural(label, n)} {verb}")
    for key, words in (
        ("history_rows", "history records removed"),
        ("admin_log_entries", "administration log entries removed"),
        ("files", "stored files removed"),
    ):
        if removed.get(key):
            lines.append(f"{removed[key]} {words}")
    return lines


def _plural(label: str, n: int) -> str:
    """The model's own name for `label` ("responses.Finding" → "findings")."""
    try:
        meta = apps.get_model(label)._meta
    except LookupError:
        return label
    return str(meta.verbose_name if n == 1 else meta.verbose_name_plural)

"""Subject access (UK GDPR article 15): everything the portal holds about a person.

For a user account, `export_account` gathers every row that points at the account, in every table, history
tables included (old values are data held too): the account itself, roles on boards, comments, progress
updates, notifications, timeline entries, sign-offs, review views, documents asked for, sign-in records
(django-axes, matched on the email address) and more, found by following every reference to the account
rather than by a list that could fall behind the models. Other people in those rows are shown as
"[another person]", both where a row points at them and where their name or email appears in text.

For anyone else (a family member named in a case summary), `search_text` lists every place a name appears
in free text, in every table.

Both are recorded in SubjectAccessRequest: who asked, when, what was found.

At national scale the export of a busy person's account takes about 12 s (most of it reading every text
column of every table for their name), so the administration site does not make it inside its request: it
records a SubjectAccessExport, and a worker writes the zip into storage for the superuser who asked to
download (`account_export_request`, `account_export_make`, at the end of this module)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from documents.services import EXPORT_KEPT
from responses.actions.export import neutralise
from reviews.access import can
from scr_portal import files, leases, outbox

from .models import Channel, SubjectAccessExport, SubjectAccessRequest, subject_access_upload_to
from .policy import BY_LABEL, text_fields
from .services import name_pattern

ANOTHER_PERSON = "[another person]"

# Never exported: secrets that would let someone act as the person, and opaque session data.
SECRET_FIELDS = {
    "accounts.User": {"password"},
    "accounts.HistoricalUser": {"password"},
    "otp_totp.TOTPDevice": {"key"},
    "axes.AccessLog": {"session_hash"},
}
# Tables whose rows are about the installation, not about people.
SKIPPED_MODELS = {"sessions.Session", "contenttypes.ContentType", "auth.Permission"}
# Sign-in records name the person by the email address typed, not by a reference to the account.
BY_USERNAME = {"axes.AccessAttempt", "axes.AccessFailureLog", "axes.AccessLog"}
# Rows that belong to the person through one of their own rows: the replies they gave to an invitation
# sent to them, the evidence files attached to their progress updates.
OWNED_THROUGH = {"commissioning.InputReply": "invitation", "responses.Evidence": "update"}


def _is_history(model) -> bool:
    return hasattr(model, "instance_type")


def _user_model():
    return get_user_model()


def _references_to(model, target) -> list[models.ForeignKey]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is target
    ]


def _profiles(user) -> dict[type, set[int]]:
    """Rows that stand for the person under another name (a lead reviewer's registry entry): rows that
    point at them belong to the person too."""
    User = _user_model()
    found: dict[type, set[int]] = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.OneToOneField) and f.related_model is User:
                ids = set(model._default_manager.filter(**{f.attname: user.pk}).values_list("pk", flat=True))
                if ids:
                    found[model] = ids
    return found


def _rows_about(model, user, profiles: dict[type, set[int]]) -> models.QuerySet | None:
    """The model's rows about `user`, or None when the model cannot hold any."""
    User = _user_model()
    label = model._meta.label
    if label in SKIPPED_MODELS:
        return None
    manager = model._default_manager
    if model is User:
        return manager.filter(pk=user.pk)
    if _is_history(model) and model.instance_type is User:
        # Only the history of the person's own account: rows they wrote about other accounts are not theirs.
        return manager.filter(id=user.pk)
    if label in BY_USERNAME:
        return manager.filter(username__iexact=user.email)
    condition = Q()
    base = model.instance_type._meta.label if _is_history(model) else label
    if base in OWNED_THROUGH:
        link = model._meta.get_field(OWNED_THROUGH[base])
        parents = _rows_about(link.related_model, user, profiles)
        if parents is not None:
            condition |= Q(**{f"{link.attname}__in": parents.values("pk")})
    for f in _references_to(model, User):
        condition |= Q(**{f.attname: user.pk})
    for profile_model, ids in profiles.items():
        for f in _references_to(model, profile_model):
            condition |= Q(**{f"{f.attname}__in": ids})
    if _is_history(model) and model.instance_type in profiles:
        condition |= Q(id__in=profiles[model.instance_type])
    if not condition:
        return None
    return manager.filter(condition)


@dataclass
class Table:
    label: str
    title: str
    columns: list[str]
    rows: list[dict]


class _Presenter:
    """Turns rows into plain values: dates as ISO 8601, links to reviews, boards and agencies by name,
    and other people replaced by "[another person]"."""

    NAMED = ("reviews.Review", "reviews.Board", "reviews.Agency")

    def __init__(self, user):
        self.user = user
        self.user_model = _user_model()
        own = f"{user.full_name} {user.email}".lower()
        others = [
            n
            for full_name, email in _user_model()
            .objects.exclude(pk=user.pk)
            .values_list("full_name", "email")
            for n in (full_name.strip(), email)
            if len(n) >= 4 and n.lower() not in own
        ]
        self.pattern = name_pattern(sorted(set(others), key=len, reverse=True))
        self._names: dict[str, dict[int, str]] = {}

    def _name_of(self, label: str, pk: int) -> str:
        if label not in self._names:
            model = apps.get_model(label)
            column = "reference" if label == "reviews.Review" else "name"
            self._names[label] = dict(model._default_manager.values_list("pk", column))
        return self._names[label].get(pk, f"#{pk}")

    def value(self, f: models.Field, value):
        if value is None:
            return None
        if isinstance(f, models.ForeignKey):
            target = f.related_model
            if target is self.user_model:
                return self.user.email if value == self.user.pk else ANOTHER_PERSON
            if target._meta.label in self.NAMED:
                return self._name_of(target._meta.label, value)
            return value
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, str) and self.pattern is not None:
            return self.pattern.sub(ANOTHER_PERSON, value)
        return value


def _table(model, queryset, presenter: _Presenter) -> Table:
    secret = SECRET_FIELDS.get(model._meta.label, set())
    fields = [f for f in model._meta.concrete_fields if f.name not in secret]
    rows = []
    for values in queryset.order_by("pk").values(*(f.attname for f in fields)):
        rows.append({f.name: presenter.value(f, values[f.attname]) for f in fields})
    return Table(
        label=model._meta.label,
        title=str(model._meta.verbose_name_plural).capitalize(),
        columns=[f.name for f in fields],
        rows=rows,
    )


Progress = Callable[[int, int], None]  # (steps done, steps in all), for the page that shows how far it got


def _models() -> list[type[models.Model]]:
    return sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label)


def account_tables(user, progress: Progress | None = None) -> Iterator[Table]:
    """Every table's rows about the account, in a stable order, one table at a time (the whole export
    is never held at once). `progress` is told after each kind of record looked through."""
    presenter = _Presenter(user)
    profiles = _profiles(user)
    everything = _models()
    for done, model in enumerate(everything, start=1):
        queryset = _rows_about(model, user, profiles)
        if queryset is not None and queryset.exists():
            yield _table(model, queryset, presenter)
        if progress is not None:
            progress(done, len(everything) + len(_needles(user)))


# Where a name appears in free text -------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    label: str  # the table's model, "reviews.Review"
    title: str  # what the table holds, in words
    pk: int
    field: str
    review: str  # the review's reference, when the row belongs to one
    passage: str  # the words around the name


def _searchable(model) -> list[models.Field]:
    secret = SECRET_FIELDS.get(model._meta.label, set())
    return [f for f in text_fields(model) if f.name not in secret and not isinstance(f, models.FileField)]


def _review_reference(label: str, row: dict, cache: dict) -> str:
    """The reference of the review a row belongs to, following records.policy's chain of parents."""
    is_history = label not in BY_LABEL and label.replace("Historical", "", 1) in BY_LABEL
    part = BY_LABEL.get(label.replace("Historical", "", 1) if is_history else label)
    if part is None:
        return ""
    review_id = row.get("id") if part.parent == "" else row.get(f"{part.parent}_id")
    while part.parent and review_id is not None:
        parent = BY_LABEL[part.parent_label]
        if parent.parent == "":
            break
        review_id = (
            parent.model._default_manager.filter(pk=review_id)
            .values_list(f"{parent.parent}_id", flat=True)
            .first()
        )
        part = parent
    if review_id is None:
        return ""
    if "reviews" not in cache:
        cache["reviews"] = dict(apps.get_model("reviews.Review").objects.values_list("pk", "reference"))
    return cache["reviews"].get(review_id, "")


def _passage(text: str, match: re.Match, width: int = 60) -> str:
    start, end = max(match.start() - width, 0), min(match.end() + width, len(text))
    return ("…" if start else "") + " ".join(text[start:end].split()) + ("…" if end < len(text) else "")


def search_text(name: str) -> list[Mention]:
    """Every place in every table (history tables included) where `name` appears as whole words in free
    text, case ignored."""
    name = " ".join(name.split())
    if len(name) < 3:
        raise ValueError("Give at least three letters of the name.")
    pattern = name_pattern([name])
    found: list[Mention] = []
    cache: dict = {}
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        # Earlier searches name what was searched for: they are the audit trail, not where a name appears.
        if model._meta.label in SKIPPED_MODELS or model is SubjectAccessRequest:
            continue
        fields = _searchable(model)
        if not fields:
            continue
        condition = Q()
        for f in fields:
            condition |= Q(**{f"{f.name}__icontains": name})
        pk_name = model._meta.pk.attname
        columns = {f.attname for f in model._meta.concrete_fields}
        for row in model._default_manager.filter(condition).order_by(pk_name).values(*columns):
            for f in fields:
                text = row[f.attname] or ""
                match = pattern.search(text)
                if match:
                    found.append(
                        Mention(
                            label=model._meta.label,
                            title=str(model._meta.verbose_name_plural).capitalize(),
                            pk=row[pk_name],
                            field=f.name,
                            review=_review_reference(model._meta.label, row, cache),
                            passage=_passage(text, match),
                        )
                    )
    return found


# The files -------------------------------------------------------------------------------------------


README = """\
Subject access export: {name} <{email}>
Made on {made} by the SCR Portal.

This archive holds everything the SCR Portal stores that refers to this person's user account:
the account itself, roles on boards, comments, progress updates, notifications, entries on
review timelines, sign-offs, records of opening reviews, documents asked for, sign-in records,
and the history of changes to each of these (history tables keep earlier values too).

How it is laid out
- index.csv lists every file and how many rows it holds.
- tables/ has one file per kind of record, as JSON and as CSV (CSV opens in a spreadsheet).
  Each row is one record. Column names are the portal's own field names.
- mentions.csv lists the places where the person's name or email address appears in text
  that other people wrote (for example a comment or meeting notes). It says where, not what:
  read those passages in the portal before deciding what to release.

About other people
Where a record points at someone else, or their name or email address appears in text, it
shows "[another person]" instead. Text may still mention children by pseudonym, families or
other details about third parties: the data protection officer must read the export and
redact what is not the requester's own data before it is released.

What is not here
- Passwords and two-factor secrets: they are stored only in a form that cannot be read back.
- Sign-in sessions: they expire after a short idle period and hold no other information.
- Backups: they hold copies of these same records and are deleted after 35 days.
"""


def _csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else neutralise(str(row.get(c))) for c in columns])
    return buffer.getvalue().encode("utf-8")


def _needles(user) -> list[str]:
    """What the person's mentions are looked for by: their name and their email address."""
    return sorted(n for n in {user.full_name.strip(), user.email} if len(n) >= 3)


def _mentions_of(user, progress: Callable[[int], None] | None = None) -> list[Mention]:
    """Where the person's name or email appears in text, outside their own account's rows."""
    own_tables = {"accounts.User", "accounts.HistoricalUser", *BY_USERNAME}
    seen: set[tuple] = set()
    mentions = []
    for done, needle in enumerate(_needles(user), start=1):
        found = search_text(needle)
        if progress is not None:
            progress(done)
        for m in found:
            key = (m.label, m.pk, m.field)
            if m.label not in own_tables and key not in seen:
                seen.add(key)
                mentions.append(m)
    return mentions


def write_account_export(user, handle: BinaryIO, progress: Progress | None = None) -> dict[str, int]:
    """Writes the zip of everything held about `user`'s account into `handle`; returns how many rows were
    found per kind of record (and "mentions"). Tables are written as they are read."""
    index = [{"file": "README.txt", "rows": ""}]
    found: dict[str, int] = {}
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        made = timezone.localtime()
        archive.writestr(
            "README.txt",
            README.format(
                name=user.full_name or user.email, email=user.email, made=made.strftime("%d %B %Y %H:%M")
            ),
        )
        for table in account_tables(user, progress):
            stem = f"tables/{table.label}"
            archive.writestr(
                f"{stem}.json",
                json.dumps(
                    {"table": table.label, "title": table.title, "rows": table.rows},
                    indent=2,
                    ensure_ascii=False,
                ),
            )
            archive.writestr(f"{stem}.csv", _csv_bytes(table.columns, table.rows))
            index += [
                {"file": f"{stem}.json", "rows": len(table.rows)},
                {"file": f"{stem}.csv", "rows": len(table.rows)},
            ]
            found[table.label] = len(table.rows)
        looked_through = len(_models())
        mentions = _mentions_of(
            user,
            None
            if progress is None
            else lambda done: progress(looked_through + done, looked_through + len(_needles(user))),
        )
        mention_rows = [
            {"table": m.label, "what": m.title, "row": m.pk, "field": m.field, "review": m.review}
            for m in mentions
        ]
        archive.writestr(
            "mentions.csv", _csv_bytes(["table", "what", "row", "field", "review"], mention_rows)
        )
        index.append({"file": "mentions.csv", "rows": len(mention_rows)})
        archive.writestr("index.csv", _csv_bytes(["file", "rows"], index))
    found["mentions"] = len(mentions)
    return found


@dataclass(frozen=True)
class Export:
    content: bytes
    sha256: str
    found: dict[str, int]
    record: SubjectAccessRequest


def export_account(user, *, requested_by=None, requested_by_label: str, channel: str) -> Export:
    """The zip of everything held about `user`'s account, made now, and its audit record (the management
    command; the administration site asks a worker for it: `account_export_request`)."""
    buffer = io.BytesIO()
    found = write_account_export(user, buffer)
    content = buffer.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    record = SubjectAccessRequest.objects.create(
        kind=SubjectAccessRequest.Kind.ACCOUNT,
        subject=user.email,
        requested_by=requested_by,
        requested_by_label=requested_by_label,
        channel=channel,
        found=found,
        sha256=digest,
    )
    return Export(content=content, sha256=digest, found=found, record=record)


def search_name(name: str, *, requested_by=None, requested_by_label: str, channel: str) -> list[Mention]:
    """`search_text`, recorded."""
    mentions = search_text(name)
    found: dict[str, int] = {}
    for m in mentions:
        found[m.label] = found.get(m.label, 0) + 1
    SubjectAccessRequest.objects.create(
        kind=SubjectAccessRequest.Kind.NAME,
        subject=" ".join(name.split()),
        requested_by=requested_by,
        requested_by_label=requested_by_label,
        channel=channel,
        found=found,
    )
    return mentions


def mentions_csv(mentions: list[Mention]) -> bytes:
    rows = [
        {
            "table": m.label,
            "what": m.title,
            "row": m.pk,
            "field": m.field,
            "review": m.review,
            "passage": m.passage,
        }
        for m in mentions
    ]
    return _csv_bytes(["table", "what", "row", "field", "review", "passage"], rows)


# Made by a worker for the administration site ----------------------------------------------------------
#
# The admin's form records what was asked for (and the audit record says so), and hands the export's id to
# a worker once the transaction commits. The worker writes the zip into a temporary file, table by table,
# saying how far it has got, then stores it with its SHA-256 and records the export as made. Only the
# superuser who asked may download it, and only while they are one; it is removed a day after.

SUBJECT_ACCESS_DELAYED = (
    "The portal's task queue is not answering just now, so the export is waiting to be made. Nothing is "
    "lost: the portal will make it automatically once the queue is back; this page shows when it is ready."
)
Status = SubjectAccessExport.Status
# Making an export is work a worker claims under the lease rule (scr_portal/leases.py).
SUBJECT_ACCESS_EXPORTS = leases.Work(
    SubjectAccessExport,
    task="records.make_subject_access_export",
    working=Status.RENDERING,
    catch_up="records-requeue",
)


class SubjectAccessRefused(Exception):
    """The export cannot be made or retried; the message says why."""


def _recorded(job: SubjectAccessExport, step: str, found: dict | None = None, sha256: str = "") -> None:
    SubjectAccessRequest.objects.create(
        kind=SubjectAccessRequest.Kind.ACCOUNT,
        step=step,
        subject=job.subject.email,
        requested_by=job.requested_by,
        requested_by_label=job.requested_by.email,
        channel=Channel.ADMIN,
        found=found or {},
        sha256=sha256,
    )


def account_export_request(*, subject, user) -> SubjectAccessExport:
    """Records an export of `subject`'s account asked for by `user` (who the caller has checked may
    export), queued, and the request in the audit; a worker makes it once the transaction commits. The
    same person's export of the same account still on its way is returned instead of a second."""
    pending = SubjectAccessExport.objects.filter(
        subject=subject, requested_by=user, status__in=(Status.QUEUED, Status.RENDERING)
    ).first()
    if pending is not None:
        return pending
    with transaction.atomic():
        job = SubjectAccessExport.objects.create(subject=subject, requested_by=user)
        _recorded(job, SubjectAccessRequest.Step.ASKED)
        transaction.on_commit(lambda: account_export_dispatch(job.pk))
    return job


def account_export_dispatch(export_pk: int) -> bool:
    """Hands the export to a worker (in the embedded default, makes it now). False when the task queue
    cannot be reached: the export stays queued for the catch-up."""
    return outbox.send("records.make_subject_access_export", export_pk, delayed=SUBJECT_ACCESS_DELAYED)


def account_export_retry(*, export: SubjectAccessExport, user) -> SubjectAccessExport:
    """Queues a failed export again (only the superuser who asked for it may)."""
    with transaction.atomic():
        current = SubjectAccessExport.objects.select_for_update().get(pk=export.pk)
        if current.requested_by_id != user.pk:
            raise SubjectAccessRefused("Only the person who asked for the export can ask for it again.")
        if current.status != Status.FAILED:
            raise SubjectAccessRefused("Only an export that could not be made can be tried again.")
        current.status, current.error = Status.QUEUED, ""
        current.save(update_fields=["status", "error"])
        transaction.on_commit(lambda: account_export_dispatch(current.pk))
    return current


def _sha256_of(handle: BinaryIO) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1 << 20), b""):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def account_export_make(export_pk: int) -> str:
    """Writes the export's zip unless it is ready already or a live worker is writing it, and records it as
    made. Returns what happened, for logs and tests. Progress is saved as each kind of record is looked
    through, outside any transaction, so the status page sees it. The worker claims the export with a
    lease, as for a document (scr_portal/leases.py); one that takes it over after a worker stopped starts
    the file again. The export is recorded as made once, with the file that is kept."""
    me = leases.holder()
    with transaction.atomic():
        job = SubjectAccessExport.objects.select_for_update().filter(pk=export_pk).first()
        if job is None:
            return "missing"
        if job.status == Status.READY:
            return "already ready"
        if not SUBJECT_ACCESS_EXPORTS.claim(job):
            return "being made by another worker"
        job.error, job.steps_done, job.steps_total = "", 0, None
        job.save(update_fields=[*leases.CLAIM_FIELDS, "error", "steps_done", "steps_total"])
    with SUBJECT_ACCESS_EXPORTS.renewed(export_pk, me):
        return _account_export_write(export_pk, me)


def _account_export_write(export_pk: int, me: str) -> str:
    job = SubjectAccessExport.objects.select_related("subject", "requested_by").get(pk=export_pk)
    if not can(job.requested_by, "export_subject_access"):
        raise SubjectAccessRefused(
            "The person who asked for this export can no longer export a person's data."
        )

    def progress(done: int, total: int) -> None:
        SubjectAccessExport.objects.filter(pk=export_pk, claimed_by=me).update(
            steps_done=done, steps_total=total
        )

    with tempfile.TemporaryFile() as handle:  # the long part: outside any transaction
        found = write_account_export(job.subject, handle, progress)
        size = handle.tell()
        digest = _sha256_of(handle)
        handle.seek(0)
        with files.removed_unless_recorded([]) as stored:  # stored first, kept only once recorded
            stored.append(default_storage.save(subject_access_upload_to(job, "export.zip"), File(handle)))
            with transaction.atomic():
                job = (
                    SubjectAccessExport.objects.select_for_update()
                    .select_related("subject", "requested_by")
                    .get(pk=export_pk)
                )
                if job.status == Status.READY or job.claimed_by != me:  # another run finished first, or
                    files.remove(stored)  # took it over when this one's lease ran out
                    return "already ready" if job.status == Status.READY else "taken over by another worker"
                job.file.name = stored[0]
                job.size, job.sha256, job.found = size, digest, found
                job.status, job.finished_at = Status.READY, timezone.now()
                job.lease_until = None
                job.save()
                _recorded(job, SubjectAccessRequest.Step.DONE, found, digest)
    return "made"


def account_export_fail(export_pk: int, error: BaseException) -> None:
    """Records that making the export failed, in words the administrator can act on."""
    with transaction.atomic():
        job = SubjectAccessExport.objects.select_for_update().filter(pk=export_pk).first()
        if job is None or job.status == Status.READY or SUBJECT_ACCESS_EXPORTS.held_by_another(job):
            return
        job.status, job.finished_at, job.lease_until = Status.FAILED, timezone.now(), None
        job.error = (
            str(error) if isinstance(error, SubjectAccessRefused) else f"{type(error).__name__}: {error}"
        )
        job.error = job.error[:2000]
        job.save(update_fields=["status", "finished_at", "lease_until", "error"])


def account_exports_requeue_stale(now=None) -> int:
    """Hands out again, at once, exports the task queue no longer holds while they wait, and exports whose
    worker stopped while making them (the lease rule: scr_portal/leases.py). Safe at any time: making is
    idempotent."""
    return sum(account_export_dispatch(pk) for pk in SUBJECT_ACCESS_EXPORTS.to_hand_out(now))


def account_exports_sweep(now=None) -> int:
    """Removes exports made (or failed) more than a day ago, with their files: a copy of everything held
    about a person, for one download, not a record (the audit keeps what was found and the SHA-256)."""
    now = now or timezone.now()
    old = SubjectAccessExport.objects.filter(
        status__in=(Status.READY, Status.FAILED), finished_at__lt=now - EXPORT_KEPT
    )
    with transaction.atomic():
        names = [name for name in old.values_list("file", flat=True) if name]
        removed, _ = old.delete()
        transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return removed

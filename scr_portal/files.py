"""Files follow their rows: a stored file is kept only while a row names it.

Services write a file to the media store before the transaction that records it (never while holding a
lock; `store`) and remove it again if that transaction fails (`removed_unless_recorded`). A process killed between
the two (a worker SIGKILLed, a request cut off by the web server) leaves a file no row names: nobody can
see it, but it would escape retention, anonymisation and subject-access exports, so `orphans` finds such
files and the periodic sweep (`orphans_sweep`) removes those older than ORPHAN_FILE_GRACE, logging each.

Uploaded files larger than Django keeps in memory are written while they arrive to a folder of the web
process's own (`upload_folder`), which gunicorn removes when that process exits, however it exits
(gunicorn.conf.py's `child_exit`); the sweep removes any left by a process that no longer runs."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)


def grace() -> timedelta:
    """How old a file no row names must be before the sweep removes it: far longer than any transaction
    that records a file takes (the database refuses statements longer than the web timeout)."""
    return timedelta(seconds=settings.ORPHAN_FILE_GRACE_SECONDS)


# Writing and removing -----------------------------------------------------------------------------------


def remove(names: Iterable[str]) -> None:
    """Deletes stored files (a missing one is already what we want)."""
    for name in names:
        if name:
            with contextlib.suppress(OSError):
                default_storage.delete(name)


def store(instance: models.Model, field_name: str, content, filename: str) -> str:
    """Writes `content` where the file field `field_name` of `instance` keeps its files (its storage, under
    the name its `upload_to` makes of `filename`) and returns the name it was stored under, for the caller
    to name on the row inside the transaction that records it. (`FieldFile.save` would write the file
    wherever it is called: inside that transaction, while it holds its locks.)"""
    field = instance._meta.get_field(field_name)
    return field.storage.save(
        field.generate_filename(instance, filename), content, max_length=field.max_length
    )


@contextlib.contextmanager
def removed_unless_recorded(names: list[str]) -> Iterator[list[str]]:
    """Around storing files and the transaction that records them: whatever was stored (the names the
    block appends to `names`) is removed again if the block raises."""
    try:
        yield names
    except BaseException:
        remove(names)
        raise


# Finding and sweeping files no row names ----------------------------------------------------------------


@dataclass(frozen=True)
class Orphan:
    name: str
    size: int
    modified: datetime

    def describe(self) -> str:
        return f"{self.name} ({self.size} bytes, written {timezone.localtime(self.modified):%d %b %Y %H:%M})"


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, column) that names a stored file, with the history of each such model: the history
    keeps the names of files replaced since (a corrected final report keeps the first one)."""
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                yield model, f.name
                history = getattr(model, "history", None)
                if history is not None and hasattr(history, "model"):
                    yield history.model, f.name


def recorded_names() -> set[str]:
    """The name of every file a row names."""
    names: set[str] = set()
    for model, column in _file_fields():
        names.update(model._default_manager.exclude(**{column: ""}).values_list(column, flat=True))
    return names


def stored() -> Iterator[Orphan]:
    """Every file in the media store (the default file system storage), as name, size and time written."""
    root = Path(default_storage.location)
    if not root.is_dir():
        return
    for folder, _, files in os.walk(root):
        for file_name in files:
            path = Path(folder, file_name)
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed meanwhile
                continue
            modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
            yield Orphan(path.relative_to(root).as_posix(), stat.st_size, modified)


def orphans(older_than: timedelta | None = None, now: datetime | None = None) -> list[Orphan]:
    """Stored files no row names (written at least `older_than` ago, when given). The store is listed
    before the rows are read, so a file recorded meanwhile is never taken for an orphan."""
    now = now or timezone.now()
    found = [f for f in stored() if older_than is None or f.modified <= now - older_than]
    recorded = recorded_names()
    return sorted((f for f in found if f.name not in recorded), key=lambda f: f.name)


def orphans_sweep(now: datetime | None = None) -> int:
    """Removes stored files no row names once older than the grace period, logging each, and upload
    folders of web processes that no longer run. Returns how many files were removed."""
    removed = 0
    for orphan in orphans(older_than=grace(), now=now):
        log.warning("Removing stored file %s: no record names it", orphan.describe())
        remove([orphan.name])
        removed += 1
    removed += uploads_sweep(now=now)
    return removed


# Temporary uploads ----------------------------------------------------------------------------------


def upload_folder(pid: int | None = None) -> Path:
    """Where the process `pid` (this one by default) writes uploads as they arrive."""
    return Path(settings.FILE_UPLOAD_TEMP_DIR) / str(pid or os.getpid())


def remove_upload_folder(pid: int) -> None:
    """Removes what the process `pid` was receiving: called by gunicorn when that process has exited."""
    shutil.rmtree(upload_folder(pid), ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    return True


def uploads_sweep(now: datetime | None = None) -> int:
    """Removes the upload folders of processes of this machine that no longer run, and any upload older
    than the grace period (an upload is moved into the media store, or deleted, when its request ends)."""
    root = Path(settings.FILE_UPLOAD_TEMP_DIR)
    if not root.is_dir():
        return 0
    cutoff = (now or timezone.now()).timestamp() - grace().total_seconds()
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        gone = folder.name.isdigit() and not _running(int(folder.name))
        for path in folder.iterdir():
            with contextlib.suppress(OSError):
                if gone or path.stat().st_mtime < cutoff:
                    log.warning("Removing a temporary upload left behind: %s", path)
                    path.unlink()
                    removed += 1
        if gone:
            shutil.rmtree(folder, ignore_errors=True)
    return removed


class _ProcessTemporaryUploadedFile(TemporaryUploadedFile):
    """An upload written to this process's own folder (Django's writes to one folder for all)."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        folder = upload_folder()
        folder.mkdir(parents=True, exist_ok=True)
        suffix = ".upload" + os.path.splitext(name)[1][:10]
        file = tempfile.NamedTemporaryFile(suffix=suffix, dir=folder)  # noqa: SIM115 - closed with the upload
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class ProcessTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, writing to the process's own folder (see `upload_folder`)."""

    def new_file(self, *args, **kwargs):
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = _ProcessTemporaryUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra
        )

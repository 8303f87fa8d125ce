"""The periodic jobs (reminders, deadline notices, sweeps) without Celery beat.

The jobs are the ones Celery beat runs in the scaled shape: `CELERY_BEAT_SCHEDULE` in the settings, one
list. On the embedded default there is no beat, so `manage.py run_periodic` runs them: by hand (`--once`),
or as a scheduler beside the web server (`make run` starts it). The scheduler's first pass runs every job
whose time has come since it last ran (or that never ran: a fresh installation, or a machine that was
off at 06:30), then it wakes each minute and runs what the schedule says. When each job last ran is kept
in a small file under var/, so a restart neither repeats a daily job nor misses one.

Every job is idempotent (a reminder is created once per person, an email sent once), so running one by
hand, or once more than planned, does no harm."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from celery.schedules import crontab
from celery.schedules import schedule as every
from django.conf import settings
from django.utils import timezone

from .outbox import task_named

log = logging.getLogger(__name__)

# A calendar job not run for longer than this is due whatever its schedule (longer than any job's period).
LOOK_BACK = timedelta(days=8)


@dataclass(frozen=True)
class Job:
    name: str  # the schedule's key, e.g. "deadline-reminders"
    task: str  # the Celery task's name, e.g. "reviews.send_deadline_reminders"
    schedule: crontab | every

    def describe(self) -> str:
        """When the job runs, in words."""
        return describe(self.schedule)

    def due(self, now: datetime, last_run: datetime | None) -> bool:
        """Whether a time the schedule names falls after `last_run` and at or before `now` (always, when
        the job never ran)."""
        if last_run is None:
            return True
        if isinstance(self.schedule, crontab):
            last, moment = _minute(last_run), _minute(now)
            if moment - last > LOOK_BACK:
                return True  # not run for longer than any calendar job's period: overdue
            while moment > last:
                if _matches(self.schedule, moment):
                    return True
                moment -= timedelta(minutes=1)
            return False
        return now - last_run >= self.schedule.run_every


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _matches(cron: crontab, moment: datetime) -> bool:
    """Whether the crontab names `moment` (read in the schedule's time zone, as beat reads it)."""
    local = moment.astimezone(ZoneInfo(settings.CELERY_TIMEZONE))
    return (
        local.minute in cron.minute
        and local.hour in cron.hour
        and local.isoweekday() % 7 in cron.day_of_week
        and local.day in cron.day_of_month
        and local.month in cron.month_of_year
    )


def describe(schedule: crontab | every) -> str:
    if isinstance(schedule, crontab):
        minutes, hours = sorted(schedule.minute), sorted(schedule.hour)
        if len(hours) == 24 and len(minutes) > 1:
            step = minutes[1] - minutes[0]
            if minutes == list(range(0, 60, step)):
                return f"every {step} minutes"
        if len(hours) == 1 and len(minutes) == 1 and len(schedule.day_of_week) == 7:
            return f"daily at {hours[0]:02d}:{minutes[0]:02d}"
        return f"on the schedule {schedule!r}"
    seconds = int(schedule.run_every.total_seconds())
    return f"every {seconds // 60} minutes" if seconds % 60 == 0 else f"every {seconds} seconds"


def jobs() -> list[Job]:
    """Every periodic job, in the schedule's order (reminders before the digests that include them)."""
    found = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        schedule = entry["schedule"]
        if isinstance(schedule, int | float | timedelta):
            schedule = every(schedule if isinstance(schedule, timedelta) else timedelta(seconds=schedule))
        found.append(Job(name=name, task=entry["task"], schedule=schedule))
    return found


def jobs_named(names: Iterable[str]) -> list[Job]:
    """The jobs called `names` (each by its schedule name or its task's name); all when `names` is empty.
    Raises KeyError naming the first unknown one."""
    every_job = jobs()
    names = list(names)
    if not names:
        return every_job
    chosen = []
    for name in names:
        job = next((j for j in every_job if name in (j.name, j.task)), None)
        if job is None:
            raise KeyError(name)
        chosen.append(job)
    return chosen


def run(job: Job):
    """Runs the job now, in this process, and returns what its task returned (exceptions propagate)."""
    return task_named(job.task).apply(throw=True).result


class Scheduler:
    """Runs jobs when their schedule says, remembering in `state_path` when each last ran."""

    def __init__(
        self,
        jobs: list[Job],
        state_path: Path | str | None = None,
        report: Callable[[str], None] = log.info,
    ):
        self.jobs = jobs
        self.state_path = Path(state_path or settings.PERIODIC_STATE_FILE)
        self.report = report

    def last_runs(self) -> dict[str, datetime]:
        try:
            raw = json.loads(self.state_path.read_text())
        except (OSError, ValueError):
            return {}
        runs = {}
        for name, value in raw.items() if isinstance(raw, dict) else ():
            try:
                runs[name] = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                continue
        return runs

    def record(self, job: Job, at: datetime | None = None) -> None:
        """Notes that `job` ran at `at` (now by default): a job run by hand counts as its run."""
        self._remember(job.name, at or timezone.now())

    def _remember(self, name: str, at: datetime) -> None:
        runs = {key: value.isoformat() for key, value in self.last_runs().items()}
        runs[name] = at.isoformat()
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.state_path.parent, prefix=".periodic-")
        with os.fdopen(handle, "w") as out:
            json.dump(runs, out, indent=1, sort_keys=True)
        os.replace(temporary, self.state_path)

    def due(self, now: datetime | None = None) -> list[Job]:
        now = now or timezone.now()
        runs = self.last_runs()
        return [job for job in self.jobs if job.due(now, runs.get(job.name))]

    def run_due(self, now: datetime | None = None) -> dict[str, object]:
        """One pass: runs every job that is due at `now`, in order, and records it. A job that fails is
        reported and tried again on the next pass; the others still run."""
        now = now or timezone.now()
        outcomes = {}
        for job in self.due(now):
            try:
                outcomes[job.name] = result = run(job)
            except Exception as error:  # one job's failure must not stop the others, nor the scheduler
                log.exception("Periodic job %s failed", job.name)
                self.report(
                    f"{job.name}: failed ({error.__class__.__name__}: {error}); tried again next time"
                )
                continue
            self._remember(job.name, now)
            self.report(f"{job.name}: done ({job.task} returned {result!r})")
        return outcomes

    def seconds_to_next_minute(self, now: datetime | None = None) -> float:
        now = now or timezone.now()
        return 60 - now.second - now.microsecond / 1_000_000

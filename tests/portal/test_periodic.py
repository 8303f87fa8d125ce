"""The periodic jobs on the embedded default: `manage.py run_periodic` lists them, runs any of them by hand,
and, as `make run` starts it, runs them on their schedule, beginning with a first pass that sends a due
reminder at once."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command

from reviews.models import Notification, Review, State
from scr_portal import periodic
from scr_portal.settings import BASE_DIR
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Wednesday 10 March 2027, 09:00 in London: the machine was off at 06:30, when the daily jobs run.
FIXED = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def state_file(settings, tmp_path):
    settings.PERIODIC_STATE_FILE = tmp_path / "periodic-runs.json"
    return settings.PERIODIC_STATE_FILE


@pytest.fixture
def at_fixed_time():
    with mock.patch("django.utils.timezone.now", return_value=FIXED):
        yield FIXED


@pytest.fixture
def overdue(world: World) -> Review:
    """North's review, whose decision was due two days before the fixed date."""
    Review.objects.filter(pk=world.north_review.pk).update(
        state=State.DECISION, due_on=date(2027, 3, 8), due_kind="decision"
    )
    return world.north_review


def _reminder_emails(world: World) -> list:
    return [m for m in mail.outbox if "deadline passed" in m.subject.lower() or "deadline passed" in m.body]


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_periodic", *args, stdout=out, stderr=out)
    return out.getvalue()


# Listing and running by hand


def test_list_names_every_job_of_the_beat_schedule_and_when_it_runs():
    listed = run("--list")

    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        line = next(line for line in listed.splitlines() if line.startswith(name + " "))
        assert entry["task"] in line
    assert re.search(r"deadline-reminders\s+daily at 06:30", listed)
    assert re.search(r"emails-catch-up\s+every 5 minutes", listed)


def test_an_unknown_job_is_refused_with_the_list_of_jobs():
    with pytest.raises(CommandError, match=r"no periodic job called 'reminders'.*deadline-reminders"):
        run("--once", "reminders")


def test_once_runs_the_named_job_now_and_only_that_one(
    world, overdue, at_fixed_time, state_file, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(periodic, "run", wraps=periodic.run) as ran,
        django_capture_on_commit_callbacks(execute=True),
    ):
        output = run("--once", "deadline-reminders")

    assert [call.args[0].name for call in ran.call_args_list] == ["deadline-reminders"]
    assert "deadline-reminders: done" in output
    assert Notification.objects.filter(review=overdue, kind=Notification.Kind.DEADLINE_PASSED).exists()
    assert {m.to[0] for m in mail.outbox} >= {world.north_manager.email, world.north_chair.email}
    assert json.loads(state_file.read_text()) == {"deadline-reminders": FIXED.isoformat()}


def test_once_by_task_name_works_too(world, overdue, at_fixed_time):
    run("--once", "reviews.send_deadline_reminders")

    assert Notification.objects.filter(review=overdue, kind=Notification.Kind.DEADLINE_PASSED).exists()


def test_once_without_a_name_runs_every_job(world, at_fixed_time):
    with mock.patch.object(periodic, "run", return_value=0) as ran:
        run("--once")

    assert [call.args[0].name for call in ran.call_args_list] == list(settings.CELERY_BEAT_SCHEDULE)


def test_once_reports_a_failed_job_and_still_runs_the_others(world, at_fixed_time):
    def fail_one(job):
        if job.name == "input-reminders":
            raise RuntimeError("mail server away")
        return 0

    with (
        mock.patch.object(periodic, "run", side_effect=fail_one) as ran,
        pytest.raises(CommandError, match="1 job failed: input-reminders"),
    ):
        run("--once")

    assert len(ran.call_args_list) == len(settings.CELERY_BEAT_SCHEDULE)


# The embedded scheduler


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_s_first_pass_sends_a_due_reminder(world, overdue, at_fixed_time):
    """What `make run` starts: its first pass, at once, sends the reminder of a deadline that has passed.
    Each job's work commits as it would in the scheduler's process, so the reminder goes out by itself
    (immediately, not in the digest that follows)."""
    with mock.patch("time.sleep", side_effect=KeyboardInterrupt) as slept:
        output = run()

    assert slept.call_count == 1  # the reminder went before the scheduler first waited

    reminders = Notification.objects.filter(review=overdue, kind=Notification.Kind.DEADLINE_PASSED)
    assert {n.recipient for n in reminders} >= {world.north_manager, world.north_chair}
    assert world.north_manager.email in {m.to[0] for m in mail.outbox}
    assert any("deadline passed" in m.subject for m in mail.outbox), [m.subject for m in mail.outbox]
    assert "deadline-reminders: done" in output
    assert "Periodic jobs stopped." in output


def test_a_restart_runs_no_daily_job_again_the_same_day(
    world, overdue, at_fixed_time, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        periodic.Scheduler(periodic.jobs()).run_due(FIXED)
    sent = len(mail.outbox)
    assert sent

    daily = {
        "deadline-reminders",
        "summary-reminders",
        "input-reminders",
        "information-reminders",
        "practitioner-reminders",
        "accuracy-reminders",
        "action-reminders",
        "daily-digests",
    }
    for later in (FIXED + timedelta(minutes=2), FIXED + timedelta(hours=8)):
        restarted = periodic.Scheduler(periodic.jobs())  # a new process reads when each job last ran
        assert not daily & {job.name for job in restarted.due(later)}
    with django_capture_on_commit_callbacks(execute=True):
        periodic.Scheduler(periodic.jobs()).run_due(FIXED + timedelta(minutes=2))
    assert len(mail.outbox) == sent


def test_each_job_runs_when_its_schedule_says():
    scheduler = periodic.Scheduler(periodic.jobs())
    ran_at = datetime(2027, 3, 9, 7, 5, tzinfo=UTC)  # yesterday, after every daily job
    for job in scheduler.jobs:
        scheduler.record(job, ran_at)

    def due_at(hour: int, minute: int) -> set[str]:
        return {job.name for job in scheduler.due(datetime(2027, 3, 10, hour, minute, tzinfo=UTC))}

    sweeps = {"documents-requeue", "records-requeue", "emails-catch-up", "files-sweep"}
    assert due_at(6, 19) == sweeps  # missed 5-minute marks since yesterday; no daily job yet
    assert due_at(6, 29) == sweeps | {"notifications-resolve"}  # daily at 06:20
    assert due_at(6, 30) == sweeps | {"deadline-reminders", "notifications-resolve"}
    assert due_at(7, 0) == sweeps | {
        "deadline-reminders",
        "notifications-resolve",
        "summary-reminders",
        "input-reminders",
        "information-reminders",
        "practitioner-reminders",
        "accuracy-reminders",
        "action-reminders",
        "daily-digests",
    }


def test_a_job_not_run_for_weeks_is_due():
    job = next(j for j in periodic.jobs() if j.name == "daily-digests")

    assert job.due(FIXED, FIXED - timedelta(days=30))
    assert job.due(FIXED, None)
    assert not job.due(FIXED, FIXED - timedelta(minutes=1))


def test_a_failing_job_is_tried_again_next_pass_and_does_not_stop_the_others(world, at_fixed_time):
    jobs = [
        periodic.Job(name="broken", task="no.such_task", schedule=periodic.jobs()[0].schedule),
        *periodic.jobs_named(["emails-catch-up"]),
    ]
    scheduler = periodic.Scheduler(jobs, report=lambda line: None)

    outcomes = scheduler.run_due(FIXED)

    assert list(outcomes) == ["emails-catch-up"]
    assert [job.name for job in scheduler.due(FIXED + timedelta(minutes=1))] == ["broken"]


def test_make_run_starts_the_scheduler_beside_the_server():
    makefile = (BASE_DIR / "Makefile").read_text()
    recipe = re.search(r"^run: .*?\n((?:\t.*\n)+)", makefile, re.M).group(1).replace("\\\n", " ")
    serving = next(line for line in recipe.splitlines() if "runserver" in line)

    assert re.search(r"manage\.py run_periodic\s*&", serving), serving  # in the background, same command
    assert "trap" in serving and "kill" in serving  # and stopped with the server

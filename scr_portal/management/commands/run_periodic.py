"""Runs the periodic jobs (reminders, deadline notices, sweeps) without Celery beat: by hand, or as the
embedded default's scheduler (`make run` starts one beside the web server). See scr_portal/periodic.py."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from scr_portal import periodic


class Command(BaseCommand):
    help = (
        "Runs the periodic jobs (reminders, deadline notices, sweeps). With --once, runs the named jobs (or "
        "all) now and exits; without it, keeps running them on their schedule, starting with any that are "
        "due. --list shows the jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "names", nargs="*", metavar="NAME", help="Jobs to run, by name (see --list); all when none."
        )
        parser.add_argument("--once", action="store_true", help="Run the jobs now, once, and exit.")
        parser.add_argument(
            "--list", action="store_true", dest="show_list", help="List the jobs and when they run."
        )

    def handle(self, *args, names: list[str], once: bool, show_list: bool, **options):
        try:
            chosen = periodic.jobs_named(names)
        except KeyError as error:
            known = ", ".join(job.name for job in periodic.jobs())
            raise CommandError(
                f"There is no periodic job called {error.args[0]!r}. The jobs are: {known}."
            ) from None
        if show_list:
            self._list(chosen)
        elif once:
            self._once(chosen)
        else:
            self._schedule(chosen)

    def _list(self, chosen: list[periodic.Job]) -> None:
        scheduler = periodic.Scheduler(periodic.jobs())
        runs = scheduler.last_runs()
        width = max(len(job.name) for job in chosen)
        for job in chosen:
            last = runs.get(job.name)
            when = f"last run {last:%Y-%m-%d %H:%M %Z}" if last else "not run here yet"
            self.stdout.write(f"{job.name:<{width}}  {job.describe()}  ({job.task}; {when})")

    def _once(self, chosen: list[periodic.Job]) -> None:
        scheduler = periodic.Scheduler(chosen, report=self.stdout.write)
        failed = []
        for job in chosen:
            try:
                result = periodic.run(job)
            except Exception as error:  # noqa: BLE001 (one failed job must not stop the others)
                failed.append(job.name)
                self.stderr.write(f"{job.name}: failed ({error.__class__.__name__}: {error})")
                continue
            scheduler.record(job)
            self.stdout.write(f"{job.name}: done ({job.task} returned {result!r})")
        if failed:
            raise CommandError(
                f"{len(failed)} job{'s' if len(failed) != 1 else ''} failed: {', '.join(failed)}."
            )

    def _schedule(self, chosen: list[periodic.Job]) -> None:
        scheduler = periodic.Scheduler(chosen, report=self.stdout.write)
        self.stdout.write(
            f"Running {len(chosen)} periodic job{'s' if len(chosen) != 1 else ''} on their schedule "
            "(first any that are due). Stop with Ctrl-C."
        )
        try:
            while True:
                scheduler.run_due()
                time.sleep(scheduler.seconds_to_next_minute())
        except KeyboardInterrupt:
            self.stdout.write("Periodic jobs stopped.")

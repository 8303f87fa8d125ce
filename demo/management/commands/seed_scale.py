"""Builds the national-scale synthetic dataset (see demo.scale) in an empty, migrated database."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.scale import NATIONAL, PASSWORD, Builder


class Command(BaseCommand):
    help = (
        "Fills an empty database with a national-scale synthetic dataset, in bulk: 150 boards, 2,000 people, "
        "6,000 reviews over every state, 120,000 actions, 300,000 progress updates, 250,000 comments on terms "
        "of reference and 30,000 findings, with notifications, 1,000,000 rows of the review access log and the "
        "history rows of everything. --size scales every count (0.02 for a quick one)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", type=float, default=1.0, help="Fraction of the national figures to build (default 1.0)."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed: the same seed, the same data."
        )

    def handle(self, *args, size: float, seed: int, **options):
        if not 0 < size <= 2:
            raise CommandError("--size must be more than 0 and at most 2.")
        national = ", ".join(f"{n:,} {what}" for what, n in NATIONAL.items())
        self.stdout.write(f"Building the scale dataset at size {size:g} (1 = {national})")
        started = time.perf_counter()
        try:
            made = Builder(size, seed=seed, log=self.stdout.write).build()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if connection.vendor == "postgresql":
            # Fresh statistics, so the planner sees the tables as they now are (autovacuum would, later).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write("Made:")
        for what, n in sorted(made.counts.items()):
            self.stdout.write(f"  {n:>9,}  {what}")
        self.stdout.write(
            f"History: {made.history:,} rows (versions of objects) and {made.history_links:,} many-to-many rows "
            "with them"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Scale dataset ready in {elapsed:.0f} s. Everyone signs in with the password {PASSWORD!r}; "
                "board 001 is the largest (manager@board-001.example, chair@board-001.example)."
            )
        )

#!/usr/bin/env python
"""Benchmark: how long a ~100-page board pack takes to make, against WeasyPrint alone on the same HTML.

Run it on the embedded default (nothing to start):

    .venv/bin/python scripts/bench_documents.py            # 3 interleaved runs of each
    .venv/bin/python scripts/bench_documents.py --runs 5 --profile

It builds a throwaway SQLite database in a temporary directory (migrations, the demo data, then one review
with enough findings, actions, engagement activities and learning to fill about 100 pages), prepares the
board pack's HTML once, then times, interleaved and on the same HTML:

  ours      `documents.services.document_render` on a fresh queued document: lock and mark it rendering, render with
            our fetcher (`render.pdf_from_html`), hash, store the file, record it ready, the timeline entry
            and the notification: everything a worker does for one document.
  baseline  `weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher())
            .write_pdf(pdf_tags=True)`: the render alone.

It prints each run, the medians, the page count and our overhead (ours / baseline - 1), and exits 1 when
the overhead is over the limit (20 % unless --max-overhead says otherwise). Timings on a shared machine
drift from run to run; the ratio of two things measured interleaved in the same run holds much better."""

from __future__ import annotations

import argparse
import gc
import hashlib
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_PAGES = 100
PARAGRAPH = (
    "Agencies each held part of the picture: the health visitor knew the appointments were missed, the "
    "school knew the child was often late and hungry, and the police knew of the partner's history. No "
    "one brought these together, and each agency's own threshold was never reached on its own evidence. "
    "Practitioners said they were unsure what they could share without the parents' consent, and "
    "supervision focused on case throughput rather than on what the child's day was like."
)


def _configure(workdir: Path) -> None:
    """The embedded default, but in a throwaway directory: SQLite, tasks in-process, email kept in memory.
    DEBUG stays off (it would keep every SQL query in memory)."""
    os.environ.pop("REDIS_URL", None)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["EMAIL_URL"] = "memorymail://"
    # Static files as `make run` serves them (DEBUG=1 there): found in the repository, no collectstatic.
    os.environ["STATIC_MANIFEST"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "scr_portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # WeasyPrint logs every page of every layout pass at INFO; quiet it for both sides alike.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("documents").setLevel(logging.ERROR)
    logging.getLogger("celery").setLevel(logging.WARNING)  # the in-process notification email task


def _build_database() -> None:
    from django.core.management import call_command

    from reviews import notifications

    call_command("migrate", verbosity=0)
    with notifications.muted():
        call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed at exit


def _review():
    from reviews.models import Review

    # A published review: findings with the board's positions, agreed actions, a signed response.
    return Review.objects.select_related("lead_board").get(reference="NSCB-2024-03")


def _manager(review):
    from reviews.models import Membership, Role

    return Membership.objects.filter(board=review.lead_board, role=Role.BUSINESS_MANAGER).first().user


def _grow(review, units: int) -> None:
    """Adds `units` findings to `review`, each with its position, an action, an engagement activity, and
    (one for every four findings) an item of learning the board already holds on the same themes."""
    from responses import models

    themes = list(models.Theme.objects.order_by("name"))
    meeting = models.Meeting.objects.filter(review=review).order_by("held_on").first()
    priorities = list(models.PlanPriority.objects.filter(period__board=review.lead_board).order_by("number"))
    first_action = models.Action.objects.filter(review=review).order_by("number").first()
    manager = _manager(review)
    audiences = models.EngagementActivity.Audience.values
    methods = models.EngagementActivity.Method.values
    start_finding = (review.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    start_action = (review.actions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    for i in range(units):
        number = start_finding + i
        finding = models.Finding.objects.create(
            review=review,
            number=number,
            title=f"Finding {number}: agencies did not put what they knew together",
            text=f"{PARAGRAPH}\n\n{PARAGRAPH[:300]} (finding {number})",
            position=("accepted", "accepted_in_part", "accepted")[i % 3],
            position_reason="The board agrees with the finding and with the report's analysis of why it happened.",
            position_meeting=meeting,
        )
        finding.themes.set([themes[i % len(themes)], themes[(i + 5) % len(themes)]])
        action = models.Action.objects.create(
            review=review,
            number=start_action + i,
            description=(
                f"Action for finding {number}: bring agencies' information together at every strategy "
                "discussion and audit, in six months, whether it happened."
            ),
            kind=first_action.kind,
            function=first_action.function,
            level=first_action.level,
            owner_agency=first_action.owner_agency,
            owner=first_action.owner,
            priority=1 + i % 3,
            priority_reason="Agreed at the extraordinary meeting, weighed against the business plan.",
            plan_priority=priorities[i % len(priorities)] if priorities else None,
            due_on=date(2026, 6, 1) + timedelta(days=i),
            created_by=manager,
        )
        action.findings.set([finding])
        models.EngagementActivity.objects.create(
            review=review,
            audience=audiences[i % len(audiences)],
            description=f"Seven-minute briefing on finding {number} for the teams it concerns",
            method=methods[i % len(methods)],
            planned_on=date(2026, 4, 1) + timedelta(days=i),
        )
        if i % 4 == 0:
            item = models.LearningItem.objects.create(
                board=review.lead_board,
                title=f"Audit {number}: what agencies knew was not brought together",
                source=models.LearningItem.Source.AUDIT,
                summary=PARAGRAPH[:240],
                learned_on=date(2025, 1, 1) + timedelta(days=i),
                created_by=manager,
            )
            item.themes.set([themes[i % len(themes)]])


def _counts(review) -> str:
    from responses.models import LearningItem

    return (
        f"{review.findings.count()} findings, {review.actions.count()} actions, "
        f"{review.engagement_activities.count()} engagement activities, "
        f"{LearningItem.objects.filter(board=review.lead_board).count()} learning items"
    )


def _fresh_document(prepared, review, run: int):
    """A queued document holding the prepared HTML, as `document_request` leaves it for the worker (each run
    its own data version, so that `make` renders rather than finding it ready)."""
    from documents.models import Document

    return Document.objects.create(
        review=review,
        kind=prepared.kind,
        data_version=hashlib.sha256(f"{prepared.data_version}:{run}".encode()).hexdigest(),
        label=prepared.label,
        html=prepared.html,
        requested_by=_manager(review),
    )


def _ours(prepared, review, run: int) -> tuple[float, float, int]:
    """Seconds for `services.document_render`, the seconds of those spent in `render.pdf_from_html` (WeasyPrint with our
    fetcher), and the page count."""
    from documents import render, services
    from documents.models import Document

    document = _fresh_document(prepared, review, run)
    inside = []
    pdf_from_html = render.pdf_from_html

    def timed(html):
        started = time.perf_counter()
        try:
            return pdf_from_html(html)
        finally:
            inside.append(time.perf_counter() - started)

    gc.collect()
    render.pdf_from_html = timed
    try:
        started = time.perf_counter()
        outcome = services.document_render(document.pk)
        elapsed = time.perf_counter() - started
    finally:
        render.pdf_from_html = pdf_from_html
    document = Document.objects.get(pk=document.pk)
    if outcome != "made" or document.status != Document.Status.READY:
        raise SystemExit(f"services.document_render did not make the document: {outcome}, {document.status}")
    with document.file.open("rb") as handle:
        if hashlib.sha256(handle.read()).hexdigest() != document.sha256:
            raise SystemExit("the stored file does not match its SHA-256")
    return elapsed, elapsed - sum(inside), document.pages


def _baseline(html: str) -> tuple[float, int]:
    from weasyprint import HTML

    from documents.fetcher import BASE_URL, StaticOnlyFetcher

    gc.collect()
    started = time.perf_counter()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)
    elapsed = time.perf_counter() - started
    return elapsed, _page_count(pdf)


def _page_count(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _profile(prepared, review) -> None:
    import cProfile
    import pstats

    from documents import services

    document = _fresh_document(prepared, review, 10_000)
    profiler = cProfile.Profile()
    profiler.runcall(services.document_render, document.pk)
    print("\nProfile of one services.document_render (top 25 by cumulative time):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (interleaved); default 3")
    parser.add_argument("--units", type=int, default=0, help="findings to add (default: sized to ~100 pages)")
    parser.add_argument("--max-overhead", type=float, default=20.0, help="limit in per cent; default 20")
    parser.add_argument("--profile", action="store_true", help="also profile one services.document_render")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and files")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="scr-bench-documents-"))
    try:
        return _run(args, workdir)
    finally:
        if args.keep:
            print(f"\nKept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(args, workdir: Path) -> int:
    clock = time.perf_counter()
    _configure(workdir)
    import weasyprint
    from django.db import connection

    from documents import render

    print("Board pack benchmark: services.document_render against WeasyPrint alone, on the same HTML")
    print(
        f"  embedded default: {connection.vendor} in {workdir}, tasks in-process; "
        f"WeasyPrint {weasyprint.__version__}, Python {sys.version.split()[0]}"
    )
    _build_database()
    review = _review()

    # Size the pack: a first render (also the warm-up, not timed) tells the pages per finding.
    units = args.units or 60
    _grow(review, units)
    prepared = render.prepare("board_pack", review)
    pages = render.pdf_from_html(prepared.html).pages
    if not args.units and abs(pages - TARGET_PAGES) > 5:
        per_unit = pages / (review.findings.count())
        more = round((TARGET_PAGES - pages) / per_unit)
        if more > 0:
            _grow(review, more)
            prepared = render.prepare("board_pack", review)
            pages = render.pdf_from_html(prepared.html).pages
    print(
        f"  data: review {review.reference} with {_counts(review)} (set up in {time.perf_counter() - clock:.0f} s)"
    )

    timings = []
    for _ in range(max(args.runs, 1)):
        started = time.perf_counter()
        prepared = render.prepare("board_pack", review)
        timings.append(time.perf_counter() - started)
    print(
        f"  HTML: {len(prepared.html.encode()) / 1024:.0f} KB; making it from the data (render.prepare, on the "
        f"request path, not timed below) takes {statistics.median(timings):.2f} s"
    )

    ours, around, base = [], [], []
    ours_pages = base_pages = 0
    for run in range(max(args.runs, 1)):
        # Interleaved, alternating which goes first, so drift in the machine's speed hits both alike.
        order = ("ours", "baseline") if run % 2 == 0 else ("baseline", "ours")
        for which in order:
            if which == "ours":
                seconds, outside, ours_pages = _ours(prepared, review, run)
                ours.append(seconds)
                around.append(outside)
            else:
                seconds, base_pages = _baseline(prepared.html)
                base.append(seconds)

    ours_median, base_median = statistics.median(ours), statistics.median(base)
    overhead = (ours_median / base_median - 1) * 100
    width = 28
    print()
    print(f"{'':{width}}" + "".join(f"{f'run {n}':>9}" for n in range(1, len(ours) + 1)) + f"{'median':>10}")
    print(
        f"{'ours (services.document_render)':{width}}"
        + "".join(f"{s:8.2f}s" for s in ours)
        + f"{ours_median:9.2f}s"
    )
    print(f"{'WeasyPrint alone':{width}}" + "".join(f"{s:8.2f}s" for s in base) + f"{base_median:9.2f}s")
    print()
    print(f"Pages: {ours_pages} (ours), {base_pages} (WeasyPrint alone)")
    print(f"Render time of the {ours_pages}-page board pack: {ours_median:.2f} s (median of {len(ours)})")
    print(f"WeasyPrint alone on the same HTML:           {base_median:.2f} s (median of {len(base)})")
    print(
        f"  of ours, outside WeasyPrint (lock, hash, store, record, notify): {statistics.median(around):.3f} s "
        f"(median), {statistics.median(around) / ours_median * 100:.1f} % of our time"
    )
    verdict = "OK" if overhead <= args.max_overhead else "OVER THE LIMIT"
    print(f"Our overhead: {overhead:+.1f} % (limit {args.max_overhead:.0f} %): {verdict}")

    if args.profile or overhead > args.max_overhead:
        _profile(prepared, review)
    if ours_pages != base_pages:
        print("The two PDFs have different page counts: the comparison is not like for like.")
        return 1
    return 0 if overhead <= args.max_overhead else 1


if __name__ == "__main__":
    sys.exit(main())

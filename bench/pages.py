"""Page benchmark (issue 8): how fast the key pages answer under gunicorn and PostgreSQL holding the
national-scale dataset, against a baseline page measured in the same run, and what a 100-page board pack
costs to render.

Run it from the repository against a database filled by `manage.py seed_scale`:

    DATABASE_URL=postgres://… .venv/bin/python -m bench.pages
    DATABASE_URL=postgres://… .venv/bin/python -m bench.pages --rounds 10 --skip-pack --json pages.json

What it does:

1. Finds its targets with the ORM and prints them: the largest board (most led reviews), its business
   manager and chair; of that board's reviews, the one with the most actions (action plan), the terms of
   reference version with the most comments (comments page), the one with the longest timeline (review
   page), and the stage most of them are at (review list filtered by board and stage).
2. Counts the SQL queries of each page in this process (Django's test client signed in as the person, one
   warm-up request, then one counted).
3. Starts gunicorn (bench/server.py: production settings, DEBUG off) and signs in as both people through the
   real sign-in form. Each round requests every (person, page) pair once, in a fresh random order, and
   with them each person's baseline, /help/: a signed-in page that renders the layout and reads no data of
   its own. Each time is a full GET with the body read, from the client's side. A few warm-up rounds are
   not counted. Any answer but 200 (a redirect included) is an error.
4. Unless --skip-pack: prepares the board pack of the review with the most findings and actions as the
   request path does (`documents.render.prepare`), then renders the PDF (`documents.render.pdf_from_html`,
   what the worker runs) in a fresh child process, so that the peak memory reported is the render's own.

Reading the output: for each person and page, the median and 95th percentile in milliseconds, each divided
by the same person's baseline figure from the same run (so the machine's speed and its drift cancel out),
and the page's query count. A page passes when its median is within 3x the baseline's median and its p95
within 5x the baseline's p95. The board pack line gives its pages, the render time and the worker's peak
resident memory, which must stay under 500 MB. Exit status 1 when any page fails, any request errs or the
pack is over the memory limit; 0 otherwise."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench.server import PASSWORD, Server, gunicorn_config, server_env

MEDIAN_LIMIT = 3.0  # a page's median, as a multiple of the baseline's median
P95_LIMIT = 5.0  # a page's 95th percentile, as a multiple of the baseline's
PACK_MEMORY_LIMIT_MB = 500
PACK_TARGET_PAGES = 100
BASELINE = "baseline"


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    rule: str | None = None  # the permission (reviews.access) the page needs, beyond signing in
    obj: object = None  # what the rule is tested on


@dataclass
class Person:
    role: str  # "manager" or "chair"
    user: object
    pages: list[Page]


@dataclass
class Row:
    """One (person, page) pair: its timings in seconds, its errors and its query count."""

    person: str
    page: Page
    times: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)  # status code -> how many
    queries: int | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def p95(self) -> float | None:
        if len(self.times) < 2:
            return self.median
        return statistics.quantiles(self.times, n=20, method="inclusive")[18]


@dataclass(frozen=True)
class Targets:
    board: object
    manager: object
    chair: object
    pages: list[Page]
    baseline: Page
    pack_review: object | None
    notes: list[str]  # what was found, to print
    missing: list[str]  # key pages with nothing on this board to show


# Setting up and finding the targets ------------------------------------------------------------------


def setup_django() -> None:
    """Django as the server runs it (bench.server.server_env: DEBUG off, the same database)."""
    os.environ.update(server_env())
    import django

    django.setup()


def _counted(model, field_name: str):
    """A subquery: how many `model` rows point at the outer row through `field_name` (0 when none)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = model.objects.filter(**{field_name: OuterRef("pk")}).order_by()
    return Coalesce(Subquery(rows.values(field_name).annotate(n=Count("pk")).values("n")), 0)


def _member(board, role):
    from reviews.models import Membership

    membership = (
        Membership.objects.active()
        .filter(board=board, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def find_targets() -> Targets:
    from django.db.models import Count, F
    from django.urls import reverse

    from commissioning.models import ToRComment, ToRVersion
    from responses.models import Action, Finding
    from reviews.models import Board, Membership, Review, Role, TimelineEntry

    board = Board.objects.annotate(n=_counted(Review, "lead_board")).order_by("-n", "name").first()
    if board is None:
        raise SystemExit("The database has no boards: fill it with `manage.py seed_scale` first.")
    led = Review.objects.filter(lead_board=board)
    manager = _member(board, Role.BUSINESS_MANAGER)
    chair = board.independent_chair
    if (
        chair is None
        or not Membership.objects.active().filter(board=board, role=Role.CHAIR, user=chair).exists()
    ):
        chair = _member(board, Role.CHAIR)
    if manager is None or chair is None:
        raise SystemExit(f"{board} has no active business manager or chair.")
    notes = [
        f"board: {board.name}, {board.n} led reviews",
        f"business manager: {manager.email} ({manager.notifications.count()} notifications)",
        f"chair: {chair.email} ({chair.notifications.count()} notifications)",
    ]

    pages = [Page("home", reverse("home"))]
    busiest = led.values("state").order_by().annotate(n=Count("pk")).order_by("-n", "state").first()
    query = urlencode({"board": board.pk, "state": busiest["state"]})
    pages.append(Page("review list", f"{reverse('review_list')}?{query}"))
    notes.append(f"review list: filtered by board and stage {busiest['state']!r}: {busiest['n']} reviews")

    timeline = led.annotate(n=_counted(TimelineEntry, "review")).order_by("-n", "pk").first()
    if timeline is not None:
        pages.append(
            Page("review page", reverse("review_detail", args=[timeline.pk]), "view_review", timeline)
        )
        notes.append(f"review page: {timeline.reference}, {timeline.n} timeline entries")

    version = (
        ToRVersion.objects.filter(review__lead_board=board)
        .annotate(n=_counted(ToRComment, "section__version"))
        .select_related("review")
        .order_by("-n", "pk")
        .first()
    )
    if version is not None:
        path = reverse("tor_comments", args=[version.review_id, version.number])
        pages.append(Page("ToR comments", path, "view_commissioning", version.review))
        notes.append(
            f"ToR comments: {version.review.reference} version {version.number} ({version.status}), "
            f"{version.n} comments"
        )

    plan = led.annotate(n=_counted(Action, "review")).order_by("-n", "pk").first()
    if plan is not None and plan.n:
        pages.append(Page("action plan", reverse("action_plan", args=[plan.pk]), "view_response", plan))
        notes.append(f"action plan: {plan.reference}, {plan.n} actions")

    board_actions = Action.objects.filter(review__lead_board=board).count()
    pages.append(
        Page("board action plan", reverse("board_action_plan", args=[board.pk]), "view_action_plan", board)
    )
    notes.append(f"board action plan: {board_actions} actions on the board's own reviews")
    pages.append(Page("notifications", reverse("notification_list")))

    pack_review = (
        Review.objects.annotate(
            finding_count=_counted(Finding, "review"), action_count=_counted(Action, "review")
        )
        .order_by(-(F("finding_count") + F("action_count")), "pk")
        .first()
    )
    if pack_review is not None and pack_review.finding_count + pack_review.action_count:
        notes.append(
            f"board pack: {pack_review.reference} ({pack_review.lead_board.name}), "
            f"{pack_review.finding_count} findings, {pack_review.action_count} actions"
        )
    else:
        pack_review = None
    missing = sorted({"review page", "ToR comments", "action plan"} - {page.name for page in pages})
    baseline = Page(BASELINE, reverse("help"))
    return Targets(board, manager, chair, pages, baseline, pack_review, notes, missing)


def people(targets: Targets) -> list[Person]:
    """The manager with every page; the chair with the pages the permission rules let a chair see."""
    from reviews.access import can

    result = []
    for role, user in (("manager", targets.manager), ("chair", targets.chair)):
        pages = [page for page in targets.pages if page.rule is None or can(user, page.rule, page.obj)]
        result.append(Person(role, user, pages))
    return result


# Query counts (in this process) ---------------------------------------------------------------------


def count_queries(person: Person, pages: list[Page]) -> dict[str, tuple[int, int]]:
    """Each page's status and SQL query count for `person`, after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
    counts = {}
    for page in pages:
        client.get(page.path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path)
        counts[page.name] = (response.status_code, len(captured))
    return counts


# Timing (under gunicorn) ----------------------------------------------------------------------------


def measure(server: Server, cast: list[Person], baseline: Page, *, rounds: int, warmup: int, password: str):
    """Every (person, page) pair and each person's baseline, once a round in a fresh random order."""
    sessions = {person.role: server.session(person.user.email, password) for person in cast}
    rows = {
        (person.role, page.name): Row(person.role, page)
        for person in cast
        for page in [baseline, *person.pages]
    }
    slots = list(rows.values())
    for number in range(warmup + rounds):
        random.shuffle(slots)
        for row in slots:
            session = sessions[row.person]
            started = time.perf_counter()
            response = session.get(server.url(row.page.path), allow_redirects=False, timeout=120)
            elapsed = time.perf_counter() - started
            if number < warmup:
                continue
            if response.status_code == 200:
                row.times.append(elapsed)
            else:
                row.errors[response.status_code] = row.errors.get(response.status_code, 0) + 1
    return rows


# The board pack (in a child process) ----------------------------------------------------------------


def render_pdf(html: str) -> dict:
    """Runs in a fresh process, as a document worker would: Django loaded, then the PDF made from the HTML
    the request path prepared. Reports the render's time, its page count and the process's peak memory."""
    import io

    from pypdf import PdfReader

    setup_django()
    from documents import render

    loaded_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    rendered = render.pdf_from_html(html)
    seconds = time.perf_counter() - started
    return {
        "pages": len(PdfReader(io.BytesIO(rendered.pdf)).pages),
        "render_seconds": seconds,
        "pdf_bytes": len(rendered.pdf),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "django_loaded_mb": loaded_kib / 1024,
    }


def board_pack(review) -> dict:
    """The board pack of `review`: HTML prepared here (the request path), PDF rendered in a child process.
    Reads only: no document row, no file in the media store."""
    from documents import render

    started = time.perf_counter()
    prepared = render.prepare("board_pack", review)
    prepare_seconds = time.perf_counter() - started
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        result = pool.submit(render_pdf, prepared.html).result()
    return {
        "review": review.reference,
        "html_kb": len(prepared.html.encode()) / 1024,
        "prepare_seconds": prepare_seconds,
        **result,
    }


# Output -----------------------------------------------------------------------------------------------


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def _ratio(value: float | None, base: float | None) -> float | None:
    return None if value is None or not base else value / base


def _verdict(row: Row, median_ratio: float | None, p95_ratio: float | None) -> str:
    if row.errors or row.queries is None:
        return "ERROR"
    if median_ratio is None or p95_ratio is None:
        return "ERROR"
    return "PASS" if median_ratio <= MEDIAN_LIMIT and p95_ratio <= P95_LIMIT else "FAIL"


def report(rows: dict, cast: list[Person]) -> tuple[list[dict], bool]:
    """Prints the table; returns its figures and whether every page passed without errors."""
    header = ("person", "page", "median ms", "p95 ms", "median x", "p95 x", "queries", "result")
    lines, figures, ok = [], [], True
    for person in cast:
        base = rows[(person.role, BASELINE)]
        for page_name in [BASELINE, *(page.name for page in person.pages)]:
            row = rows[(person.role, page_name)]
            median_ratio, p95_ratio = _ratio(row.median, base.median), _ratio(row.p95, base.p95)
            if page_name == BASELINE:
                verdict = "ERROR" if row.errors or row.queries is None else "baseline"
            else:
                verdict = _verdict(row, median_ratio, p95_ratio)
            ok = ok and verdict in ("PASS", "baseline")
            if row.errors:
                verdict += " " + ", ".join(f"{n}x HTTP {status}" for status, n in sorted(row.errors.items()))
            lines.append(
                (
                    person.role,
                    page_name,
                    _ms(row.median),
                    _ms(row.p95),
                    "-" if median_ratio is None else f"{median_ratio:.2f}",
                    "-" if p95_ratio is None else f"{p95_ratio:.2f}",
                    "-" if row.queries is None else str(row.queries),
                    verdict,
                )
            )
            figures.append(
                {
                    "person": person.role,
                    "email": person.user.email,
                    "page": page_name,
                    "path": row.page.path,
                    "requests": len(row.times),
                    "median_ms": None if row.median is None else row.median * 1000,
                    "p95_ms": None if row.p95 is None else row.p95 * 1000,
                    "median_ratio": median_ratio,
                    "p95_ratio": p95_ratio,
                    "queries": row.queries,
                    "errors": {str(status): n for status, n in row.errors.items()},
                    "result": verdict,
                }
            )
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
    left = {0, 1, 7}
    for line in [header, *lines]:
        cells = [
            f"{cell:<{w}}" if i in left else f"{cell:>{w}}"
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    for person in cast:
        base = rows[(person.role, BASELINE)]
        print(
            f"baseline ({person.role}, {base.page.path}): median {_ms(base.median)} ms, p95 {_ms(base.p95)} ms"
        )
    print(f"limits: median within {MEDIAN_LIMIT:g}x the baseline's median, p95 within {P95_LIMIT:g}x its p95")
    return figures, ok


# Main -------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="measured rounds; default 50")
    parser.add_argument(
        "--warmup", type=int, default=3, help="rounds before measuring, not counted; default 3"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn workers; default gunicorn.conf.py's (production's)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--skip-pack", action="store_true", help="leave out the board pack")
    parser.add_argument("--password", default=PASSWORD, help=f"everyone's password; default {PASSWORD!r}")
    parser.add_argument("--allow-sqlite", action="store_true", help="run against SQLite all the same")
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")) and not args.allow_sqlite:
        raise SystemExit(
            "Set DATABASE_URL to the PostgreSQL database holding `manage.py seed_scale` "
            "(figures from SQLite say nothing about production; --allow-sqlite runs anyway)."
        )
    started = time.perf_counter()
    setup_django()
    from django.db import connection

    print(f"Page benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    targets = find_targets()
    for note in targets.notes:
        print(f"  {note}")
    cast = people(targets)
    for person in cast:
        hidden = [page.name for page in targets.pages if page not in person.pages]
        if hidden:
            print(f"  the {person.role} may not see: {', '.join(hidden)} (left out for them)")

    problems = [f"{name}: nothing on {targets.board} to show, not measured" for name in targets.missing]
    queries = {}
    for person in cast:
        for name, (status, count) in count_queries(person, [targets.baseline, *person.pages]).items():
            queries[(person.role, name)] = count if status == 200 else None
            if status != 200:
                problems.append(f"{person.role} {name}: HTTP {status} in-process")

    args.workers = args.workers or gunicorn_config()["workers"]
    print(
        f"\nTiming {args.rounds} rounds after {args.warmup} warm-up rounds, gunicorn with {args.workers} workers"
    )
    with Server(workers=args.workers) as server:
        rows = measure(
            server, cast, targets.baseline, rounds=args.rounds, warmup=args.warmup, password=args.password
        )
        server_errors = server.server_errors()
    for key, row in rows.items():
        row.queries = queries[key]
    print()
    figures, ok = report(rows, cast)
    problems += [f"gunicorn: {line}" for line in server_errors]

    pack = None
    if not args.skip_pack:
        if targets.pack_review is None:
            problems.append("board pack: no review has findings or actions")
        else:
            print()
            pack = board_pack(targets.pack_review)
            seconds = pack["prepare_seconds"] + pack["render_seconds"]
            print(
                f"board pack: {pack['pages']} pages, {seconds:.1f} s, peak {pack['peak_mb']:.0f} MB "
                f"(limit {PACK_MEMORY_LIMIT_MB} MB)"
            )
            print(
                f"  {pack['review']}: HTML ({pack['html_kb']:.0f} KB) prepared in {pack['prepare_seconds']:.2f} s "
                f"on the request path; PDF ({pack['pdf_bytes'] / 1024:.0f} KB) rendered in "
                f"{pack['render_seconds']:.1f} s in a fresh process, whose peak resident memory includes "
                f"{pack['django_loaded_mb']:.0f} MB for Python and Django loaded"
            )
            if abs(pack["pages"] - PACK_TARGET_PAGES) > PACK_TARGET_PAGES // 10:
                print(
                    f"  note: the issue asks about a {PACK_TARGET_PAGES}-page pack; this one has {pack['pages']}"
                )
            if pack["peak_mb"] >= PACK_MEMORY_LIMIT_MB:
                problems.append(f"board pack: peak memory {pack['peak_mb']:.0f} MB is over the limit")

    for problem in problems:
        print(f"PROBLEM {problem}")
    ok = ok and not problems
    print(f"\n{'PASS' if ok else 'FAIL'} (run took {time.perf_counter() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "database": connection.vendor,
                    "targets": targets.notes,
                    "rounds": args.rounds,
                    "warmup": args.warmup,
                    "workers": args.workers,
                    "limits": {
                        "median_ratio": MEDIAN_LIMIT,
                        "p95_ratio": P95_LIMIT,
                        "pack_mb": PACK_MEMORY_LIMIT_MB,
                    },
                    "pages": figures,
                    "board_pack": pack,
                    "problems": problems,
                    "passed": ok,
                },
                out,
                indent=2,
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

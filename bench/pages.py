"""Page benchmark (issues 8 and 17): how fast the key pages answer under gunicorn and PostgreSQL holding the
national-scale dataset, warm, cold and after a change, against a baseline page measured in the same run
and the same column; how long the largest board plan's exports take against their floors; and what a
100-page board pack costs against WeasyPrint alone.

Run it from the repository against a database filled by `manage.py seed_scale`:

    DATABASE_URL=postgres://… .venv/bin/python -m bench.pages
    DATABASE_URL=postgres://… .venv/bin/python -m bench.pages --rounds 5 --json pages.json

What it does:

1. Finds its targets with the ORM and prints them. The largest board (most led reviews), its business
   manager and chair, and of the board's people the one with the most notifications (a third person when
   neither of the first two). Of the board's reviews: the one with the most actions (its plan is the
   largest, and one of its actions is the one changed between rounds), the terms of reference version
   with the most comments, the review with the longest timeline, the review with the most history rows
   (as its history page reads them), the stage most of them are at (the filtered review list); of the
   board plan's actions: the owner, owner agency and RAG colour with the most of them (filtered board
   plans, with the overdue filter), and the action with the most progress updates (action page).
2. Counts each page's SQL queries in this process (Django's test client signed in as the person, as
   `assertNumQueries` counts them): after one request to load the process, cold (every cache cleared just
   before), warm (the same request again), and after a change (the first request after a status change).
3. Starts gunicorn (bench/server.py: production settings, DEBUG off) and signs everyone in through the real
   sign-in form. Every round has three passes, each requesting every (person, page) pair and each
   person's baseline (/help/: a signed-in page that renders the layout and reads no data of its own) once,
   in a fresh random order:
   - after a change: first a real status change on the board (bench/change.py: an action of the largest
     plan moved along a move of responses/actions/workflow.py, through the portal's service; the next
     round moves it back), then the pass, so each page is the first load of it since the change;
   - warm: as it comes, on the kept-alive connection;
   - cold: before every request every configured Django cache is cleared (`cache.clear()`; the project
     has no page caches now, CACHES is a DummyCache, so this is a no-op that keeps "cold" true if a
     shared cache comes back) and the request goes over a new HTTP connection. Cold does NOT mean a
     fresh gunicorn worker, a fresh database connection, or PostgreSQL's buffers and the OS's page cache
     emptied: those cannot be flushed cheaply between requests, and a busy portal has them warm anyway.
   A few warm-up rounds are not counted. Any answer but 200 (a redirect included) is an error. At the end
   the changed action is moved back to its status and checked.
4. Unless --skip-exports: the board plan's CSV over HTTP (time to last byte, against the baseline's warm
   median), the request that starts an XLSX export (when one answers POST), and the XLSX task against
   openpyxl's write-only floor on the same rows (bench/exports.py).
5. Unless --skip-pack: the board pack of about 100 pages against WeasyPrint alone on the same HTML, each
   in a fresh process, with the product render's peak memory (bench/pack.py).

Reading the output: for each person and page, per column, the median and 95th percentile in milliseconds,
each divided by the same person's baseline figure in the same column of the same run (so the machine's
speed and its drift cancel out), and a verdict: PASS when the median is within 3x the baseline's median
and the p95 within 5x its p95. The query count is one figure when cold, warm and after a change agree,
else each. The load average is printed at the start and the end. Exit status 1 when anything measured
fails its limit or errs; items not measured (e.g. an XLSX function not there yet) are listed, not failed."""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests

from bench import figures
from bench.server import PASSWORD, Server, gunicorn_config, setup_django

BASELINE = "baseline"
COLUMNS = ("warm", "cold", "after")
COLUMN_TITLES = {"warm": "warm", "cold": "cold", "after": "after a change"}
PASS_ORDER = ("after", "warm", "cold")  # within a round; "after" must follow the change at once


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    rule: str | None = None  # the permission (reviews.access) the page needs, beyond signing in
    obj: object = None  # what the rule is tested on


@dataclass
class Person:
    role: str  # "manager", "chair" or "notified"
    user: object
    pages: list[Page]


@dataclass
class Cell:
    """One (column, person, page): its timings in seconds and its errors."""

    column: str
    person: str
    page: Page
    times: list[float] = field(default_factory=list)
    errors: dict[int, int] = field(default_factory=dict)  # status code -> how many

    def record(self, status: int, seconds: float) -> None:
        if status == 200:
            self.times.append(seconds)
        else:
            self.errors[status] = self.errors.get(status, 0) + 1


@dataclass(frozen=True)
class Targets:
    board: object
    manager: object
    chair: object
    notified: object | None  # the board's person with the most notifications, when neither of the above
    pages: list[Page]
    baseline: Page
    plan_review: object | None  # the review with the most actions on the board
    action_page: object | None  # the action shown on the action page
    pack: tuple | None  # (review, actions, findings) of the review with the most findings and actions
    notes: list[str]  # what was found, to print
    missing: list[str]  # key pages with nothing on this board to show


# Finding the targets ----------------------------------------------------------------------------------


def _counted(model, field_name: str, *, leaving_out=None):
    """A subquery: how many `model` rows point at the outer row through `field_name` (0 when none), not
    counting those `leaving_out` (a Q) matches."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    rows = model.objects.filter(**{field_name: OuterRef("pk")}).order_by()
    if leaving_out is not None:
        rows = rows.exclude(leaving_out)
    return Coalesce(Subquery(rows.values(field_name).annotate(n=Count("pk")).values("n")), 0)


def _not_ours(text_field: str):
    """What the "after a change" steps of earlier runs wrote (bench.change.MARK in the text): left out when
    counting to pick targets, so that repeated runs on one database pick the same ones."""
    from django.db.models import Q

    from bench.change import MARK

    return Q(**{f"{text_field}__contains": MARK})


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


def _most(queryset, field_name: str):
    """The value of `field_name` most rows of `queryset` have (ties: the smallest value), and how many."""
    from django.db.models import Count

    top = queryset.values(field_name).order_by().annotate(n=Count("pk")).order_by("-n", field_name).first()
    return (top[field_name], top["n"]) if top else (None, 0)


def history_rows(review) -> int:
    """How many history rows the review's history page reads from (its sources, as the page has them)."""
    from reviews.selectors import review_history_sources

    return sum(rows.count() for rows, _ in review_history_sources(review))


def find_targets() -> Targets:
    from django.contrib.auth import get_user_model
    from django.db.models import Count, F
    from django.urls import reverse

    from commissioning.models import ToRComment, ToRVersion
    from responses.actions import selectors
    from responses.models import Action, ActionUpdate, Finding
    from reviews.models import Agency, Board, Membership, Notification, Review, Role, TimelineEntry

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
    people_of_board = get_user_model().objects.filter(
        pk__in=Membership.objects.active().filter(board=board).values("user_id")
    )
    most_notified = (
        people_of_board.annotate(n=_counted(Notification, "recipient", leaving_out=_not_ours("body")))
        .order_by("-n", "pk")
        .first()
    )
    notified = most_notified if most_notified.pk not in (manager.pk, chair.pk) else None
    notes = [
        f"board: {board.name}, {board.n} led reviews",
        f"business manager: {manager.email} ({manager.notifications.count()} notifications)",
        f"chair: {chair.email} ({chair.notifications.count()} notifications)",
        f"most notifications among the board's {people_of_board.count()} people: {most_notified.email} "
        f"({most_notified.n})" + (", measured as a third person" if notified else ", already in the cast"),
    ]

    pages = [Page("home", reverse("home"))]
    busiest = led.values("state").order_by().annotate(n=Count("pk")).order_by("-n", "state").first()
    query = urlencode({"board": board.pk, "state": busiest["state"]})
    pages.append(Page("review list", f"{reverse('review_list')}?{query}"))
    notes.append(f"review list: filtered by board and stage {busiest['state']!r}: {busiest['n']} reviews")

    timeline = (
        led.annotate(n=_counted(TimelineEntry, "review", leaving_out=_not_ours("body")))
        .order_by("-n", "pk")
        .first()
    )
    if timeline is not None:
        pages.append(
            Page("review page", reverse("review_detail", args=[timeline.pk]), "view_review", timeline)
        )
        notes.append(f"review page: {timeline.reference}, {timeline.n} timeline entries")

    history = max(led.order_by("pk"), key=history_rows, default=None)
    if history is not None:
        pages.append(
            Page(
                "review history", reverse("review_history", args=[history.pk]), "view_review_history", history
            )
        )
        notes.append(f"review history: {history.reference}, {history_rows(history)} history rows")

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
    else:
        plan = None

    # The board plan as its business manager sees it, and its filters with the most rows.
    scope = selectors.actions_of_board(manager, board)
    board_plan = reverse("board_action_plan", args=[board.pk])
    pages.append(Page("board action plan", board_plan, "view_action_plan", board))
    notes.append(f"board action plan: {scope.count()} actions")
    owner, owners = _most(scope, "owner_id")
    agency, agencies = _most(scope, "owner_agency_id")
    rag, rags = _most(selectors.with_rag(scope), "rag_value")
    overdue = selectors.apply_filters(scope, selectors.Filters(overdue=True), manager).count()
    for name, query, label, n in (
        (
            "board plan: owner",
            {"owner": owner},
            f"owner {get_user_model().objects.filter(pk=owner).first()}",
            owners,
        ),
        (
            "board plan: agency",
            {"owner_agency": agency},
            f"agency {Agency.objects.filter(pk=agency).first()}",
            agencies,
        ),
        ("board plan: RAG", {"rag": rag}, f"RAG {rag}", rags),
        ("board plan: overdue", {"overdue": "on"}, "overdue", overdue),
    ):
        if n:
            pages.append(Page(name, f"{board_plan}?{urlencode(query)}", "view_action_plan", board))
            notes.append(f"{name}: {label}, {n} actions")

    action = (
        scope.annotate(n=_counted(ActionUpdate, "action", leaving_out=_not_ours("text")))
        .select_related("review")
        .order_by("-n", "pk")
        .first()
    )
    if action is not None:
        path = reverse("action_detail", args=[action.review_id, action.number])
        pages.append(Page("action page", path, "view_response", action.review))
        notes.append(
            f"action page: {action.review.reference} action {action.number}, {action.n} progress updates"
        )

    pages.append(Page("notifications", reverse("notification_list")))

    pack_review = (
        Review.objects.annotate(
            finding_count=_counted(Finding, "review"), action_count=_counted(Action, "review")
        )
        .select_related("lead_board")
        .order_by(-(F("finding_count") + F("action_count")), "pk")
        .first()
    )
    pack = None
    if pack_review is not None and pack_review.finding_count + pack_review.action_count:
        pack = (pack_review, pack_review.action_count, pack_review.finding_count)
        notes.append(
            f"board pack: {pack_review.reference} ({pack_review.lead_board.name}), "
            f"{pack_review.finding_count} findings, {pack_review.action_count} actions"
        )
    expected = {"review page", "review history", "ToR comments", "action plan", "action page"}
    missing = sorted(expected - {page.name for page in pages})
    baseline = Page(BASELINE, reverse("help"))
    return Targets(board, manager, chair, notified, pages, baseline, plan, action, pack, notes, missing)


def people(targets: Targets) -> list[Person]:
    """The manager with every page; the chair with the pages the permission rules let a chair see; the most
    notified person (when a third) with their home and notifications pages."""
    from reviews.access import can

    def allowed(user, pages):
        return [page for page in pages if page.rule is None or can(user, page.rule, page.obj)]

    result = [
        Person(role, user, allowed(user, targets.pages))
        for role, user in (("manager", targets.manager), ("chair", targets.chair))
    ]
    if targets.notified is not None:
        own = [page for page in targets.pages if page.name in ("home", "notifications")]
        result.append(Person("notified", targets.notified, allowed(targets.notified, own)))
    return result


# Caches ---------------------------------------------------------------------------------------------


def cache_backends() -> dict[str, str]:
    from django.conf import settings

    return {alias: conf["BACKEND"].rsplit(".", 1)[-1] for alias, conf in settings.CACHES.items()}


def clear_caches() -> None:
    """Clears every configured Django cache. A shared one (Redis, Memcached, database) is the server's too;
    a process-local one (LocMemCache) is not: `main` warns about that."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        cache.clear()


# Query counts (in this process) ---------------------------------------------------------------------


def count_queries(cast: list[Person], baseline: Page, flip) -> dict[tuple[str, str], dict]:
    """Each (person, page)'s SQL query count cold, warm and after a change, and its statuses. Every page is
    requested once first, so that what a worker process loads once (ContentTypes and the like) is not
    counted as the page's; then cold (caches cleared just before) and warm (at once again). After them all,
    one status change (`flip`), then each page once more: its first request after the change."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def counted(client, path):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        return response.status_code, len(captured)

    clients, counts = {}, {}
    for person in cast:
        client = clients[person.role] = Client(HTTP_HOST="127.0.0.1")
        client.force_login(person.user, backend="django.contrib.auth.backends.ModelBackend")
        for page in [baseline, *person.pages]:
            client.get(page.path)
            clear_caches()
            cold = counted(client, page.path)
            warm = counted(client, page.path)
            counts[(person.role, page.name)] = {"cold": cold, "warm": warm}
    if flip is not None:
        flip.step()
        for person in cast:
            for page in [baseline, *person.pages]:
                counts[(person.role, page.name)]["after"] = counted(clients[person.role], page.path)
    return {
        key: {
            "queries": {column: n for column, (_, n) in value.items()},
            "statuses": {column: status for column, (status, _) in value.items()},
        }
        for key, value in counts.items()
    }


def queries_text(queries: dict[str, int]) -> str:
    """One figure when every column agrees, else each: "w10 c17 a17"."""
    values = [queries.get(column) for column in COLUMNS if column in queries]
    if values and all(v == values[0] for v in values):
        return str(values[0])
    return " ".join(f"{column[0]}{queries[column]}" for column in COLUMNS if column in queries)


# Timing (under gunicorn) ----------------------------------------------------------------------------


def _get(session: requests.Session, url: str) -> tuple[int, float]:
    started = time.perf_counter()
    response = session.get(url, allow_redirects=False, timeout=120)
    return response.status_code, time.perf_counter() - started


def _get_cold(session: requests.Session, url: str) -> tuple[int, float]:
    """Caches cleared, then the request over a new connection (the person's cookies, nothing else kept)."""
    fresh = requests.Session()
    fresh.cookies.update(session.cookies)
    try:
        clear_caches()
        started = time.perf_counter()
        response = fresh.get(url, allow_redirects=False, timeout=120, headers={"Connection": "close"})
        return response.status_code, time.perf_counter() - started
    finally:
        fresh.close()


def measure(
    server: Server, cast: list[Person], baseline: Page, flip, *, rounds: int, warmup: int, password: str
):
    """Every (person, page) pair and each person's baseline, in the three passes of each round; returns
    the cells and the time each status change took through the service."""
    sessions = {person.role: server.session(person.user.email, password) for person in cast}
    slots = [(person, page) for person in cast for page in [baseline, *person.pages]]
    columns = [c for c in PASS_ORDER if c != "after" or flip is not None]
    cells = {
        (column, person.role, page.name): Cell(column, person.role, page)
        for column in columns
        for person, page in slots
    }
    changes = []
    for number in range(warmup + rounds):
        counted = number >= warmup
        started = time.perf_counter()
        for column in columns:
            if column == "after":
                changed = time.perf_counter()
                flip.step()
                if counted:
                    changes.append(time.perf_counter() - changed)
            random.shuffle(slots)
            for person, page in slots:
                get = _get_cold if column == "cold" else _get
                status, seconds = get(sessions[person.role], server.url(page.path))
                if counted:
                    cells[(column, person.role, page.name)].record(status, seconds)
        label = f"round {number + 1 - warmup}/{rounds}" if counted else f"warm-up {number + 1}/{warmup}"
        print(f"  {label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return cells, sessions, changes


# Output -----------------------------------------------------------------------------------------------


def page_figures(cells: dict, cast: list[Person], counts: dict) -> list[dict]:
    """Per person and page, per column: the statistics, the ratios to the baseline, the verdict."""
    result = []
    for person in cast:
        for page_name in [BASELINE, *(page.name for page in person.pages)]:
            entry = {"person": person.role, "email": person.user.email, "page": page_name, "columns": {}}
            count = counts.get((person.role, page_name), {})
            entry["queries"] = count.get("queries", {})
            bad_status = {c: s for c, s in count.get("statuses", {}).items() if s != 200}
            for column in COLUMNS:
                cell = cells.get((column, person.role, page_name))
                if cell is None:
                    entry["columns"][column] = {"result": figures.NOT_MEASURED}
                    continue
                entry["path"] = cell.page.path
                stats = figures.summarize(cell.times)
                base = figures.summarize(cells[(column, person.role, BASELINE)].times)
                median_x, p95_x = figures.ratio(stats.median, base.median), figures.ratio(stats.p95, base.p95)
                errors = sum(cell.errors.values()) + len(bad_status)
                if page_name == BASELINE:
                    verdict = figures.ERROR if errors or stats.median is None else figures.BASELINE
                else:
                    verdict = figures.page_verdict(median_x, p95_x, errors=errors)
                entry["columns"][column] = {
                    "requests": stats.n,
                    "median_ms": None if stats.median is None else stats.median * 1000,
                    "p95_ms": None if stats.p95 is None else stats.p95 * 1000,
                    "median_ratio": median_x,
                    "p95_ratio": p95_x,
                    "errors": {str(status): n for status, n in cell.errors.items()},
                    "result": verdict,
                }
            if bad_status:
                entry["in_process_statuses"] = bad_status
            result.append(entry)
    return result


def print_pages(entries: list[dict]) -> None:
    header = ["person", "page", "queries"]
    for column in COLUMNS:
        short = {"warm": "warm", "cold": "cold", "after": "after"}[column]
        header += [f"{short} med", "p95", "x med", "x p95", "result"]
    lines = []
    for entry in entries:
        line = [entry["person"], entry["page"], queries_text(entry["queries"]) if entry["queries"] else "-"]
        for column in COLUMNS:
            c = entry["columns"][column]
            if "median_ms" not in c:
                line += ["-", "-", "-", "-", c["result"]]
                continue
            result = c["result"]
            if c["errors"]:
                result += " (" + ", ".join(f"{n}x HTTP {s}" for s, n in sorted(c["errors"].items())) + ")"
            line += [
                "-" if c["median_ms"] is None else f"{c['median_ms']:.1f}",
                "-" if c["p95_ms"] is None else f"{c['p95_ms']:.1f}",
                figures.times_x(c["median_ratio"]),
                figures.times_x(c["p95_ratio"]),
                result,
            ]
        lines.append(line)
    print(figures.table(header, lines, left=(0, 1, 7, 12, 17)))
    print(
        "times in ms; x med, x p95: the page's median and p95 over the same person's baseline in the same "
        f"column; PASS: x med <= {figures.MEDIAN_LIMIT:g} and x p95 <= {figures.P95_LIMIT:g}; queries: one "
        "figure when cold, warm and after a change agree, else w(arm) c(old) a(fter)"
    )


def load_average() -> list[float]:
    return [round(n, 2) for n in os.getloadavg()]


def _exports(server, session, board, baseline_median: float | None, *, runs: int) -> dict:
    """The board plan's CSV over HTTP and the request that starts an XLSX export, as its business manager."""
    from django.urls import reverse

    csv_url = server.url(reverse("board_action_plan_csv", args=[board.pk]))
    return {
        "csv": _csv(session, csv_url, baseline_median, runs=runs),
        "xlsx_start": _xlsx_start(session, server, board),
    }


def _csv(session, url, baseline_median, *, runs):
    from bench import exports

    csv = exports.csv_download(session, url, runs=runs)
    csv["ratio"] = figures.ratio(csv["median_last_byte_s"], baseline_median)
    bad = [s for s in csv["statuses"] if s != 200]
    csv["result"] = figures.ERROR if bad else figures.within(csv["ratio"], figures.CSV_LIMIT)
    return csv


def _xlsx_start(session, server, board):
    from django.conf import settings
    from django.urls import reverse

    from bench import exports

    page_url = server.url(reverse("board_action_plan", args=[board.pk]))
    xlsx_url = server.url(reverse("board_action_plan_xlsx", args=[board.pk]))
    return exports.xlsx_start(session, page_url, xlsx_url, eager=not settings.REDIS_URL)


def _xlsx_task(targets, *, runs: int) -> dict:
    from bench import exports
    from responses.actions import selectors

    scope = selectors.apply_filters(
        selectors.actions_of_board(targets.manager, targets.board), selectors.Filters(), targets.manager
    )
    return exports.xlsx_task(scope, title=f"{targets.board.name}: action plan", runs=runs)


def print_exports(result: dict, baseline_median: float | None) -> None:
    csv = result.get("csv")
    if csv:
        print(
            f"CSV of the board plan: {csv['median_last_byte_s']:.2f} s to the last byte (median of {csv['runs']}; "
            f"first byte {csv['median_first_byte_s']:.2f} s), {csv['bytes'] / 1024:.0f} KB, "
            f"{'streamed' if csv['streamed'] else 'NOT streamed (Content-Length set)'}; "
            f"{figures.times_x(csv['ratio'])}x the baseline's warm median ({figures.ms(baseline_median)} ms), "
            f"limit {figures.CSV_LIMIT:g}x: {csv['result']}"
            + (f" (HTTP {sorted(set(csv['statuses']))})" if csv["result"] == figures.ERROR else "")
        )
    start = result.get("xlsx_start")
    if start:
        if start["result"] == figures.NOT_APPLICABLE:
            print(f"XLSX export start: n/a ({start['why']}: no request starts an export)")
        else:
            eager = " (tasks ran inside the request: REDIS_URL is not set)" if start["eager"] else ""
            seconds = start.get("seconds")
            print(
                f"XLSX export start: POST {start['url']} answered HTTP {start['status']} in "
                f"{'-' if seconds is None else f'{seconds:.2f}'} s, limit {figures.XLSX_START_LIMIT_S:g} s: "
                f"{start['result']}{eager}"
            )
    task = result.get("xlsx_task")
    if task:
        if not task["measured"]:
            print(
                f"XLSX: not measured ({task['why']}); openpyxl's write-only floor on the same {task['rows']} rows: "
                f"{task['median_floor_s']:.2f} s"
            )
        else:
            print(
                f"XLSX task: write_xlsx on {task['rows']} rows read with .iterator(): {task['median_task_s']:.2f} s "
                f"(median of {task['runs']}); openpyxl write-only floor on the same rows from a list: "
                f"{task['median_floor_s']:.2f} s; {figures.times_x(task['ratio'])}x, limit {figures.XLSX_LIMIT:g}x: "
                f"{task['result']}"
            )


def print_pack(pack: dict) -> None:
    cut = (
        f"its first {pack['actions_kept']} of {pack['actions']} actions (cut to about 100 pages; layouts with "
        f"{pack['probes']['actions'][0]} and {pack['probes']['actions'][1]} actions gave "
        f"{pack['probes']['pages'][0]} and {pack['probes']['pages'][1]} pages)"
        if pack["cut"]
        else f"whole ({pack['actions']} actions)"
    )
    print(f"board pack: {pack['review']}, {pack['findings']} findings, {cut}: {pack['pages']} pages")
    print(
        f"  made as the product makes it: {pack['pack_seconds']:.2f} s (prepare {pack['prepare_seconds']:.2f} s "
        f"on the request path, render {pack['render_seconds']:.2f} s CPU in a fresh process); WeasyPrint alone "
        f"on the same HTML ({pack['html_kb']:.0f} KB) in a fresh process: {pack['floor_seconds']:.2f} s CPU; "
        f"quickest of {pack['runs']} runs each"
    )
    spread = {name: sorted(r["cpu_seconds"] for r in pack[f"{name}_runs"]) for name in ("product", "floor")}
    print(
        f"  every run, CPU s: render {' '.join(f'{t:.2f}' for t in spread['product'])}; floor "
        f"{' '.join(f'{t:.2f}' for t in spread['floor'])} (medians {pack['median_render_seconds']:.2f} and "
        f"{pack['median_floor_seconds']:.2f}; quickest wall: render {pack['render_wall_seconds']:.2f} s, floor "
        f"{pack['floor_wall_seconds']:.2f} s, {figures.times_x(pack['wall_ratio'])}x)"
    )
    print(
        f"  {figures.times_x(pack['ratio'])}x the floor (render alone {figures.times_x(pack['render_ratio'])}x), "
        f"limit {figures.PACK_LIMIT:g}x: {pack['time_result']}; peak {pack['peak_mb']:.0f} MB "
        f"({pack['loaded_mb']:.0f} MB with Django and WeasyPrint loaded; floor's peak {pack['floor_peak_mb']:.0f} MB), "
        f"limit {figures.PACK_MEMORY_LIMIT_MB} MB: {pack['memory_result']}"
    )


# Main -------------------------------------------------------------------------------------------------


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=50, help="measured rounds; default 50")
    parser.add_argument(
        "--warmup", type=int, default=3, help="rounds before measuring, not counted; default 3"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers; default those of gunicorn.conf.py"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--skip-pack", action="store_true", help="leave out the board pack")
    parser.add_argument("--skip-exports", action="store_true", help="leave out the exports")
    parser.add_argument(
        "--export-runs", type=int, default=3, help="runs of each export and its floor; default 3"
    )
    parser.add_argument("--pack-runs", type=int, default=5, help="runs of the pack and its floor; default 5")
    parser.add_argument("--password", default=PASSWORD, help=f"everyone's password; default {PASSWORD!r}")
    parser.add_argument("--allow-sqlite", action="store_true", help="run against SQLite all the same")
    args = parser.parse_args(argv)
    args.workers = args.workers or gunicorn_config()["workers"]
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")) and not args.allow_sqlite:
        raise SystemExit(
            "Set DATABASE_URL to the PostgreSQL database holding `manage.py seed_scale` "
            "(figures from SQLite say nothing about production; --allow-sqlite runs anyway)."
        )
    return args


def pick_flip(targets: Targets):
    """The status change made between rounds: an action of the largest plan other than the action page's."""
    from bench.change import StatusFlip
    from responses.models import Action

    if targets.plan_review is None:
        return None
    avoid = [targets.action_page.pk] if targets.action_page is not None else []
    return StatusFlip.pick(Action.objects.filter(review=targets.plan_review), targets.manager, avoid=avoid)


def failing_items(entries: list[dict], exported: dict, pack: dict | None) -> list[str]:
    """What failed or erred, shortly: each page with the columns it failed in, then the exports and pack."""
    failing = []
    for entry in entries:
        bad = [col for col, c in entry["columns"].items() if c["result"] in (figures.FAIL, figures.ERROR)]
        if bad:
            failing.append(f"{entry['person']} {entry['page']} ({', '.join(bad)})")
    failing += [name for name, v in exported.items() if v.get("result") in (figures.FAIL, figures.ERROR)]
    if pack is not None:
        failing += [f"board pack {k}" for k in ("time", "memory") if pack[f"{k}_result"] != figures.PASS]
    return failing


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    started = time.perf_counter()
    load_start = load_average()
    setup_django()
    from django.db import connection

    print(f"Page benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")
    print(
        f"load average at the start: {' '.join(map(str, load_start))} (1, 5, 15 min; {os.cpu_count()} CPUs)"
    )
    backends = cache_backends()
    print(
        f"caches: {', '.join(f'{a}: {b}' for a, b in backends.items())} (cleared before every cold request)"
    )
    problems = [
        f"cache {alias} is process-local: clearing it here does not empty gunicorn's, so cold is not cold"
        for alias, backend in backends.items()
        if backend == "LocMemCache"
    ]
    targets = find_targets()
    for note in targets.notes:
        print(f"  {note}")
    cast = people(targets)
    for person in cast[:2]:
        hidden = [page.name for page in targets.pages if page not in person.pages]
        if hidden:
            print(f"  the {person.role} may not see: {', '.join(hidden)} (left out for them)")
    problems += [f"{name}: nothing on {targets.board} to show, not measured" for name in targets.missing]
    flip = pick_flip(targets)
    if flip is None:
        problems.append("after a change: no action of the largest plan has a status round trip; not measured")
    else:
        print(f"  status change between rounds, by the business manager: {flip.describe()}")

    exported = {}
    try:
        counts = count_queries(cast, targets.baseline, flip)
        problems += [
            f"{role} {name}: HTTP {status} in-process ({column})"
            for (role, name), value in counts.items()
            for column, status in value["statuses"].items()
            if status != 200
        ]
        passes = ", ".join(COLUMN_TITLES[c] for c in PASS_ORDER if c != "after" or flip is not None)
        print(
            f"\nTiming {args.rounds} rounds after {args.warmup} warm-up rounds, gunicorn with {args.workers} "
            f"workers; each round: {passes}",
            flush=True,
        )
        with Server(workers=args.workers) as server:
            cells, sessions, changes = measure(
                server,
                cast,
                targets.baseline,
                flip,
                rounds=args.rounds,
                warmup=args.warmup,
                password=args.password,
            )
            if flip is not None:
                flip.restore()  # before the exports, so they read the plan as it was
            warm_base = figures.summarize(cells[("warm", "manager", BASELINE)].times).median
            if not args.skip_exports:
                print("Exports over HTTP", file=sys.stderr, flush=True)
                exported = _exports(
                    server, sessions["manager"], targets.board, warm_base, runs=args.export_runs
                )
            problems += [f"gunicorn: {line}" for line in server.server_errors()]
    finally:
        if flip is not None:
            flip.restore()
    if not args.skip_exports:
        print("XLSX task and floor", file=sys.stderr, flush=True)
        exported["xlsx_task"] = _xlsx_task(targets, runs=args.export_runs)

    print()
    entries = page_figures(cells, cast, counts)
    print_pages(entries)
    for person in cast:
        bases = []
        for column in COLUMNS:
            cell = cells.get((column, person.role, BASELINE))
            if cell is not None:
                stats = figures.summarize(cell.times)
                bases.append(f"{COLUMN_TITLES[column]} {figures.ms(stats.median)}/{figures.ms(stats.p95)}")
        print(f"baseline {targets.baseline.path} ({person.role}), median/p95 ms: {'; '.join(bases)}")
    change = None
    if flip is not None:
        stats = figures.summarize(changes)
        change = {
            "action": flip.label,
            "trip": [t.name for t in flip.trip],
            "home": flip.home.status,
            "changes": flip.steps,
            "median_ms": None if stats.median is None else stats.median * 1000,
            "restored": True,  # restore() raises otherwise
        }
        print(
            f"after a change: before each such pass, {flip.label} moved by {' / '.join(t.name for t in flip.trip)} "
            f"in turn, through the service (median {figures.ms(stats.median)} ms); {flip.steps} changes in all, "
            f"put back at {flip.home.status!r} and checked"
        )
    verdicts = [c["result"] for e in entries for c in e["columns"].values()]
    if exported:
        print()
        print_exports(exported, warm_base)
        verdicts += [v["result"] for v in exported.values()]

    pack = None
    if not args.skip_pack and targets.pack is None:
        problems.append("board pack: no review has findings or actions")
    elif not args.skip_pack:
        from bench import pack as pack_bench

        print("Board pack", file=sys.stderr, flush=True)
        review, actions, findings = targets.pack
        pack = pack_bench.measure(review, actions, findings, runs=args.pack_runs)
        pack["time_result"] = figures.within(pack["ratio"], figures.PACK_LIMIT)
        pack["memory_result"] = (
            figures.PASS if pack["peak_mb"] < figures.PACK_MEMORY_LIMIT_MB else figures.FAIL
        )
        verdicts += [pack["time_result"], pack["memory_result"]]
        if not pack["same_html_every_run"]:
            problems.append("board pack: the HTML changed between runs")
        print()
        print_pack(pack)

    load_end = load_average()
    print(f"\nload average at the end: {' '.join(map(str, load_end))}")
    for problem in problems:
        print(f"PROBLEM {problem}")
    result = figures.FAIL if problems else figures.overall(verdicts)
    failing = failing_items(entries, exported, pack)
    not_measured = [
        name + (" (n/a)" if v["result"] == figures.NOT_APPLICABLE else "")
        for name, v in exported.items()
        if v["result"] in (figures.NOT_MEASURED, figures.NOT_APPLICABLE)
    ]
    print(f"\n{result} (run took {time.perf_counter() - started:.0f} s)")
    if failing:
        print(f"  failing: {'; '.join(failing)}")
    if not_measured:
        print(f"  not measured: {', '.join(not_measured)}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {
                    "database": connection.vendor,
                    "targets": targets.notes,
                    "rounds": args.rounds,
                    "warmup": args.warmup,
                    "workers": args.workers,
                    "load_average": {"start": load_start, "end": load_end},
                    "caches": backends,
                    "limits": {
                        "median_ratio": figures.MEDIAN_LIMIT,
                        "p95_ratio": figures.P95_LIMIT,
                        "csv_ratio": figures.CSV_LIMIT,
                        "xlsx_ratio": figures.XLSX_LIMIT,
                        "xlsx_start_s": figures.XLSX_START_LIMIT_S,
                        "pack_ratio": figures.PACK_LIMIT,
                        "pack_mb": figures.PACK_MEMORY_LIMIT_MB,
                    },
                    "pages": entries,
                    "change": change,
                    "exports": exported,
                    "board_pack": pack,
                    "problems": problems,
                    "failing": failing,
                    "not_measured": not_measured,
                    "result": result,
                },
                out,
                indent=2,
                default=str,
            )
    return 0 if result == figures.PASS else 1


if __name__ == "__main__":
    sys.exit(main())

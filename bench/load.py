"""The load run (issues 8 and 17): simulated people of several roles browse the portal, post comments and
progress updates, change actions' statuses, export action plans and ask for documents, for a bounded time,
on loopback only; then the run checks that the server and the task worker logged no error, that every post
and status change the portal accepted is in the database, and that every document asked for was made.

    DATABASE_URL=postgres://... REDIS_URL=redis://... .venv/bin/python -m bench.load [--users 50] [--time 2m]

Picks the people (business managers, chairs, board members and lead reviewers of the boards with the most
reviews, the largest first) and the pages each may use from the database, starts a Celery worker (with
REDIS_URL: documents are made there, as in production) and gunicorn with the production configuration
(bench.server, gunicorn.conf.py), and runs locust headless in a process of its own (bench/locustfile.py;
locust patches the standard library with gevent). Exits non-zero on any failed request, server or worker
error, lost post or status change, or document not made."""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import nullcontext
from datetime import timedelta
from itertools import chain, islice, zip_longest
from pathlib import Path
from urllib.parse import urlencode

from bench.server import PASSWORD, ROOT, Server, gunicorn_config, server_env

CAP = 12  # pages of each kind a person's simulated user goes to
HEAVY = 3  # of which the biggest (most actions, most comments) come first
CANDIDATES = 100  # rows read per kind and person before sampling
MIN_BOARDS = 3
LATENCIES = ("50%", "90%", "95%", "99%", "max")
DOCUMENT_GRACE = 180  # seconds the worker may take, after the load, to finish the documents asked for


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        print(
            "bench.load needs DATABASE_URL naming a migrated PostgreSQL database filled by seed_scale (or "
            "seed_demo, with --password demo-password), e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:55432/scale .venv/bin/python -m bench.load",
            file=sys.stderr,
        )
        return 2
    run = secrets.token_hex(4)
    # The run's own task queue, so the worker started here takes only this run's tasks (and no other
    # worker on the same Redis takes them).
    os.environ["CELERY_QUEUE"] = f"load-{run}"
    os.environ.update(server_env())
    import django

    django.setup()

    work = Path(tempfile.mkdtemp(prefix=f"scr-load-{run}-"))
    people = pick_people(args.users)
    if not people:
        print(
            "No business managers, chairs, board members or lead reviewers in the database.", file=sys.stderr
        )
        return 2
    documents = bool(os.environ.get("REDIS_URL"))
    plan = {
        "run": run,
        "password": args.password,
        "pages": fixed_pages(),
        "people": people,
        "slots": assign_slots(people, args.users),
        "moves": status_moves(),
        "deferred": deferred_statuses(),
        "documents": documents,
        "xlsx_is_a_job": xlsx_export_is_a_job(),
    }
    (work / "plan.json").write_text(json.dumps(plan, indent=1))
    describe(args, plan, work)

    with Worker(work / "celery.log") if documents else nullcontext() as worker:
        with Server(workers=args.workers, threads=args.threads, log=work / "gunicorn.log") as server:
            locust = run_locust(args, server.url(""), work)
        server_errors = server.server_errors()
        asked = accepted(work)["document"]
        made = wait_for_documents(asked, DOCUMENT_GRACE) if asked else {}
    worker_errors = worker.errors() if worker else []

    results_file = work / "results.json"
    if not results_file.exists():
        print(f"locust ended (exit code {locust}) without statistics; see {work / 'locust.log'}")
        print(tail(work / "locust.log"))
        return 1
    failures = report_requests(json.loads(results_file.read_text()))
    report_locust_notes(work / "locust.log")
    report_server_errors(server_errors, server.log)
    if worker:
        report_server_errors(worker_errors, worker.log, "Celery worker's")
    lost, posted = report_writes(run, work)
    lost += report_documents(asked, made, documents)
    report_xlsx(work, plan["xlsx_is_a_job"])
    ok = not failures and not server_errors and not worker_errors and not lost and posted
    print(f"\nResult: {'PASS' if ok else 'FAIL'} (files in {work})")
    return 0 if ok else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second (default 10)")
    parser.add_argument("--time", default="2m", help="how long the load lasts, e.g. 30s or 2m (default 2m)")
    config = gunicorn_config()
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"gunicorn worker processes (default gunicorn.conf.py's, production's: {config['workers']})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help=f"threads per gunicorn worker (default gunicorn.conf.py's: {config['threads']})",
    )
    parser.add_argument(
        "--password",
        default=PASSWORD,
        help=f"everyone's password (default {PASSWORD}; demo-password for seed_demo)",
    )
    args = parser.parse_args(argv)
    if args.users < 1 or args.spawn_rate <= 0:
        parser.error("--users and --spawn-rate must be positive")
    return args


# The people and their pages ---------------------------------------------------------------------------


def pick_people(users: int) -> list[dict]:
    """Up to `users` people: a tenth business managers, a tenth chairs, a fifth lead reviewers, the rest
    board members (fewer where the boards have fewer), from the boards with the most reviews (at least
    MIN_BOARDS of them, the largest first), spread over the boards and mixed so each role comes up early."""
    from django.db.models import Count

    from reviews.models import Board, Role

    wanted = {
        Role.BUSINESS_MANAGER: max(1, users // 10),
        Role.CHAIR: max(1, users // 10),
        Role.LEAD_REVIEWER: max(1, users // 5),
    }
    wanted[Role.BOARD_MEMBER] = max(1, users - sum(wanted.values()))
    per_board: dict[str, list[list]] = {role: [] for role in wanted}
    seen: set[int] = set()
    moving: set[int] = set()  # actions someone's status changes are planned on: one person's each
    boards = Board.objects.annotate(reviews=Count("led_reviews")).order_by("-reviews", "name")
    for rank, board in enumerate(boards):
        if rank >= MIN_BOARDS and all(sum(map(len, per_board[r])) >= n for r, n in wanted.items()):
            break
        for role, found in people_of_board(board).items():
            fresh = [(role, user, board) for user in found if user.pk not in seen]
            seen.update(user.pk for _, user, _ in fresh)
            per_board[role].append(fresh)
    pools = {role: spread(lists) for role, lists in per_board.items()}
    groups = [pools[role][: wanted[role]] for role in wanted]
    spare = chain.from_iterable(pools[role][wanted[role] :] for role in wanted)
    groups.append(list(islice(spare, max(0, users - sum(map(len, groups))))))
    mixed = sorted(
        (((i + 0.5) / len(group), person) for group in groups for i, person in enumerate(group)),
        key=lambda pair: pair[0],
    )
    return [
        {"email": user.email, "role": role, "board": board.name, "targets": targets_for(user, moving)}
        for _, (role, user, board) in mixed
    ]


def people_of_board(board) -> dict[str, list]:
    """The board's active business managers, chairs and members, and the lead reviewers appointed now to
    reviews it leads."""
    from reviews.models import Membership, Role
    from scr_portal.accounts.models import User

    found: dict[str, list] = {role: [] for role in (Role.BUSINESS_MANAGER, Role.CHAIR, Role.BOARD_MEMBER)}
    memberships = (
        Membership.objects.active()
        .filter(board=board, role__in=list(found), user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    for membership in memberships:
        found[membership.role].append(membership.user)
    found[Role.LEAD_REVIEWER] = list(
        User.objects.filter(
            is_active=True, appointments__review__lead_board=board, appointments__ended_at__isnull=True
        )
        .distinct()
        .order_by("email")
    )
    return found


def spread(lists: list[list]) -> list:
    """The lists' items taken in turn (one of each board, then the next of each), without the gaps."""
    return [item for row in zip_longest(*lists) for item in row if item is not None]


def some(rows: list, cap: int = CAP, heavy: int = HEAVY) -> list:
    """The first `heavy` rows (the biggest, as the caller orders them) and a random sample of the rest."""
    rest = rows[heavy:]
    return rows[:heavy] + random.sample(rest, max(0, min(cap - heavy, len(rest))))


def assign_slots(people: list[dict], users: int) -> list[dict]:
    """One slot per simulated user: the person it is (people are used again in turn when there are fewer
    than users) and its share of that person's actions to change the status of, so that no two simulated
    users move the same action (the second would rightly be told that someone else moved it first)."""
    slots = [{"person": k % len(people)} for k in range(users)]
    sharing: dict[int, list[dict]] = defaultdict(list)
    for slot in slots:
        sharing[slot["person"]].append(slot)
    for person, own in sharing.items():
        targets = people[person]["targets"]["status_targets"]
        for i, slot in enumerate(own):
            slot["status_targets"] = targets[i :: len(own)]
    return slots


def status_moves() -> dict[str, list[str]]:
    """The status changes the run makes: every move of the action workflow from each status, except to a
    status that needs an evidence file (the run attaches none); statuses with no such move are left out."""
    from responses.actions import workflow
    from responses.models import Action

    moves = {
        status: [to for to in workflow.moves_from(status) if to not in workflow.EVIDENCED_STATUSES]
        for status in Action.Status.values
    }
    return {status: to for status, to in moves.items() if to}


def deferred_statuses() -> list[str]:
    """Moving to these needs a reason and a date to look again."""
    from responses.actions import workflow

    return [str(s) for s in workflow.DEFERRED_STATUSES]


def xlsx_export_is_a_job() -> bool:
    """Whether the XLSX export is a Celery job: whether the URL `action_plan_xlsx` answers a POST
    (the job is asked for with a POST; the old synchronous export answers GET only, 405 to a POST). Asked of
    the view itself, as nobody: a view that takes POSTs goes on to refuse nobody (or fails for want of a
    session); one that does not answers 405 before anything else. Until it takes POSTs, the locustfile's XLSX
    step has weight 0 and the run never asks for the old synchronous export."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, resolve, reverse

    try:
        url = reverse("action_plan_xlsx", args=[1])
    except NoReverseMatch:
        return False
    request = RequestFactory().post(url)
    request.user = AnonymousUser()
    match = resolve(url)
    refusals = logging.getLogger("django.request")  # the 405 is the answer looked for, not a warning
    level, refusals.level = refusals.level, logging.ERROR
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except Exception:  # noqa: BLE001 - it took the POST, then refused nobody or needed more than this request
        return True
    finally:
        refusals.level = level
    return response.status_code != 405


def fixed_pages() -> dict[str, str]:
    from django.urls import reverse

    return {
        "login": reverse("login"),
        "home": reverse("home"),
        "review_list": reverse("review_list"),
        "notifications": reverse("notification_list"),
    }


def targets_for(user, moving: set[int] | None = None) -> dict:
    """The pages this person may open and the forms they may post, found with the portal's own rules.
    `moving` holds the actions other people's status changes are planned on; this person's are added."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from commissioning.models import ToRSection, ToRVersion
    from commissioning.tor import workflow as tor_workflow
    from documents.models import Document
    from responses.models import Action
    from reviews import workflow
    from reviews.access import can, visible_reviews
    from reviews.models import Membership, Review, Role, State
    from reviews.selectors import boards_visible_to, review_list_for
    from reviews.views import PAGE_SIZE

    visible = visible_reviews(user)
    reviews = list(
        visible.prefetch_related("participations").annotate(n=Count("timeline")).order_by("-n")[:CANDIDATES]
    )
    # Permission checks cache the person's roles on each review object: use one object per review.
    known = {r.pk: r for r in reviews}
    in_commissioning = [
        r
        for r in reviews
        if r.state not in (State.REFERRAL, State.NOT_INITIATED) and can(user, "view_commissioning", r)
    ]
    response_ids = [r.pk for r in reviews if can(user, "view_response", r)]

    versions = (
        ToRVersion.objects.filter(review__in=visible.exclude(state__in=[State.REFERRAL, State.NOT_INITIATED]))
        .select_related("review")
        .annotate(n=Count("sections__comments"))
        .order_by("-n")[:CANDIDATES]
    )
    today = timezone.localdate()
    open_sections = (
        ToRSection.objects.filter(
            version__review__in=visible.filter(state=State.COMMISSIONING),
            version__status=ToRVersion.Status.OUT_FOR_COMMENT,
        )
        .filter(Q(version__comments_close_on__isnull=True) | Q(version__comments_close_on__gte=today))
        .select_related("version__review")
        .annotate(n=Count("comments"))
        .order_by("-n")[:CANDIDATES]
    )
    sections = [
        s
        for s in open_sections
        if can(user, "comment_terms_of_reference", known.get(s.version.review_id, s.version.review))
    ]

    plans = (
        Review.objects.filter(pk__in=response_ids).annotate(n=Count("actions")).filter(n__gt=0).order_by("-n")
    )
    actions = (
        Action.objects.filter(review_id__in=response_ids)
        .annotate(n=Count("updates"))
        .order_by("-n")
        .values_list("review_id", "number")[:CANDIDATES]
    )
    updatable = Action.objects.filter(
        review_id__in=response_ids, review__state__in=workflow.states_allowing(workflow.RESPONSE_OPEN)
    )
    if not Membership.objects.active().filter(user=user, role=Role.BUSINESS_MANAGER).exists():
        agencies = Membership.objects.active().filter(user=user, agency__isnull=False).values("agency")
        updatable = updatable.filter(Q(owner=user) | Q(owner_agency__in=agencies))
    may_update = []
    for action in updatable.order_by("?")[:CANDIDATES]:
        action.review = known[action.review_id]
        if can(user, "update_action", action):
            may_update.append(action)
    moves = status_moves()
    moving = set() if moving is None else moving
    to_move = [a for a in may_update if moves.get(a.status) and a.pk not in moving][:CAP]
    moving.update(a.pk for a in to_move)

    plan_reviews = list(plans[:CANDIDATES])
    board_plans = [b for b in boards_visible_to(user).order_by("name") if can(user, "view_action_plan", b)][
        :CAP
    ]
    documents = []
    for r in some([r for r in reviews if can(user, "make_documents", r)], heavy=1):
        kinds = []
        version = (
            ToRVersion.objects.filter(review=r)
            .exclude(status__in=tor_workflow.SUPERSEDED_STATUSES)
            .order_by("-number")
            .first()
        )
        if version:
            kinds.append(({"kind": Document.Kind.TERMS_OF_REFERENCE.value, "number": version.number}, "ToR"))
        if can(user, "make_board_pack", r):
            kinds.append(({"kind": Document.Kind.BOARD_PACK.value}, "board pack"))
        documents += [
            {
                "list": reverse("documents", args=[r.pk]),
                "make": reverse("document_make", args=[r.pk]),
                "data": data,
                "label": label,
            }
            for data, label in kinds
        ]

    states = sorted({r.state for r in reviews})
    filters = [{"state": s} for s in states[:4]] + [{"overdue": "on"}, {"sort": "newest"}]
    filters += [{"board": b.pk} for b in boards_visible_to(user)[:3]]
    filters += [{"q": r.reference} for r in reviews[:2]]
    return {
        "review_filters": [urlencode(f) for f in filters],
        "review_list_page_2": review_list_for(user).count() > PAGE_SIZE,
        "review_pages": [reverse("review_detail", args=[r.pk]) for r in some(reviews)],
        "commissioning_pages": [
            reverse("commissioning", args=[r.pk]) for r in some(in_commissioning, heavy=0)
        ],
        "tor_comments_pages": [
            reverse("tor_comments", args=[v.review_id, v.number])
            for v in some(
                [v for v in versions if can(user, "view_commissioning", known.get(v.review_id, v.review))]
            )
        ],
        "action_plans": [reverse("action_plan", args=[r.pk]) for r in some(plan_reviews)],
        "action_pages": [reverse("action_detail", args=list(a)) for a in some(list(actions))],
        "board_action_plans": [reverse("board_action_plan", args=[b.pk]) for b in board_plans],
        "comment_targets": [
            {
                "form": reverse("tor_comment_add", args=[s.version.review_id, s.version.number, s.key]),
                "done": reverse("tor_comments", args=[s.version.review_id, s.version.number]),
            }
            for s in some(sections)
        ],
        "progress_targets": [
            {
                "form": reverse("action_progress", args=[a.review_id, a.number]),
                "done": reverse("action_detail", args=[a.review_id, a.number]),
            }
            for a in some(may_update, heavy=0)
        ],
        "status_targets": [
            {
                "form": reverse("action_status", args=[a.review_id, a.number]),
                "done": reverse("action_detail", args=[a.review_id, a.number]),
                "status": a.status,
            }
            for a in to_move
        ],
        "csv_exports": [
            {"url": reverse("board_action_plan_csv", args=[b.pk]), "name": "export CSV, board plan"}
            for b in board_plans[:3]
        ]
        + [
            {"url": reverse("action_plan_csv", args=[r.pk]), "name": "export CSV, review plan"}
            for r in some(plan_reviews)
        ],
        # The XLSX export, a Celery job: used when `action_plan_xlsx` answers a POST.
        "xlsx_exports": [
            {"page": reverse("action_plan", args=[r.pk]), "post": reverse("action_plan_xlsx", args=[r.pk])}
            for r in plan_reviews[:HEAVY]
        ],
        "document_targets": documents,
    }


def describe(args: argparse.Namespace, plan: dict, work: Path) -> None:
    people = plan["people"]
    roles = Counter(p["role"] for p in people)
    boards = sorted({p["board"] for p in people})
    posting = sum(bool(p["targets"]["comment_targets"] or p["targets"]["progress_targets"]) for p in people)

    def able(key: str) -> int:
        return sum(bool(p["targets"][key]) for p in people)

    config = gunicorn_config()
    workers, threads = args.workers or config["workers"], args.threads or config["threads"]
    print(
        f"{args.users} simulated users for {args.time} (spawn rate {args.spawn_rate:g}/s) as {len(people)} people: "
        + ", ".join(
            f"{n} {role.replace('_', ' ')}{'s' if n != 1 else ''}" for role, n in sorted(roles.items())
        )
    )
    print(f"  from {len(boards)} boards ({', '.join(boards)}); {posting} of them may post")
    print(
        f"  {able('status_targets')} may change actions' statuses, {able('csv_exports')} export plans, "
        f"{able('document_targets') if plan['documents'] else 0} ask for documents"
    )
    if not plan["documents"]:
        print(
            "  No REDIS_URL: nobody asks for documents (they would be made inside the web request, not by a worker)"
        )
    print(
        "  XLSX exports: "
        + (
            "asked for as Celery jobs (action_plan_xlsx answers a POST)"
            if plan["xlsx_is_a_job"]
            else "not asked for (action_plan_xlsx does not answer a POST yet: the old synchronous export is left out)"
        )
    )
    print(
        f"  gunicorn {workers} workers x {threads} threads (timeout {config['timeout']} s) on loopback"
        + (
            " as gunicorn.conf.py says"
            if (workers, threads) == (config["workers"], config["threads"])
            else ""
        )
        + f"; plan and logs in {work}"
    )


# Running locust ---------------------------------------------------------------------------------------


def run_locust(args: argparse.Namespace, host: str, work: Path) -> int:
    command = [
        str(Path(sys.executable).with_name("locust")),
        "--locustfile",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.time,
        "--stop-timeout",
        "30",
        "--host",
        host,
        "--only-summary",
    ]
    # PYTHONPATH: the locustfile imports bench.steps from the repository.
    env = dict(os.environ, LOAD_PLAN=str(work / "plan.json"), LOAD_OUTPUT=str(work), PYTHONPATH=str(ROOT))
    with (work / "locust.log").open("wb") as log:
        return subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT).returncode


# Reporting --------------------------------------------------------------------------------------------


def report_requests(results: dict) -> int:
    """Prints throughput, latency per kind of request and the failures grouped; returns how many failed."""
    total = results["total"]
    entries = sorted(results["entries"], key=lambda e: -e["requests"])
    print(
        f"\nRequests: {total['requests']:,}, {total['rps']:.1f} per second; failures: {total['failures']:,}"
    )
    width = max(len(e["name"]) for e in [*entries, {"name": "All requests"}]) + 2
    heading = "".join(f"{p:>7}" for p in LATENCIES)
    print(f"\n{'Latency in ms':<{width}}{'requests':>9}{'fails':>7}{heading}")
    for entry in [*entries, total | {"name": "All requests"}]:
        cells = "".join(f"{entry['ms'][p]:>7}" for p in LATENCIES)
        print(f"{entry['name']:<{width}}{entry['requests']:>9,}{entry['failures']:>7,}{cells}")

    errors, exceptions = results["errors"], results["exceptions"]
    print("\nErrors:" + ("" if errors or exceptions else " none"))
    for error in sorted(errors, key=lambda e: -e["occurrences"]):
        print(f"  {error['occurrences']:>5} x {error['method']} {error['name']}: {error['error']}")
    for exception in exceptions:
        print(f"  {exception['count']:>5} x exception in the locustfile: {exception['message']}")
        print("        " + exception["traceback"].strip().replace("\n", "\n        "))
    return total["failures"] + sum(e["count"] for e in exceptions)


def report_locust_notes(log: Path) -> None:
    """Page requests sent again after the server closed an idle kept-alive connection (as browsers do; see
    the locustfile), and locust running short of CPU itself (its latencies then include its own delays)."""
    text = log.read_text(errors="replace")
    resent = text.count("after connection broken by")
    if resent:
        print(f"\nNote: {resent} page requests were sent again after the server closed an idle connection")
    if "CPU usage" in text:
        print(
            "\nNote: locust reported high CPU usage of its own; latencies include its delays (see locust.log)"
        )


def report_server_errors(lines: list[str], log: Path, whose: str = "gunicorn's") -> None:
    print(f"\nServer errors in {whose} log: {len(lines) or 'none'}")
    for line in lines[:20]:
        print(f"  {line}")
    if lines:
        print(f"  (full log: {log})")


def accepted(work: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """What the simulated users saw the portal accept, by kind: (token, what else was noted) in order."""
    found: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for file in sorted(work.glob("accepted-*.txt")):
        for line in file.read_text().splitlines():
            kind, token, *extra = line.split()
            found[kind].append((token, extra))
    return found


def status_changes_stored(run: str) -> dict[str, tuple[int, str, object]]:
    """The run's status changes in the database, by token: (action, new status, when), each found twice over:
    the progress update that records the move carries the token in its note, and the action's own history
    has a row at that status written in the same transaction (within seconds of the update)."""
    from responses.models import Action, ActionUpdate

    token = re.compile(rf"load-{run}-\d+-\d+")
    updates = {}
    for action, text, status, at in (
        ActionUpdate.objects.filter(text__contains=f"load-{run}-")
        .exclude(status_to="")
        .values_list("action_id", "text", "status_to", "created_at")
    ):
        for t in token.findall(text):
            updates[t] = (action, status, at)
    history = defaultdict(list)
    rows = Action.history.filter(id__in={a for a, _, _ in updates.values()}).values_list(
        "id", "status", "history_date"
    )
    for action, status, at in rows:
        history[action].append((status, at))
    near = timedelta(seconds=5)
    return {
        t: (action, status, at)
        for t, (action, status, at) in updates.items()
        if any(s == status and abs(h - at) < near for s, h in history[action])
    }


def report_writes(run: str, work: Path) -> tuple[int, int]:
    """Checks that every post and status change the portal accepted is in the database; returns (lost,
    written)."""
    from commissioning.models import ToRComment
    from responses.models import ActionUpdate

    got = accepted(work)
    wanted = {kind: {token for token, _ in got[kind]} for kind in ("comment", "update", "status")}
    target = {token: extra[0] for token, extra in got["status"] if extra}
    token = re.compile(rf"load-{run}-\d+-\d+")
    marker = f"load-{run}-"
    stored = {
        "comment": ToRComment.objects.filter(text__contains=marker).values_list("text", flat=True),
        "update": ActionUpdate.objects.filter(text__contains=marker, status_to="").values_list(
            "text", flat=True
        ),
    }
    found = {
        kind: set(chain.from_iterable(token.findall(text) for text in texts))
        for kind, texts in stored.items()
    }
    moved = status_changes_stored(run)
    found["status"] = {t for t, (_, status, _) in moved.items() if target.get(t, status) == status}
    comments, updates, changes = wanted["comment"], wanted["update"], wanted["status"]
    print(
        f"\nPosted {plural(len(comments), 'comment')}, {plural(len(updates), 'progress update')}, "
        f"{plural(len(changes), 'status change')}; found {len(comments & found['comment'])}, "
        f"{len(updates & found['update'])}, {len(changes & found['status'])} in the database"
    )
    print(
        "  (a status change is found when its progress update and the action's history row at the new status are)"
    )
    lost = 0
    for kind, label in (
        ("comment", "comments"),
        ("update", "progress updates"),
        ("status", "status changes"),
    ):
        missing = sorted(wanted[kind] - found[kind])
        unanswered = found[kind] - wanted[kind]
        lost += len(missing)
        if missing:
            print(f"  LOST {len(missing)} {label}: {', '.join(missing[:10])}")
        if unanswered:
            print(
                f"  {len(unanswered)} more {label} saved without the simulated user seeing it confirmed (cut off, e.g. at the end)"
            )
    written = len(comments) + len(updates) + len(changes)
    if not written:
        print("  Nothing was posted, so nothing could be checked.")
    return lost, written


def wait_for_documents(asked: list[tuple[str, list[str]]], grace: float) -> dict[int, str]:
    """The status of each document asked for, once none is waiting or being made any more, or after `grace`
    seconds (the worker finishing what was asked for last)."""
    from documents.models import Document

    ids = {int(token) for token, _ in asked}
    pending = (Document.Status.QUEUED, Document.Status.RENDERING)
    deadline = time.monotonic() + grace
    while True:
        statuses = dict(Document.objects.filter(pk__in=ids).values_list("pk", "status"))
        if time.monotonic() > deadline or not any(statuses.get(i) in pending for i in ids):
            return statuses
        time.sleep(2)


def report_documents(asked: list[tuple[str, list[str]]], made: dict[int, str], enabled: bool) -> int:
    """Checks that every document asked for was made; returns how many were not."""
    from documents.models import Document

    if not enabled:
        print("\nDocuments: none asked for (no REDIS_URL, so no worker to make them)")
        return 0
    if not asked:
        print("\nDocuments: nobody asked for one this time")
        return 0
    ids = {int(token) for token, _ in asked}
    kinds = Counter(extra[0] if extra else "?" for _, extra in asked)
    ready = {i for i in ids if made.get(i) == Document.Status.READY}
    print(
        f"\nAsked for {plural(len(asked), 'document')} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items())) or 'none'}; "
        f"{len(ids)} different: asking again for unchanged data gives the same one); made {len(ready)}"
    )
    for i in sorted(ids - ready):
        print(f"  NOT MADE: document {i} is {made.get(i, 'missing')}")
    return len(ids - ready)


def report_xlsx(work: Path, is_a_job: bool) -> None:
    """The XLSX exports (Celery jobs): how many were asked for and seen ready."""
    if not is_a_job:
        print(
            "\nXLSX exports: not asked for (action_plan_xlsx answers GET only: the Celery export is not in yet)"
        )
        return
    got = accepted(work)
    print(
        f"\nXLSX exports asked for as jobs: {len(got['xlsx'])}; seen ready to download by the simulated users: "
        f"{len(got['xlsx-ready'])}"
    )


class Worker:
    """A Celery worker taking the run's own queue (CELERY_QUEUE), started and stopped around a block: the
    documents asked for are made there, as in production, not in the web processes."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        celery = Path(sys.executable).with_name("celery")
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [
                *(str(celery), "-A", "scr_portal", "worker", "-P", "prefork", "-c", "1"),
                *("--loglevel", "INFO", "-n", f"{os.environ['CELERY_QUEUE']}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env=server_env(),
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited; see {self.log}")
            if " ready." in self.log.read_text(errors="replace"):
                return self
            time.sleep(0.5)
        raise RuntimeError(f"the Celery worker was not ready within 60 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: the task in hand is finished first
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def errors(self) -> list[str]:
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if re.search(r"ERROR/|CRITICAL/|Traceback", line)]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":
    sys.exit(main())

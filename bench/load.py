"""The load run of issue 8: simulated people of several roles browse the portal and post comments and
progress updates for a bounded time, on loopback only; then the run checks that the server logged no error
and that every post the portal accepted is in the database.

    DATABASE_URL=postgres://... .venv/bin/python -m bench.load [--users 50] [--time 2m]

Picks the people (business managers, chairs, board members and lead reviewers of the boards with the most
reviews, the largest first) and the pages each may use from the database, starts gunicorn (bench.server)
and runs locust headless in a process of its own (bench/locustfile.py; locust patches the standard
library with gevent). Exits non-zero on any failed request, server error or lost post."""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
from collections import Counter
from itertools import chain, islice, zip_longest
from pathlib import Path
from urllib.parse import urlencode

from bench.server import PASSWORD, ROOT, Server, server_env

CAP = 12  # pages of each kind a person's simulated user goes to
HEAVY = 3  # of which the biggest (most actions, most comments) come first
CANDIDATES = 100  # rows read per kind and person before sampling
MIN_BOARDS = 3
LATENCIES = ("50%", "90%", "95%", "99%", "max")


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
    os.environ.update(server_env())
    import django

    django.setup()

    run = secrets.token_hex(4)
    work = Path(tempfile.mkdtemp(prefix=f"scr-load-{run}-"))
    people = pick_people(args.users)
    if not people:
        print(
            "No business managers, chairs, board members or lead reviewers in the database.", file=sys.stderr
        )
        return 2
    plan = {"run": run, "password": args.password, "pages": fixed_pages(), "people": people}
    (work / "plan.json").write_text(json.dumps(plan, indent=1))
    describe(args, people, work)

    with Server(workers=args.workers, threads=args.threads, log=work / "gunicorn.log") as server:
        locust = run_locust(args, server.url(""), work)
    server_errors = server.server_errors()

    results_file = work / "results.json"
    if not results_file.exists():
        print(f"locust ended (exit code {locust}) without statistics; see {work / 'locust.log'}")
        print(tail(work / "locust.log"))
        return 1
    failures = report_requests(json.loads(results_file.read_text()))
    report_locust_notes(work / "locust.log")
    report_server_errors(server_errors, server.log)
    lost, posted = report_posts(run, work)
    ok = not failures and not server_errors and not lost and posted
    print(f"\nResult: {'PASS' if ok else 'FAIL'} (files in {work})")
    return 0 if ok else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated users (default 50)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per second (default 10)")
    parser.add_argument("--time", default="2m", help="how long the load lasts, e.g. 30s or 2m (default 2m)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (default 2)")
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
        {"email": user.email, "role": role, "board": board.name, "targets": targets_for(user)}
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


def fixed_pages() -> dict[str, str]:
    from django.urls import reverse

    return {
        "login": reverse("login"),
        "home": reverse("home"),
        "review_list": reverse("review_list"),
        "notifications": reverse("notification_list"),
    }


def targets_for(user) -> dict:
    """The pages this person may open and the forms they may post, found with the portal's own rules."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils import timezone

    from commissioning.models import ToRSection, ToRVersion
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
        "action_plans": [reverse("action_plan", args=[r.pk]) for r in some(list(plans[:CANDIDATES]))],
        "action_pages": [reverse("action_detail", args=list(a)) for a in some(list(actions))],
        "board_action_plans": [
            reverse("board_action_plan", args=[b.pk])
            for b in boards_visible_to(user).order_by("name")
            if can(user, "view_action_plan", b)
        ][:CAP],
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
    }


def describe(args: argparse.Namespace, people: list[dict], work: Path) -> None:
    roles = Counter(p["role"] for p in people)
    boards = sorted({p["board"] for p in people})
    posting = sum(bool(p["targets"]["comment_targets"] or p["targets"]["progress_targets"]) for p in people)
    print(
        f"{args.users} simulated users for {args.time} (spawn rate {args.spawn_rate:g}/s) as {len(people)} people: "
        + ", ".join(
            f"{n} {role.replace('_', ' ')}{'s' if n != 1 else ''}" for role, n in sorted(roles.items())
        )
    )
    print(f"  from {len(boards)} boards ({', '.join(boards)}); {posting} of them may post")
    print(f"  gunicorn {args.workers} workers x {args.threads} threads on loopback; plan and logs in {work}")


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
    env = dict(os.environ, LOAD_PLAN=str(work / "plan.json"), LOAD_OUTPUT=str(work))
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


def report_server_errors(lines: list[str], log: Path) -> None:
    print(f"\nServer errors in gunicorn's log: {len(lines) or 'none'}")
    for line in lines[:20]:
        print(f"  {line}")
    if lines:
        print(f"  (full log: {log})")


def report_posts(run: str, work: Path) -> tuple[int, int]:
    """Checks that every post the portal accepted is in the database; returns (lost, posted)."""
    from commissioning.models import ToRComment
    from responses.models import ActionUpdate

    accepted: dict[str, set[str]] = {"comment": set(), "update": set()}
    for file in work.glob("accepted-*.txt"):
        for line in file.read_text().splitlines():
            kind, token = line.split()
            accepted[kind].add(token)
    token = re.compile(rf"load-{run}-\d+-\d+")
    marker = f"load-{run}-"
    stored = {
        "comment": ToRComment.objects.filter(text__contains=marker).values_list("text", flat=True),
        "update": ActionUpdate.objects.filter(text__contains=marker).values_list("text", flat=True),
    }
    found = {
        kind: set(chain.from_iterable(token.findall(text) for text in texts))
        for kind, texts in stored.items()
    }
    comments, updates = accepted["comment"], accepted["update"]
    print(
        f"\nPosted {len(comments)} comments, {len(updates)} progress updates; found "
        f"{len(comments & found['comment'])}, {len(updates & found['update'])} in the database"
    )
    lost = 0
    for kind, label in (("comment", "comments"), ("update", "progress updates")):
        missing = sorted(accepted[kind] - found[kind])
        unanswered = found[kind] - accepted[kind]
        lost += len(missing)
        if missing:
            print(f"  LOST {len(missing)} {label}: {', '.join(missing[:10])}")
        if unanswered:
            print(
                f"  {len(unanswered)} more {label} saved without the simulated user seeing it confirmed (cut off, e.g. at the end)"
            )
    posted = len(comments) + len(updates)
    if not posted:
        print("  Nothing was posted, so nothing could be checked.")
    return lost, posted


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


if __name__ == "__main__":
    sys.exit(main())

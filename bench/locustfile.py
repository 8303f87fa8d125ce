"""The simulated people of the load run (issues 8 and 17), for locust. Start it through `python -m bench.load`,
which picks the people and their pages from the database, writes them to the JSON file LOAD_PLAN names,
starts the portal (and a Celery worker) and reads back what was written.

Each simulated user takes the next slot of the plan (a person; people are used again in turn when there
are more users) and signs in through the real form, then keeps choosing a weighted step among those the
person's targets allow: browsing pages; posting a comment on the terms of reference or a progress update on
an action; changing an action's status through the real status form, to a move the workflow allows from
the status the form shows (each action is moved by one simulated user only, so none is told that someone
else moved it first); exporting an action plan as CSV, read to the last byte; asking for a document (the
terms of reference or a board pack) and waiting on its page, as the page's own polling does, until it is
made. Every posted text carries a unique token; the token of each post and status change the portal
accepted, and the id of each document asked for, is written to a file under LOAD_OUTPUT, so the run can
check afterwards that each one is in the database. When locust quits, the final statistics go to
results.json beside them (locust's own CSV files are written every second, so they can miss the last
requests).

Reads no Django: locust patches the standard library with gevent, so it runs in a process of its own; what
it reads from pages and sends back is worked out in bench/steps.py, which the tests check too."""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.clients import LocustHttpAdapter
from locust.exception import CatchResponseError, StopUser
from urllib3.util import Retry

from bench.steps import (
    CSRF,
    DOWNLOAD,
    choose_move,
    csv_problem,
    document_asked,
    form_errors,
    status_change,
    status_form,
    usable,
)

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
OUT = Path(os.environ["LOAD_OUTPUT"])
ACCEPTED = OUT / f"accepted-{os.getpid()}.txt"
PAGES = PLAN["pages"]
MOVES: dict[str, list[str]] = PLAN["moves"]
DEFERRED = set(PLAN["deferred"])
DOCUMENT_WAIT = 120  # seconds a person waits on a document's page before leaving it (it is still made)
POLL = 2  # seconds between looks at the document's status, as the page's own polling does
XLSX_WEIGHT = 2  # the XLSX export step's weight (0 while action_plan_xlsx answers no POST)

_next_slot = itertools.cycle(PLAN["slots"])
_next_token = itertools.count(1)

# Like a browser, a page request sent on a kept-alive connection that the server closed meanwhile (gunicorn
# closes idle ones after a few seconds) is sent again once; urllib3 logs each such retry, and bench.load
# counts them. Posts are never resent.
RESEND_ON_CLOSED = Retry(total=1, connect=1, read=1, status=0, other=0, redirect=0)


def new_token() -> str:
    """A text no other post of any run carries: the run's id, this process and a counter."""
    return f"load-{PLAN['run']}-{os.getpid()}-{next(_next_token)}"


def record_accepted(kind: str, token: str, *extra: str) -> None:
    """Appends the token at once, so a run cut short still leaves every accepted post listed."""
    with ACCEPTED.open("a") as file:
        file.write(" ".join((kind, token, *extra)) + "\n")


def status(response) -> str:
    """The HTTP status, or the connection error when there was no answer (locust's status 0)."""
    if response.status_code == 0:
        return f"no answer: {type(response.error).__name__}: {response.error}"
    return f"HTTP {response.status_code}"


_environment = []


@events.init.add_listener
def remember_environment(environment, **_) -> None:
    _environment.append(environment)


def message(error) -> str:
    """What went wrong, without the wrapper locust puts around the failures this file reports."""
    if isinstance(error.error, CatchResponseError):
        return str(error.error)
    return error.parse_error(error.error)


@events.quit.add_listener
def write_results(exit_code: int, **_) -> None:
    """The final statistics, failures and locustfile exceptions, for bench.load to print."""
    environment = _environment[0]
    stats = environment.stats

    def entry(e) -> dict:
        times = {
            f"{p:.0%}": e.get_response_time_percentile(p) if e.num_requests else 0
            for p in (0.5, 0.9, 0.95, 0.99)
        }
        return {
            "name": e.name,
            "method": e.method,
            "requests": e.num_requests,
            "failures": e.num_failures,
            "rps": e.total_rps,
            "ms": times | {"max": round(e.max_response_time)},
        }

    results = {
        "exit_code": exit_code,
        "total": entry(stats.total),
        "entries": [entry(e) for e in stats.entries.values()],
        "errors": [
            {
                "method": e.method,
                "name": e.name,
                "error": message(e),
                "occurrences": e.occurrences,
            }
            for e in stats.errors.values()
        ],
        "exceptions": [
            {"count": e["count"], "message": e["msg"], "traceback": e["traceback"]}
            for e in (environment.runner.exceptions.values() if environment.runner else ())
        ],
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=1))


class Person(HttpUser):
    """One person of the plan: a business manager, chair, board member or lead reviewer."""

    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.mount("http://", LocustHttpAdapter(None, max_retries=RESEND_ON_CLOSED))
        slot = next(_next_slot)
        self.person = PLAN["people"][slot["person"]]
        self.targets = {**self.person["targets"], "status_targets": slot["status_targets"]}
        # The status each of this user's actions was last seen at (no one else moves them).
        self.known = {t["form"]: t["status"] for t in slot["status_targets"]}
        if not PLAN["documents"]:
            self.targets["document_targets"] = []
        self.sign_in()

        def one_of(target: str, name: str) -> Callable[[], object]:
            """A step that opens one of the person's pages listed under `target`."""
            return lambda: self.get(random.choice(self.targets[target]), name)

        steps = [
            (10, self.home, None),
            (8, self.review_list, None),
            (4, self.review_list_filtered, "review_filters"),
            (2, self.review_list_page_2, "review_list_page_2"),
            (10, one_of("review_pages", "review page"), "review_pages"),
            (3, one_of("commissioning_pages", "commissioning page"), "commissioning_pages"),
            (4, one_of("tor_comments_pages", "ToR comments page"), "tor_comments_pages"),
            (5, one_of("action_plans", "action plan"), "action_plans"),
            (5, one_of("action_pages", "action page"), "action_pages"),
            (3, one_of("board_action_plans", "board action plan"), "board_action_plans"),
            (4, self.notifications, None),
            (4, self.post_tor_comment, "comment_targets"),
            (4, self.post_progress_update, "progress_targets"),
            (4, self.change_status, "status_targets"),
            (3, self.export_csv, "csv_exports"),
            (XLSX_WEIGHT if PLAN["xlsx_is_a_job"] else 0, self.export_xlsx, "xlsx_exports"),
            # Only business managers ask for documents, and they are a tenth of the people: a weight that
            # has each ask every minute or two.
            (6, self.ask_for_document, "document_targets"),
        ]
        possible = [
            (weight, step)
            for weight, step, needs in steps
            if weight and (needs is None or self.targets[needs])
        ]
        self.weights = [weight for weight, _ in possible]
        self.steps = [step for _, step in possible]

    @task
    def act(self) -> None:
        random.choices(self.steps, self.weights)[0]()

    # Signing in ----------------------------------------------------------------------------------------

    def sign_in(self) -> None:
        login = PAGES["login"]
        page = self.get(login, "sign-in page")
        token = CSRF.search(page or "")
        if not token:
            raise StopUser
        with self.client.post(
            login,
            data={
                "csrfmiddlewaretoken": token[1],
                "username": self.person["email"],
                "password": PLAN["password"],
            },
            headers={"Referer": self.client.base_url + login},
            allow_redirects=False,
            name="sign in",
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code != 302:
                response.failure(f"sign-in refused: {status(response)}")
                raise StopUser
            if where != PAGES["home"]:
                response.failure(f"signed in but sent to {where}")
                raise StopUser

    # Browsing ------------------------------------------------------------------------------------------

    def get(self, path: str, name: str) -> str | None:
        """The page's HTML, or None after marking the request failed (an error, or sent to sign in)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(status(response))
                return None
            if urlsplit(response.url).path == PAGES["login"] and path != PAGES["login"]:
                response.failure("sent to the sign-in page")
                return None
            return response.text

    def home(self) -> None:
        self.get(PAGES["home"], "home")

    def review_list(self) -> None:
        self.get(PAGES["review_list"], "review list")

    def review_list_filtered(self) -> None:
        self.get(
            f"{PAGES['review_list']}?{random.choice(self.targets['review_filters'])}", "review list, filtered"
        )

    def review_list_page_2(self) -> None:
        self.get(f"{PAGES['review_list']}?page=2", "review list, page 2")

    def notifications(self) -> None:
        self.get(PAGES["notifications"], "notifications")

    # Posting -------------------------------------------------------------------------------------------

    def post_tor_comment(self) -> None:
        target = random.choice(self.targets["comment_targets"])
        token = new_token()
        self.post_form(
            target,
            form_name="ToR comment form",
            post_name="post ToR comment",
            done_name="ToR comments page",
            kind="comment",
            token=token,
            data={"text": f"Could this section say more about the health visitors' part? ({token})"},
        )

    def post_progress_update(self) -> None:
        target = random.choice(self.targets["progress_targets"])
        token = new_token()
        today = date.today()
        self.post_form(
            target,
            form_name="progress update form",
            post_name="post progress update",
            done_name="action page",
            kind="update",
            token=token,
            data={
                "on_0": today.day,
                "on_1": today.month,
                "on_2": today.year,
                "text": f"Training sessions held for the duty team; audit booked next month. ({token})",
                "status": "",
            },
        )

    def post_form(self, target: dict, *, form_name, post_name, done_name, kind, token, data) -> None:
        """Opens the form, posts it, and follows the redirect as a browser would. Accepted means a redirect
        to the page the view sends people to on success; the form shown again is a refused payload."""
        page = self.get(target["form"], form_name)
        csrf = CSRF.search(page or "")
        if not csrf:
            return
        with self.client.post(
            target["form"],
            data={"csrfmiddlewaretoken": csrf[1], **data},
            headers={"Referer": self.client.base_url + target["form"]},
            allow_redirects=False,
            name=post_name,
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 200:
                response.failure(f"refused: {form_errors(response.text)}")
                return
            if response.status_code not in (302, 303):
                response.failure(status(response))
                return
            if where != target["done"]:
                response.failure(f"sent to {where} instead of the page that confirms the post")
                return
            record_accepted(kind, token)
        self.get(target["done"], done_name)

    # Changing a status ---------------------------------------------------------------------------------

    def change_status(self) -> None:
        """Opens an action's status form, picks a move the form offers and the workflow allows from the
        status it shows, and sends it with a note carrying the token. Accepted means sent back to the
        action's page; the status the form showed is remembered, so an action with no move left is not
        opened again."""
        targets = [t for t in self.targets["status_targets"] if usable(self.known[t["form"]], MOVES)]
        if not targets:
            self.home()  # every action of this user has gone as far as the run takes it
            return
        target = random.choice(targets)
        page = self.get(target["form"], "status form")
        seen, offered = status_form(page or "")
        csrf = CSRF.search(page or "")
        move = choose_move(seen, offered, MOVES, rarely=DEFERRED)
        self.known[target["form"]] = seen
        if not csrf or move is None:
            return
        token = new_token()
        data = status_change(seen=seen, target=move, token=token, deferring=move in DEFERRED)
        with self.client.post(
            target["form"],
            data={"csrfmiddlewaretoken": csrf[1], **data},
            headers={"Referer": self.client.base_url + target["form"]},
            allow_redirects=False,
            name="change status",
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code == 200:
                response.failure(f"refused: {form_errors(response.text)}")
                return
            if response.status_code not in (302, 303):
                response.failure(status(response))
                return
            if where != target["done"]:
                response.failure(f"sent to {where} instead of the action's page")
                return
            record_accepted("status", token, move)
            self.known[target["form"]] = move
        self.get(target["done"], "action page")

    # Exports -------------------------------------------------------------------------------------------

    def export_csv(self) -> None:
        """Downloads a plan's CSV export, every byte of it (the time counted is to the last byte)."""
        export = random.choice(self.targets["csv_exports"])
        with self.client.get(export["url"], name=export["name"], catch_response=True) as response:
            if response.status_code != 200:
                response.failure(status(response))
                return
            problem = csv_problem(response.headers.get("Content-Type", ""), response.content)
            if problem:
                response.failure(problem)

    def export_xlsx(self) -> None:
        """The XLSX export, a Celery job (weight 0 unless `action_plan_xlsx` answers a POST, see
        bench.load.xlsx_export_is_a_job): asks for the export with a POST from the plan's page,
        follows the redirect to the page that shows the job, and looks at it every POLL seconds, as that
        page would, until it offers the file (a link to an .xlsx, or htmx's stop-polling status 286) or
        DOCUMENT_WAIT has passed, then downloads the file."""
        export = random.choice(self.targets["xlsx_exports"])
        page = self.get(export["page"], "action plan")
        csrf = CSRF.search(page or "")
        if not csrf:
            return
        with self.client.post(
            export["post"],
            data={"csrfmiddlewaretoken": csrf[1]},
            headers={"Referer": self.client.base_url + export["page"]},
            allow_redirects=False,
            name="ask for XLSX export",
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            if response.status_code not in (302, 303) or not where:
                response.failure(f"no redirect to the export's page: {status(response)}")
                return
            token = new_token()
            record_accepted("xlsx", token, where)
        deadline = time.monotonic() + DOCUMENT_WAIT
        while time.monotonic() < deadline:
            with self.client.get(where, name="XLSX export page (poll)", catch_response=True) as response:
                if response.status_code not in (200, 286):
                    response.failure(status(response))
                    return
                response.success()
                ready = DOWNLOAD.search(response.text)
                if response.status_code == 286 or ready:
                    record_accepted("xlsx-ready", token)
                    if ready:
                        self.download_xlsx(ready[1])
                    return
            time.sleep(POLL)

    def download_xlsx(self, path: str) -> None:
        """The ready file, read to the end: an Excel file is a zip, so it starts "PK"."""
        with self.client.get(path, name="XLSX export download", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(status(response))
            elif not response.content.startswith(b"PK"):
                response.failure("not an Excel file")

    # Documents -----------------------------------------------------------------------------------------

    def ask_for_document(self) -> None:
        """Asks for a document from the review's documents page, then waits on the document's page, looking
        at its status every POLL seconds as the page does, until it is made (or DOCUMENT_WAIT has passed:
        the run checks afterwards that every document asked for was made)."""
        target = random.choice(self.targets["document_targets"])
        page = self.get(target["list"], "documents page")
        csrf = CSRF.search(page or "")
        if not csrf:
            return
        with self.client.post(
            target["make"],
            data={"csrfmiddlewaretoken": csrf[1], **target["data"]},
            headers={"Referer": self.client.base_url + target["list"]},
            allow_redirects=False,
            name=f"ask for {target['label']}",
            catch_response=True,
        ) as response:
            where = urlsplit(response.headers.get("Location", "")).path
            document = document_asked(where)
            if response.status_code not in (302, 303) or document is None:
                response.failure(f"not sent to the document's page: {status(response)} {where}")
                return
            record_accepted("document", str(document), target["label"].replace(" ", "-"))
        self.get(where, "document page")
        deadline = time.monotonic() + DOCUMENT_WAIT
        while time.monotonic() < deadline:
            time.sleep(POLL)
            with self.client.get(
                where + "status/", name="document status (poll)", catch_response=True
            ) as response:
                if response.status_code == 286:  # made, or failed: the page stops polling
                    if "could not be made" in response.text:
                        response.failure("the document could not be made")
                    else:
                        response.success()
                    return
                if response.status_code != 200:
                    response.failure(status(response))
                    return

"""What the load run's simulated people read from the portal's pages and choose to send back: plain functions
of a page's HTML and the run's plan, with neither locust nor Django, so that bench/locustfile.py (which
locust loads, patching the standard library with gevent) and the tests share them.

A status change goes through the real status form: the person opens it, reads the status it shows (the
hidden `seen_status`) and the moves it offers (the `status` radios), picks one the plan allows from that
status (the action workflow's moves, less those that need an evidence file), and sends it with a note that
carries the run's token; deferring also gives a reason and a date a month ahead."""

from __future__ import annotations

import html
import random
import re
from datetime import date, timedelta

INPUT = re.compile(r"<input\b([^>]*)>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# An Excel export's page once the file is made: the link to download it.
DOWNLOAD = re.compile(r'href="(/exports/\d+/download/)"')
ERROR_SUMMARY = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)
DOCUMENT = re.compile(r"/reviews/(\d+)/documents/(\d+)/$")
DEFER_FOR = timedelta(days=30)


def inputs(page: str) -> list[dict[str, str]]:
    """The attributes of every <input> of the page."""
    return [
        {name: html.unescape(value) for name, value in ATTRIBUTE.findall(tag)} for tag in INPUT.findall(page)
    ]


def status_form(page: str) -> tuple[str | None, list[str]]:
    """(the status the form was shown for, the statuses it offers to move to), from the status form's page."""
    fields = inputs(page)
    seen = next((f.get("value") for f in fields if f.get("name") == "seen_status"), None)
    offered = [f["value"] for f in fields if f.get("name") == "status" and f.get("type") == "radio"]
    return seen or None, offered


def choose_move(
    seen: str | None,
    offered: list[str],
    moves: dict[str, list[str]],
    rng: random.Random | None = None,
    *,
    rarely: frozenset[str] | set[str] = frozenset(),
) -> str | None:
    """A status to move to: one the form offers that the plan allows from the status shown, or None. Moves
    to a status in `rarely` (deferring) are picked a quarter as often as the others (moving on)."""
    allowed = [s for s in offered if s in moves.get(seen or "", ())]
    if not allowed:
        return None
    return (rng or random).choices(allowed, [1 if s in rarely else 4 for s in allowed])[0]


def usable(status: str | None, moves: dict[str, list[str]]) -> bool:
    """Whether an action last seen at `status` can still be moved by the load run."""
    return bool(moves.get(status or ""))


def status_change(
    *, seen: str, target: str, token: str, deferring: bool, today: date | None = None
) -> dict[str, str | int]:
    """The status form's fields for moving from `seen` to `target`, the note carrying `token`."""
    data: dict[str, str | int] = {
        "seen_status": seen,
        "status": target,
        "text": f"Moved on at the sub-group's monthly review of the plan. ({token})",
    }
    if deferring:
        until = (today or date.today()) + DEFER_FOR
        data.update(
            {
                "deferred_reason": f"Waiting for the partnership's new threshold document. ({token})",
                "deferred_until_0": until.day,
                "deferred_until_1": until.month,
                "deferred_until_2": until.year,
            }
        )
    return data


def document_asked(location: str) -> int | None:
    """The id of the document a redirect after asking for one leads to (its page), or None."""
    match = DOCUMENT.search(location)
    return int(match[2]) if match else None


def csv_problem(content_type: str, body: bytes) -> str:
    """Why an export is not a whole CSV file ("" when it is): the type, a header row, the last line whole."""
    if not content_type.startswith("text/csv"):
        return f"not a CSV file: {content_type or 'no content type'}"
    if body.count(b"\n") < 1:
        return "no header row"
    if not body.endswith(b"\n"):
        return "cut short: the last line does not end"
    return ""


def form_errors(page: str) -> str:
    """The messages of a form page's error summary (what the portal refused in the payload)."""
    summary = ERROR_SUMMARY.search(page)
    if not summary:
        return "the form was shown again without an error summary"
    items = [
        html.unescape(re.sub(r"<[^>]+>", "", li)).strip()
        for li in re.findall(r"<li>(.*?)</li>", summary[1], re.S)
    ]
    return "; ".join(items) or "the form was shown again with an empty error summary"

"""The exports of the largest board's action plan, as the page benchmark times them.

- CSV: the download over HTTP through gunicorn, as the business manager asks for it, timed to the last
  byte (and to the first, which tells whether it streams); its ratio is to the baseline page's median in
  the same run (limit CSV_LIMIT).
- XLSX task: `responses.actions.export.write_xlsx(actions, out, *, title, progress=None)`, what the export
  task runs, on the plan's rows read as a task reads them (`selectors.for_export(...).iterator()`), timed
  in this process with the reading included; against openpyxl's own floor in the same run: a
  `Workbook(write_only=True)` writing the same cell values, already read into a list, to the same kind of
  file (limit XLSX_LIMIT). Until that function exists, "not measured".
- XLSX start: the web request that starts an XLSX export, when a URL for it answers POST (a form on the
  board plan page that posts to an address with "xlsx" in it, else the plan's XLSX address itself). It
  must answer within XLSX_START_LIMIT_S seconds. n/a when nothing answers POST (405).

The XLSX and the CSV read Django at import: import this module only once Django is set up."""

from __future__ import annotations

import statistics
import tempfile
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bench import figures
from responses.actions import export, selectors

# CSV over HTTP --------------------------------------------------------------------------------------


def csv_download(session, url: str, *, runs: int) -> dict:
    """`runs` downloads of `url`: time to first and to last byte, size, and whether it came streamed (no
    Content-Length: the server did not know the size before sending)."""
    first, last, sizes, statuses, streamed = [], [], [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        with session.get(url, stream=True, allow_redirects=False, timeout=600) as response:
            size, first_at = 0, None
            for chunk in response.iter_content(chunk_size=65536):
                if first_at is None:
                    first_at = time.perf_counter() - started
                size += len(chunk)
            last.append(time.perf_counter() - started)
            first.append(first_at if first_at is not None else last[-1])
            sizes.append(size)
            statuses.append(response.status_code)
            streamed.append("Content-Length" not in response.headers)
    return {
        "url": url,
        "runs": runs,
        "statuses": statuses,
        "first_byte_s": first,
        "last_byte_s": last,
        "median_last_byte_s": statistics.median(last),
        "median_first_byte_s": statistics.median(first),
        "bytes": max(sizes),
        "streamed": all(streamed),
    }


# XLSX: the task against openpyxl's floor --------------------------------------------------------------


def _plain(value):
    """A cell's value as the export stores it: text formula-safe and without the characters a workbook
    cannot hold; dates, numbers and empty cells as they are."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", export.neutralise(value))
    return value


def plain_values(actions) -> list[list]:
    """The plan's cell values as the export stores them (export.rows, text made formula-safe), read into a
    list: the floor's input, so the floor writes the same cells (and never a formula)."""
    return [[_plain(v) for v in row] for row in export.rows(selectors.for_export(actions))]


def floor_xlsx(values: list[list], out) -> int:
    """openpyxl alone: a write-only workbook of the header and `values`, saved to `out`; rows written."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Action plan")
    sheet.append([column.header for column in export.COLUMNS])
    for row in values:
        sheet.append(row)
    book.save(out)
    return len(values)


def xlsx_task(actions, *, title: str, runs: int) -> dict:
    """The export function on `actions` (read with .iterator(), as a task would) against the floor on the
    same rows, alternately, `runs` times each; or not measured when the function does not exist yet."""
    write_xlsx = getattr(export, "write_xlsx", None)
    values = plain_values(actions)
    floor, task, rows_written = [], [], []
    for number in range(runs):
        steps = ["floor", "task"] if number % 2 == 0 else ["task", "floor"]
        for step in steps:
            if step == "task" and write_xlsx is None:
                continue
            with tempfile.TemporaryFile() as out:
                started = time.perf_counter()
                if step == "floor":
                    floor_xlsx(values, out)
                    floor.append(time.perf_counter() - started)
                else:
                    # As the task reads them: selectors.for_export streams the plan in chunks.
                    rows_written.append(write_xlsx(selectors.for_export(actions), out, title=title))
                    task.append(time.perf_counter() - started)
    floor_s = statistics.median(floor)
    result = {
        "rows": len(values),
        "runs": runs,
        "floor_s": floor,
        "median_floor_s": floor_s,
    }
    if write_xlsx is None:
        return {**result, "measured": False, "result": figures.NOT_MEASURED, "why": "write_xlsx missing"}
    task_s = statistics.median(task)
    ratio = figures.ratio(task_s, floor_s)
    verdict = figures.within(ratio, figures.XLSX_LIMIT)
    if any(n != len(values) for n in rows_written):
        verdict = figures.ERROR
    return {
        **result,
        "measured": True,
        "task_s": task,
        "median_task_s": task_s,
        "rows_written": rows_written,
        "ratio": ratio,
        "result": verdict,
    }


# XLSX: the request that starts it ---------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page: their action, method and the named inputs' values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._open)
        elif self._open is not None and attrs.get("name") and _sends(tag, attrs):
            self._open["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def _sends(tag: str, attrs: dict) -> bool:
    """Whether a form sends this element's value as it stands: a hidden input, or a submit button."""
    if tag == "button":
        return True
    return tag == "input" and (attrs.get("type") or "text").lower() in ("hidden", "submit")


def export_form(html: str, page_url: str) -> tuple[str, dict] | None:
    """The first form of the page that posts to an address with "xlsx" in it: its absolute URL and the
    fields it sends; None when there is none."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["method"] == "post" and "xlsx" in form["action"].lower():
            return urljoin(page_url, form["action"]), form["fields"]
    return None


def xlsx_start(session, page_url: str, xlsx_url: str, *, eager: bool) -> dict:
    """Times the POST that starts an XLSX export of the plan at `page_url`. `eager`: tasks run inside the
    request (no REDIS_URL), so the figure would include the task itself."""
    page = session.get(page_url, timeout=120)
    found = export_form(page.text, page_url)
    url, fields = found if found else (xlsx_url, {})
    token = fields.get("csrfmiddlewaretoken") or session.cookies.get("csrftoken", "")
    data = {**fields, "csrfmiddlewaretoken": token}
    started = time.perf_counter()
    response = session.post(
        url,
        data=data,
        headers={"Referer": page_url, "X-CSRFToken": token},
        allow_redirects=False,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    result = {"url": url, "form_on_page": found is not None, "status": response.status_code, "eager": eager}
    if response.status_code == 405:
        allow = response.headers.get("Allow", "")
        return {
            **result,
            "result": figures.NOT_APPLICABLE,
            "why": f"the XLSX address answers only {allow or 'other methods'}",
        }
    if not 200 <= response.status_code < 400:
        return {**result, "seconds": seconds, "result": figures.ERROR}
    return {**result, "seconds": seconds, "result": figures.within(seconds, figures.XLSX_START_LIMIT_S)}

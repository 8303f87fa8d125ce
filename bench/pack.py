"""The board pack benchmark: a pack of about 100 pages, made as the product makes it, against WeasyPrint
rendering the same HTML alone (the renderer's floor), each render in a fresh process.

Which pack. `seed_scale` gives one review a big plan (500 actions and 40 findings at national scale: a
153-page pack) and every other review a few dozen items (20 pages or so), so no review's whole pack is
near 100 pages. The pack measured is that of the review with the most findings and actions, its proposed
actions cut to the first N in the pack's own order (by priority, then due date), N chosen so the pack has
about 100 pages: two layouts of the same pack, with no actions and with PROBE_ACTIONS of them, in a fresh
process, give the pages the rest of the pack takes and the pages per action; N follows by a straight line.
When the whole pack is 100 pages or fewer (a small dataset) it is measured whole. Nothing else in the pack
is cut: findings, learning, engagement, self-checks and sign-off are all there.

Each run: the HTML is prepared here as the request path does (`documents.render.prepare`, timed: SQL and
templates), then rendered to PDF by `documents.render.pdf_from_html` (what the document worker runs) in a
fresh process, and by WeasyPrint alone in another fresh process: `HTML(string=html, base_url=BASE_URL,
url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)`, the same base URL, fetcher (so the same
stylesheets and fonts) and tagging the product uses. Both children load Django and WeasyPrint before
their clock starts, as a worker that has been running has; the runs alternate which goes first.

The pack's time is prepare (wall clock: it waits on PostgreSQL) + render; its ratio is to the floor's
render. Renders are compared by the CPU time of their process (time.process_time): WeasyPrint is
single-threaded and reads nothing but our static files, so on an idle machine that is its wall time, and
unlike wall time it does not count the time other people's processes held the CPU (on the shared
two-core machine the same render's wall time varied from 4 to 11 s). Even CPU time varies by a third
when the other core is busy (shared caches), and noise only ever adds: the verdict compares the quickest
run of each (prepare, render, floor); every run, medians and wall times are reported as well.
Peak memory is the product child's own peak resident set (VmHWM; see `peak_mb`), Django and WeasyPrint
included. Nothing
is stored: no document row, no file.

Django is imported inside the functions: the child processes import this module before Django is set up."""

from __future__ import annotations

import dataclasses
import io
import multiprocessing
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from unittest import mock

from bench.server import setup_django

TARGET_PAGES = 100
PROBE_ACTIONS = 150  # the second layout's actions (or all of them, when fewer)


# The pack's HTML, whole or with its actions cut ---------------------------------------------------------


def cut_actions(context: dict, keep: int | None) -> dict:
    """The board pack's context with only its first `keep` proposed actions (in the pack's order: the
    priority groups, then within each as listed); the whole context when `keep` is None."""
    if keep is None:
        return context
    groups, left = [], keep
    for group in context["action_groups"]:
        taken = group.actions[: max(left, 0)]
        left -= len(taken)
        if taken:
            groups.append(dataclasses.replace(group, actions=taken))
    return {**context, "action_groups": groups, "action_count": sum(len(g.actions) for g in groups)}


def prepare(review, keep: int | None):
    """`documents.render.prepare("board_pack", review)`, its actions cut to `keep` (None: whole)."""
    from documents import content, render

    whole = content.board_pack_context

    def context(of_review):
        return cut_actions(whole(of_review), keep)

    with mock.patch.object(content, "board_pack_context", context):
        return render.prepare("board_pack", review)


# In fresh processes ---------------------------------------------------------------------------------


def in_fresh_process(function, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def peak_mb(status: str = "/proc/self/status") -> float:
    """This process's own peak resident memory: VmHWM, the high-water mark of its address space. Not
    ru_maxrss: Linux carries the parent's peak over the exec of a spawned child (a child of a 300 MB
    process reports 300 MB before doing anything), so it would report the bench's memory, not the
    render's. ru_maxrss only where there is no /proc."""
    try:
        with open(status) as lines:
            for line in lines:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def layout_pages(htmls: list[str]) -> list[int]:
    """Child: the page count of each HTML as WeasyPrint lays it out with the product's fetcher."""
    setup_django()
    from weasyprint import HTML

    from documents.fetcher import BASE_URL, StaticOnlyFetcher

    return [
        len(HTML(string=h, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).render().pages) for h in htmls
    ]


def product_render(html: str) -> dict:
    """Child: the PDF as the document worker makes it (`documents.render.pdf_from_html`)."""
    setup_django()
    import weasyprint  # noqa: F401 - loaded before the clock, as in a running worker

    from documents import render

    loaded = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    rendered = render.pdf_from_html(html)
    cpu, seconds = time.process_time() - cpu, time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": rendered.pages,
        "pdf_bytes": len(rendered.pdf),
        "refused": list(rendered.refused),
        "peak_mb": peak_mb(),
        "loaded_mb": loaded,
    }


def floor_render(html: str) -> dict:
    """Child: WeasyPrint alone on the same HTML, with the product's base URL, fetcher and tagging."""
    setup_django()
    from pypdf import PdfReader
    from weasyprint import HTML

    from documents.fetcher import BASE_URL, StaticOnlyFetcher

    loaded = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)
    cpu, seconds = time.process_time() - cpu, time.perf_counter() - started
    peak = peak_mb()  # before reading the PDF back to count its pages
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "pdf_bytes": len(pdf),
        "peak_mb": peak,
        "loaded_mb": loaded,
    }


# Choosing the cut ----------------------------------------------------------------------------------


def actions_for(target: int, pages_without: int, pages_with: int, probe: int, total: int) -> int | None:
    """How many actions give a pack of about `target` pages, on the straight line through the two probe
    layouts (none: `pages_without`; `probe` actions: `pages_with`); None (the whole pack) when even all
    `total` actions give `target` pages or fewer."""
    if probe <= 0 or pages_with <= pages_without:
        return None
    per_action = (pages_with - pages_without) / probe
    keep = round((target - pages_without) / per_action)
    if keep >= total:
        return None
    return max(keep, 0)


def choose_cut(review, total_actions: int) -> tuple[int | None, dict]:
    """The number of actions to keep (None: all) for a pack of about TARGET_PAGES pages, and the probes."""
    probe = min(total_actions, PROBE_ACTIONS)
    htmls = [prepare(review, 0).html, prepare(review, probe).html]
    without, with_probe = in_fresh_process(layout_pages, htmls)
    probes = {"actions": [0, probe], "pages": [without, with_probe]}
    return actions_for(TARGET_PAGES, without, with_probe, probe, total_actions), probes


# The measurement ----------------------------------------------------------------------------------------


def measure(review, total_actions: int, total_findings: int, *, runs: int) -> dict:
    """The pack of `review` (cut to about TARGET_PAGES pages), made `runs` times as the product makes it and
    as WeasyPrint alone makes it, alternately, each render in a fresh process. Medians and every run."""
    keep, probes = choose_cut(review, total_actions)
    product, floor, prepares, html_sizes, versions = [], [], [], [], set()
    for number in range(runs):
        started = time.perf_counter()
        prepared = prepare(review, keep)
        prepares.append(time.perf_counter() - started)
        html_sizes.append(len(prepared.html.encode()))
        versions.add(prepared.data_version)
        # Alternate which goes first, so neither always runs on a machine the other has just warmed.
        order = [(product_render, product), (floor_render, floor)]
        for function, results in order if number % 2 == 0 else reversed(order):
            results.append(in_fresh_process(function, prepared.html))
    # The quickest run of each: the same work, so what the other runs took more is the machine's noise.
    prepare_s = min(prepares)
    render_s = min(r["cpu_seconds"] for r in product)
    floor_s = min(r["cpu_seconds"] for r in floor)
    render_wall = min(r["seconds"] for r in product)
    floor_wall = min(r["seconds"] for r in floor)
    return {
        "review": review.reference,
        "findings": total_findings,
        "actions": total_actions,
        "actions_kept": total_actions if keep is None else keep,
        "cut": keep is not None,
        "probes": probes,
        "runs": runs,
        "same_html_every_run": len(versions) == 1,
        "html_kb": statistics.median(html_sizes) / 1024,
        "pages": product[0]["pages"],
        "floor_pages": floor[0]["pages"],
        "prepare_seconds": prepare_s,
        "render_seconds": render_s,
        "pack_seconds": prepare_s + render_s,
        "floor_seconds": floor_s,
        "ratio": (prepare_s + render_s) / floor_s if floor_s else None,
        "render_ratio": render_s / floor_s if floor_s else None,
        "median_render_seconds": statistics.median(r["cpu_seconds"] for r in product),
        "median_floor_seconds": statistics.median(r["cpu_seconds"] for r in floor),
        "render_wall_seconds": render_wall,
        "floor_wall_seconds": floor_wall,
        "wall_ratio": (prepare_s + render_wall) / floor_wall if floor_wall else None,
        "peak_mb": max(r["peak_mb"] for r in product),
        "loaded_mb": max(r["loaded_mb"] for r in product),
        "floor_peak_mb": max(r["peak_mb"] for r in floor),
        "refused": sorted({url for r in product for url in r["refused"]}),
        "product_runs": product,
        "floor_runs": floor,
        "prepare_runs": prepares,
    }

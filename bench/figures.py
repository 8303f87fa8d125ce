"""The page benchmark's arithmetic, kept apart from Django and HTTP so it can be tested offline: the median
and 95th percentile of a list of times, ratios to the baseline, the verdicts and the plain-text table."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MEDIAN_LIMIT = 3.0  # a page's median, as a multiple of the baseline's median in the same column
P95_LIMIT = 5.0  # a page's 95th percentile, as a multiple of the baseline's in the same column
CSV_LIMIT = 10.0  # the board plan's CSV, time to last byte, as a multiple of the baseline's median
XLSX_LIMIT = 2.0  # the XLSX task, as a multiple of openpyxl's write-only floor on the same rows
XLSX_START_LIMIT_S = 1.0  # the web request that starts an XLSX export, in seconds
PACK_LIMIT = 1.2  # the board pack, as a multiple of WeasyPrint alone on the same HTML
PACK_MEMORY_LIMIT_MB = 500

PASS, FAIL, ERROR = "PASS", "FAIL", "ERROR"
NOT_MEASURED, NOT_APPLICABLE, BASELINE = "not measured", "n/a", "baseline"


@dataclass(frozen=True)
class Stats:
    """How many times were measured, their median and their 95th percentile (seconds)."""

    n: int
    median: float | None
    p95: float | None


def p95(times: Sequence[float]) -> float | None:
    """The 95th percentile, interpolated between the measured times (`inclusive`: it never lies outside
    them, so with few times it is near the slowest); the only time when there is one; None when none."""
    if not times:
        return None
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def summarize(times: Sequence[float]) -> Stats:
    return Stats(len(times), statistics.median(times) if times else None, p95(times))


def ratio(value: float | None, base: float | None) -> float | None:
    """`value` as a multiple of `base`; None when either is missing or the base is zero."""
    return None if value is None or not base else value / base


def page_verdict(median_ratio: float | None, p95_ratio: float | None, *, errors: int = 0) -> str:
    """A page's cell: PASS when its median is within MEDIAN_LIMIT and its p95 within P95_LIMIT of the
    baseline's in the same column; ERROR when a request failed or a figure is missing."""
    if errors or median_ratio is None or p95_ratio is None:
        return ERROR
    return PASS if median_ratio <= MEDIAN_LIMIT and p95_ratio <= P95_LIMIT else FAIL


def within(value: float | None, limit: float) -> str:
    """PASS when `value` is at most `limit`, FAIL above it, ERROR when there is no value."""
    if value is None:
        return ERROR
    return PASS if value <= limit else FAIL


def overall(verdicts: Iterable[str]) -> str:
    """PASS only when every verdict that was measured passed (or is a baseline); FAIL when any failed or
    erred. Items not measured, or with nothing to measure, do not pass or fail the run: the summary lists
    them."""
    seen = [v for v in verdicts if v not in (NOT_MEASURED, NOT_APPLICABLE, BASELINE)]
    return PASS if all(v == PASS for v in seen) else FAIL


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def times_x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def table(header: Sequence[str], lines: Sequence[Sequence[str]], left: Iterable[int] = (0, 1)) -> str:
    """Plain-text columns: those in `left` aligned left, the others (figures) right."""
    left = set(left)
    rows = [tuple(header), *(tuple(line) for line in lines)]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    out = []
    for row in rows:
        cells = [
            f"{cell:<{w}}" if i in left else f"{cell:>{w}}"
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)

"""The page benchmark's arithmetic (bench/figures.py) and how bench/pages.py turns timings into cells,
verdicts and the list of what failed: offline, no server, no database."""

from __future__ import annotations

import pytest

from bench import figures
from bench.pages import BASELINE, Cell, Page, Person, failing_items, page_figures, queries_text


def test_the_median_and_95th_percentile_of_known_times():
    times = [float(n) for n in range(1, 21)]  # 1 … 20
    stats = figures.summarize(times)
    assert stats.n == 20
    assert stats.median == 10.5
    # Inclusive method: the 19th of 20 cut points on 1 … 20, i.e. 1 + 19 * 19/20.
    assert stats.p95 == pytest.approx(19.05)


def test_the_95th_percentile_stays_within_the_times_measured():
    assert figures.p95([0.2, 0.1]) == pytest.approx(0.195)
    assert figures.p95([0.3]) == 0.3
    assert figures.p95([]) is None
    assert figures.summarize([]) == figures.Stats(0, None, None)


def test_a_ratio_needs_both_figures_and_a_base_above_zero():
    assert figures.ratio(0.3, 0.1) == pytest.approx(3.0)
    assert figures.ratio(None, 0.1) is None
    assert figures.ratio(0.3, None) is None
    assert figures.ratio(0.3, 0.0) is None


@pytest.mark.parametrize(
    ("median_x", "p95_x", "errors", "verdict"),
    [
        (3.0, 5.0, 0, "PASS"),  # the limits themselves pass
        (3.01, 1.0, 0, "FAIL"),
        (1.0, 5.01, 0, "FAIL"),
        (1.0, 1.0, 1, "ERROR"),  # a failed request is never a pass, however quick
        (None, 1.0, 0, "ERROR"),
        (1.0, None, 0, "ERROR"),
    ],
)
def test_a_page_passes_within_3x_median_and_5x_p95(median_x, p95_x, errors, verdict):
    assert figures.page_verdict(median_x, p95_x, errors=errors) == verdict


def test_limits_are_inclusive_and_a_missing_figure_errs():
    assert figures.within(10.0, figures.CSV_LIMIT) == "PASS"
    assert figures.within(10.5, figures.CSV_LIMIT) == "FAIL"
    assert figures.within(None, figures.PACK_LIMIT) == "ERROR"


def test_the_run_passes_only_when_everything_measured_passed():
    assert figures.overall(["PASS", "baseline", "not measured", "n/a"]) == "PASS"
    assert figures.overall(["PASS", "FAIL"]) == "FAIL"
    assert figures.overall(["PASS", "ERROR", "not measured"]) == "FAIL"


def test_the_query_count_is_one_figure_when_the_columns_agree():
    assert queries_text({"warm": 12, "cold": 12, "after": 12}) == "12"
    assert queries_text({"warm": 10, "cold": 17, "after": 17}) == "w10 c17 a17"
    assert queries_text({"warm": 10, "cold": 10}) == "10"


def _cells(role: str, page: Page, column_times: dict[str, tuple[list[float], list[float]]]) -> dict:
    """Cells for one person's baseline and one page: column -> (baseline times, page times)."""
    cells = {}
    for column, (base, times) in column_times.items():
        cells[(column, role, BASELINE)] = Cell(column, role, Page(BASELINE, "/help/"), times=list(base))
        cells[(column, role, page.name)] = Cell(column, role, page, times=list(times))
    return cells


def test_each_column_is_judged_against_the_baseline_of_the_same_column_and_person():
    page = Page("home", "/")
    person = Person("manager", type("U", (), {"email": "m@example"})(), [page])
    cells = _cells(
        "manager",
        page,
        {
            "warm": ([0.010] * 5, [0.020] * 5),  # 2x: pass
            "cold": ([0.010] * 5, [0.040] * 5),  # 4x the cold baseline: fail
            "after": ([0.020] * 5, [0.040] * 5),  # 2x the after-change baseline (slower itself): pass
        },
    )
    counts = {
        ("manager", BASELINE): {"queries": {"warm": 9, "cold": 9}, "statuses": {"warm": 200, "cold": 200}}
    }
    counts[("manager", "home")] = {
        "queries": {"warm": 11, "cold": 17},
        "statuses": {"warm": 200, "cold": 200},
    }
    entries = page_figures(cells, [person], counts)
    home = next(e for e in entries if e["page"] == "home")
    assert {c: home["columns"][c]["result"] for c in ("warm", "cold", "after")} == {
        "warm": "PASS",
        "cold": "FAIL",
        "after": "PASS",
    }
    assert home["columns"]["cold"]["median_ratio"] == pytest.approx(4.0)
    assert home["columns"]["after"]["median_ms"] == pytest.approx(40.0)
    assert home["queries"] == {"warm": 11, "cold": 17}
    assert next(e for e in entries if e["page"] == BASELINE)["columns"]["warm"]["result"] == "baseline"
    assert failing_items(entries, {}, None) == ["manager home (cold)"]


def test_an_error_answer_fails_its_cell_and_a_column_not_run_is_not_measured():
    page = Page("home", "/")
    person = Person("chair", type("U", (), {"email": "c@example"})(), [page])
    cells = _cells("chair", page, {"warm": ([0.01] * 3, [0.01] * 3)})
    cells[("warm", "chair", "home")].record(500, 0.5)
    entries = page_figures(cells, [person], {})
    home = next(e for e in entries if e["page"] == "home")
    assert home["columns"]["warm"]["result"] == "ERROR"
    assert home["columns"]["warm"]["errors"] == {"500": 1}
    assert home["columns"]["cold"] == {"result": "not measured"}
    exported = {"csv": {"result": "FAIL"}, "xlsx_task": {"result": "not measured"}}
    pack = {"time_result": "PASS", "memory_result": "FAIL"}
    assert failing_items(entries, exported, pack) == ["chair home (warm)", "csv", "board pack memory"]

"""The page benchmark's export and board pack helpers (bench/exports.py, bench/pack.py): the XLSX task
timed against openpyxl's floor (or said to be not measured while the task's function does not exist), the
form that starts an export found on a page, and the board pack cut to about 100 pages."""

from __future__ import annotations

import io
import re
import types

import pytest
from openpyxl import load_workbook

from bench import exports, pack
from documents.content import ActionEntry, ActionGroup
from responses.actions import export, selectors
from responses.models import Action
from tests.responses.helpers import action, at_stage, finding

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    review = at_stage(world.north_review, "monitoring")
    shared = finding(review)
    for priority in (Action.Priority.HIGH, Action.Priority.HIGH, Action.Priority.MEDIUM):
        action(review, world.north_member, findings=[shared], priority=priority, description="=1+1 tidy")
    return review


def test_the_floor_writes_the_same_cells_the_export_would(plan):
    values = exports.plain_values(Action.objects.filter(review=plan))
    assert len(values) == 3
    out = io.BytesIO()
    assert exports.floor_xlsx(values, out) == 3
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.values)
    assert list(rows[0]) == [c.header for c in export.COLUMNS]
    assert rows[1][2] == "'=1+1 tidy"  # the export's values, formula-safe, are what the floor writes


def test_without_write_xlsx_the_task_is_not_measured_but_the_floor_is(plan, monkeypatch):
    monkeypatch.delattr(export, "write_xlsx", raising=False)
    result = exports.xlsx_task(Action.objects.filter(review=plan), title="North: action plan", runs=2)
    assert result["measured"] is False
    assert result["result"] == "not measured"
    assert result["why"] == "write_xlsx missing"
    assert result["rows"] == 3
    assert len(result["floor_s"]) == 2


def test_the_task_is_timed_on_rows_streamed_as_the_task_reads_them_against_the_floor(plan, monkeypatch):
    calls = []

    def write_xlsx(actions, out, *, title, progress=None):
        calls.append((isinstance(actions, types.GeneratorType), title))
        return exports.floor_xlsx([list(row) for row in export.rows(actions)], out)

    monkeypatch.setattr(export, "write_xlsx", write_xlsx, raising=False)
    result = exports.xlsx_task(
        selectors.apply_filters(Action.objects.filter(review=plan), selectors.Filters(), None),
        title="North: action plan",
        runs=3,
    )
    assert calls == [(True, "North: action plan")] * 3
    assert result["measured"] is True
    assert result["rows_written"] == [3, 3, 3]
    assert result["ratio"] == pytest.approx(result["median_task_s"] / result["median_floor_s"])
    assert result["result"] in ("PASS", "FAIL")


def test_a_task_that_writes_the_wrong_number_of_rows_errs(plan, monkeypatch):
    monkeypatch.setattr(export, "write_xlsx", lambda actions, out, *, title, progress=None: 1, raising=False)
    result = exports.xlsx_task(Action.objects.filter(review=plan), title="t", runs=1)
    assert result["result"] == "ERROR"


def test_the_form_that_starts_an_export_is_found_with_what_it_sends():
    page = """
      <form method="get" action=""><input name="owner" value="3"><button>Filter</button></form>
      <form method="post" action="export.xlsx?rag=red">
        <input type="hidden" name="csrfmiddlewaretoken" value="tok">
        <input type="hidden" name="format" value="xlsx">
        <input type="text" name="note" value="typed">
        <button type="submit" name="go" value="1">Make the Excel file</button>
      </form>"""
    url, fields = exports.export_form(page, "http://127.0.0.1:8000/boards/4/actions/")
    assert url == "http://127.0.0.1:8000/boards/4/actions/export.xlsx?rag=red"
    assert fields == {"csrfmiddlewaretoken": "tok", "format": "xlsx", "go": "1"}
    assert exports.export_form('<form method="post" action="/x/"></form>', "http://h/") is None
    assert exports.export_form('<a href="export.xlsx">Excel</a>', "http://h/") is None


def test_the_pack_keeps_its_first_actions_in_the_packs_order():
    def group(priority, numbers):
        return ActionGroup(
            priority, f"P{priority}", [ActionEntry(types.SimpleNamespace(number=n), []) for n in numbers]
        )

    context = {
        "action_groups": [group(1, [1, 2]), group(2, [3, 4]), group(3, [5])],
        "action_count": 5,
        "x": 1,
    }
    cut = pack.cut_actions(context, 3)
    assert [[e.action.number for e in g.actions] for g in cut["action_groups"]] == [[1, 2], [3]]
    assert (cut["action_count"], cut["x"]) == (3, 1)
    assert pack.cut_actions(context, 0)["action_groups"] == []
    assert pack.cut_actions(context, None) is context
    assert context["action_count"] == 5  # the context given is left as it was


@pytest.mark.parametrize(
    ("without", "with_probe", "probe", "total", "keep"),
    [
        (10, 55, 150, 500, 300),  # 0.3 pages an action: 90 more pages take 300 actions
        (10, 55, 150, 200, None),  # all 200 give 70 pages: the whole pack
        (20, 120, 100, 100, 80),  # the probe was the whole pack (120 pages): cut to 80
        (10, 10, 150, 500, None),  # actions take no pages: nothing to cut by
        (150, 160, 10, 500, 0),  # already over 100 pages without any action
    ],
)
def test_the_cut_follows_the_straight_line_through_the_two_layouts(without, with_probe, probe, total, keep):
    assert pack.actions_for(100, without, with_probe, probe, total) == keep


def test_the_prepared_pack_is_the_products_with_only_its_actions_cut(plan):
    whole = pack.prepare(plan, None).html
    cut = pack.prepare(plan, 2).html
    assert len(re.findall(r'class="action__text"', whole)) == 3
    assert len(re.findall(r'class="action__text"', cut)) == 2
    assert "2 actions, highest priority first" in cut
    assert cut.count('class="finding') == whole.count('class="finding')


def test_the_peak_is_the_processs_own_high_water_mark(tmp_path):
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmPeak:\t 900000 kB\nVmHWM:\t  286720 kB\nVmRSS:\t 100 kB\n")
    assert pack.peak_mb(str(status)) == 280.0
    assert pack.peak_mb(str(tmp_path / "missing")) > 0  # ru_maxrss where there is no /proc

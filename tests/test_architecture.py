"""Architecture checks over the product's source, read with `ast` (nothing is imported or run).

Each check is one clearly named test function; a failure names the file and line to change."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.product import PRODUCT_APPS

ROOT = Path(__file__).resolve().parent.parent


def product_sources() -> Iterator[tuple[str, str]]:
    """(path relative to the repository, source) of every product module: not migrations, not tests."""
    for app in PRODUCT_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/tests/" in relative:
                continue
            yield relative, path.read_text(encoding="utf-8")


# States ----------------------------------------------------------------------------------------------
#
# The lifecycle of a review and the statuses of actions, terms-of-reference versions and written-response
# versions are declared in their workflow modules. Everywhere else asks those modules (a named group, a
# capability, a transition) instead of naming a state. Found here: a state's value written as a string in
# a comparison, a `state`/`status` filter or an assignment; and a state's enum member (`State.CLOSED`,
# `Status.APPROVED`) compared with or assigned to a state, or used in a state filter.

WORKFLOW_MODULES = frozenset(
    {
        "reviews/workflow.py",
        "commissioning/tor/workflow.py",
        "responses/actions/workflow.py",
        "responses/document/workflow.py",
    }
)
# Demonstration and scale data is built state by state: enum members allowed there (not string literals).
DATA_GENERATORS = frozenset(
    {
        "demo/reviews.py",
        "demo/partnership.py",
        "demo/scale.py",
        "demo/scale_history.py",
        "demo/commissioning.py",
        "demo/responses.py",
    }
)

REVIEW_STATES = frozenset(
    {
        "referral",
        "decision",
        "commissioning",
        "in_progress",
        "report_received",
        "response",
        "published",
        "monitoring",
        "closed",
        "not_initiated",
        "withdrawn",
    }
)
ACTION_STATUSES = frozenset({"agreed", "in_progress", "completed", "impact_evidenced", "deferred"})
TOR_STATUSES = frozenset({"draft", "out_for_comment", "approved", "superseded"})
RESPONSE_VERSION_STATES = frozenset({"draft", "signed"})
STATUS_VALUES = ACTION_STATUSES | TOR_STATUSES | RESPONSE_VERSION_STATES

# Enum members by the name of the class that holds them (`State.X`, `Action.Status.X`, `Status.X` where a
# module aliases one of the statuses). Other `Status` classes (documents, engagement, self-checks) use
# other member names and are not states of these machines.
STATE_MEMBERS = {
    "State": frozenset(v.upper() for v in REVIEW_STATES | RESPONSE_VERSION_STATES),
    "Status": frozenset(v.upper() for v in ACTION_STATUSES | TOR_STATUSES),
    "ActionStatus": frozenset(v.upper() for v in ACTION_STATUSES),
    "ToRStatus": frozenset(v.upper() for v in TOR_STATUSES),
}
STATUS_OWNERS = frozenset({"Action", "ToRVersion", "ResponseVersion", "workflow", "self", "cls", "None"})
CHOICES_BASES = frozenset({"TextChoices", "IntegerChoices", "Choices"})


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _kind(name: str) -> frozenset[str]:
    """The values a name can hold if it holds a state: a review's (`state`, `review__state__in`,
    `to_state`, `OPEN_STATES`) or a status of the other machines (`status`, `status__in`, `status_to`).
    Empty when the name holds neither."""
    name = name.lower()
    if "state" in name:
        return REVIEW_STATES | RESPONSE_VERSION_STATES
    if "status" in name:
        return STATUS_VALUES
    return frozenset()


def _holds(node: ast.AST) -> frozenset[str]:
    """The state values an expression may hold: `review.state`, `status`, `data["status"]`,
    `data.get("status")`; empty when it holds no state."""
    if isinstance(node, ast.Name):
        return _kind(node.id)
    if isinstance(node, ast.Attribute):
        return _kind(node.attr)
    if isinstance(node, ast.Subscript):
        key = node.slice
        return (
            _kind(key.value) if isinstance(key, ast.Constant) and isinstance(key.value, str) else frozenset()
        )
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return _kind(first.value)
    return frozenset()


def _items(node: ast.AST) -> list[ast.AST]:
    """The node, or the elements of a literal tuple, list or set (also `[*a, b]` and `frozenset({...})`)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [i for e in node.elts for i in _items(e.value if isinstance(e, ast.Starred) else e)]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("frozenset", "set", "tuple", "list")
        and len(node.args) == 1
    ):
        return _items(node.args[0])
    if isinstance(node, ast.IfExp):
        return _items(node.body) + _items(node.orelse)
    return [node]


def _state_literals(node: ast.AST, values: frozenset[str]) -> list[str]:
    return [
        i.value
        for i in _items(node)
        if isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value in values
    ]


def _state_members(node: ast.AST) -> list[str]:
    """`State.CLOSED`, `Status.APPROVED`, `ToRVersion.Status.APPROVED`, `Action.Status.DEFERRED`."""
    found = []
    for i in _items(node):
        if not isinstance(i, ast.Attribute):
            continue
        holder = i.value
        holder_name = holder.attr if isinstance(holder, ast.Attribute) else getattr(holder, "id", None)
        if holder_name not in STATE_MEMBERS or i.attr not in STATE_MEMBERS[holder_name]:
            continue
        if holder_name == "Status" and isinstance(holder, ast.Attribute):
            owner = holder.value
            owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "None")
            if owner_name not in STATUS_OWNERS:
                continue
        found.append(f"{holder_name}.{i.attr}")
    return found


class _StateVisitor(ast.NodeVisitor):
    def __init__(self, path: str, *, members_allowed: bool):
        self.path = path
        self.members_allowed = members_allowed
        self.found: list[Finding] = []

    def _report(self, node: ast.AST, what: str) -> None:
        self.found.append(Finding(self.path, node.lineno, what))

    def _check_value(self, node: ast.AST, value: ast.AST, values: frozenset[str], context: str) -> None:
        for literal in _state_literals(value, values):
            self._report(node, f'state "{literal}" written as a string {context}')
        if not self.members_allowed:
            for member in _state_members(value):
                self._report(node, f"{member} {context}: ask the workflow module instead")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
        if bases & CHOICES_BASES:
            return  # the states' own declaration
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        values = frozenset().union(*(_holds(o) for o in operands))
        for operand in operands:
            for literal in _state_literals(operand, values):
                self._report(node, f'state "{literal}" written as a string in a comparison')
        if not self.members_allowed:
            for operand in operands:
                for member in _state_members(operand):
                    self._report(node, f"{member} compared: ask the workflow module instead")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg and _kind(node.arg):
            self._check_value(
                node.value, node.value, _kind(node.arg), f"in the filter or argument {node.arg}="
            )
        self.generic_visit(node)

    def _assigned(self, node: ast.AST, targets: list[ast.AST], value: ast.AST | None) -> None:
        values = frozenset().union(*(_holds(t) for t in targets))
        if value is not None and values:
            self._check_value(node, value, values, "assigned to a state")

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node, node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node, [node.target], node.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and _kind(key.value):
                self._check_value(value, value, _kind(key.value), f'as the value of "{key.value}"')
        self.generic_visit(node)


def state_findings(path: str, source: str) -> list[Finding]:
    """Where `source` (the module at `path`) names a state itself instead of asking the workflow."""
    if path in WORKFLOW_MODULES:
        return []
    # A models module declares the states and the database's invariants on them (constraints, partial
    # indexes, the freeze of approved terms checked on save): members are allowed there, as it cannot import
    # the workflow module that imports it. String literals are not.
    members_allowed = path in DATA_GENERATORS or path.endswith("/models.py")
    visitor = _StateVisitor(path, members_allowed=members_allowed)
    visitor.visit(ast.parse(source, filename=path))
    return visitor.found


def test_no_state_is_named_outside_the_workflow_modules():
    found = [f for path, source in product_sources() for f in state_findings(path, source)]
    assert not found, "States named outside the workflow modules:\n" + "\n".join(map(str, found))


def test_the_state_check_finds_states_named_in_code():
    bad = (
        "from reviews.models import State\n"
        "def f(review, qs, version):\n"
        "    if review.state == 'closed':\n"  # 3
        "        pass\n"
        "    qs.exclude(state__in=['closed', 'withdrawn'])\n"  # 5
        "    version.status = 'approved'\n"  # 6
        "    if review.state not in (State.REFERRAL, State.DECISION):\n"  # 7
        "        pass\n"
        "    qs.filter(status=ToRVersion.Status.SUPERSEDED)\n"  # 9
        "    return {'status': 'deferred'}\n"  # 10
    )
    lines = {f.line for f in state_findings("reviews/views.py", bad)}
    assert lines == {3, 5, 6, 7, 9, 10}


def test_the_state_check_leaves_other_words_alone():
    fine = (
        "from reviews import workflow\n"
        "class Status(models.TextChoices):\n"
        "    DRAFT = 'draft', 'Draft'\n"
        "def f(request, review, form, upto, document):\n"
        "    redirect('commissioning', review.pk)\n"
        "    form.cleaned_data['decision'] == 'initiate'\n"
        "    fields = ['decision', 'response']\n"
        "    if upto == 'draft':\n"
        "        pass\n"
        "    if document.status == Document.Status.READY:\n"
        "        pass\n"
        "    if item.status == 'monitoring':\n"  # a learning item's status, not a review's stage
        "        pass\n"
        "    return workflow.allows(review, workflow.SCOPING_SHOWN)\n"
    )
    assert state_findings("reviews/views.py", fine) == []


def test_the_state_check_allows_members_in_data_generators_but_not_strings():
    generator = "def make(review):\n    review.state = State.PUBLISHED\n    review.state = 'closed'\n"
    assert [f.line for f in state_findings("demo/reviews.py", generator)] == [3]


# Templates compare no state either: they get booleans from the view, or ask a workflow's template filter
# (`action|is_deferred`, `version|tor_out_for_comment`, `review|chair_task`).

TEMPLATE_COMPARISON = re.compile(
    r"""(?P<name>[\w.]+)\s*(?:==|!=)\s*["'](?P<value>\w+)["']|["'](?P<value2>\w+)["']\s*(?:==|!=)\s*(?P<name2>[\w.]+)"""
)


def product_templates() -> Iterator[tuple[str, str]]:
    for folder in (*PRODUCT_APPS, "templates"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            yield path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8")


def template_state_findings(path: str, text: str) -> list[Finding]:
    found = []
    for match in TEMPLATE_COMPARISON.finditer(text):
        name = match["name"] or match["name2"]
        value = match["value"] or match["value2"]
        if value in _kind(name.rsplit(".", 1)[-1]):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Finding(path, line, f'state "{value}" compared in a template'))
    return found


def test_no_template_compares_a_state():
    found = [f for path, text in product_templates() for f in template_state_findings(path, text)]
    assert not found, "States compared in templates:\n" + "\n".join(map(str, found))


def test_the_template_check_finds_a_compared_state_and_nothing_else():
    text = (
        '{% if review.state == "closed" %}x{% endif %}\n'
        "{% if 'deferred' != a.status %}x{% endif %}\n"
        '{% if item.status == "monitoring" or d.status == "ready" or row.status == "same" %}x{% endif %}\n'
        '{% url "commissioning" review.pk %}{% if form.decision == "initiate" %}x{% endif %}\n'
    )
    assert [f.line for f in template_state_findings("t.html", text)] == [1, 2]

"""Architecture checks over the product's source, read with `ast` (nothing is imported or run).

Each check is one clearly named test function; a failure names the file and line to change."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_APPS = ("scr_portal", "reviews", "commissioning", "responses", "documents", "records")


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
    {"reviews/demo.py", "reviews/scale.py", "commissioning/demo.py", "responses/demo.py"}
)
# Modules whose state lists are being replaced by their owner on another branch; remove each entry once
# it asks the workflow (the check then covers it like any other module).
PENDING = frozenset({"scr_portal/permissions.py"})

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
STATE_VALUES = REVIEW_STATES | ACTION_STATUSES | TOR_STATUSES | RESPONSE_VERSION_STATES

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


def _names_state(name: str) -> bool:
    """A variable, attribute, key or filter that holds a state (`state`, `status`, `review__state__in`,
    `to_state`, `status_to`, `OPEN_STATES`)."""
    name = name.lower()
    return "state" in name or "status" in name


def _holds_state(node: ast.AST) -> bool:
    """An expression that reads a state: `review.state`, `status`, `data["status"]`, `data.get("status")`."""
    if isinstance(node, ast.Name):
        return _names_state(node.id)
    if isinstance(node, ast.Attribute):
        return _names_state(node.attr)
    if isinstance(node, ast.Subscript):
        key = node.slice
        return isinstance(key, ast.Constant) and isinstance(key.value, str) and _names_state(key.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        first = node.args[0] if node.args else None
        return isinstance(first, ast.Constant) and isinstance(first.value, str) and _names_state(first.value)
    return False


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


def _state_literals(node: ast.AST) -> list[str]:
    return [
        i.value
        for i in _items(node)
        if isinstance(i, ast.Constant) and isinstance(i.value, str) and i.value in STATE_VALUES
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

    def _check_value(self, node: ast.AST, value: ast.AST, context: str) -> None:
        for literal in _state_literals(value):
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
        if any(_holds_state(o) for o in operands):
            for operand in operands:
                for literal in _state_literals(operand):
                    self._report(node, f'state "{literal}" written as a string in a comparison')
        if not self.members_allowed:
            for operand in operands:
                for member in _state_members(operand):
                    self._report(node, f"{member} compared: ask the workflow module instead")
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg and _names_state(node.arg):
            self._check_value(node.value, node.value, f"in the filter or argument {node.arg}=")
        self.generic_visit(node)

    def _assigned(self, node: ast.AST, targets: list[ast.AST], value: ast.AST | None) -> None:
        if value is not None and any(_holds_state(t) for t in targets):
            self._check_value(node, value, "assigned to a state")

    def visit_Assign(self, node: ast.Assign) -> None:
        self._assigned(node, node.targets, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node, [node.target], node.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and _names_state(key.value):
                self._check_value(value, value, f'as the value of "{key.value}"')
        self.generic_visit(node)


def state_findings(path: str, source: str) -> list[Finding]:
    """Where `source` (the module at `path`) names a state itself instead of asking the workflow."""
    if path in WORKFLOW_MODULES or path in PENDING:
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
        "    return workflow.allows(review, workflow.SCOPING_SHOWN)\n"
    )
    assert state_findings("reviews/views.py", fine) == []


def test_the_state_check_allows_members_in_data_generators_but_not_strings():
    generator = "def make(review):\n    review.state = State.PUBLISHED\n    review.state = 'closed'\n"
    assert [f.line for f in state_findings("reviews/demo.py", generator)] == [3]

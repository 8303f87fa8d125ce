"""The shape of the code, checked like behaviour: one home for each rule, and layers that import only
downwards. Each test reads the source (or the import graph) and names the file and line that breaks the
rule, so a newcomer who adds a view that checks roles itself, or an import that climbs a layer, is told
at once where and why."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.product import PRODUCT_APPS

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = set(PRODUCT_APPS)

# What decides access, which only reviews.access (and the apps' permissions.py rules) may read.
ROLE_NAMES = {"Role", "BOARD_ROLES", "Membership"}
ACCESS_INTERNALS = {
    "board_roles",
    "board_agencies",
    "roles_on_review",
    "roles_on_board",
    "roles_held",
    "holds_role",
    "boards_where",
    "participant_board_ids",
}


def product_modules() -> list[Path]:
    found = []
    for app in PRODUCT_APPS:
        if not (ROOT / app).is_dir():
            continue
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append(path)
    return found


def view_modules() -> list[Path]:
    return [p for p in product_modules() if p.name == "views.py" or "views" in p.parent.name.split("/")]


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def access_decisions_in(path: Path, source: str | None = None) -> list[str]:
    """The places in a view module that decide access themselves instead of asking reviews.access."""
    tree = ast.parse(source if source is not None else path.read_text(), str(path))
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            name = raised.attr if isinstance(raised, ast.Attribute) else getattr(raised, "id", "")
            if name == "PermissionDenied":
                problems.append(f"{where(path, node)} raises PermissionDenied (use access.require)")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in ROLE_NAMES:
                    problems.append(
                        f"{where(path, node)} imports {alias.name} (roles are for reviews.access)"
                    )
                if alias.name in ACCESS_INTERNALS:
                    problems.append(f"{where(path, node)} imports {alias.name} (ask access.can/require)")
        elif isinstance(node, ast.Attribute) and node.attr in ACCESS_INTERNALS | {"memberships"}:
            problems.append(f"{where(path, node)} reads .{node.attr} (ask access.can/require)")
    return problems


def test_no_view_decides_access_itself():
    """Views load through a scoping selector and ask `access.require`; none raises PermissionDenied, tests
    a role or reads memberships."""
    assert view_modules(), "no view modules found: the walk is broken"
    problems = [p for path in view_modules() for p in access_decisions_in(path)]
    assert problems == [], "\n".join(problems)


def test_the_access_check_finds_a_view_that_decides_for_itself():
    bad = (
        "from django.core.exceptions import PermissionDenied\n"
        "from reviews.models import Role\n"
        "def view(request, review):\n"
        "    if Role.CHAIR not in roles_on_review(request.user, review):\n"
        "        raise PermissionDenied('no')\n"
        "    return request.user.memberships.all()\n"
    )
    found = access_decisions_in(ROOT / "reviews" / "views.py", bad)
    assert len(found) == 3
    assert any("raises PermissionDenied" in p for p in found)
    assert any("imports Role" in p for p in found)
    assert any(".memberships" in p for p in found)


def first_party_imports_in_functions(path: Path, source: str | None = None) -> list[str]:
    """Imports of the project's own modules made inside a function (other than an app's ready()): the
    usual way to dodge an import cycle, which the layers make unnecessary."""
    tree = ast.parse(source if source is not None else path.read_text(), str(path))
    problems = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) or func.name == "ready":
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                top = (node.module or "").split(".")[0]
                if node.level or top in FIRST_PARTY:
                    problems.append(f"{where(path, node)} imports {module} inside {func.name}()")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in FIRST_PARTY:
                        problems.append(f"{where(path, node)} imports {alias.name} inside {func.name}()")
    return problems


def test_no_function_level_imports_of_our_own_modules():
    problems = [p for path in product_modules() for p in first_party_imports_in_functions(path)]
    assert problems == [], "\n".join(problems)


def test_the_import_check_finds_an_import_inside_a_function():
    bad = (
        "def helper():\n    from .models import Review\n    import reviews.models\n    return Review\n"
        "class C:\n    def ready(self):\n        from . import permissions\n"
    )
    found = first_party_imports_in_functions(ROOT / "reviews" / "x.py", bad)
    assert len(found) == 2  # ready() is where an app registers its rules and guards


def test_layers_hold():
    """import-linter's contracts (pyproject.toml): scr_portal is infrastructure; each app imports only
    the layers below it; no app's modules import each other in a circle."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports is not installed (requirements-dev.txt)")
    result = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]

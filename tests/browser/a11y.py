"""Accessibility checks with axe-core, run inside the page the test is looking at."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()
FAILING_IMPACTS = {"serious", "critical"}


def assert_accessible(page: Page) -> None:
    """Fails on any axe-core violation of serious or critical impact, listing each with its elements."""
    results = _axe.run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]
    if violations:
        lines = [f"{len(violations)} serious or critical accessibility violation(s) on {page.url}:"]
        for v in violations:
            targets = ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({targets})")
        raise AssertionError("\n".join(lines))

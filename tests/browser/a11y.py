"""Accessibility checks run inside the page the test is looking at: axe-core's rules, and whether the page
fits the width it is shown at."""

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


def sideways_scroll(page: Page, width: int) -> str | None:
    """None when the page fits `width`; else how wide it is and the outermost elements that stick out."""
    page.set_viewport_size({"width": width, "height": 900})
    return page.evaluate(
        """() => {
          const root = document.documentElement, vw = root.clientWidth;
          if (root.scrollWidth <= vw) return null;
          const out = [];
          for (const el of document.body.querySelectorAll("*")) {
            const r = el.getBoundingClientRect(), p = el.parentElement.getBoundingClientRect();
            if (r.right > vw + 1 && p.right <= vw + 1)
              out.push(`${el.tagName.toLowerCase()}.${el.className} (to ${Math.round(r.right)} px)`);
          }
          return `${root.scrollWidth} px wide at ${vw} px: ${out.slice(0, 5).join(", ") || "text or hidden text"}`;
        }"""
    )


def small_targets(page: Page, width: int) -> list[str]:
    """Targets axe-core finds too small and too close together at `width` (WCAG 2.5.8)."""
    page.set_viewport_size({"width": width, "height": 900})
    results = _axe.run(page, options={"runOnly": ["target-size"], "resultTypes": ["violations"]})
    return [
        f"{' '.join(node['target'])}: {(node.get('any') or [{}])[0].get('message', '')}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]

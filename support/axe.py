"""axe-core (from node_modules) run in a Playwright page: the WCAG 2.1 A and AA rules, and a readable report.

Used by the browser tests (tests/api/test_accessibility.py) and by hand::

    .venv/bin/python -m support.axe http://127.0.0.1:8000/ http://127.0.0.1:8000/id/taxon/saiga
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from kg.config import PROJECT_DIR

AXE_JS = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


@dataclass(frozen=True)
class Violation:
    """One failed axe rule on a page: its id, impact, help text and the elements (CSS selectors) that fail it."""

    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:8]) + (f" … (+{len(self.targets) - 8})" if len(self.targets) > 8 else "")
        return f"{self.rule} [{self.impact}] {self.help}: {len(self.targets)} element(s): {shown}"


def check(page: Any, tags: tuple[str, ...] = WCAG_21_AA) -> list[Violation]:
    """Inject axe-core into ``page`` (a Playwright page, already loaded) and run the rules with these tags."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        list(tags),
    )
    return [
        Violation(
            v["id"],
            v.get("impact") or "",
            v["help"],
            tuple(" ".join(map(str, node["target"])) for node in v["nodes"]),
        )
        for v in results["violations"]
    ]


def report(url: str, violations: list[Violation]) -> str:
    """The violations of one page as text, one rule a line (empty when there are none)."""
    if not violations:
        return ""
    count = sum(len(v.targets) for v in violations)
    return "\n".join([f"{url}: {count} violating element(s)", *(f"  {v}" for v in violations)])


def main(urls: list[str]) -> int:
    """Check each URL in headless Chromium; print the violations; exit status 1 if any."""
    from playwright.sync_api import sync_playwright

    from .browser import launch

    failed = False
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        for url in urls:
            page.goto(url, wait_until="networkidle")
            found = check(page)
            failed = failed or bool(found)
            print(report(url, found) or f"{url}: no violations")
        browser.close()
    return int(failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

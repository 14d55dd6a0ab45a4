"""WCAG 2.1 AA in a real browser (Debian's Chromium): axe-core's A and AA rules on every kind of page the service
renders, keyboard use, reflow at 320 px and at 200% zoom, and forced colours. Screenshots go to
``var/test-artifacts/`` (or ``$KG_TEST_ARTIFACTS``). To check a new page, add its path to PAGES."""

from __future__ import annotations

import itertools

import pytest

from support import axe
from support.browser import screenshot

PAGES = [
    "/",
    "/id/activity/cami/2.3.8",
    "/id/activity/jwp/B11",
    "/id/activity/cami/1.3.1/a",
    "/id/activity/cami/4.1.4/responsibility/giz",
    "/id/group/cami/2.2/1",
    "/id/issue/cami/1.1",
    "/id/objective/cami/1",
    "/id/theme/jwp/A",
    "/id/section/cami/I",
    "/id/section/cms-resolution-11.24/op-1",
    "/id/document/cms-resolution-11.24",
    "/id/instrument/cms-cites-joint-work-programme",
    "/id/programme/cami",
    "/id/actor/cms-secretariat",
    "/id/actor/cms-parties",
    "/id/country/KZ",
    "/id/site/issyk-kul",
    "/id/landscape/ustyurt",
    "/id/taxon/saiga",
    "/id/taxon/uncia-uncia?lang=fr",
    "/id/taxon/uncia-uncia/name/uncia-uncia",
    "/id/listing/cms/cervus-elaphus-yarkandensis/I/cami-2014",
    "/id/appendix/cms/I",
    "/id/convention/cms",
    "/id/meeting/cms-cop11",
    "/id/keyword/migratory-species",
    "/id/priority/high",
    "/ontology",
    "/search?q=snow+leopard&format=html",
    "/search?q=t%C3%A9l%C3%A9m%C3%A9trie&format=html&lang=fr",
    "/dumps",
    "/docs",
    "/id/no-such-thing",
]
"""One page of every kind: the entry page, a resource of every type that has pages (in both languages), the
ontology's documentation, search results, the dumps, the API's documentation and an error page."""

READY = {"/": ".yasgui .tabsList", "/docs": ".opblock-summary", "/ontology": "pre.mermaid svg"}
"""What to wait for before checking a page that draws itself with JavaScript."""

RESOURCE = "/id/taxon/saiga"
REFLOWED = ["/", RESOURCE, "/id/activity/cami/2.3.8", "/search?q=snow+leopard&format=html", "/ontology", "/dumps"]


def _open(page, base_url: str, path: str) -> None:
    page.goto(base_url + path, wait_until="networkidle")
    if path in READY:
        page.wait_for_selector(READY[path])


def _name(path: str) -> str:
    return path.strip("/").split("?")[0].replace("/", "-") or "home"


def _check(page, where: str) -> None:
    violations = axe.check(page)
    assert not violations, "\n" + axe.report(where, violations)


@pytest.mark.parametrize("path", PAGES)
def test_page_passes_axe_wcag21_aa(page, base_url, path):
    _open(page, base_url, path)
    _check(page, path)


def test_query_results_pass_axe(page, base_url):
    """The entry page after a query has run: YASGUI's results table and its controls."""
    _open(page, base_url, "/")
    page.locator(".yasgui .tabsList .tab", has_text="activities-by-listing").click()
    page.locator(".yasqe_queryButton:visible").click()
    page.locator(".yasr table.dataTable tbody tr").first.wait_for()
    _check(page, "/ after a query")


def test_api_docs_with_an_operation_open_pass_axe(page, base_url):
    _open(page, base_url, "/docs")
    page.locator(".opblock-summary-control").first.click()
    page.locator("tr[data-param-name]").first.wait_for()
    _check(page, "/docs with an operation open")


def test_error_page_for_a_person_in_french(browser, base_url):
    context = browser.new_context(locale="fr-FR")  # Accept-Language: fr-FR
    page = context.new_page()
    answer = page.goto(base_url + "/id/no-such-thing")
    assert answer.status == 404 and answer.headers["content-type"].startswith("text/html")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").inner_text() == "Page introuvable"
    _check(page, "/id/no-such-thing (fr)")
    context.close()


@pytest.mark.parametrize("path", ["/", RESOURCE])
def test_keyboard_skip_link_first_then_main(page, base_url, path):
    _open(page, base_url, path)
    page.keyboard.press("Tab")
    skip = page.evaluate(
        "({cls: document.activeElement.className, top: document.activeElement.getBoundingClientRect().top})"
    )
    assert skip["cls"] == "skip" and skip["top"] >= 0, "the first Tab reaches the visible skip link"
    assert _outline(page) != "none", "the focused skip link shows its focus"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null"), "the next Tab is inside the content"


@pytest.mark.parametrize("path", ["/", RESOURCE])
def test_keyboard_order_follows_the_page_and_focus_is_visible(page, base_url, path):
    _open(page, base_url, path)
    assert page.locator("[tabindex]:not([tabindex='0']):not([tabindex='-1'])").count() == 0, "no positive tabindex"
    page.evaluate("window.kgFocused = []; document.addEventListener('focusin', e => window.kgFocused.push(e.target))")
    for _ in range(25):
        page.keyboard.press("Tab")
        assert _outline(page) != "none", page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    in_order = page.evaluate(
        """() => window.kgFocused.every((element, i, all) => i === 0
             || all[i - 1].compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert in_order, "Tab moves forward through the page in document order"


def _outline(page) -> str:
    """The outline style that shows where the focus is (``none`` when nothing does): the focused element's, or
    the nearest ancestor's with one (CodeMirror draws its ring round the editor: its own textarea is hidden)."""
    return page.evaluate(
        """() => { for (let e = document.activeElement; e && e !== document.body; e = e.parentElement) {
                     const s = getComputedStyle(e);
                     if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) return s.outlineStyle; }
                   return 'none'; }"""
    )


@pytest.mark.parametrize("path", [RESOURCE, "/", "/id/programme/cami"])
def test_headings_in_order(page, base_url, path):
    _open(page, base_url, path)
    levels = page.evaluate("Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels


def test_pictures_say_what_they_show(page, base_url):
    _open(page, base_url, RESOURCE)
    figures = page.locator("main figure").all()
    assert len(figures) >= 2  # the map and the neighbourhood picture
    for figure in figures:
        svg = figure.locator("svg.picture, svg.map").first  # (a map's legend keys are decorative, aria-hidden)
        assert figure.locator("figcaption").first.inner_text().strip()
        labels = (svg.get_attribute("aria-labelledby") or "").split()
        assert labels and all((page.locator(f"[id='{name}']").first.text_content() or "").strip() for name in labels)
        if svg.locator("a").count():
            assert svg.get_attribute("role") == "group", "links are never inside an image"
            assert all(link.locator("title").text_content() for link in svg.locator("a").all())
        else:
            assert svg.get_attribute("role") == "img" and svg.locator("desc").text_content()


@pytest.mark.parametrize("path", REFLOWED)
@pytest.mark.parametrize(("width", "scale", "label"), [(320, 1, "320px"), (640, 2, "zoom200")])
def test_reflow_without_scrolling_sideways(browser, base_url, path, width, scale, label):
    """At 320 CSS px (a phone) and at 200% zoom of a 1280 px window (640 CSS px, 2 device pixels each) the page
    body never scrolls sideways: wide tables and code scroll inside their own box."""
    context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=scale)
    page = context.new_page()
    _open(page, base_url, path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    screenshot(page, f"a11y-{label}-{_name(path)}")
    context.close()
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {label}"


def test_forced_colours_draw_pictures_in_system_colours(page, base_url):
    page.emulate_media(forced_colors="active")
    _open(page, base_url, RESOURCE)
    text, dot = page.evaluate(
        """() => [getComputedStyle(document.body).color,
                  getComputedStyle(document.querySelector('.picture > circle')).fill]"""
    )
    assert dot == text, "the drawing's marks take the system's text colour"
    screenshot(page, "a11y-forced-colours-" + _name(RESOURCE))

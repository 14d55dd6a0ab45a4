"""The maps in a real browser (Debian's Chromium, headless, driven by Playwright, as tests/api/test_browser.py):
each kind of page shows its map, whole and legible, named for assistive technology, in normal and in
forced-colours mode. Screenshots of each map are left in ``var/test-artifacts/maps/`` (or
``$KG_TEST_ARTIFACTS/maps``) to look at.
"""

from __future__ import annotations

import re

import pytest

from support.browser import ARTIFACTS

PAGES = {
    "home": ("/", "Range states of the programmes"),
    "country": ("/id/country/KZ", "Kazakhstan, its neighbours and its landscapes"),
    "landscape": ("/id/landscape/pamir", "Pamir: its approximate extent and its countries"),
    "taxon": ("/id/taxon/saiga", "Range states of the programme covering saiga"),
    "activity": ("/id/activity/cami/2.1.1", "Where CAMI activity 2.1.1 takes place"),
}
SHOTS = ARTIFACTS / "maps"


@pytest.mark.parametrize("name", PAGES)
def test_the_map_is_seen_whole_and_named(page, base_url, name):
    path, title = PAGES[name]
    page.goto(base_url + path)
    image = page.get_by_role("img", name=re.compile("^" + re.escape(title)))
    assert image.count() == 1
    box = image.bounding_box()
    assert box and 400 < box["width"] <= 1280 and box["height"] > 200  # drawn, and within the page
    figure = page.locator("figure.map-figure")
    assert figure.locator("figcaption .map-legend li").count() >= 2
    assert figure.locator("figcaption").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    figure.screenshot(path=str(SHOTS / f"{name}.png"))
    assert (SHOTS / f"{name}.png").stat().st_size > 20_000
    figure.locator("details.map-data summary").click()  # the text equivalent opens, with its links
    assert figure.locator("details.map-data a").first.is_visible()


def test_the_map_keeps_its_colours_in_forced_colours_mode(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, forced_colors="active")
    page = context.new_page()
    page.goto(base_url + "/")
    fill = page.locator("svg.map path[fill='#993404'], svg.map path[fill='#d95f0e']").first
    assert fill.evaluate("e => getComputedStyle(e).fill") in ("rgb(153, 52, 4)", "rgb(217, 95, 14)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("figure.map-figure").screenshot(path=str(SHOTS / "home-forced-colours.png"))
    context.close()

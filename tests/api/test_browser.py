"""The web UI in a real browser: Debian's Chromium, headless, driven by Playwright (no browser download).

Opens `/`, runs a canned query in YASGUI and reads its rows, opens an activity page and follows a link to a
taxon. Each step leaves a screenshot in ``var/test-artifacts/`` (or ``$KG_TEST_ARTIFACTS``).
"""

from __future__ import annotations

from support.browser import screenshot


def _screenshot(page, name: str) -> None:
    assert screenshot(page, name).stat().st_size > 10_000


def test_query_ui_runs_a_canned_query(page, base_url, served_settings):
    page.goto(base_url + "/")
    page.wait_for_selector(".yasgui .tabsList")
    tab_names = page.locator(".yasgui .tabsList .tab").all_inner_texts()
    assert any("activities-by-listing" in name for name in tab_names), tab_names
    assert len(tab_names) == 1 + len(list(served_settings.queries_dir.glob("*.rq")))
    assert page.locator("#plain-form").is_hidden()
    _screenshot(page, "query-ui")

    page.locator(".yasgui .tabsList .tab", has_text="activities-by-listing").click()
    page.locator(".yasqe_queryButton:visible").click()
    rows = page.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for(timeout=20_000)
    assert rows.count() >= 10
    assert page.locator(".yasr table.dataTable thead th", has_text="activity").count() >= 1
    assert "activity/" in rows.first.inner_text()
    _screenshot(page, "query-ui-results")


def test_activity_page_links_to_its_taxon(page, base_url):
    page.goto(base_url + "/id/activity/cami/2.3.8")
    assert page.locator("h1").inner_text() == "CAMI activity 2.3.8"
    assert page.locator("#activity-actors td", has_text="Saiga MOU").count() == 1
    assert page.locator("figure svg.picture").count() == 1
    _screenshot(page, "activity-page")

    page.locator("#activity-taxa a[href='/id/taxon/saiga']").click()
    page.wait_for_url("**/id/taxon/saiga")
    assert "Saiga" in page.locator("h1").inner_text()
    assert page.locator("#taxon-listings tr").count() >= 2  # header and at least one listing
    assert page.locator("figure svg.picture").count() == 2  # neighbourhood and listings timeline
    _screenshot(page, "taxon-page")


def test_pages_read_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.locator("#plain-form textarea").is_visible()
    page.goto(base_url + "/id/taxon/uncia-uncia?lang=fr")
    assert page.locator("#taxon-activities h2").inner_text().startswith("Activités touchant ce taxon")
    context.close()


def test_search_from_the_header_box_then_follow_a_hit(page, base_url):
    page.goto(base_url + "/id/taxon/uncia-uncia")
    box = page.locator("#searchbox-q")
    box.fill("snow leo")
    page.wait_for_function("document.querySelectorAll('#searchbox-suggestions option').length > 0")
    assert "snow leopard" in page.locator("#searchbox-suggestions option").first.get_attribute("value")

    box.fill("border fences")
    box.press("Enter")
    page.wait_for_url("**/search?**")
    hits = page.locator("ol.hits li")
    assert hits.count() >= 5 and page.locator("ol.hits mark").count() >= 1
    assert page.locator("aside a", has_text="Programme").count() >= 1  # facets are links
    _screenshot(page, "search-results")

    page.locator("ol.hits li a").first.click()
    page.wait_for_url("**/id/**")
    assert page.locator("h1").inner_text()
    _screenshot(page, "search-hit")

// The query UI at /: YASGUI (from the npm registry, served locally) on this server's /sparql endpoint, with
// the example and every canned query as ready-made tabs. Without JavaScript the plain form stays in place.
(function () {
  "use strict";
  const host = document.getElementById("yasgui");
  if (!host || typeof Yasgui === "undefined") return;
  const endpoint = new URL("/sparql", window.location.href).href;
  const tabs = JSON.parse(document.getElementById("yasgui-tabs").textContent);
  document.getElementById("plain-form").hidden = true;
  host.hidden = false;
  const yasgui = new Yasgui(host, {
    persistenceId: null,                       // start from the ready-made tabs on every visit
    autofocus: false,                          // the page opens at its top: the skip link is the first Tab stop
    copyEndpointOnNewTab: true,
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    yasqe: { autocompleters: ["variables"] },  // the other autocompleters ask remote services (prefix.cc, LOV)
  });
  const first = yasgui.getTab();
  tabs.forEach(function (tab, index) {
    yasgui.addTab(index === 0, { name: tab.name, yasqe: { value: tab.query }, requestConfig: { endpoint: endpoint, method: "POST" } });
  });
  if (first) first.close();
  window.meaYasgui = yasgui;
  accessible(yasgui, host);
})();

// YASGUI's markup, repaired where it fails WCAG 2.1 (docs/accessibility.md), and again whenever it redraws:
// the "add tab" button moves out of the tablist (a tablist holds tabs only), a tab names in aria-controls
// only a panel that exists, the editor's, the endpoint's and other fields get names, the editor's scrolling
// box can be reached by keyboard, and Tab leaves the editor instead of indenting (no keyboard trap).
function accessible(yasgui, host) {
  "use strict";
  const tabList = yasgui.tabElements;
  if (tabList && tabList.addTabEl && tabList._tabsListEl) {
    const row = document.createElement("div");  // the tablist and the button side by side, as YASGUI draws them
    row.className = "tabsRow";
    tabList._tabsListEl.before(row);
    row.append(tabList._tabsListEl, tabList.addTabEl);
    tabList.addTabEl = null;                   // new tabs are then appended to the list, not put before it
  }
  const names = [
    [".yasqe textarea", "SPARQL query"],
    ["input.autocomplete", "SPARQL endpoint"],
    [".tab input[type=text]", "Tab name"],
    ["select.tableSizer", "Rows per page"],
  ];
  function repair() {
    host.querySelectorAll("[role=tab][aria-controls]").forEach(function (tab) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) tab.removeAttribute("aria-controls");
    });
    host.querySelectorAll("[role=tab]:not([aria-controls])").forEach(function (tab) {
      const panel = document.getElementById(tab.getAttribute("href").slice(1));
      if (panel) tab.setAttribute("aria-controls", panel.id);
    });
    names.forEach(function ([selector, name]) {
      host.querySelectorAll(selector).forEach(function (field) {
        if (!field.hasAttribute("aria-label")) field.setAttribute("aria-label", name);
      });
    });
    host.querySelectorAll(".CodeMirror").forEach(function (wrapper) {
      const editor = wrapper.CodeMirror;       // CodeMirror 5 keeps its editor on its wrapper element
      if (editor && !editor.kgTabLeaves) {
        editor.kgTabLeaves = true;
        editor.addKeyMap({ Tab: false, "Shift-Tab": false });  // false: the browser's own Tab, to the next field
      }
    });
    host.querySelectorAll(".CodeMirror-scroll:not([tabindex='0'])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
  }
  repair();
  new MutationObserver(repair).observe(host, { childList: true, subtree: true });
}

// Results link the graph's IRIs (https://w3id.org/mea-kg/id/…): open them on this server instead.
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("a[href^='https://w3id.org/mea-kg/id/']");
  if (!link) return;
  event.preventDefault();
  window.location.href = "/id/" + link.getAttribute("href").slice("https://w3id.org/mea-kg/id/".length);
});

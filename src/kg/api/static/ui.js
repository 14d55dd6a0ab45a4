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
})();

// Results link the graph's IRIs (https://w3id.org/mea-kg/id/…): open them on this server instead.
document.addEventListener("click", function (event) {
  const link = event.target.closest && event.target.closest("a[href^='https://w3id.org/mea-kg/id/']");
  if (!link) return;
  event.preventDefault();
  window.location.href = "/id/" + link.getAttribute("href").slice("https://w3id.org/mea-kg/id/".length);
});

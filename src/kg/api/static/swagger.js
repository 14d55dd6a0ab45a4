// Swagger UI (/docs) draws a parameter's list of values as a <select> with no name: name it after its parameter,
// whenever Swagger UI redraws (src/kg/api/swagger.py, docs/accessibility.md).
(function () {
  "use strict";
  function name() {
    document.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach(function (select) {
      select.setAttribute("aria-label", select.closest("tr").getAttribute("data-param-name"));
    });
  }
  new MutationObserver(name).observe(document.body, { childList: true, subtree: true });
})();

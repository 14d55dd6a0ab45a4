// Type-ahead for the search box in every page's header: suggestions from GET /search/suggest in a <datalist>.
// Without JavaScript the box is a plain form that submits to /search.
(function () {
  const input = document.getElementById("searchbox-q");
  const list = document.getElementById("searchbox-suggestions");
  if (!input || !list || !window.fetch) return;
  let pending = null;
  input.addEventListener("input", function () {
    const typed = input.value.trim();
    clearTimeout(pending);
    if (typed.length < 2) { list.replaceChildren(); return; }
    pending = setTimeout(function () {
      fetch("/search/suggest?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) {
          list.replaceChildren(...found.map(function (hit) {
            const option = document.createElement("option");
            option.value = hit.label;
            option.label = hit.type + (hit.code ? " " + hit.code : "");
            return option;
          }));
        })
        .catch(function () { list.replaceChildren(); });
    }, 150);
  });
})();

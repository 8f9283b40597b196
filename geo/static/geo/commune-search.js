/* Champ commune : propose les communes (/communes/recherche) dans la <datalist> du champ.
   Amélioration progressive : sans ce script, la saisie libre reste validée par le serveur. */
(function () {
  "use strict";

  /* Communes : remplit la <datalist> depuis /communes/recherche?q=. */
  function setupCommunes() {
    document.querySelectorAll("input[data-commune-search-url]").forEach(function (input) {
      var list = input.list;
      var url = input.getAttribute("data-commune-search-url");
      var timer = null;
      var lastQuery = "";
      if (!list || !url) return;
      input.addEventListener("input", function () {
        var q = input.value.trim();
        clearTimeout(timer);
        if (q.length < 2 || q === lastQuery) return;
        timer = setTimeout(function () {
          lastQuery = q;
          fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : { results: [] }; })
            .then(function (data) {
              if (input.value.trim() !== q) return;
              list.replaceChildren.apply(list, (data.results || []).map(function (commune) {
                var option = document.createElement("option");
                option.value = commune.label;
                return option;
              }));
            })
            .catch(function () { /* la saisie libre reste possible */ });
        }, 200);
      });
    });
  }

  setupCommunes();
})();

/* Espace employeur : amélioration progressive (tout marche sans ce script). */
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

  /* SIRET : pré-remplit nom, commune, NAF et effectif depuis l'annuaire des entreprises (champs vides seulement). */
  function setupCompanyLookup() {
    var form = document.querySelector("form[data-company-lookup-url]");
    if (!form) return;
    var url = form.getAttribute("data-company-lookup-url");
    var siret = form.querySelector("input[name='siret']");
    var status = form.querySelector("[data-company-lookup-status]");
    var lastSiret = "";
    if (!siret) return;
    function fill(name, value) {
      var field = form.elements[name];
      if (!field || !value) return;
      if (field.tagName === "SELECT") {
        field.value = value;
      } else if (!field.value.trim()) {
        field.value = value;
      }
    }
    function lookup() {
      var digits = siret.value.replace(/[\s.\-]/g, "");
      if (!/^\d{14}$/.test(digits) || digits === lastSiret) return;
      lastSiret = digits;
      fetch(url + "?siret=" + encodeURIComponent(digits), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { found: false }; })
        .then(function (data) {
          if (!data.found) return;
          fill("company_name", data.name);
          fill("commune", data.commune);
          fill("naf_code", data.naf_code);
          fill("staff_band", data.staff_band);
          if (status) status.textContent = "Nous avons pré-rempli les informations de l'établissement : vérifiez-les.";
        })
        .catch(function () { /* on remplit à la main */ });
    }
    siret.addEventListener("change", lookup);
    siret.addEventListener("input", lookup);
  }

  /* Offre : « dès que possible » désactive la date. */
  function setupStartAsap() {
    var asap = document.querySelector("input[name='start_asap']");
    var date = document.querySelector("input[name='start_date']");
    if (!asap || !date) return;
    function update() { date.disabled = asap.checked; }
    asap.addEventListener("change", update);
    update();
  }

  /* « Pas intéressé » : le motif n'apparaît qu'au clic (sans script, il est toujours visible). */
  function setupNoInterest() {
    document.querySelectorAll("details[data-no-interest]").forEach(function (details) {
      details.open = false;
    });
  }

  setupCommunes();
  setupCompanyLookup();
  setupStartAsap();
  setupNoInterest();
})();

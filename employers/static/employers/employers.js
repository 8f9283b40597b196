/* Espace employeur : amélioration progressive (tout marche sans ce script). */
(function () {
  "use strict";


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
          if (!data.found) {
            if (status && data.message) status.textContent = data.message;
            return;
          }
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
    if (siret.value) lookup();  // SIRET déjà là (transmis par ProConnect, ou formulaire réaffiché)
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

  setupCompanyLookup();
  setupStartAsap();
  setupNoInterest();
})();

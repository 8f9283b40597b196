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
    var UNAVAILABLE =
      "La recherche dans l'annuaire des entreprises ne répond pas : remplissez les champs vous-même " +
      "et continuez, nous vérifierons l'entreprise plus tard.";
    function say(text) {
      if (status) status.textContent = text;
    }
    function lookup() {
      var digits = siret.value.replace(/[\s.\-]/g, "");
      if (!/^\d{14}$/.test(digits) || digits === lastSiret) return;
      lastSiret = digits;
      say("Recherche de l'établissement dans l'annuaire des entreprises…");
      fetch(url + "?siret=" + encodeURIComponent(digits), { headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (!data.found) {
            say(data.message || UNAVAILABLE);
            return;
          }
          fill("company_name", data.name);
          fill("commune", data.commune);
          fill("naf_code", data.naf_code);
          fill("staff_band", data.staff_band);
          say("Nous avons pré-rempli les informations de l'établissement : vérifiez-les.");
        })
        .catch(function () {
          say(UNAVAILABLE);  // erreur du serveur ou du réseau : on remplit à la main
        });
    }
    siret.addEventListener("change", lookup);
    siret.addEventListener("input", lookup);
    if (siret.value) lookup();  // SIRET déjà là (transmis par ProConnect, ou formulaire réaffiché)
  }

  /* Offre : saisir une date de début choisit « À partir d'une date précise ». */
  function setupStartAsap() {
    var onDate = document.querySelector("input[name='start_asap'][value='date']");
    var date = document.querySelector("input[name='start_date']");
    if (!onDate || !date) return;
    date.addEventListener("input", function () {
      if (date.value) onDate.checked = true;
    });
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

/* Parcours candidat·e : amélioration progressive (tout marche sans ce script). */
(function () {
  "use strict";

  function normalize(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  /* Règles d'âge : n'afficher la case « collège terminé » qu'à 15 ans, les exceptions qu'à partir de 30 ans. */
  function ageOn(birth, today) {
    var years = today.getFullYear() - birth.getFullYear();
    if (today.getMonth() < birth.getMonth() || (today.getMonth() === birth.getMonth() && today.getDate() < birth.getDate())) {
      years -= 1;
    }
    return years;
  }

  function setupAgeRules() {
    var input = document.querySelector('input[name="birth_date"]:not([disabled])');
    var blocks = document.querySelectorAll("[data-age-rule-block]");
    if (!input || !blocks.length) return;
    function update() {
      var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value);
      var age = match ? ageOn(new Date(+match[1], +match[2] - 1, +match[3]), new Date()) : null;
      blocks.forEach(function (block) {
        var rule = block.getAttribute("data-age-rule-block");
        var hasError = block.querySelector(".fr-error-text") !== null;
        var relevant = age !== null && (rule === "15" ? age === 15 : age >= 30);
        block.hidden = !(relevant || hasError);
      });
    }
    input.addEventListener("change", update);
    input.addEventListener("input", update);
    update();
  }


  /* Métiers : filtre par texte, ouvre les familles qui ont un métier trouvé. */
  function setupTradeFilter() {
    var wrapper = document.querySelector("[data-trade-filter]");
    if (!wrapper) return;
    var input = wrapper.querySelector("input");
    var status = wrapper.querySelector("[aria-live]");
    var families = Array.prototype.slice.call(document.querySelectorAll("[data-trade-family]"));
    wrapper.hidden = false;
    input.addEventListener("input", function () {
      var q = normalize(input.value);
      var found = 0;
      families.forEach(function (family) {
        var details = family.querySelector("details");
        var familyName = normalize(family.querySelector("summary").textContent);
        var visibleInFamily = 0;
        family.querySelectorAll("[data-trade-item]").forEach(function (item) {
          var visible = !q || familyName.indexOf(q) !== -1 || normalize(item.textContent).indexOf(q) !== -1;
          item.hidden = !visible;
          if (visible) visibleInFamily += 1;
        });
        family.hidden = visibleInFamily === 0;
        if (q) {
          details.open = visibleInFamily > 0;
          found += visibleInFamily;
        } else {
          details.open = details.querySelector("input:checked") !== null;
        }
      });
      status.textContent = q ? (found === 0 ? "Aucun métier ne correspond." : found + " métier(s) trouvé(s).") : "";
    });
  }

  function init() {
    setupAgeRules();
    setupTradeFilter();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

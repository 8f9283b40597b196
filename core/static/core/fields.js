/* Champs à longueur limitée : la limite et un compteur sous le champ.
 *
 * Le navigateur coupe sans rien dire un texte collé plus long que `maxlength` : l'attribut est retiré
 * (gardé dans data-maxlength), le compteur dit de combien le texte dépasse, et le serveur refuse un texte trop
 * long avec un message qui le dit, en gardant ce qui a été saisi. */
(function () {
  "use strict";
  var MIN_LIMIT = 100; // en dessous (prénom, code postal…), pas de compteur
  var format = function (n) {
    return n.toLocaleString("fr-FR");
  };

  function setUp(field, index) {
    var limit = parseInt(field.getAttribute("maxlength"), 10);
    if (!limit || limit < MIN_LIMIT) return;
    field.removeAttribute("maxlength");
    field.setAttribute("data-maxlength", String(limit));
    var counter = document.createElement("p");
    counter.className = "fr-hint-text fr-mt-1v cmc-counter";
    counter.id = (field.id || "champ-" + index) + "-compteur";
    var alert = document.createElement("p");
    alert.className = "fr-sr-only";
    alert.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", alert);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(counter.id);
    field.setAttribute("aria-describedby", described.join(" "));
    var wasOver = false;
    function update() {
      var length = field.value.length;
      var over = length > limit;
      counter.textContent = over
        ? format(length) + " caractères sur " + format(limit) + " au plus : " + format(length - limit) + " de trop."
        : format(length) + " caractères sur " + format(limit) + " au plus.";
      counter.classList.toggle("fr-message--error", over);
      counter.classList.toggle("cmc-counter--over", over);
      if (over !== wasOver) {
        alert.textContent = over
          ? "Le texte dépasse la limite de " + format(limit) + " caractères."
          : "";
        wasOver = over;
      }
    }
    field.addEventListener("input", update);
    update();
  }

  function init() {
    var fields = document.querySelectorAll(
      "textarea[maxlength], input[maxlength]:not([type=search]):not([type=hidden])"
    );
    Array.prototype.forEach.call(fields, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

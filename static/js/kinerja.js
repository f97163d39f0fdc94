// Small page behaviours without inline script (CSP): print buttons.
document.addEventListener("click", function (event) {
  "use strict";
  if (event.target.closest("[data-print]")) { window.print(); }
});

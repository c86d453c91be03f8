// Progressive enhancement for the searchable lists: Enter in the search box
// runs the search instead of submitting the form's main button (which would
// ask for a selection first). Without JavaScript the Search button works.
(function () {
  "use strict";
  var input = document.querySelector("[data-search-input]");
  var button = document.querySelector("[data-search-button]");
  if (!input || !button) return;
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      ev.preventDefault();
      button.click();
    }
  });
})();

// Progressive enhancement for the patient picker: a filter box that hides
// non-matching rows. Without JavaScript the box stays hidden and the full
// list still works.
(function () {
  "use strict";
  var box = document.querySelector("[data-filter]");
  var input = document.getElementById("patient-filter");
  var list = document.getElementById("patient-list");
  if (!box || !input || !list) return;
  var rows = Array.prototype.slice.call(list.querySelectorAll("[data-search]"));
  var status = document.getElementById("patient-filter-status");
  var empty = document.querySelector("[data-filter-empty]");
  box.hidden = false;

  function apply() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.getAttribute("data-search");
      var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (empty) empty.hidden = shown !== 0;
    if (status) {
      status.textContent = terms.length
        ? shown + " of " + rows.length + " patients shown"
        : "";
    }
  }

  input.addEventListener("input", apply);
  // Enter in the filter box should not submit the form by accident.
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") ev.preventDefault();
  });
  apply();
})();

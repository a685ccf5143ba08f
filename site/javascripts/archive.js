// The archive's filter by year and story: shown only where this script runs (without it, the
// archive lists every week, with its years linked at the top). Rows carry their year and story
// as data attributes (report/site.py); a year with no week left is hidden with its heading.
var form = document.querySelector("form.archive-filter");
if (form) {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-year]"));
  var count = form.querySelector("output");

  var apply = function () {
    var year = form.elements.year.value;
    var story = form.elements.story.value;
    var shown = 0;
    rows.forEach(function (row) {
      var keep = (!year || row.dataset.year === year) && (!story || row.dataset.story === story);
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    document.querySelectorAll(".md-typeset table").forEach(function (table) {
      var any = table.querySelector("tr[data-year]:not([hidden])") !== null;
      var wrapper = table.closest(".md-typeset__scrollwrap") || table;
      wrapper.hidden = !any;
      var heading = wrapper.previousElementSibling;
      if (heading && heading.tagName === "H2") { heading.hidden = !any; }
    });
    count.textContent = shown === 1 ? "1 week" : shown + " weeks";
  };

  form.hidden = false;
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  apply();
}

// Replace each static chart with the interactive one (the static one stays for readers
// without scripts, and for print), drawn by the Vega bundle this site serves,
// and keep its colours on the page's palette: each chart's colours are Vega parameters named
// palette_<role> (report/charts.py); their values come from the CSS variables below, and are set
// again whenever the reader switches between light and dark.
var PALETTE = {
  palette_price: "--report-chart-price",
  palette_high: "--report-chart-high",
  palette_week: "--report-chart-week",
  palette_up: "--report-chart-up",
  palette_down: "--report-chart-down",
  palette_recent: "--report-chart-recent",
  palette_text: "--md-default-fg-color--light",
  palette_grid: "--md-default-fg-color--lightest",
};
var views = [];

function paint(view) {
  var style = getComputedStyle(document.body);
  Object.keys(PALETTE).forEach(function (name) {
    var value = style.getPropertyValue(PALETTE[name]).trim();
    if (value) { view.signal(name, value); }
  });
  return view.runAsync();
}

function draw() {
  document.querySelectorAll(".vega-chart").forEach(function (el) {
    fetch(el.dataset.spec)
      .then(function (response) { return response.json(); })
      .then(function (spec) { return vegaEmbed(el, spec, { actions: false, renderer: "svg" }); })
      .then(function (result) {
        views.push(result.view);
        return paint(result.view);
      })
      .then(function () {
        // The figure now holds the live chart: the stylesheet hides the static copy.
        el.parentElement.classList.add("chart-live");
      })
      .catch(function (error) { console.warn("chart left static:", error); });
  });
}

// The Vega bundle (about 900 KB) is fetched only by a page that has charts, and only when a
// chart comes near the screen: every other page, and the text of this one, never wait for it.
var here = document.currentScript ? document.currentScript.src : "";
var loading = false;

function loadBundle() {
  if (loading || !here) { return; }
  loading = true;
  var bundle = document.createElement("script");
  bundle.src = here.replace(/charts\.js(\?.*)?$/, "vega-bundle.js");
  bundle.async = true;
  bundle.onload = draw;
  document.head.appendChild(bundle);
}

var charts = document.querySelectorAll(".vega-chart");
if (charts.length && "IntersectionObserver" in window) {
  var near = new IntersectionObserver(function (entries) {
    if (entries.some(function (e) { return e.isIntersecting; })) {
      near.disconnect();
      loadBundle();
    }
  }, { rootMargin: "800px 0px" });
  charts.forEach(function (el) { near.observe(el); });
} else if (charts.length) {
  loadBundle();
}

new MutationObserver(function () { views.forEach(paint); })
  .observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

// Replace each static chart with the interactive one, drawn by the Vega bundle this site serves.
document.querySelectorAll(".vega-chart").forEach(function (el) {
  fetch(el.dataset.spec)
    .then(function (response) { return response.json(); })
    .then(function (spec) { return vegaEmbed(el, spec, { actions: false, renderer: "svg" }); })
    .then(function () {
      var still = el.parentElement.querySelector(".chart-static");
      if (still) { still.hidden = true; }
    })
    .catch(function (error) { console.warn("chart left static:", error); });
});

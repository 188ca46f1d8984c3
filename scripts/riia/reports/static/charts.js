/* Draws every chart of a report page with the Vega bundle written beside it (assets/vega-bundle.js).
   Each <figure class="chart"> holds its Vega-Lite specification as JSON; nothing is fetched. */
(function () {
  "use strict";
  function showTable(figure) {
    var table = figure.querySelector("table");
    if (table) { table.classList.remove("visually-hidden"); }
  }
  /* The same rule as riia.reports.charts.merge: objects merge key by key, anything else replaces. */
  function merge(base, patch) {
    var merged = {}, key;
    for (key in base) { if (Object.prototype.hasOwnProperty.call(base, key)) { merged[key] = base[key]; } }
    for (key in patch) {
      if (!Object.prototype.hasOwnProperty.call(patch, key)) { continue; }
      var value = patch[key], under = base[key];
      var isObject = function (o) { return o !== null && typeof o === "object" && !Array.isArray(o); };
      merged[key] = isObject(value) && isObject(under) ? merge(under, value) : value;
    }
    return merged;
  }
  var baseElement = document.getElementById("chart-base");
  var base = baseElement ? JSON.parse(baseElement.textContent) : {};
  function draw(figure) {
    var canvas = figure.querySelector(".chart-canvas");
    var spec = merge(base, JSON.parse(figure.querySelector("script.chart-spec").textContent));
    return vegaEmbed(canvas, spec, { actions: false, renderer: "svg" })
      .then(function () { figure.classList.add("rendered"); })
      .catch(function (error) {
        canvas.textContent = "This chart could not be drawn (" + error.message + "); its figures are in the table below it.";
        figure.classList.add("failed");
        showTable(figure);
        console.error(error);
      });
  }
  function drawAll() {
    var figures = Array.prototype.slice.call(document.querySelectorAll("figure.chart"));
    if (typeof vegaEmbed !== "function") {
      figures.forEach(function (figure) {
        figure.querySelector(".chart-canvas").textContent = "Charts need assets/vega-bundle.js beside this report; the figures are in the table below.";
        showTable(figure);
      });
      return;
    }
    Promise.all(figures.map(draw)).then(function () { document.body.classList.add("charts-ready"); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
})();

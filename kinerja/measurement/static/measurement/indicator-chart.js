// The indicator page's quarter chart: target and realisation per quarter and, at TW IV, the projected year-end
// as a marker on a bar spanning its range. Drawn from the JSON block its data-source names (no inline script:
// CSP); static/js/charts.js draws the page's other charts and leaves this one alone.
(function () {
  "use strict";
  var GREY = "#98a2b3", BLUE = "#0b5cad", AMBER = "#b54708";

  function atYearEnd(length, value) {
    var data = [];
    for (var i = 0; i < length; i++) { data.push(i === length - 1 ? value : null); }
    return data;
  }

  function config(d) {
    var datasets = [
      { type: "line", label: d.target_label, data: d.targets, borderColor: GREY, backgroundColor: GREY, spanGaps: true, order: 1 },
      { type: "line", label: d.value_label, data: d.values, borderColor: BLUE, backgroundColor: BLUE, spanGaps: false, order: 1 }
    ];
    var p = d.projection;
    if (p) {
      datasets.push({ type: "line", label: p.label, data: atYearEnd(d.labels.length, p.value), showLine: false,
        pointStyle: "rectRot", pointRadius: 7, pointHoverRadius: 8, borderColor: AMBER, backgroundColor: AMBER, order: 0 });
      datasets.push({ type: "bar", label: p.range_label, data: atYearEnd(d.labels.length, [p.low, p.high]),
        backgroundColor: "rgba(181, 71, 8, 0.25)", borderColor: AMBER, borderWidth: 1, barPercentage: 0.15,
        categoryPercentage: 1, minBarLength: 2, order: 2 });
    }
    return {
      type: "bar",
      data: { labels: d.labels, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: true,
        plugins: {
          // Drawing order puts the marker above its range bar; the legend keeps the datasets' own order.
          legend: { labels: { sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } } },
          tooltip: { callbacks: { label: function (item) {
          if (p && item.dataset.label === p.range_label) { return p.range_label + ": " + p.range_text; }
          if (p && item.dataset.label === p.label) { return p.label + ": " + p.text; }
          return item.dataset.label + ": " + item.formattedValue;
        } } } }
      }
    };
  }

  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll('canvas[data-chart="quarters-projection"]').forEach(function (canvas) {
      var node = document.getElementById(canvas.dataset.source);
      if (node) { new Chart(canvas, config(JSON.parse(node.textContent))); }
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

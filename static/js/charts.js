// Draws every <canvas data-chart> from the JSON block its data-source names (no inline script: CSP).
(function () {
  "use strict";
  var COLOURS = { green: "#1c7c3c", lime: "#7cb342", yellow: "#e0b000", orange: "#e67e22", red: "#b42318", grey: "#98a2b3" };

  function data(canvas) {
    var node = document.getElementById(canvas.dataset.source);
    return node ? JSON.parse(node.textContent) : null;
  }
  function percentAxis() { return { beginAtZero: true, ticks: { callback: function (v) { return v + "%"; } } }; }
  var builders = {
    bars: function (d) {
      return { type: "bar", data: { labels: d.labels, datasets: [{ data: d.values,
        backgroundColor: d.colours.map(function (c) { return COLOURS[c] || COLOURS.grey; }) }] },
        options: { plugins: { legend: { display: false }, tooltip: { callbacks: {
          title: function (items) { return d.titles[items[0].dataIndex]; } } } }, scales: { y: percentAxis() } } };
    },
    trend: function (d) {
      return { type: "bar", data: { labels: d.years.labels.concat(d.quarters.labels), datasets: [{
        data: d.years.values.concat(d.quarters.values),
        backgroundColor: d.years.values.map(function () { return COLOURS.grey; })
          .concat(d.quarters.values.map(function () { return "#0b5cad"; })) }] },
        options: { plugins: { legend: { display: false } }, scales: { y: percentAxis() } } };
    },
    quarters: function (d) {
      return { type: "line", data: { labels: d.labels, datasets: [
        { label: d.target_label, data: d.targets, borderColor: COLOURS.grey, spanGaps: true },
        { label: d.value_label, data: d.values, borderColor: "#0b5cad", spanGaps: false }] } };
    },
    years: function (d) {
      return { type: "bar", data: { labels: d.years, datasets: [{ data: d.year_values, backgroundColor: "#0b5cad" }] },
        options: { plugins: { legend: { display: false } }, scales: { y: percentAxis() } } };
    }
  };
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var d = data(canvas), build = builders[canvas.dataset.chart];
      if (!d || !build) { return; }
      var config = build(d);
      config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: true }, config.options || {});
      new Chart(canvas, config);
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

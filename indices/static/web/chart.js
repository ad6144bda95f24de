// Draws the chart of the explorer, a series page, its vintages or a comparison with the locally
// served plotly.min.js from the JSON the page embeds (#chart-data). What was plotted is kept in window.ipiChart and #chart's data-plotted,
// for people's own scripts and the browser tests.
(function () {
  "use strict";
  var element = document.getElementById("chart");
  var source = document.getElementById("chart-data");
  if (!element || !source || !window.Plotly) return;
  var chart = JSON.parse(source.textContent);
  var traces = chart.lines.map(function (line) {
    var earlier = line.vintage !== "current";
    return {
      type: "scatter",
      mode: "lines+markers",
      name: line.label,
      x: line.periods,
      y: line.values,
      line: { width: 2, dash: line.dash || (earlier ? "dot" : "solid") },
      marker: { size: 5 },
      hovertemplate: "%{x}: %{y:.2f}<extra>" + line.key + "</extra>"
    };
  });
  var layout = {
    margin: { l: 50, r: 10, t: 10, b: 40 },
    // Quarters ("2024-Q1") and years are categories; months are dates.
    xaxis: { type: chart.freq === "M" ? "date" : "category", automargin: true },
    yaxis: { title: { text: chart.unit }, zeroline: chart.transformation !== "IX" },
    // Shown for a single series too: the legend names what is drawn.
    showlegend: true,
    legend: { orientation: "h", y: -0.2 },
    hovermode: "x unified"
  };
  var plotted = traces.reduce(function (n, t) { return n + t.y.length; }, 0);
  window.Plotly.newPlot(element, traces, layout, { responsive: true, displaylogo: false })
    .then(function () {
      window.ipiChart = { traces: traces.length, points: plotted, lines: chart.lines };
      element.setAttribute("data-plotted", String(plotted));
      // The table is open for pages without JavaScript; with the chart drawn, fold it.
      var values = document.getElementById("values");
      if (values) values.open = false;
    });
})();

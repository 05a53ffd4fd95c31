// Draws the dashboard's charts (Apache ECharts, vendored) from the JSON the page embeds.
// Runs on page load and again after htmx swaps in a filtered dashboard.
(function () {
  "use strict";
  var charts = [];
  var QUADRANT_COLOURS = { improve: "#d9534f", undecided: "#ef9a9a", keep: "#2e7d32", secondary: "#9e9e9e", bonus: "#1976d2" };
  // Every tooltip is drawn by ECharts as text inside the chart, never as HTML: question texts,
  // dimension names and periods come from users, and an HTML tooltip would run their markup.
  var TEXT_TOOLTIP = { renderMode: "richText" };
  function tooltip(options) { return Object.assign({}, TEXT_TOOLTIP, options || {}); }

  function chart(id) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) return null;
    var instance = echarts.init(element, null, { renderer: "svg" });
    charts.push(instance);
    return instance;
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var source = document.getElementById("dashboard-data");
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var text = JSON.parse(document.getElementById("dashboard-text").textContent);

    var dimensions = chart("chart-dimensions");
    if (dimensions) dimensions.setOption({
      grid: { left: 100, right: 30, top: 10, bottom: 25 },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", inverse: true, data: data.dimensions.map(function (d) { return d.name; }) },
      series: [{ type: "bar", data: data.dimensions.map(function (d) { return d.value; }), label: { show: true, position: "right" }, itemStyle: { color: "#1976d2" } }],
      tooltip: tooltip()
    });

    function line(element, periods, means) {
      if (element) element.setOption({
        grid: { left: 45, right: 20, top: 20, bottom: 30 },
        xAxis: { type: "category", data: periods },
        // The index lives on 0-100: the axis never runs past 100 (nor below 0), and starts at
        // the ten below the lowest point so that a change stays visible.
        yAxis: { type: "value", max: 100, min: function (range) { return Math.max(0, Math.floor(range.min / 10) * 10 - 10); } },
        series: [{ type: "line", name: text.index, data: means, smooth: false, label: { show: means.length <= 12 } }],
        tooltip: tooltip({ trigger: "axis" })
      });
    }
    var months = data.trend.map(function (p) { return p.period; });
    var monthMeans = data.trend.map(function (p) { return p.mean; });
    // Across waves when the series has several (and this wave month by month beside it),
    // otherwise month by month within this one.
    if (data.waves.length > 1) {
      line(chart("chart-trend"), data.waves.map(function (w) { return w.label; }), data.waves.map(function (w) { return w.mean; }));
      line(chart("chart-trend-months"), months, monthMeans);
    } else {
      line(chart("chart-trend"), months, monthMeans);
    }

    var importance = chart("chart-importance");
    if (importance && data.importance) {
      var points = data.importance.points;
      var scores = points.map(function (p) { return p.performance; }).concat([data.importance.performance_line]);
      var xMin = Math.max(0, Math.floor(Math.min.apply(null, scores.concat([100])) / 10) * 10 - 10);
      // A label to the right of a point in the right third of the axis would run off the chart.
      var flip = xMin + (100 - xMin) * 2 / 3;
      importance.setOption({
        grid: { left: 50, right: 20, top: 30, bottom: 40 },
        xAxis: { type: "value", name: text.performance, nameLocation: "middle", nameGap: 25, max: 100, min: xMin },
        yAxis: { type: "value", name: text.importance, scale: true },
        tooltip: tooltip({ formatter: function (p) { return p.data.name + "\n" + text.quadrants[p.data.quadrant]; } }),
        series: [{
          type: "scatter", symbolSize: 10,
          data: points.map(function (p) {
            return {
              value: [p.performance, p.importance], name: p.label, quadrant: p.quadrant,
              itemStyle: { color: QUADRANT_COLOURS[p.quadrant] },
              label: { position: p.performance > flip ? "left" : "right" }
            };
          }),
          label: { show: true, position: "right", formatter: function (p) { return p.data.name; }, fontSize: 11 },
          labelLayout: { moveOverlap: "shiftY" },
          markLine: {
            silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#888" },
            data: [{ xAxis: data.importance.performance_line }, { yAxis: data.importance.importance_line }],
            label: { show: false }
          }
        }],
        graphic: [
          { type: "text", left: 55, top: 30, style: { text: text.quadrants.improve, fill: QUADRANT_COLOURS.improve } },
          { type: "text", right: 25, top: 30, style: { text: text.quadrants.keep, fill: QUADRANT_COLOURS.keep } },
          { type: "text", left: 55, bottom: 45, style: { text: text.quadrants.secondary, fill: QUADRANT_COLOURS.secondary } },
          { type: "text", right: 25, bottom: 45, style: { text: text.quadrants.bonus, fill: QUADRANT_COLOURS.bonus } }
        ]
      });
    }

    var nps = chart("chart-nps");
    if (nps && data.nps) nps.setOption({
      grid: { left: 10, right: 10, top: 10, bottom: 30 },
      legend: { bottom: 0 },
      xAxis: { type: "value", show: false }, yAxis: { type: "category", data: ["NPS"], show: false },
      series: [
        { name: text.promoters, type: "bar", stack: "nps", data: [data.nps.promoters], itemStyle: { color: "#2e7d32" }, label: { show: true } },
        { name: text.passives, type: "bar", stack: "nps", data: [data.nps.passives], itemStyle: { color: "#bdbdbd" }, label: { show: true } },
        { name: text.detractors, type: "bar", stack: "nps", data: [data.nps.detractors], itemStyle: { color: "#d9534f" }, label: { show: true } }
      ]
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

// Draws the dashboard's topic charts (Apache ECharts, vendored) from the JSON the topic panel
// embeds (#topic-data); the panel's tables are their text alternative. Runs whenever htmx has
// swapped the panel in. Tooltips are ECharts text, never HTML: topic names come from users.
(function () {
  "use strict";
  var charts = [];
  var COLOURS = { negative: "#c0392b", mixed: "#d1661f", neutral: "#9e9e9e", positive: "#2e7d5b" };

  function draw() {
    var source = document.getElementById("topic-data");
    if (!source || !window.echarts) return;
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var data = JSON.parse(source.textContent);
    var element = document.getElementById("chart-topics");
    if (element) {
      var bars = echarts.init(element, null, { renderer: "svg" });
      charts.push(bars);
      bars.setOption({
        grid: { left: 110, right: 30, top: 30, bottom: 25 },
        legend: { top: 0 },
        xAxis: { type: "value", name: data.text.answers },
        yAxis: { type: "category", inverse: true, data: data.topics },
        series: data.sentiments.map(function (s) {
          return { type: "bar", stack: "all", name: s.name, data: s.counts, itemStyle: { color: COLOURS[s.label] } };
        }),
        tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } }
      });
    }
    var waves = document.getElementById("chart-topic-waves");
    if (waves && data.waves.length > 1) {
      var lines = echarts.init(waves, null, { renderer: "svg" });
      charts.push(lines);
      lines.setOption({
        grid: { left: 45, right: 20, top: 40, bottom: 30 },
        legend: { top: 0, type: "scroll" },
        xAxis: { type: "category", data: data.waves },
        yAxis: { type: "value", name: data.text.share, min: 0 },
        series: data.trend.map(function (t) { return { type: "line", name: t.name, data: t.shares }; }),
        tooltip: { renderMode: "richText", trigger: "axis" }
      });
    }
  }
  document.addEventListener("htmx:afterSettle", draw);
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

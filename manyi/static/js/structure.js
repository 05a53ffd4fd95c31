// Draws the structure page's scree plot (Apache ECharts, vendored) from the JSON the page embeds:
// the eigenvalues of the items' correlation matrix, the random data's (parallel analysis) and
// the eigenvalue-1 line of Kaiser's criterion.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("structure-data");
    var element = document.getElementById("chart-scree");
    if (!source || !element || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var text = JSON.parse(document.getElementById("structure-text").textContent);
    var numbers = data.eigenvalues.map(function (_v, i) { return String(i + 1); });
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 45, right: 20, top: 30, bottom: 40 },
      legend: { top: 0, data: [text.eigenvalue, text.random] },
      // Text tooltips drawn by ECharts (never HTML): labels come from the page's data.
      tooltip: { renderMode: "richText", trigger: "axis" },
      xAxis: { type: "category", data: numbers, name: text.component, nameLocation: "middle", nameGap: 25 },
      yAxis: { type: "value", min: 0 },
      series: [
        {
          type: "line", name: text.eigenvalue, data: data.eigenvalues, symbolSize: 8,
          markLine: { silent: true, symbol: "none", label: { formatter: text.kaiser, position: "insideEndTop" }, lineStyle: { type: "dashed", color: "#d9534f" }, data: [{ yAxis: 1 }] }
        },
        { type: "line", name: text.random, data: data.random, lineStyle: { type: "dotted" }, symbol: "none", itemStyle: { color: "#9e9e9e" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

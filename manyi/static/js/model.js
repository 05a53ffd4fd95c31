// Draws the PLS path diagram: exogenous constructs on the left, the others in columns by level,
// arrows labelled with the path coefficients (bold when the bootstrap interval excludes 0).
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("model-data");
    var element = document.getElementById("chart-model");
    if (!source || !element || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    // One column per level (0: no path leads to it), exogenous constructs on the left.
    var depth = Math.max.apply(null, data.nodes.map(function (n) { return n.level || 0; }));
    function place(list, x) {
      return list.map(function (n, i) {
        var label = n.name + (n.r2 === null || n.r2 === undefined ? "" : "\nR² = " + n.r2.toFixed(3));
        return { name: n.name, x: x, y: (i + 1) * 100 / (list.length + 1), value: label,
                 itemStyle: { color: n.exogenous ? "#1976d2" : "#2e7d32" } };
      });
    }
    var nodes = [];
    for (var level = 0; level <= depth; level++) {
      var column = data.nodes.filter(function (n) { return (n.level || 0) === level; });
      nodes = nodes.concat(place(column, depth ? 10 + 80 * level / depth : 10));
    }
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      series: [{
        type: "graph", layout: "none", symbol: "roundRect", symbolSize: [120, 44],
        label: { show: true, formatter: function (p) { return p.data.value; }, color: "#fff" },
        edgeSymbol: ["none", "arrow"], edgeSymbolSize: 10,
        edgeLabel: { show: true, formatter: function (p) { return p.data.value.toFixed(3); }, fontSize: 12 },
        data: nodes,
        links: data.links.map(function (l) {
          return { source: l.source, target: l.target, value: l.value,
                   lineStyle: { width: l.significant ? 2.5 : 1, type: l.significant ? "solid" : "dashed", color: "#555" } };
        })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();

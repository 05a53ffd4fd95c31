// The question editor's table columns: added in the browser, moved up and down (the order
// fields are renumbered 1, 2 … as the rows stand), shown for table questions only.
(function () {
  "use strict";
  var editor = document.getElementById("columns-editor");
  if (!editor) return;
  var body = document.getElementById("column-rows");
  function renumber() {
    Array.prototype.forEach.call(body.querySelectorAll("tr.column-row"), function (row, i) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = i + 1;
    });
  }
  document.getElementById("add-column").addEventListener("click", function () {
    var total = document.getElementById("id_columns-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById("column-template").innerHTML.replace(/__prefix__/g, n);
    body.insertAdjacentHTML("beforeend", html);
    total.value = n + 1;
    renumber();
  });
  body.addEventListener("click", function (event) {
    var button = event.target.closest("button.column-up, button.column-down");
    if (!button) return;
    var row = button.closest("tr");
    if (button.classList.contains("column-up") && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
    } else if (button.classList.contains("column-down") && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
    }
    renumber();
  });
  var kind = document.getElementById("id_kind");
  function fit() { editor.hidden = kind.value !== "table"; }
  kind.addEventListener("change", fit);
  fit();
})();

// The question editor: option and matrix rows added in the browser, editors fitted to the kind.
(function () {
  "use strict";
  // Formset rows added in the browser: copy the empty form, number it, count it.
  function addRow(prefix, tbodyId, templateId) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var n = parseInt(total.value, 10);
    var html = document.getElementById(templateId).innerHTML.replace(/__prefix__/g, n);
    document.getElementById(tbodyId).insertAdjacentHTML("beforeend", html);
    total.value = n + 1;
    return document.getElementById(tbodyId).lastElementChild;
  }
  document.getElementById("add-option").addEventListener("click", function () { addRow("options", "option-rows", "option-template"); });
  document.getElementById("add-row").addEventListener("click", function () { addRow("rows", "matrix-rows", "row-template"); });
  function clearOptions() {
    document.getElementById("option-rows").innerHTML = "";
    document.getElementById("id_options-TOTAL_FORMS").value = 0;
  }
  document.getElementById("clear-options").addEventListener("click", clearOptions);
  // Show the editors that fit the kind; kinds that cannot be scored are not, and NPS and
  // open text lose their options (the server refuses them otherwise).
  var kind = document.getElementById("id_kind");
  var scored = document.getElementById("id_scored");
  function fitKind(changed) {
    var k = kind.value;
    document.getElementById("options-editor").hidden = (k === "nps" || k === "text" || k === "table");
    document.getElementById("rows-editor").hidden = (k !== "matrix");
    if (!changed) return;
    if (k === "nps" || k === "text" || k === "table") clearOptions();
    if (["rating", "matrix"].indexOf(k) >= 0) scored.checked = true;
    if (["multiple", "yes_no", "nps", "text", "table"].indexOf(k) >= 0) scored.checked = false;
    if (k === "yes_no" && document.querySelectorAll("#option-rows tr").length === 0) {
      document.querySelector(".quick-fill[data-key=yes_no]").click();
    }
  }
  kind.addEventListener("change", function () { fitKind(true); });
  fitKind(false);
  document.querySelectorAll(".quick-fill").forEach(function (button) {
    button.addEventListener("click", function () {
      clearOptions();
      JSON.parse(button.dataset.scale).forEach(function (option) {
        var row = addRow("options", "option-rows", "option-template");
        row.querySelector("input[name$='-label']").value = option[0];
        row.querySelector("input[name$='-points']").value = option[1] === null ? "" : option[1];
        row.querySelector("input[name$='-is_neutral']").checked = option[2];
      });
    });
  });
})();

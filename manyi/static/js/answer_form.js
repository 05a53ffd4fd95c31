// The answer form's progress bar: how many questions have an answer, updated as the respondent answers.
(function () {
  "use strict";
  var form = document.getElementById("answer-form");
  function answered(fieldset) {
    var kind = fieldset.dataset.kind;
    if (kind === "matrix") {
      var rows = fieldset.querySelectorAll("tbody tr");
      if (!rows.length) return false;
      return Array.prototype.every.call(rows, function (row) { return row.querySelector("input[type=radio]:checked"); });
    }
    if (kind === "text") { var t = fieldset.querySelector("textarea"); return t && t.value.trim() !== ""; }
    if (kind === "table") return Array.prototype.some.call(fieldset.querySelectorAll("input[type=text]"), function (cell) { return cell.value.trim() !== ""; });
    return !!fieldset.querySelector("input[type=radio]:checked:not([name$='-importance']), input[type=checkbox]:checked");
  }
  function update() {
    var questions = form.querySelectorAll("fieldset.question:not([hidden])");  // conditions.js hides some
    var done = Array.prototype.filter.call(questions, answered).length;
    document.getElementById("progress-answered").textContent = done;
    document.getElementById("progress-total").textContent = questions.length;
    var bar = document.getElementById("progress-bar");
    bar.style.width = (questions.length ? Math.round(100 * done / questions.length) : 0) + "%";
    document.getElementById("progress").setAttribute("aria-valuenow", done);
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();

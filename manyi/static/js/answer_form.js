// The answer form's progress bar (how many questions shown have an answer) and piping: an
// earlier answer on the same page shown in a later question's text ({Q3}, surveys/piping.py),
// updated as the respondent answers. Text only (textContent), never HTML.
(function () {
  "use strict";
  // The answer page and the phone/paper entry form (#answer-form); the visit's call screen,
  // whose record form carries the questionnaire (data-answer-form) and has no progress bar.
  var form = document.getElementById("answer-form") || document.querySelector("form[data-answer-form]");
  if (!form) return;
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
    if (!document.getElementById("progress")) return;
    var questions = form.querySelectorAll("fieldset.question:not([hidden])");  // conditions.js hides some
    var done = Array.prototype.filter.call(questions, answered).length;
    document.getElementById("progress-answered").textContent = done;
    document.getElementById("progress-total").textContent = questions.length;
    var bar = document.getElementById("progress-bar");
    bar.style.width = (questions.length ? Math.round(100 * done / questions.length) : 0) + "%";
    document.getElementById("progress").setAttribute("aria-valuenow", done);
  }

  // ---- piping ----
  var PLACEHOLDER = "\u2014", JOIN = "\u3001";
  var page = document.getElementById("current-page") || form;
  var pipes = page.querySelectorAll("[data-pipe]");
  function labelOf(input) {
    var label = form.querySelector("label[for='" + input.id + "']");
    return label ? label.textContent.trim() : input.value;
  }
  function answerText(fieldset) {
    var kind = fieldset.dataset.kind;
    if (kind === "text") {
      var t = fieldset.querySelector("textarea");
      return t ? t.value.trim() : "";
    }
    if (kind === "matrix" || kind === "table") return null;  // piped by the server only
    var name = "q-" + fieldset.id.replace("question-", "");
    var texts = [];
    Array.prototype.forEach.call(fieldset.querySelectorAll("input:checked"), function (input) {
      if (input.name !== name || input.disabled) return;
      if (input.value === "other") {
        var other = form.elements.namedItem(name + "-other");
        texts.push(other ? other.value.trim() : "");
      } else {
        texts.push(kind === "nps" ? input.value : labelOf(input));
      }
    });
    return texts.filter(Boolean).join(JOIN);
  }
  function pipe() {
    Array.prototype.forEach.call(pipes, function (span) {
      var fieldset = page.querySelector("fieldset.question[data-code='" + span.dataset.pipe + "']");
      if (!fieldset) return;
      var text = fieldset.hidden ? "" : answerText(fieldset);
      if (text === null) return;
      span.textContent = text || PLACEHOLDER;
    });
  }
  function refresh() { update(); pipe(); }
  // After a refused page, the error summary takes the focus so screen readers read it; each of
  // its lines links to its question.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();

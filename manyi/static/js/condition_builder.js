// The question form's condition chooser (issue 21): an earlier question, a rule and values write
// the expression into the display condition's text, which stays visible and editable for experts.
(function () {
  "use strict";
  var data = document.getElementById("condition-chooser-data");
  var text = document.getElementById("id_condition");
  if (!data || !text) return;
  var questions = JSON.parse(data.textContent);
  var questionSelect = document.getElementById("chooser-question");
  var operator = document.getElementById("chooser-operator");
  var values = document.getElementById("chooser-value");
  var words = document.getElementById("chooser-text");
  var CHOICE = ["rating", "single", "yes_no", "multiple", "matrix"];

  // Each entry: a question, or one row of a matrix ("Q5.R1"), with the options it is rated on.
  var entries = [];
  questions.forEach(function (q) {
    if (q.kind === "matrix") {
      q.rows.forEach(function (row) {
        entries.push({ ref: q.code + "." + row[0], label: q.code + "." + row[0] + " " + row[1], kind: "matrix", options: q.options });
      });
    } else {
      // q.field: the customer's or invitation's field (customer.type …), which has no points.
      entries.push({ ref: q.code, label: q.code + " " + q.text, kind: q.kind, options: q.options, field: !!q.field });
    }
  });
  entries.forEach(function (entry, n) {
    var option = document.createElement("option");
    option.value = String(n);
    option.textContent = entry.label;
    questionSelect.appendChild(option);
  });

  function current() { return entries[parseInt(questionSelect.value, 10)] || entries[0]; }

  function kindOf(entry) {
    if (CHOICE.indexOf(entry.kind) !== -1) return "choice";
    if (entry.kind === "nps") return "number";
    return "text";
  }

  function fit() {
    var entry = current(), kind = kindOf(entry);
    Array.prototype.forEach.call(operator.options, function (option) {
      var fits = option.dataset.for === "all" || option.dataset.for === kind ||
        (option.dataset.for === "number" && kind === "choice" && entry.kind !== "multiple" && !entry.field);
      option.hidden = !fits;
      option.disabled = !fits;
    });
    if (operator.selectedOptions[0] && operator.selectedOptions[0].disabled) {
      operator.value = Array.prototype.find.call(operator.options, function (o) { return !o.disabled; }).value;
    }
    values.textContent = "";
    entry.options.forEach(function (o) {
      var option = document.createElement("option");
      option.value = o[0];
      option.textContent = o[0] + " " + o[1];
      values.appendChild(option);
    });
    var op = operator.value;
    values.hidden = !(op === "any" || op === "none");
    words.hidden = !(op === "le" || op === "ge" || op === "contains");
    words.type = op === "contains" ? "text" : "number";
  }

  function quote(value) { return "\"" + value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"") + "\""; }

  function clause() {
    var entry = current(), op = operator.value, ref = entry.ref;
    var chosen = Array.prototype.filter.call(values.options, function (o) { return o.selected; }).map(function (o) { return quote(o.value); });
    if (op === "answered") return "answered(" + ref + ")";
    if (op === "empty") return "empty(" + ref + ")";
    if (op === "contains") return words.value.trim() ? "contains(" + ref + ", " + quote(words.value.trim()) + ")" : null;
    if (op === "le" || op === "ge") {
      if (words.value === "" || isNaN(Number(words.value))) return null;
      var target = entry.kind === "nps" ? ref : ref + ".points";
      return target + (op === "le" ? " <= " : " >= ") + String(Number(words.value));
    }
    if (!chosen.length) return null;
    var single = entry.kind !== "multiple" && chosen.length === 1;
    if (op === "any") return single ? ref + " == " + chosen[0] : "any_of(" + ref + ", " + chosen.join(", ") + ")";
    return single ? ref + " != " + chosen[0] : "not any_of(" + ref + ", " + chosen.join(", ") + ")";
  }

  function add(joiner) {
    var part = clause();
    if (!part) return;
    var before = text.value.trim();
    if (!before) {
      text.value = part;
    } else {
      var needsBrackets = joiner === "and" && /\sor\s|\|\|/i.test(before);
      text.value = (needsBrackets ? "(" + before + ")" : before) + " " + joiner + " " + part;
    }
    text.dispatchEvent(new Event("input", { bubbles: true }));
  }

  questionSelect.addEventListener("change", fit);
  operator.addEventListener("change", fit);
  document.getElementById("chooser-and").addEventListener("click", function () { add("and"); });
  document.getElementById("chooser-or").addEventListener("click", function () { add("or"); });
  fit();
})();

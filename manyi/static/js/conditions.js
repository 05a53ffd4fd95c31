// Questionnaire conditions (issue 21): the same evaluator as manyi/surveys/logic/evaluate.py, over the
// server's JSON syntax tree (this file never parses expression text). A test runs both on one table.
// On the answer page it shows and hides questions and options as the respondent answers.
(function () {
  "use strict";
  var MAX_EVAL_DEPTH = 64;
  var NUMERIC = /^-?[0-9]+(\.[0-9]+)?$/;

  function isArray(v) { return Array.isArray(v); }

  function scalar(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") return isFinite(v) ? v : null;
    return null;
  }

  function normalise(v) {
    if (isArray(v)) return v.map(scalar);
    return scalar(v);
  }

  function number(v) {
    if (typeof v === "number") return isFinite(v) ? v : null;
    if (typeof v === "string" && NUMERIC.test(v)) {
      var n = Number(v);
      return isFinite(n) ? n : null;
    }
    return null;
  }

  function truthy(v) {
    if (v === null || v === undefined || v === false) return false;
    if (v === true) return true;
    if (typeof v === "number") return v !== 0;
    if (typeof v === "string" || isArray(v)) return v.length > 0;
    return false;
  }

  function equal(a, b) {
    if (a === null || b === null) return a === null && b === null;
    if (isArray(a) || isArray(b)) {
      if (!(isArray(a) && isArray(b)) || a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
      return true;
    }
    if (typeof a === "boolean" || typeof b === "boolean") return a === b;
    var x = number(a), y = number(b);
    if (x !== null && y !== null) return x === y;
    if (typeof a === "string" && typeof b === "string") return a === b;
    return false;
  }

  // Strings compare by code point, as Python does (JavaScript's < compares UTF-16 units).
  function compareText(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var p = x[i].codePointAt(0), q = y[i].codePointAt(0);
      if (p !== q) return p < q ? -1 : 1;
    }
    return x.length === y.length ? 0 : (x.length < y.length ? -1 : 1);
  }

  function order(op, a, b) {
    var x = number(a), y = number(b), c;
    if (x === null || y === null) {
      if (!(typeof a === "string" && typeof b === "string")) return false;
      c = compareText(a, b);
    } else {
      c = x < y ? -1 : (x > y ? 1 : 0);
    }
    if (op === "<") return c < 0;
    if (op === "<=") return c <= 0;
    if (op === ">") return c > 0;
    return c >= 0;
  }

  function contains(container, item) {
    if (isArray(container)) return container.some(function (e) { return equal(e, item); });
    if (typeof container === "string" && typeof item === "string") return container.indexOf(item) !== -1;
    return false;
  }

  function within(a, b) {
    if (isArray(a)) return a.some(function (e) { return contains(b, e); });
    return contains(b, a);
  }

  function arithmetic(op, a, b) {
    var x = number(a), y = number(b), r;
    if (x === null || y === null) return null;
    if (op === "+") r = x + y;
    else if (op === "-") r = x - y;
    else if (op === "*") r = x * y;
    else { if (y === 0) return null; r = x / y; }
    return isFinite(r) ? r : null;
  }

  function answered(v) { return v !== null && v !== "" && !(isArray(v) && v.length === 0); }

  function numbers(args) {
    var out = [];
    args.forEach(function (v) {
      (isArray(v) ? v : [v]).forEach(function (item) { var n = number(item); if (n !== null) out.push(n); });
    });
    return out;
  }

  function sum(args) {
    var total = 0;
    numbers(args).forEach(function (n) { total += n; });
    return isFinite(total) ? total : null;
  }

  function extreme(args, pickMax) {
    var best = null;
    numbers(args).forEach(function (n) { if (best === null || (pickMax ? n > best : n < best)) best = n; });
    return best;
  }

  function length(v) {
    if (v === null) return 0;
    if (typeof v === "string") return Array.from(v).length;
    if (isArray(v)) return v.length;
    return null;
  }

  function matchAll(args, every) {
    var first = args[0], rest = args.slice(1);
    var test = function (v) { return isArray(first) ? contains(first, v) : equal(first, v); };
    return every ? rest.every(test) : rest.some(test);
  }

  function call(name, args) {
    var n = args.length;
    if (name === "answered" && n === 1) return answered(args[0]);
    if (name === "empty" && n === 1) return !answered(args[0]);
    if (name === "count" && n) return args.filter(answered).length;
    if (name === "any_of" && n >= 2) return matchAll(args, false);
    if (name === "all_of" && n >= 2) return matchAll(args, true);
    if (name === "contains" && n === 2) return contains(args[0], args[1]);
    if (name === "len" && n === 1) return length(args[0]);
    if (name === "sum" && n) return sum(args);
    if ((name === "min" || name === "max") && n) return extreme(args, name === "max");
    return null;
  }

  function literal(node) {
    var kind = node[0], v = node[1];
    if (node.length !== 2) return null;
    if (kind === "num") return typeof v === "number" && isFinite(v) ? v : null;
    if (kind === "str") return typeof v === "string" ? v : null;
    if (kind === "bool") return typeof v === "boolean" ? v : null;
    return null;
  }

  function reference(node, values) {
    var parts = node.slice(1);
    if (!parts.length || !parts.every(function (p) { return typeof p === "string"; })) return null;
    var key = parts.join(".");
    return Object.prototype.hasOwnProperty.call(values, key) ? normalise(values[key]) : null;
  }

  function logical(kind, args) {
    if (kind === "list") return args.map(function (a) { return isArray(a) ? null : a; });
    if (kind === "and") return args.length > 0 && args.every(truthy);
    if (kind === "or") return args.some(truthy);
    if (kind === "not" && args.length === 1) return !truthy(args[0]);
    if (kind === "neg" && args.length === 1) { var n = number(args[0]); return n === null ? null : -n; }
    return null;
  }

  function operator(kind, args) {
    if (["list", "and", "or", "not", "neg"].indexOf(kind) !== -1) return logical(kind, args);
    if (args.length !== 2) return null;
    var a = args[0], b = args[1];
    if (kind === "==") return equal(a, b);
    if (kind === "!=") return !equal(a, b);
    if (kind === "<" || kind === "<=" || kind === ">" || kind === ">=") return order(kind, a, b);
    if (kind === "in") return within(a, b);
    if (kind === "+" || kind === "-" || kind === "*" || kind === "/") return arithmetic(kind, a, b);
    return null;
  }

  function evalNode(node, values, depth) {
    if (!isArray(node) || !node.length || typeof node[0] !== "string" || depth > MAX_EVAL_DEPTH) return null;
    var kind = node[0];
    if (kind === "null") return null;
    if (kind === "num" || kind === "str" || kind === "bool") return literal(node);
    if (kind === "ref") return reference(node, values);
    if (kind === "call") {
      if (node.length < 2 || typeof node[1] !== "string") return null;
      return call(node[1], node.slice(2).map(function (a) { return evalNode(a, values, depth + 1); }));
    }
    return operator(kind, node.slice(1).map(function (a) { return evalNode(a, values, depth + 1); }));
  }

  function evaluate(tree, values) {
    if (values === null || typeof values !== "object") values = {};
    return evalNode(tree, values, 0);
  }

  function holds(tree, values) {
    if (tree === null || tree === undefined) return true;
    return truthy(evaluate(tree, values));
  }

  window.ManyiConditions = { evaluate: evaluate, holds: holds };

  // ---- The answer page: the walk of surveys/logic/visibility.py over the form's inputs ----
  var data = document.getElementById("answer-logic");
  if (!data) return;
  var logic = JSON.parse(data.textContent);
  var form = logic && document.getElementById(logic.form);
  if (!form) return;
  var prefix = logic.prefix + "-";

  function checked(name) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name && el.checked && !el.disabled;
    }).map(function (el) { return el.value; });
  }

  function optionById(q) {
    var map = {};
    q.options.forEach(function (o) { map[String(o[0])] = o; });
    return map;
  }

  function readQuestion(q, offered) {
    var byId = optionById(q), name = prefix + q.id, values = {};
    function pick(value) {
      if (value === logic.other) return logic.other;
      var o = byId[value];
      return o && offered[o[0]] ? o : null;
    }
    if (q.kind === "matrix") {
      q.rows.forEach(function (row) {
        var o = pick(checked(name + "-" + row[0])[0]);
        o = o === logic.other ? null : o;
        values[q.code + "." + row[1]] = o ? o[1] : null;
        values[q.code + "." + row[1] + ".points"] = o ? o[2] : null;
      });
      return values;
    }
    if (["rating", "single", "yes_no", "multiple"].indexOf(q.kind) !== -1) {
      var chosen = checked(name).map(pick).filter(function (o) { return o !== null; });
      var codes = chosen.map(function (o) { return o === logic.other ? o : o[1]; });
      if (q.kind === "multiple") {
        values[q.code] = codes;
      } else {
        values[q.code] = codes.length ? codes[0] : null;
        values[q.code + ".points"] = chosen.length && chosen[0] !== logic.other ? chosen[0][2] : null;
      }
      if (q.other) {
        var other = form.elements.namedItem(name + "-other");
        values[q.code + ".other"] = other && other.value.trim() ? other.value.trim() : null;
      }
      return values;
    }
    if (q.kind === "nps") {
      var n = checked(name)[0];
      values[q.code] = n === undefined ? null : Number(n);
      values[q.code + ".points"] = values[q.code];
    } else if (q.kind === "text") {
      var t = form.elements.namedItem(name);
      values[q.code] = t && t.value.trim() ? t.value.trim() : null;
    }
    return values;
  }

  // An option offered or not: its inputs (one per matrix row) enabled and shown, or not.
  function showOption(fieldset, q, optionId, offered) {
    fieldset.querySelectorAll("input[value='" + optionId + "']").forEach(function (input) {
      if (input.name !== prefix + q.id && input.name.indexOf(prefix + q.id + "-") !== 0) return;
      if (/-(competitor|importance)$/.test(input.name)) return;
      if (!offered && input.checked) input.checked = false;
      input.disabled = !offered;
      var wrap = input.parentElement;
      if (wrap.classList.contains("form-check") || wrap.tagName === "TD") {
        wrap.hidden = !offered;
      } else {
        input.hidden = !offered;
        var label = fieldset.querySelector("label[for='" + input.id + "']");
        if (label) label.hidden = !offered;
      }
    });
  }

  // The respondent's fields the conditions name (customer.type, …: surveys/logic/context.py),
  // sent by the server; on the builder's preview, the sample respondent chosen on the page.
  var samples = document.querySelectorAll("[data-logic-sample]");

  function respondent() {
    var values = Object.assign({}, logic.context || {});
    Array.prototype.forEach.call(samples, function (el) {
      var key = el.getAttribute("data-logic-sample"), kind = el.getAttribute("data-logic-kind");
      var raw = el.value.trim();
      if (raw === "") values[key] = null;
      else if (kind === "list") values[key] = raw.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      else if (kind === "number") values[key] = /^[0-9]+$/.test(raw) ? Number(raw) : null;
      else values[key] = raw;
    });
    return values;
  }

  // A questionnaire with pages: the public page's indicator ("第 2 / 3 页") counts the pages with
  // a question shown (surveys/pages.py shown_pages), so it follows a page condition at once; the
  // staff entry forms hide a page's heading when none of its questions is shown.
  var indicator = document.getElementById("page-indicator");
  var currentPage = document.getElementById("current-page");
  var sections = form.querySelectorAll("[data-page-section]");

  function showPages(shownPages) {
    Array.prototype.forEach.call(sections, function (section) {
      section.hidden = !shownPages[section.getAttribute("data-page-section")];
    });
    if (!indicator || !currentPage || !indicator.getAttribute("data-format")) return;
    var current = Number(currentPage.getAttribute("data-page"));
    var shown = Object.keys(shownPages).map(Number);
    var number = shown.filter(function (i) { return i <= current; }).length;
    if (!shownPages[current]) number += 1;  // the page on screen counts, shown or not
    var total = Math.max(shown.length + (shownPages[current] ? 0 : 1), 1);
    indicator.textContent = indicator.getAttribute("data-format")
      .replace("{number}", String(number)).replace("{total}", String(total));
  }

  function apply() {
    var values = respondent();
    var shownPages = {};
    logic.questions.forEach(function (q) {
      var fieldset = document.getElementById("question-" + q.id);
      var shown = holds(q.condition, values);
      if (fieldset) {
        fieldset.hidden = !shown;
        fieldset.disabled = !shown;  // a hidden question's inputs are not submitted
      }
      if (!shown) return;
      shownPages[q.page || 0] = true;
      var offered = {};
      q.options.forEach(function (o) {
        offered[o[0]] = holds(o[3], values);
        if (fieldset) showOption(fieldset, q, o[0], offered[o[0]]);
      });
      Object.assign(values, readQuestion(q, offered));
    });
    showPages(shownPages);
  }

  // Registered before answer_form.js's listeners (the page loads this script first), so the
  // progress counts the questions as they are shown after this change.
  form.addEventListener("change", apply);
  form.addEventListener("input", apply);
  Array.prototype.forEach.call(samples, function (el) {
    el.addEventListener("change", apply);
    el.addEventListener("input", apply);
  });
  apply();
})();

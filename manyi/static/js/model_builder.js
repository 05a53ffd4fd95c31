// The satisfaction model editor (dashboards/model.html): adds construct and path rows from
// their <template>, and keeps every choice of a construct (the ends of the paths, the boxes of
// a second-order construct) in step with the names typed, so a renamed construct stays in its
// paths. Without it the form still works: a blank construct row and two blank path rows come
// with the page, and a new construct can be chosen in paths after estimating once.
(function () {
  "use strict";

  function liveNames(form) {
    var seen = [];
    form.querySelectorAll("[data-construct-row]").forEach(function (row) {
      var removed = row.querySelector("input[name$='-DELETE']");
      var name = row.querySelector("[data-construct-name]").value.trim();
      if (name && !(removed && removed.checked) && seen.indexOf(name) < 0) seen.push(name);
    });
    return seen;
  }

  function renamedTo(renamed, value) {
    return Object.prototype.hasOwnProperty.call(renamed, value) ? renamed[value] : value;
  }

  function refreshSelect(select, names, renamed) {
    var chosen = renamedTo(renamed, select.value);
    while (select.options.length > 1) select.remove(1); // the first option is "—"
    names.forEach(function (name) { select.add(new Option(name, name)); });
    select.value = names.indexOf(chosen) >= 0 ? chosen : "";
  }

  function refreshBoxes(group, names, renamed, own) {
    var ticked = [];
    group.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      if (box.checked) ticked.push(renamedTo(renamed, box.value));
    });
    var labels = names.filter(function (name) { return name !== own; }).map(function (name) {
      var label = document.createElement("label");
      label.className = "form-check form-check-inline";
      var box = document.createElement("input");
      box.type = "checkbox";
      box.className = "form-check-input";
      box.name = group.dataset.name;
      box.value = name;
      box.checked = ticked.indexOf(name) >= 0;
      label.append(box, " " + name);
      return label;
    });
    group.replaceChildren.apply(group, labels);
  }

  function refresh(form, renamed) {
    var names = liveNames(form);
    form.querySelectorAll("select[data-construct-choice]").forEach(function (select) {
      refreshSelect(select, names, renamed);
    });
    form.querySelectorAll("[data-construct-row]").forEach(function (row) {
      var own = row.querySelector("[data-construct-name]").value.trim();
      refreshBoxes(row.querySelector("[data-construct-boxes]"), names, renamed, own);
    });
  }

  function addRow(form, prefix) {
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var template = document.getElementById(prefix + "-template");
    var index = String(Number(total.value));
    var row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name], [id], [for], [data-name]").forEach(function (element) {
      ["name", "id", "for", "data-name"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.split("__prefix__").join(index));
      });
    });
    form.querySelector("[data-rows='" + prefix + "']").appendChild(row);
    total.value = Number(index) + 1;
    refresh(form, {});
    var first = row.querySelector("input[type=text], select");
    if (first) first.focus();
  }

  function start(form) {
    form.addEventListener("focusin", function (event) {
      if (event.target.matches("[data-construct-name]")) {
        event.target.dataset.previous = event.target.value.trim();
      }
    });
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (target.matches("[data-construct-name]")) {
        var renamed = {};
        var before = target.dataset.previous || "";
        var now = target.value.trim();
        if (before && now && before !== now) renamed[before] = now;
        target.dataset.previous = now;
        refresh(form, renamed);
      } else if (target.matches("input[name^='construct-'][name$='-DELETE']")) {
        refresh(form, {});
      }
    });
    form.querySelectorAll("[data-add-row]").forEach(function (button) {
      button.classList.remove("d-none");
      button.addEventListener("click", function () { addRow(form, button.dataset.addRow); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-model-editor]").forEach(start);
  });
})();

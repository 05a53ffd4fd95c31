// Small behaviours every page may use, declared in the markup with data- attributes instead of
// inline handlers (the Content-Security-Policy runs no onclick="..." and no inline <script>).
// Listeners sit on the document, so content that htmx swaps in works the same.
//   <form data-confirm="Delete?">        asks before submitting
//   <form data-no-submit>                 never submits (previews)
//   <select data-autosubmit>              submits its form when changed
//   <button data-print>                   prints the page
//   <input type=checkbox data-select-all="input[name=tickets]">  ticks or clears those boxes
//   <div data-width="42">                 width 42 % (progress bars; style="" is not allowed)
(function () {
  "use strict";

  // Capture phase: decided before any other listener (htmx's) acts on the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var cancel = form.hasAttribute("data-no-submit") ||
      (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm")));
    if (cancel) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) field.form.submit();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-print]")) window.print();
    var all = target.closest("input[data-select-all]");
    if (all) {
      document.querySelectorAll(all.getAttribute("data-select-all")).forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  function widths() {
    document.querySelectorAll("[data-width]").forEach(function (element) {
      var value = parseFloat(element.getAttribute("data-width"));
      element.style.width = (isFinite(value) ? Math.max(0, Math.min(100, value)) : 0) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", widths);
  document.addEventListener("htmx:afterSettle", widths);

  // A table wider than the screen scrolls inside its .table-responsive box: keyboard users
  // reach it with Tab and scroll it with the arrow keys (WCAG 2.1.1); one that fits is no stop.
  function scrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }
  document.addEventListener("DOMContentLoaded", scrollableTables);
  document.addEventListener("htmx:afterSettle", scrollableTables);
  window.addEventListener("resize", scrollableTables);
})();

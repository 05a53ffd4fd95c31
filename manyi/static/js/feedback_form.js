// The public feedback form: one submit per page.
(function () {
  "use strict";
  // One submit per page: a second click would send the same form again (the server keeps one).
  var form = document.getElementById("feedback-form");
  form.addEventListener("submit", function () {
    var button = document.getElementById("submit-button");
    window.setTimeout(function () { button.disabled = true; }, 0);
  });
})();

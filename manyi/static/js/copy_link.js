// The copy button of an invitation's personal link (campaigns/invitation_detail.html):
//   <button data-copy="#personal-link" data-copied="Copied">  copies the text of #personal-link
// Static, as the Content-Security-Policy runs no inline script.
(function () {
  "use strict";

  function fallbackCopy(text) {
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "position-absolute opacity-0";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    document.body.removeChild(field);
    return done;
  }

  function said(button, ok) {
    var label = button.getAttribute(ok ? "data-copied" : "data-copy-failed");
    if (!label) return;
    var before = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", before);
    button.textContent = label;
    window.setTimeout(function () { button.textContent = before; }, 2000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = (source.value || source.textContent || "").trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { said(button, true); },
        function () { said(button, fallbackCopy(text)); }
      );
    } else {
      said(button, fallbackCopy(text));
    }
  });
})();

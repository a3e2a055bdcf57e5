// Portico's only script. Every page works without it; it adds conveniences and sends the
// CSRF token with htmx requests. Loaded with `defer`, no inline script anywhere (strict CSP).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the token in a header, checked by the same middleware as forms.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  // Error responses to htmx requests are fragments; show them instead of dropping them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400) {
      event.detail.shouldSwap = false;
      var box = document.getElementById("htmx-error");
      if (box) {
        box.innerHTML = event.detail.xhr.responseText;
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // Selecting a brand switches at once; the button stays for keyboard and no-JS use.
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.requestSubmit();
      });
    });

    // Copy buttons for invitation links.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.querySelector(button.getAttribute("data-copy"));
        if (!source) return;
        source.select();
        var done = function () {
          var label = button.textContent;
          button.textContent = button.getAttribute("data-copied") || label;
          setTimeout(function () { button.textContent = label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.value).then(done, function () {});
        } else if (document.execCommand("copy")) {
          done();
        }
      });
    });
  });
})();

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

  // Uploads from the factory floor: show progress, and when the connection drops, send the same
  // form again. It carries the same one-time submission token, so the server posts it once.
  function uploadWithRetry(form) {
    var bar = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var button = form.querySelector("button[type=submit]");
    var data = new FormData(form);
    var attempt = 0;
    var say = function (text) { if (status) status.textContent = text; };
    var send = function () {
      attempt += 1;
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrfToken());
      // Ask for the redirect as data, so the next page (and its message) loads in the window.
      xhr.setRequestHeader("X-Portico-Upload", "1");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable || !bar) return;
        var pct = Math.round((e.loaded / e.total) * 100);
        bar.hidden = false;
        bar.value = pct;
        say((form.getAttribute("data-uploading") || "{}%").replace("{}", pct));
      };
      xhr.onload = function () {
        var next = xhr.getResponseHeader("X-Portico-Location");
        if (xhr.status >= 200 && xhr.status < 300 && next) {
          var target = new URL(next, window.location.href);
          var here = window.location;
          if (target.pathname === here.pathname && target.search === here.search) {
            // Same page, maybe another #section: assigning would only scroll, so load it anew.
            window.history.replaceState(null, "", target.href);
            here.reload();
          } else {
            here.assign(target.href);
          }
        } else if (xhr.status === 422 && /text\/html/.test(xhr.getResponseHeader("Content-Type") || "")) {
          // The form again with errors beside the fields: show it without sending the files twice.
          document.open();
          document.write(xhr.responseText);
          document.close();
        } else {
          // Anything else: let the server answer the ordinary way.
          form.removeAttribute("data-upload");
          form.submit();
        }
      };
      xhr.onerror = function () {
        if (attempt < 4) {
          say(form.getAttribute("data-retrying") || "");
          setTimeout(send, 1000 * Math.pow(2, attempt - 1));
        } else {
          say(form.getAttribute("data-failed") || "");
          if (button) button.disabled = false;
        }
      };
      xhr.send(data);
    };
    if (button) button.disabled = true;
    send();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-upload") && window.FormData) {
      event.preventDefault();
      uploadWithRetry(form);
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

    // The digest time zone: while it is the untouched default, propose the browser's own zone
    // (the user still saves it).
    var zone = document.querySelector("input[data-guess-zone]");
    if (zone && window.Intl && Intl.DateTimeFormat) {
      var guessed = Intl.DateTimeFormat().resolvedOptions().timeZone;
      var known = zone.list && Array.prototype.some.call(zone.list.options, function (o) { return o.value === guessed; });
      if (guessed && known) zone.value = guessed;
    }

    // Live lists (the SLA dashboard): the server's event stream says when the picture changed;
    // the list is fetched again and swapped in. A swap would close a row the user opened and drop
    // what was typed into its forms, so it waits while the user is at work in the list (a field
    // focused or a row's forms open) and a notice says a newer list is waiting; it comes in when
    // the user closes the row or leaves the field, or at once on "Refresh now".
    var live = document.querySelector("[data-live-events]");
    if (live && window.EventSource && window.htmx) {
      var stream = new EventSource(live.getAttribute("data-live-events"));
      var notice = document.getElementById("live-pending");
      var pending = false;
      var busy = function () {
        var board = document.getElementById("board");
        if (!board) return false;
        var active = document.activeElement;
        if (active && board.contains(active) && active.form) return true;
        return board.querySelector("details.sla-more[open]") !== null;
      };
      var refresh = function (now) {
        if (!now && busy()) {
          pending = true;
          if (notice) notice.hidden = false;
          return;
        }
        pending = false;
        if (notice) notice.hidden = true;
        htmx.ajax("GET", live.getAttribute("data-live-fragment"), { target: "#board", swap: "outerHTML" });
      };
      var retry = function () {
        if (pending) setTimeout(function () { refresh(false); }, 0);
      };
      stream.addEventListener("rev", function (event) {
        var board = document.getElementById("board");
        if (board && board.getAttribute("data-rev") !== event.data) refresh(false);
      });
      live.addEventListener("focusout", retry);
      // `toggle` does not bubble: listen in the capture phase for every row's details.
      live.addEventListener("toggle", retry, true);
      var now = live.querySelector("[data-live-refresh]");
      if (now) now.addEventListener("click", function () { refresh(true); });
      window.addEventListener("pagehide", function () { stream.close(); });
    }
  });
})();

// smpolicy pages: the editor checks the policy as you type (the same list the
// "Check" button gives, rendered by the server). Everything works without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("source");
  if (!source || !window.fetch) return;
  var form = source.form, timer = null, sent = 0;
  source.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var n = ++sent;
      var body = new URLSearchParams();
      body.set("csrf", form.elements.csrf.value);
      body.set("source", source.value);
      fetch(source.dataset.check, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null || n !== sent) return;
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("problems"), old = document.getElementById("problems");
          if (fresh && old) old.replaceWith(document.importNode(fresh, true));
        })
        .catch(function () {});
    }, 350);
  });
});

// "May I?": show only the questions that matter for the chosen action (all
// of them without this script; a hidden question is not sent).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.ask");
  var action = form && form.elements.action;
  if (!action) return;
  function sync() {
    var chosen = action.value;
    form.querySelectorAll("[data-actions]").forEach(function (field) {
      var show = !chosen || field.dataset.actions.split(" ").indexOf(chosen) >= 0;
      field.hidden = !show;
      field.querySelectorAll("input, select").forEach(function (c) { c.disabled = !show; });
    });
    form.querySelectorAll("fieldset.group").forEach(function (g) {
      g.hidden = !g.querySelector(".field:not([hidden])");
    });
  }
  action.addEventListener("change", sync);
  sync();
});

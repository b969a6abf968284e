// Gazette admin: small enhancements only. Every page works without this file.
(function () {
  "use strict";

  // Warn before leaving the editor with unsaved changes.
  var editor = document.getElementById("editor");
  if (editor) {
    var dirty = false;
    editor.addEventListener("input", function () { dirty = true; });
    editor.addEventListener("submit", function (ev) {
      var btn = ev.submitter;
      // Preview opens in a new tab; the editor stays open and still unsaved.
      if (!btn || btn.value !== "preview") { dirty = false; }
    });
    window.addEventListener("beforeunload", function (ev) {
      if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
    });
    // Ctrl/Cmd+S saves.
    document.addEventListener("keydown", function (ev) {
      if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") {
        var save = editor.querySelector('button[name="action"][value="save"]');
        if (save) { ev.preventDefault(); save.click(); }
      }
    });
    // After a move/add/remove round-trip, keep the edited section in view.
    if (location.hash) {
      var target = document.querySelector(location.hash);
      if (target) { target.scrollIntoView(); }
    }
  }

  // Ask before destructive buttons marked data-confirm.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
    });
  });
})();

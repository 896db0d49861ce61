// The deposit form without a framework: add rows to repeatable parts, show the access
// fields that matter for the chosen level, and ask before destructive buttons.
// Everything works without it too: each part always has one empty row to fill in.
(function () {
  "use strict";

  function addRow(part) {
    var template = part.querySelector("template[data-empty-row]");
    var total = part.querySelector("input[name$='-TOTAL_FORMS']");
    if (!template || !total) return;
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    part.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
  }

  function setUpRepeatables(root) {
    root.querySelectorAll("[data-repeatable]").forEach(function (part) {
      var button = part.querySelector("[data-add-row]");
      if (!button) return;
      button.hidden = false;
      button.addEventListener("click", function () { addRow(part); });
    });
  }

  function setUpAccess(root) {
    var box = root.querySelector("[data-access-settings]");
    if (!box) return;
    var level = box.querySelector("select[name=access_level]");
    var embargo = box.querySelector("#field-embargo_until");
    var agreement = box.querySelector("#field-data_use_agreement");
    if (!level) return;
    function show() {
      if (embargo) embargo.hidden = level.value !== "embargoed" && !embargo.classList.contains("has-error");
      if (agreement) agreement.hidden = level.value !== "restricted" && !agreement.classList.contains("has-error") &&
        !agreement.querySelector("textarea").value;
    }
    level.addEventListener("change", show);
    show();
  }

  function setUpConfirmations(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
  }

  function start() {
    setUpRepeatables(document);
    setUpAccess(document);
    setUpConfirmations(document);
    var errors = document.getElementById("form-errors");
    if (errors) errors.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

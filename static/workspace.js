// Workspaces: a choice that changes what the page offers (the label stock the PDF
// buttons print on) applies as soon as it is made. Without scripts the form's own
// button does the same.
(function () {
  "use strict";
  var selects = document.querySelectorAll("select[data-apply-on-change]");
  Array.prototype.forEach.call(selects, function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    // The form's own button is for browsers without script: here it would only puzzle.
    var button = select.form.querySelector("button[data-without-script]");
    if (button) { button.hidden = true; }
  });
})();

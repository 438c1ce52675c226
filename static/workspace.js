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

// A room's workspace left open on a second screen during a show: a recall, a lab's
// finding or a buyer's report changes what it should say. It asks every 30 s, and
// says so at the top rather than reload under a form being filled in.
(function () {
  "use strict";
  var POLL_MS = 30000;
  var news = document.getElementById("news");
  if (!news) { return; }
  var url = news.getAttribute("data-news-url");
  var seen = news.getAttribute("data-fingerprint");

  function poll() {
    fetch(url, {cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.fingerprint !== seen) { news.hidden = false; return; }
        setTimeout(poll, POLL_MS);
      }, function () { setTimeout(poll, POLL_MS); });
  }

  setTimeout(poll, POLL_MS);
})();

// The product form: its food-only fields (保质期, 生产许可证) are folded for a
// textile or a pearl, a textile's (纤维含量, 洗涤和保养) for food; each fold opens as
// soon as the name or category typed names its goods.
(function () {
  "use strict";
  var folds = document.querySelectorAll("details[data-words]");
  Array.prototype.forEach.call(document.querySelectorAll("input[data-names-goods]"),
    function (input) {
      input.addEventListener("input", function () {
        var typed = input.value.normalize("NFKC").toUpperCase();  // 纯棉t恤, 纯棉Ｔ恤
        Array.prototype.forEach.call(folds, function (fold) {
          var words = fold.getAttribute("data-words").split(" ");
          if (words.some(function (word) { return typed.indexOf(word) >= 0; })) {
            fold.open = true;
          }
        });
      });
    });
})();

// The lab's report form: the example result lines are for the goods of the batch
// chosen (a fruit's residues, a bedsheet's 甲醛), and follow a new choice.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-follows]"),
    function (area) {
      var select = document.getElementById(area.getAttribute("data-follows"));
      if (!select) { return; }
      select.addEventListener("change", function () {
        var chosen = select.options[select.selectedIndex];
        if (chosen && chosen.getAttribute("data-example")) {
          area.placeholder = chosen.getAttribute("data-example");
        }
      });
    });
})();

// The on-camera page: a clock in Beijing time that ticks every second (the page is
// live, not a screenshot), and a poll of the batch's state every two seconds. When
// what the page shows changes (a recall, a failed report) it reloads itself; when
// the server stops answering, the page says so rather than keep a green verdict.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var STALE_MS = 10000;
  var BEIJING_MS = 8 * 3600 * 1000;
  var body = document.body;
  var clock = document.getElementById("clock");
  var offline = document.getElementById("offline");
  var stateUrl = body.getAttribute("data-state-url");
  var fingerprint = body.getAttribute("data-fingerprint");
  // The server's clock, not the streaming PC's: a wrong PC clock must not show.
  var skew = Number(clock.getAttribute("data-server-now")) - Date.now() || 0;
  var lastHeard = Date.now();

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var d = new Date(Date.now() + skew + BEIJING_MS);
    clock.textContent = d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" +
      pad(d.getUTCDate()) + " " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) +
      ":" + pad(d.getUTCSeconds());
    var stale = Date.now() - lastHeard > STALE_MS;
    offline.hidden = !stale;  // it takes the verdict's place (see live.css)
    body.classList.toggle("stale", stale);
    setTimeout(tick, 1000 - ((Date.now() + skew) % 1000) + 5);
  }

  function heard(state) {
    lastHeard = Date.now();
    if (typeof state.now === "number") { skew = state.now - Date.now(); }
    if (state.fingerprint !== fingerprint) { window.location.reload(); return true; }
    return false;
  }

  function poll() {
    fetch(stateUrl, {cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(heard, function () { return false; })
      .then(function (reloading) { if (!reloading) { setTimeout(poll, POLL_MS); } });
  }

  tick();
  setTimeout(poll, POLL_MS);
})();

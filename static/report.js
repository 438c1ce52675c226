// The report form. A photo over the limit is said beside its field at once and
// not sent: the server would refuse the whole request before it reached the form,
// and a buyer on a phone lost everything typed (a 66 MB photo, in a trial).
// On sending, the form says so, and a large photo is first made no larger than
// the server keeps it (the longest side, as a JPEG): a trial's 4.2 MB photo took
// 85 s over a slow line with no sign of life. Whatever fails, the photo chosen
// is sent as it is.
(function () {
  "use strict";
  var photo = document.getElementById("photo");
  var told = document.getElementById("photo-too-big");
  if (!photo || !told) { return; }
  var form = photo.form;
  var sending = document.getElementById("sending");
  var most = Number(photo.getAttribute("data-max-bytes"));
  var longest = Number(photo.getAttribute("data-longest"));
  var worthShrinking = 1500000;  // bytes: below, a phone photo uploads in seconds
  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    var tooBig = Boolean(file && most && file.size > most);
    told.hidden = !tooBig;
    if (tooBig) { photo.value = ""; }
  });

  function shrunk(file) {
    return new Promise(function (resolve) {
      if (!longest || !window.URL || !window.DataTransfer) { resolve(null); return; }
      var address = URL.createObjectURL(file);
      var picture = new Image();
      picture.onload = function () {
        var scale = Math.min(1, longest / Math.max(picture.naturalWidth, picture.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(picture.naturalWidth * scale);
        canvas.height = Math.round(picture.naturalHeight * scale);
        canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(address);
        canvas.toBlob(resolve, "image/jpeg", 0.85);
      };
      picture.onerror = function () { URL.revokeObjectURL(address); resolve(null); };
      picture.src = address;
    });
  }

  function replaced(file, blob) {
    if (!blob || blob.size >= file.size) { return; }
    try {
      var chosen = new DataTransfer();
      chosen.items.add(new File([blob], "photo.jpg", {type: "image/jpeg"}));
      photo.files = chosen.files;
    } catch (ignored) { /* an older browser: the photo goes as it is */ }
  }

  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    if (sending) { sending.hidden = false; }
    window.setTimeout(function () { if (button) { button.disabled = true; } }, 0);
    var file = photo.files && photo.files[0];
    if (!file || file.size < worthShrinking || !window.Promise ||
        form.getAttribute("data-shrunk")) { return; }
    event.preventDefault();
    form.setAttribute("data-shrunk", "1");
    shrunk(file).then(function (blob) { replaced(file, blob); },
                      function () { return null; })
      .then(function () { form.submit(); });
  });
})();

// The report form: a photo over the limit is said beside its field at once, and
// not sent. Sent, the request is refused whole before it reaches the form, and a
// buyer on a phone lost everything typed (a 66 MB photo, in a trial).
(function () {
  "use strict";
  var photo = document.getElementById("photo");
  var told = document.getElementById("photo-too-big");
  if (!photo || !told) { return; }
  var most = Number(photo.getAttribute("data-max-bytes"));
  photo.addEventListener("change", function () {
    var file = photo.files && photo.files[0];
    var tooBig = Boolean(file && most && file.size > most);
    told.hidden = !tooBig;
    if (tooBig) { photo.value = ""; }
  });
})();

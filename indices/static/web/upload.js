// Drag and drop onto the upload form: the dropped file becomes the file input's file, so the
// form posts as usual (and works without this script, through the file picker).
(function () {
  "use strict";
  var zone = document.getElementById("dropzone");
  var input = document.getElementById("id_file");
  var name = document.getElementById("dropzone-name");
  if (!zone || !input) return;
  function show() {
    name.textContent = input.files.length ? input.files[0].name : "No file chosen";
  }
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
    }
  });
  show();
})();

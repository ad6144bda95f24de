// Copy buttons beside the code one-liners: shown only with JavaScript (the text can always be
// selected by hand); what was copied is said in a status line for screen readers.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent).then(function () {
        if (status) status.textContent = "Copied.";
      }, function () {
        if (status) status.textContent = "Could not copy: select the text and copy it.";
      });
    });
  });
})();

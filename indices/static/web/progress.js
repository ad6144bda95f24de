// Live progress: every element with a data-progress-url polls it every 2 s (session cookie)
// and updates its status, rows read and stage; a finished detail page reloads to show its report.
(function () {
  "use strict";
  var INTERVAL = 2000;
  function update(element, data) {
    var status = element.querySelector("[data-role=status]");
    if (status) {
      status.textContent = data.status;
      status.className = "status status-" + data.status.toLowerCase();
    }
    var rows = element.querySelector("[data-role=rows_read]");
    if (rows) rows.textContent = data.rows_read;
    var stage = element.querySelector("[data-role=stage]");
    if (stage) stage.textContent = data.stage;
    var findings = element.querySelector("[data-role=findings]");
    // The text is the server's ("1 error, 2 warnings"), so it reads as the page did.
    if (findings && data.findings) findings.textContent = data.findings;
    var publication = element.querySelector("[data-role=publication]");
    if (publication && data.publication) publication.textContent = data.publication;
  }
  function poll(element) {
    var url = element.getAttribute("data-progress-url");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401) {
          // Signed out (the session expired): the page itself asks to sign in again.
          window.location.reload();
          return null;
        }
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (data === null) return;
        update(element, data);
        if (data.finished) {
          if (element.hasAttribute("data-reload")) window.location.reload();
        } else {
          window.setTimeout(function () { poll(element); }, INTERVAL);
        }
      })
      .catch(function () { window.setTimeout(function () { poll(element); }, INTERVAL * 2); });
  }
  document.querySelectorAll("[data-progress-url]").forEach(function (element) {
    if (element.getAttribute("data-progress-url")) {
      window.setTimeout(function () { poll(element); }, INTERVAL);
    }
  });
})();

// The imports page: refuse a file over the form's limit beside the field before it is sent
// (the server refuses it too). Loaded as a file: the Content-Security-Policy forbids inline script.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("import-form");
    if (!form) return;
    var input = document.getElementById("export");
    var error = document.getElementById("export-error");
    var max = parseInt(form.getAttribute("data-max-bytes"), 10);
    function check() {
      var file = input.files && input.files[0];
      if (file && file.size > max) {
        error.textContent = file.name + " is larger than this form takes (" +
          Math.floor(max / 1048576).toLocaleString() + " MB); import it on the server with `piodesk import FILE`";
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "export-error");
        return false;
      }
      if (!error.textContent || error.dataset.client) { error.hidden = true; }
      return true;
    }
    input.addEventListener("change", function () { error.dataset.client = "1"; check(); });
    form.addEventListener("submit", function (event) { if (!check()) event.preventDefault(); });
  });
})();

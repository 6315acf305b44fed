// piodesk keyboard shortcuts for the moderation queue and case pages.
// Loaded as a file (the Content-Security-Policy forbids inline script). Keys are ignored while
// typing in a field, so a note can contain any letter.
(function () {
  "use strict";

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  function go(selector) {
    var link = document.querySelector(selector);
    if (link && link.href) {
      window.location.href = link.href;
      return true;
    }
    return false;
  }

  // --- the queue: j/k (or arrows) move, Enter or o opens ---------------------------------
  function queueKeys(event) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
    if (!rows.length) return false;
    var current = rows.findIndex(function (r) { return r.classList.contains("selected"); });
    var next = current;
    if (event.key === "j" || event.key === "ArrowDown") next = Math.min(rows.length - 1, current + 1);
    else if (event.key === "k" || event.key === "ArrowUp") next = Math.max(0, current - 1);
    else if ((event.key === "Enter" || event.key === "o") && current >= 0) {
      var link = rows[current].querySelector("a[data-open]");
      if (link) window.location.href = link.href;
      return true;
    } else return false;
    // Only the selected row says so: the one the selection left stops claiming it.
    rows.forEach(function (r, i) {
      r.classList.toggle("selected", i === next);
      r.setAttribute("aria-selected", i === next ? "true" : "false");
    });
    var open = rows[next].querySelector("a[data-open]");
    if (open) open.focus();
    return true;
  }

  // --- a case: 1 keep, 2 hide, 3 remove (then type the note, Enter decides) -------------
  function choose(action) {
    var form = document.getElementById("decide-form");
    if (!form) return false;
    var radio = form.querySelector('input[name="action"][value="' + action + '"]');
    if (!radio || radio.disabled) return false;
    radio.checked = true;
    var reason = form.querySelector('select[name="reason"]');
    if (reason) {
      // Keep rests on "no violation"; a hide or removal waits for the PIO to choose the
      // category: none is pre-selected.
      if (action === "keep") reason.value = "no_violation";
      else if (reason.value === "no_violation") reason.value = "";
    }
    var note = form.querySelector('input[name="note"]');
    // A hide or removal: choose its category first (type its first letter), then Tab to the note.
    if (reason && !reason.value) reason.focus();
    else if (note) note.focus();
    return true;
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) return false;
    var details = field.closest("details");
    if (details) details.open = true;
    field.focus();
    return true;
  }

  function caseKeys(event) {
    switch (event.key) {
      case "1": return choose("keep");
      case "2": return choose("hide");
      case "3": return choose("remove");
      case "n": return go("a[data-nav-next]");
      case "p": return go("a[data-nav-prev]");
      case "u": return go("a[data-nav-queue]");
      case "c": return focusField("consult-question");
      case "w": return focusField("warn-explanation");
      case "a": return focusField("advice-text");
      default: return false;
    }
  }

  function reasonFollowsAction(event) {
    var target = event.target;
    if (!target || target.name !== "action") return;
    var form = target.form;
    var reason = form && form.querySelector('select[name="reason"]');
    if (!reason) return;
    if (target.value === "keep") reason.value = "no_violation";
    else if (reason.value === "no_violation") reason.value = "";
  }

  document.addEventListener("change", reasonFollowsAction);

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      event.target.blur();
      return;
    }
    var help = document.getElementById("shortcuts");
    if (event.key === "Escape" && help && help.open) {
      help.open = false;
      return;
    }
    if (typing(event.target)) return;
    if (event.key === "?") {
      // The keyboard help (moderation/_shortcuts.html): open it where it can be read.
      if (help) {
        help.open = !help.open;
        if (help.open) {
          help.scrollIntoView({ block: "nearest" });
          var summary = help.querySelector("summary");
          if (summary) summary.focus();
        }
        event.preventDefault();
      }
      return;
    }
    var handled = document.body.dataset.keys === "queue" ? queueKeys(event)
      : document.body.dataset.keys === "case" ? caseKeys(event) : false;
    if (handled) event.preventDefault();
  });
})();

// Forms refused by the server come back as the page with the message beside the field (422,
// 409, 403): htmx swaps those in like a success, so the typed text stays. A saved reply fills
// the warning's explanation. The header menu starts open on a wide screen.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 422 || status === 409 || status === 403 || status === 400 || status === 404) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("[data-fill]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.fill);
    if (field) { field.value = button.dataset.text || ""; field.focus(); }
    var select = document.getElementById("warn-category");
    if (select && button.dataset.category) select.value = button.dataset.category;
  });
  function menu() {
    var m = document.getElementById("menu");
    if (m && window.matchMedia && window.matchMedia("(min-width: 761px)").matches) m.open = true;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", menu);
  else menu();
})();

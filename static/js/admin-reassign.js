// Reassign mentor: when a mentor is chosen, say for each upcoming session whether
// they can take it and disable "Move" where they can't. The page already carries
// every suggested mentor's answer (data-blocked); the server checks again on submit.
(function () {
  "use strict";
  function update(mentorId) {
    document.querySelectorAll("#sessions-in-flight tr[data-blocked]").forEach(function (row) {
      var blocked = JSON.parse(row.getAttribute("data-blocked"));
      var why = blocked[mentorId];
      var cell = row.querySelector('[data-testid="availability"]');
      var move = row.querySelector('input[type="radio"][value="move"]');
      if (why === undefined) {
        cell.textContent = gettext("Checked when you submit");
        if (move) { move.disabled = false; }
        return;
      }
      cell.textContent = why ? interpolate(gettext("No: %(why)s"), { why: why }, true) : gettext("Yes");
      if (move) {
        move.disabled = Boolean(why);
        if (move.disabled && move.checked) {
          var keep = row.querySelector('input[type="radio"][value="keep"]');
          if (keep) { keep.checked = true; }
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var radios = document.querySelectorAll('input[type="radio"][name="mentor"]');
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) { update(radio.value); } });
      if (radio.checked) { update(radio.value); }
    });
  });
})();

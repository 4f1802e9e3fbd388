// Click-and-drag painting for the availability grid. The page works without
// this script: every cell is a real checkbox posted as cell=<index>.
(function () {
  "use strict";
  var form = document.querySelector("[data-availability-grid]");
  if (!form) { return; }
  form.classList.add("grid-js");
  var count = form.querySelector("[data-grid-count]");
  var plural = form.querySelector("[data-grid-plural]");
  var clear = form.querySelector("[data-grid-clear]");
  var painting = null; // true = painting on, false = erasing, null = idle

  function refresh(cell) {
    var box = cell.querySelector("input");
    cell.classList.toggle("is-on", box.checked);
  }
  function updateCount() {
    var n = form.querySelectorAll(".grid-check:checked").length;
    count.textContent = String(n);
    plural.textContent = n === 1 ? "" : "s";
  }
  function setCell(cell, on) {
    var box = cell.querySelector("input");
    if (box.checked !== on) {
      box.checked = on;
      refresh(cell);
    }
  }

  form.addEventListener("pointerdown", function (event) {
    var cell = event.target.closest(".grid-cell");
    if (!cell || event.button !== 0) { return; }
    event.preventDefault(); // no text selection, no label click toggling twice
    painting = !cell.querySelector("input").checked;
    setCell(cell, painting);
    cell.querySelector("input").focus({ preventScroll: true });
    updateCount();
  });
  form.addEventListener("pointerover", function (event) {
    if (painting === null) { return; }
    var cell = event.target.closest(".grid-cell");
    if (cell) { setCell(cell, painting); updateCount(); }
  });
  // Touch pointers are captured by the first element; follow the finger instead.
  form.addEventListener("pointermove", function (event) {
    if (painting === null || event.pointerType === "mouse") { return; }
    var under = document.elementFromPoint(event.clientX, event.clientY);
    var cell = under && under.closest(".grid-cell");
    if (cell && form.contains(cell)) { setCell(cell, painting); updateCount(); }
  });
  document.addEventListener("pointerup", function () { painting = null; });
  document.addEventListener("pointercancel", function () { painting = null; });
  // Label clicks are handled by pointerdown; keep them from toggling back.
  form.addEventListener("click", function (event) {
    if (event.target.closest(".grid-label") && event.detail !== 0) { event.preventDefault(); }
  });
  // Keyboard (Space on a focused checkbox) changes the box itself.
  form.addEventListener("change", function (event) {
    var cell = event.target.closest(".grid-cell");
    if (cell) { refresh(cell); updateCount(); }
  });
  if (clear) {
    clear.classList.remove("d-none");
    clear.addEventListener("click", function () {
      form.querySelectorAll(".grid-cell").forEach(function (cell) { setCell(cell, false); });
      updateCount();
    });
  }
})();

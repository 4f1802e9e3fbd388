// The weekly availability grid as a WAI-ARIA grid (https://www.w3.org/WAI/ARIA/apg/patterns/grid/).
//
// Without this script the page is a plain form: every cell is a real checkbox posted
// as cell=<index>. With it the table becomes one Tab stop (a roving tabindex):
//   arrows move, Home/End go to the row's first/last day, Ctrl+Home/Ctrl+End to the
//   first/last cell, PageUp/PageDown move six hours; Space turns the hour on or off;
//   Shift with any of those moves extends that choice over the rectangle between the
//   cell where it started and the current one.
// A mouse (or pen) drag paints the rectangle between the first and the current cell,
// on or off depending on the first cell. On a touch screen a swipe scrolls the page
// and a tap toggles one hour; painting by swiping needs the "Paint by swiping" toggle.
// Leaving the page with unsaved changes asks first. The checkboxes stay the form's
// values, so saving is the same POST either way.
(function () {
  "use strict";
  var form = document.querySelector("[data-availability-grid]");
  if (!form) { return; }
  var table = form.querySelector(".availability-grid");
  var count = form.querySelector("[data-grid-count]");
  var plural = form.querySelector("[data-grid-plural]");
  var unsaved = form.querySelector("[data-grid-unsaved]");
  var clear = form.querySelector("[data-grid-clear]");
  var paintToggle = form.querySelector("[data-grid-paint]");
  var cells = Array.prototype.map.call(table.tBodies[0].rows, function (row) {
    return Array.prototype.slice.call(row.querySelectorAll("td.grid-cell"));
  });
  var ROWS = cells.length, COLS = cells[0].length;

  var active = { r: 0, c: 0 };      // the cell holding the grid's one Tab stop
  var anchor = null;                // where the current extension (Shift or drag) started
  var paintValue = true;            // what that extension paints: on or off
  var before = null;                // the grid as it was when the extension started
  var dragging = false, pointerHandled = false, touchPainting = false, submitting = false;

  function box(cell) { return cell.querySelector("input"); }
  function isOn(cell) { return box(cell).checked; }
  function set(cell, on) {
    box(cell).checked = on;
    cell.classList.toggle("is-on", on);
    cell.setAttribute("aria-selected", on ? "true" : "false");
  }
  function state() { return cells.map(function (row) { return row.map(isOn); }); }
  function serialise() { return state().map(function (row) { return row.map(Number).join(""); }).join(""); }
  var saved = serialise();

  function changed() {
    var n = form.querySelectorAll(".grid-check:checked").length;
    count.textContent = String(n);
    // The words after the count, in the page's language (gettext's catalog, loaded by base.html).
    plural.textContent = ngettext("hour a week selected.", "hours a week selected.", n);
    if (unsaved) { unsaved.hidden = serialise() === saved; }
  }

  function focusCell(r, c, scroll) {
    r = Math.max(0, Math.min(ROWS - 1, r));
    c = Math.max(0, Math.min(COLS - 1, c));
    cells[active.r][active.c].tabIndex = -1;
    active = { r: r, c: c };
    var cell = cells[r][c];
    cell.tabIndex = 0;
    cell.focus({ preventScroll: !scroll });
  }

  function startExtension(r, c, value) {
    anchor = { r: r, c: c };
    paintValue = value;
    before = state();
  }
  // Paint the rectangle between the anchor and (r, c); every other cell goes back to
  // what it was when the extension started, so shrinking the rectangle undoes.
  function paintRectangle(r, c) {
    var top = Math.min(anchor.r, r), bottom = Math.max(anchor.r, r);
    var left = Math.min(anchor.c, c), right = Math.max(anchor.c, c);
    for (var i = 0; i < ROWS; i++) {
      for (var j = 0; j < COLS; j++) {
        var inside = i >= top && i <= bottom && j >= left && j <= right;
        set(cells[i][j], inside ? paintValue : before[i][j]);
      }
    }
    changed();
  }
  function position(cell) {
    return { r: Number(cell.getAttribute("data-row")), c: Number(cell.getAttribute("data-col")) };
  }

  // --- set up the grid roles and the roving tabindex --------------------------------
  form.classList.add("grid-js");
  table.setAttribute("role", "grid");
  table.setAttribute("aria-multiselectable", "true");
  table.setAttribute("aria-describedby", "grid-help-js");
  cells.forEach(function (row, r) {
    row.forEach(function (cell, c) {
      cell.setAttribute("role", "gridcell");
      cell.setAttribute("data-row", String(r));
      cell.setAttribute("data-col", String(c));
      cell.tabIndex = -1;
      box(cell).tabIndex = -1;
      set(cell, isOn(cell));
    });
  });
  cells[0][0].tabIndex = 0;
  form.querySelectorAll("[data-grid-js-only]").forEach(function (el) { el.classList.remove("d-none"); });
  form.querySelectorAll("[data-grid-no-js]").forEach(function (el) { el.classList.add("d-none"); });

  // --- keyboard -----------------------------------------------------------------------
  table.addEventListener("keydown", function (event) {
    var r = active.r, c = active.c;
    var target = null;
    switch (event.key) {
      case "ArrowUp": target = [r - 1, c]; break;
      case "ArrowDown": target = [r + 1, c]; break;
      case "ArrowLeft": target = [r, c - 1]; break;
      case "ArrowRight": target = [r, c + 1]; break;
      case "PageUp": target = [r - 6, c]; break;
      case "PageDown": target = [r + 6, c]; break;
      case "Home": target = event.ctrlKey ? [0, 0] : [r, 0]; break;
      case "End": target = event.ctrlKey ? [ROWS - 1, COLS - 1] : [r, COLS - 1]; break;
      case " ":
      case "Spacebar": {
        event.preventDefault();
        var cell = cells[r][c];
        startExtension(r, c, !isOn(cell));
        paintRectangle(r, c);
        return;
      }
      default: return;
    }
    event.preventDefault();
    var to = [Math.max(0, Math.min(ROWS - 1, target[0])), Math.max(0, Math.min(COLS - 1, target[1]))];
    if (event.shiftKey) {
      if (!anchor) { startExtension(r, c, isOn(cells[r][c])); }
      focusCell(to[0], to[1], true);
      paintRectangle(to[0], to[1]);
    } else {
      anchor = null;
      focusCell(to[0], to[1], true);
    }
  });

  // --- pointer: mouse and pen drag; touch only in paint mode ---------------------------
  function cellAt(x, y) {
    var under = document.elementFromPoint(x, y);
    var cell = under && under.closest("td.grid-cell");
    return cell && table.contains(cell) ? cell : null;
  }
  table.addEventListener("pointerdown", function (event) {
    var cell = event.target.closest("td.grid-cell");
    if (!cell || event.button !== 0) { return; }
    if (event.pointerType === "touch" && !touchPainting) { return; }  // let the finger scroll
    event.preventDefault();
    pointerHandled = true;
    dragging = true;
    var at = position(cell);
    startExtension(at.r, at.c, !isOn(cell));
    paintRectangle(at.r, at.c);
    focusCell(at.r, at.c, false);
  });
  document.addEventListener("pointermove", function (event) {
    if (!dragging) { return; }
    var cell = cellAt(event.clientX, event.clientY);
    if (!cell) { return; }
    var at = position(cell);
    paintRectangle(at.r, at.c);
    focusCell(at.r, at.c, false);
  });
  function endDrag() { if (dragging) { dragging = false; anchor = null; } }
  document.addEventListener("pointerup", endDrag);
  document.addEventListener("pointercancel", endDrag);
  // A click the pointer did not already handle (a tap while scrolling mode is on, or
  // a screen reader activating the cell) toggles that one hour.
  table.addEventListener("click", function (event) {
    var cell = event.target.closest("td.grid-cell");
    if (!cell) { return; }
    event.preventDefault();  // the label would toggle its checkbox a second time
    if (pointerHandled) { pointerHandled = false; return; }
    var at = position(cell);
    startExtension(at.r, at.c, !isOn(cell));
    paintRectangle(at.r, at.c);
    anchor = null;
    focusCell(at.r, at.c, false);
  });

  if (paintToggle) {
    paintToggle.addEventListener("click", function () {
      touchPainting = !touchPainting;
      paintToggle.setAttribute("aria-pressed", touchPainting ? "true" : "false");
      form.classList.toggle("grid-touch-painting", touchPainting);
    });
  }
  if (clear) {
    clear.addEventListener("click", function () {
      cells.forEach(function (row) { row.forEach(function (cell) { set(cell, false); }); });
      changed();
    });
  }

  // --- leaving with unsaved changes asks first -----------------------------------------
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || serialise() === saved) { return; }
    event.preventDefault();
    event.returnValue = "";
  });
})();

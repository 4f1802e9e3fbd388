// Give every cell of a stacked table (.table-stack, and the tables of our own admin pages:
// the student panels, students at risk) the text of its column heading, which the phone
// layout shows before it.
(function () {
  "use strict";
  document.querySelectorAll("table.table-stack, #student-panels table, table#at-risk")
    .forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.classList.add("table-stack");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, i) {
          if (heads[i] && !cell.hasAttribute("data-label") && cell.colSpan === 1) { cell.setAttribute("data-label", heads[i]); }
        });
      });
    });
})();

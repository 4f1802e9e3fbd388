// Small accessibility fixes on top of Django's admin scripts.
(function () {
  "use strict";
  // SelectFilter2 (filter_horizontal) draws a search icon as a <span aria-label>; a
  // name on a generic span is not allowed, so give it the role of an image.
  window.addEventListener("load", function () {
    document.querySelectorAll(".help-tooltip.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });
})();

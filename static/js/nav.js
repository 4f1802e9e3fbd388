// The navigation shows where you are: the link whose address is the longest
// prefix of this page's path is marked aria-current="page" (and looks active).
// Generic on purpose, so a link any part of the product adds to the navigation
// is covered. A link may claim more sections with data-nav-also="/a/ /b/".
(function () {
  "use strict";
  var path = window.location.pathname;
  var best = null, bestLength = 0;
  document.querySelectorAll("#main-nav a.nav-link[href]").forEach(function (link) {
    var prefixes = [new URL(link.href, window.location.href).pathname];
    (link.getAttribute("data-nav-also") || "").split(/\s+/).forEach(function (p) { if (p) { prefixes.push(p); } });
    prefixes.forEach(function (prefix) {
      var matches = prefix === path || (prefix !== "/" && path.indexOf(prefix) === 0);
      if (matches && prefix.length > bestLength) { best = link; bestLength = prefix.length; }
    });
  });
  if (best) {
    best.setAttribute("aria-current", "page");
    best.classList.add("active");
  }
})();

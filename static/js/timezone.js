// Time-zone pickers (select[data-timezone-picker]): the browser's own IANA zone first,
// and a search box that narrows the list by city, region or country as you type.
// Without this script the select still lists every zone (sorted by name).
// select[data-browser-timezone] (signup) also preselects the browser's zone.
(function () {
  "use strict";
  var browserZone = "";
  try { browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { browserZone = ""; }

  function words(text) { return text.toLowerCase().replace(/[_/·,()]/g, " ").split(/\s+/).filter(Boolean); }

  document.querySelectorAll("select[data-timezone-picker]").forEach(function (select, n) {
    var all = Array.prototype.map.call(select.options, function (option) {
      return { value: option.value, label: option.textContent, haystack: words(option.value + " " + option.textContent).join(" ") };
    });
    var mine = null;
    all = all.filter(function (zone) {
      if (zone.value === browserZone) { mine = zone; return false; }
      return true;
    });
    if (mine) {
      mine = { value: mine.value, label: interpolate(gettext("%(zone)s — this device's zone"), { zone: mine.label }, true),
               haystack: mine.haystack };
      all.unshift(mine);
    }
    if (select.hasAttribute("data-browser-timezone") && mine && (!select.value || select.value === "UTC")) {
      select.value = mine.value;  // keep an explicit choice; otherwise offer the device's zone
    }
    var chosen = select.value;

    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control mb-2";
    search.id = (select.id || "timezone-" + n) + "-search";
    search.setAttribute("autocomplete", "off");
    search.setAttribute("placeholder", gettext("Type a city, region or country"));
    var label = document.createElement("label");
    label.className = "form-label small mb-1";
    label.htmlFor = search.id;
    label.textContent = gettext("Search time zones");
    var status = document.createElement("p");
    status.className = "form-text mt-0 mb-1";
    status.id = search.id + "-status";
    status.setAttribute("aria-live", "polite");
    search.setAttribute("aria-describedby", status.id);
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(search, select);
    select.parentNode.insertBefore(status, select);

    function render(query) {
      var terms = words(query);
      var shown = all.filter(function (zone) {
        return terms.every(function (term) { return zone.haystack.indexOf(term) !== -1; });
      });
      select.textContent = "";
      shown.forEach(function (zone) {
        var option = document.createElement("option");
        option.value = zone.value;
        option.textContent = zone.label;
        select.appendChild(option);
      });
      if (shown.some(function (zone) { return zone.value === chosen; })) {
        select.value = chosen;
      } else if (shown.length) {
        select.value = shown[0].value;
      }
      status.textContent = terms.length
        ? interpolate(ngettext("%(count)s zone matches.", "%(count)s zones match.", shown.length), { count: shown.length }, true)
        : "";
    }
    search.addEventListener("input", function () { render(search.value); });
    select.addEventListener("change", function () { chosen = select.value; });
    render("");
  });
})();

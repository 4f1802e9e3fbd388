// Preselect the browser's own IANA zone on forms that ask for one (signup).
(function () {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) { return; }
  document.querySelectorAll('select[data-browser-timezone]').forEach(function (select) {
    if (select.value && select.value !== 'UTC') { return; }  // keep an explicit choice
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === zone) { select.value = zone; return; }
    }
  });
})();

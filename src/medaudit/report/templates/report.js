(function () {
  "use strict";
  var list = document.getElementById("example-list");
  var bar = document.getElementById("filters");
  if (!list || !bar) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll("details.ex"));
  var outcome = document.getElementById("f-outcome");
  var dim = document.getElementById("f-dim");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  var empty = document.getElementById("f-empty");
  function apply() {
    var o = outcome.value, d = dim.value, t = text.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (el) {
      var ok = (!o || el.getAttribute("data-outcome") === o) &&
               (!d || el.getAttribute("data-dim") === d) &&
               (!t || el.textContent.toLowerCase().indexOf(t) !== -1);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " / " + items.length;
    empty.hidden = shown !== 0;
  }
  function setOpen(open) {
    items.forEach(function (el) { if (!el.hidden) { el.open = open; } });
  }
  outcome.addEventListener("change", apply);
  dim.addEventListener("change", apply);
  text.addEventListener("input", apply);
  document.getElementById("f-open").addEventListener("click", function () { setOpen(true); });
  document.getElementById("f-close").addEventListener("click", function () { setOpen(false); });
  document.getElementById("f-reset").addEventListener("click", function () {
    outcome.value = ""; dim.value = ""; text.value = ""; apply();
  });
  Array.prototype.forEach.call(document.querySelectorAll("a[data-filter-dim]"), function (a) {
    a.addEventListener("click", function () {
      dim.value = a.getAttribute("data-filter-dim");
      outcome.value = a.getAttribute("data-filter-outcome") || "";
      apply();
    });
  });
  bar.hidden = false;
  apply();
  document.body.setAttribute("data-js", "ready");
}());

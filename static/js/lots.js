/* "Add lot" / "Remove lot" on the tender form: a Django formset kept consistent in plain JS. */
(function () {
  "use strict";
  var box = document.getElementById("lots");
  if (!box) { return; }
  var prefix = box.getAttribute("data-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var rows = box.querySelector(".lot-rows");
  var template = document.getElementById("lot-template");
  var pattern = new RegExp("^(id_)?" + prefix + "-(\\d+|__prefix__)-");
  var ATTRS = ["id", "name", "for", "aria-describedby"];

  function renumber() {
    var list = rows.querySelectorAll("[data-lot-row]");
    list.forEach(function (row, index) {
      row.querySelectorAll("*").forEach(function (el) {
        ATTRS.forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value && pattern.test(value)) {
            el.setAttribute(attr, value.replace(pattern, function (m, id) { return (id || "") + prefix + "-" + index + "-"; }));
          }
        });
      });
      var number = row.querySelector("[data-lot-number]");
      if (number) { number.textContent = String(index + 1); }
      var remove = row.querySelector("[data-lot-remove]");
      if (remove) { remove.hidden = list.length < 2; }
    });
    total.value = String(list.length);
  }

  function addLot() {
    var fragment = template.content.cloneNode(true);
    rows.appendChild(fragment);
    renumber();
    var added = rows.querySelectorAll("[data-lot-row]");
    var first = added[added.length - 1].querySelector("input, textarea");
    if (first) { first.focus(); }
  }

  box.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-lot-add]")) {
      event.preventDefault();
      addLot();
    } else if (target.closest("[data-lot-remove]")) {
      event.preventDefault();
      var row = target.closest("[data-lot-row]");
      if (row) { row.remove(); renumber(); }
    }
  });

  if (rows.querySelectorAll("[data-lot-row]").length === 0) { addLot(); } else { renumber(); }
})();

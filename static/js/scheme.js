/* scheme.js: rows added on demand, the running total of points, and only the chosen formula's parameters. */
(function () {
  "use strict";
  const form = document.getElementById("scheme-form");
  function add(prefix) {
    const count = document.getElementById(`${prefix}-count`);
    const n = +count.value;
    const row = document.getElementById(`${prefix}-row`).content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name]").forEach((el) => { el.name = el.name.replace("-N-", `-${n}-`); });
    document.querySelector(`#${prefix}-table tbody`).append(row);
    count.value = n + 1;
    row.querySelector("input").focus();
  }
  form.querySelectorAll("[data-add]").forEach((b) => b.addEventListener("click", () => add(b.dataset.add)));
  for (const prefix of ["req", "crit"]) if (+document.getElementById(`${prefix}-count`).value === 0) { add(prefix); add(prefix); }
  const total = () => {
    let sum = 0;
    form.querySelectorAll("input[name$='-max_points']").forEach((i) => { sum += parseFloat(i.value) || 0; });
    document.getElementById("crit-total").textContent = sum.toFixed(2);
  };
  form.addEventListener("input", total);
  const formula = document.getElementById("price_formula");
  const params = () => form.querySelectorAll("[data-formula]").forEach((el) => {
    const on = el.dataset.formula === formula.value;
    if (el.classList.contains("formula-params")) el.hidden = !on; else el.disabled = !on;
  });
  formula.addEventListener("change", params);
  params();
  total();
})();

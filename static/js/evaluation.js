/*
 * evaluation.js: a member's workspace. Each pass/fail and each score is saved as soon as it is entered
 * (the draft lives on the server, so a closed tab loses nothing); submitting a step locks it. The page
 * follows the committee's progress over the WebSocket and reloads when the stage moves on.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("eval-config").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const base = `/api/evaluation/lots/${cfg.lot}/`;
  const say = (text, isError) => {
    const el = document.getElementById("eval-say");
    el.textContent = text;
    el.className = isError ? "msg msg-error" : "msg";
  };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || response.statusText);
    return data;
  }

  // Review: a radio or a reason change saves that row.
  document.querySelectorAll(".review-row").forEach((row) => {
    const state = row.querySelector(".save-state");
    const save = async () => {
      const choice = row.querySelector("input[type=radio]:checked");
      if (!choice) return;
      const reason = row.querySelector(".reason").value.trim();
      if (choice.value === "0" && !reason) { state.textContent = "…"; return; }
      try {
        await post(base + "marks/", { bid: +row.dataset.bid, requirement: +row.dataset.requirement,
                                      passed: choice.value === "1", reason });
        state.textContent = "✔";
        state.title = "";
      } catch (e) { state.textContent = "✖"; state.title = e.message; say(e.message, true); }
    };
    row.querySelectorAll("input[type=radio]").forEach((r) => r.addEventListener("change", save));
    row.querySelector(".reason").addEventListener("change", save);
  });

  // Scores: saved on change; totals per bid follow.
  const totals = () => {
    document.querySelectorAll(".score-grid .total").forEach((cell) => {
      let sum = 0;
      document.querySelectorAll(`.score-input[data-bid="${cell.dataset.bid}"]`).forEach((i) => { sum += parseFloat(i.value) || 0; });
      cell.textContent = sum.toFixed(2);
    });
  };
  document.querySelectorAll(".score-input").forEach((input) => {
    input.addEventListener("change", async () => {
      const value = input.value.trim();
      if (!value) return;
      input.classList.remove("invalid");
      try {
        const saved = await post(base + "scores/", { bid: +input.dataset.bid, criterion: +input.dataset.criterion, points: value });
        input.value = saved.points;
        input.title = "";
      } catch (e) { input.classList.add("invalid"); input.title = e.message; say(e.message, true); }
      totals();
    });
  });
  totals();

  document.querySelectorAll(".submit-step").forEach((button) => button.addEventListener("click", async () => {
    try {
      await post(base + "submit/", { step: button.dataset.step });
      location.reload();
    } catch (e) { say(e.message, true); }
  }));

  const vote = document.getElementById("vote-form");
  if (vote) vote.addEventListener("submit", async (event) => {
    event.preventDefault();
    const choice = vote.querySelector("input[name=candidate]:checked");
    if (!choice) return;
    try { await post(base + "vote/", { candidate: +choice.value }); location.reload(); } catch (e) { say(e.message, true); }
  });

  document.querySelectorAll(".question-form").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const when = form.elements.answer_by.value;
    try {
      await post(base + "questions/", { bid: +form.dataset.bid, text: form.elements.text.value,
                                        answer_by: when ? new Date(when).toISOString() : "" });
      location.reload();
    } catch (e) { say(e.message, true); }
  }));

  document.querySelectorAll(".flag-form").forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await post(`${base}flags/${form.dataset.flag}/decide/`, { decision: form.querySelector("textarea").value });
      location.reload();
    } catch (e) { say(e.message, true); }
  }));

  function connect(attempt = 0) {
    const link = document.getElementById("eval-link");
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${cfg.ws}`);
    socket.onopen = () => { attempt = 0; link.textContent = "●"; link.className = "badge badge-live"; };
    socket.onmessage = (event) => {
      const state = JSON.parse(event.data);
      if (state.stage !== cfg.stage) { location.reload(); return; }
      state.members.forEach((m) => {
        const row = document.querySelector(`tr[data-position="${m.position}"]`);
        if (!row) return;
        row.querySelector('[data-step="review"]').textContent = m.review ? "✔" : "—";
        row.querySelector('[data-step="scoring"]').textContent = m.scoring ? "✔" : "—";
      });
    };
    socket.onclose = () => { link.className = "badge badge-closed"; setTimeout(() => connect(attempt + 1), Math.min(10000, 500 * 2 ** attempt)); };
  }
  connect();
})();

/*
 * evaluation.js: a member's workspace. Each pass/fail and each score is saved as soon as it is entered
 * (the draft lives on the server, so a closed tab loses nothing); submitting a step locks it. The page
 * follows the committee's progress over the WebSocket and reloads when the stage moves on.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("eval-config").textContent);
  const L = cfg.labels;
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const base = `/api/evaluation/lots/${cfg.lot}/`;
  const say = (text, isError) => {
    const el = document.getElementById("eval-say");
    el.textContent = text;
    el.className = !text ? "" : isError ? "msg msg-error" : "msg";
  };
  // Saves still on their way: a step is submitted only once they have all come back.
  const pending = new Set();
  const track = (promise) => { pending.add(promise); promise.finally(() => pending.delete(promise)); return promise; };

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

  // Review: a radio or a reason change saves that row. A fail is saved only with its reason: until then the
  // reason is marked and the row says it is not saved (the server would refuse it anyway).
  document.querySelectorAll(".review-row").forEach((row) => {
    const state = row.querySelector(".save-state");
    const reasonInput = row.querySelector(".reason");
    const mark = (text, error, title) => {
      state.textContent = text;
      state.title = title || "";
      state.classList.toggle("error", !!error);
    };
    const save = async () => {
      const choice = row.querySelector("input[type=radio]:checked");
      if (!choice) return;
      const reason = reasonInput.value.trim();
      const failing = choice.value === "0";
      reasonInput.required = failing;
      if (failing && !reason) {
        reasonInput.classList.add("invalid");
        reasonInput.setAttribute("aria-invalid", "true");
        mark(L.failNeedsReason, true);
        say(L.failNeedsReason, true);
        reasonInput.focus();
        return;
      }
      reasonInput.classList.remove("invalid");
      reasonInput.removeAttribute("aria-invalid");
      try {
        await track(post(base + "marks/", { bid: +row.dataset.bid, requirement: +row.dataset.requirement,
                                            passed: !failing, reason: failing ? reason : "" }));
        mark("✔", false, L.saved);
        say("");
      } catch (e) { mark("✖", true, e.message); say(e.message, true); }
    };
    row.querySelectorAll("input[type=radio]").forEach((r) => r.addEventListener("change", save));
    reasonInput.addEventListener("change", save);
  });

  // Scores: saved on change; a refused or unsaved score is marked and left out of the totals.
  const totals = () => {
    document.querySelectorAll(".score-grid .total").forEach((cell) => {
      let sum = 0;
      document.querySelectorAll(`.score-input[data-bid="${cell.dataset.bid}"]:not(.invalid)`)
        .forEach((i) => { sum += parseFloat(i.value) || 0; });
      cell.textContent = sum.toFixed(2);
    });
  };
  document.querySelectorAll(".score-input").forEach((input) => {
    const refuse = (message) => {
      input.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      input.title = message;
      say(message, true);
    };
    const accept = () => {
      input.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      input.title = "";
    };
    input.addEventListener("change", async () => {
      const value = input.value.trim();
      if (!value) {
        if (input.dataset.saved) refuse(L.notSaved); else accept();  // a cleared score is not saved as "none"
        totals();
        return;
      }
      try {
        const saved = await track(post(base + "scores/", { bid: +input.dataset.bid, criterion: +input.dataset.criterion,
                                                           points: value }));
        input.value = input.dataset.saved = saved.points;
        accept();
        say("");
      } catch (e) { refuse(e.message); }
      totals();
    });
  });
  totals();

  document.querySelectorAll(".submit-step").forEach((button) => button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await Promise.allSettled([...pending]);
      const step = button.dataset.step;
      const unsaved = step === "review" ? document.querySelector(".review-row .reason.invalid")
        : document.querySelector(".score-input.invalid");
      if (unsaved) {
        say(step === "review" ? L.reviewUnsaved : L.scoresInvalid, true);
        unsaved.focus();
        return;
      }
      await post(base + "submit/", { step });
      location.reload();
    } catch (e) { say(e.message, true); } finally { button.disabled = false; }
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

  // Live progress: each committed change arrives over the WebSocket; on every (re)connection the current state
  // is read once, so nothing sent between the page's rendering (or a dropped link) and joining is missed.
  function apply(state) {
    if (state.stage !== cfg.stage) { location.reload(); return; }
    state.members.forEach((m) => {
      const row = document.querySelector(`tr[data-position="${m.position}"]`);
      if (!row) return;
      row.querySelector('[data-step="review"]').textContent = m.review ? "✔" : "—";
      row.querySelector('[data-step="scoring"]').textContent = m.scoring ? "✔" : "—";
    });
  }
  function connect(attempt = 0) {
    const link = document.getElementById("eval-link");
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${cfg.ws}`);
    socket.onopen = () => {
      attempt = 0;
      fetch(base, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null)).then((state) => {
          if (state) apply(state);
          link.textContent = "●"; link.className = "badge badge-live";
        }).catch(() => {});
    };
    socket.onmessage = (event) => apply(JSON.parse(event.data));
    socket.onclose = () => {
      link.className = "badge badge-closed";
      setTimeout(() => connect(attempt + 1), Math.min(10000, 500 * 2 ** attempt));
    };
  }
  connect();
})();

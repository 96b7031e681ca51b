/* evaluation-progress.js: the watchers' page follows who has submitted each step, live; a new stage reloads. On
 * every (re)connection the current state is read once, so nothing sent before the socket joined is missed. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("progress-config").textContent);
  const link = document.getElementById("progress-link");
  function apply(state) {
    if (state.stage !== cfg.stage) { location.reload(); return; }
    state.members.forEach((m) => {
      const row = document.querySelector(`#progress-members tr[data-position="${m.position}"]`);
      if (!row) return;
      for (const step of ["voted", "review", "scoring"]) {
        row.querySelector(`[data-step="${step}"]`).textContent = m[step] ? "✔" : "—";
      }
    });
  }
  function connect(attempt = 0) {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${cfg.ws}`);
    socket.onopen = () => {
      attempt = 0;
      fetch(cfg.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null)).then((state) => {
          if (state) apply(state);
          if (link) { link.textContent = "●"; link.className = "badge badge-live"; }
        }).catch(() => {});
    };
    socket.onmessage = (event) => apply(JSON.parse(event.data));
    socket.onclose = () => {
      if (link) link.className = "badge badge-closed";
      setTimeout(() => connect(attempt + 1), Math.min(10000, 500 * 2 ** attempt));
    };
  }
  connect();
})();

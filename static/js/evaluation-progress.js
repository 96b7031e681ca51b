/* evaluation-progress.js: the watchers' page follows who has submitted each step, live; a new stage reloads. */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("progress-config").textContent);
  function connect(attempt = 0) {
    const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${cfg.ws}`);
    socket.onmessage = (event) => {
      const state = JSON.parse(event.data);
      if (state.stage !== cfg.stage) { location.reload(); return; }
      state.members.forEach((m) => {
        const row = document.querySelector(`#progress-members tr[data-position="${m.position}"]`);
        if (!row) return;
        for (const step of ["voted", "review", "scoring"]) row.querySelector(`[data-step="${step}"]`).textContent = m[step] ? "✔" : "—";
      });
    };
    socket.onclose = () => setTimeout(() => connect(attempt + 1), Math.min(10000, 500 * 2 ** attempt));
  }
  connect();
})();

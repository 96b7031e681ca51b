/*
 * hall.js: the opening hall (不见面开标). Renders the hall's state (from the page, then from the WebSocket,
 * then from the API after a reconnect), runs the countdowns against the server clock, and sends each act
 * to the API. A bidder's data key is unwrapped here with its private key (ebid-seal.js); only the data
 * key is sent.
 */
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("hall-config").textContent);
  const L = JSON.parse(document.getElementById("hall-labels").textContent);
  const csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const $ = (id) => document.getElementById(id);
  let state = JSON.parse(document.getElementById("hall-state").textContent);
  let skew = 0; // server time minus local time, ms
  let refreshing = false;

  // Times read as the rest of the platform prints them, in its time zone (Beijing time), whatever zone the
  // bidder's computer is set to: the windows are the server's, and the record states them in that zone.
  const parts = { hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
                  minute: "2-digit", second: "2-digit" };
  let zoned;
  try {
    zoned = new Intl.DateTimeFormat("en-GB", { ...parts, timeZone: $("hall-clock").dataset.timeZone || undefined });
  } catch (e) {
    zoned = new Intl.DateTimeFormat("en-GB", parts);
  }
  const fmt = (iso) => {
    if (!iso) return "—";
    const p = Object.fromEntries(zoned.formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
  // A read-out price keeps its exact digits; only the integer part is grouped (1234567.89 → 1,234,567.89).
  const money = (text) => (/^-?\d+(\.\d+)?$/.test(text || "")
    ? text.replace(/^(-?\d+)/, (whole) => whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")) : text || "—");
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const badge = (code, label) => el("span", label, `badge badge-${code || "pending"}`);
  let sayTimer;
  const say = (text, kind = "info") => {
    const box = $("hall-say");
    box.textContent = text;
    box.className = `msg msg-${kind}`;
    clearTimeout(sayTimer);
    if (kind === "success") sayTimer = setTimeout(() => { box.textContent = ""; box.className = ""; }, 5000);
  };

  async function call(method, url, { json, form } = {}) {
    const headers = { "X-CSRFToken": csrf, Accept: "application/json" };
    let body;
    if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
    if (form) body = form;
    const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
    const data = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
    if (!response.ok) throw new Error((data && (data.detail || data.message)) || response.statusText);
    return data;
  }

  function render(next) {
    state = next;
    skew = new Date(state.server_time).getTime() - Date.now();
    $("hall-status").textContent = L.status[state.status];
    $("hall-status").className = `badge badge-${state.status}`;
    $("hall-began").textContent = fmt(state.began_at);
    $("hall-decrypt-window").textContent = state.decryption_started_at
      ? `${fmt(state.decryption_started_at)} – ${fmt(state.decryption_ends_at)}` : "—";
    $("hall-confirm-window").textContent = state.readout_at ? `${fmt(state.readout_at)} – ${fmt(state.confirm_ends_at)}` : "—";
    const c = state.counts;
    $("hall-counts").textContent = `${c.listed} · ${L.bid.decrypted} ${c.opened} · ${L.bid.sealed} ${c.sealed}` +
      (c.failed ? ` · ✕ ${c.failed}` : "");
    $("hall-failure").hidden = !state.failure_reason;
    $("hall-failure").textContent = state.failure_reason;
    $("hall-record").hidden = !state.record;
    if (state.record) { $("hall-record-link").href = state.record.url; $("hall-record-sha").textContent = `SHA-256 ${state.record.sha256}`; }

    const mine = state.bids.find((b) => b.bidder_id === cfg.me.bidder);
    $("host-panel").hidden = !(cfg.me.host && state.status === "waiting");
    $("release-panel").hidden = !(mine && mine.status === "sealed" && state.status === "decrypting");
    $("respond-form").hidden = !(mine && !mine.response && state.status === "confirming");

    const rows = $("hall-bids");
    rows.replaceChildren();
    state.bids.forEach((b, i) => {
      const tr = document.createElement("tr");
      tr.dataset.bidder = b.bidder_id;
      tr.append(el("td", i + 1), el("td", b.bidder), el("td", fmt(b.received_at), "mono small"));
      const status = el("td");
      status.append(badge(b.status, L.bid[b.status]));
      if (b.wrong_keys) status.append(el("span", ` ✕${b.wrong_keys}`, "small muted"));
      if (b.failure_cause) status.append(el("div", b.failure_cause, "small muted"));
      if (cfg.me.centre && b.status === "revoked" && state.status === "confirming") {
        const form = $("cause-template").content.firstElementChild.cloneNode(true);
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          act(() => call("POST", cfg.urls.cause.replace("/0/", `/${b.bid_id}/`), { json: { reason: form.querySelector("input").value } }));
        });
        status.append(form);
      }
      tr.append(status);
      const resp = el("td");
      if (state.readout_at) {
        // No answer yet is "taken as accepted" only once the window has closed.
        const waiting = !b.response && state.status === "confirming";
        resp.append(badge(b.response || "pending", waiting ? L.msg.awaitingResponse : L.response[b.response || ""]));
      }
      tr.append(resp);
      rows.append(tr);
    });

    $("readout").hidden = !state.readout;
    const readout = $("hall-readout");
    readout.replaceChildren();
    (state.readout || []).forEach((r, i) => {
      const tr = document.createElement("tr");
      if (r.bidder_id === cfg.me.bidder) tr.className = "mine";
      tr.append(el("td", i + 1), el("td", r.bidder), el("td", money(r.price), "num price"),
                el("td", r.duration_days || "—"), el("td", r.quality || "—"), el("td", r.other || "—"));
      readout.append(tr);
    });

    const list = $("hall-objections");
    list.replaceChildren();
    if (!state.objections.length) list.append(el("li", L.msg.none, "muted"));
    state.objections.forEach((x) => {
      const li = el("li");
      li.append(el("strong", `${x.bidder} · ${fmt(x.raised_at)}`), el("p", x.text));
      if (x.answered_at) {
        li.append(el("p", `${L.msg.answered} (${fmt(x.answered_at)}): ${x.answer}`, "small"));
      } else if (cfg.me.host) {
        const form = $("answer-template").content.firstElementChild.cloneNode(true);
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          act(() => call("POST", cfg.urls.answer.replace("/0/", `/${x.id}/`), { json: { answer: form.querySelector("textarea").value } }));
        });
        li.append(form);
      } else {
        li.append(badge("sealed", L.msg.unanswered));
      }
      list.append(li);
    });
    tick();
  }

  function left(iso) {
    const ms = new Date(iso).getTime() - (Date.now() + skew);
    if (ms <= 0) return null;
    const s = Math.floor(ms / 1000);
    const p = (n) => String(n).padStart(2, "0");
    return `${L.msg.left} ${p(Math.floor(s / 3600))}:${p(Math.floor((s % 3600) / 60))}:${p(s % 60)}`;
  }

  function tick() {
    for (const [id, status, iso] of [["hall-decrypt-left", "decrypting", state.decryption_ends_at],
                                     ["hall-confirm-left", "confirming", state.confirm_ends_at]]) {
      if (state.status !== status || !iso) { $(id).textContent = ""; continue; }
      const text = left(iso);
      $(id).textContent = text || L.msg.ended;
      if (!text) refresh();
    }
  }

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try { render(await call("GET", cfg.urls.state)); } catch (e) { /* the socket or the next tick retries */ }
    finally { setTimeout(() => { refreshing = false; }, 2000); }
  }

  async function act(fn) {
    try {
      say(L.msg.sending);
      const next = await fn();
      if (next) render(next);
      say(L.msg.done, "success");
    } catch (error) {
      say(`${L.msg.failed} ${error.message}`, "error");
    }
  }

  function connect(attempt = 0) {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}${cfg.ws}`);
    socket.onopen = () => { attempt = 0; $("hall-link").textContent = L.msg.live; $("hall-link").className = "badge badge-live"; };
    socket.onmessage = (event) => render(JSON.parse(event.data));
    socket.onclose = () => {
      $("hall-link").textContent = L.msg.reconnecting;
      $("hall-link").className = "badge badge-closed";
      setTimeout(() => { refresh(); connect(attempt + 1); }, Math.min(10000, 500 * 2 ** attempt));
    };
  }

  $("hall-say").addEventListener("click", () => { $("hall-say").textContent = ""; $("hall-say").className = ""; });
  $("start-decryption").addEventListener("click", () => act(() => call("POST", cfg.urls.start)));

  $("release-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(async () => {
      const file = $("release-key-file").files[0];
      const pem = file ? await file.text() : $("release-key").value;
      if (!pem.trim()) throw new Error(L.msg.key);
      say(L.msg.unsealing);
      let key;
      try {
        key = await EbidSeal.importPrivateKey(pem, $("release-passphrase").value);
      } catch (e) {
        throw new Error(L.msg.keyFile); // wrong passphrase, or not a P-256 key file
      }
      const response = await fetch(cfg.urls.header, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.statusText);
      const header = await EbidSeal.readHeader(new Blob([await response.arrayBuffer()]));
      let dataKey;
      try { dataKey = await EbidSeal.unwrapDataKey(header, key); } catch (e) { throw new Error(L.msg.wrongKey); }
      const b64 = btoa(String.fromCharCode(...dataKey));
      return call("POST", cfg.urls.release, { json: { data_key: b64 } });
    });
  });

  $("backup-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => {
      const form = new FormData();
      if ($("backup-salts").files[0]) form.append("salts", $("backup-salts").files[0]);
      for (const f of $("backup-files").files) form.append("files", f);
      return call("POST", cfg.urls.backup, { form });
    });
  });

  $("confirm-readout").addEventListener("click", () => act(() => call("POST", cfg.urls.respond, { json: { objection: "" } })));
  $("respond-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("objection-text").value.trim();
    if (!text) { say(L.msg.objectionNeeded, "error"); return; }
    act(() => call("POST", cfg.urls.respond, { json: { objection: text } }));
  });

  render(state);
  setInterval(tick, 1000);
  connect();
})();

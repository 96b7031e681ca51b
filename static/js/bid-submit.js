/*
 * bid-submit.js: the bid submission page. Seals the summary and files in this browser (ebid-seal.js),
 * checks that the bidder's own private key opens the envelope, then uploads the envelope in chunks
 * through the API, resuming from the bytes the server has after a dropped connection, and shows the
 * signed receipt. Neither the plaintext nor the private key leaves the page.
 */
(function () {
  "use strict";
  const form = document.getElementById("bid-form");
  if (!form) return;
  const cfg = JSON.parse(document.getElementById("bid-config").textContent);
  const msg = JSON.parse(document.getElementById("bid-messages").textContent);
  const status = document.getElementById("bid-status");
  const progress = document.getElementById("bid-progress");
  const button = document.getElementById("bid-submit");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "msg msg-error" : "";
  }

  function show(done, total) {
    progress.hidden = false;
    progress.value = total ? Math.floor((100 * done) / total) : 0;
  }

  function url(kind, id) {
    return cfg.urls[kind].replace("/0/", `/${id}/`);
  }

  class Refused extends Error {}

  /** One API call; network failures are retried (every call here is idempotent), refusals are not. */
  async function call(method, target, { body, headers = {}, json } = {}) {
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await fetch(target, {
          method, credentials: "same-origin", body: json ? JSON.stringify(json) : body,
          headers: { "X-CSRFToken": csrf, Accept: "application/json",
                     ...(json ? { "Content-Type": "application/json" } : {}), ...headers },
        });
      } catch (networkError) {
        if (attempt >= 8) throw networkError;
        say(msg.retrying);
        await sleep(Math.min(8000, 500 * 2 ** attempt));
        continue;
      }
      const data = await response.json().catch(() => ({}));
      if (response.ok) return data;
      if (response.status >= 500 && attempt < 8) { await sleep(Math.min(8000, 500 * 2 ** attempt)); continue; }
      const error = new Refused(data.detail || response.statusText);
      error.code = data.code;
      throw error;
    }
  }

  async function sha256Hex(blob) {
    const hash = new EbidSeal.Sha256();
    for (let at = 0; at < blob.size; at += cfg.uploadChunk) {
      hash.update(new Uint8Array(await blob.slice(at, at + cfg.uploadChunk).arrayBuffer()));
    }
    return EbidSeal.hex(hash.digest());
  }

  function randomKey() {
    if (crypto.randomUUID) return crypto.randomUUID();
    return EbidSeal.hex(crypto.getRandomValues(new Uint8Array(16)));
  }

  async function upload(blob) {
    const sha256 = await sha256Hex(blob);
    const started = await call("POST", cfg.urls.start, {
      json: { lot_id: cfg.binding.lotId, size: blob.size, sha256, idempotency_key: randomKey() } });
    let received = started.received;
    say(msg.uploading);
    while (received < blob.size) {
      const end = Math.min(blob.size, received + cfg.uploadChunk);
      try {
        const answer = await call("PUT", `${url("chunk", started.id)}?offset=${received}`, {
          body: blob.slice(received, end),
          headers: { "Content-Type": "application/octet-stream", "X-Upload-Token": started.upload_token } });
        received = answer.received;
      } catch (error) {
        if (!(error instanceof Refused) || error.code !== "offset_mismatch") throw error;
        received = (await call("GET", url("upload", started.id))).received;  // resume where the server is
      }
      show(received, blob.size);
    }
    say(msg.finishing);
    return call("POST", url("finish", started.id));
  }

  async function privateKey() {
    const file = document.getElementById("bid-key-file").files[0];
    const pem = file ? await file.text() : document.getElementById("bid-key").value;
    if (!pem.trim()) throw new Refused(msg.key);
    return EbidSeal.importPrivateKey(pem, document.getElementById("bid-passphrase").value);
  }

  function summary() {
    const price = form.price.value.trim();
    if (!/^\d{1,13}(\.\d{1,2})?$/.test(price)) throw new Refused(msg.price);
    const items = { price };
    if (form.duration_days.value.trim()) items.duration_days = parseInt(form.duration_days.value.trim(), 10);
    if (form.quality.value.trim()) items.quality = form.quality.value.trim();
    if (form.other.value.trim()) items.other = form.other.value.trim();
    return items;
  }

  function offer(id, blob) {
    document.getElementById(id).href = URL.createObjectURL(blob);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const items = summary();
      const key = await privateKey();
      say(msg.sealing);
      const sealed = await EbidSeal.seal({ binding: cfg.binding, summary: items, files: [...form.files.files],
                                           recipients: cfg.recipients, chunkSize: cfg.sealChunk, onProgress: show });
      say(msg.checking);
      try {
        await EbidSeal.unseal(sealed.blob, key);
      } catch (error) {
        throw new Refused(msg.wrongKey);
      }
      const bid = await upload(sealed.blob);
      document.getElementById("receipt-bid").textContent = bid.id;
      document.getElementById("receipt-time").textContent = bid.receipt.receipt.received_at;
      document.getElementById("receipt-sha").textContent = bid.sha256;
      offer("save-receipt", new Blob([JSON.stringify(bid.receipt, null, 2)], { type: "application/json" }));
      offer("save-salts", new Blob([JSON.stringify(sealed.saltsDocument)], { type: "application/json" }));
      offer("save-envelope", sealed.blob);
      document.getElementById("bid-result").hidden = false;
      say(msg.done);
    } catch (error) {
      say(`${msg.failed} ${error.message}`, true);
    } finally {
      button.disabled = false;
    }
  });
})();

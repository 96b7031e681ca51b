/*
 * ebid-seal.js: the sealed-bid envelope (docs/sealing.md, format version 1) in the browser.
 *
 * The same bytes as the Python package `ebid`, proved by the committed vectors in tests/ebid/vectors/.
 * WebCrypto does ECDH P-256, HKDF-SHA256, AES-256-GCM and PBKDF2; the incremental SHA-256 for commitments,
 * canonical JSON and DER parsing are in ebid-primitives.js, which must be loaded first. Files are read with
 * File.slice one chunk at a time, and sealed chunks are gathered into Blobs (which the browser may keep
 * on disk), so a large bid is never held whole in JavaScript memory.
 *
 * window.EbidSeal = { seal, unseal, readHeader, importPrivateKey, canonical, Sha256, EnvelopeError }
 */
(function (global) {
  "use strict";

  const subtle = global.crypto.subtle;
  const { Sha256, canonical, concat, hex, fromHex, equal, der, children } = global.EbidPrimitives;
  const MAGIC = [0x45, 0x42, 0x49, 0x44, 0x53, 0x45, 0x41, 0x4c]; // "EBIDSEAL"
  const VERSION = 1;
  const SUITE = { id: 1, name: "P256-HKDF-SHA256-AES256GCM", recordSize: 145 };
  const TAG = 16;
  const DEFAULT_CHUNK = 1 << 20;
  const MIN_CHUNK = 64;
  const MAX_CHUNK = 16 << 20;
  const MAX_BODY = 1 << 20;
  const MAX_SUMMARY = 64 * 1024;
  const MAX_RECIPIENTS = 16;
  const MAX_PARTS = 1000;
  const SUMMARY_NAME = "summary.json";
  const FLUSH_BYTES = 32 << 20; // hand sealed chunks to a Blob every 32 MiB
  const encoder = new TextEncoder();
  const utf8 = (text) => encoder.encode(text);
  const WRAP_INFO = utf8("ebid/1 key wrap");

  /** One error type; `kind` is the Python class name (Malformed, Truncated, Tampered, WrongKey, Rebound). */
  class EnvelopeError extends Error {
    constructor(kind, message) {
      super(message);
      this.name = "EnvelopeError";
      this.kind = kind;
    }
  }
  const fail = (kind, message) => { throw new EnvelopeError(kind, message); };

  const bytesOf = async (blob, start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer());

  const sha256 = async (bytes) => new Uint8Array(await subtle.digest("SHA-256", bytes));

  function chunkNonce(part, counter, final) {
    const n = new Uint8Array(12);
    new DataView(n.buffer).setUint32(0, part);
    for (let i = 10, c = counter; i >= 4; i--, c = Math.floor(c / 256)) n[i] = c % 256;
    n[11] = final ? 1 : 0;
    return n;
  }
  function chunkAad(headerHash, part) {
    const tail = new Uint8Array(4);
    new DataView(tail.buffer).setUint32(0, part);
    return concat(headerHash, tail);
  }
  const chunkCount = (size, chunkSize) => Math.max(1, Math.ceil(size / chunkSize));

  function checkName(name) {
    if (typeof name !== "string" || !name || name === "." || name === ".." || /[\x00-\x1f\x7f/\\]/.test(name)
        || name !== name.trim() || utf8(name).length > 255 || [...name].length > 200) {
      fail("Malformed", `unusable part name ${JSON.stringify(name)}: a bare file name without slashes or control characters`);
    }
  }

  function pemBody(pem, label) {
    const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
    if (!match) return null;
    return Uint8Array.from(atob(match[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  }

  /** A recipient from its SPKI PEM (or DER): the key and its platform fingerprint. */
  async function importRecipient(spki) {
    const der = typeof spki === "string" ? pemBody(spki, "PUBLIC KEY") : spki;
    if (!der) fail("Malformed", "a recipient is a PEM public key");
    const key = await subtle.importKey("spki", der, { name: "ECDH", namedCurve: "P-256" }, true, []);
    return { key, fingerprint: await sha256(new Uint8Array(await subtle.exportKey("spki", key))) };
  }

  async function kek(shared, contextHash, fingerprint, point) {
    const ikm = await subtle.importKey("raw", shared, "HKDF", false, ["deriveBits"]);
    const bits = await subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: contextHash,
                                           info: concat(WRAP_INFO, fingerprint, point) }, ikm, 256);
    return subtle.importKey("raw", bits, "AES-GCM", false, ["encrypt", "decrypt"]);
  }

  async function wrap(dataKey, recipient, contextHash, ephemeral) {
    const point = new Uint8Array(await subtle.exportKey("raw", ephemeral.publicKey));
    const shared = await subtle.deriveBits({ name: "ECDH", public: recipient.key }, ephemeral.privateKey, 256);
    const key = await kek(shared, contextHash, recipient.fingerprint, point);
    const wrapped = await subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12), additionalData: contextHash },
                                         key, dataKey);
    return concat(recipient.fingerprint, point, new Uint8Array(wrapped));
  }

  async function ephemeralFrom(jwk) {
    const curve = { name: "ECDH", namedCurve: "P-256" };
    const publicJwk = { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y };
    return { privateKey: await subtle.importKey("jwk", { ...publicJwk, d: jwk.d }, curve, false, ["deriveBits"]),
             publicKey: await subtle.importKey("jwk", publicJwk, curve, true, []) };
  }

  async function commitment(salt, blob, chunkSize) {
    const hash = new Sha256().update(salt);
    for (let at = 0; at < blob.size; at += chunkSize) hash.update(await bytesOf(blob, at, at + chunkSize));
    return hash.digest();
  }

  function summaryBytes(summary) {
    const data = summary instanceof Uint8Array ? summary : utf8(typeof summary === "string" ? summary : canonical(summary));
    let value;
    try { value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data)); } catch (e) {
      fail("Malformed", "the bid summary is not valid UTF-8 JSON");
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      fail("Malformed", "the bid summary is a JSON object (the items read out at opening)");
    }
    if (data.length > MAX_SUMMARY) fail("Malformed", `the bid summary is ${data.length} bytes; at most ${MAX_SUMMARY}`);
    return data;
  }

  const stamp = (moment) => (typeof moment === "string" ? moment
    : (moment || new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"));

  /**
   * Seal a bid. binding: {tenderId, tenderReference, lotId, bidderId, bidderCreditCode}; summary: object,
   * JSON text or bytes; files: File objects (or {name, blob}); recipients: SPKI PEM strings.
   * randomness (test vectors only): {dataKey, salts: [Uint8Array], ephemeral: [JWK with d, x, y]}.
   * Returns {blob, size, headerHash, commitments, salts, saltsDocument}.
   */
  async function seal({ binding, summary, files = [], recipients, chunkSize = DEFAULT_CHUNK, createdAt,
                        randomness, onProgress }) {
    if (!recipients || recipients.length < 1 || recipients.length > MAX_RECIPIENTS) {
      throw new TypeError(`seal for 1 to ${MAX_RECIPIENTS} recipient keys`);
    }
    if (!(chunkSize >= MIN_CHUNK && chunkSize <= MAX_CHUNK)) throw new TypeError("chunk size out of range");
    const keys = await Promise.all(recipients.map(importRecipient));
    if (new Set(keys.map((k) => hex(k.fingerprint))).size !== keys.length) throw new TypeError("the same recipient key is given twice");
    const sources = [{ kind: "summary", name: SUMMARY_NAME, blob: new Blob([summaryBytes(summary)]) },
      ...files.map((f) => ({ kind: "file", name: f.name, blob: f.blob || f }))];
    sources.forEach((s) => checkName(s.name));
    if (new Set(sources.map((s) => s.name)).size !== sources.length) fail("Malformed", "two parts have the same name");
    if (sources.length > MAX_PARTS) fail("Malformed", `an envelope has at most ${MAX_PARTS} parts`);
    const rnd = randomness || {};
    const dataKey = rnd.dataKey || global.crypto.getRandomValues(new Uint8Array(32));
    const salts = rnd.salts || sources.map(() => global.crypto.getRandomValues(new Uint8Array(32)));
    const ephemerals = rnd.ephemeral ? await Promise.all(rnd.ephemeral.map(ephemeralFrom))
      : await Promise.all(keys.map(() => subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"])));
    const commitments = [];
    for (let i = 0; i < sources.length; i++) commitments.push(await commitment(salts[i], sources[i].blob, chunkSize));
    const body = utf8(canonical({
      bidder: { credit_code: binding.bidderCreditCode, id: binding.bidderId },
      chunk_size: chunkSize,
      created_at: stamp(createdAt),
      lot: { id: binding.lotId },
      parts: sources.map((s, i) => ({ commitment: hex(commitments[i]), kind: s.kind, name: s.name, size: s.blob.size })),
      tender: { id: binding.tenderId, reference: binding.tenderReference },
    }));
    if (body.length > MAX_BODY) fail("Malformed", "the header body is over 1 MiB");
    const preamble = new Uint8Array(16);
    const view = new DataView(preamble.buffer);
    preamble.set(MAGIC, 0);
    view.setUint16(8, VERSION);
    view.setUint16(10, SUITE.id);
    view.setUint32(12, body.length);
    const contextHash = await sha256(concat(preamble, body));
    const records = [];
    for (let i = 0; i < keys.length; i++) records.push(await wrap(dataKey, keys[i], contextHash, ephemerals[i]));
    const section = new Uint8Array(2 + records.length * (2 + SUITE.recordSize));
    const sectionView = new DataView(section.buffer);
    sectionView.setUint16(0, records.length);
    records.forEach((r, i) => {
      sectionView.setUint16(2 + i * (2 + SUITE.recordSize), r.length);
      section.set(r, 4 + i * (2 + SUITE.recordSize));
    });
    const header = concat(preamble, body, section);
    const headerHash = await sha256(header);
    const aead = await subtle.importKey("raw", dataKey, "AES-GCM", false, ["encrypt"]);
    let blob = new Blob([header]);
    let pending = [];
    let pendingBytes = 0;
    const total = sources.reduce((n, s) => n + s.blob.size, 0);
    let done = 0;
    for (let p = 0; p < sources.length; p++) {
      const source = sources[p].blob;
      const count = chunkCount(source.size, chunkSize);
      const aad = chunkAad(headerHash, p);
      for (let i = 0; i < count; i++) {
        const plain = await bytesOf(source, i * chunkSize, Math.min(source.size, (i + 1) * chunkSize));
        const sealed = await subtle.encrypt({ name: "AES-GCM", iv: chunkNonce(p, i, i === count - 1), additionalData: aad },
                                            aead, plain);
        pending.push(sealed);
        pendingBytes += sealed.byteLength;
        done += plain.length;
        if (pendingBytes >= FLUSH_BYTES) { blob = new Blob([blob, ...pending]); pending = []; pendingBytes = 0; }
        if (onProgress) onProgress(done, total);
      }
    }
    blob = new Blob([blob, ...pending], { type: "application/octet-stream" });
    const saltsDocument = {
      bidder: { credit_code: binding.bidderCreditCode, id: binding.bidderId }, format: "ebid-salts/1",
      header_hash: hex(headerHash), lot: { id: binding.lotId },
      parts: sources.map((s, i) => ({ commitment: hex(commitments[i]), index: i, name: s.name, salt: hex(salts[i]),
                                      size: s.blob.size })),
      tender: { id: binding.tenderId, reference: binding.tenderReference },
    };
    return { blob, size: blob.size, headerHash: hex(headerHash), commitments: commitments.map(hex),
             salts: salts.map(hex), saltsDocument };
  }

  /** Parse and check the header of an envelope Blob (no key needed). */
  async function readHeader(envelope) {
    const need = async (start, length, what) => {
      const bytes = await bytesOf(envelope, start, start + length);
      if (bytes.length < length) fail("Truncated", `the envelope ends inside ${what}`);
      return bytes;
    };
    const preamble = await need(0, 16, "the preamble");
    const view = new DataView(preamble.buffer);
    if (!MAGIC.every((b, i) => preamble[i] === b)) fail("Malformed", "this is not a sealed-bid envelope (it does not begin with “EBIDSEAL”)");
    if (view.getUint16(8) !== VERSION) fail("Malformed", `envelope format version ${view.getUint16(8)} is not supported`);
    if (view.getUint16(10) !== SUITE.id) fail("Malformed", `algorithm suite ${view.getUint16(10)} is not supported`);
    const bodyLength = view.getUint32(12);
    if (bodyLength < 2 || bodyLength > MAX_BODY) fail("Malformed", "header body length out of range");
    const bodyBytes = await need(16, bodyLength, "the header body");
    let body;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bodyBytes));
      if (!equal(utf8(canonical(body)), bodyBytes)) throw new Error("not canonical");
    } catch (e) {
      fail("Malformed", `the header body is not canonical JSON: ${e.message}`);
    }
    if (!body || !Array.isArray(body.parts) || !body.parts.length || body.parts[0].name !== SUMMARY_NAME
        || !(body.chunk_size >= MIN_CHUNK && body.chunk_size <= MAX_CHUNK)) {
      fail("Malformed", "the header body does not follow docs/sealing.md §2");
    }
    body.parts.forEach((p) => checkName(p.name));
    let at = 16 + bodyLength;
    const count = new DataView((await need(at, 2, "the recipient count")).buffer).getUint16(0);
    if (count < 1 || count > MAX_RECIPIENTS) fail("Malformed", `${count} recipients: an envelope has 1 to ${MAX_RECIPIENTS}`);
    at += 2;
    const recipients = [];
    for (let i = 0; i < count; i++) {
      const length = new DataView((await need(at, 2, `recipient ${i}`)).buffer).getUint16(0);
      if (length !== SUITE.recordSize) fail("Malformed", `recipient ${i} record is ${length} bytes`);
      const record = await need(at + 2, length, `recipient ${i}`);
      recipients.push({ fingerprint: record.subarray(0, 32), point: record.subarray(32, 97), wrapped: record.subarray(97) });
      at += 2 + length;
    }
    const headerBytes = await bytesOf(envelope, 0, at);
    return { body, binding: { tenderId: body.tender.id, tenderReference: body.tender.reference, lotId: body.lot.id,
                              bidderId: body.bidder.id, bidderCreditCode: body.bidder.credit_code },
             chunkSize: body.chunk_size, parts: body.parts, recipients, length: at,
             contextHash: await sha256(concat(preamble, bodyBytes)), headerHash: await sha256(headerBytes) };
  }

  const OID = { pbes2: "2a864886f70d01050d", pbkdf2: "2a864886f70d01050c", hmacSha256: "2a864886f70d0209",
                aes256cbc: "60864801650304012a" };

  async function decryptPkcs8(bytes, passphrase) {
    const [algorithm, data] = children(der(bytes), bytes);
    const [scheme, params] = children(algorithm, bytes);
    if (hex(scheme.content) !== OID.pbes2) fail("WrongKey", "this encrypted key does not use PBES2");
    const [kdf, cipher] = children(params, bytes);
    const [kdfOid, kdfParams] = children(kdf, bytes);
    const [cipherOid, iv] = children(cipher, bytes);
    if (hex(kdfOid.content) !== OID.pbkdf2 || hex(cipherOid.content) !== OID.aes256cbc) {
      fail("WrongKey", "this encrypted key uses a scheme other than PBKDF2 with AES-256-CBC");
    }
    const kp = children(kdfParams, bytes);
    const salt = kp[0].content;
    const iterations = kp[1].content.reduce((n, b) => n * 256 + b, 0);
    const prf = kp.find((c) => c.tag === 0x30);
    if (prf && hex(children(prf, bytes)[0].content) !== OID.hmacSha256) fail("WrongKey", "unsupported PBKDF2 PRF");
    const pw = await subtle.importKey("raw", utf8(passphrase), "PBKDF2", false, ["deriveKey"]);
    const key = await subtle.deriveKey({ name: "PBKDF2", hash: prf ? "SHA-256" : "SHA-1", salt, iterations }, pw,
                                       { name: "AES-CBC", length: 256 }, false, ["decrypt"]);
    try {
      return new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: iv.content }, key, data.content));
    } catch (e) {
      return fail("WrongKey", "the private key cannot be opened: wrong passphrase or a damaged file");
    }
  }

  /** The bidder's private sealing key from PEM (PKCS#8, encrypted with a passphrase or not). */
  async function importPrivateKey(pem, passphrase) {
    let pkcs8 = pemBody(pem, "PRIVATE KEY");
    const encrypted = pemBody(pem, "ENCRYPTED PRIVATE KEY");
    if (encrypted) pkcs8 = await decryptPkcs8(encrypted, passphrase || "");
    if (!pkcs8) fail("WrongKey", "this is not a private key file (it has no “PRIVATE KEY” block)");
    try {
      return await subtle.importKey("pkcs8", pkcs8, { name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    } catch (e) {
      return fail("WrongKey", "a sealing key is an elliptic-curve P-256 key; this one is not");
    }
  }

  async function unwrapDataKey(header, privateKey) {
    const jwk = await subtle.exportKey("jwk", privateKey);
    const own = (await importRecipient(new Uint8Array(await subtle.exportKey("spki", await subtle.importKey(
      "jwk", { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, { name: "ECDH", namedCurve: "P-256" }, true, []))))).fingerprint;
    const attempt = async (r) => {
      let ephemeral;
      try {
        ephemeral = await subtle.importKey("raw", r.point, { name: "ECDH", namedCurve: "P-256" }, false, []);
      } catch (e) {
        return fail("Tampered", "a recipient's ephemeral public key is not a valid P-256 point");
      }
      const shared = await subtle.deriveBits({ name: "ECDH", public: ephemeral }, privateKey, 256);
      const key = await kek(shared, header.contextHash, own, r.point);
      try {
        return new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12),
                                                     additionalData: header.contextHash }, key, r.wrapped));
      } catch (e) {
        return fail("Tampered", "the wrapped data key does not authenticate: the header or the key record was altered");
      }
    };
    const mine = header.recipients.find((r) => equal(r.fingerprint, own));
    if (mine) return attempt(mine);
    for (const r of header.recipients) {
      try { return await attempt(r); } catch (e) { if (e.kind !== "Tampered") throw e; }
    }
    return fail("WrongKey", `this envelope is not sealed for key ${hex(own).slice(0, 16)}…`);
  }

  /**
   * Open an envelope Blob with a private CryptoKey (from importPrivateKey).
   * Returns {header, summary, parts: [{name, size, blob}]}; throws EnvelopeError.
   */
  async function unseal(envelope, privateKey, { onProgress } = {}) {
    const header = await readHeader(envelope);
    const dataKey = await unwrapDataKey(header, privateKey);
    const aead = await subtle.importKey("raw", dataKey, "AES-GCM", false, ["decrypt"]);
    const expected = header.length + header.parts.reduce(
      (n, p) => n + p.size + TAG * chunkCount(p.size, header.chunkSize), 0);
    let at = header.length;
    const parts = [];
    for (let p = 0; p < header.parts.length; p++) {
      const part = header.parts[p];
      const count = chunkCount(part.size, header.chunkSize);
      const aad = chunkAad(header.headerHash, p);
      let blob = new Blob([]);
      let pending = [];
      let pendingBytes = 0;
      for (let i = 0; i < count; i++) {
        const plain = i === count - 1 ? part.size - header.chunkSize * i : header.chunkSize;
        const sealed = await bytesOf(envelope, at, at + plain + TAG);
        if (sealed.length !== plain + TAG) fail("Truncated", `the envelope ends inside chunk ${i} of part ${p} (${part.name})`);
        try {
          pending.push(await subtle.decrypt({ name: "AES-GCM", iv: chunkNonce(p, i, i === count - 1), additionalData: aad },
                                            aead, sealed));
        } catch (e) {
          fail("Tampered", `chunk ${i} of part ${p} (${part.name}) fails authentication: it was altered, moved, or taken from another envelope`);
        }
        pendingBytes += plain;
        at += plain + TAG;
        if (pendingBytes >= FLUSH_BYTES) { blob = new Blob([blob, ...pending]); pending = []; pendingBytes = 0; }
        if (onProgress) onProgress(at, expected);
      }
      parts.push({ name: part.name, size: part.size, blob: new Blob([blob, ...pending]) });
    }
    if (envelope.size > expected) fail("Tampered", "there are bytes after the envelope's final chunk");
    const summary = JSON.parse(new TextDecoder("utf-8").decode(await bytesOf(parts[0].blob, 0, parts[0].size)));
    return { header, summary, parts };
  }

  global.EbidSeal = { seal, unseal, readHeader, unwrapDataKey, importPrivateKey, canonical, Sha256, EnvelopeError, hex, fromHex,
                      SUITE, DEFAULT_CHUNK };
})(window);

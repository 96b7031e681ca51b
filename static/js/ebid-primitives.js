/*
 * ebid-primitives.js: what ebid-seal.js needs and WebCrypto lacks: an incremental SHA-256 (WebCrypto's
 * digest is one-shot, and a commitment covers files of any size), canonical JSON (docs/sealing.md §2),
 * hex and byte helpers, and a minimal DER reader for encrypted PKCS#8 key files. Load it before ebid-seal.js.
 *
 * window.EbidPrimitives = { Sha256, canonical, concat, hex, fromHex, equal, der, children }
 */
(function (global) {
  "use strict";

  function concat(...arrays) {
    const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) { out.set(a, at); at += a.length; }
    return out;
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  function fromHex(text) {
    if (!/^([0-9a-f]{2})*$/.test(text)) throw new TypeError("not lower-case hex");
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  /** Canonical JSON (docs/sealing.md §2): sorted keys, no whitespace, integers only. */
  function canonical(value) {
    if (value === null || typeof value === "boolean") return JSON.stringify(value);
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) throw new TypeError("canonical JSON holds integers only; write decimals as strings");
      return String(value);
    }
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (typeof value === "object") {
      return "{" + Object.keys(value).sort().map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
    }
    throw new TypeError("not a JSON value");
  }

  /* SHA-256 (FIPS 180-4), incremental. */
  const K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);

  class Sha256 {
    constructor() {
      this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
      this.w = new Uint32Array(64);
      this.buf = new Uint8Array(64);
      this.bufLen = 0;
      this.total = 0;
    }

    block(d, o) {
      const w = this.w;
      const h = this.h;
      for (let i = 0; i < 16; i++) {
        w[i] = (d[o + 4 * i] << 24) | (d[o + 4 * i + 1] << 16) | (d[o + 4 * i + 2] << 8) | d[o + 4 * i + 3];
      }
      for (let i = 16; i < 64; i++) {
        const x = w[i - 15];
        const y = w[i - 2];
        const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      let a = h[0], b = h[1], c = h[2], e = h[4], f = h[5], g = h[6], dd = h[3], hh = h[7];
      for (let i = 0; i < 64; i++) {
        const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
        const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        hh = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] += a; h[1] += b; h[2] += c; h[3] += dd; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }

    update(bytes) {
      let off = 0;
      this.total += bytes.length;
      if (this.bufLen) {
        const take = Math.min(64 - this.bufLen, bytes.length);
        this.buf.set(bytes.subarray(0, take), this.bufLen);
        this.bufLen += take;
        off = take;
        if (this.bufLen === 64) { this.block(this.buf, 0); this.bufLen = 0; }
      }
      for (; off + 64 <= bytes.length; off += 64) this.block(bytes, off);
      if (off < bytes.length) { this.buf.set(bytes.subarray(off), 0); this.bufLen = bytes.length - off; }
      return this;
    }

    digest() {
      const bits = this.total * 8;
      const pad = new Uint8Array(((this.bufLen < 56 ? 56 : 120) - this.bufLen) + 8);
      pad[0] = 0x80;
      const view = new DataView(pad.buffer);
      view.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
      view.setUint32(pad.length - 4, bits >>> 0);
      this.update(pad);
      const out = new Uint8Array(32);
      const outView = new DataView(out.buffer);
      this.h.forEach((v, i) => outView.setUint32(4 * i, v));
      return out;
    }
  }

  /* A minimal DER reader: enough for PKCS#8 EncryptedPrivateKeyInfo with PBES2 (what `ebid keygen` writes). */
  function der(bytes, at = 0) {
    const tag = bytes[at];
    let length = bytes[at + 1];
    let start = at + 2;
    if (length & 0x80) {
      const n = length & 0x7f;
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + bytes[start + i];
      start += n;
    }
    return { tag, start, end: start + length, content: bytes.subarray(start, start + length) };
  }
  function children(node, bytes) {
    const out = [];
    for (let at = node.start; at < node.end;) { const child = der(bytes, at); out.push(child); at = child.end; }
    return out;
  }
  global.EbidPrimitives = { Sha256, canonical, concat, hex, fromHex, equal, der, children };
})(window);

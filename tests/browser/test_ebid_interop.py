"""The browser's envelope (static/js/ebid-seal.js) against the Python package, in Chromium.

The page is a bare HTML file with the two scripts, served from tmp_path on 127.0.0.1 (a secure context, so
WebCrypto is available); no Django is involved. The browser reproduces the committed vectors byte for
byte, seals what Python opens, and opens what Python seals — with an `ebid keygen` key file.
"""

from __future__ import annotations

import base64
import functools
import http.server
import io
import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from ebid import Binding, read_header, seal, unseal_to_directory
from ebid.keys import keygen, load_private_key, load_public_key, public_pem

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
VECTORS = sorted((ROOT / "tests" / "ebid" / "vectors").glob("*.json"))
# Test helpers on the page: base64 in and out of the browser, where Playwright passes only JSON.
HELPERS = ("window.b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));"
           "window.toB64 = async (blob) => { const u = new Uint8Array(await blob.arrayBuffer()); let s = '';"
           " for (let i = 0; i < u.length; i += 32768) s += String.fromCharCode(...u.subarray(i, i + 32768));"
           " return btoa(s); };")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    site = tmp_path_factory.mktemp("ebid-site")
    for script in ("ebid-primitives.js", "ebid-seal.js"):
        shutil.copy(ROOT / "static" / "js" / script, site / script)
    (site / "index.html").write_text('<!doctype html><meta charset="utf-8"><title>ebid</title>'
                                     '<script src="ebid-primitives.js"></script><script src="ebid-seal.js"></script>'
                                     f"<script>{HELPERS}</script>", "utf-8")
    handler = functools.partial(QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


@pytest.fixture
def page(new_page, page_url):
    page = new_page()
    page.goto(page_url)
    page.wait_for_function("window.EbidSeal !== undefined")
    return page


def b64url(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def jwk_of(scalar: int) -> dict:
    numbers = ec.derive_private_key(scalar, ec.SECP256R1()).public_key().public_numbers()
    return {"d": b64url(scalar), "x": b64url(numbers.x), "y": b64url(numbers.y)}


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_the_browser_reproduces_the_committed_vectors_byte_for_byte(page, path):
    vector = json.loads(path.read_text("utf-8"))
    given, rnd = vector["input"], vector["randomness"]
    args = {"binding": given["binding"], "summary": given["summary_json"], "files": given["files"],
            "recipients": [r["public_pem"] for r in vector["recipients"]], "chunkSize": given["chunk_size"],
            "createdAt": given["created_at"], "dataKey": rnd["data_key"], "salts": rnd["salts"],
            "ephemeral": [jwk_of(int(s, 16)) for s in rnd["ephemeral_scalars"]]}
    got = page.evaluate("""async (a) => {
        const E = window.EbidSeal, b = a.binding;
        const sealed = await E.seal({
            binding: {tenderId: b.tender_id, tenderReference: b.tender_reference, lotId: b.lot_id,
                      bidderId: b.bidder_id, bidderCreditCode: b.bidder_credit_code},
            summary: a.summary, recipients: a.recipients, chunkSize: a.chunkSize, createdAt: a.createdAt,
            files: a.files.map((f) => ({name: f.name, blob: new Blob([E.fromHex(f.content)])})),
            randomness: {dataKey: E.fromHex(a.dataKey), salts: a.salts.map(E.fromHex), ephemeral: a.ephemeral}});
        return {hex: E.hex(new Uint8Array(await sealed.blob.arrayBuffer())), headerHash: sealed.headerHash,
                commitments: sealed.commitments};
    }""", args)
    assert got["commitments"] == vector["expected"]["commitments"]
    assert got["headerHash"] == vector["expected"]["header_hash"]
    assert got["hex"] == vector["expected"]["envelope_hex"]


def test_an_envelope_sealed_in_the_browser_opens_in_python(page, tmp_path):
    # given a bidder's key pair made by `ebid keygen`, and files around chunk edges
    private_pem, public = keygen(b"correct horse")
    key = load_private_key(private_pem, b"correct horse")
    files = {"empty.txt": b"", "技术标.pdf": os.urandom(3 * 4096 + 1), "商务标.pdf": os.urandom(4096)}
    # when the browser seals them with fresh randomness
    got = page.evaluate("""async (a) => {
        const E = window.EbidSeal;
        const sealed = await E.seal({
            binding: {tenderId: 12, tenderReference: "QXZC-2025-017", lotId: 34, bidderId: 56,
                      bidderCreditCode: "91331127MA2XYZ0123"},
            summary: {price: "1234567.89", duration_days: 180, quality: "合格"}, recipients: [a.pem],
            chunkSize: 4096, files: a.files.map(([name, data]) => new File([b64(data)], name))});
        return {envelope: await toB64(sealed.blob), salts: sealed.saltsDocument};
    }""", {"pem": public.decode(),
                                           "files": [[n, base64.b64encode(d).decode()] for n, d in files.items()]})
    envelope = base64.b64decode(got["envelope"])
    # then Python opens it, every part matches its commitment under the browser's salts, and it is bound
    done = unseal_to_directory(io.BytesIO(envelope), key, tmp_path / "opened", salts=got["salts"],
                               expect=Binding(12, "QXZC-2025-017", 34, 56, "91331127MA2XYZ0123"))
    assert done.summary == {"price": "1234567.89", "duration_days": 180, "quality": "合格"}
    assert {p.name: p.read_bytes() for p in done.paths[1:]} == files


def test_an_envelope_sealed_in_python_opens_in_the_browser_with_the_key_file(page):
    # given an envelope sealed by Python for a key made by `ebid keygen` (encrypted PKCS#8)
    private_pem, public = keygen(b"correct horse")
    files = [("a.bin", os.urandom(70_000)), ("空.txt", b"")]
    out = io.BytesIO()
    seal(binding=Binding(7, "QXJS-2025-003", 9, 101, "91331127MA2ABCDE9K"), summary={"price": "88000.00"},
         files=[(n, io.BytesIO(d)) for n, d in files], recipients=[load_public_key(public)], out=out,
         chunk_size=1024)
    envelope = out.getvalue()
    tampered = bytearray(envelope)
    tampered[-20] ^= 1
    other = public_pem(ec.generate_private_key(ec.SECP256R1()).public_key())
    foreign = io.BytesIO()
    seal(binding=Binding(7, "QXJS-2025-003", 9, 101, "91331127MA2ABCDE9K"), summary={"price": "1.00"}, files=[],
         recipients=[load_public_key(other)], out=foreign)
    # when the browser opens it (and a tampered copy, an envelope for another key, a wrong passphrase)
    got = page.evaluate("""async (a) => {
        const E = window.EbidSeal;
        const key = await E.importPrivateKey(a.pem, "correct horse");
        const opened = await E.unseal(new Blob([b64(a.envelope)]), key);
        const kind = async (f) => { try { await f(); return "none"; } catch (e) { return e.kind || String(e); } };
        return {
            summary: opened.summary,
            parts: await Promise.all(opened.parts.map(async (p) => [p.name, await toB64(p.blob)])),
            binding: opened.header.binding,
            tampered: await kind(() => E.unseal(new Blob([b64(a.tampered)]), key)),
            truncated: await kind(() => E.unseal(new Blob([b64(a.envelope).subarray(0, 3000)]), key)),
            foreign: await kind(() => E.unseal(new Blob([b64(a.foreign)]), key)),
            passphrase: await kind(() => E.importPrivateKey(a.pem, "wrong")),
        };
    }""", {"pem": private_pem.decode(), "envelope": base64.b64encode(envelope).decode(),
           "tampered": base64.b64encode(bytes(tampered)).decode(),
           "foreign": base64.b64encode(foreign.getvalue()).decode()})
    # then it reads back exactly what was sealed, and each bad case fails as Python would
    assert got["summary"] == {"price": "88000.00"}
    assert {n: base64.b64decode(d) for n, d in got["parts"]} == {"summary.json": b'{"price":"88000.00"}',
                                                                  **dict(files)}
    assert got["binding"] == {"tenderId": 7, "tenderReference": "QXJS-2025-003", "lotId": 9, "bidderId": 101,
                              "bidderCreditCode": "91331127MA2ABCDE9K"}
    assert read_header(io.BytesIO(envelope)).binding.lot_id == 9
    assert (got["tampered"], got["truncated"], got["foreign"], got["passphrase"]) == (
        "Tampered", "Truncated", "WrongKey", "WrongKey")


def test_the_browser_seals_and_opens_a_100_mib_file_chunk_by_chunk(page):
    # given a 100 MiB file generated in the page (more than three 32 MiB flushes into the result Blob)
    got = page.evaluate("""async () => {
        const E = window.EbidSeal;
        const block = new Uint8Array(1 << 20);
        for (let i = 0; i < block.length; i++) block[i] = (i * 2654435761) >>> 24;
        const file = new File(Array.from({length: 100}, () => block).concat([new Uint8Array(5)]), "big.bin");
        const pair = await crypto.subtle.generateKey({name: "ECDH", namedCurve: "P-256"}, true, ["deriveBits"]);
        const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
        const pem = "-----BEGIN PUBLIC KEY-----\\n" + btoa(String.fromCharCode(...spki)) + "\\n-----END PUBLIC KEY-----";
        const sealed = await E.seal({binding: {tenderId: 1, tenderReference: "QX-1", lotId: 2, bidderId: 3,
                                               bidderCreditCode: "91331127MA2XYZ0123"},
                                     summary: {price: "1.00"}, files: [file], recipients: [pem]});
        const opened = await E.unseal(sealed.blob, pair.privateKey);
        const digest = async (blob) => {
            const h = new E.Sha256();
            for (let at = 0; at < blob.size; at += 1 << 20) h.update(new Uint8Array(await blob.slice(at, at + (1 << 20)).arrayBuffer()));
            return E.hex(h.digest());
        };
        return {size: sealed.size, parts: opened.parts.map((p) => p.size), same: await digest(file) === await digest(opened.parts[1].blob)};
    }""")
    # when sealed and opened in the browser; then it comes back whole, in 1 MiB chunks plus their tags
    assert got["parts"][1] == 100 * 2**20 + 5
    assert got["same"] is True
    assert got["size"] > 100 * 2**20 + 101 * 16

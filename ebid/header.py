"""The envelope header: preamble, body (canonical JSON) and recipient records (docs/sealing.md §2–4).

Reading checks everything that can be checked without a key, so the platform can refuse a malformed or
misaddressed envelope at upload without ever being able to read it.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

from ebid.canonical import canonical_json, parse_canonical
from ebid.errors import Malformed, Rebound, Truncated
from ebid.suites import SUITES, TAG_SIZE, Suite

MAGIC = b"EBIDSEAL"
VERSION = 1
PREAMBLE = struct.Struct(">8sHHI")  # magic, version, suite id, body length
MAX_BODY = 1 << 20
MAX_RECIPIENTS = 16
MAX_PARTS = 1000
MAX_SUMMARY = 64 * 1024
MIN_CHUNK, MAX_CHUNK = 64, 16 << 20
DEFAULT_CHUNK = 1 << 20
SUMMARY_NAME = "summary.json"
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
HEX64 = re.compile(r"[0-9a-f]{64}")
BAD_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass(frozen=True)
class Binding:
    """Where a bid belongs: an envelope made for one tender, lot and bidder is refused anywhere else."""

    tender_id: int
    tender_reference: str
    lot_id: int
    bidder_id: int
    bidder_credit_code: str

    def as_body(self) -> dict:
        return {"tender": {"id": self.tender_id, "reference": self.tender_reference}, "lot": {"id": self.lot_id},
                "bidder": {"id": self.bidder_id, "credit_code": self.bidder_credit_code}}


@dataclass(frozen=True)
class Part:
    index: int
    kind: str  # "summary" (index 0 only) or "file"
    name: str
    size: int
    commitment: bytes

    def as_body(self) -> dict:
        return {"kind": self.kind, "name": self.name, "size": self.size, "commitment": self.commitment.hex()}


@dataclass(frozen=True)
class Recipient:
    fingerprint: bytes
    record: bytes


@dataclass(frozen=True)
class Header:
    suite: Suite
    binding: Binding
    chunk_size: int
    created_at: str
    parts: tuple[Part, ...]
    recipients: tuple[Recipient, ...]
    length: int  # bytes from the start of the envelope to the first chunk
    context_hash: bytes  # hash of preamble + body: what each key wrap is bound to
    header_hash: bytes  # hash of the whole header: associated data of every chunk
    body: dict = field(repr=False)

    def chunk_count(self, part: Part) -> int:
        return max(1, -(-part.size // self.chunk_size))

    def sealed_size(self, part: Part) -> int:
        return part.size + TAG_SIZE * self.chunk_count(part)

    def envelope_length(self) -> int:
        return self.length + sum(self.sealed_size(p) for p in self.parts)

    def describe(self) -> dict:
        """The header as `ebid inspect` prints it."""
        return {"format_version": VERSION, "suite": {"id": self.suite.id, "name": self.suite.name},
                **self.body, "recipients": [self.suite.describe_record(r.record) for r in self.recipients],
                "header_length": self.length, "context_hash": self.context_hash.hex(),
                "header_hash": self.header_hash.hex(), "envelope_length": self.envelope_length()}


def check_name(name: str) -> None:
    """File names become paths on the opener's disk: a bare name, nothing that climbs out of a folder."""
    if (not isinstance(name, str) or not name or name in {".", ".."} or BAD_NAME.search(name)
            or len(name.encode("utf-8")) > 255 or name != name.strip()):
        raise Malformed(f"unusable part name {name!r}: a bare file name without slashes or control characters, "
                        "at most 255 bytes")


def build_body(*, binding: Binding, chunk_size: int, created_at: str, parts: list[Part]) -> bytes:
    body = {**binding.as_body(), "chunk_size": chunk_size, "created_at": created_at,
            "parts": [p.as_body() for p in parts]}
    data = canonical_json(body)
    _validate(body, len(data))
    return data


def encode_preamble(suite: Suite, body_length: int) -> bytes:
    return PREAMBLE.pack(MAGIC, VERSION, suite.id, body_length)


def encode_recipients(records: list[bytes]) -> bytes:
    return struct.pack(">H", len(records)) + b"".join(struct.pack(">H", len(r)) + r for r in records)


def read_exact(stream: BinaryIO, n: int, what: str) -> bytes:
    chunks, left = [], n
    while left:
        data = stream.read(left)
        if not data:
            raise Truncated(f"the envelope ends inside {what} ({n - left} of {n} bytes present)")
        chunks.append(data)
        left -= len(data)
    return b"".join(chunks)


def read_header(stream: BinaryIO) -> Header:
    """Read and check the header, leaving `stream` at the first chunk."""
    preamble = read_exact(stream, PREAMBLE.size, "the preamble")
    magic, version, suite_id, body_length = PREAMBLE.unpack(preamble)
    if magic != MAGIC:
        raise Malformed("this is not a sealed-bid envelope (it does not begin with “EBIDSEAL”)")
    if version != VERSION:
        raise Malformed(f"envelope format version {version} is not supported (this reader knows version {VERSION})")
    suite = SUITES.get(suite_id)
    if suite is None:
        raise Malformed(f"algorithm suite {suite_id} is not supported (known: {sorted(SUITES)})")
    if not 2 <= body_length <= MAX_BODY:
        raise Malformed(f"header body length {body_length} is out of range (2 to {MAX_BODY} bytes)")
    body_bytes = read_exact(stream, body_length, "the header body")
    try:
        body = parse_canonical(body_bytes)
    except (ValueError, TypeError, UnicodeDecodeError, RecursionError) as exc:
        raise Malformed(f"the header body is not canonical JSON: {exc}") from None
    _validate(body, body_length)
    context_hash = suite.hash(preamble + body_bytes)
    (count,) = struct.unpack(">H", read_exact(stream, 2, "the recipient count"))
    if not 1 <= count <= MAX_RECIPIENTS:
        raise Malformed(f"{count} recipients: an envelope has 1 to {MAX_RECIPIENTS}")
    raw, recipients = [struct.pack(">H", count)], []
    for i in range(count):
        length_bytes = read_exact(stream, 2, f"recipient {i}")
        (length,) = struct.unpack(">H", length_bytes)
        if length != suite.record_size:
            raise Malformed(f"recipient {i} record is {length} bytes; suite {suite.name} records are "
                            f"{suite.record_size}")
        record = read_exact(stream, length, f"recipient {i}")
        raw += [length_bytes, record]
        recipients.append(Recipient(fingerprint=suite.record_fingerprint(record), record=record))
    header_bytes = preamble + body_bytes + b"".join(raw)
    return Header(suite=suite, binding=_binding(body), chunk_size=body["chunk_size"], created_at=body["created_at"],
                  parts=tuple(_parts(body)), recipients=tuple(recipients), length=len(header_bytes),
                  context_hash=context_hash, header_hash=suite.hash(header_bytes), body=body)


def check_binding(header: Header, expect: Binding) -> None:
    """Rebound unless the header names exactly the expected tender, lot and bidder."""
    got = header.binding
    for label, a, b in (("tender", got.tender_id, expect.tender_id),
                        ("tender reference", got.tender_reference, expect.tender_reference),
                        ("lot", got.lot_id, expect.lot_id), ("bidder", got.bidder_id, expect.bidder_id),
                        ("bidder credit code", got.bidder_credit_code, expect.bidder_credit_code)):
        if a != b:
            raise Rebound(f"this envelope was sealed for {label} {a!r}, not {b!r}")


def _binding(body: dict) -> Binding:
    return Binding(tender_id=body["tender"]["id"], tender_reference=body["tender"]["reference"],
                   lot_id=body["lot"]["id"], bidder_id=body["bidder"]["id"],
                   bidder_credit_code=body["bidder"]["credit_code"])


def _parts(body: dict) -> list[Part]:
    return [Part(index=i, kind=p["kind"], name=p["name"], size=p["size"], commitment=bytes.fromhex(p["commitment"]))
            for i, p in enumerate(body["parts"])]


def _shape(value, keys: dict, where: str) -> None:
    if not isinstance(value, dict) or set(value) != set(keys):
        raise Malformed(f"{where} must have exactly the fields {sorted(keys)}")
    for key, kind in keys.items():
        item = value[key]
        if kind is int and (type(item) is not int or item < 0 or item >= 1 << 53):
            raise Malformed(f"{where}.{key} must be an integer from 0 to 2^53 - 1")
        if kind is str and (not isinstance(item, str) or not item or len(item) > 200):
            raise Malformed(f"{where}.{key} must be a non-empty string of at most 200 characters")


def _validate(body, body_length: int) -> None:
    """Every rule a reader applies to the body; writers apply the same so they cannot write what fails."""
    _shape(body, {"tender": dict, "lot": dict, "bidder": dict, "chunk_size": int, "created_at": str,
                  "parts": list}, "header")
    _shape(body["tender"], {"id": int, "reference": str}, "tender")
    _shape(body["lot"], {"id": int}, "lot")
    _shape(body["bidder"], {"id": int, "credit_code": str}, "bidder")
    if body_length > MAX_BODY:
        raise Malformed(f"the header body is over {MAX_BODY} bytes")
    if not MIN_CHUNK <= body["chunk_size"] <= MAX_CHUNK:
        raise Malformed(f"chunk size {body['chunk_size']} is out of range ({MIN_CHUNK} to {MAX_CHUNK} bytes)")
    if not TIMESTAMP.fullmatch(body["created_at"]):
        raise Malformed("created_at must be UTC as YYYY-MM-DDTHH:MM:SSZ")
    parts = body["parts"]
    if not isinstance(parts, list) or not 1 <= len(parts) <= MAX_PARTS:
        raise Malformed(f"an envelope has 1 to {MAX_PARTS} parts (the summary first)")
    names = set()
    for i, part in enumerate(parts):
        _shape(part, {"kind": str, "name": str, "size": int, "commitment": str}, f"parts[{i}]")
        check_name(part["name"])
        if not HEX64.fullmatch(part["commitment"]):
            raise Malformed(f"parts[{i}].commitment must be 64 lower-case hex digits")
        if (part["kind"] == "summary") != (i == 0) or part["kind"] not in {"summary", "file"}:
            raise Malformed("part 0 is the summary and every other part is a file")
        if part["name"] in names:
            raise Malformed(f"two parts are named {part['name']!r}")
        names.add(part["name"])
    if parts[0]["name"] != SUMMARY_NAME or not 2 <= parts[0]["size"] <= MAX_SUMMARY:
        raise Malformed(f"the summary part is named {SUMMARY_NAME} and holds 2 to {MAX_SUMMARY} bytes of JSON")

"""Sealing: summary and files in, one envelope out, in two streaming passes over each source.

The first pass computes each part's salted commitment (it goes in the header, which every chunk is
bound to, so it must be known before the first chunk is encrypted); the second encrypts.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from cryptography.hazmat.primitives.asymmetric import ec

from ebid.chunks import seal_part
from ebid.commitments import commit_stream, salts_document
from ebid.errors import Malformed
from ebid.header import (
    DEFAULT_CHUNK,
    MAX_RECIPIENTS,
    MAX_SUMMARY,
    SUMMARY_NAME,
    Binding,
    Header,
    Part,
    Recipient,
    build_body,
    check_name,
    encode_preamble,
    encode_recipients,
)
from ebid.keys import fingerprint_bytes
from ebid.suites import DATA_KEY_SIZE, DEFAULT_SUITE, Suite

SALT_SIZE = 32
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class Randomness:
    """Every random value a seal uses. Injected only by test vectors; otherwise `fresh`."""

    data_key: bytes
    salts: tuple[bytes, ...]  # one per part, the summary's first
    ephemeral_scalars: tuple[int, ...]  # one P-256 private scalar per recipient

    @classmethod
    def fresh(cls, parts: int, recipients: int) -> Randomness:
        return cls(data_key=os.urandom(DATA_KEY_SIZE), salts=tuple(os.urandom(SALT_SIZE) for _ in range(parts)),
                   ephemeral_scalars=tuple(1 + int.from_bytes(os.urandom(40), "big") % (P256_ORDER - 1)
                                           for _ in range(recipients)))


@dataclass(frozen=True)
class SealResult:
    header: Header
    salts: tuple[bytes, ...]
    envelope_size: int

    def salts_document(self) -> dict:
        """What the bidder keeps with its plaintext backup for the opening-day fallback."""
        return salts_document(self.header, self.salts)


def summary_bytes(summary: Mapping | bytes) -> bytes:
    """The summary as sealed: a JSON object (prices as decimal strings), at most 64 KiB."""
    data = summary if isinstance(summary, bytes) else json.dumps(
        summary, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    try:
        value = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Malformed("the bid summary is not valid UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise Malformed("the bid summary is a JSON object (the items read out at opening)")
    if len(data) > MAX_SUMMARY:
        raise Malformed(f"the bid summary is {len(data)} bytes; at most {MAX_SUMMARY}")
    return data


def utc_stamp(moment: datetime | None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seal(*, binding: Binding, summary: Mapping | bytes, files: Sequence[tuple[str, BinaryIO]],
         recipients: Sequence[ec.EllipticCurvePublicKey], out: BinaryIO, chunk_size: int = DEFAULT_CHUNK,
         created_at: datetime | None = None, randomness: Randomness | None = None,
         suite: Suite = DEFAULT_SUITE) -> SealResult:
    """Write an envelope for `binding` to `out`.

    `files` are (name, seekable binary stream) pairs, read twice from their current start. Returns the
    header and the salts; the salts never enter the envelope and must be kept by the bidder.
    """
    if not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise ValueError(f"seal for 1 to {MAX_RECIPIENTS} recipient keys")
    if len({fingerprint_bytes(r) for r in recipients}) != len(recipients):
        raise ValueError("the same recipient key is given twice")
    sources: list[tuple[str, str, BinaryIO]] = [("summary", SUMMARY_NAME, io.BytesIO(summary_bytes(summary)))]
    for name, stream in files:
        check_name(name)
        sources.append(("file", name, stream))
    rnd = randomness or Randomness.fresh(len(sources), len(recipients))
    if len(rnd.salts) != len(sources) or len(rnd.ephemeral_scalars) != len(recipients):
        raise ValueError("the randomness holds one salt per part and one ephemeral key per recipient")
    parts, starts = [], []
    for index, ((kind, name, stream), salt) in enumerate(zip(sources, rnd.salts)):
        starts.append(stream.tell())
        size, commitment = commit_stream(suite, salt, stream)
        stream.seek(starts[-1])
        parts.append(Part(index=index, kind=kind, name=name, size=size, commitment=commitment))
    stamp = utc_stamp(created_at)
    body = build_body(binding=binding, chunk_size=chunk_size, created_at=stamp, parts=parts)
    preamble = encode_preamble(suite, len(body))
    context_hash = suite.hash(preamble + body)
    records = [suite.wrap(data_key=rnd.data_key, recipient=r, context_hash=context_hash,
                          ephemeral=ec.derive_private_key(s, ec.SECP256R1()))
               for r, s in zip(recipients, rnd.ephemeral_scalars)]
    header_bytes = preamble + body + encode_recipients(records)
    header = Header(suite=suite, binding=binding, chunk_size=chunk_size, created_at=stamp,
                    parts=tuple(parts), recipients=tuple(Recipient(suite.record_fingerprint(r), r) for r in records),
                    length=len(header_bytes), context_hash=context_hash, header_hash=suite.hash(header_bytes),
                    body=json.loads(body))
    out.write(header_bytes)
    aead = suite.aead(rnd.data_key)
    for part, (_, _, stream) in zip(parts, sources):
        seal_part(aead, header, part, stream, out)
    return SealResult(header=header, salts=rnd.salts, envelope_size=header.envelope_length())


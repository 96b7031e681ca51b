"""Salted commitments to each plaintext part (docs/sealing.md §6).

commitment = SHA-256(salt || plaintext), salt 32 random bytes kept by the bidder. The commitment is in
the clear header, so the platform holds it from the moment of submission; a bidder whose key is lost
can present plaintext and salt during the decryption window and the platform checks them against it.
The salt keeps a short summary (a price) from being guessed by hashing candidates.
"""

from __future__ import annotations

import hmac
from typing import BinaryIO

from ebid.errors import CommitmentMismatch, Malformed
from ebid.header import Header, Part

READ_SIZE = 1 << 20
SALTS_FORMAT = "ebid-salts/1"


def commit_stream(suite, salt: bytes, stream: BinaryIO) -> tuple[int, bytes]:
    """(size, commitment) of everything left in `stream`."""
    hasher = suite.hasher()
    hasher.update(salt)
    size = 0
    while data := stream.read(READ_SIZE):
        hasher.update(data)
        size += len(data)
    return size, hasher.digest()


def verify_commitment(header: Header, part: Part, salt: bytes, stream: BinaryIO) -> None:
    """CommitmentMismatch unless `stream` holds exactly the plaintext committed to for `part`."""
    if len(salt) != 32:
        raise CommitmentMismatch(f"a salt is 32 bytes; this one is {len(salt)}")
    size, commitment = commit_stream(header.suite, salt, stream)
    if size != part.size:
        raise CommitmentMismatch(f"part {part.index} ({part.name}) was sealed with {part.size} bytes; this "
                                 f"plaintext has {size}")
    if not hmac.compare_digest(commitment, part.commitment):
        raise CommitmentMismatch(f"part {part.index} ({part.name}): this plaintext and salt do not match the "
                                 "commitment sealed in the envelope")


def salts_document(header: Header, salts: tuple[bytes, ...]) -> dict:
    return {"format": SALTS_FORMAT, **header.binding.as_body(), "header_hash": header.header_hash.hex(),
            "parts": [{"index": p.index, "name": p.name, "size": p.size, "commitment": p.commitment.hex(),
                       "salt": s.hex()} for p, s in zip(header.parts, salts)]}


def salt_for(document: dict, header: Header, part: Part) -> bytes:
    """The salt of `part` from a .salts document, refusing one written for another envelope."""
    try:
        if document["format"] != SALTS_FORMAT:
            raise Malformed(f"not a salts file (format {document['format']!r})")
        if document["header_hash"] != header.header_hash.hex():
            raise CommitmentMismatch("this salts file belongs to another envelope (its header hash differs)")
        entry = document["parts"][part.index]
        if entry["index"] != part.index or entry["name"] != part.name:
            raise Malformed(f"the salts file does not list part {part.index} ({part.name}) in its place")
        return bytes.fromhex(entry["salt"])
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise Malformed(f"the salts file is damaged ({exc.__class__.__name__}: {exc})") from None

"""Opening an envelope: checking it without a key (the platform), unwrapping and decrypting (the bidder).

Decrypted chunks are only released after they authenticate, but a part is complete only when its final
chunk does: `unseal_to_directory` writes to hidden partial files and renames them after the whole
envelope has verified, so an altered or truncated envelope never leaves a plausible-looking file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ebid.chunks import open_part
from ebid.commitments import salt_for
from ebid.errors import (
    CommitmentMismatch,
    Malformed,
    Rebound,
    Tampered,
    Truncated,
    WrongKey,
)
from ebid.header import Binding, Header, Part, check_binding, read_header
from ebid.keys import fingerprint_bytes

READ_SIZE = 1 << 20


def unwrap_data_key(header: Header, private_key) -> bytes:
    """The data key wrapped for `private_key`.

    A record carrying this key's fingerprint that fails to open means tampering. With no such record every
    record is tried, because the stored fingerprint itself may be what was altered; only if none opens is
    the key simply not a recipient.
    """
    own = fingerprint_bytes(private_key.public_key())
    mine = [r for r in header.recipients if r.fingerprint == own]
    if mine:
        return header.suite.unwrap(record=mine[0].record, private_key=private_key, context_hash=header.context_hash)
    for record in header.recipients:
        try:
            return header.suite.unwrap(record=record.record, private_key=private_key,
                                       context_hash=header.context_hash)
        except Tampered:
            continue
    sealed_for = ", ".join(r.fingerprint.hex()[:16] + "…" for r in header.recipients)
    raise WrongKey(f"this envelope is not sealed for key {own.hex()[:16]}…; it is sealed for {sealed_for}")


def check_structure(stream: BinaryIO, *, expect: Binding | None = None,
                    fingerprints: Collection[str] | None = None) -> Header:
    """Everything the platform can check without a key: format, binding, recipients, exact length.

    `fingerprints` are the hex fingerprints of the bidder's registered sealing keys; every recipient
    must be one of them (an envelope the bidder cannot open at opening is no bid).
    """
    header = read_header(stream)
    if expect is not None:
        check_binding(header, expect)
    if fingerprints is not None:
        for recipient in header.recipients:
            if recipient.fingerprint.hex() not in fingerprints:
                raise Rebound(f"the envelope is sealed for key {recipient.fingerprint.hex()}, which is not one of "
                              "the bidder's registered sealing keys")
    left = header.envelope_length() - header.length
    while left:
        data = stream.read(min(READ_SIZE, left))
        if not data:
            raise Truncated(f"the envelope is {header.envelope_length() - left} bytes; its header announces "
                            f"{header.envelope_length()}")
        left -= len(data)
    _expect_end(stream)
    return header


def decrypt_parts(stream: BinaryIO, header: Header, data_key: bytes,
                  sink: Callable[[Part], Callable[[bytes], object]]) -> None:
    """Decrypt every part in order, handing each authenticated chunk to `sink(part)`; then insist on EOF."""
    aead = header.suite.aead(data_key)
    for part in header.parts:
        write = sink(part)
        for plain in open_part(aead, header, part, stream):
            write(plain)
    _expect_end(stream)


def read_summary(stream: BinaryIO, header: Header, data_key: bytes) -> tuple[bytes, dict]:
    """Decrypt only the summary part (the stream is at the first chunk): the opening-day key check.

    A data key that does not open it is WrongKey: the envelope's own integrity is established by the
    hash recorded at submission, so a failure here is the key's.
    """
    try:
        data = b"".join(open_part(header.suite.aead(data_key), header, header.parts[0], stream))
    except Tampered:
        raise WrongKey("this data key does not open the envelope's summary") from None
    try:
        return data, json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise Malformed("the sealed summary is not UTF-8 JSON") from None


@dataclass(frozen=True)
class Unsealed:
    header: Header
    summary: dict
    paths: tuple[Path, ...]  # summary.json first, then the files in order


def unseal_to_directory(stream: BinaryIO, private_key, directory: Path, *, expect: Binding | None = None,
                        salts: dict | None = None) -> Unsealed:
    """Open the envelope into `directory` (which must not already hold files of the same names).

    With the bidder's salts document, each part is also checked against its commitment while it is
    decrypted, proving the backup the bidder keeps is what it sealed.
    """
    header = read_header(stream)
    if expect is not None:
        check_binding(header, expect)
    data_key = unwrap_data_key(header, private_key)
    directory.mkdir(parents=True, exist_ok=True)
    targets = [directory / p.name for p in header.parts]
    for target in targets:
        if target.exists():
            raise FileExistsError(f"{target} already exists; unseal into an empty folder")
    partials = [directory / f".ebid-partial-{p.index}" for p in header.parts]
    hashers = []
    files = contextlib.ExitStack()

    def sink(part: Part) -> Callable[[bytes], object]:
        handle = files.enter_context(open(partials[part.index], "wb"))
        if salts is None:
            return handle.write
        hasher = header.suite.hasher()
        hasher.update(salt_for(salts, header, part))
        hashers.append((part, hasher))

        def write(data: bytes) -> None:
            hasher.update(data)
            handle.write(data)
        return write

    try:
        with files:
            decrypt_parts(stream, header, data_key, sink)
        for part, hasher in hashers:
            if hasher.digest() != part.commitment:
                raise CommitmentMismatch(f"part {part.index} ({part.name}) does not match its commitment under "
                                         "these salts")
        for partial, target in zip(partials, targets):
            os.replace(partial, target)
    finally:
        files.close()
        for partial in partials:
            partial.unlink(missing_ok=True)
    summary = json.loads(targets[0].read_bytes().decode("utf-8"))
    return Unsealed(header=header, summary=summary, paths=tuple(targets))


def _expect_end(stream: BinaryIO) -> None:
    if stream.read(1):
        raise Tampered("there are bytes after the envelope's final chunk")

"""The chunk layer (docs/sealing.md §5): each part cut into fixed-size chunks, each sealed on its own.

nonce = part index (4 bytes) || chunk counter (7 bytes) || final flag (1 byte), all big-endian;
associated data = header hash (32 bytes) || part index (4 bytes). The nonce pins each chunk to its
place, the flag to the end of its part, the header hash to this envelope (and so to its tender, lot,
bidder and recipients): truncation, reordering and splicing all fail authentication.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag

from ebid.errors import Tampered, Truncated
from ebid.header import Header, Part
from ebid.suites import TAG_SIZE

MAX_COUNTER = (1 << 56) - 1


def chunk_nonce(part_index: int, counter: int, final: bool) -> bytes:
    if counter > MAX_COUNTER:
        raise ValueError("a part has at most 2^56 chunks")
    return struct.pack(">I", part_index) + counter.to_bytes(7, "big") + (b"\x01" if final else b"\x00")


def chunk_aad(header_hash: bytes, part_index: int) -> bytes:
    return header_hash + struct.pack(">I", part_index)


def read_up_to(stream: BinaryIO, n: int) -> bytes:
    """Up to n bytes, fewer only at the end: streams (pipes, sockets) may return short reads."""
    data = stream.read(n)
    if data is None:
        data = b""
    if len(data) == n or not data:
        return data
    pieces = [data]
    got = len(data)
    while got < n:
        more = stream.read(n - got)
        if not more:
            break
        pieces.append(more)
        got += len(more)
    return b"".join(pieces)


def seal_part(aead, header: Header, part: Part, source: BinaryIO, out: BinaryIO) -> None:
    """Encrypt `part.size` bytes of `source` into `out`; the source must hold exactly that many."""
    aad = chunk_aad(header.header_hash, part.index)
    count = header.chunk_count(part)
    for counter in range(count):
        final = counter == count - 1
        want = part.size - header.chunk_size * counter if final else header.chunk_size
        data = read_up_to(source, want)
        if len(data) != want or (final and source.read(1)):
            raise ValueError(f"{part.name} changed while it was being sealed (its size is no longer {part.size})")
        out.write(aead.encrypt(chunk_nonce(part.index, counter, final), data, aad))


def open_part(aead, header: Header, part: Part, source: BinaryIO) -> Iterator[bytes]:
    """The plaintext chunks of `part`, each yielded only after it authenticates."""
    aad = chunk_aad(header.header_hash, part.index)
    count = header.chunk_count(part)
    for counter in range(count):
        final = counter == count - 1
        plain = part.size - header.chunk_size * counter if final else header.chunk_size
        sealed = read_up_to(source, plain + TAG_SIZE)
        if len(sealed) != plain + TAG_SIZE:
            raise Truncated(f"the envelope ends inside chunk {counter} of part {part.index} ({part.name})")
        try:
            yield aead.decrypt(chunk_nonce(part.index, counter, final), sealed, aad)
        except InvalidTag:
            raise Tampered(f"chunk {counter} of part {part.index} ({part.name}) fails authentication: it was "
                           "altered, moved, or taken from another envelope") from None

"""Seal a generated stream into a pipe while unsealing it from the other end; print sizes, digests and
memory as JSON. Used by test_streaming.py and bench/ebid_seal.py; imports nothing but ebid."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import threading
import time

from cryptography.hazmat.primitives.asymmetric import ec

from ebid import Binding, read_header, seal, unwrap_data_key
from ebid.unseal import decrypt_parts

BLOCK = 1 << 20


class GeneratedFile(io.RawIOBase):
    """`size` bytes of a repeated random megabyte, readable and rewindable, never held whole."""

    def __init__(self, size: int, seed: bytes = b"ebid") -> None:
        self.size, self.pos = size, 0
        self.block = hashlib.shake_256(seed).digest(BLOCK)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = pos if whence == 0 else self.pos + pos if whence == 1 else self.size + pos
        return self.pos

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.pos)
        view = memoryview(buffer)
        done = 0
        while done < n:
            offset = (self.pos + done) % BLOCK
            take = min(n - done, BLOCK - offset)
            view[done:done + take] = self.block[offset:offset + take]
            done += take
        self.pos += n
        return n

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.pos if n < 0 else min(n, self.size - self.pos)
        buffer = bytearray(n)
        self.readinto(buffer)
        return bytes(buffer)


def rss(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def main(size: int) -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    binding = Binding(tender_id=1, tender_reference="QX-BENCH", lot_id=1, bidder_id=1,
                      bidder_credit_code="91331127MA2XYZ0123")
    source = GeneratedFile(size)
    digest_in = hashlib.sha256()
    for _ in range(0, size, BLOCK):
        digest_in.update(source.read(BLOCK))
    source.seek(0)
    before = rss("VmRSS")
    read_fd, write_fd = os.pipe()
    errors: list[Exception] = []

    def writer() -> None:
        try:
            with open(write_fd, "wb", buffering=0) as sink:
                seal(binding=binding, summary={"price": "1.00"}, files=[("big.bin", source)],
                     recipients=[key.public_key()], out=sink)
        except Exception as exc:  # re-raised on the reading side, which would otherwise wait on the pipe
            errors.append(exc)

    started = time.perf_counter()
    thread = threading.Thread(target=writer)
    thread.start()
    digest_out, count = hashlib.sha256(), [0]

    def sink(part):
        if part.index == 0:
            return lambda data: None

        def write(data: bytes) -> None:
            digest_out.update(data)
            count[0] += len(data)
        return write

    with open(read_fd, "rb", buffering=1 << 20) as stream:
        header = read_header(stream)
        decrypt_parts(stream, header, unwrap_data_key(header, key), sink)
    thread.join()
    if errors:
        raise errors[0]
    return {"plaintext_bytes": count[0], "seconds": round(time.perf_counter() - started, 2),
            "digest_in": digest_in.hexdigest(), "digest_out": digest_out.hexdigest(),
            "rss_before_bytes": before, "peak_rss_bytes": rss("VmHWM"), "peak_growth_bytes": rss("VmHWM") - before}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))

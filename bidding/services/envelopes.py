"""Bytes of sealed envelopes on disk: the partial file a resumable upload appends to, and the durable copy
stored through the Django storage API (so an S3-compatible store works in production)."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage

READ_SIZE = 1 << 20


def partial_file(name: str) -> Path:
    return Path(settings.BID_UPLOAD_DIR) / name


def read_at(name: str, offset: int, length: int) -> bytes:
    path = partial_file(name)
    if not path.exists():
        return b""
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def write_at(name: str, offset: int, data: bytes) -> None:
    """Write `data` at `offset` and cut anything beyond it (bytes a crashed request wrote but never
    recorded), then fsync, so a resumed upload continues from what the database says was received."""
    path = partial_file(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        os.lseek(fd, offset, os.SEEK_SET)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.ftruncate(fd, offset + len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def digest_of(name: str) -> tuple[int, str]:
    path = partial_file(name)
    digest, size = hashlib.sha256(), 0
    if path.exists():
        with path.open("rb") as fh:
            while data := fh.read(READ_SIZE):
                digest.update(data)
                size += len(data)
    return size, digest.hexdigest()


def discard(name: str) -> None:
    partial_file(name).unlink(missing_ok=True)


def store_durably(bid, name: str) -> None:
    """Copy the finished partial file into the bid's storage field and make sure it is on stable storage.

    FileSystemStorage returns before the data reaches the disk: fsync the file and its directory. Other
    backends (S3) answer only once the object is stored."""
    with partial_file(name).open("rb") as fh:
        bid.envelope.save(f"{uuid.uuid4().hex}.ebid", File(fh), save=False)
    storage = bid.envelope.storage
    if isinstance(storage, FileSystemStorage):
        path = Path(storage.path(bid.envelope.name))
        for target, flags in ((path, os.O_RDONLY), (path.parent, os.O_RDONLY)):
            fd = os.open(target, flags)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def delete_stored(bid) -> None:
    if bid.envelope.name:
        bid.envelope.storage.delete(bid.envelope.name)

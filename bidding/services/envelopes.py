"""Bytes of sealed envelopes on disk: the partial file a resumable upload appends to, and the durable copy
stored through the Django storage API (so an S3-compatible store works in production)."""

from __future__ import annotations

import errno
import hashlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

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


class _HashingReader:
    """A file read through this is hashed on the way, so a check that reads it costs no second pass."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def digest_checked(name: str, check: Callable[[BinaryIO], object], catch: type[Exception]
                   ) -> tuple[int, str, Exception | None]:
    """Size and SHA-256 of the partial file, and `check` run over the same single read of it.

    The check's `catch` exception is returned, not raised: the caller judges the hash first (bytes that are
    not the declared envelope say so before anything about their structure). Where the check stops early,
    the rest of the file is still hashed."""
    path = partial_file(name)
    if not path.exists():
        return 0, hashlib.sha256().hexdigest(), None
    failure = None
    with path.open("rb") as fh:
        reader = _HashingReader(fh)
        try:
            check(reader)
        except catch as exc:
            failure = exc
        while reader.read(READ_SIZE):
            pass
    return reader.size, reader.digest.hexdigest(), failure


def discard(name: str) -> None:
    partial_file(name).unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_into(storage: FileSystemStorage, bid, source: Path) -> bool:
    """Hard-link the partial file under the name the storage would give the bid's envelope. False where
    the storage is on another filesystem (or the filesystem has no hard links): then it must be copied."""
    field = bid.envelope.field
    name = storage.get_available_name(field.generate_filename(bid, f"{uuid.uuid4().hex}.ebid"),
                                      max_length=field.max_length)
    path = Path(storage.path(name))
    if storage.directory_permissions_mode is not None:
        from django.utils._os import safe_makedirs

        safe_makedirs(path.parent, storage.directory_permissions_mode, exist_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, path)
    except OSError as exc:
        if exc.errno in (errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            return False
        raise
    if storage.file_permissions_mode is not None:
        os.chmod(path, storage.file_permissions_mode)
    bid.envelope.name = os.path.relpath(path, storage.location).replace(os.sep, "/")
    return True


def store_durably(bid, name: str) -> None:
    """Put the finished partial file into the bid's storage field and make sure it is on stable storage.

    The local FileSystemStorage on the same filesystem as BID_UPLOAD_DIR gets a hard link to the partial
    file, whose bytes write_at already fsynced chunk by chunk: no byte is copied or written again, and the
    partial file stays as it was until the bid is committed (a failed finish can be retried). Otherwise the
    bytes are copied through the storage API. FileSystemStorage returns before the data reaches the disk:
    fsync the file and its directory (for a link, that commits the new name). Other backends (S3) answer
    only once the object is stored."""
    storage = bid.envelope.storage
    local = isinstance(storage, FileSystemStorage)
    if not (local and _link_into(storage, bid, partial_file(name))):
        with partial_file(name).open("rb") as fh:
            bid.envelope.save(f"{uuid.uuid4().hex}.ebid", File(fh), save=False)
    if local:
        path = Path(storage.path(bid.envelope.name))
        _fsync(path)
        _fsync(path.parent)


def delete_stored(bid) -> None:
    if bid.envelope.name:
        bid.envelope.storage.delete(bid.envelope.name)

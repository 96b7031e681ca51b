"""Plaintext backups accepted at opening (the fallback, docs/sealing.md §6), stored through the Django storage
API beside the envelope so evaluators can read them like a decrypted bid."""

from __future__ import annotations

import uuid

from django.core.files import File
from django.core.files.storage import default_storage


def folder(bid) -> str:
    return f"bids/{bid.lot.tender_id}/{bid.lot_id}/{bid.bidder_id}/backup-{bid.pk}"


def store(bid, header, parts: dict) -> list[str]:
    """Save each part under the bid's backup folder; returns the stored names (in part order)."""
    names: list[str] = []
    base = f"{folder(bid)}-{uuid.uuid4().hex[:8]}"
    try:
        for part in header.parts:
            handle = parts[part.name]
            handle.seek(0)
            names.append(default_storage.save(f"{base}/{part.index:03d}.bin", File(handle)))
    except BaseException:
        discard(names)
        raise
    return names


def discard(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def stored_parts(bid) -> list[str]:
    """Names of a bid's stored backup parts, in order (empty if it was not opened from a backup)."""
    try:
        dirs, _files = default_storage.listdir(folder(bid).rsplit("/", 1)[0])
    except FileNotFoundError:
        return []
    prefix = folder(bid).rsplit("/", 1)[1] + "-"
    for d in sorted(dirs):
        if d.startswith(prefix):
            base = f"{folder(bid).rsplit('/', 1)[0]}/{d}"
            return [f"{base}/{f}" for f in sorted(default_storage.listdir(base)[1])]
    return []

"""Where a finished envelope's bytes go (bidding/services/envelopes.py): linked into the storage when the
partial file is on the same filesystem, copied otherwise, and never consumed by a finish that fails
(DESIGN §4 invariants 4 and 8)."""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
from pathlib import Path

import pytest

from bidding.models import Bid
from bidding.services.bids import bid_upload_chunk, bid_upload_finish, bid_upload_start
from bidding.services.envelopes import partial_file
from core import clock
from core.errors import IllegalTransition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "bid_dirs")]


def uploaded(sealer, lot, envelope):
    upload = bid_upload_start(actor=sealer.actor, lot_id=lot.pk, size=len(envelope),
                              sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key="k-1")
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=0, data=envelope[:500])
    bid_upload_chunk(actor=sealer.actor, upload_id=upload.pk, offset=500, data=envelope[500:])
    return upload


def test_on_one_filesystem_the_fsynced_partial_file_becomes_the_stored_envelope(open_tender, sealer):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = uploaded(sealer, lot, envelope)
    inode = os.stat(partial_file(upload.partial_path)).st_ino
    # when the upload is finished
    bid = bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    # then the stored envelope is the very file the chunks were written to (no second write), now under its
    # storage name alone, and it holds the envelope byte for byte
    stored = os.stat(bid.envelope.path)
    assert stored.st_ino == inode and stored.st_nlink == 1
    assert not partial_file(upload.partial_path).exists()
    assert Bid.objects.get(pk=bid.pk).envelope.read() == envelope


def test_on_another_filesystem_the_envelope_is_copied(open_tender, sealer, settings):
    shm = Path("/dev/shm")
    if not shm.is_dir() or os.stat(shm).st_dev == os.stat(settings.MEDIA_ROOT.parent).st_dev:
        pytest.skip("needs /dev/shm on a filesystem of its own")
    with tempfile.TemporaryDirectory(dir=shm) as uploads:
        settings.BID_UPLOAD_DIR = Path(uploads)
        lot = open_tender.lots.get()
        envelope = sealer.seal(lot)
        upload = uploaded(sealer, lot, envelope)
        # when the chunks collect on one filesystem and the storage is on another
        bid = bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
        # then the bytes are copied into the storage, and the partial file is removed once the bid is made
        assert os.stat(bid.envelope.path).st_dev != os.stat(uploads).st_dev
        assert Bid.objects.get(pk=bid.pk).envelope.read() == envelope
        assert not partial_file(upload.partial_path).exists()


def test_a_finish_refused_after_storing_leaves_the_partial_file_whole(open_tender, sealer, monkeypatch, settings):
    lot = open_tender.lots.get()
    envelope = sealer.seal(lot)
    upload = uploaded(sealer, lot, envelope)
    # given a clock that reaches the deadline between storing the envelope and the check under the lot lock
    moments = itertools.chain([clock.now()], itertools.repeat(open_tender.bid_deadline))
    monkeypatch.setattr(clock, "now", lambda: next(moments))
    with pytest.raises(IllegalTransition) as refused:
        bid_upload_finish(actor=sealer.actor, upload_id=upload.pk)
    # then there is no bid and no stored envelope, and removing the stored name left the partial file intact
    assert refused.value.code == "deadline_passed"
    assert not Bid.objects.exists() and not list(Path(settings.MEDIA_ROOT).rglob("*.ebid"))
    assert partial_file(upload.partial_path).read_bytes() == envelope

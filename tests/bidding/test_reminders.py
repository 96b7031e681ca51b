"""Reminders before the deadline: the right words to the right organisations, once per lead time."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core import mail

from bidding.models import Reminder
from bidding.services.bids import bid_upload_start
from bidding.services.reminders import reminders_send
from tests.bidding.test_opening import Bidder

pytestmark = pytest.mark.django_db


def test_reminders_go_once_to_unfinished_uploads_bidders_in_and_the_host(open_tender, bid_dirs, clock_at,
                                                                         django_capture_on_commit_callbacks, english,
                                                                         settings):
    settings.LANGUAGE_CODE = "en"
    lot = open_tender.lots.get()
    done = Bidder("1000000.00")
    done.submit(lot)
    started = Bidder("1000000.00")
    clock_at(open_tender.bid_deadline - timedelta(hours=26))  # an upload stays resumable for 48 hours
    bid_upload_start(actor=started.actor, lot_id=lot.pk, size=1000, sha256=hashlib.sha256(b"x").hexdigest(),
                     idempotency_key="k-started")
    for org in (done.actor.organisation, started.actor.organisation, open_tender.agency):
        org.contact_email = f"{org.pk}@example.cn"
        org.save(update_fields=["contact_email"])

    clock_at(open_tender.bid_deadline - timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 0
    clock_at(open_tender.bid_deadline - timedelta(hours=23))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 3
        assert reminders_send() == 0
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "has not finished" in by_address[started.actor.organisation.contact_email]
    assert "private sealing key" in by_address[done.actor.organisation.contact_email]
    assert "You host the opening" in by_address[open_tender.agency.contact_email]
    assert all("24 hours" in m.subject for m in mail.outbox)

    clock_at(open_tender.bid_deadline - timedelta(minutes=90))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 3
    assert sorted(Reminder.objects.values_list("hours_before", flat=True)) == [2, 24]
    clock_at(open_tender.bid_deadline + timedelta(minutes=1))
    assert reminders_send() == 0

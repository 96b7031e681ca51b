"""Reminders before the bid deadline, which is also the opening (招标投标法 art. 34): to bidders with an
unfinished upload, to bidders with a bid in (join the hall with your key), and to the host. Sent once per
tender and lead time (settings.BID_DEADLINE_REMINDER_HOURS); mail goes after commit (console in development).

Reminders only notify: whether a bid is on time is decided at the act, against the server clock."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from bidding.models import Bid, BidStatus, BidUpload, Reminder, Tender
from bidding.models import TenderStatus as S
from bidding.services.bids import at
from core import clock


def _messages(tender: Tender, hours: int) -> list[tuple[str, str, str, list[str]]]:
    now = clock.now()
    deadline = at(tender.bid_deadline)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Bid deadline and opening in %(hours)d hours: %(title)s") % {"hours": hours, "title": tender.title}
        unfinished = set(BidUpload.objects.filter(lot__tender=tender, finished_at__isnull=True, expires_at__gt=now)
                         .values_list("bidder_id", flat=True))
        submitted = set(Bid.objects.filter(lot__tender=tender, status=BidStatus.SUBMITTED)
                        .values_list("bidder_id", flat=True))
        texts: dict[int, str] = {}
        for org_id in unfinished - submitted:
            texts[org_id] = _("Your organisation started uploading a sealed bid for “%(title)s” (%(ref)s) but has not "
                              "finished it. An unfinished upload is not a bid. The deadline is %(deadline)s, server "
                              "time; after it nothing can be submitted.") % {
                "title": tender.title, "ref": tender.reference, "deadline": deadline}
        for org_id in submitted:
            texts[org_id] = _("Your sealed bid for “%(title)s” (%(ref)s) is in. The opening begins at the deadline, "
                              "%(deadline)s: join the opening hall on the platform and have your private sealing key "
                              "and its passphrase ready; you will have %(minutes)d minutes to decrypt once the host "
                              "starts. Keep your .salts file and a copy of your documents as a backup.") % {
                "title": tender.title, "ref": tender.reference, "deadline": deadline,
                "minutes": tender.decryption_window_minutes}
        texts[tender.operator_id] = _("You host the opening of “%(title)s” (%(ref)s) at %(deadline)s. Open the hall "
                                      "on the platform to start decryption.") % {
            "title": tender.title, "ref": tender.reference, "deadline": deadline}
    emails = dict(Organisation.objects.filter(pk__in=texts).exclude(contact_email="")
                  .values_list("pk", "contact_email"))
    return [(subject, text, settings.DEFAULT_FROM_EMAIL, [emails[org_id]])
            for org_id, text in texts.items() if org_id in emails]


def reminders_send() -> int:
    """Send the reminders now due; returns how many e-mails were queued."""
    now = clock.now()
    sent = 0
    for hours in sorted(settings.BID_DEADLINE_REMINDER_HOURS):
        due = Tender.objects.filter(status=S.PUBLISHED, published_at__lte=now, bid_deadline__gt=now,
                                    bid_deadline__lte=now + timedelta(hours=hours)).exclude(
            reminders__hours_before=hours)
        for tender in due:
            messages = _messages(tender, hours)
            try:
                with transaction.atomic():
                    Reminder.objects.create(tender=tender, hours_before=hours, sent_at=now, recipients=len(messages))
                    transaction.on_commit(lambda m=tuple(messages): send_mass_mail(m, fail_silently=True))
            except IntegrityError:
                continue  # another worker sent it
            sent += len(messages)
    return sent

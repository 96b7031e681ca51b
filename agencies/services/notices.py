"""Notices (通报): a PDF for each card issued, stored through Django's storage and published.

Rendered after the decision commits (by card id, idempotently): a repeat finds the notice there."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from agencies.models import Card
from agencies.rules import VIOLATION_NAMES_ZH, violation_label
from core import clock
from core.actor import Actor
from witness.services import event_record

PUBLISHER = Actor.system("notices")


def notice_html(card: Card) -> str:
    finding = card.finding
    with translation.override("zh-hans"):
        return render_to_string("agencies/notice_pdf.html", {
            "card": card, "finding": finding, "agency": card.agency,
            "issuer": finding.decided_for or finding.recorded_for,
            "violation": VIOLATION_NAMES_ZH.get(card.violation_type) or violation_label(card.violation_type), "platform": settings.PLATFORM_NAME,
            "validity_months": settings.AGENCY_CARD_VALIDITY_MONTHS.get(card.colour),
            "colour_cn": {"blue": "蓝牌", "yellow": "黄牌", "red": "红牌"}[card.colour],
            "decided_cn": {"blue": "蓝牌", "yellow": "黄牌", "red": "红牌"}[card.decided_colour],
            "appeal_days": settings.AGENCY_APPEAL_WORKING_DAYS,
            "decided_at": timezone.localtime(finding.decided_at),
        })


def notice_pdf(card: Card) -> bytes:
    from weasyprint import HTML

    return HTML(string=notice_html(card), base_url=str(settings.BASE_DIR)).write_pdf()


def card_notice_render(card_id: int) -> Card | None:
    """Render, store and publish the card's notice once. Returns the card, or None when it does not exist."""
    card = Card.objects.select_related("agency", "finding__decided_for", "finding__recorded_for").filter(
        pk=card_id).first()
    if card is None or card.notice_file:
        return card
    pdf = notice_pdf(card)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Card.objects.select_for_update().get(pk=card_id)
        if locked.notice_file:
            return locked
        locked.notice_file.save(f"{locked.notice_number}.pdf", ContentFile(pdf), save=False)
        locked.notice_sha256 = digest
        locked.notice_published_at = clock.now()
        locked.save(update_fields=["notice_file", "notice_sha256", "notice_published_at"])
        event_record(actor=PUBLISHER, action="card.notice_published", subject=locked,
                     tender_id=card.finding.tender_id,
                     data={"agency": locked.agency_id, "notice_number": locked.notice_number, "sha256": digest,
                           "size": len(pdf)})
    return locked

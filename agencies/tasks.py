"""Jobs: notify the intermediary, publish notices, the daily round. They only advance what is due
(correctness never depends on them: pages and services compute the same with the clock)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from agencies.models import Finding


@shared_task
def finding_notify(finding_id: int) -> int:
    finding = Finding.objects.select_related("agency").filter(pk=finding_id).first()
    if finding is None or not finding.agency.contact_email:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("agencies:finding_detail", args=[finding.pk])
    with override(settings.LANGUAGE_CODE):
        subject = _("A finding was recorded against %(org)s") % {"org": finding.agency.name}
        body = _("You may state your defence (陈述申辩) until %(due)s; after that the finding counts as accepted. "
                 "Read it and respond here: %(link)s") % {"due": finding.response_due, "link": link}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [finding.agency.contact_email])


@shared_task
def card_notice_publish(card_id: int) -> bool:
    from agencies.services import card_notice_render

    return card_notice_render(card_id) is not None


@shared_task
def agencies_daily() -> dict:
    """Silence counts as acceptance once the response period passes; today's scores are recorded."""
    from agencies.services import findings_advance_overdue, scores_recalculate

    return {"accepted_by_silence": findings_advance_overdue(), "scores_written": scores_recalculate()}

"""Background jobs. They only send what was stored and advance what is already due (DESIGN.md §4.2):
every page and service that depends on a time-out applies it itself when it is read."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task
def messages_mail(message_ids: list[int]) -> int:
    from experts.models import Message

    sent = 0
    for message in Message.objects.filter(pk__in=message_ids).select_related("recipient"):
        if not message.recipient.email:
            continue
        link = f"\n\n{settings.SITE_URL}{message.url}" if message.url else ""
        send_mail(message.subject, message.body + link, None, [message.recipient.email], fail_silently=True)
        sent += 1
    return sent


@shared_task
def invitations_expire() -> int:
    """Time out invitations whose answer is overdue and call the next expert in the ranking."""
    from experts.services.responses import invitations_expire as expire

    return expire()

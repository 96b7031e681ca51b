"""A small notification interface: an in-platform message stored with the change that caused it, and an
e-mail copy sent after commit (console backend in development; SMS and voice are out of reach here).

Callers pass user ids and texts; nothing else in experts knows how messages travel."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from core import clock
from experts.models import Message


def notify(*, user_ids: Iterable[int], subject: str, body: str, url: str = "") -> list[Message]:
    now = clock.now()
    messages = Message.objects.bulk_create(
        [Message(recipient_id=user_id, subject=str(subject)[:200], body=str(body), url=url, created_at=now)
         for user_id in user_ids])
    ids = [m.pk for m in messages if m.pk is not None]
    if ids:
        from experts.tasks import messages_mail

        transaction.on_commit(lambda: messages_mail.delay(ids))
    return messages


def unread_count(user) -> int:
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user) -> None:
    Message.objects.filter(recipient=user, read_at__isnull=True).update(read_at=clock.now())

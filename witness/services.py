"""Recording events. One call, inside the caller's transaction, under the chain-head lock."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from core import clock
from core.actor import Actor
from witness.chain import event_hash, normalise_data
from witness.models import ChainHead, Event


def subject_label(subject: models.Model) -> tuple[str, str]:
    return subject._meta.label_lower, str(subject.pk)


def event_record(
    *,
    actor: Actor,
    action: str,
    subject: models.Model | None = None,
    subject_type: str | None = None,
    subject_id: Any = None,
    data: dict | None = None,
    tender_id: int | None = None,
) -> Event:
    """Append one event to the ledger and return it.

    Call it inside the transaction that makes the change it records: if that
    transaction rolls back, the event goes with it. The chain head row is locked
    (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
    writers) so concurrent writers line up instead of forking the chain."""
    if subject is not None:
        subject_type, subject_id = subject_label(subject)
    if not subject_type or subject_id is None:
        raise ValueError("an event needs a subject")
    payload = normalise_data(data or {})
    user = actor.user
    org = actor.organisation
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().only("seq", "hash").get(pk=1)
        fields = dict(
            seq=head.seq + 1,
            created_at=clock.now(),
            actor_id=user.pk if user is not None else None,
            actor_name=(user.display_name if user is not None else "")[:150],
            organisation_id=org.pk if org is not None else None,
            organisation_name=(org.name if org is not None else "")[:200],
            role=actor.role,
            ip=actor.ip or "",
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            tender_id=tender_id,
            data=payload,
            prev_hash=head.hash,
        )
        digest = event_hash(**fields)
        event = Event(hash=digest, **fields)
        event.save()
        ChainHead.objects.filter(pk=1).update(seq=event.seq, hash=digest)
        transaction.on_commit(lambda: _broadcast(event))
    return event


def _broadcast(event: Event) -> None:
    """Tell live watchers (regulators' ledger page) after the event is committed."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from witness.selectors import FEED_GROUP, event_summary

    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(FEED_GROUP, {"type": "ledger.event", "event": event_summary(event)})
    except Exception:  # a live feed must never break the act it reports
        import logging

        logging.getLogger(__name__).warning("ledger broadcast failed for event %s", event.seq, exc_info=True)

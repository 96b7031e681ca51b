"""Recording events. One call, inside the caller's transaction, under the chain-head lock."""

from __future__ import annotations

from typing import Any

from django.db import connections, models, transaction

from core import clock
from core.actor import Actor
from witness import feed
from witness.chain import canonical_parts, event_hash, normalise_data
from witness.models import ChainHead, Event
from witness.selectors import event_summary


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
    (on PostgreSQL by witness_append()'s SELECT … FOR UPDATE, held to the end of the
    transaction; on SQLite the IMMEDIATE transaction serialises writers), so
    concurrent writers line up instead of forking the chain."""
    if subject is not None:
        subject_type, subject_id = subject_label(subject)
    if not subject_type or subject_id is None:
        raise ValueError("an event needs a subject")
    payload = normalise_data(data or {})
    user = actor.user
    org = actor.organisation
    fields = dict(
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
    )
    connection = connections[Event.objects.db]
    if connection.vendor == "postgresql":
        event = _append_postgresql(connection, fields)
    else:
        event = _append_generic(fields)
    transaction.on_commit(lambda: feed.publish(event_summary(event)))
    return event


def _append_generic(fields: dict) -> Event:
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().only("seq", "hash").get(pk=1)
        fields = {**fields, "seq": head.seq + 1, "prev_hash": head.hash}
        digest = event_hash(**fields)
        event = Event(hash=digest, **fields)
        event.save()
        ChainHead.objects.filter(pk=1).update(seq=event.seq, hash=digest)
    return event


APPEND_SQL = "SELECT * FROM witness_append(" + ", ".join(["%s"] * 15) + ")"


def _append_postgresql(connection, fields: dict) -> Event:
    """One statement: witness_append() locks the head, hashes and inserts (migration 0003)."""
    import psycopg
    from psycopg.types.json import Jsonb

    prefix, middle, suffix = canonical_parts(**fields, seq=0, prev_hash="")
    connection.ensure_connection()
    # A raw psycopg cursor, server-side binding and a prepared statement: the append runs on every act.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            APPEND_SQL,
            [prefix, middle, suffix, fields["created_at"], fields["actor_id"], fields["actor_name"],
             fields["organisation_id"], fields["organisation_name"], fields["role"], fields["ip"], fields["action"],
             fields["subject_type"], fields["subject_id"], fields["tender_id"], Jsonb(fields["data"])],
            prepare=True,
        )
        seq, prev_hash, digest = cursor.fetchone()
    event = Event(seq=seq, prev_hash=prev_hash, hash=digest, **fields)
    event._state.adding = False
    event._state.db = connection.alias
    return event

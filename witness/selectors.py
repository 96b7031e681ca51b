"""Reads of the ledger, scoped by role: a regulator or the centre sees all; a participant its own tenders."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.actor import Actor
from core.errors import NotFound
from witness import links
from witness.models import Event

from witness.feed import FEED_GROUP  # noqa: E402,F401  (re-exported for the consumer)


def may_watch_all(actor: Actor) -> bool:
    org = actor.organisation
    return actor.role in {"regulator", "centre"} and org is not None and org.is_approved


def events_for_actor(*, actor: Actor, tender_ids: QuerySet | list | None = None) -> QuerySet[Event]:
    """Events the actor may read. `tender_ids` are the tenders the actor takes part in (given by the caller,
    since the ledger does not know about tenders)."""
    qs = Event.objects.all()
    if may_watch_all(actor):
        return qs
    if actor.organisation is None:
        return qs.none()
    own = Q(organisation_id=actor.organisation_id) | Q(subject_type="accounts.organisation",
                                                        subject_id=str(actor.organisation_id))
    if tender_ids is not None:
        own |= Q(tender_id__in=tender_ids)
    return qs.filter(own)


def event_for_actor(*, actor: Actor, seq: int, tender_ids=None) -> Event:
    event = events_for_actor(actor=actor, tender_ids=tender_ids).filter(seq=seq).first()
    if event is None:
        raise NotFound(_("No such event, or you may not see it."))
    return event


def event_summary(event: Event) -> dict:
    return {
        "seq": event.seq, "time": event.created_at.isoformat(), "actor": event.actor_name,
        "organisation": event.organisation_name, "role": event.role, "ip": event.ip, "action": event.action,
        "action_label": links.action_label(event.action),
        "subject_type": event.subject_type, "subject_id": event.subject_id, "tender": event.tender_id,
        "hash": event.hash,
    }

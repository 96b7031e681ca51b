"""Background jobs for bids. They only tidy what is already due (DESIGN.md §4.2): whether an upload can
still become a bid is decided by the services, against the server clock, whenever it is used."""

from __future__ import annotations

from celery import shared_task


@shared_task
def bid_uploads_clean() -> int:
    from bidding.services.bids import bid_uploads_clean as clean

    return clean()


@shared_task
def openings_advance() -> int:
    from bidding.services.opening import openings_advance as advance

    return advance()


@shared_task
def opening_record_render(opening_id: int) -> str:
    from bidding.services.opening_record import opening_record_publish

    opening = opening_record_publish(opening_id)
    return opening.record_sha256 if opening is not None else ""


@shared_task
def deadline_reminders() -> int:
    from bidding.services.reminders import reminders_send

    return reminders_send()


def hall_broadcast(lot_id: int) -> None:
    """After a committed change: the hall's state to everyone watching (consumers only relay it), rebuilt at
    most every LIVE_STATE_INTERVAL_MS while changes keep coming and always after the last (witness.feed)."""
    from witness.feed import publish_latest

    publish_latest(f"hall:{lot_id}", lambda: hall_publish(lot_id))


def hall_publish(lot_id: int) -> None:
    """The hall's state as the database holds it now, to the lot's group."""
    from bidding.hall import group_name, hall_state
    from bidding.models import Opening
    from witness.feed import publish_group

    opening = Opening.objects.select_related("lot__tender").filter(lot_id=lot_id).first()
    if opening is not None:
        publish_group(group_name(lot_id), {"type": "hall.state", "state": hall_state(opening)}, label=lot_id)

"""Background jobs for bids. They only tidy what is already due (DESIGN.md §4.2): whether an upload can
still become a bid is decided by the services, against the server clock, whenever it is used."""

from __future__ import annotations

from celery import shared_task


@shared_task
def bid_uploads_clean() -> int:
    from bidding.services.bids import bid_uploads_clean as clean

    return clean()

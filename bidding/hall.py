"""What the opening hall shows: one state document per lot, the same for everyone entitled to watch.

Pages render it on load, the WebSocket relays it after each committed change, and a client that lost its
socket fetches it again (GET /api/lots/<lot>/hall/): the database is the only source. Summaries appear only
once the readout has happened (readout_at set), all in the same document."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import reverse

from bidding.models import OPENED_STATUSES, Opening
from core import clock

READOUT_ITEMS = ("price", "duration_days", "quality", "other")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def price_text(value) -> str:
    """A bid price as read out: two decimals, or the sealed text unchanged if it is not a number."""
    try:
        return f"{Decimal(str(value)).quantize(Decimal('0.01')):f}"
    except (InvalidOperation, ValueError, TypeError):
        return str(value) if value is not None else ""


def readout_row(opened) -> dict:
    return _readout_row(opened.summary, bidder_id=opened.bid.bidder_id, bidder=opened.bid.bidder.name,
                        via=opened.status)


def _readout_row(summary, *, bidder_id: int, bidder: str, via: str) -> dict:
    summary = summary if isinstance(summary, dict) else {"other": summary}
    row = {"bidder_id": bidder_id, "bidder": bidder, "via": via, "price": price_text(summary.get("price"))}
    for item in READOUT_ITEMS[1:]:
        value = summary.get(item)
        row[item] = "" if value is None else str(value)
    extra = {k: v for k, v in summary.items() if k not in READOUT_ITEMS and k != "bidder"}
    if extra:
        row["other"] = "; ".join(filter(None, [row["other"], *(f"{k}: {v}" for k, v in sorted(extra.items()))]))
    return row


# The columns the state shows. Read as values, not model instances: the state is rebuilt after every key
# released, and with 500 bids listed, loading three full models per bid (each bid's receipt and signature
# JSON decoded) took ~100 ms a time, most of a key release (bench/key_release.py).
LISTED = ("bid_id", "bid__bidder_id", "bid__bidder__name", "bid__received_at", "status", "wrong_keys",
          "failure_cause", "response")


def hall_state(opening: Opening) -> dict:
    lot, tender = opening.lot, opening.lot.tender
    fields = LISTED + ("summary",) if opening.readout_at else LISTED
    listed = list(opening.bids.order_by("bid__received_at", "pk").values(*fields))
    counts = {"listed": len(listed), "opened": sum(o["status"] in OPENED_STATUSES for o in listed),
              "sealed": sum(o["status"] == "sealed" for o in listed)}
    counts["failed"] = counts["listed"] - counts["opened"] - counts["sealed"]
    state = {
        "lot": {"id": lot.pk, "number": lot.number, "name": lot.name, "ceiling_price": f"{lot.ceiling_price:.2f}"},
        "tender": {"id": tender.pk, "reference": tender.reference or "", "title": tender.title},
        "status": opening.status,
        "server_time": _iso(clock.now()),
        "began_at": _iso(opening.began_at),
        "min_bids": opening.min_bids,
        "failure_reason": opening.failure_reason,
        "decryption_started_at": _iso(opening.decryption_started_at),
        "decryption_ends_at": _iso(opening.decryption_ends_at),
        "readout_at": _iso(opening.readout_at),
        "confirm_ends_at": _iso(opening.confirm_ends_at),
        "closed_at": _iso(opening.closed_at),
        "record": ({"url": reverse("bidding:opening_record", args=[tender.pk, lot.pk]), "sha256": opening.record_sha256,
                    "published_at": _iso(opening.record_published_at)} if opening.record_published_at else None),
        "counts": counts,
        "bids": [{"bid_id": o["bid_id"], "bidder_id": o["bid__bidder_id"], "bidder": o["bid__bidder__name"],
                  "received_at": _iso(o["bid__received_at"]), "status": o["status"], "wrong_keys": o["wrong_keys"],
                  "failure_cause": o["failure_cause"], "response": o["response"]} for o in listed],
        "readout": [_readout_row(o["summary"], bidder_id=o["bid__bidder_id"], bidder=o["bid__bidder__name"],
                                 via=o["status"]) for o in listed if o["status"] in OPENED_STATUSES]
        if opening.readout_at else None,
        "objections": [{"id": x.pk, "bidder": x.bidder.name, "text": x.text, "raised_at": _iso(x.raised_at),
                        "answer": x.answer, "answered_at": _iso(x.answered_at)}
                       for x in opening.objections.select_related("bidder")],
    }
    return state


def group_name(lot_id: int) -> str:
    return f"hall-{lot_id}"

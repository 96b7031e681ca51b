"""The bid submission page: the bidder's browser seals the bid (static/js/ebid-seal.js) and uploads the
envelope in resumable chunks through the API (static/js/bid-submit.js). No plaintext and no private key
ever reaches the server."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as PageForbidden
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import PublicKey
from bidding.hooks import LotAction
from bidding.models import Bid
from bidding.services.bids import may_submit_bids
from bidding.views.public import get_tender

# Plaintext bytes per sealed chunk and bytes per upload request from the page.
SEAL_CHUNK = 1 << 20
UPLOAD_CHUNK = 4 << 20


def bid_lot_action(actor, lot) -> list[LotAction]:
    """The tender page's link, per lot, for an approved bidder while bids are open."""
    if not may_submit_bids(actor, lot.tender):
        return []
    return [LotAction(label=_("Submit a sealed bid"), url=reverse("bidding:bid_submit", args=[lot.tender_id, lot.pk]))]


@login_required
@require_GET
def bid_submit_page(request, pk: int, lot_id: int):
    tender = get_tender(request, pk)
    lot = tender.lots.filter(pk=lot_id).first()
    if lot is None:
        raise Http404(_("No such lot."))
    actor = request.actor
    if not may_submit_bids(actor, tender):
        raise PageForbidden(_("Only an approved bidder submits bids, and only while the tender is open for bids."))
    org = actor.organisation
    keys = list(PublicKey.objects.filter(organisation=org, purpose=PublicKey.Purpose.SEALING,
                                         status=PublicKey.Status.ACTIVE).order_by("created_at"))
    config = {
        "binding": {"tenderId": tender.pk, "tenderReference": tender.reference, "lotId": lot.pk,
                    "bidderId": org.pk, "bidderCreditCode": org.credit_code},
        "recipients": [k.public_key_pem for k in keys],
        "sealChunk": SEAL_CHUNK,
        "uploadChunk": min(UPLOAD_CHUNK, settings.BID_UPLOAD_CHUNK_MAX_BYTES),
        "urls": {"start": reverse("api:bid_upload_start"),
                 "upload": reverse("api:bid_upload_detail", args=[0]),
                 "chunk": reverse("api:bid_upload_chunk", args=[0]),
                 "finish": reverse("api:bid_upload_finish", args=[0])},
    }
    bids = Bid.objects.filter(lot=lot, bidder=org).order_by("-received_at")
    return render(request, "bidding/bid_submit.html", {
        "tender": tender, "lot": lot, "keys": keys, "bids": bids, "config": config, "messages_js": _page_messages(),
    })


def _page_messages() -> dict:
    """What the page's script says, in the user's language."""
    return {
        "sealing": _("Sealing in your browser…"),
        "checking": _("Checking that your key opens the envelope…"),
        "uploading": _("Uploading…"),
        "retrying": _("Connection lost; resuming…"),
        "finishing": _("Storing and signing the receipt…"),
        "done": _("Your sealed bid was received."),
        "price": _("Enter the bid price in 元, e.g. 1234567.89."),
        "key": _("Give your private sealing key (a file or pasted PEM)."),
        "wrongKey": _("This private key does not open the envelope: it is not one of your registered active sealing "
                      "keys. Nothing was sent."),
        "failed": _("The bid was not submitted:"),
    }

"""The opening hall page (不见面开标) and the published opening record. The page renders the hall's state
from the database, then follows it over the WebSocket; every act goes through the API (bidding.api.hall)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from bidding.hall import hall_state
from bidding.hooks import LotAction
from bidding.models import Opening, OpenedBidStatus, OpeningStatus, Response
from bidding.permissions import HallAction, hall_can
from bidding.services.opening import opening_for
from bidding.views.public import get_tender
from core import clock
from core.errors import IllegalTransition, NotFound, PermissionDenied


def hall_lot_action(actor, lot) -> list[LotAction]:
    """The tender page's link to a lot's hall, for whoever may watch it (and its record once published)."""
    opening = Opening.objects.filter(lot=lot).first()
    actions = []
    if hall_can(actor, opening, HallAction.WATCH, lot=lot) and (
            opening is not None or lot.tender.status == "published" and actor.is_authenticated):
        actions.append(LotAction(label=_("Opening hall"), url=reverse("bidding:hall", args=[lot.tender_id, lot.pk])))
    if opening is not None and opening.record_published_at:
        actions.append(LotAction(label=_("Opening record (PDF)"),
                                 url=reverse("bidding:opening_record", args=[lot.tender_id, lot.pk])))
    return actions


def _labels() -> dict:
    return {
        "status": {s.value: str(s.label) for s in OpeningStatus},
        "bid": {s.value: str(s.label) for s in OpenedBidStatus},
        "response": {s.value: str(s.label) for s in Response},
        "msg": {
            "left": _("Time left"), "ended": _("Window closed; updating…"), "live": _("Live"),
            "reconnecting": _("Connection lost; reconnecting…"), "unsealing": _("Unsealing in your browser…"),
            "sending": _("Sending…"), "done": _("Done."), "failed": _("Refused:"),
            "key": _("Give your private sealing key (a file or pasted PEM)."),
            "wrongKey": _("This private key does not open your envelope."),
            "keyFile": _("This key file cannot be opened: wrong passphrase, or not a sealing key file."),
            "confirmAsk": _("Confirm the readout as shown?"), "none": _("None yet."),
            "answered": _("Answer"), "unanswered": _("Awaiting the host's answer"),
            "waitingHost": _("The bids are listed. Waiting for the host to start decryption."),
            "objectionNeeded": _("Write your objection first."),
            "awaitingResponse": _("Awaiting response"),
        },
    }


@require_GET
def hall_page(request, pk: int, lot_id: int):
    tender = get_tender(request, pk)
    lot = tender.lots.filter(pk=lot_id).first()
    if lot is None:
        raise Http404(_("No such lot."))
    actor = request.actor
    try:
        opening = opening_for(actor=actor, lot_id=lot.pk)
    except NotFound as exc:
        if not actor.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404(str(exc)) from exc
    except IllegalTransition:
        if not actor.is_authenticated or not hall_can(actor, None, HallAction.WATCH, lot=lot):
            raise Http404(_("No such lot, or its opening is not open to you.")) from None
        return render(request, "bidding/hall_waiting.html", {"tender": tender, "lot": lot, "now": clock.now()})
    own = opening.bids.filter(bid__bidder_id=actor.organisation_id).first() if actor.role == "bidder" else None
    config = {
        "lot": lot.pk,
        "ws": f"/ws/hall/{lot.pk}/",
        "me": {"host": hall_can(actor, opening, HallAction.HOST),
               "bidder": own.bid.bidder_id if own and hall_can(actor, opening, HallAction.RELEASE) else None,
               "centre": hall_can(actor, opening, HallAction.RECLASSIFY)},
        "urls": {"state": reverse("api:hall_state", args=[lot.pk]),
                 "start": reverse("api:hall_start_decryption", args=[lot.pk]),
                 "header": reverse("api:hall_envelope_header", args=[lot.pk]),
                 "release": reverse("api:hall_release_key", args=[lot.pk]),
                 "backup": reverse("api:hall_backup", args=[lot.pk]),
                 "respond": reverse("api:hall_respond", args=[lot.pk]),
                 "answer": reverse("api:hall_answer_objection", args=[0]),
                 "cause": reverse("api:hall_failure_cause", args=[0])},
    }
    return render(request, "bidding/hall.html", {"tender": tender, "lot": lot, "opening": opening,
                                                 "state": hall_state(opening), "config": config, "labels": _labels()})


@require_GET
def opening_record(request, pk: int, lot_id: int):
    try:
        opening = opening_for(actor=request.actor, lot_id=lot_id)
    except (NotFound, IllegalTransition, PermissionDenied):
        raise Http404(_("No published opening record for this lot.")) from None
    if opening.lot.tender_id != pk or not opening.record_published_at:
        raise Http404(_("No published opening record for this lot."))
    name = f"开标记录表-{opening.lot.tender.reference or opening.lot.tender_id}-{opening.lot.number}.pdf"
    return FileResponse(opening.record_file.open("rb"), content_type="application/pdf", filename=name)

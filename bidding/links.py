"""Tell the witness ledger how to link bidding's subjects and which tenders a participant may read.

Called from BiddingConfig.ready(): the ledger sits below bidding and never imports it (DESIGN.md §3)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from witness import links


def _tender_url(event, actor: Actor) -> str:
    return reverse("bidding:tender_detail", args=[event.subject_id])


def _on_tender_page(anchor: str):
    def resolve(event, actor: Actor) -> str | None:
        if event.tender_id is None:
            return None
        return reverse("bidding:tender_detail", args=[event.tender_id]) + anchor
    return resolve


def _participant_tender_ids(actor: Actor):
    from bidding.selectors import tenders_for_organisation

    return tenders_for_organisation(actor).order_by().values("pk")


def _open_tender_ledger(actor: Actor, tender_id: int) -> links.TenderRef:
    from bidding.permissions import TenderAction
    from bidding.selectors import tender_for_actor

    tender = tender_for_actor(actor=actor, tender_id=tender_id, action=TenderAction.VIEW_LEDGER)
    label = f"{tender.reference} {tender.title}" if tender.reference else tender.title
    return links.TenderRef(id=tender.pk, label=label, url=reverse("bidding:tender_detail", args=[tender.pk]))


def register_ledger_links() -> None:
    links.register("bidding.tender", _tender_url, label=_("Tender"))
    links.register("bidding.lot", _on_tender_page("#lots"), label=_("Lot"))
    links.register("bidding.tenderdocument", _on_tender_page("#documents"), label=_("Tender document"))
    links.register("bidding.clarification", _on_tender_page("#clarifications"), label=_("Clarification"))
    links.register("bidding.bid", _on_tender_page("#lots"), label=_("Bid"))
    links.register("bidding.bidupload", _on_tender_page("#lots"), label=_("Bid upload"))
    links.register_tenders(ids_for=_participant_tender_ids, open_ledger=_open_tender_ledger)
    links.register_actions(ACTION_LABELS)


ACTION_LABELS = {
    "tender.created": _("Tender created"),
    "tender.updated": _("Tender edited"),
    "tender.submitted": _("Submitted for filing review"),
    "tender.resubmitted": _("Resubmitted for filing review"),
    "tender.approved": _("Filing approved, notice published"),
    "tender.returned": _("Filing returned for changes"),
    "tender.opening_started": _("Opening started"),
    "tender.opened": _("Bids opened"),
    "tender.failed_at_opening": _("Failed at opening (流标)"),
    "tender.evaluation_started": _("Evaluation started"),
    "tender.failed": _("Tender failed (流标)"),
    "tender.evaluated": _("Evaluation finished"),
    "tender.failed_at_evaluation": _("Failed at evaluation"),
    "tender.candidates_published": _("Candidates published"),
    "tender.reevaluation_ordered": _("Re-evaluation ordered"),
    "tender.awarded": _("Tender awarded"),
    "tender.archived": _("Tender archived"),
    "tender.cancelled": _("Tender cancelled"),
    "document.uploaded": _("Tender document uploaded"),
    "clarification.published": _("Clarification published"),
    "bid.upload_started": _("Bid upload started"),
    "bid.submitted": _("Sealed bid submitted"),
    "bid.withdrawn": _("Bid withdrawn"),
    "bid.refused_late": _("Late bid refused"),
}

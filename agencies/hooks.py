"""What agencies registers with the lower apps from AgenciesConfig.ready():
the 三色令 check bidding consults (bidding.hooks) and the ledger's links and action names (witness.links)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bidding import agency_checks as bidding_hooks
from core.actor import Actor
from witness import links


def _notes(agency_ids: list[int]) -> dict[int, list[bidding_hooks.AgencyNote]]:
    """Cards in force today become notes: red refuses, yellow asks for confirmation and closer review, blue shows."""
    from agencies.models import Colour
    from agencies.rules import violation_label
    from agencies.selectors import cards_in_force, today

    result: dict[int, list[bidding_hooks.AgencyNote]] = {}
    cards = cards_in_force(today()).filter(agency_id__in=agency_ids).select_related("agency").order_by("-issued_on")
    for card in cards:
        params = {"org": card.agency.name, "until": card.expires_on, "reason": violation_label(card.violation_type)}
        url = reverse("agencies:agency_detail", args=[card.agency_id])
        if card.colour == Colour.RED:
            note = bidding_hooks.AgencyNote(
                bidding_hooks.REFUSE, _("“%(org)s” is under a red card (红牌) until %(until)s (%(reason)s): while it "
                                        "is in force it cannot be named as the agency of a tender nor file "
                                        "tenders.") % params,
                label=_("Red card"), badge="card-red", url=url, closer_review=True)
        elif card.colour == Colour.YELLOW:
            note = bidding_hooks.AgencyNote(
                bidding_hooks.CONFIRM, _("“%(org)s” is under a yellow card (黄牌) until %(until)s (%(reason)s).")
                % params, label=_("Yellow card"), badge="card-yellow", url=url, closer_review=True)
        else:
            note = bidding_hooks.AgencyNote(
                bidding_hooks.SHOW, _("“%(org)s” has a blue card (蓝牌) until %(until)s (%(reason)s).") % params,
                label=_("Blue card"), badge="card-blue", url=url)
        result.setdefault(card.agency_id, []).append(note)
    return result


def _finding_url(event, actor: Actor) -> str | None:
    return reverse("agencies:finding_detail", args=[event.subject_id])


def _card_url(event, actor: Actor) -> str | None:
    agency = (event.data or {}).get("agency")
    return reverse("agencies:agency_detail", args=[agency]) if agency else None


def _agency_data_url(event, actor: Actor) -> str | None:
    agency = (event.data or {}).get("agency")
    return reverse("agencies:agency_detail", args=[agency]) if agency else None


ACTION_LABELS = {
    "finding.recorded": _lazy("Finding recorded against an intermediary"),
    "finding.responded": _lazy("Intermediary responded (陈述申辩)"),
    "finding.accepted_by_silence": _lazy("No response in time: finding accepted"),
    "finding.carded": _lazy("Finding decided: card issued"),
    "finding.withdrawn": _lazy("Finding withdrawn"),
    "finding.appealed": _lazy("Card appealed"),
    "finding.appeal_dismissed": _lazy("Appeal dismissed: card confirmed"),
    "finding.appeal_upheld": _lazy("Appeal upheld"),
    "card.issued": _lazy("Card issued (三色令)"),
    "card.revoked": _lazy("Card revoked"),
    "card.notice_published": _lazy("Notice (通报) published"),
    "agency.profile_saved": _lazy("Intermediary profile saved"),
    "agency.qualification_added": _lazy("Qualification added"),
    "agency.staff_added": _lazy("Staff member added"),
    "agency.staff_left": _lazy("Staff member left"),
    "agency.certificate_added": _lazy("Certificate added"),
}


def register_hooks() -> None:
    bidding_hooks.register_agency_check(_notes)
    links.register("agencies.finding", _finding_url, label=_lazy("Finding"))
    links.register("agencies.card", _card_url, label=_lazy("Card"))
    for subject, label in (("agencies.agencyprofile", _lazy("Intermediary profile")),
                           ("agencies.qualification", _lazy("Qualification")),
                           ("agencies.staffmember", _lazy("Staff member")),
                           ("agencies.certificate", _lazy("Certificate"))):
        links.register(subject, _agency_data_url, label=label)
    if hasattr(links, "register_actions"):
        links.register_actions(ACTION_LABELS)

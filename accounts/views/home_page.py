"""The role-aware home page: what each kind of visitor needs first."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.selectors import organisations_pending_review
from bidding import selectors as bidding
from core import clock
from witness.selectors import events_for_actor

LIST_SIZE = 10


def _latest_events(actor):
    return events_for_actor(actor=actor).order_by("-seq")[:LIST_SIZE]


@require_GET
def home(request):
    actor = request.actor
    if not actor.is_authenticated:
        return render(request, "home/anonymous.html",
                      {"notices": bidding.tenders_public().order_by("-published_at", "-pk")[:LIST_SIZE]})
    org = actor.organisation
    if org is None:
        return render(request, "home/no_organisation.html")
    if not org.is_approved:
        return render(request, "home/pending.html", {"organisation": org})
    if actor.role == "bidder":
        return render(request, "home/bidder.html", {
            "open_tenders": bidding.tenders_open_for_bids()[:20],
            "events": _latest_events(actor),
        })
    if actor.role in {"agency", "tenderer"}:
        now = clock.now()
        tenders = [(t, bidding.next_step(t, now)) for t in bidding.tenders_for_organisation(actor)[:50]]
        return render(request, "home/operator.html", {"tenders": tenders})
    if actor.role == "centre":
        return render(request, "home/centre.html", {
            "organisations_pending": organisations_pending_review().count(),
            "tenders_awaiting": bidding.tenders_awaiting_review().count(),
            "events": _latest_events(actor),
        })
    return render(request, "home/regulator.html", {
        "stages": bidding.tenders_by_stage(),
        "events": _latest_events(actor),
    })

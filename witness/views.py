"""The ledger pages: the events an actor may read, and one event in full."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from core.errors import DomainError, NotFound
from witness import links
from witness.selectors import event_for_actor, events_for_actor, may_watch_all

EVENTS_PER_PAGE = 50

ROLE_LABELS = {
    "bidder": _("Bidder / supplier"),
    "tenderer": _("Tenderer / purchaser"),
    "agency": _("Agency / intermediary"),
    "regulator": _("Regulator"),
    "centre": _("Trading centre"),
    "system": _("System"),
    "anonymous": _("Anonymous"),
    "none": _("No organisation"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def _scope(actor):
    """The ids of the tenders a participant takes part in (None for those who see everything)."""
    return None if may_watch_all(actor) else links.participant_tender_ids(actor)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _row(event, actor) -> dict:
    return {"event": event, "role": role_label(event.role), "subject": links.subject_label(event),
            "action_label": links.action_label(event.action),
            "subject_url": links.subject_url(event, actor)}


@login_required
@require_GET
def event_list(request):
    actor = request.actor
    events = events_for_actor(actor=actor, tender_ids=_scope(actor))
    tender_ref = None
    tender_id = _int(request.GET.get("tender"))
    if request.GET.get("tender"):
        if tender_id is None:
            raise Http404(_("No such tender."))
        try:
            tender_ref = links.tender_ledger(actor, tender_id)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except DomainError as exc:
            raise Forbidden(str(exc)) from exc
        events = events.filter(tender_id=tender_id)
    # The filter offers the registered actions (no DISTINCT over the whole ledger on every page view).
    actions = sorted(links.action_labels().items(), key=lambda item: item[0])
    action = request.GET.get("action", "")
    if action:
        # Only known actions are looked up (an arbitrary string, a NUL byte say, never reaches the database).
        events = events.filter(action=action) if action in dict(actions) else events.none()
    page = Paginator(events.order_by("-seq"), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    live = may_watch_all(actor)
    return render(request, "witness/event_list.html", {
        "page": page, "rows": [_row(event, actor) for event in page], "actions": actions, "action": action,
        "tender_id": tender_id, "tender_ref": tender_ref,
        "live": live and page.number == 1,
        "time_zone": settings.TIME_ZONE,
        "live_labels": {"roles": {k: str(v) for k, v in ROLE_LABELS.items()}, "subjects": links.subject_labels()},
    })


@login_required
@require_GET
def event_detail(request, seq: int):
    actor = request.actor
    try:
        event = event_for_actor(actor=actor, seq=seq, tender_ids=_scope(actor))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "witness/event_detail.html", {
        **_row(event, actor),
        "data_json": json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True),
    })

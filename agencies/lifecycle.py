"""The due process of a finding: one table of allowed moves, one function that moves.

notified → responded | accepted (silence) → carded | withdrawn; carded → appealed → confirmed | revoked."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import Finding
from agencies.models import FindingStatus as S
from core.actor import Actor
from core.errors import IllegalTransition
from witness.services import event_record

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.NOTIFIED, S.RESPONDED): "finding.responded",
    (S.NOTIFIED, S.ACCEPTED): "finding.accepted_by_silence",
    (S.RESPONDED, S.CARDED): "finding.carded",
    (S.ACCEPTED, S.CARDED): "finding.carded",
    (S.RESPONDED, S.WITHDRAWN): "finding.withdrawn",
    (S.ACCEPTED, S.WITHDRAWN): "finding.withdrawn",
    (S.CARDED, S.APPEALED): "finding.appealed",
    (S.APPEALED, S.CONFIRMED): "finding.appeal_dismissed",
    (S.APPEALED, S.REVOKED): "finding.appeal_upheld",
}

DECIDED = {S.CARDED, S.WITHDRAWN, S.APPEALED, S.CONFIRMED, S.REVOKED}


def finding_transition(*, actor: Actor, finding: Finding, to: str, changes: dict[str, Any] | None = None,
                       data: dict[str, Any] | None = None) -> Finding:
    """Move a finding to `to` or raise IllegalTransition; returns the locked, updated row."""
    with transaction.atomic():
        locked = Finding.objects.select_for_update().get(pk=finding.pk)
        action = TRANSITIONS.get((locked.status, to))
        if action is None:
            raise IllegalTransition(_("This finding is “%(status)s” and cannot become “%(to)s”.")
                                    % {"status": locked.get_status_display(), "to": S(to).label})
        before = locked.status
        locked.status = to
        fields = ["status"]
        for name, value in (changes or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        locked.save(update_fields=fields)
        event_record(actor=actor, action=action, subject=locked, tender_id=locked.tender_id,
                     data={"agency": locked.agency_id, "from": before, "to": to, **(data or {})})
    for name in ["status", *(changes or {})]:
        setattr(finding, name, getattr(locked, name))
    return locked

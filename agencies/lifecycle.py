"""The due process of a finding: one table of allowed moves, one function that moves.

notified → responded | accepted (silence) → carded | withdrawn; carded → appealed → confirmed | revoked."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from agencies.models import Finding
from agencies.models import FindingStatus as S
from core.actor import Actor
from witness.transitions import transition

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
    return transition(
        actor=actor, instance=finding, to=to, table=TRANSITIONS, changes=changes,
        data={"agency": finding.agency_id, **(data or {})}, tender_id=lambda row: row.tender_id,
        refusal=lambda row: _("This finding is “%(status)s” and cannot become “%(to)s”.")
        % {"status": row.get_status_display(), "to": S(to).label},
    )

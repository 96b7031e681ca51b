"""Where a ledger row's subject lives, and which tenders an organisation takes part in.

The ledger sits below the domains that write to it (DESIGN.md §3), so it cannot import them.
Higher apps register small functions here from their AppConfig.ready():

- ``register(subject_type, fn, label=…)``: ``fn(event, actor)`` returns the URL of the subject's page
  for that actor, or None when there is nothing it may open;
- ``register_tenders(ids_for=…, open_ledger=…)``: ``ids_for(actor)`` gives the ids of the tenders the
  actor's organisation takes part in (they widen what a participant sees); ``open_ledger(actor, tender_id)``
  checks the actor may read that tender's events and returns a ``TenderRef``, or raises a DomainError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.actor import Actor

if TYPE_CHECKING:  # pragma: no cover
    from witness.models import Event

Resolver = Callable[["Event", Actor], "str | None"]


@dataclass(frozen=True)
class TenderRef:
    id: int
    label: str
    url: str


@dataclass
class _TenderHooks:
    ids_for: Callable[[Actor], Iterable[int]] | None = None
    open_ledger: Callable[[Actor, int], TenderRef] | None = None


_resolvers: dict[str, Resolver] = {}
_labels: dict[str, object] = {}
_action_labels: dict[str, object] = {}
_tenders = _TenderHooks()


def register(subject_type: str, fn: Resolver, *, label=None) -> None:
    _resolvers[subject_type] = fn
    if label is not None:
        _labels[subject_type] = label


def register_actions(labels: dict[str, object]) -> None:
    """Readable names for ledger actions (lazy translations), shown beside the action code."""
    _action_labels.update(labels)


def action_label(code: str) -> str:
    label = _action_labels.get(code)
    return str(label) if label is not None else code


def action_labels() -> dict[str, str]:
    return {key: str(label) for key, label in _action_labels.items()}


def register_tenders(*, ids_for: Callable[[Actor], Iterable[int]],
                     open_ledger: Callable[[Actor, int], TenderRef]) -> None:
    _tenders.ids_for = ids_for
    _tenders.open_ledger = open_ledger


def subject_url(event: "Event", actor: Actor) -> str | None:
    fn = _resolvers.get(event.subject_type)
    if fn is None:
        return None
    try:
        return fn(event, actor)
    except NoReverseMatch:
        return None


def subject_label(event: "Event") -> str:
    label = _labels.get(event.subject_type)
    return f"{label} #{event.subject_id}" if label else f"{event.subject_type} #{event.subject_id}"


def subject_labels() -> dict[str, str]:
    return {key: str(label) for key, label in _labels.items()}


def participant_tender_ids(actor: Actor):
    """The tenders whose events a participant may read, or None when no domain registered them."""
    if _tenders.ids_for is None:
        return None
    return _tenders.ids_for(actor)


def tender_ledger(actor: Actor, tender_id: int) -> TenderRef | None:
    """Check the actor may read one tender's events (raises DomainError if not)."""
    if _tenders.open_ledger is None:
        return None
    return _tenders.open_ledger(actor, tender_id)


def _organisation_url(event: "Event", actor: Actor) -> str | None:
    # An organisation's record is not public: only the centre and regulators open it.
    if actor.role not in {"centre", "regulator"}:
        return None
    return reverse("accounts:organisation_review", args=[event.subject_id])


register("accounts.organisation", _organisation_url, label=_("Organisation"))
register("accounts.publickey", lambda event, actor: None, label=_("Public key"))
register("accounts.user", lambda event, actor: None, label=_("User"))
register_actions({
    "organisation.registered": _("Organisation registered"),
    "organisation.enrolled": _("Organisation enrolled by the centre"),
    "organisation.approved": _("Registration approved"),
    "organisation.rejected": _("Registration rejected"),
    "organisation.resubmitted": _("Registration resubmitted"),
    "organisation.suspended": _("Organisation suspended"),
    "organisation.reinstated": _("Organisation reinstated"),
    "membership.added": _("Member added"),
    "user.signed_in": _("Signed in"),
    "user.signed_out": _("Signed out"),
    "user.sign_in_failed": _("Failed sign-in"),
    "user.password_set": _("Password set"),
    "key.registered": _("Public key registered"),
    "key.revoked": _("Public key revoked"),
    "calendar.amended": _("Working-day calendar amended"),
    "calendar.amendment_removed": _("Calendar amendment removed"),
})

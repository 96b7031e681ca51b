"""Attach request.actor: the signed-in user, the organisation they act for, their role, the client IP."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from core.actor import Actor

ACTING_SESSION_KEY = "acting_organisation_id"


def client_ip(request) -> str | None:
    hops = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:45]
    return (request.META.get("REMOTE_ADDR") or None) and request.META["REMOTE_ADDR"][:45]


def actor_for(user, ip: str | None, acting_id: int | None = None) -> Actor:
    from accounts.selectors import memberships_for

    if user is None or not user.is_authenticated:
        return Actor(user=None, organisation=None, role="anonymous", ip=ip)
    memberships = list(memberships_for(user))
    chosen = next((m for m in memberships if m.organisation_id == acting_id), None)
    if chosen is None and memberships:
        chosen = memberships[0]
    if chosen is None:
        return Actor(user=user, organisation=None, role="none", ip=ip)
    return Actor(user=user, organisation=chosen.organisation, role=chosen.organisation.kind, ip=ip)


def actor_for_request(request) -> Actor:
    acting_id = request.session.get(ACTING_SESSION_KEY) if hasattr(request, "session") else None
    return actor_for(getattr(request, "user", None), client_ip(request), acting_id)


class ActingOrganisationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for_request(request))
        return self.get_response(request)

"""Small helpers shared by the page views."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def forbidden(request, message: str | None = None):
    """The 403 page: says what is refused and why, in the user's language."""
    return render(request, "accounts/forbidden.html",
                  {"reason": message or _("Your role does not allow you to see this page.")}, status=403)


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback

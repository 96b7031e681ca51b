"""The acting organisation's page: profile and status, members, registered public keys; switching organisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import selectors, services
from accounts.forms import KeyRegisterForm, KeyRevokeForm, MemberAddForm, SwitchOrganisationForm, add_domain_error
from accounts.middleware import ACTING_SESSION_KEY
from accounts.models import Membership
from accounts.views.common import safe_next
from core.errors import DomainError


def fingerprint_groups(fingerprint: str) -> list[str]:
    """A SHA-256 fingerprint in groups of four, easier to compare aloud over the phone."""
    fp = fingerprint.upper()
    return [fp[i : i + 4] for i in range(0, len(fp), 4)]


def _page(request, *, member_form=None, key_form=None, status=200):
    actor = request.actor
    org = actor.organisation
    if org is None:
        return render(request, "accounts/organisation.html", {"organisation": None}, status=status)
    membership = selectors.membership_of(actor.user, org)
    is_admin = membership is not None and membership.role == Membership.Role.ADMIN
    keys = [(key, fingerprint_groups(key.fingerprint)) for key in selectors.keys_for_organisation(org)]
    return render(request, "accounts/organisation.html", {
        "organisation": org,
        "membership": membership,
        "is_admin": is_admin,
        "may_manage": is_admin and org.is_approved,
        "members": selectors.members_of(org),
        "keys": keys,
        "member_form": member_form or MemberAddForm(),
        "key_form": key_form or KeyRegisterForm(),
        "revoke_form": KeyRevokeForm(),
    }, status=status)


def _refuse_unless_manageable(request):
    """Coarse edge check: only an approved organisation manages members and keys here."""
    org = request.actor.organisation
    if org is None:
        messages.error(request, _("You do not act for any organisation."))
        return redirect("accounts:organisation")
    if not org.is_approved:
        messages.error(request, _("“%(org)s” is %(status)s: members and keys can be managed once the trading "
                                  "centre has approved it.") % {"org": org.name, "status": org.get_status_display()})
        return redirect("accounts:organisation")
    return None


@login_required
@require_GET
def organisation(request):
    return _page(request)


@login_required
@require_POST
def member_add(request):
    refused = _refuse_unless_manageable(request)
    if refused:
        return refused
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = services.member_add(actor=request.actor, organisation=request.actor.organisation,
                                             **form.cleaned_data)
        except DomainError as exc:
            if exc.status_code != 400:  # not allowed at all: there is no form to correct
                messages.error(request, exc.message)
                return redirect("accounts:organisation")
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s was added. An e-mail with a link to set the password was sent to "
                                        "%(email)s.") % {"name": membership.user.display_name,
                                                         "email": membership.user.email})
            return redirect("accounts:organisation")
    return _page(request, member_form=form)


@login_required
@require_POST
def key_register(request):
    refused = _refuse_unless_manageable(request)
    if refused:
        return refused
    form = KeyRegisterForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            key = services.key_register(actor=request.actor, organisation=request.actor.organisation,
                                        purpose=data["purpose"], label=data["label"], pem=data["public_key_pem"])
        except DomainError as exc:
            if exc.status_code != 400:  # not allowed at all: there is no form to correct
                messages.error(request, exc.message)
                return redirect("accounts:organisation")
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Key “%(label)s” (%(alg)s) is registered.")
                             % {"label": key.label, "alg": key.algorithm})
            return redirect("accounts:organisation")
    return _page(request, key_form=form)


@login_required
@require_POST
def key_revoke(request, pk: int):
    form = KeyRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the key is revoked (lost, replaced, compromised …)."))
        return redirect("accounts:organisation")
    try:
        key = selectors.key_for_actor(actor=request.actor, key_id=pk)
        key = services.key_revoke(actor=request.actor, key=key, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Key “%(label)s” is revoked; bids can no longer be sealed to it.")
                         % {"label": key.label})
    return redirect("accounts:organisation")


@login_required
@require_POST
def switch_organisation(request):
    form = SwitchOrganisationForm(request.POST)
    target = safe_next(request, "home")
    chosen = None
    if form.is_valid():
        wanted = form.cleaned_data["organisation"]
        chosen = next((m for m in selectors.memberships_for(request.user) if m.organisation_id == wanted), None)
    if chosen is None:
        messages.error(request, _("You are not a member of that organisation, so you cannot act for it."))
        return redirect(target)
    request.session[ACTING_SESSION_KEY] = chosen.organisation_id
    messages.success(request, _("You now act for “%(org)s”.") % {"org": chosen.organisation.name})
    return redirect(target)

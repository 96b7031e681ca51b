from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import Membership, Organisation, PublicKey, User
from core.actor import Actor
from core.errors import NotFound, PermissionDenied


def memberships_for(user: User) -> QuerySet[Membership]:
    return (Membership.objects.filter(user=user, is_active=True)
            .select_related("organisation").order_by("organisation__kind", "organisation__name"))


def membership_of(user: User | None, organisation: Organisation) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, organisation=organisation, is_active=True).first()


def require_member(actor: Actor, organisation: Organisation, *, admin: bool = False) -> Membership:
    """Raise unless the actor acts for this approved organisation (as its administrator when admin=True)."""
    membership = membership_of(actor.user, organisation)
    if membership is None or actor.organisation_id != organisation.pk:
        raise PermissionDenied(
            _("You are not acting for “%(org)s”, so you cannot do this on its behalf.") % {"org": organisation.name})
    _require_approved(organisation)
    if admin and membership.role != Membership.Role.ADMIN:
        raise PermissionDenied(
            _("Only an administrator of “%(org)s” can do this.") % {"org": organisation.name})
    return membership


def _require_approved(organisation: Organisation) -> None:
    if not organisation.is_approved:
        raise PermissionDenied(
            _("“%(org)s” is %(status)s: it can act on the platform once the trading centre has approved it.")
            % {"org": organisation.name, "status": organisation.get_status_display()})


def require_role(actor: Actor, *roles: str) -> None:
    """Raise unless the actor acts for an approved organisation of one of these kinds."""
    if actor.role not in roles or actor.organisation is None:
        raise PermissionDenied(_("Your role does not allow this action."))
    _require_approved(actor.organisation)


def organisations_pending_review() -> QuerySet[Organisation]:
    return Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("created_at")


def organisation_for_actor(*, actor: Actor, organisation_id: int) -> Organisation:
    """Fetch an organisation the actor may look at in detail: its own, or any for the centre and regulators."""
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None:
        raise NotFound(_("No such organisation."))
    if actor.role in {"centre", "regulator"} or actor.organisation_id == org.pk:
        return org
    raise PermissionDenied(_("You may not see this organisation's details."))


def keys_for_organisation(organisation: Organisation) -> QuerySet[PublicKey]:
    return PublicKey.objects.filter(organisation=organisation).select_related("created_by")


def active_sealing_keys(organisation: Organisation) -> QuerySet[PublicKey]:
    return PublicKey.objects.filter(organisation=organisation, purpose=PublicKey.Purpose.SEALING,
                                    status=PublicKey.Status.ACTIVE)


def key_for_actor(*, actor: Actor, key_id: int) -> PublicKey:
    key = PublicKey.objects.select_related("organisation").filter(pk=key_id).first()
    if key is None:
        raise NotFound(_("No such key."))
    if key.organisation_id != actor.organisation_id and actor.role not in {"centre", "regulator"}:
        raise PermissionDenied(_("This key belongs to another organisation."))
    return key


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (Membership.objects.filter(organisation=organisation)
            .select_related("user").order_by("-is_active", "role", "user__username"))

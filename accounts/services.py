"""Writes for organisations, people and keys. Each one transaction, each witnessed."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import credit_code
from accounts.keys import parse_public_key
from accounts.models import Membership, Organisation, PublicKey, User
from accounts.selectors import require_member, require_role
from core import clock
from core.actor import Actor
from core.errors import DomainError, IllegalTransition
from witness.services import event_record

SELF_REGISTERING_KINDS = {Organisation.Kind.BIDDER, Organisation.Kind.TENDERER, Organisation.Kind.AGENCY}


def _clean_credit_code(code: str, *, exclude_pk: int | None = None) -> str:
    try:
        code = credit_code.validate(code)
    except credit_code.CreditCodeError as exc:
        raise DomainError(str(exc), field="credit_code", code="credit_code")
    clash = Organisation.objects.filter(credit_code=code)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DomainError(_("An organisation with credit code %(code)s is already registered. If it is yours, ask "
                            "its administrator to add you as a member.") % {"code": code},
                          field="credit_code", code="duplicate")
    return code


def _clean_user_fields(*, username: str, email: str, password: str | None, full_name: str) -> None:
    errors: dict[str, list[str]] = {}
    if not username or len(username) > 150:
        errors["username"] = [_("Choose a user name of 1 to 150 characters.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("The user name “%(u)s” is taken; choose another.") % {"u": username}]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid e-mail address: password resets are sent there.")]
    if not full_name.strip():
        errors["full_name"] = [_("Enter the person's full name.")]
    if password is not None:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            errors["password"] = list(exc.messages)
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)


def _notify_on_commit(organisation_id: int, kind: str) -> None:
    from accounts import tasks

    transaction.on_commit(lambda: tasks.notify_organisation.delay(organisation_id, kind))


@transaction.atomic
def organisation_register(
    *,
    name: str,
    credit_code_value: str,
    kind: str = Organisation.Kind.BIDDER,
    region: str = "",
    address: str = "",
    legal_representative: str = "",
    contact_phone: str = "",
    username: str,
    password: str,
    email: str,
    full_name: str,
    ip: str | None = None,
) -> Organisation:
    """Self-registration: the organisation waits for the trading centre's review before it can act."""
    if kind not in SELF_REGISTERING_KINDS:
        raise DomainError(_("Only bidders, tenderers and agencies register themselves; regulators and the trading "
                            "centre are set up by the platform operator."), field="kind")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Enter the organisation's registered name."), field="name")
    code = _clean_credit_code(credit_code_value)
    _clean_user_fields(username=username, email=email, password=password, full_name=full_name)
    org = Organisation.objects.create(
        name=name, credit_code=code, kind=kind, status=Organisation.Status.PENDING, region=region.strip(),
        address=address.strip(), legal_representative=legal_representative.strip(), contact_name=full_name.strip(),
        contact_phone=contact_phone.strip(), contact_email=email,
    )
    try:
        user = User.objects.create_user(username=username, email=email, password=password,
                                        full_name=full_name.strip(), phone=contact_phone.strip())
    except IntegrityError:
        raise DomainError(_("The user name “%(u)s” is taken; choose another.") % {"u": username}, field="username")
    Membership.objects.create(user=user, organisation=org, role=Membership.Role.ADMIN)
    actor = Actor(user=user, organisation=org, role=org.kind, ip=ip)
    event_record(actor=actor, action="organisation.registered", subject=org,
                 data={"name": org.name, "credit_code": code, "kind": kind, "admin": user.username})
    return org


@transaction.atomic
def organisation_create(
    *, actor: Actor, name: str, credit_code_value: str, kind: str, region: str = "", address: str = "",
    contact_name: str = "", contact_phone: str = "", contact_email: str = "",
) -> Organisation:
    """The trading centre (or the platform operator, as the system actor) enrols an organisation directly."""
    if actor.role not in {"centre", "system"}:
        raise DomainError(_("Only the trading centre enrols organisations directly."), code="permission_denied")
    if kind not in Organisation.Kind.values:
        raise DomainError(_("Unknown organisation kind."), field="kind")
    if not (name or "").strip():
        raise DomainError(_("Enter the organisation's registered name."), field="name")
    code = _clean_credit_code(credit_code_value)
    org = Organisation.objects.create(
        name=name.strip(), credit_code=code, kind=kind, status=Organisation.Status.APPROVED, region=region,
        address=address, contact_name=contact_name, contact_phone=contact_phone, contact_email=contact_email,
        reviewed_at=clock.now(), reviewed_by=actor.user,
    )
    event_record(actor=actor, action="organisation.enrolled", subject=org,
                 data={"name": org.name, "credit_code": code, "kind": kind})
    return org


@transaction.atomic
def organisation_admin_create(
    *, actor: Actor, organisation: Organisation, username: str, email: str, full_name: str, phone: str = "",
    password: str | None = None,
) -> Membership:
    """The first administrator of an organisation the centre (or the operator) enrolled: nobody there can add
    one yet. Without a password the person sets one from an e-mailed link."""
    if actor.role not in {"centre", "system"}:
        raise DomainError(_("Only the trading centre enrols organisations directly."), code="permission_denied")
    if organisation.memberships.filter(role=Membership.Role.ADMIN, is_active=True).exists():
        raise DomainError(_("“%(org)s” already has an administrator, who adds colleagues from the organisation "
                            "page.") % {"org": organisation.name}, field="username")
    _clean_user_fields(username=username, email=email, password=password, full_name=full_name)
    user = User.objects.create_user(username=username, email=email, password=password, full_name=full_name.strip(),
                                    phone=phone.strip())
    membership = Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.ADMIN)
    event_record(actor=actor, action="membership.added", subject=organisation,
                 data={"user": username, "role": Membership.Role.ADMIN, "first_admin": True})
    if password is None:
        user_id = user.pk
        from accounts import tasks

        transaction.on_commit(lambda: tasks.send_welcome.delay(user_id))
    return membership


# Review of self-registered organisations: one table, one transition function.
ORGANISATION_TRANSITIONS: dict[tuple[str, str], str] = {
    (Organisation.Status.PENDING, Organisation.Status.APPROVED): "organisation.approved",
    (Organisation.Status.PENDING, Organisation.Status.REJECTED): "organisation.rejected",
    (Organisation.Status.REJECTED, Organisation.Status.PENDING): "organisation.resubmitted",
    (Organisation.Status.APPROVED, Organisation.Status.SUSPENDED): "organisation.suspended",
    (Organisation.Status.SUSPENDED, Organisation.Status.APPROVED): "organisation.reinstated",
}


def _organisation_transition(*, actor: Actor, organisation: Organisation, to: str, note: str = "") -> Organisation:
    org = Organisation.objects.select_for_update().get(pk=organisation.pk)
    action = ORGANISATION_TRANSITIONS.get((org.status, to))
    if action is None:
        raise IllegalTransition(
            _("“%(org)s” is %(status)s; it cannot be moved to %(to)s.")
            % {"org": org.name, "status": org.get_status_display(), "to": Organisation.Status(to).label})
    before = org.status
    org.status = to
    org.review_note = note
    org.reviewed_at = clock.now()
    org.reviewed_by = actor.user
    org.save(update_fields=["status", "review_note", "reviewed_at", "reviewed_by"])
    event_record(actor=actor, action=action, subject=org, data={"from": before, "to": to, "note": note})
    organisation.refresh_from_db()
    return org


@transaction.atomic
def organisation_review(*, actor: Actor, organisation: Organisation, approve: bool, note: str = "") -> Organisation:
    require_role(actor, "centre")
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("Give the reason for rejecting the registration: the applicant sees it."), field="note")
    to = Organisation.Status.APPROVED if approve else Organisation.Status.REJECTED
    org = _organisation_transition(actor=actor, organisation=organisation, to=to, note=note)
    _notify_on_commit(org.pk, "approved" if approve else "rejected")
    return org


@transaction.atomic
def organisation_suspend(*, actor: Actor, organisation: Organisation, note: str) -> Organisation:
    require_role(actor, "centre")
    if not (note or "").strip():
        raise DomainError(_("Give the reason for the suspension."), field="note")
    return _organisation_transition(actor=actor, organisation=organisation, to=Organisation.Status.SUSPENDED,
                                    note=note.strip())


@transaction.atomic
def member_add(
    *, actor: Actor, organisation: Organisation, username: str, email: str, full_name: str,
    role: str = Membership.Role.STAFF, phone: str = "",
) -> Membership:
    """An organisation's administrator adds a colleague. The new user sets a password from an e-mailed link."""
    require_member(actor, organisation, admin=True)
    if role not in Membership.Role.values:
        raise DomainError(_("Unknown role."), field="role")
    _clean_user_fields(username=username, email=email, password=None, full_name=full_name)
    user = User.objects.create_user(username=username, email=email, password=None, full_name=full_name.strip(),
                                    phone=phone.strip())
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    event_record(actor=actor, action="membership.added", subject=organisation,
                 data={"user": username, "role": role})
    user_id = user.pk
    from accounts import tasks

    transaction.on_commit(lambda: tasks.send_welcome.delay(user_id))
    return membership


@transaction.atomic
def key_register(*, actor: Actor, organisation: Organisation, purpose: str, label: str, pem: str) -> PublicKey:
    require_member(actor, organisation, admin=True)
    if purpose not in PublicKey.Purpose.values:
        raise DomainError(_("Choose what the key is for: sealing or signing."), field="purpose")
    label = (label or "").strip()
    if not label:
        raise DomainError(_("Give the key a label, for example “main key” or “backup key kept offline”."),
                          field="label")
    parsed = parse_public_key(pem, purpose=purpose)
    if PublicKey.objects.filter(fingerprint=parsed.fingerprint).exists():
        raise DomainError(_("This public key is already registered (fingerprint %(fp)s…).")
                          % {"fp": parsed.fingerprint[:16]}, field="public_key_pem", code="duplicate")
    key = PublicKey.objects.create(
        organisation=organisation, purpose=purpose, label=label[:100], algorithm=parsed.algorithm,
        public_key_pem=parsed.pem, fingerprint=parsed.fingerprint, created_by=actor.user,
    )
    event_record(actor=actor, action="key.registered", subject=key,
                 data={"organisation": organisation.pk, "purpose": purpose, "algorithm": parsed.algorithm,
                       "fingerprint": parsed.fingerprint, "label": key.label})
    return key


@transaction.atomic
def key_revoke(*, actor: Actor, key: PublicKey, reason: str) -> PublicKey:
    key = PublicKey.objects.select_for_update().select_related("organisation").get(pk=key.pk)
    require_member(actor, key.organisation, admin=True)
    if key.status == PublicKey.Status.REVOKED:
        raise IllegalTransition(_("This key was already revoked on %(when)s.")
                                % {"when": key.revoked_at.strftime("%Y-%m-%d %H:%M")})
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the key is revoked (lost, replaced, compromised …)."), field="reason")
    key.status = PublicKey.Status.REVOKED
    key.revoked_at = clock.now()
    key.revoked_by = actor.user
    key.revocation_reason = reason[:300]
    key.save(update_fields=["status", "revoked_at", "revoked_by", "revocation_reason"])
    event_record(actor=actor, action="key.revoked", subject=key,
                 data={"fingerprint": key.fingerprint, "reason": key.revocation_reason})
    return key


# --- sign-in audit: who came and went, from where (20号令: log every operation's time, address, operator) ---


def _user_actor(user: User, ip: str | None) -> Actor:
    from accounts.middleware import actor_for

    return actor_for(user, ip)


@transaction.atomic
def user_signed_in(*, user: User, ip: str | None) -> None:
    event_record(actor=_user_actor(user, ip), action="user.signed_in", subject=user, data={"username": user.username})


@transaction.atomic
def user_signed_out(*, user: User, ip: str | None) -> None:
    event_record(actor=_user_actor(user, ip), action="user.signed_out", subject=user, data={"username": user.username})


@transaction.atomic
def user_sign_in_failed(*, username: str, ip: str | None) -> None:
    user = User.objects.filter(username__iexact=username).first() if username else None
    event_record(actor=Actor(user=None, organisation=None, role="anonymous", ip=ip), action="user.sign_in_failed",
                 subject_type="accounts.user", subject_id=user.pk if user else "-",
                 data={"username": (username or "")[:150]})


@transaction.atomic
def user_password_set(*, user: User, ip: str | None) -> None:
    event_record(actor=_user_actor(user, ip), action="user.password_set", subject=user, data={"username": user.username})

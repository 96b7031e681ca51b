"""Joining the pool and keeping it: applications, the centre's review, the specialty tree, recusal data."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import credit_code
from accounts.selectors import require_role
from bidding.services.tenders import Errors
from core import clock
from core.actor import Actor
from core.errors import DomainError, PermissionDenied
from experts import identity
from experts.models import (
    SENIOR_TITLES,
    ApplicationEvidence,
    Expert,
    ExpertApplication,
    ExpertSpecialty,
    Specialty,
    Title,
)
from witness.services import event_record

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@dataclass
class ExpertInput:
    name: str
    id_number: str
    phone: str
    employer_name: str
    region: str
    title: str
    career_start_year: int | None
    specialty_ids: list[int] = field(default_factory=list)
    employer_credit_code: str = ""
    statement: str = ""


def validate_expert(data: ExpertInput, errors: Errors, today: date) -> identity.IdNumber | None:
    """Field checks and the entry rules (RULES X1, X2); adds to `errors`, returns the parsed ID number."""
    if not data.name.strip():
        errors.add("name", _("Enter the name as on the ID card."))
    parsed = None
    try:
        parsed = identity.validate(data.id_number, today=today)
    except identity.IdNumberError as exc:
        errors.add("id_number", str(exc))
    if not data.phone.strip().isdigit() or len(data.phone.strip()) != 11:
        errors.add("phone", _("Enter an 11-digit mobile number."))
    if not data.employer_name.strip():
        errors.add("employer_name", _("Enter the employer."))
    if data.employer_credit_code.strip():
        try:
            credit_code.validate(data.employer_credit_code)
        except credit_code.CreditCodeError as exc:
            errors.add("employer_credit_code", str(exc))
    if data.region.count("/") != 2:
        errors.add("region", _("Enter the region as province/city/county, e.g. 浙江省/湖州市/安吉县."))
    if data.title not in Title.values:
        errors.add("title", _("Choose a professional title."))
    elif settings.EXPERT_REQUIRE_SENIOR_TITLE and data.title not in SENIOR_TITLES:
        errors.add("title", _("The pool admits experts with a senior title (副高级 or above) (RULES X2)."))
    year = data.career_start_year
    if not isinstance(year, int) or not 1950 <= year <= today.year:
        errors.add("career_start_year", _("Enter the year you started in the field."))
    elif today.year - year < settings.EXPERT_MIN_YEARS_IN_FIELD:
        errors.add("career_start_year", _("The pool admits experts with at least %(n)d years in the field (RULES X2).")
                   % {"n": settings.EXPERT_MIN_YEARS_IN_FIELD})
    if parsed is not None:
        age = today.year - parsed.birth_date.year - ((today.month, today.day) < (parsed.birth_date.month,
                                                                                 parsed.birth_date.day))
        if age > settings.EXPERT_MAX_AGE:
            errors.add("id_number", _("The pool admits experts up to %(max)d years old; the ID number gives %(age)d.")
                       % {"max": settings.EXPERT_MAX_AGE, "age": age})
    known = set(Specialty.objects.filter(pk__in=data.specialty_ids, is_active=True).values_list("pk", flat=True))
    if not data.specialty_ids:
        errors.add("specialty_ids", _("Choose at least one specialty."))
    elif known != set(data.specialty_ids):
        errors.add("specialty_ids", _("Unknown specialty: choose from the specialty tree."))
    return parsed


def expert_apply(*, actor: Actor, data: ExpertInput, evidence: list) -> ExpertApplication:
    if actor.user is None:
        raise PermissionDenied(_("Sign in to apply."))
    errors = Errors()
    today = clock.now().date()
    parsed = validate_expert(data, errors, today)
    if parsed is not None:
        index = identity.blind_index(parsed.number)
        if Expert.objects.filter(id_index=index).exists():
            errors.add("id_number", _("An expert with this ID number is already in the pool."))
        elif ExpertApplication.objects.filter(id_index=index, status=ExpertApplication.Status.PENDING).exists():
            errors.add("id_number", _("An application with this ID number is already awaiting review."))
    if Expert.objects.filter(user=actor.user).exists():
        errors.add("name", _("You are already in the expert pool."))
    if not evidence:
        errors.add("evidence", _("Attach evidence: the title certificate and proof of your experience."))
    for upload in evidence:
        if upload.size > MAX_EVIDENCE_BYTES:
            errors.add("evidence", _("“%(name)s” is larger than 20 MB.") % {"name": upload.name})
    errors.raise_if_any()
    with transaction.atomic():
        application = ExpertApplication.objects.create(
            user=actor.user, name=data.name.strip(), phone=data.phone.strip(),
            employer_name=data.employer_name.strip(), employer_credit_code=data.employer_credit_code.strip().upper(),
            region=data.region.strip(), title=data.title, career_start_year=data.career_start_year,
            statement=data.statement.strip(), **identity.protect(parsed))
        application.specialties.set(data.specialty_ids)
        for upload in evidence:
            content = upload.read()
            upload.seek(0)
            ApplicationEvidence.objects.create(application=application, file=upload, original_name=upload.name[:255],
                                               size=len(content), sha256=hashlib.sha256(content).hexdigest())
        event_record(actor=actor, action="expert.applied", subject=application,
                     data={"evidence": application.evidence.count(), "specialties": sorted(data.specialty_ids)})
    return application


def application_review(*, actor: Actor, application: ExpertApplication, approve: bool, note: str = "") -> ExpertApplication:
    require_role(actor, "centre")
    if not approve and not note.strip():
        raise DomainError(_("Give the reasons for rejecting the application."), field="note")
    with transaction.atomic():
        locked = ExpertApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ExpertApplication.Status.PENDING:
            raise DomainError(_("This application has already been reviewed."))
        if approve and Expert.objects.filter(id_index=locked.id_index).exists():
            raise DomainError(_("An expert with this ID number is already in the pool."))
        locked.status = ExpertApplication.Status.APPROVED if approve else ExpertApplication.Status.REJECTED
        locked.review_note, locked.reviewed_by, locked.reviewed_at = note.strip(), actor.user, clock.now()
        locked.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
        data = {"decision": locked.status, "note": locked.review_note}
        if approve:
            expert = expert_create_from(locked)
            data["expert"] = expert.pk
        event_record(actor=actor, action=f"expert.application_{locked.status}", subject=locked, data=data)
    return locked


def expert_create_from(application: ExpertApplication) -> Expert:
    from accounts.models import Organisation

    employer = Organisation.objects.filter(credit_code=application.employer_credit_code).first() \
        if application.employer_credit_code else None
    expert = Expert.objects.create(
        user=application.user, name=application.name, id_cipher=application.id_cipher, id_index=application.id_index,
        id_masked=application.id_masked, birth_date=application.birth_date, phone=application.phone,
        employer=employer, employer_name=application.employer_name,
        employer_credit_code=application.employer_credit_code, region=application.region, title=application.title,
        career_start_year=application.career_start_year)
    ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=expert, specialty=s)
                                         for s in application.specialties.all()])
    return expert


def specialty_create(*, actor: Actor, code: str, name: str, parent_id: int | None, branch: str) -> Specialty:
    require_role(actor, "centre")
    errors = Errors()
    code, name = code.strip().upper(), name.strip()
    if not code or len(code) > 20:
        errors.add("code", _("Enter a code of up to 20 characters."))
    elif Specialty.objects.filter(code=code).exists():
        errors.add("code", _("Code %(c)s is taken.") % {"c": code})
    if not name:
        errors.add("name", _("Enter the specialty's name."))
    parent = Specialty.objects.filter(pk=parent_id).first() if parent_id else None
    if parent_id and parent is None:
        errors.add("parent", _("Unknown specialty: choose one from the specialty tree."))
    if branch not in ("technical", "economic"):
        errors.add("branch", _("Choose technical or economic."))
    errors.raise_if_any()
    with transaction.atomic():
        specialty = Specialty.objects.create(code=code, name=name, parent=parent, branch=branch)
        event_record(actor=actor, action="specialty.created", subject=specialty,
                     data={"code": code, "name": name, "parent": parent.code if parent else None})
    return specialty



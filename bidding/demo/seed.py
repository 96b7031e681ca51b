"""Loading the demo through the services. Each organisation and each tender is one transaction,
skipped when it is already there, so a second run changes nothing."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import organisation_admin_create, organisation_create, organisation_register, organisation_review
from agencies import demo as agencies_demo
from experts import demo as experts_demo
from bidding.demo import keys as demo_keys
from bidding.demo import opening as demo_opening
from bidding.demo import organisations as orgs
from bidding.demo.document import clarification_pdf, tender_document_pdf
from bidding.demo.tenders import TENDERS, TenderSpec
from bidding.models import Tender
from bidding.services import (
    LotInput,
    TenderInput,
    clarification_publish,
    tender_cancel,
    tender_create,
    tender_document_upload,
    tender_review,
    tender_submit,
)
from core import clock
from core.actor import Actor
from workdays.selectors import is_working_day

PLATFORM = "青溪县公共资源交易平台"
# Days before the bid deadline that questions close, by method.
CLARIFICATION_CLOSES_DAYS_BEFORE = {"open": 10, "consultation": 3, "inquiry": 2}


@dataclass(frozen=True)
class Login:
    role: str
    organisation: str
    status: str
    username: str
    password: str


@dataclass
class SeedResult:
    organisations_created: int
    tenders_created: int
    logins: list[Login]


def _first_admin(organisation: Organisation, spec: orgs.OrgSpec, system: Actor) -> User:
    """The first administrator of an organisation the operator enrolled (nobody there can add one yet)."""
    membership = organisation_admin_create(
        actor=system, organisation=organisation, username=spec.username, email=spec.email,
        full_name=spec.full_name, phone=spec.phone, password=orgs.PASSWORD)
    return membership.user


def actor_for(spec: orgs.OrgSpec) -> Actor:
    org = Organisation.objects.get(credit_code=spec.credit_code)
    user = User.objects.get(username=spec.username)
    return Actor(user=user, organisation=org, role=org.kind)


def _seed_organisations(log: Callable[[str], None]) -> int:
    system = Actor.system()
    created = 0
    for spec in orgs.ENROLLED:
        if Organisation.objects.filter(credit_code=spec.credit_code).exists():
            continue
        with transaction.atomic():
            org = organisation_create(
                actor=system, name=spec.name, credit_code_value=spec.credit_code, kind=spec.kind,
                region=orgs.REGION, address=spec.address, contact_name=spec.full_name, contact_phone=spec.phone,
                contact_email=spec.email)
            _first_admin(org, spec, system)
        created += 1
        log(f"  enrolled   {spec.name}")
    centre = actor_for(orgs.ENROLLED[0])
    for spec in orgs.REGISTERED:
        if Organisation.objects.filter(credit_code=spec.credit_code).exists():
            continue
        with transaction.atomic():
            org = organisation_register(
                name=spec.name, credit_code_value=spec.credit_code, kind=spec.kind, region=orgs.REGION,
                address=spec.address, legal_representative=spec.legal_representative, contact_phone=spec.phone,
                username=spec.username, password=orgs.PASSWORD, email=spec.email, full_name=spec.full_name)
            if spec.outcome != "pending":
                organisation_review(actor=centre, organisation=org, approve=spec.outcome == "approved",
                                    note=spec.review_note)
        created += 1
        log(f"  registered {spec.name} ({spec.outcome})")
    return created


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _timeline(spec: TenderSpec, now: datetime) -> dict:
    today = timezone.localdate(now)
    publish_at = now if spec.publish_in_days == 0 else _at(today + timedelta(days=spec.publish_in_days), 9)
    deadline = _at(_next_working_day(today + timedelta(days=spec.bid_days)), 9, 30)
    closes = CLARIFICATION_CLOSES_DAYS_BEFORE.get(spec.method, 5)
    clarification_deadline = max(publish_at, _at(deadline.date() - timedelta(days=closes), 17))
    return dict(publish_at=publish_at, clarification_deadline=clarification_deadline, bid_deadline=deadline,
                evaluation_planned_at=deadline + timedelta(hours=4, minutes=30) if spec.evaluation_planned else None)


def _pdf(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _seed_tender(spec: TenderSpec, specs: dict[str, orgs.OrgSpec], now: datetime) -> Tender:
    operator = actor_for(specs[spec.operator])
    centre = actor_for(orgs.ENROLLED[0])
    tenderer = Organisation.objects.get(credit_code=specs[spec.tenderer].credit_code)
    data = TenderInput(
        title=spec.title, category=spec.category, method=spec.method, budget=spec.budget,
        lots=[LotInput(lot.name, lot.budget, lot.ceiling_price, lot.description) for lot in spec.lots],
        tenderer_id=tenderer.pk, region=orgs.REGION, description=spec.description, **_timeline(spec, now))
    tender = tender_create(actor=operator, data=data)
    document = tender_document_pdf(tender, platform=PLATFORM, qualifications=spec.qualifications)
    tender_document_upload(actor=operator, tender=tender, upload=_pdf(f"{tender.reference}-招标文件.pdf", document),
                           title="招标文件")
    if spec.outcome == "draft":
        return tender
    tender = tender_submit(actor=operator, tender=tender)
    if spec.outcome == "submitted":
        return tender
    if spec.outcome == "returned":
        return tender_review(actor=centre, tender=tender, approve=False, note=spec.note)
    tender = tender_review(actor=centre, tender=tender, approve=True)
    if spec.clarification is not None:
        clar = spec.clarification
        new_deadline = _at(_next_working_day(timezone.localtime(tender.bid_deadline).date()
                                             + timedelta(days=clar.extend_days)), 9, 30)
        body = clar.body.format(new_deadline=timezone.localtime(new_deadline).strftime("%Y年%m月%d日 %H:%M"))
        attachment = _pdf(f"{tender.reference}-澄清文件-1.pdf",
                          clarification_pdf(tender, title=clar.title, body=body, published=clock.now()))
        clarification_publish(actor=operator, tender=tender, title=clar.title, body=body, upload=attachment,
                              new_deadline=new_deadline)
    if spec.outcome == "cancelled":
        tender = tender_cancel(actor=operator, tender=tender, reason=spec.note)
    return tender


def _logins() -> list[Login]:
    rows = []
    for spec in orgs.ALL:
        org = Organisation.objects.filter(credit_code=spec.credit_code).first()
        user = User.objects.filter(username=spec.username).first()
        if org is None or user is None:
            continue
        rows.append(Login(str(org.get_kind_display()), org.name, str(org.get_status_display()), user.username,
                          orgs.PASSWORD))
    return rows


@contextmanager
def _quiet(*names: str):
    """Keep PDF rendering steps and inline task reports out of the demo's output."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def seed(*, log: Callable[[str], None] = lambda line: None) -> SeedResult:
    # Demo organisations have made-up addresses: send them no mail.
    with (override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
          _quiet("weasyprint", "fontTools", "celery.app.trace")):
        now = clock.now()
        tenders_created = 0
        # The county's history: organisations, sealing keys and a tender whose deadline has just passed.
        with demo_opening.clock_from(demo_opening.history_start(now)):
            organisations_created = _seed_organisations(log)
            demo_keys.seed(actor_for, log)
            if demo_opening.seed(actor_for, lambda t: tender_document_pdf(t, platform=PLATFORM, qualifications=[]), now, log):
                tenders_created += 1
        specs = {spec.key: spec for spec in orgs.ALL}
        for spec in TENDERS:
            if Tender.objects.filter(title=spec.title, tenderer__credit_code=specs[spec.tenderer].credit_code).exists():
                continue
            with transaction.atomic():
                tender = _seed_tender(spec, specs, now)
            tenders_created += 1
            log(f"  tender     {tender.reference} {tender.title} ({tender.get_status_display()})")
        agencies_demo.seed(log)
        experts_demo.seed(log)
    return SeedResult(organisations_created, tenders_created, _logins())

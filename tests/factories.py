"""Factories for the whole suite. Organisations get valid credit codes; tenders a valid timeline."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.credit_code import complete
from accounts.models import Membership, Organisation, User
from bidding.models import Category, Method, Tender
from bidding.services import LotInput, TenderInput, tender_create, tender_document_upload
from core import clock
from core.actor import Actor

_codes = itertools.count(1)


def credit_code() -> str:
    """A fresh valid 统一社会信用代码 (GB 32100-2015 check character)."""
    return complete(f"91330523MA{next(_codes):07d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司")
    credit_code = factory.LazyFunction(credit_code)
    kind = Organisation.Kind.BIDDER
    status = Organisation.Status.APPROVED
    region = "浙江省/湖州市/安吉县"
    contact_email = factory.LazyAttribute(lambda o: f"org{o.credit_code[-6:]}@example.cn")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.ADMIN


def actor_of(kind: str, *, organisation: Organisation | None = None, status: str = Organisation.Status.APPROVED,
             role: str = Membership.Role.ADMIN, ip: str = "203.0.113.7") -> Actor:
    """A signed-in person acting for an organisation of `kind` (made unless given)."""
    org = organisation or OrganisationFactory(kind=kind, status=status)
    membership = MembershipFactory(organisation=org, role=role)
    return Actor(user=membership.user, organisation=org, role=org.kind, ip=ip)


def tender_input(*, tenderer: Organisation | None = None, method: str = Method.OPEN,
                 category: str = Category.WORKS, lots: int = 1, start=None, **overrides) -> TenderInput:
    start = start or clock.now() + timedelta(hours=1)
    data = TenderInput(
        title="安吉县孝丰镇农村道路提升改造工程",
        category=category,
        method=method,
        budget=Decimal("3000000.00") * lots,
        publish_at=start,
        clarification_deadline=start + timedelta(days=15),
        bid_deadline=start + timedelta(days=25),
        evaluation_planned_at=start + timedelta(days=26),
        lots=[LotInput(name=f"第{i}标段", budget=Decimal("3000000.00"), ceiling_price=Decimal("2850000.00"))
              for i in range(1, lots + 1)],
        tenderer_id=tenderer.pk if tenderer else None,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def pdf_upload(name: str = "招标文件.pdf", content: bytes = b"%PDF-1.4\n% test tender document\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_tender(*, agency: Actor | None = None, tenderer: Organisation | None = None, with_document: bool = True,
                **overrides) -> Tender:
    """A draft tender run by `agency` (made unless given) for `tenderer`."""
    agency = agency or actor_of("agency")
    tenderer = tenderer or OrganisationFactory(kind=Organisation.Kind.TENDERER)
    tender = tender_create(actor=agency, data=tender_input(tenderer=tenderer, **overrides))
    if with_document:
        tender_document_upload(actor=agency, tender=tender, upload=pdf_upload())
    return tender


# --- experts ------------------------------------------------------------------------------------------------
_expert_seq = itertools.count(1)


def id_number(birth: str = "19700101", seq: int | None = None) -> str:
    """A valid 18-digit national ID number (GB 11643-1999 check character)."""
    from experts.identity import complete as complete_id

    n = next(_expert_seq) if seq is None else seq
    return complete_id(f"330102{birth}{n % 1000:03d}")


def make_expert(*, specialties=("SZ01",), region: str = "浙江省/杭州市/西湖区", title: str = "senior",
                employer: Organisation | None = None, birth: str | None = None, **fields):
    """An active expert with a login, holding the given specialty codes."""
    from experts import identity
    from experts.models import Expert, ExpertSpecialty, Specialty

    n = next(_expert_seq)
    birth = birth or f"19{60 + n % 25:02d}0{1 + n % 9}1{n % 10}"
    user = UserFactory(full_name=f"专家{n}")
    parsed = identity.validate(id_number(birth, seq=n))
    expert = Expert.objects.create(
        user=user, name=user.full_name, phone=f"139{n:08d}", employer=employer,
        employer_name=employer.name if employer else f"杭州第{n}设计院有限公司",
        employer_credit_code=employer.credit_code if employer else "", region=region, title=title,
        career_start_year=1995, **identity.protect(parsed), **fields)
    ExpertSpecialty.objects.bulk_create([ExpertSpecialty(expert=expert, specialty=Specialty.objects.get(code=c))
                                         for c in specialties])
    return expert

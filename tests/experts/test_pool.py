"""The pool: ID numbers, applications and review, bulk import, ratings."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from core.errors import DomainError, PermissionDenied
from experts import identity
from experts.models import Expert, ExpertApplication, Rating, Specialty
from experts.services.importing import experts_import
from experts.services.pool import ExpertInput, application_review, expert_apply, specialty_create
from experts.services.ratings import rating_record
from experts.services.responses import expert_actor, invitation_confirm
from tests.factories import UserFactory, actor_of, credit_code, id_number
from witness.models import Event

pytestmark = pytest.mark.django_db


def test_id_numbers_are_checked_masked_encrypted_and_indexed():
    number = identity.complete("33010219650315123")
    parsed = identity.validate(number)
    assert parsed.birth_date.isoformat() == "1965-03-15"
    assert identity.mask(number) == "3301**********" + number[-4:]
    stored = identity.protect(parsed)
    assert number not in stored["id_cipher"] and identity.decrypt(stored["id_cipher"]) == number
    assert stored["id_index"] == identity.blind_index(number) != identity.blind_index(identity.complete("33010219650315124"))
    with translation.override("en"):
        wrong = number[:17] + ("0" if number[17] != "0" else "1")
        with pytest.raises(identity.IdNumberError, match="last character"):
            identity.validate(wrong)
        with pytest.raises(identity.IdNumberError, match="birth date"):
            identity.validate(identity.complete("33010219651315123"))


def application(**overrides) -> ExpertInput:
    data = ExpertInput(name="王建国", id_number=id_number("19700101"), phone="13900001111",
                       employer_name="浙江省交通规划设计研究院", region="浙江省/杭州市/西湖区", title="senior",
                       career_start_year=1998, specialty_ids=[Specialty.objects.get(code="SZ01").pk])
    for k, v in overrides.items():
        setattr(data, k, v)
    return data


def evidence():
    return [SimpleUploadedFile("高级职称证书.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")]


def test_an_applicant_is_reviewed_and_joins_the_pool(centre):
    user = UserFactory()
    actor = actor_of("bidder")
    actor = type(actor)(user=user, organisation=None, role="none")
    app = expert_apply(actor=actor, data=application(), evidence=evidence())
    assert app.evidence.get().sha256
    with pytest.raises(DomainError):
        application_review(actor=centre, application=app, approve=False, note="")
    application_review(actor=centre, application=app, approve=True)
    expert = Expert.objects.get(user=user)
    assert expert.id_masked.startswith("3301") and list(expert.specialties.values_list("code", flat=True)) == ["SZ01"]


@pytest.mark.parametrize("overrides, field", [
    ({"title": "intermediate"}, "title"),
    ({"career_start_year": 2022}, "career_start_year"),
    ({"id_number": "330102197001011234"}, "id_number"),
    ({"employer_credit_code": "91330523MA00000000"}, "employer_credit_code"),
    ({"specialty_ids": [999999]}, "specialty_ids"),
    ({"id_number": None}, "id_number"),
])
def test_an_application_breaking_an_entry_rule_changes_nothing(overrides, field):
    if overrides.get("id_number", "") is None:
        overrides = {"id_number": identity.complete("33010219400101123")}  # 85 years old
    user = UserFactory()
    actor = type(actor_of("bidder"))(user=user, organisation=None, role="none")
    before = ExpertApplication.objects.count(), Event.objects.count()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        expert_apply(actor=actor, data=application(**overrides), evidence=evidence())
    assert field in caught.value.fields
    assert (ExpertApplication.objects.count(), Event.objects.count()) == before


def csv_file(rows: list[list[str]]) -> bytes:
    header = "姓名,身份证号,手机,邮箱,工作单位,统一社会信用代码,地区,职称,从业起始年份,专业"
    return ("\n".join([header] + [",".join(r) for r in rows])).encode("utf-8-sig")


def good_row(n: int) -> list[str]:
    return [f"李{n}", id_number("19720202", seq=500 + n), f"1370000{n:04d}", f"li{n}@example.cn", "湖州市建设工程咨询有限公司",
            credit_code(), "浙江省/湖州市/吴兴区", "正高级", "1996", "SZ01;造价"]


def test_an_import_with_a_bad_row_imports_nothing_unless_asked(centre):
    bad_id = good_row(3)
    bad_id[1] = bad_id[1][:17] + ("0" if bad_id[1][17] != "0" else "1")
    bad_code = good_row(4)
    bad_code[5] = "91330523MA00000000"
    content = csv_file([good_row(1), good_row(2), bad_id, bad_code])
    before = Expert.objects.count(), Event.objects.count()
    with translation.override("en"):
        report = experts_import(actor=centre, name="experts.csv", content=content)
    assert [r.line for r in report.invalid] == [4, 5] and report.imported == 0
    assert any("id_number" in e for e in report.invalid[0].errors)
    assert any("employer_credit_code" in e for e in report.invalid[1].errors)
    assert (Expert.objects.count(), Event.objects.count()) == before
    report = experts_import(actor=centre, name="experts.csv", content=content, import_valid=True)
    assert report.imported == 2 and Expert.objects.count() == before[0] + 2
    assert set(Expert.objects.get(name="李1").specialties.values_list("code", flat=True)) == {"SZ01", "ZJ"}


def test_an_excel_file_imports_the_same_way(centre):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机", "邮箱", "工作单位", "统一社会信用代码", "地区", "职称", "从业起始年份", "专业"])
    sheet.append(good_row(7))
    buffer = io.BytesIO()
    book.save(buffer)
    report = experts_import(actor=centre, name="experts.xlsx", content=buffer.getvalue())
    assert report.imported == 1


def test_only_the_centre_imports_and_maintains_the_tree(agency, centre):
    with pytest.raises(PermissionDenied):
        experts_import(actor=agency, name="x.csv", content=csv_file([good_row(1)]))
    with pytest.raises(PermissionDenied):
        specialty_create(actor=agency, code="SZ04", name="隧道", parent_id=None, branch="technical")
    node = specialty_create(actor=centre, code="SZ04", name="隧道", parent_id=Specialty.objects.get(code="SZ").pk,
                            branch="technical")
    assert node.parent.code == "SZ"


def test_ratings_within_two_working_days_and_the_flags(drawn, agency, clock_at):
    from workdays.selectors import add_working_days

    seats = list(drawn.selections.order_by("sequence"))
    for s in seats:
        invitation_confirm(actor=expert_actor(s), selection=s)
    with translation.override("en"), pytest.raises(DomainError, match="after the evaluation"):
        rating_record(actor=agency, selection=seats[0], score=95)
    clock_at(drawn.evaluation_at + timedelta(hours=8))
    rating_record(actor=agency, selection=seats[0], score=45)
    seats[0].expert.refresh_from_db()
    assert seats[0].expert.removal_review
    with pytest.raises(DomainError):
        rating_record(actor=agency, selection=seats[0], score=90)
    with pytest.raises(DomainError):
        rating_record(actor=agency, selection=seats[1], score=101)
    from datetime import datetime, time

    from django.utils import timezone

    late = add_working_days(drawn.evaluation_at, 3)
    clock_at(timezone.make_aware(datetime.combine(late, time(10))))
    with translation.override("en"), pytest.raises(DomainError, match="working days"):
        rating_record(actor=agency, selection=seats[1], score=95)
    assert Rating.objects.count() == 1


def test_ten_high_ratings_in_two_years_make_a_senior_expert(drawn, agency):
    from core import clock
    from experts.models import Draw, DrawBucket, Selection
    from experts.services.ratings import expert_flags_update

    expert = drawn.selections.first().expert
    now = clock.now()

    def rated(score):
        draw = Draw.objects.create(tender=drawn.tender, lot=drawn.lot, requested_by=drawn.requested_by,
                                   evaluation_at=now, committee_size=5, created_by=agency.user, created_at=now)
        bucket = DrawBucket.objects.create(draw=draw, position=1, specialty_id=drawn.buckets.first().specialty_id,
                                           count=1)
        seat = Selection.objects.create(draw=draw, bucket=bucket, expert=expert, sequence=1, rank=1, state="confirmed",
                                        notified_at=now, respond_by=now)
        Rating.objects.create(selection=seat, expert=expert, score=score, rated_by=agency.user, rated_at=now)

    for _ in range(9):
        rated(95)
    assert not expert_flags_update(actor=agency, expert_id=expert.pk).is_senior
    rated(92)
    assert expert_flags_update(actor=agency, expert_id=expert.pk).is_senior
    rated(85)
    assert not expert_flags_update(actor=agency, expert_id=expert.pk).is_senior


def test_production_without_the_expert_id_key_refuses_to_start(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "EXPERT_ID_KEY", "DJANGO_SETTINGS_MODULE"}}
    env.update(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="ebid.example.cn", VAR_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and "EXPERT_ID_KEY is not set" in done.stderr

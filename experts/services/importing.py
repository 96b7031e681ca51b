"""Bulk import of experts from CSV or Excel (.xlsx), with a per-row validation report.

A file with any invalid row imports nothing unless the operator asks to import the valid rows. Each
imported expert gets a platform login (username expert<phone>, no usable password: the person sets
one through "forgot password" with the e-mail on file)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import require_role
from bidding.services.tenders import Errors
from core import clock
from core.actor import Actor
from core.errors import DomainError
from experts import identity
from experts.models import Specialty, Title
from experts.services.pool import ExpertInput, validate_expert
from witness.services import event_record

COLUMNS = ["name", "id_number", "phone", "email", "employer_name", "employer_credit_code", "region", "title",
           "career_start_year", "specialties"]
HEADERS = {"姓名": "name", "身份证号": "id_number", "手机": "phone", "邮箱": "email", "工作单位": "employer_name",
           "统一社会信用代码": "employer_credit_code", "地区": "region", "职称": "title",
           "从业起始年份": "career_start_year", "专业": "specialties"}
TITLES = {**{t.value: t.value for t in Title}, "正高级": Title.FULL_SENIOR, "副高级": Title.SENIOR,
          "中级": Title.INTERMEDIATE, "初级": Title.JUNIOR}
MAX_ROWS = 5000


@dataclass
class RowReport:
    line: int
    name: str
    errors: list[str] = field(default_factory=list)
    data: ExpertInput | None = None
    email: str = ""


@dataclass
class ImportReport:
    rows: list[RowReport]
    imported: int = 0

    @property
    def valid(self) -> list[RowReport]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[RowReport]:
        return [r for r in self.rows if r.errors]


def read_rows(name: str, content: bytes) -> list[dict]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises several types for a damaged file
            raise DomainError(_("This is not a readable Excel file (.xlsx)."), field="file") from exc
        values = [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DomainError(_("Save the CSV file as UTF-8."), field="file") from None
        values = [[v.strip() for v in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise DomainError(_("Upload a .csv or .xlsx file."), field="file")
    if not values:
        raise DomainError(_("The file is empty."), field="file")
    header = [HEADERS.get(h, h) for h in values[0]]
    missing = [c for c in COLUMNS if c not in header and c not in ("email", "employer_credit_code")]
    if missing:
        raise DomainError(_("Columns missing from the first row: %(cols)s.") % {"cols": ", ".join(missing)},
                          field="file")
    if len(values) - 1 > MAX_ROWS:
        raise DomainError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS}, field="file")
    return [dict(zip(header, row)) for row in values[1:] if any(row)]


def validate_rows(rows: list[dict]) -> ImportReport:
    specialties = {**dict(Specialty.objects.filter(is_active=True).values_list("code", "pk")),
                   **dict(Specialty.objects.filter(is_active=True).values_list("name", "pk"))}
    today = clock.now().date()
    report = ImportReport(rows=[])
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        names = [s.strip() for s in row.get("specialties", "").replace("；", ";").split(";") if s.strip()]
        year = row.get("career_start_year", "").split(".")[0]
        data = ExpertInput(
            name=row.get("name", ""), id_number=row.get("id_number", ""), phone=row.get("phone", "").split(".")[0],
            employer_name=row.get("employer_name", ""), employer_credit_code=row.get("employer_credit_code", ""),
            region=row.get("region", ""), title=TITLES.get(row.get("title", "").strip(), ""),
            career_start_year=int(year) if year.isdigit() else None,
            specialty_ids=[specialties.get(n, -1) for n in names])
        errors = Errors()
        parsed = validate_expert(data, errors, today)
        rep = RowReport(line=line, name=data.name, data=data, email=row.get("email", "").strip())
        rep.errors = [f"{field}: {m}" for field, msgs in errors.fields.items() for m in msgs]
        if parsed is not None:
            if parsed.number in seen:
                rep.errors.append(_("id_number: the same ID number is on line %(l)d.") % {"l": seen[parsed.number]})
            seen.setdefault(parsed.number, line)
        report.rows.append(rep)
    indexes = {identity.blind_index(identity.validate(r.data.id_number).number): r for r in report.valid}
    from experts.models import Expert

    for index in Expert.objects.filter(id_index__in=list(indexes)).values_list("id_index", flat=True):
        indexes[index].errors.append(_("id_number: an expert with this ID number is already in the pool."))
    taken = set(User.objects.filter(username__in=[f"expert{r.data.phone}" for r in report.valid])
                .values_list("username", flat=True))
    for r in report.valid:
        if f"expert{r.data.phone}" in taken:
            r.errors.append(_("phone: a login for this mobile number already exists."))
    return report


def experts_import(*, actor: Actor, name: str, content: bytes, import_valid: bool = False) -> ImportReport:
    require_role(actor, "centre")
    report = validate_rows(read_rows(name, content))
    if report.invalid and not import_valid:
        return report
    from experts.models import ExpertApplication
    from experts.services.pool import expert_create_from

    with transaction.atomic():
        for row in report.valid:
            data = row.data
            user = User(username=f"expert{data.phone}", full_name=data.name.strip(), phone=data.phone,
                        email=row.email)
            user.set_unusable_password()
            user.save()
            application = ExpertApplication.objects.create(
                user=user, name=data.name.strip(), phone=data.phone, employer_name=data.employer_name.strip(),
                employer_credit_code=data.employer_credit_code.strip().upper(), region=data.region.strip(),
                title=data.title, career_start_year=data.career_start_year, statement=_("Bulk import"),
                status=ExpertApplication.Status.APPROVED, reviewed_by=actor.user, reviewed_at=clock.now(),
                **identity.protect(identity.validate(data.id_number)))
            application.specialties.set(data.specialty_ids)
            expert_create_from(application)
        report.imported = len(report.valid)
        if report.imported:
            event_record(actor=actor, action="expert.imported", subject=actor.organisation,
                         data={"file": name[:100], "imported": report.imported, "skipped": len(report.invalid)})
    return report

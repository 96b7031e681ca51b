"""The intermediary directory (名录库) and the "三色令" cards.

An intermediary is an accounts.Organisation of kind "agency"; its profile, staff, certificates and
qualifications hang off it here. A Finding is a recorded violation going through due process; a
decided finding issues a Card."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    TENDERING = "tendering", _("Tendering agency (招标代理)")
    COST = "cost", _("Cost consultancy (造价咨询)")
    DESIGN = "design", _("Design (设计)")
    SUPERVISION = "supervision", _("Construction supervision (监理)")
    SURVEY = "survey", _("Survey (勘察测绘)")
    OTHER = "other", _("Other consultancy (其他咨询)")


class Colour(models.TextChoices):
    BLUE = "blue", _("Blue card (蓝牌)")
    YELLOW = "yellow", _("Yellow card (黄牌)")
    RED = "red", _("Red card (红牌)")


SEVERITY = {Colour.BLUE: 1, Colour.YELLOW: 2, Colour.RED: 3}


class AgencyProfile(models.Model):
    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT,
                                        related_name="agency_profile", verbose_name=_("intermediary"))
    service_kinds = models.JSONField(_("kinds of service"), default=list)
    registered_capital = models.DecimalField(_("registered capital (元)"), max_digits=16, decimal_places=2,
                                             null=True, blank=True)
    offices = models.TextField(_("offices"), blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("intermediary profile")
        verbose_name_plural = _("intermediary profiles")

    def __str__(self) -> str:
        return str(self.organisation)

    def service_labels(self) -> list[str]:
        return [str(ServiceKind(k).label) for k in self.service_kinds if k in ServiceKind.values]


class Qualification(models.Model):
    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="agency_qualifications")
    name = models.CharField(_("qualification"), max_length=200)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    number = models.CharField(_("certificate number"), max_length=100)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.grade}".strip()

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


class StaffMember(models.Model):
    class Role(models.TextChoices):
        PROJECT_LEAD = "project_lead", _("Full-time project lead (专职项目负责人)")
        TECHNICAL = "technical", _("Technical staff (技术人员)")
        COST_ENGINEER = "cost_engineer", _("Cost engineer (造价工程师)")
        SUPERVISOR = "supervisor", _("Supervising engineer (监理工程师)")
        OTHER = "other", _("Other (其他)")

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="agency_staff")
    name = models.CharField(_("name"), max_length=100)
    id_number = models.CharField(_("ID card number"), max_length=18,
                                 help_text=_("Used only to check that a person works for one intermediary at a time."))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICAL)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["agency", "role", "name"]
        constraints = [
            # A person works for one intermediary at a time.
            models.UniqueConstraint(fields=["id_number"], condition=Q(is_active=True), name="staff_one_employer"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return f"{self.id_number[:3]}{'*' * max(len(self.id_number) - 7, 0)}{self.id_number[-4:]}"


class Certificate(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="certificates")
    name = models.CharField(_("certificate"), max_length=200)
    number = models.CharField(_("certificate number"), max_length=100, db_index=True)
    expires_on = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["staff", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class FindingStatus(models.TextChoices):
    NOTIFIED = "notified", _("Notified, awaiting the response")
    RESPONDED = "responded", _("Response received, awaiting decision")
    ACCEPTED = "accepted", _("No response: accepted, awaiting decision")
    CARDED = "carded", _("Card issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    APPEALED = "appealed", _("Appealed, awaiting final decision")
    CONFIRMED = "confirmed", _("Appeal dismissed: card confirmed")
    REVOKED = "revoked", _("Appeal upheld: card revoked")


class Finding(models.Model):
    """A violation recorded against an intermediary, with its due process (陈述申辩, decision, appeal)."""

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="agency_findings",
                               verbose_name=_("intermediary"))
    violation_type = models.CharField(_("violation type"), max_length=40)
    description = models.TextField(_("facts found"))
    tender = models.ForeignKey("bidding.Tender", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("related tender"))
    status = models.CharField(_("status"), max_length=20, choices=FindingStatus.choices,
                              default=FindingStatus.NOTIFIED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_for = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("recorded by (organisation)"))
    recorded_at = models.DateTimeField(_("recorded at"))
    response_due = models.DateField(_("response due by"))
    response = models.TextField(_("response (陈述申辩)"), blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    decision_due = models.DateField(_("decision due by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_for = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("decided by (organisation)"))
    decision_note = models.TextField(_("decision"), blank=True)
    appeal_due = models.DateField(_("appeal possible until"), null=True, blank=True)
    appeal_grounds = models.TextField(_("appeal grounds"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appealed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    final_at = models.DateTimeField(_("final decision at"), null=True, blank=True)
    final_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    final_note = models.TextField(_("final decision"), blank=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["status", "response_due"]), models.Index(fields=["agency", "status"])]

    def __str__(self) -> str:
        return f"{self.agency} · {self.violation_type} #{self.pk}"


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"agencies/findings/{instance.finding_id}/evidence/{filename}"


class Evidence(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["finding", "pk"]

    def __str__(self) -> str:
        return self.original_name


def notice_path(instance: "Card", filename: str) -> str:
    return f"agencies/notices/{instance.issued_on:%Y}/{filename}"


class Card(models.Model):
    """A coloured card issued by a decision. In force from the decision day until expires_on (exclusive);
    its deduction counts in the score from effective_on (the day after the decision)."""

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="agency_cards")
    finding = models.OneToOneField(Finding, on_delete=models.PROTECT, related_name="card")
    violation_type = models.CharField(_("violation type"), max_length=40)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices)
    decided_colour = models.CharField(_("colour decided"), max_length=10, choices=Colour.choices)
    escalation = models.CharField(_("escalation"), max_length=300, blank=True)
    deduction = models.PositiveSmallIntegerField(_("score deduction"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_on = models.DateField(_("issued on"))
    effective_on = models.DateField(_("deduction effective from"))
    expires_on = models.DateField(_("in force until (exclusive)"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    notice_number = models.CharField(_("notice number"), max_length=40, unique=True, null=True, blank=True)
    notice_file = models.FileField(_("notice (PDF)"), upload_to=notice_path, max_length=300, blank=True)
    notice_sha256 = models.CharField(_("notice SHA-256"), max_length=64, blank=True)
    notice_published_at = models.DateTimeField(_("notice published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["agency", "issued_on"]), models.Index(fields=["issued_on", "colour"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("issued_on")), name="card_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} · {self.agency}"

    def in_force(self, today: date) -> bool:
        return self.revoked_at is None and self.issued_on <= today < self.expires_on


class ScoreRecord(models.Model):
    """The score as recalculated for one day (the daily job writes it; pages compute the same on read)."""

    agency = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="agency_scores")
    day = models.DateField(_("day"))
    score = models.SmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score record")
        verbose_name_plural = _("score records")
        ordering = ["agency", "-day"]
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="score_record_unique")]

"""The expert pool (评标专家库): specialties, experts, what excludes them, applications, messages."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Branch(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    ECONOMIC = "economic", _("Economic")


class Specialty(models.Model):
    """A node of the classification tree the trading centre maintains."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("parent"))
    branch = models.CharField(_("branch"), max_length=20, choices=Branch.choices, default=Branch.TECHNICAL)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Title(models.TextChoices):
    """职称 levels; 正高 and 副高 are the senior titles the entry rule asks for (RULES X2)."""

    FULL_SENIOR = "full_senior", _("Full senior (正高级)")
    SENIOR = "senior", _("Senior (副高级)")
    INTERMEDIATE = "intermediate", _("Intermediate (中级)")
    JUNIOR = "junior", _("Junior (初级)")


SENIOR_TITLES = {Title.FULL_SENIOR, Title.SENIOR}


class Expert(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        RETIRED = "retired", _("Retired")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert")
    name = models.CharField(_("name"), max_length=100)
    id_cipher = models.TextField(_("national ID (encrypted)"))
    id_index = models.CharField(_("national ID blind index"), max_length=64, unique=True)
    id_masked = models.CharField(_("national ID"), max_length=18)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=20)
    employer = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("employer on the platform"),
                                 db_index=False)  # indexed with the id below
    employer_name = models.CharField(_("employer"), max_length=200)
    employer_credit_code = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    region = models.CharField(_("region"), max_length=100, help_text=_("province/city/county"))
    title = models.CharField(_("professional title"), max_length=20, choices=Title.choices)
    career_start_year = models.PositiveSmallIntegerField(_("in the field since (year)"))
    specialties = models.ManyToManyField(Specialty, through="ExpertSpecialty", related_name="experts")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    is_senior = models.BooleanField(_("senior expert"), default=False)
    removal_review = models.BooleanField(_("flagged for removal review"), default=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name", "pk"]
        # Each reason a draw excludes experts for on their own row (experts/eligibility.py) has an index that
        # ends in the id, so PostgreSQL answers it by an index-only scan instead of visiting the table's pages.
        indexes = [models.Index(fields=["status", "region"]),
                   models.Index(fields=["status", "suspended_until", "id"], condition=~models.Q(status="active"),
                                name="expert_unavailable"),
                   models.Index(fields=["employer", "id"], name="expert_employer"),
                   models.Index(fields=["employer_credit_code", "id"], name="expert_employer_code"),
                   models.Index(fields=["birth_date", "id"], name="expert_birth_date"),
                   # prefix matches (region__startswith) use it on PostgreSQL; other databases ignore opclasses
                   models.Index(fields=["region", "id"], name="expert_region_prefix",
                                opclasses=["varchar_pattern_ops", "int8_ops"])]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def years_in_field(self, day: date) -> int:
        return max(0, day.year - self.career_start_year)


class ExpertSpecialty(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="specialty_links")
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="expert_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["specialty", "expert"], name="expert_specialty_unique")]


class Relationship(models.Model):
    """A declared tie to an organisation (回避, RULES X6): employment, cooperation, a relative, a stake."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("Works or worked for")
        COOPERATION = "cooperation", _("Works with")
        RELATIVE = "relative", _("A relative works there")
        SHAREHOLDING = "shareholding", _("Holds shares")

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    organisation = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    organisation_name = models.CharField(_("organisation"), max_length=200)
    credit_code = models.CharField(_("credit code"), max_length=18, blank=True, db_index=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("declared relationship")
        indexes = [models.Index(fields=["organisation", "expert"])]
        verbose_name_plural = _("declared relationships")


class Penalty(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="penalties")
    decided_on = models.DateField(_("decided on"))
    authority = models.CharField(_("authority"), max_length=200)
    description = models.CharField(_("description"), max_length=300)

    class Meta:
        verbose_name = _("penalty")
        verbose_name_plural = _("penalties")
        indexes = [models.Index(fields=["decided_on", "expert"])]


class Leave(models.Model):
    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="leaves")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("leave")
        verbose_name_plural = _("leave periods")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="leave_ordered")]
        indexes = [models.Index(fields=["starts_on", "ends_on", "expert"])]


class ExpertApplication(models.Model):
    """A person's application to join the pool (personal application, RULES X1), reviewed by the centre."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_applications")
    name = models.CharField(_("name"), max_length=100)
    id_cipher = models.TextField()
    id_index = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("national ID"), max_length=18)
    birth_date = models.DateField(_("date of birth"))
    phone = models.CharField(_("mobile phone"), max_length=20)
    employer_name = models.CharField(_("employer"), max_length=200)
    employer_credit_code = models.CharField(_("employer's credit code"), max_length=18, blank=True)
    region = models.CharField(_("region"), max_length=100)
    title = models.CharField(_("professional title"), max_length=20, choices=Title.choices)
    career_start_year = models.PositiveSmallIntegerField(_("in the field since (year)"))
    specialties = models.ManyToManyField(Specialty, related_name="+")
    statement = models.TextField(_("experience"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expert application")
        verbose_name_plural = _("expert applications")
        ordering = ["created_at"]


def evidence_path(instance: "ApplicationEvidence", filename: str) -> str:
    return f"experts/applications/{instance.application_id}/{filename}"


class ApplicationEvidence(models.Model):
    application = models.ForeignKey(ExpertApplication, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)


class Message(models.Model):
    """An in-platform message (站内信). E-mail copies go out after commit (experts/notify.py)."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_messages")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

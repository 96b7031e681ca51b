"""Remote evaluation (远程评标), the report and the award: per lot, building on the opening and the expert draw."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

points = dict(max_digits=7, decimal_places=2)
money = dict(max_digits=16, decimal_places=2)


class Method(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive scoring (综合评分法)")
    LOWEST_PRICE = "lowest_price", _("Lowest evaluated price (经评审的最低投标价法)")


class ProcurementKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")
    WORKS = "works", _("Works")


class TieRule(models.TextChoices):
    LOTTERY = "lottery", _("By the platform's verifiable lottery")
    TECHNICAL_FIRST = "technical_first", _("Higher technical (non-price) score first, then the lottery")


class Scheme(models.Model):
    """The lot's evaluation method and criteria, set by the agency from the tender documents before the
    deadline and frozen at opening."""

    lot = models.OneToOneField("bidding.Lot", on_delete=models.PROTECT, related_name="scheme")
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    procurement_kind = models.CharField(_("procurement kind"), max_length=20, choices=ProcurementKind.choices)
    price_formula = models.CharField(_("price formula"), max_length=40, blank=True)
    formula_params = models.JSONField(_("formula parameters"), default=dict, blank=True)
    tie_rule = models.CharField(_("tie rule"), max_length=20, choices=TieRule.choices, default=TieRule.LOTTERY)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")


class RequirementKind(models.TextChoices):
    QUALIFICATION = "qualification", _("Qualification (资格审查)")
    COMPLIANCE = "compliance", _("Compliance (符合性审查)")


class Requirement(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=RequirementKind.choices)
    name = models.CharField(_("requirement"), max_length=300)

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "position"], name="requirement_position_unique")]

    def __str__(self) -> str:
        return self.name


class CriterionKind(models.TextChoices):
    PRICE = "price", _("Price (computed)")
    OBJECTIVE = "objective", _("Objective")
    SUBJECTIVE = "subjective", _("Subjective")


class ScoredBy(models.TextChoices):
    ALL = "all", _("Every member")
    TECHNICAL = "technical", _("Technical members")
    ECONOMIC = "economic", _("Economic members")


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("criterion"), max_length=300)
    max_points = models.DecimalField(_("maximum points"), **points)
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind.choices)
    scored_by = models.CharField(_("scored by"), max_length=20, choices=ScoredBy.choices, default=ScoredBy.ALL)

    class Meta:
        ordering = ["scheme", "position"]
        constraints = [models.UniqueConstraint(fields=["scheme", "position"], name="criterion_position_unique"),
                       models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_points_positive")]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    ELECTING = "electing", _("Electing the leader")
    REVIEWING = "reviewing", _("Compliance and qualification review")
    SCORING = "scoring", _("Scoring")
    SUMMARY = "summary", _("Summary and committee decisions")
    SIGNING = "signing", _("Report being signed")
    REPORTED = "reported", _("Report signed")
    PUBLICITY = "publicity", _("Candidates in publicity")
    AWARDED = "awarded", _("Awarded")
    FAILED = "failed", _("Failed (no valid bid)")


class Committee(models.Model):
    """The evaluation committee of a lot: the confirmed experts of the draw, at most one tenderer representative."""

    lot = models.OneToOneField("bidding.Lot", on_delete=models.PROTECT, related_name="committee")
    draw = models.ForeignKey("experts.Draw", on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.ELECTING)
    formed_at = models.DateTimeField(_("formed at"))
    formed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tie_seed_cipher = models.TextField(blank=True)  # revealed in the report
    tie_seed_sha256 = models.CharField(max_length=64, blank=True)
    summarised_at = models.DateTimeField(_("summarised at"), null=True, blank=True)
    failure_reason = models.TextField(_("why evaluation failed"), blank=True)

    class Meta:
        verbose_name = _("evaluation committee")
        verbose_name_plural = _("evaluation committees")

    def __str__(self) -> str:
        return f"committee of lot {self.lot_id} ({self.stage})"


class MemberKind(models.TextChoices):
    EXPERT = "expert", _("Expert")
    TENDERER = "tenderer", _("Tenderer's representative")


class Member(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="committee_seats")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=MemberKind.choices)
    branch = models.CharField(_("branch"), max_length=20)  # technical | economic
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField()
    is_leader = models.BooleanField(_("leader"), default=False)
    vote = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    voted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "position"]
        constraints = [models.UniqueConstraint(fields=["committee", "user"], name="member_once_per_committee"),
                       models.UniqueConstraint(fields=["committee"], condition=Q(is_leader=True),
                                               name="one_leader_per_committee")]

    def __str__(self) -> str:
        return self.name


class Step(models.TextChoices):
    REVIEW = "review", _("Review")
    SCORING = "scoring", _("Scoring")


class Sheet(models.Model):
    """One member's work in one step: a draft until submitted, then locked."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sheets")
    step = models.CharField(max_length=20, choices=Step.choices)
    submitted_at = models.DateTimeField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the canonical sheet at submission

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "step"], name="sheet_once_per_step")]


class ReviewMark(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="marks")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField()
    reason = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "bid", "requirement"], name="review_mark_once")]


class Score(models.Model):
    sheet = models.ForeignKey(Sheet, on_delete=models.CASCADE, related_name="scores")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(**points)
    note = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sheet", "bid", "criterion"], name="score_once")]


class Question(models.Model):
    """A clarification (澄清) the committee asks a bidder; the answer is attached to the bid."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="questions")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    asked_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    answer_by = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "asked_at", "pk"]


class Result(models.Model):
    """A bid's outcome at the summary: compliance, scores, rank (recomputed until the report is generated)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="results")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(**money, null=True)
    compliant = models.BooleanField()
    failed_requirements = models.JSONField(default=list)  # [{"requirement", "reasons": [...]}]
    price_score = models.DecimalField(**points, null=True)
    total = models.DecimalField(**points, null=True)
    rank = models.PositiveSmallIntegerField(null=True)
    tie_broken_by = models.CharField(max_length=20, blank=True)
    recommended = models.BooleanField(default=False)

    class Meta:
        ordering = ["committee", "rank", "pk"]
        constraints = [models.UniqueConstraint(fields=["committee", "bid"], name="result_once_per_bid")]


class FlagKind(models.TextChoices):
    ABNORMALLY_LOW = "abnormally_low", _("Abnormally low price")
    DEVIATION = "deviation", _("Score deviating from the other members")
    OBJECTIVE_INCONSISTENT = "objective_inconsistent", _("Objective scores that disagree")


class Flag(models.Model):
    """A finding at the summary that needs a recorded committee decision before the report."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=30, choices=FlagKind.choices)
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    detail = models.JSONField(default=dict)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["committee", "pk"]


class Correction(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="corrections")
    score = models.ForeignKey(Score, on_delete=models.PROTECT, related_name="corrections")
    kind = models.CharField(max_length=30)
    before = models.DecimalField(**points)
    after = models.DecimalField(**points)
    reason = models.TextField()
    recorded_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()


def report_path(instance: "Report", filename: str) -> str:
    return f"tenders/{instance.committee.lot.tender_id}/evaluation/{instance.committee.lot_id}/{filename}"


class Report(models.Model):
    """The evaluation report (评标报告): rendered once, then signed incrementally by each member."""

    committee = models.OneToOneField(Committee, on_delete=models.PROTECT, related_name="report")
    file = models.FileField(upload_to=report_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveSmallIntegerField(default=0)
    generated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    # The copy for the tenderer and its agency before the award: members by seat, signed by the platform.
    copy_file = models.FileField(upload_to=report_path, max_length=300, blank=True)
    copy_sha256 = models.CharField(max_length=64, blank=True)


class SignatureKind(models.TextChoices):
    AGREE = "agree", _("Signed")
    DISSENT = "dissent", _("Signed with a dissent")
    REFUSED = "refused", _("Refused to sign")


class Signature(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="signatures")
    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="signature")
    kind = models.CharField(max_length=20, choices=SignatureKind.choices)
    dissent = models.TextField(blank=True)
    signed_at = models.DateTimeField()
    certificate_pem = models.TextField(blank=True)
    sha256_after = models.CharField(max_length=64, blank=True)
    # Set when the member neither signed nor refused in time and the leader (or the host) recorded it: a refusal
    # without reasons, deemed agreement (RULES X8).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")


class OneTimeCode(models.Model):
    """A code sent to a member to confirm a remote signature (hashed; one use; short-lived)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)


class Publicity(models.Model):
    """Candidates published for the publicity period (招标投标法实施条例 art. 54)."""

    lot = models.OneToOneField("bidding.Lot", on_delete=models.PROTECT, related_name="publicity")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    candidates = models.JSONField(default=list)  # [{"bid", "bidder", "rank", "price", "total"}]


class AwardObjection(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    bidder = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()
    answer_due = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publicity", "raised_at", "pk"]


def notice_path(instance: "Award", filename: str) -> str:
    return f"tenders/{instance.lot.tender_id}/award/{instance.lot_id}/{filename}"


class Award(models.Model):
    """The tenderer's confirmation of the winner (定标) and the signed award notice."""

    lot = models.OneToOneField("bidding.Lot", on_delete=models.PROTECT, related_name="award")
    bid = models.ForeignKey("bidding.Bid", on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(**money)
    budget = models.DecimalField(**money)
    passed_over = models.JSONField(default=list)  # [{"bid", "reason"}] candidates ranked above who declined
    # None with `deemed`: government procurement, the purchaser did not decide in time (RULES M7)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    confirmed_at = models.DateTimeField()
    deemed = models.BooleanField(default=False)
    notice = models.FileField(upload_to=notice_path, max_length=300, blank=True)
    notice_sha256 = models.CharField(max_length=64, blank=True)

    @property
    def savings_rate(self):
        """节约率 = (budget − award) ÷ budget."""
        return (self.budget - self.price) / self.budget

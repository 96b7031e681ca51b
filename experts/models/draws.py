"""A draw (抽取) for one lot: its buckets and committed inputs, the selected experts, declarations, ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DrawStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMMITTED = "committed", _("Inputs committed")
    DRAWN = "drawn", _("Drawn")
    CONFIRMING = "confirming", _("Awaiting confirmations")
    COMPLETE = "complete", _("Committee complete")
    STOPPED = "stopped", _("Stopped")


class Draw(models.Model):
    tender = models.ForeignKey("bidding.Tender", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("bidding.Lot", on_delete=models.PROTECT, related_name="expert_draws")
    requested_by = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=DrawStatus.choices, default=DrawStatus.REQUESTED)
    evaluation_at = models.DateTimeField(_("evaluation time"))
    evaluation_place = models.CharField(_("evaluation place"), max_length=200, blank=True)
    remote = models.BooleanField(_("remote off-site evaluation"), default=False)
    allowed_regions = models.JSONField(_("regions drawn from"), default=list, blank=True)
    committee_size = models.PositiveSmallIntegerField(_("committee size"))
    # The secret seed, encrypted until the list is public; then revealed in clear (and in the ledger).
    seed_cipher = models.TextField(blank=True)
    seed_revealed = models.CharField(_("seed"), max_length=64, blank=True)
    seed_sha256 = models.CharField(_("SHA-256 of the seed"), max_length=64, blank=True)
    snapshot_sha256 = models.CharField(_("SHA-256 of the eligible set"), max_length=64, blank=True)
    rules = models.JSONField(_("rules applied"), default=dict)
    rules_sha256 = models.CharField(_("SHA-256 of the rules"), max_length=64, blank=True)
    result_sha256 = models.CharField(_("SHA-256 of the result"), max_length=64, blank=True)
    stop_reason = models.TextField(_("why the draw stopped"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"))
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("seed revealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("expert draw")
        verbose_name_plural = _("expert draws")
        ordering = ["-created_at", "-pk"]
        # draw_evaluation_day: the "already booked that day" exclusion reads the day's draws by time, whatever
        # their status, so it does not grow with the years of draws before (experts/eligibility.py).
        indexes = [models.Index(fields=["status", "evaluation_at"]),
                   models.Index(fields=["evaluation_at", "id"], name="draw_evaluation_day")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.lot}"

    @property
    def experts_needed(self) -> int:
        return sum(b.count for b in self.buckets.all())


class DrawBucket(models.Model):
    """One line of the request ("4 from 市政工程"), with its committed eligible set and exclusions."""

    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="buckets")
    position = models.PositiveSmallIntegerField()
    specialty = models.ForeignKey("experts.Specialty", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveSmallIntegerField(_("experts"))
    eligible = models.JSONField(default=list)  # sorted expert ids: the committed snapshot
    excluded = models.JSONField(default=dict)  # reason -> sorted expert ids

    class Meta:
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "position"], name="drawbucket_position_unique")]

    @property
    def key(self) -> str:
        return f"{self.position}:{self.specialty_id}"


class SelectionState(models.TextChoices):
    NOTIFIED = "notified", _("Notified")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    TIMED_OUT = "timed_out", _("No answer in time")
    REPLACED = "replaced", _("Replaced (conflict declared)")


class Selection(models.Model):
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="selections")
    bucket = models.ForeignKey(DrawBucket, on_delete=models.CASCADE, related_name="selections")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="selections")
    sequence = models.PositiveSmallIntegerField()  # order taken within the draw, from 1
    rank = models.PositiveIntegerField()  # position in the bucket's ranking, from 1
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=SelectionState.choices, default=SelectionState.NOTIFIED)
    notified_at = models.DateTimeField()
    respond_by = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["draw", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "sequence"], name="selection_sequence_unique"),
            models.UniqueConstraint(fields=["draw", "expert"], name="selection_expert_once"),
        ]
        # selection_recent: the "selected too often recently" exclusion counts the window's selections from this
        # index alone (index-only), not by reading every selection ever made (experts/eligibility.py).
        indexes = [models.Index(fields=["expert", "state"]), models.Index(fields=["state", "respond_by"]),
                   models.Index(fields=["notified_at", "expert", "draw"], name="selection_recent")]

    @property
    def seated(self) -> bool:
        return self.state in (SelectionState.NOTIFIED, SelectionState.CONFIRMED)


class ConflictDeclaration(models.Model):
    """At the start of evaluation an expert declares, against the bidder list, no conflict or a conflict."""

    selection = models.OneToOneField(Selection, on_delete=models.PROTECT, related_name="declaration")
    has_conflict = models.BooleanField()
    bidders = models.JSONField(default=list)  # [{"id": …, "name": …}] as shown to the expert
    note = models.CharField(max_length=300, blank=True)
    declared_at = models.DateTimeField()


class Rating(models.Model):
    """The organiser's score for an expert after an evaluation (RULES X10)."""

    selection = models.OneToOneField(Selection, on_delete=models.PROTECT, related_name="rating")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=300, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="rating_score_range")]
        indexes = [models.Index(fields=["expert", "rated_at"])]

from __future__ import annotations


from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    WORKS = "works", _("Works (工程建设)")
    GOVERNMENT = "government", _("Government procurement (政府采购)")
    LAND = "land", _("Land (土地)")
    PROPERTY = "property", _("Property rights (产权)")
    OTHER = "other", _("Other (其他)")


CATEGORY_CODES = {"works": "GC", "government": "ZC", "land": "TD", "property": "CQ", "other": "QT"}


class Method(models.TextChoices):
    OPEN = "open", _("Open tendering (公开招标)")
    INVITED = "invited", _("Invited tendering (邀请招标)")
    NEGOTIATION = "negotiation", _("Competitive negotiation (竞争性谈判)")
    CONSULTATION = "consultation", _("Competitive consultation (竞争性磋商)")
    INQUIRY = "inquiry", _("Request for quotations (询价)")
    SINGLE_SOURCE = "single_source", _("Single source (单一来源)")
    FRAMEWORK = "framework", _("Framework agreement (框架协议)")


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting filing review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")
    OPENING = "opening", _("Opening")
    OPENED = "opened", _("Opened")
    EVALUATING = "evaluating", _("Evaluating")
    EVALUATED = "evaluated", _("Evaluated")
    PUBLICITY = "publicity", _("Candidates in publicity")
    AWARDED = "awarded", _("Awarded")
    ARCHIVED = "archived", _("Archived")
    FAILED = "failed", _("Failed (流标)")
    CANCELLED = "cancelled", _("Cancelled")


money = dict(max_digits=16, decimal_places=2)


class Tender(models.Model):
    reference = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    tenderer = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="tenders_owned",
                                 verbose_name=_("tenderer"))
    agency = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="tenders_run", verbose_name=_("agency"))
    region = models.CharField(_("region"), max_length=100, blank=True)
    budget = models.DecimalField(_("budget (元)"), **money)
    description = models.TextField(_("description"), blank=True)
    publish_at = models.DateTimeField(_("publication time"))
    clarification_deadline = models.DateTimeField(_("clarification deadline"))
    bid_deadline = models.DateTimeField(_("bid deadline (= opening time)"))
    decryption_window_minutes = models.PositiveSmallIntegerField(_("decryption window (minutes)"), default=30)
    evaluation_planned_at = models.DateTimeField(_("planned evaluation time"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TenderStatus.choices, default=TenderStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["category", "method"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(budget__gt=0), name="tender_budget_positive"),
            models.CheckConstraint(condition=Q(bid_deadline__gt=F("publish_at")), name="tender_deadline_after_publication"),
            models.CheckConstraint(condition=Q(clarification_deadline__lte=F("bid_deadline")),
                                   name="tender_clarification_before_deadline"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def operator_id(self) -> int:
        """The organisation that runs the tender: its agency, or the tenderer when it runs it itself."""
        return self.agency_id or self.tenderer_id

    def is_public(self, now) -> bool:
        return self.published_at is not None and self.published_at <= now

    def accepting_bids(self, now) -> bool:
        return self.status == TenderStatus.PUBLISHED and self.is_public(now) and now < self.bid_deadline


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField(_("lot number"))
    name = models.CharField(_("lot name"), max_length=200)
    budget = models.DecimalField(_("budget (元)"), **money)
    ceiling_price = models.DecimalField(_("ceiling price (最高投标限价, 元)"), **money)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="lot_budget_positive"),
            models.CheckConstraint(condition=Q(ceiling_price__gt=0) & Q(ceiling_price__lte=F("budget")),
                                   name="lot_ceiling_within_budget"),
        ]

    def __str__(self) -> str:
        return f"{self.tender.title} · {self.name}"


def document_path(instance: "TenderDocument", filename: str) -> str:
    return f"tenders/{instance.tender_id}/documents/v{instance.version}/{filename}"


class TenderDocument(models.Model):
    """One version of the tender documents (招标文件), or a clarification's attachment."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("tender document")
        verbose_name_plural = _("tender documents")
        ordering = ["tender", "-version"]
        constraints = [models.UniqueConstraint(fields=["tender", "version"], name="document_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Clarification(models.Model):
    """A clarification or amendment (澄清/修改) published to everyone who can see the tender."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="clarifications")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    document = models.ForeignKey(TenderDocument, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("attached document"))
    previous_deadline = models.DateTimeField(_("previous bid deadline"), null=True, blank=True)
    new_deadline = models.DateTimeField(_("new bid deadline"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="clarification_number_unique")]

    def __str__(self) -> str:
        return f"{self.tender.title} · 澄清 {self.number}"


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REPLACED = "replaced", _("Replaced by a later bid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def upload_partial_name(lot_id: int, bidder_id: int, key_digest: str) -> str:
    """Where a resumable upload's bytes collect (under settings.BID_UPLOAD_DIR, local disk)."""
    return f"{lot_id}/{bidder_id}/{key_digest}.part"


class BidUpload(models.Model):
    """A sealed envelope arriving in chunks; it becomes a Bid only when finished before the deadline."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bid_uploads")
    bidder = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="bid_uploads")
    declared_size = models.PositiveBigIntegerField(_("declared size (bytes)"))
    declared_sha256 = models.CharField(_("declared SHA-256"), max_length=64)
    received = models.PositiveBigIntegerField(_("bytes received"), default=0)
    partial_path = models.CharField(_("partial file"), max_length=300)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started at"))
    expires_at = models.DateTimeField(_("expires at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bid upload")
        verbose_name_plural = _("bid uploads")
        constraints = [
            models.UniqueConstraint(fields=["bidder", "idempotency_key"], name="bid_upload_key_unique_per_bidder"),
            models.CheckConstraint(condition=Q(received__lte=F("declared_size")), name="bid_upload_within_size"),
        ]

    def __str__(self) -> str:
        return f"upload {self.pk}: {self.received}/{self.declared_size}"


def envelope_path(instance: "Bid", filename: str) -> str:
    return f"bids/{instance.lot.tender_id}/{instance.lot_id}/{instance.bidder_id}/{filename}"


class Bid(models.Model):
    """A sealed bid: the envelope (opaque to the platform until opening), its hash and the signed receipt."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    bidder = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="bids")
    status = models.CharField(_("status"), max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    envelope = models.FileField(_("sealed envelope"), upload_to=envelope_path, max_length=300)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    received_at = models.DateTimeField(_("received at"))
    receipt = models.JSONField(_("receipt"), default=dict)
    signature = models.JSONField(_("receipt signature"), default=dict)
    # The files the envelope's (plaintext) header lists: [{"index", "name", "size"}], kept at submission so that
    # pages listing them need not fetch the envelope from storage.
    parts = models.JSONField(_("sealed parts"), default=list, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    upload = models.OneToOneField(BidUpload, on_delete=models.PROTECT, null=True, blank=True, related_name="bid")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lot", "-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["bidder", "idempotency_key"], name="bid_key_unique_per_bidder"),
            models.UniqueConstraint(fields=["lot", "bidder"], condition=Q(status="submitted"),
                                    name="bid_one_submitted_per_lot_and_bidder"),
        ]

    def __str__(self) -> str:
        return f"bid {self.pk} ({self.get_status_display()})"

    def receipt_document(self) -> dict:
        """The receipt file as `ebid verify-receipt` reads it (docs/sealing.md §8)."""
        return {"receipt": self.receipt, "signature": self.signature}


class OpeningStatus(models.TextChoices):
    WAITING = "waiting", _("Bids listed, waiting for the host")
    DECRYPTING = "decrypting", _("Decrypting")
    CONFIRMING = "confirming", _("Read out; bidders confirming")
    CLOSED = "closed", _("Closed")
    FAILED = "failed", _("Failed to open (流标)")


def opening_record_path(instance: "Opening", filename: str) -> str:
    return f"tenders/{instance.lot.tender_id}/openings/{instance.lot_id}/{filename}"


class Opening(models.Model):
    """The remote opening (不见面开标) of one lot (DESIGN §6): it begins at the bid deadline."""

    lot = models.OneToOneField(Lot, on_delete=models.PROTECT, related_name="opening")
    status = models.CharField(_("status"), max_length=20, choices=OpeningStatus.choices,
                              default=OpeningStatus.WAITING)
    began_at = models.DateTimeField(_("began at"))
    min_bids = models.PositiveSmallIntegerField(_("minimum bids"))
    failure_reason = models.TextField(_("reason it failed"), blank=True)
    decryption_started_at = models.DateTimeField(_("decryption started at"), null=True, blank=True)
    decryption_ends_at = models.DateTimeField(_("decryption window ends at"), null=True, blank=True)
    readout_at = models.DateTimeField(_("read out at"), null=True, blank=True)
    confirm_ends_at = models.DateTimeField(_("confirmation window ends at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    record_file = models.FileField(_("opening record (PDF)"), upload_to=opening_record_path, max_length=300,
                                   blank=True)
    record_sha256 = models.CharField(_("record SHA-256"), max_length=64, blank=True)
    record_published_at = models.DateTimeField(_("record published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")

    def __str__(self) -> str:
        return f"opening of lot {self.lot_id} ({self.status})"


class OpenedBidStatus(models.TextChoices):
    SEALED = "sealed", _("Not yet decrypted")
    DECRYPTED = "decrypted", _("Decrypted")
    BACKUP = "backup", _("Opened from the bidder's backup")
    REVOKED = "revoked", _("Failed to decrypt: bidder's fault, treated as revoked")
    WITHDRAWN = "withdrawn", _("Failed to decrypt: not the bidder's fault, treated as withdrawn")


OPENED_STATUSES = (OpenedBidStatus.DECRYPTED, OpenedBidStatus.BACKUP)


class Response(models.TextChoices):
    NONE = "", pgettext_lazy("readout response", "No response (taken as accepted)")
    CONFIRMED = "confirmed", pgettext_lazy("readout response", "Confirmed")
    OBJECTED = "objected", pgettext_lazy("readout response", "Objected")


class OpenedBid(models.Model):
    """A bid listed at an opening, and what became of it there: decrypted, opened from a backup, or failed."""

    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="bids")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="opened")
    status = models.CharField(_("status"), max_length=20, choices=OpenedBidStatus.choices,
                              default=OpenedBidStatus.SEALED)
    wrapped_key = models.BinaryField(_("data key under the platform key-encryption key"), null=True, blank=True,
                                     editable=False)
    summary = models.JSONField(_("summary (read out)"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    wrong_keys = models.PositiveSmallIntegerField(_("wrong keys presented"), default=0)
    failure_cause = models.TextField(_("cause of failure"), blank=True)
    response = models.CharField(_("response to the readout"), max_length=20, choices=Response.choices,
                                blank=True, default="")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bid at opening")
        verbose_name_plural = _("bids at opening")
        ordering = ["opening", "bid__received_at", "pk"]

    def __str__(self) -> str:
        return f"bid {self.bid_id} at opening ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPENED_STATUSES


class Objection(models.Model):
    """An objection raised in the hall (实施条例 art. 44): answered online by the host, kept in the record."""

    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="objections")
    bidder = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection at opening")
        verbose_name_plural = _("objections at opening")
        ordering = ["opening", "raised_at", "pk"]

    def __str__(self) -> str:
        return f"objection {self.pk} at opening {self.opening_id}"


class Reminder(models.Model):
    """A reminder sent before a tender's deadline (one per tender and lead time), so a repeat sends nothing."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="reminders")
    hours_before = models.PositiveSmallIntegerField(_("hours before the deadline"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.PositiveIntegerField(_("organisations reminded"), default=0)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [models.UniqueConstraint(fields=["tender", "hours_before"], name="reminder_once_per_lead_time")]

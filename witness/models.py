"""The witness ledger (数字见证): an append-only, hash-chained record of every act."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The ledger is append-only: rows are never updated or deleted."""


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("witness events are append-only; update refused")

    def delete(self):
        raise AppendOnlyError("witness events are append-only; delete refused")

    def _raw_delete(self, using):
        raise AppendOnlyError("witness events are append-only; delete refused")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("witness events are append-only; update refused")


class Event(models.Model):
    # The sequence number is the primary key: one index fewer to maintain on every append.
    seq = models.PositiveBigIntegerField(_("sequence"), primary_key=True)
    created_at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False,
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=30)
    ip = models.CharField(_("client IP"), max_length=45, blank=True)
    action = models.CharField(_("action"), max_length=80)
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject id"), max_length=64)
    # The tender an event belongs to, when it belongs to one: lets a participant see
    # "the events of its own tenders" with one indexed filter.
    tender_id = models.BigIntegerField(_("tender"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("data"), default=dict)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("witness event")
        verbose_name_plural = _("witness events")
        ordering = ["seq"]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject_type}:{self.subject_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("witness events are append-only; update refused")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("witness events are append-only; delete refused")


class ChainHead(models.Model):
    """One row: the last sequence number and hash. Appenders lock it, so the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("ledger chain head")

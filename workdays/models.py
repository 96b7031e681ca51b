from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """The trading centre's amendment to the national calendar for one day."""

    day = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar amendment")
        verbose_name_plural = _("calendar amendments")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'working' if self.is_working_day else 'rest'}"

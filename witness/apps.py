from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WitnessConfig(AppConfig):
    name = "witness"
    verbose_name = _("Witness ledger")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Expert pool and draws")

    def ready(self) -> None:
        from experts.links import register_ledger_links

        register_ledger_links()

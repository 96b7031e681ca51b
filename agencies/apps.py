from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Intermediary directory and cards")

    def ready(self) -> None:
        from agencies.hooks import register_hooks

        register_hooks()

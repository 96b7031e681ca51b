from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = _("Expert pool and draws")

    def ready(self) -> None:
        from bidding.hooks import register_lot_actions
        from experts.links import register_ledger_links
        from experts.lot_actions import draw_request_action

        register_ledger_links()
        register_lot_actions(draw_request_action)

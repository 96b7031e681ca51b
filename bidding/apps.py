from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "bidding"
    verbose_name = _("Tenders and bids")

    def ready(self) -> None:
        from bidding.hooks import register_known_bidders, register_lot_actions
        from bidding.links import register_ledger_links
        from bidding.services.bids import submitted_bidders
        from bidding.views.bids import bid_lot_action
        from bidding.views.hall import hall_lot_action

        register_ledger_links()
        register_known_bidders(submitted_bidders)
        register_lot_actions(bid_lot_action)
        register_lot_actions(hall_lot_action)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BiddingConfig(AppConfig):
    name = "bidding"
    verbose_name = _("Tenders and bids")

    def ready(self) -> None:
        from bidding.links import register_ledger_links

        register_ledger_links()

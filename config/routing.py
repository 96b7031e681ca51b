from django.urls import path

from witness.consumers import LedgerFeedConsumer

websocket_urlpatterns = [
    path("ws/ledger/", LedgerFeedConsumer.as_asgi()),
]

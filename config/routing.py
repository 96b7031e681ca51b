from django.urls import path

from bidding.consumers import HallConsumer
from evaluation.consumers import ProgressConsumer
from witness.consumers import LedgerFeedConsumer

websocket_urlpatterns = [
    path("ws/ledger/", LedgerFeedConsumer.as_asgi()),
    path("ws/hall/<int:lot_id>/", HallConsumer.as_asgi()),
    path("ws/evaluation/<int:lot_id>/", ProgressConsumer.as_asgi()),
]

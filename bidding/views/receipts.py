"""The platform's receipt public key as a PEM file, for `ebid verify-receipt --platform-key`."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from bidding.receipts import public_key_pem


@require_GET
def receipt_key_pem(request):
    response = HttpResponse(public_key_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="platform-receipt-key.pem"'
    return response

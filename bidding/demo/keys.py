"""Demo sealing keys, so a visitor can seal and submit a bid straight away.

For the first three demo bidders a P-256 key pair is made with the `ebid` package, the public half
registered through accounts.services.key_register (as the bidder's administrator would on the
organisation page), and the private half written to DEMO_KEYS_DIR (default var/demo-keys/), encrypted
with the demo password as passphrase. A real bidder makes its pair on its own computer (`ebid keygen`);
only the demo keeps private halves on the server's disk, and only because they are demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from django.conf import settings

from accounts.models import Organisation, PublicKey
from accounts.services import key_register
from bidding.demo import organisations as orgs
from ebid.keys import keygen

KEYED_BIDDERS = ("bidder1", "bidder2", "bidder3")


def keys_dir() -> Path:
    return Path(getattr(settings, "DEMO_KEYS_DIR", settings.VAR_DIR / "demo-keys"))


def seed(actor_for: Callable[[orgs.OrgSpec], object], log: Callable[[str], None]) -> None:
    folder = keys_dir()
    for spec in orgs.ALL:
        if spec.username not in KEYED_BIDDERS:
            continue
        org = Organisation.objects.get(credit_code=spec.credit_code)
        if PublicKey.objects.filter(organisation=org, purpose=PublicKey.Purpose.SEALING,
                                    status=PublicKey.Status.ACTIVE).exists():
            continue
        private_pem, public_pem = keygen(orgs.PASSWORD.encode())
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{spec.username}-sealing-key.pem"
        path.write_bytes(private_pem)
        path.chmod(0o600)
        key_register(actor=actor_for(spec), organisation=org, purpose=PublicKey.Purpose.SEALING,
                     label="演示加密密钥", pem=public_pem.decode())
        log(f"  key        {spec.username}: private sealing key in {path} (passphrase: the demo password)")

"""Shared by the opening-hall benchmarks: tenders whose bid deadline has passed, with bids sealed by `ebid`
exactly as a bidder's machine seals them, from bidder organisations that registered their sealing keys.

A tender's history has to lie in the past, so it is made with the platform's clock run from weeks ago
(bidding.demo.opening.clock_from, as the demo does): organisations, keys and tenders first, then every bid,
so the ledger's times still rise with its sequence numbers; what the benchmark then times happens at the
real time. Bidders are made without password hashing (nobody signs in as them: the services take actors)."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass
class BenchBidder:
    actor: object
    private_key: object
    envelopes: dict[int, bytes] = field(default_factory=dict)  # lot id -> sealed envelope

    def data_key(self, lot_id: int) -> bytes:
        """What the bidder's own machine does at opening: unwrap its data key with its private key."""
        from ebid import read_header, unwrap_data_key

        return unwrap_data_key(read_header(io.BytesIO(self.envelopes[lot_id])), self.private_key)


def officials() -> dict:
    """The host agency, the tenderer and the trading centre (a few actors: factory passwords are fine)."""
    from accounts.models import Organisation
    from tests.factories import OrganisationFactory, actor_of

    return {"agency": actor_of("agency"), "centre": actor_of("centre"),
            "tenderer": OrganisationFactory(kind=Organisation.Kind.TENDERER, name="安吉县交通运输局")}


def members_make(kind: str, count: int, *, per_organisation: bool, label: str) -> list:
    """`count` signed-up people of organisation kind `kind` (approved), each an admin of its own organisation
    or all of one. Users are bulk-made with an unusable password. Returns their Actors."""
    from accounts.models import Membership, User
    from core.actor import Actor
    from tests.factories import OrganisationFactory

    if per_organisation:
        orgs = [OrganisationFactory(kind=kind, name=f"{label}{i + 1:03d}有限公司") for i in range(count)]
    else:
        orgs = [OrganisationFactory(kind=kind, name=f"{label}")] * count
    users = User.objects.bulk_create([User(username=f"{kind}-{label}-{i}", password="!", full_name=f"{label}{i}")
                                      for i in range(count)])
    Membership.objects.bulk_create([Membership(user=u, organisation=o, role=Membership.Role.ADMIN)
                                    for u, o in zip(users, orgs)])
    return [Actor(user=u, organisation=o, role=o.kind, ip="127.0.0.1") for u, o in zip(users, orgs)]


def bidders_make(count: int, *, label: str = "投标人") -> list[BenchBidder]:
    """Bidder organisations, each with a sealing key registered through accounts.services.key_register."""
    from cryptography.hazmat.primitives.asymmetric import ec

    from accounts.services import key_register
    from ebid.keys import public_pem

    bidders = []
    for actor in members_make("bidder", count, per_organisation=True, label=label):
        key = ec.generate_private_key(ec.SECP256R1())
        key_register(actor=actor, organisation=actor.organisation, purpose="sealing", label="main key",
                     pem=public_pem(key.public_key()).decode())
        bidders.append(BenchBidder(actor=actor, private_key=key))
    return bidders


def tender_published(people: dict):
    """A published one-lot tender whose 25-day bid period began with the (moved) clock."""
    from bidding.services import tender_review, tender_submit
    from core import clock
    from tests.factories import make_tender

    tender = make_tender(agency=people["agency"], tenderer=people["tenderer"],
                         start=clock.now() - timedelta(minutes=1))
    tender_submit(actor=people["agency"], tender=tender)
    tender_review(actor=people["centre"], tender=tender, approve=True)
    tender.refresh_from_db()
    return tender


def bid_seal_submit(bidder: BenchBidder, lot, *, price: str, file_bytes: int = 2048) -> None:
    """Seal a small summary and one small file with ebid, then upload it as the submission page does."""
    from bidding.services.bids import bid_upload_chunk, bid_upload_finish, bid_upload_start
    from ebid import Binding, seal

    org = bidder.actor.organisation
    out = io.BytesIO()
    pdf = (b"%PDF-1.7 technical proposal of " + org.name.encode() + b" ")
    seal(binding=Binding(tender_id=lot.tender_id, tender_reference=lot.tender.reference, lot_id=lot.pk,
                         bidder_id=org.pk, bidder_credit_code=org.credit_code),
         summary={"bidder": org.name, "price": price, "duration_days": 180, "quality": "合格"},
         files=[("技术标.pdf", io.BytesIO((pdf * (file_bytes // len(pdf) + 1))[:file_bytes]))],
         recipients=[bidder.private_key.public_key()], out=out)
    envelope = out.getvalue()
    upload = bid_upload_start(actor=bidder.actor, lot_id=lot.pk, size=len(envelope),
                              sha256=hashlib.sha256(envelope).hexdigest(), idempotency_key=uuid.uuid4().hex)
    bid_upload_chunk(actor=bidder.actor, upload_id=upload.pk, offset=0, data=envelope)
    bid_upload_finish(actor=bidder.actor, upload_id=upload.pk)
    bidder.envelopes[lot.pk] = envelope


def past_tenders(count: int, bidders: list[BenchBidder], *, people: dict | None = None) -> tuple[dict, list]:
    """`count` one-lot tenders, their deadlines about a day ago, each with a sealed bid from every bidder.
    Returns the officials and the lots. The bidders must have been made inside the same history
    (call this inside history())."""
    from core import clock
    from bidding.demo.opening import clock_from

    people = people or officials()
    tenders = [tender_published(people) for _ in range(count)]
    deadline = min(t.bid_deadline for t in tenders)
    with clock_from(deadline - timedelta(hours=6)):
        for tender in tenders:
            lot = tender.lots.get()
            for i, bidder in enumerate(bidders):
                bid_seal_submit(bidder, lot, price=f"{1_800_000 + 137 * i + tender.pk}.00")
        assert clock.now() < deadline, "submitting the bids took longer than the history allows"
    return people, [t.lots.get() for t in tenders]


def history():
    """Run the platform's clock from 26 days ago (the tenders' 25-day bid periods end about a day ago)."""
    from core import clock
    from bidding.demo.opening import clock_from

    return clock_from(clock.now() - timedelta(days=26))

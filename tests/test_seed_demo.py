"""`manage.py seed_demo`: a believable county trading centre, loaded through the services, idempotent."""

from __future__ import annotations

import shutil
import subprocess
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts import credit_code
from accounts.models import Membership, Organisation, User
from bidding.demo.organisations import PASSWORD
from bidding.models import Clarification, Tender, TenderDocument
from bidding.models import TenderStatus as S
from witness.models import Event
from witness.verify import chain_verify



def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {"organisations": Organisation.objects.count(), "users": User.objects.count(),
            "memberships": Membership.objects.count(), "tenders": Tender.objects.count(),
            "documents": TenderDocument.objects.count(), "clarifications": Clarification.objects.count(),
            "events": Event.objects.count()}


@pytest.mark.django_db
def test_demo_has_a_centre_a_regulator_agencies_tenderers_and_bidders_in_review_states():
    seed_demo()

    def of(kind, status=None):
        qs = Organisation.objects.filter(kind=kind)
        return (qs.filter(status=status) if status else qs).count()

    assert of("centre") == 1 and of("regulator") == 1
    assert of("agency", "approved") == 6  # the two agencies and four intermediaries (agencies/demo.py)
    assert of("tenderer", "approved") == 3
    assert of("bidder", "approved") >= 8
    assert of("bidder", "pending") in (1, 2)
    assert of("bidder", "rejected") == 1
    assert Organisation.objects.get(kind="bidder", status="rejected").review_note
    for org in Organisation.objects.all():
        assert credit_code.validate(org.credit_code) == org.credit_code
        assert org.memberships.filter(role=Membership.Role.ADMIN).exists()
    assert authenticate(username="centre", password=PASSWORD) is not None
    assert authenticate(username="bidder1", password=PASSWORD) is not None


@pytest.mark.django_db
def test_demo_tenders_cover_every_early_state_each_with_a_pdf_tender_document():
    seed_demo()

    by_status = {status: Tender.objects.filter(status=status).count() for status in S.values}
    assert by_status[S.DRAFT] >= 1
    assert by_status[S.SUBMITTED] >= 1
    assert by_status[S.RETURNED] >= 1
    assert by_status[S.PUBLISHED] >= 3
    assert by_status[S.CANCELLED] >= 1
    assert all(t.review_note for t in Tender.objects.filter(status=S.RETURNED))
    assert all(t.cancel_reason for t in Tender.objects.filter(status=S.CANCELLED))

    clarified = Clarification.objects.select_related("tender").get()
    assert clarified.tender.status == S.PUBLISHED
    assert clarified.new_deadline == clarified.tender.bid_deadline > clarified.previous_deadline

    for tender in Tender.objects.all():
        document = tender.documents.get(version=1)
        with document.file.open("rb") as handle:
            content = handle.read()
        assert content.startswith(b"%PDF-")
        assert len(content) == document.size
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", document.file.path, "-"], capture_output=True, text=True,
                                  check=True).stdout.replace("\n", "")
            assert tender.title in text
            assert tender.reference in text


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_prints_the_logins_again():
    first = seed_demo()
    before = counts()

    second = seed_demo()

    assert counts() == before
    assert "nothing changed" in second
    for output in (first, second):
        assert "Username" in output and "Password" in output
        assert "centre" in output and PASSWORD in output
    assert chain_verify().ok
    call_command("witness_verify", stdout=StringIO())  # exits non-zero (SystemExit) if the chain is broken


@pytest.mark.django_db
def test_three_demo_bidders_get_a_sealing_key_whose_private_half_opens_with_the_demo_password(settings, tmp_path):
    from accounts.models import PublicKey
    from ebid.keys import fingerprint, load_private_key

    settings.DEMO_KEYS_DIR = tmp_path
    seed_demo()
    seed_demo()

    keys = PublicKey.objects.filter(purpose="sealing", status="active").select_related("organisation")
    assert sorted(k.organisation.memberships.get().user.username for k in keys) == ["bidder1", "bidder2", "bidder3"]
    for key in keys:
        username = key.organisation.memberships.get().user.username
        private = load_private_key((tmp_path / f"{username}-sealing-key.pem").read_bytes(), PASSWORD.encode())
        assert fingerprint(private.public_key()) == key.fingerprint


@pytest.mark.django_db
def test_the_demo_has_an_opening_ready_whose_bids_the_demo_keys_decrypt(settings, tmp_path):
    from bidding.demo.opening import SPEC
    from bidding.services import opening as svc
    from ebid import read_header, unwrap_data_key
    from ebid.keys import load_private_key
    from tests.factories import actor_of

    settings.DEMO_KEYS_DIR = tmp_path
    seed_demo()
    tender = Tender.objects.get(title=SPEC.title)
    lot = tender.lots.get()
    opening = svc.opening_for(actor=actor_of("regulator"), lot_id=lot.pk)
    assert opening.status == "waiting" and opening.bids.count() == 3
    times = list(Event.objects.order_by("seq").values_list("created_at", flat=True))
    assert times == sorted(times), "the ledger's times rise with its sequence numbers"
    for opened in opening.bids.select_related("bid__bidder"):
        username = opened.bid.bidder.memberships.get().user.username
        key = load_private_key((tmp_path / f"{username}-sealing-key.pem").read_bytes(), PASSWORD.encode())
        with opened.bid.envelope.open("rb") as fh:
            assert len(unwrap_data_key(read_header(fh), key)) == 32

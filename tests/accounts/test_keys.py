"""Registered public keys: only public halves, the right algorithm per purpose, every act witnessed."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from django.utils import translation

from accounts.models import Membership, PublicKey
from accounts.services import key_register, key_revoke
from core.errors import DomainError, IllegalTransition, PermissionDenied
from tests.factories import actor_of
from witness.models import Event
from witness.verify import chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



def public_pem(private) -> str:
    return private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def p256():
    return ec.generate_private_key(ec.SECP256R1())


def counts() -> tuple[int, int]:
    return PublicKey.objects.count(), Event.objects.count()


def test_a_p256_sealing_key_is_registered_with_its_spki_fingerprint(bidder):
    # given a P-256 key pair made on the bidder's own computer
    private = p256()
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    # when its public half is registered for sealing
    key = key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="main key",
                       pem=public_pem(private))
    # then the fingerprint is SHA-256 of the DER SubjectPublicKeyInfo, and the act is witnessed
    assert key.fingerprint == hashlib.sha256(der).hexdigest()
    assert key.algorithm == "EC-P256"
    assert key.status == PublicKey.Status.ACTIVE
    event = Event.objects.get(action="key.registered")
    assert event.subject_id == str(key.pk)
    assert event.data["fingerprint"] == key.fingerprint
    assert event.data["purpose"] == "sealing"
    assert chain_verify().ok


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL])
def test_a_private_key_is_refused_and_nothing_saved(bidder, fmt):
    # given a private key in PEM form, pasted by mistake
    pem = p256().private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
    before = counts()
    # when it is registered, then it is refused with the "private key" message and nothing is stored
    with pytest.raises(DomainError) as caught:
        key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="oops", pem=pem)
    assert caught.value.code == "private_key"
    assert "private key" in str(caught.value)
    assert counts() == before


def test_an_rsa_key_is_refused_for_sealing(bidder):
    pem = public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    before = counts()
    with pytest.raises(DomainError) as caught:
        key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="rsa", pem=pem)
    assert "P-256" in str(caught.value) and "RSA-2048" in str(caught.value)
    assert counts() == before


def test_an_ed25519_key_is_accepted_for_signing(bidder):
    key = key_register(actor=bidder, organisation=bidder.organisation, purpose="signing", label="signing key",
                       pem=public_pem(ed25519.Ed25519PrivateKey.generate()))
    assert key.algorithm == "Ed25519"
    assert key.purpose == PublicKey.Purpose.SIGNING


def test_an_ed25519_key_is_refused_for_sealing(bidder):
    before = counts()
    with pytest.raises(DomainError):
        key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="x",
                     pem=public_pem(ed25519.Ed25519PrivateKey.generate()))
    assert counts() == before


@pytest.mark.parametrize("pem", [
    pytest.param("", id="empty"),
    pytest.param("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", id="garbage"),
    pytest.param("公钥", id="not-ascii"),
])
def test_unreadable_pem_is_refused(bidder, pem):
    before = counts()
    with pytest.raises(DomainError) as caught:
        key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="x", pem=pem)
    assert "public_key_pem" in caught.value.fields
    assert counts() == before


def test_the_same_key_twice_is_refused(bidder):
    pem = public_pem(p256())
    key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="main", pem=pem)
    before = counts()
    with pytest.raises(DomainError) as caught:
        key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="again", pem=pem)
    assert caught.value.code == "duplicate"
    assert counts() == before


def test_a_member_of_another_organisation_cannot_register(bidder):
    outsider = actor_of("bidder")
    before = counts()
    with pytest.raises(PermissionDenied):
        key_register(actor=outsider, organisation=bidder.organisation, purpose="sealing", label="x",
                     pem=public_pem(p256()))
    assert counts() == before


def test_a_staff_member_cannot_register(bidder):
    staff = actor_of("bidder", organisation=bidder.organisation, role=Membership.Role.STAFF)
    with pytest.raises(PermissionDenied):
        key_register(actor=staff, organisation=bidder.organisation, purpose="sealing", label="x",
                     pem=public_pem(p256()))


@pytest.fixture
def sealing_key(bidder):
    return key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="main",
                        pem=public_pem(p256()))


def test_revocation_needs_a_reason(bidder, sealing_key):
    before = Event.objects.count()
    with pytest.raises(DomainError) as caught:
        key_revoke(actor=bidder, key=sealing_key, reason=" ")
    assert "reason" in caught.value.fields
    sealing_key.refresh_from_db()
    assert sealing_key.status == PublicKey.Status.ACTIVE
    assert Event.objects.count() == before


def test_revocation_is_recorded_and_cannot_be_repeated(bidder, sealing_key):
    # when the administrator revokes the key
    key_revoke(actor=bidder, key=sealing_key, reason="U盾遗失")
    sealing_key.refresh_from_db()
    # then it is revoked with who, when and why, and the act is witnessed
    assert sealing_key.status == PublicKey.Status.REVOKED
    assert sealing_key.revoked_by == bidder.user
    assert sealing_key.revoked_at is not None
    event = Event.objects.get(action="key.revoked")
    assert event.data == {"fingerprint": sealing_key.fingerprint, "reason": "U盾遗失"}
    # and a second revocation is refused without writing anything
    before = Event.objects.count()
    with pytest.raises(IllegalTransition):
        key_revoke(actor=bidder, key=sealing_key, reason="again")
    assert Event.objects.count() == before


def test_a_member_of_another_organisation_cannot_revoke(sealing_key):
    outsider = actor_of("bidder")
    before = Event.objects.count()
    with pytest.raises(PermissionDenied):
        key_revoke(actor=outsider, key=sealing_key, reason="mischief")
    sealing_key.refresh_from_db()
    assert sealing_key.status == PublicKey.Status.ACTIVE
    assert Event.objects.count() == before


def test_every_key_act_is_in_the_ledger(bidder):
    key = key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="main",
                       pem=public_pem(p256()))
    backup = key_register(actor=bidder, organisation=bidder.organisation, purpose="sealing", label="backup",
                          pem=public_pem(p256()))
    key_revoke(actor=bidder, key=key, reason="replaced")
    actions = list(Event.objects.filter(subject_type="accounts.publickey").values_list("action", "subject_id"))
    assert actions == [("key.registered", str(key.pk)), ("key.registered", str(backup.pk)),
                       ("key.revoked", str(key.pk))]
    assert chain_verify().ok

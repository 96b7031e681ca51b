"""PDF signatures (PAdES baseline B-B) under the platform's own certificate authority.

No rule mandates a particular CA: the law asks that the opening record be signed (20号令; RULES E8, N3) and
that every committee member sign the evaluation report (RULES X8). So the platform runs a small CA of its own
(``PLATFORM_CA_KEY`` / ``PLATFORM_CA_CERT``) and issues from it:

- the platform's document-signing certificate, which signs the records the platform itself produces;
- one certificate per committee member (``issue_certificate``), for the per-member report signatures.

Every signature is an incremental update, so later signatures never disturb earlier ones, and carries the
chain (signer and CA certificates). Anyone verifies with Poppler's ``pdfsig`` and an NSS database that
trusts the CA (``pdfsig_report``; docs/pdf-signing.md). There is no timestamp authority, so the level is
B-B: the signing time is the platform's claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import subprocess
import tempfile
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from core import clock
from core.errors import DomainError

CA_YEARS = 10
# pdfsig and most readers check a certificate at the time of reading (no timestamp here), so a member's
# certificate has to stay valid while the archive keeps the report. No rule sets a lifetime [INFERRED].
MEMBER_CERT_DAYS = 3650
# id-kp-documentSigning (RFC 9336); emailProtection is what NSS asks of a signer's certificate.
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
SIGNER_KEY_USAGE = x509.KeyUsage(
    digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
    key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False)


def _name(common_name: str, organisation_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem(key: CertificateIssuerPrivateKeyTypes) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def ca_create(*, common_name: str, organisation_name: str) -> tuple[str, str]:
    """A new self-signed CA (ECDSA P-256, 10 years): (private key PEM, certificate PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name, organisation_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    now = clock.now()
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(CA_KEY_USAGE, critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _pem(key), cert.public_bytes(serialization.Encoding.PEM).decode()


@lru_cache(maxsize=8)
def _dev_ca_pem(pki_dir: Path) -> tuple[str, str]:
    """Development: the CA made once under VAR_DIR/pki. Key and certificate share one file, linked into place,
    so processes starting together all end up with the same CA."""
    bundle = pki_dir / "ca.pem"
    if not bundle.exists():
        pki_dir.mkdir(parents=True, exist_ok=True)
        key_pem, cert_pem = ca_create(common_name=f"{settings.PLATFORM_NAME} CA (development)",
                                      organisation_name=settings.PLATFORM_NAME)
        tmp = pki_dir / f".ca-{os.getpid()}-{secrets.token_hex(4)}.tmp"
        tmp.write_text(key_pem + cert_pem)
        tmp.chmod(0o600)
        try:
            os.link(tmp, bundle)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    text = bundle.read_text()
    cert_at = text.index("-----BEGIN CERTIFICATE-----")
    cert_pem = text[cert_at:]
    public = pki_dir / "ca-cert.pem"  # what to import into a viewer's trust store
    if not public.exists() or public.read_text() != cert_pem:
        public.write_text(cert_pem)
    return text[:cert_at], cert_pem


@lru_cache(maxsize=8)
def _load_ca(key_pem: str, cert_pem: str) -> tuple[CertificateIssuerPrivateKeyTypes, x509.Certificate]:
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
    except ValueError as exc:
        raise ImproperlyConfigured(f"PLATFORM_CA_KEY / PLATFORM_CA_CERT are not a PEM key and certificate: {exc}")
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise ImproperlyConfigured("PLATFORM_CA_KEY is not the key of PLATFORM_CA_CERT.")
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        raise ImproperlyConfigured("PLATFORM_CA_CERT is not a CA certificate (basicConstraints CA:TRUE).")
    return key, cert


def _ca_pem() -> tuple[str, str]:
    if settings.PLATFORM_CA_KEY and settings.PLATFORM_CA_CERT:
        return settings.PLATFORM_CA_KEY, settings.PLATFORM_CA_CERT
    if not settings.DEBUG:
        raise ImproperlyConfigured("PLATFORM_CA_KEY and PLATFORM_CA_CERT are not set.")
    return _dev_ca_pem(Path(settings.VAR_DIR) / "pki")


def ca() -> tuple[CertificateIssuerPrivateKeyTypes, x509.Certificate]:
    """The platform CA's key and certificate: from settings, or in development the one under VAR_DIR/pki."""
    return _load_ca(*_ca_pem())


def ca_certificate_pem() -> str:
    return ca()[1].public_bytes(serialization.Encoding.PEM).decode()


def _public_der(public_key: PublicKeyTypes) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _signer_builder(*, common_name: str, organisation_name: str, public_key: PublicKeyTypes,
                    ca_cert: x509.Certificate) -> x509.CertificateBuilder:
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation_name))
        .issuer_name(ca_cert.subject).public_key(public_key)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(SIGNER_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]),
                       critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
    )


def issue_certificate(*, common_name: str, organisation_name: str, public_key: PublicKeyTypes,
                      serial: int | None = None, days: int = MEMBER_CERT_DAYS) -> x509.Certificate:
    """A document-signing certificate from the platform CA for ``public_key`` (e.g. one committee member's).
    It never outlives the CA."""
    ca_key, ca_cert = ca()
    now = clock.now()
    return (
        _signer_builder(common_name=common_name, organisation_name=organisation_name, public_key=public_key,
                        ca_cert=ca_cert)
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(min(now + dt.timedelta(days=days), ca_cert.not_valid_after_utc))
        .sign(ca_key, hashes.SHA256())
    )


def platform_identity() -> tuple[CertificateIssuerPrivateKeyTypes, x509.Certificate]:
    """The key and certificate the platform signs its own documents with.

    ``PLATFORM_PDF_KEY`` / ``PLATFORM_PDF_CERT`` when both are set (a certificate issued by the platform CA,
    e.g. to rotate the signing key without a new CA). Otherwise derived from the CA, in development and in
    production alike: the key by HKDF from the CA key, the certificate with fixed fields and a deterministic
    ECDSA signature, so every process and every restart has the very same certificate and nothing is stored.
    """
    ca_pem = _ca_pem()
    if settings.PLATFORM_PDF_KEY and settings.PLATFORM_PDF_CERT:
        return _load_identity(settings.PLATFORM_PDF_KEY, settings.PLATFORM_PDF_CERT, *ca_pem)
    return _derived_identity(*ca_pem, settings.PLATFORM_NAME)


@lru_cache(maxsize=8)
def _load_identity(key_pem: str, cert_pem: str, ca_key_pem: str, ca_cert_pem: str):
    ca_cert = _load_ca(ca_key_pem, ca_cert_pem)[1]
    try:
        key = serialization.load_pem_private_key(key_pem.encode(), password=None)
        cert = x509.load_pem_x509_certificate(cert_pem.encode())
    except ValueError as exc:
        raise ImproperlyConfigured(f"PLATFORM_PDF_KEY / PLATFORM_PDF_CERT are not a PEM key and certificate: {exc}")
    _check_pair(key, cert, ca_cert, error=ImproperlyConfigured)
    return key, cert


@lru_cache(maxsize=8)
def _derived_identity(ca_key_pem: str, ca_cert_pem: str, platform_name: str):
    ca_key, ca_cert = _load_ca(ca_key_pem, ca_cert_pem)
    seed = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=b"ebid platform pdf signing key v1").derive(
        ca_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()))
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 group order
    key = ec.derive_private_key(int.from_bytes(seed) % (order - 1) + 1, ec.SECP256R1())
    common_name = f"{platform_name} 文件签章"
    builder = _signer_builder(common_name=common_name, organisation_name=platform_name,
                              public_key=key.public_key(), ca_cert=ca_cert)
    # RFC 5280 wants serials unique per CA: a different subject (a renamed platform) gets a different serial.
    subject = _name(common_name, platform_name).public_bytes()
    serial = int.from_bytes(hashlib.sha256(_public_der(key.public_key()) + subject).digest()[:16]) >> 1
    cert = (builder.serial_number(serial)
            .not_valid_before(ca_cert.not_valid_before_utc).not_valid_after(ca_cert.not_valid_after_utc)
            .sign(ca_key, hashes.SHA256(), ecdsa_deterministic=isinstance(ca_key, ec.EllipticCurvePrivateKey) or None))
    return key, cert


def _check_pair(key, cert: x509.Certificate, ca_cert: x509.Certificate, *, error=DomainError) -> None:
    if _public_der(key.public_key()) != _public_der(cert.public_key()):
        raise error(_("The signing key does not belong to the certificate."))
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise error(_("The signing certificate was not issued by the platform CA.")) from exc


def sign_pdf(pdf: bytes, *, key=None, cert: x509.Certificate | None = None, field_name: str, reason: str,
             location: str, name: str | None = None) -> bytes:
    """``pdf`` with one more PAdES signature (ETSI.CAdES.detached, SHA-256) in a new invisible field
    ``field_name``, appended as an incremental update so earlier signatures stay valid. The chain (signer and
    CA certificates) is embedded. Without ``key``/``cert`` the platform signs with its own identity."""
    # pyHanko takes most of a second to import: only processes that actually sign pay for it.
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.general import SigningError
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if (key is None) != (cert is None):
        raise DomainError(_("Give both the signing key and its certificate, or neither."))
    ca_cert = ca()[1]
    if key is None:
        key, cert = platform_identity()
    else:
        _check_pair(key, cert, ca_cert)
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(ca_cert.public_bytes(serialization.Encoding.DER))]),
    )
    meta = signers.PdfSignatureMetadata(field_name=field_name, subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256", reason=reason, location=location, name=name)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        return signers.sign_pdf(writer, meta, signer=signer).getvalue()
    except SigningError as exc:
        raise DomainError(_("The document cannot take the signature %(field)s: %(reason)s")
                          % {"field": field_name, "reason": exc}, code="signature_field") from exc
    except PdfError as exc:
        raise DomainError(_("This is not a PDF document that can be signed: %(reason)s") % {"reason": exc},
                          code="not_a_pdf") from exc


# --- Verification with Poppler's pdfsig -----------------------------------------------------------------
# pdfsig prints, per signature, "Signature #N:" then "  - Label: value" lines and one of
# "  - Total document signed" / "  - Not total document signed". The labels read here:
PDFSIG_LABELS = {
    "Signature Field Name": "field_name",
    "Signer Certificate Common Name": "common_name",
    "Signer full Distinguished Name": "distinguished_name",
    "Signing Time": "signing_time",
    "Signing Hash Algorithm": "hash_algorithm",
    "Signature Type": "signature_type",
    "Signed Ranges": "signed_ranges",
    "Signature Validation": "signature_validation",  # "Signature is Valid." / "Digest Mismatch." / ...
    "Certificate Validation": "certificate_validation",  # "Certificate is Trusted." / "... isn't Trusted." / ...
}


def pdfsig_report(path_or_bytes: str | Path | bytes, *, trust_ca: bool = True) -> dict:
    """Run ``pdfsig`` (poppler-utils) on a PDF against an NSS database that holds the platform CA as a trusted
    root (``trust_ca``) or nothing at all, and return ``{"signatures": [...], "output": <pdfsig stdout>}``,
    each signature a dict of the fields in PDFSIG_LABELS plus ``total_document``, ``valid`` and ``trusted``."""
    with tempfile.TemporaryDirectory(prefix="pdfsig-") as tmp:
        nssdb = f"sql:{tmp}"
        subprocess.run(["certutil", "-N", "--empty-password", "-d", nssdb], check=True, capture_output=True)
        if trust_ca:
            ca_file = Path(tmp) / "ca.pem"
            ca_file.write_text(ca_certificate_pem())
            subprocess.run(["certutil", "-A", "-n", "platform-ca", "-t", "CT,C,C", "-i", str(ca_file),
                            "-d", nssdb], check=True, capture_output=True)
        if isinstance(path_or_bytes, bytes):
            pdf_file = Path(tmp) / "document.pdf"
            pdf_file.write_bytes(path_or_bytes)
        else:
            pdf_file = Path(path_or_bytes)
        # No -no-ocsp: Poppler 22.12 then reports "Unknown issue with Certificate" even for a good chain. The
        # platform's certificates name no OCSP responder, so nothing is fetched over the network anyway.
        done = subprocess.run(["pdfsig", "-nssdir", nssdb, str(pdf_file)],
                              capture_output=True, text=True)
    signatures: list[dict] = []
    for line in done.stdout.splitlines():
        if re.match(r"^Signature #\d+:$", line):
            signatures.append({})
        elif signatures and (m := re.match(r"^  - (Total|Not total) document signed$", line)):
            signatures[-1]["total_document"] = m.group(1) == "Total"
        elif signatures and (m := re.match(r"^  - ([^:]+): (.*)$", line)) and m.group(1) in PDFSIG_LABELS:
            signatures[-1][PDFSIG_LABELS[m.group(1)]] = m.group(2)
    if not signatures and "does not contain any signatures" not in done.stdout + done.stderr:
        raise RuntimeError(f"pdfsig failed on {pdf_file.name}: {done.stderr.strip() or done.stdout.strip()}")
    for sig in signatures:
        sig["valid"] = sig.get("signature_validation") == "Signature is Valid."
        sig["trusted"] = sig.get("certificate_validation") == "Certificate is Trusted."
    return {"signatures": signatures, "output": done.stdout}

"""PDF signatures under the platform CA, checked the way a reader would: Poppler's pdfsig against an NSS
database. Real pyHanko, real WeasyPrint, real pdfsig; no database needed."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from core import pdfsign
from core.errors import DomainError

ROOT = Path(__file__).resolve().parents[2]
RECORD_HTML = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
  body { font-family: "Noto Sans CJK SC"; font-size: 14pt; }
</style></head><body><h1>开标记录表</h1>
<p>项目名称：安吉县某某学校食堂设备采购项目</p><p>投标人：浙江某某科技有限公司　投标报价：壹佰贰拾万元整</p>
</body></html>"""


@pytest.fixture(scope="module")
def ca_pem():
    return pdfsign.ca_create(common_name="测试交易平台 CA", organisation_name="测试交易平台")


@pytest.fixture(autouse=True)
def platform_ca(settings, ca_pem):
    settings.PLATFORM_CA_KEY, settings.PLATFORM_CA_CERT = ca_pem
    settings.PLATFORM_PDF_KEY = settings.PLATFORM_PDF_CERT = ""
    settings.PLATFORM_NAME = "测试交易平台"


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string=RECORD_HTML).write_pdf()


def member(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    return key, pdfsign.issue_certificate(common_name=name, organisation_name="评标委员会", public_key=key.public_key())


def test_the_platform_signs_a_weasyprint_record_and_pdfsig_trusts_it(record_pdf):
    signed = pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="开标记录表", location="安吉县")

    report = pdfsign.pdfsig_report(signed)

    [sig] = report["signatures"]
    assert sig["field_name"] == "Platform"
    assert sig["common_name"] == "测试交易平台 文件签章"
    assert sig["signature_type"] == "ETSI.CAdES.detached" and sig["hash_algorithm"] == "SHA-256"
    assert sig["signature_validation"] == "Signature is Valid." and sig["valid"]
    assert sig["certificate_validation"] == "Certificate is Trusted." and sig["trusted"]
    assert sig["total_document"]
    assert signed.startswith(record_pdf), "the signature is an incremental update"


def test_the_signer_and_ca_certificates_travel_in_the_signature(record_pdf):
    from pyhanko.pdf_utils.reader import PdfFileReader

    signed = pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="开标记录表", location="安吉县")

    [embedded] = PdfFileReader(BytesIO(signed)).embedded_signatures
    carried = {c.chosen.dump() for c in embedded.signed_data["certificates"]}
    platform_cert, ca_cert = pdfsign.platform_identity()[1], pdfsign.ca()[1]
    assert carried == {platform_cert.public_bytes(serialization.Encoding.DER),
                       ca_cert.public_bytes(serialization.Encoding.DER)}


def test_three_members_sign_in_turn_and_every_signature_stays_valid(record_pdf):
    members = [member(name) for name in ("张伟", "李娜", "王强")]
    pdf = record_pdf
    for i, (key, cert) in enumerate(members, start=1):
        before = pdf
        pdf = pdfsign.sign_pdf(pdf, key=key, cert=cert, field_name=f"Member{i}", reason="评标报告签字",
                               location="安吉县", name=cert.subject.get_attributes_for_oid(
                                   x509.NameOID.COMMON_NAME)[0].value)
        assert pdf.startswith(before)

    sigs = pdfsign.pdfsig_report(pdf)["signatures"]

    assert [s["field_name"] for s in sigs] == ["Member1", "Member2", "Member3"]
    assert [s["common_name"] for s in sigs] == ["张伟", "李娜", "王强"]
    assert all(s["valid"] and s["trusted"] for s in sigs), [s["signature_validation"] for s in sigs]
    assert [s["total_document"] for s in sigs] == [False, False, True]


def test_a_byte_altered_in_the_signed_range_makes_the_signature_invalid(record_pdf):
    signed = bytearray(pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="开标记录表", location="安吉县"))
    at = signed.index(b"/Type /Page") + len(b"/Type /")  # inside [0 - start of /Contents]
    signed[at:at + 4] = b"Pagf"

    [sig] = pdfsign.pdfsig_report(bytes(signed))["signatures"]

    assert not sig["valid"]
    assert sig["signature_validation"] == "Digest Mismatch."


def test_without_the_ca_in_the_nss_database_the_signature_is_valid_but_not_trusted(record_pdf):
    signed = pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="开标记录表", location="安吉县")

    [sig] = pdfsign.pdfsig_report(signed, trust_ca=False)["signatures"]

    assert sig["valid"] and not sig["trusted"]
    assert sig["certificate_validation"] == "Certificate issuer isn't Trusted."


def test_a_member_certificate_is_a_signing_certificate_under_the_ca():
    key, cert = member("赵敏")
    ca_cert = pdfsign.ca()[1]

    cert.verify_directly_issued_by(ca_cert)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == {
        x509.oid.ExtendedKeyUsageOID.EMAIL_PROTECTION, pdfsign.DOCUMENT_SIGNING}
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
    assert aki == ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert cert.not_valid_after_utc <= ca_cert.not_valid_after_utc


def test_the_platform_identity_is_derived_from_the_ca_and_the_same_every_time():
    key, cert = pdfsign.platform_identity()
    pdfsign._derived_identity.cache_clear()

    again_key, again_cert = pdfsign.platform_identity()

    assert again_cert.public_bytes(serialization.Encoding.DER) == cert.public_bytes(serialization.Encoding.DER)
    cert.verify_directly_issued_by(pdfsign.ca()[1])


def test_a_configured_platform_key_and_certificate_are_used(settings, record_pdf):
    key, cert = member("测试交易平台 文件签章（轮换）")
    settings.PLATFORM_PDF_KEY = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()).decode()
    settings.PLATFORM_PDF_CERT = cert.public_bytes(serialization.Encoding.PEM).decode()

    [sig] = pdfsign.pdfsig_report(pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="r",
                                                   location="l"))["signatures"]

    assert sig["common_name"] == "测试交易平台 文件签章（轮换）" and sig["valid"] and sig["trusted"]


def test_a_certificate_from_another_ca_is_refused_and_nothing_signed(record_pdf):
    other_key_pem, other_cert_pem = pdfsign.ca_create(common_name="Other CA", organisation_name="Other")
    other_key = serialization.load_pem_private_key(other_key_pem.encode(), None)
    other_cert = x509.load_pem_x509_certificate(other_cert_pem.encode())

    with pytest.raises(DomainError, match="not issued by the platform CA"):
        pdfsign.sign_pdf(record_pdf, key=other_key, cert=other_cert, field_name="X", reason="r", location="l")


def test_a_field_already_signed_cannot_be_signed_again(record_pdf):
    signed = pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="r", location="l")

    with pytest.raises(DomainError, match="Platform"):
        pdfsign.sign_pdf(signed, field_name="Platform", reason="r", location="l")


def test_bytes_that_are_not_a_pdf_are_refused():
    with pytest.raises(DomainError) as refused:
        pdfsign.sign_pdf(b"not a pdf at all", field_name="Platform", reason="r", location="l")
    assert refused.value.code == "not_a_pdf"


def test_the_signed_record_keeps_its_chinese_text(record_pdf, tmp_path):
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(pdfsign.sign_pdf(record_pdf, field_name="Platform", reason="开标记录表", location="安吉县"))

    text = subprocess.run(["pdftotext", str(signed), "-"], capture_output=True, text=True, check=True).stdout

    assert "开标记录表" in text and "投标报价：壹佰贰拾万元整" in text


# --- Settings and the pki_init command (fresh processes) ------------------------------------------------------

def run(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORM_")
           and k not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "VAR_DIR", "SECRET_KEY", "EXPERT_ID_KEY",
                        "BID_KEY_ENCRYPTION_KEY"}}
    env.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def production(**extra: str) -> dict[str, str]:
    signing_key = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return dict(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="ebid.example.cn", EXPERT_ID_KEY="00" * 32,
                PLATFORM_SIGNING_KEY=signing_key, BID_KEY_ENCRYPTION_KEY="11" * 32, **extra)


PRINT_CA = ("import django; django.setup(); from core.pdfsign import ca, platform_identity; "
            "print(ca()[1].subject.rfc4514_string()); print(platform_identity()[1].serial_number)")


def test_production_without_the_ca_refuses_to_start_and_says_how_to_make_one(tmp_path):
    done = run(tmp_path, "manage.py", "check", **production())

    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "PLATFORM_CA_KEY and PLATFORM_CA_CERT are not set" in done.stderr
    assert "manage.py pki_init" in done.stderr


def test_pki_init_prints_the_lines_production_then_starts_with(tmp_path):
    made = run(tmp_path, "manage.py", "pki_init", str(tmp_path / "pki"))
    assert made.returncode == 0, made.stderr
    lines = dict(line.split("=", 1) for line in made.stdout.strip().splitlines())
    env = {name: value.strip('"') for name, value in lines.items()}  # as an env file loader reads them
    assert set(env) == {"PLATFORM_CA_KEY", "PLATFORM_CA_CERT"} and "\\n" in env["PLATFORM_CA_CERT"]
    assert oct((tmp_path / "pki" / "ca-key.pem").stat().st_mode & 0o777) == "0o600"

    checked = run(tmp_path, "manage.py", "check", "--deploy", **production(**env))
    seen = run(tmp_path, "-c", PRINT_CA, **production(**env))

    assert checked.returncode == 0, checked.stderr
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines()[0] == "CN=公共资源交易平台 CA,O=公共资源交易平台,C=CN"
    again = run(tmp_path, "manage.py", "pki_init", str(tmp_path / "pki"))
    assert again.returncode != 0 and "already holds a CA" in again.stderr


def test_in_development_a_ca_is_made_once_under_var_and_reused(tmp_path):
    first, second = run(tmp_path, "-c", PRINT_CA), run(tmp_path, "-c", PRINT_CA)

    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and "(development)" in first.stdout
    assert (tmp_path / "var" / "pki" / "ca.pem").exists() and (tmp_path / "var" / "pki" / "ca-cert.pem").exists()

"""The `ebid` command end to end, as a bidder runs it: keygen → seal → inspect → unseal, and receipts."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ebid.receipt import sign_receipt

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "EBID_PASSPHRASE": "青溪-correct-horse"}


def ebid(*args, cwd: Path, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ebid.cli", *map(str, args)], check=False, cwd=cwd,
                          capture_output=True, text=True, env={**(env or ENV), "PYTHONPATH": str(ROOT)}, timeout=60)


@pytest.fixture
def bid(tmp_path: Path) -> Path:
    """A key pair and a sealed bid in tmp_path, made through the command line."""
    assert ebid("keygen", "--private", "me.key", "--public", "me.pub", cwd=tmp_path).returncode == 0
    (tmp_path / "summary.json").write_text(json.dumps({"price": "1234567.89", "duration_days": 180,
                                                       "quality": "合格"}, ensure_ascii=False), "utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "技术标.pdf").write_bytes(os.urandom(300_000))
    (tmp_path / "docs" / "empty.txt").write_bytes(b"")
    run = ebid("seal", "--tender-id", 12, "--tender-reference", "QXZC-2025-017", "--lot-id", 34, "--bidder-id", 56,
               "--credit-code", "91331127MA2XYZ0123", "--summary", "summary.json", "--recipient", "me.pub",
               "--chunk-size", 65536, "-o", "bid.ebid", "docs/技术标.pdf", "docs/empty.txt", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    return tmp_path


def test_keygen_writes_an_encrypted_private_key_and_a_public_key(bid: Path):
    private = (bid / "me.key").read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in private
    assert oct((bid / "me.key").stat().st_mode & 0o777) == "0o600"
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(private, password=None)
    assert (bid / "me.pub").read_bytes().startswith(b"-----BEGIN PUBLIC KEY-----")


def test_inspect_prints_the_header_without_any_key(bid: Path):
    run = ebid("inspect", "bid.ebid", cwd=bid)
    assert run.returncode == 0, run.stderr
    header = json.loads(run.stdout)
    assert header["suite"] == {"id": 1, "name": "P256-HKDF-SHA256-AES256GCM"}
    assert header["lot"] == {"id": 34}
    assert [p["name"] for p in header["parts"]] == ["summary.json", "技术标.pdf", "empty.txt"]
    assert header["envelope_length"] == (bid / "bid.ebid").stat().st_size


def test_unseal_gives_back_the_summary_and_files_and_checks_the_salts(bid: Path):
    run = ebid("unseal", "bid.ebid", "--key", "me.key", "-o", "opened", "--salts", "bid.ebid.salts", cwd=bid)
    assert run.returncode == 0, run.stderr
    assert "every part matches its commitment" in run.stdout
    assert json.loads((bid / "opened" / "summary.json").read_text("utf-8"))["price"] == "1234567.89"
    assert (bid / "opened" / "技术标.pdf").read_bytes() == (bid / "docs" / "技术标.pdf").read_bytes()
    assert (bid / "opened" / "empty.txt").read_bytes() == b""


def test_data_key_prints_the_key_that_opens_the_summary(bid: Path):
    import base64

    from ebid import read_header, read_summary

    run = ebid("data-key", "bid.ebid", "--key", "me.key", cwd=bid)
    assert run.returncode == 0, run.stderr
    key = base64.b64decode(run.stdout.strip())
    with open(bid / "bid.ebid", "rb") as fh:
        header = read_header(fh)
        assert read_summary(fh, header, key)[1]["price"] == "1234567.89"
    wrong = ebid("data-key", "bid.ebid", "--key", "me.key", cwd=bid, env={**ENV, "EBID_PASSPHRASE": "wrong"})
    assert wrong.returncode == 1 and ("KeyFileError" in wrong.stderr or "WrongKey" in wrong.stderr)


def test_verify_commitment_accepts_the_backup_and_refuses_anything_else(bid: Path):
    ok = ebid("verify-commitment", "bid.ebid", "docs/技术标.pdf", "--salts", "bid.ebid.salts", cwd=bid)
    assert ok.returncode == 0, ok.stderr
    (bid / "技术标.pdf").write_bytes(b"a different file")
    bad = ebid("verify-commitment", "bid.ebid", "技术标.pdf", "--salts", "bid.ebid.salts", cwd=bid)
    assert bad.returncode == 1
    assert "CommitmentMismatch" in bad.stderr


def test_a_wrong_passphrase_or_key_fails_with_a_message_and_exit_1(bid: Path):
    run = ebid("unseal", "bid.ebid", "--key", "me.key", "-o", "x", cwd=bid, env={**ENV, "EBID_PASSPHRASE": "no"})
    assert run.returncode == 1
    assert "wrong passphrase" in run.stderr
    assert ebid("keygen", "--private", "other.key", "--public", "other.pub", cwd=bid).returncode == 0
    run = ebid("unseal", "bid.ebid", "--key", "other.key", "-o", "y", cwd=bid)
    assert run.returncode == 1
    assert "WrongKey" in run.stderr and "not sealed for key" in run.stderr


def test_a_damaged_envelope_fails_with_a_message_and_exit_1(bid: Path):
    data = bytearray((bid / "bid.ebid").read_bytes())
    data[-100] ^= 1
    (bid / "bad.ebid").write_bytes(data)
    run = ebid("unseal", "bad.ebid", "--key", "me.key", "-o", "z", cwd=bid)
    assert run.returncode == 1
    assert "Tampered" in run.stderr
    assert list((bid / "z").iterdir()) == []
    (bid / "junk.ebid").write_bytes(b"PK\x03\x04 not an envelope")
    run = ebid("inspect", "junk.ebid", cwd=bid)
    assert run.returncode == 1 and "Malformed" in run.stderr


def test_verify_receipt_checks_the_signature_and_the_envelope(bid: Path):
    platform = ed25519.Ed25519PrivateKey.generate()
    (bid / "platform.pub").write_bytes(platform.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    envelope = (bid / "bid.ebid").read_bytes()
    receipt = {"format": "ebid-receipt/1", "received_at": "2025-06-01T01:59:59Z", "bid": {"id": 9},
               "tender": {"id": 12, "reference": "QXZC-2025-017"}, "lot": {"id": 34},
               "bidder": {"id": 56, "credit_code": "91331127MA2XYZ0123"},
               "envelope": {"sha256": hashlib.sha256(envelope).hexdigest(), "size": len(envelope)}}
    (bid / "receipt.json").write_text(json.dumps(sign_receipt(receipt, platform)), "utf-8")
    run = ebid("verify-receipt", "receipt.json", "--platform-key", "platform.pub", "--envelope", "bid.ebid", cwd=bid)
    assert run.returncode == 0, run.stderr
    assert "receipt valid" in run.stdout and "matches the envelope" in run.stdout
    forged = json.loads((bid / "receipt.json").read_text("utf-8"))
    forged["receipt"]["received_at"] = "2025-06-01T01:59:58Z"
    (bid / "forged.json").write_text(json.dumps(forged), "utf-8")
    run = ebid("verify-receipt", "forged.json", "--platform-key", "platform.pub", cwd=bid)
    assert run.returncode == 1 and "does not verify" in run.stderr


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "ebid"
    run = subprocess.run([str(script), "--help"], check=False, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "verify-receipt" in run.stdout


def test_ebid_imports_no_django():
    code = ("import sys, ebid, ebid.cli, ebid.receipt; "
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=ROOT, timeout=60).returncode == 0

"""The receipt signing key: production refuses to start without PLATFORM_SIGNING_KEY; a key given in the
environment (with its newlines escaped, as env files often carry it) is the one receipts are signed with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

ROOT = Path(__file__).resolve().parents[2]


def run(tmp_path, code: str, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DEBUG", "PLATFORM_SIGNING_KEY", "DJANGO_SETTINGS_MODULE", "VAR_DIR"}}
    env.update(VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


def test_production_without_the_signing_key_refuses_to_start(tmp_path):
    done = run(tmp_path, "import django; django.setup()", DEBUG="0", SECRET_KEY="x" * 60,
               ALLOWED_HOSTS="ebid.example.cn", EXPERT_ID_KEY="00" * 32)
    assert done.returncode != 0 and "PLATFORM_SIGNING_KEY is not set" in done.stderr


def test_a_key_from_the_environment_signs_and_is_published(tmp_path):
    key = ed25519.Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    done = run(tmp_path, "import django; django.setup(); from bidding.receipts import public_key_pem; "
                         "print(public_key_pem(), end='')", PLATFORM_SIGNING_KEY=pem.replace("\n", "\\n"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(public.strip())


def test_in_development_a_key_is_made_once_under_var(tmp_path):
    code = "import django; django.setup(); from bidding.receipts import public_key_pem; print(public_key_pem())"
    first, second = run(tmp_path, code), run(tmp_path, code)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and (tmp_path / "var" / "dev-platform-signing-key.pem").exists()

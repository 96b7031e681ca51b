"""The settings module: embedded defaults with no environment, a strict production mode with DEBUG=0."""

from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DEBUG", "SECRET_KEY",
    "ALLOWED_HOSTS", "S3_BUCKET", "MEDIA_ROOT", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE", "EXPERT_ID_KEY",
    "PLATFORM_SIGNING_KEY", "BID_KEY_ENCRYPTION_KEY", "CHANNEL_LAYER_BACKEND", "PLATFORM_CA_KEY", "PLATFORM_CA_CERT", "PLATFORM_PDF_KEY",
    "PLATFORM_PDF_CERT",
)


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    env["VAR_DIR"] = str(tmp_path / "var")
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def settings_seen(env: dict[str, str]) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
        "'engine': s.DATABASES['default']['ENGINE'], 'channels': s.CHANNEL_LAYERS['default']['BACKEND'], "
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'cache': s.CACHES['default']['BACKEND'], "
        "'storage': s.STORAGES['default']['BACKEND'], 'debug': s.DEBUG}))"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def random_secret_key() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


def signing_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()


def platform_ca_pem() -> tuple[str, str]:
    from core.pdfsign import ca_create

    return ca_create(common_name="Test CA", organisation_name="Test")


def test_production_settings_pass_the_deployment_checks(tmp_path):
    env = clean_env(tmp_path, DEBUG="0", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS="ebid.example.cn",
                    EXPERT_ID_KEY="00" * 32, PLATFORM_SIGNING_KEY=signing_key_pem(),
                    BID_KEY_ENCRYPTION_KEY="11" * 32)
    env["PLATFORM_CA_KEY"], env["PLATFORM_CA_CERT"] = platform_ca_pem()

    done = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert done.returncode == 0, done.stdout + done.stderr


def test_production_without_a_secret_key_refuses_to_start_and_says_why(tmp_path):
    env = clean_env(tmp_path, DEBUG="0", ALLOWED_HOSTS="ebid.example.cn")

    done = manage("check", env=env)

    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert "set the SECRET_KEY environment variable" in done.stderr


def test_no_environment_runs_on_embedded_defaults(tmp_path):
    seen = settings_seen(clean_env(tmp_path))

    assert seen == {
        "engine": "django.db.backends.sqlite3",
        "channels": "channels.layers.InMemoryChannelLayer",
        "eager": True,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "storage": "django.core.files.storage.FileSystemStorage",
        "debug": True,
    }


def test_database_and_redis_urls_switch_to_the_real_services(tmp_path):
    env = clean_env(tmp_path, DATABASE_URL="postgres://ebid@db.internal:5432/ebid",
                    REDIS_URL="redis://cache.internal:6379/0")

    seen = settings_seen(env)

    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["channels"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert seen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["eager"] is False


def test_an_s3_bucket_moves_uploaded_files_to_object_storage(tmp_path):
    seen = settings_seen(clean_env(tmp_path, S3_BUCKET="ebid-documents", S3_ENDPOINT_URL="https://s3.example.cn"))

    assert seen["storage"] == "storages.backends.s3.S3Storage"


def test_production_refuses_to_start_without_the_bid_key_encryption_key(tmp_path):
    env = clean_env(tmp_path, DEBUG="0", SECRET_KEY=random_secret_key(), ALLOWED_HOSTS="ebid.example.cn",
                    EXPERT_ID_KEY="00" * 32, PLATFORM_SIGNING_KEY=signing_key_pem())

    done = manage("check", env=env)

    assert done.returncode != 0
    assert "BID_KEY_ENCRYPTION_KEY is not set" in done.stderr

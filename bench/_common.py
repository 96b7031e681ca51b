"""Shared by the benchmarks: a database of their own on the PostgreSQL server DATABASE_URL names."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "ebid_bench")


def bench_database_url() -> str:
    """DATABASE_URL with its database name replaced by the benchmark's own (ebid_bench)."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        sys.exit("The benchmarks need DATABASE_URL pointing at a PostgreSQL server, for example\n"
                 "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid .venv/bin/python bench/ledger_append.py\n"
                 f"They create and use their own database ({BENCH_DATABASE}) on that server.")
    return urlunsplit(parts._replace(path="/" + BENCH_DATABASE))


def conninfo(url: str) -> str:
    """A libpq connection string psycopg accepts (it does not know the postgres:// alias 'pgsql')."""
    return url.replace("pgsql://", "postgresql://", 1)


def recreate_database(url: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(conninfo(admin), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def fresh_django_database() -> str:
    """Drop and recreate the benchmark database, set Django up on it and migrate. Returns its URL."""
    url = bench_database_url()
    recreate_database(url)
    django_setup(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def server_facts(url: str) -> str:
    import psycopg

    with psycopg.connect(conninfo(url)) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
        fsync = conn.execute("SHOW fsync").fetchone()[0]
    return f"PostgreSQL {version} (synchronous_commit={sync}, fsync={fsync}), {os.cpu_count()} CPUs"


def production_environment() -> dict[str, str]:
    """Environment for a server subprocess that runs as production does (DEBUG off: no query log, no debug
    cursor, WhiteNoise in the middleware) with the keys of this process's settings, so that what it signs
    verifies here. Loopback speaks plain HTTP, so the HTTPS redirect a TLS proxy makes moot is off."""
    from django.conf import settings

    from core import pdfsign

    ca_key, ca_cert = pdfsign._ca_pem()
    return {"DEBUG": "0", "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0", "EXPERT_ID_KEY": settings.EXPERT_ID_KEY,
            "PLATFORM_SIGNING_KEY": settings.PLATFORM_SIGNING_KEY,
            "BID_KEY_ENCRYPTION_KEY": settings.BID_KEY_ENCRYPTION_KEY, "PLATFORM_CA_KEY": ca_key,
            "PLATFORM_CA_CERT": ca_cert}
